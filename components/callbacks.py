"""Section callbacks, derived from the registry: one per section, its outputs from its declaration.

Outputs are pattern-matching (`ALL`) over the section's blocks and charts, so the same callback serves a
dataset with every chart and one that lacks some: it fills exactly the components the page holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx
from dash.exceptions import MissingCallbackContextException

from components import ids
from components.figures import empty_figure
from components.i18n import t
from components.sections.base import Section
from components.services import run_view, services

MAX_CONTROL = 64  # characters of a control's value that reach the view


def outputs(section: Section) -> list[Output]:
    """The section's outputs: its blocks' children, then its charts' figures."""
    return [
        Output({"type": ids.BLOCK, "section": section.key, "name": ALL}, "children"),
        Output({"type": ids.GRAPH, "section": section.key, "name": ALL}, "figure"),
    ]


def inputs(section: Section) -> list[Input | State]:
    """What every section follows (year, districts, the page's language and theme), plus its own controls."""
    return [
        Input(ids.FILTER_YEAR, "value"),
        Input(ids.FILTER_DISTRICTS, "value"),
        *[Input(cid, prop, allow_optional=True) for cid, prop, _ in section.controls],
        State(ids.CONFIG, "data"),
    ]


def control_extras(section: Section, values: tuple[object, ...]) -> tuple[tuple[str, str], ...]:
    """The section's control values as view extras (text only, bounded; anything else is ignored)."""
    return tuple(
        (key, value[:MAX_CONTROL])
        for (_, _, key), value in zip(section.controls, values, strict=False)
        if isinstance(value, str)
    )


def asked(section: Section) -> tuple[list[str], list[str]]:
    """The names of the blocks and charts the page holds (in a request), else the dataset's own (called directly)."""
    try:
        blocks, graphs = ctx.outputs_list
        return [o["id"]["name"] for o in blocks], [o["id"]["name"] for o in graphs]
    except MissingCallbackContextException:
        ds = services().dataset()
        return [b.id for b in section.blocks], [g.id for g in section.graphs(ds)]


def section_update(section: Section) -> Callable[..., list[list[Any]]]:
    """The callback body of `section`: validate, compute through the cache, fill the components present."""

    def update(year: object, districts: object, *rest: object) -> list[list[Any]]:
        *controls, config = rest
        result = run_view(section.key, section.compute, year, districts, config, control_extras(section, controls))
        lang = "en" if isinstance(config, dict) and config.get("lang") == "en" else "zh"
        blocks, graphs = asked(section)
        return [
            [result.get(name) for name in blocks],
            [result.get(name) or empty_figure(t("no_data", lang)) for name in graphs],
        ]

    update.__name__ = f"update_{section.key}"
    update.__doc__ = f"The {section.key} section follows the filters."
    return update


def register(app: Dash, sections: tuple[Section, ...]) -> None:
    """Attach one callback per section to `app`."""
    for section in sections:
        app.callback(*outputs(section), *inputs(section))(section_update(section))
