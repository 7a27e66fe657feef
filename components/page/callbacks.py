"""The page's callback, derived from the registry: one request per filter change for every section shown.

Chart outputs are pattern-matching (`ALL`), so the same callback serves a dataset with every chart and one
that lacks some: it fills exactly the charts the page holds, each through its section's declaration; the
blocks that changed travel together in one attribute of the page's painter (assets/app.js paints them).
(One request, not one per section: every request costs the browser a round of Dash's bookkeeping across
the whole page, measured to matter more than the server's time.)

A filter change redraws only what moves. Each section keeps, in a store on the page, what its charts show
(their data key and highlighted districts); a chart whose key is unchanged is left alone (`no_update`),
one whose only change is the highlighted selection gets a `Patch` of its opacities or outlines when it is
the overview's (no tab switch can remove it while the answer is out), the rest get new figures, each
cached by its own key (so a year change reuses every trend chart).

Only what is seen is drawn: a chart off screen (the page tells which are in or near the viewport) is
marked stale instead of redrawn, and is brought up to date when it scrolls into view.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from dash import ALL, Dash, Input, Output, Patch, State, ctx, no_update
from dash.exceptions import MissingCallbackContextException

from components.charts import figures
from components.core import ids
from components.core.i18n import t
from components.core.state import View, resolve, view_key
from components.sections.base import Graph, Section
from components.server.services import Services, services
from data.load import Dataset

MAX_CONTROL = 64  # characters of a control's value that reach the view
Drawn = dict[str, list[str]]  # output name -> [data key, highlight] of what the page shows


def outputs() -> list[Output]:
    """The new content of the blocks that changed (one attribute: the page paints each in place), the charts'
    figures, and records of what they show."""
    return [
        Output(ids.PAINTER, ids.PAINT),
        Output({"type": ids.GRAPH, "section": ALL, "name": ALL}, "figure"),
        Output({"type": ids.DRAWN, "section": ALL, "name": ALL}, "data"),
    ]


# The filters a view is made of, in the order the callbacks take them: year, districts, period of the year, basis.
VIEW_FILTERS: tuple[tuple[str, str], ...] = tuple(
    (f, "value") for f in (ids.FILTER_YEAR, ids.FILTER_DISTRICTS, ids.FILTER_PERIOD, ids.FILTER_BASIS)
)


def view_states() -> list[State]:
    """What a view is made of, as callback State: the filters, then the page's language and theme."""
    return [*(State(*f) for f in VIEW_FILTERS), State(ids.CONFIG, "data")]


def controls(sections: Sequence[Section]) -> list[tuple[Section, tuple[str, str, str]]]:
    """Every section's own controls (the map picker), with their section."""
    return [(s, c) for s in sections for c in s.controls]


def inputs(sections: Sequence[Section]) -> list[Input | State]:
    """What the sections follow (year, districts, the page's language and theme), plus their own controls."""
    return [
        *(Input(*f) for f in VIEW_FILTERS),
        *[Input(cid, prop, allow_optional=True) for _, (cid, prop, _) in controls(sections)],
        Input(ids.SEEN, "data"),
        State(ids.VISIBLE, "data"),
        State({"type": ids.DRAWN, "section": ALL, "name": ALL}, "data"),
        State(ids.CONFIG, "data"),
    ]


def control_extras(section: Section, values: tuple[object, ...]) -> tuple[tuple[str, str], ...]:
    """The section's control values as view extras (text only, bounded; anything else is ignored)."""
    return tuple(
        (key, value[:MAX_CONTROL])
        for (_, _, key), value in zip(section.controls, values, strict=False)
        if isinstance(value, str)
    )


def _drawn(raw: object) -> Drawn:
    """The page's record, as sent back by the browser (anything malformed counts as nothing drawn)."""
    if not isinstance(raw, list) or not raw or not isinstance(raw[0], dict):
        return {}
    return {k: v for k, v in raw[0].items() if isinstance(k, str) and isinstance(v, list) and len(v) == 2}


@dataclass(frozen=True)
class Answer:
    """What a section sends: values by output name (figures, no_update or Patch), the charts left stale off
    screen, and its new record."""

    blocks: dict[str, Any]
    graphs: dict[str, Any]
    drawn: Drawn
    stale: frozenset[str] = frozenset()


def graph_key(ds: Dataset, g: Graph, view: View) -> str:
    """What a chart shows, as text: dataset version, its data key, language and theme."""
    return f"{ds.version}|{g.key(ds, view)!r}|{view.lang}|{view.theme}"


def figure(svc: Services, section: Section, g: Graph, ds: Dataset, view: View, key: str) -> dict[str, Any]:
    """A chart's figure (JSON form), through the cache under its own key."""
    return svc.cached(f"{section.key}:{g.id}", ds, (key,), lambda: g.figure(ds, view))


def apply(fig: dict[str, Any] | Patch, edits: list[tuple[list[Any], Any]]) -> None:
    """(path, value) edits applied in place to a figure's JSON or to a Patch."""
    for path, value in edits:
        target = fig
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value


def as_patch(edits: list[tuple[list[Any], Any]]) -> Patch:
    """(path, value) edits of a figure as a Dash Patch (the browser changes just those)."""
    patch = Patch()
    apply(patch, edits)
    return patch


