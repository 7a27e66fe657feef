"""其他指标 Other indicators: every indicator of the dataset's own that no built-in section shows.

Each one gets its trend and, when it has values per district, its districts compared for the year, with its
own names, units and aggregation rule, and a slide of its own. Which indicators those are depends on the
other registered sections (what they show for this dataset), so this section asks the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from components.charts import figures
from components.charts.figures import Fig
from components.charts.prep import annotated, district_frame, many_rows_height, months_chart, shows_months
from components.charts.summary import indicator_sentence, joined
from components.core import ids
from components.core.i18n import axis_unit, name, t
from components.core.state import View
from components.sections.base import Graph, Needs, Section, Sentence, Slide, by_districts, by_period, by_year
from data import aggregate as agg
from data.load import Dataset
from data.period_reading import has_months

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


def graph_id(indicator: str, kind: str) -> str:
    """The stable ID of an own indicator's chart ('trend' or 'district'): 'other-<indicator>-<kind>-graph'."""
    return f"{KEY}-{ids.slug(indicator)}-{kind}-graph"


def own_indicators(ds: Dataset, builtins: Iterable[Section]) -> list[str]:
    """Indicators with data that none of `builtins` shows (nor uses as a ratio's part), in file order."""
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
        if shows_months(ds, indicator, view):  # through the year: its months against the same ones a year before
            return months_chart(ds, indicator, view)
        series = agg.series(ds, indicator, view.districts)
        return annotated(figures.indicator_trend(series, info, lang, view.theme), ds, view, (indicator,))

    return build


def district_figure(indicator: str) -> Callable[[Dataset, View], Fig]:
    """The districts compared for the year (bars carry the district code for cross-filtering)."""

    def build(ds: Dataset, view: View) -> Fig:
        info = agg.indicator_info(ds, indicator)
        frame = district_frame(ds, view.year, {"value": indicator}, view.lang, view)
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
        f"{ids.slug(indicator)}-trend",
        _title(indicator, "other_trend_title"),
        trend_figure(indicator),
        width=12 // PER_ROW if alone else 5,
        needs=Needs(indicators=(indicator,)),
        indicator=indicator,
        key=by_period if has_months(ds, indicator) else by_districts,
        id=graph_id(indicator, "trend"),
    )
    if alone:
        return (trend,)
    bars = Graph(
        f"{ids.slug(indicator)}-district",
        _title(indicator, "other_district_title"),
        district_figure(indicator),
        width=7,
        needs=Needs(by_district=(indicator,)),
        height=many_rows_height,
        indicator=indicator,
        key=by_year,
        highlight=True,
        id=graph_id(indicator, "district"),
    )
    return (trend, bars)


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "other_trend_title": ("{indicator}{unit}", "{indicator}{unit}"),
    "other_district_title": (
        "{year}年各区县{indicator}（点击柱可筛选）",
        "{indicator} by district, {year} (click to filter)",
    ),
    "other_slide_title": ("{indicator}", "{indicator}"),
}


@dataclass(frozen=True)
class OtherSection(Section):
    """The generic section: its charts, slides and sentence follow the indicators the other sections leave
    unshown (`others`, or every other registered section)."""

    others: tuple[Section, ...] | None = None
    # its own: the sentences of its own indicators (a bound method: left out of eq, hash and repr)
    sentence: Sentence = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "sentence", self.say)

    def say(self, ds: Dataset, view: View) -> str:
        """One sentence per own indicator."""
        return joined([indicator_sentence(ds, view, i) for i in self.own(ds)], view.lang)

    def siblings(self) -> Iterable[Section]:
        """The sections whose indicators this one leaves out."""
        if self.others is not None:
            return self.others
        from components.sections import SECTIONS  # the registry holds this section: asked when used

        return [s for s in SECTIONS if s.key != self.key]

    def own(self, ds: Dataset) -> list[str]:
        """This dataset's own indicators (`own_indicators` of the siblings), found once per dataset and set of
        sections (`Index.remember`: a page of many indicators asks on every request)."""
        siblings = list(self.siblings())
        if ds.index is None:
            return own_indicators(ds, siblings)
        key = ("own indicators", tuple(s.key for s in siblings))
        return list(ds.index.remember(key, lambda: own_indicators(ds, siblings)))

    def declared(self, ds: Dataset) -> tuple[tuple[Graph, ...], ...]:
        """An indicator with districts: its trend and its districts side by side; city-only trends three a row."""
        own = [graphs_of(ds, ind) for ind in self.own(ds)]
        wide = [pair for pair in own if len(pair) > 1]
        single = [pair[0] for pair in own if len(pair) == 1]
        return (*wide, *(tuple(single[i : i + PER_ROW]) for i in range(0, len(single), PER_ROW)))

    def make_slides(self, ds: Dataset) -> list[Slide]:
        """One slide per own indicator."""
        out = []
        for ind in self.own(ds):
            label = name(agg.indicator_info(ds, ind), "zh"), name(agg.indicator_info(ds, ind), "en")

            def title(lang: str, label: tuple[str, str] = label) -> str:
                return t("other_slide_title", lang, indicator=label[1] if lang == "en" else label[0])

            def said(ds: Dataset, view: View, ind: str = ind) -> str:
                return indicator_sentence(ds, view, ind)

            out.append(Slide(f"{KEY}-{ids.slug(ind)}", KEY, title, said, (graphs_of(ds, ind),)))
        return out

    def check_note(self, ds: Dataset) -> str:
        """How many own indicators, e.g. '(1)'."""
        return f"({len(self.own(ds))})"

    def empty_reason(self) -> str:
        """Absent when every indicator is shown elsewhere."""
        return "no indicators of its own"


def make(others: Sequence[Section] | None = None) -> OtherSection:
    """The generic section over the indicators `others` (default: the other registered sections) leave unshown."""
    return OtherSection(key=KEY, strings=STRINGS, others=None if others is None else tuple(others))


SECTION = make()
