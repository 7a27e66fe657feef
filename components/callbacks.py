"""Section callbacks, derived from the registry: one per section, its outputs from its declaration.

Outputs are pattern-matching (`ALL`) over the section's blocks and charts, so the same callback serves a
dataset with every chart and one that lacks some: it fills exactly the components the page holds.

A filter change redraws only what moves. Each section keeps, in a store on the page, what its charts show
(their data key and highlighted districts); a chart whose key is unchanged is left alone (`no_update`),
one whose only change is the highlighted selection gets a `Patch` of its opacities or outlines, the rest
get new figures, each cached by its own key (so a year change reuses every trend chart).

Only what is seen is drawn: a chart off screen (the page tells which are in or near the viewport) is
marked stale instead of redrawn, and is brought up to date when it scrolls into view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash import ALL, Dash, Input, Output, Patch, State, ctx, no_update
from dash.exceptions import MissingCallbackContextException

from components import figures, ids
from components.i18n import t
from components.sections.base import Graph, Section
from components.services import Services, services
from components.state import View, resolve, view_key
from data.load import Dataset

MAX_CONTROL = 64  # characters of a control's value that reach the view
Drawn = dict[str, list[str]]  # output name -> [data key, highlight] of what the page shows


def outputs(section: Section) -> list[Output]:
    """The section's outputs: its blocks' children, its charts' figures, and its record of what they show."""
    return [
        Output({"type": ids.BLOCK, "section": section.key, "name": ALL}, "children"),
        Output({"type": ids.GRAPH, "section": section.key, "name": ALL}, "figure"),
        Output({"type": ids.DRAWN, "section": section.key, "name": ALL}, "data"),
    ]


def inputs(section: Section) -> list[Input | State]:
    """What every section follows (year, districts, the page's language and theme), plus its own controls."""
    return [
        Input(ids.FILTER_YEAR, "value"),
        Input(ids.FILTER_DISTRICTS, "value"),
        *[Input(cid, prop, allow_optional=True) for cid, prop, _ in section.controls],
        Input(ids.SEEN, "data"),
        State(ids.VISIBLE, "data"),
        State({"type": ids.DRAWN, "section": section.key, "name": ALL}, "data"),
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
    return svc.cached(f"{section.key}:{g.id}", ds, (key,), lambda: g.build(ds, view))


def apply(fig: dict[str, Any], edits: list[tuple[list[Any], Any]]) -> None:
    """(path, value) edits applied to a figure's JSON in place."""
    for path, value in edits:
        target = fig
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value


def as_patch(edits: list[tuple[list[Any], Any]]) -> Patch:
    """(path, value) edits of a figure as a Dash Patch (the browser changes just those)."""
    patch = Patch()
    for path, value in edits:
        target = patch
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
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
        else svc.cached(f"{section.key}:{b.id}", ds, view_key(view), lambda b=b: b.build(ds, view))
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
        elif g.highlight and before is not None and before[0] == key:
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


def asked(section: Section) -> tuple[list[str], list[str]]:
    """The names of the blocks and charts the page holds (in a request), else the dataset's own (called directly)."""
    try:
        blocks, graphs, _ = ctx.outputs_list
        return [o["id"]["name"] for o in blocks], [o["id"]["name"] for o in graphs]
    except MissingCallbackContextException:
        ds = services().dataset()
        return [b.id for b in section.blocks], [g.id for g in section.graphs(ds)]


def view_of(ds: Dataset, year: object, districts: object, config: object, extras: tuple = ()) -> View:
    """The normalised view of a request (crafted values never reach the figures raw)."""
    cfg = config if isinstance(config, dict) else {}
    return resolve(ds, year, districts, str(cfg.get("lang", "zh")), str(cfg.get("theme", "light")), extras)


def section_update(section: Section) -> Callable[..., list[list[Any]]]:
    """The callback body of `section`: validate, then answer with only what moved."""

    def update(year: object, districts: object, *rest: object) -> list[list[Any]]:
        *controls, _seen, visible, drawn, config = rest
        svc = services()
        ds = svc.dataset()
        view = view_of(ds, year, districts, config, control_extras(section, tuple(controls)))
        block_names, graph_names = asked(section)
        shown = {v for v in visible if isinstance(v, str)} if isinstance(visible, list) else None
        got = answer(svc, section, ds, view, _drawn(drawn), graph_names, shown)
        has_record = isinstance(drawn, list) and len(drawn) > 0
        return [
            [got.blocks.get(name) for name in block_names],
            [got.graphs[name] for name in graph_names],
            [got.drawn] if has_record else [],
        ]

    update.__name__ = f"update_{section.key}"
    update.__doc__ = f"The {section.key} section follows the filters."
    return update


def full(svc: Services, section: Section, ds: Dataset, view: View) -> Answer:
    """Every block and chart of a section for `view` (nothing drawn yet): the served page and a new tab."""
    return answer(svc, section, ds, view, {}, [g.id for g in section.graphs(ds)])


def register(app: Dash, sections: tuple[Section, ...], body: Callable[..., Any]) -> None:
    """Attach one callback per section, and the one that renders a section when its tab is chosen."""
    for section in sections:
        app.callback(*outputs(section), *inputs(section), prevent_initial_call=True)(section_update(section))

    app.callback(
        Output(ids.SECTION_BODY, "children"),
        Input(ids.ACTIVE_SECTION, "data"),
        State(ids.FILTER_YEAR, "value"),
        State(ids.FILTER_DISTRICTS, "value"),
        State(ids.CONFIG, "data"),
        prevent_initial_call=True,
    )(body)
