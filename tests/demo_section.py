"""A section as a new contributor would write it, defined outside the product (tests register it)."""

from __future__ import annotations

from typing import Any

from components.charts import figures
from components.charts.figures import Fig
from components.core.i18n import t
from components.core.state import View
from components.sections.base import Block, Graph, Needs, Section
from data import aggregate as agg
from data.load import Dataset

KEY = "demo"


def demo_trend(ds: Dataset, view: View) -> Fig:
    """Patent applications over the years for the selection (a primitive of components/charts)."""
    series = agg.series(ds, "patent_applications", view.districts)
    return figures.trend_line(series, t("demo_trend_title", view.lang), "件", view.lang, view.theme)


def demo_sentence(ds: Dataset, view: View) -> str:
    """One sentence from the catalogue, with the year."""
    return t("demo_said", view.lang, year=view.year)


def demo_section(key: str = KEY, **changes: Any) -> Section:
    """The section a new contributor would write: a key, a sentence, one chart, one block, its strings."""
    fields: dict[str, Any] = {
        "key": key,
        "sentence": demo_sentence,
        "rows": ((Graph("trend", "demo_trend_title", demo_trend, width=12, needs=Needs(("patent_applications",))),),),
        "blocks": (Block("note", demo_sentence, kind="p"),),
        "strings": {
            key: ("示范板块", "Demo section"),
            "demo_trend_title": ("示范：专利申请趋势", "Demo: patent applications"),
            "demo_said": ("{year}年示范句子。", "A demo sentence for {year}."),
        },
    }
    return Section(**(fields | changes))
