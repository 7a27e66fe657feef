"""The meeting slides, from the section registry: each slide's title, sentence, charts and their titles (pure).

Presentation mode (components/page/present.py) and the PPTX deck (components/exports/deck.py) both lay these out; a
dataset without a section has no slide for it, and the generic section has one slide per indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.core.state import View
from components.sections import section, slides
from components.sections.base import Slide
from data.load import Dataset

Rows = tuple[tuple[float, ...], ...]


def weights(slide: Slide) -> Rows:
    """The slide's charts as rows of relative widths (the slide's own widths where declared)."""
    return tuple(tuple(float(g.slide_width or g.width) for g in row) for row in slide.rows)


def slide_figures(ds: Dataset, view: View, slide: Slide) -> list[Any]:
    """The slide's figures in reading order (computed by its section, only the charts the slide shows)."""
    wanted = [g.id for g in slide.graphs]
    found = section(slide.section).compute(ds, view, only=wanted)
    return [found[i] for i in wanted]


@dataclass(frozen=True)
class Planned:
    """A slide ready to lay out: texts in the view's language, figures, chart titles and the row widths."""

    slide: Slide
    title: str
    sentence: str
    figures: list[Any]
    chart_titles: list[str]
    rows: Rows
    table: Any = None  # the slide's table (components/grid.Grid), for a table slide


def plan(ds: Dataset, view: View, figures: Any = slide_figures, kpi_cards: bool = False) -> list[Planned]:
    """Every slide for the view; `figures(ds, view, slide)` may be a cached version of `slide_figures`.

    With `kpi_cards` (presentation mode) the overview slide shows the KPI cards instead of its charts.
    """
    out = []
    for slide in slides(ds):
        cards = kpi_cards and slide.kpis
        charts = [] if cards else list(figures(ds, view, slide))
        titles = (
            []
            if cards
            else [g.title_text(ds, view.lang, view.year, slide=True, when=view.when_text) for g in slide.graphs]
        )
        rows = () if cards else weights(slide)
        table = slide.table(ds, view) if slide.table is not None else None
        if slide.table is not None and table is None:  # a table slide with nothing this view (no targets)
            continue
        out.append(Planned(slide, slide.title(view.lang), slide.sentence(ds, view), charts, titles, rows, table))
    return out
