"""其他指标 Other indicators: every indicator of the dataset's own that no built-in section shows.

Each one gets its trend and, when it has values per district, its districts compared for the year, with its
own names, units and aggregation rule, and a slide of its own. Which indicators those are depends on the
built-in sections (what they show for this dataset), so the registry builds this section from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from components.charts import figures
from components.charts.figures import Fig
from components.charts.prep import annotated, district_frame, many_rows_height
from components.charts.summary import indicator_sentence, joined
from components.core import ids
from components.core.i18n import axis_unit, name, t
from components.core.state import View
from components.sections.base import Graph, Needs, Section, Slide, by_districts, by_year
from data import aggregate as agg
from data.load import Dataset

KEY = "other"
PER_ROW = 3  # city-only indicators: trends per row


def ratio_parts(ds: Dataset, indicators: set[str]) -> set[str]:
    """The numerators and denominators of the ratio indicators among `indicators`."""
    out: set[str] = set()
    for ind in indicators:
        info = agg.indicator_info(ds, ind) if agg.available(ds, ind) else None
        if info and info["agg"] == "ratio":
            out |= {str(info["numerator"]), str(info["denominator"])}
    return out


def own_indicators(ds: Dataset, builtins: Sequence[Section]) -> list[str]:
    """Indicators with data that no built-in section shows (nor uses as a ratio's part), in file order."""
    used: set[str] = set()
    for section in builtins:
        used |= section.uses(ds)
    used |= ratio_parts(ds, used)
    return [i for i in agg.indicators_with_data(ds) if i not in used]


def trend_figure(indicator: str) -> Callable[[Dataset, View], Fig]:
    """The indicator over the years for the selection."""

    def build(ds: Dataset, view: View) -> Fig:
        info = agg.indicator_info(ds, indicator)
        lang = view.lang
        if info["agg"] == "city" and not agg.is_city(ds, view.districts):
            return figures.empty_figure(t("city_only_chart", lang, indicator=name(info, lang)), view.theme)
        series = agg.series(ds, indicator, view.districts)
        return annotated(figures.indicator_trend(series, info, lang, view.theme), ds, view, (indicator,))

    return build


def district_figure(indicator: str) -> Callable[[Dataset, View], Fig]:
    """The districts compared for the year (bars carry the district code for cross-filtering)."""

    def build(ds: Dataset, view: View) -> Fig:
        info = agg.indicator_info(ds, indicator)
        frame = district_frame(ds, view.year, {"value": indicator}, view.lang)
        return figures.district_bars(
            frame,
            [("value", name(info, view.lang))],
            view.districts,
            str(info["unit_zh"] or ""),
            view.lang,
            view.theme,
            info=info,
        )

    return build


def _title(indicator: str, key: str) -> Callable[[Dataset, str], str]:
    def title(ds: Dataset, lang: str) -> str:
        info = agg.indicator_info(ds, indicator)
        unit = axis_unit(info, lang)[1]
        shown = "" if not unit else f"（{unit}）" if lang == "zh" else f" ({unit})"
        return t(key, lang, indicator=name(info, lang), unit=shown, year="{year}")

    return title


def graphs_of(ds: Dataset, indicator: str) -> tuple[Graph, ...]:
    """The trend, and the district comparison where the indicator has values per district."""
    alone = not agg.by_district_available(ds, indicator)
    trend = Graph(
        ids.other_graph(indicator, "trend"),
        _title(indicator, "other_trend_title"),
        trend_figure(indicator),
        width=12 // PER_ROW if alone else 5,
        needs=Needs(indicators=(indicator,)),
        indicator=indicator,
        key=by_districts,
    )
    if alone:
        return (trend,)
    bars = Graph(
        ids.other_graph(indicator, "district"),
        _title(indicator, "other_district_title"),
        district_figure(indicator),
        width=7,
        needs=Needs(by_district=(indicator,)),
        height=many_rows_height,
        indicator=indicator,
        key=by_year,
        highlight=True,
    )
    return (trend, bars)


def make(builtins: Sequence[Section]) -> Section:
    """The generic section over the indicators the `builtins` leave unshown."""

    def rows(ds: Dataset) -> tuple[tuple[Graph, ...], ...]:
        """An indicator with districts: its trend and its districts side by side; city-only trends three a row."""
        own = [graphs_of(ds, ind) for ind in own_indicators(ds, builtins)]
        wide = [pair for pair in own if len(pair) > 1]
        single = [pair[0] for pair in own if len(pair) == 1]
        return (*wide, *(tuple(single[i : i + PER_ROW]) for i in range(0, len(single), PER_ROW)))

    def sentence(ds: Dataset, view: View) -> str:
        return joined([indicator_sentence(ds, view, i) for i in own_indicators(ds, builtins)], view.lang)

    def slides(section: Section, ds: Dataset) -> list[Slide]:
        out = []
        for ind in own_indicators(ds, builtins):
            label = name(agg.indicator_info(ds, ind), "zh"), name(agg.indicator_info(ds, ind), "en")

            def title(lang: str, label: tuple[str, str] = label) -> str:
                return t("other_slide_title", lang, indicator=label[1] if lang == "en" else label[0])

            def said(ds: Dataset, view: View, ind: str = ind) -> str:
                return indicator_sentence(ds, view, ind)

            out.append(Slide(f"{KEY}-{ids.slug(ind)}", KEY, title, said, (graphs_of(ds, ind),)))
        return out

    def note(ds: Dataset) -> str:
        return f"({len(own_indicators(ds, builtins))})"

    return Section(
        key=KEY,
        title_key="other",
        sentence=sentence,
        expand=rows,
        slides_for=slides,
        note=note,
        empty_reason="no indicators of its own",
    )