def answer(
    svc: Services,
    section: Section,
    ds: Dataset,
    view: View,
    drawn: Drawn,
    names: list[str],
    visible: set[str] | None = None,
) -> Answer:
    """The section's outputs for `view`, given what the page shows (`drawn`); `names`: the charts it holds;
    `visible`: those in or near the viewport (None: all)."""
    block_key = f"{ds.version}|{view_key(view)!r}"
    same_blocks = drawn.get("blocks", [None])[0] == block_key
    blocks = {
        b.id: no_update
        if same_blocks
        else svc.cached(f"{section.key}:{b.id}", ds, view_key(view), partial(b.build, ds, view))
        for b in section.blocks
    }
    present = {g.id: g for g in section.graphs(ds)}
    out: dict[str, Any] = {}
    stale: set[str] = set()
    record: Drawn = {"blocks": [block_key, ""]}
    for name in names:
        g = present.get(name)
        if g is None:  # a chart the page holds that this dataset no longer has
            out[name] = figures.empty_figure(t("no_data", view.lang), view.theme)
            continue
        key = graph_key(ds, g, view)
        mark = ",".join(view.districts) if g.highlight else ""
        before = drawn.get(name)
        if before == [key, mark]:
            out[name] = no_update
        elif visible is not None and name not in visible:  # off screen: redrawn when it comes into view
            out[name] = no_update
            stale.add(name)
            if before is not None:
                record[name] = before
            continue
        elif g.highlight and before is not None and before[0] == key and section.pinned:
            # A Patch only where the chart cannot be gone when it lands: a tab switch while the request is
            # out replaces a tabbed section's charts, and Dash fails the whole response (every output of it)
            # on a Patch whose target is no longer there; a full figure for a gone chart is just dropped.
            out[name] = as_patch(
                figures.highlight_updates(figure(svc, section, g, ds, view, key), view.districts, view.theme)
            )
        else:
            fig = figure(svc, section, g, ds, view, key)
            if g.highlight:  # the cached figure holds the highlight of whoever drew it first: set this one's
                apply(fig, figures.highlight_updates(fig, view.districts, view.theme))
            out[name] = fig
        record[name] = [key, mark]
    return Answer(blocks, out, record, frozenset(stale))


def asked(sections: Sequence[Section]) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """(section, name) of the blocks and charts the page holds, and the sections of its records, in output
    order (in a request: a section on the page has a record and all its blocks); else every present
    section's own (called directly)."""
    try:
        _, graphs, records = ctx.outputs_list
        on_page = [o["id"]["section"] for o in records]
        by_key = {s.key: s for s in sections}
        blocks = [(k, b.id) for k in on_page if k in by_key for b in by_key[k].blocks]
        return blocks, [(o["id"]["section"], o["id"]["name"]) for o in graphs], on_page
    except MissingCallbackContextException:
        ds = services().dataset()
        shown = [s for s in sections if s.present(ds)]
        return (
            [(s.key, b.id) for s in shown for b in s.blocks],
            [(s.key, g.id) for s in shown for g in s.graphs(ds)],
            [s.key for s in shown],
        )


def paint_text(content: Any) -> Any:
    """A block's content as the text of its `data-paint` attribute (component JSON), or no_update."""
    if content is no_update:
        return no_update
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def view_of(
    ds: Dataset,
    year: object,
    districts: object,
    config: object,
    extras: tuple = (),
    period: object = "",
    basis: object = "ytd",
) -> View:
    """The normalised view of a request (crafted values never reach the figures raw)."""
    cfg = config if isinstance(config, dict) else {}
    lang, theme = str(cfg.get("lang", "zh")), str(cfg.get("theme", "light"))
    return resolve(ds, year, districts, lang, theme, extras, period or "", basis or "ytd")


def page_update(sections: Sequence[Section]) -> Callable[..., list[Any]]:
    """The callback body: validate, then answer for each section the page shows with only what moved."""
    by_key = {s.key: s for s in sections}
    picks = controls(sections)

    def update(year: object, districts: object, period: object, basis: object, *rest: object) -> list[Any]:
        *values, _seen, visible, drawn, config = rest
        svc = services()
        ds = svc.dataset()
        block_names, graph_names, record_sections = asked(sections)
        shown = {v for v in visible if isinstance(v, str)} if isinstance(visible, list) else None
        records = drawn if isinstance(drawn, list) else []
        blocks: dict[tuple[str, str], Any] = {}
        graphs: dict[tuple[str, str], Any] = {}
        new: dict[str, Drawn] = {}
        for key in dict.fromkeys([k for k, _ in block_names] + [k for k, _ in graph_names] + record_sections):
            section = by_key.get(key)
            if section is None:
                continue
            own = tuple(v for (sec, _), v in zip(picks, values, strict=False) if sec is section)
            view = view_of(ds, year, districts, config, control_extras(section, own), period, basis)
            before = records[record_sections.index(key)] if key in record_sections else None
            got = answer(svc, section, ds, view, _drawn([before]), [n for k, n in graph_names if k == key], shown)
            blocks.update({(key, n): v for n, v in got.blocks.items()})
            graphs.update({(key, n): v for n, v in got.graphs.items()})
            new[key] = got.drawn
        painted = {name: v for (_, name), v in blocks.items() if v is not no_update}
        return [
            paint_text(painted) if painted else no_update,
            [graphs.get(pair) for pair in graph_names],
            [new.get(key, no_update) for key in record_sections],
        ]

    update.__name__ = "update_sections"
    return update


def full(svc: Services, section: Section, ds: Dataset, view: View) -> Answer:
    """Every block and chart of a section for `view` (nothing drawn yet): the served page and a new tab."""
    return answer(svc, section, ds, view, {}, [g.id for g in section.graphs(ds)])


def register(app: Dash, sections: Sequence[Section], body: Callable[..., Any]) -> None:
    """Attach the sections' callback, and the one that renders a section when its tab is chosen."""
    app.callback(*outputs(), *inputs(sections), prevent_initial_call=True)(page_update(sections))

    app.callback(
        Output(ids.SECTION_BODY, "children"),
        Input(ids.ACTIVE_SECTION, "data"),
        *view_states(),
        prevent_initial_call=True,
    )(body)
