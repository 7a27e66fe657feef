"""The section model: what a section shows, what it needs from the data, how it computes, speaks and presents.

A `Section` is declared once (one module in components/sections/) and everything else iterates the
registry: the page layout, the callbacks (outputs derived from the declaration), presentation mode,
the PPTX deck, `app.py check` and the benchmark. A chart or block whose needs a dataset does not meet
is dropped and the row reflows; a section whose needs are not met is absent everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from components.charts.tables import with_table
from components.core.i18n import fill_when, t
from components.core.state import View
from data import aggregate as agg
from data import period_reading
from data.load import Dataset

Build = Callable[[Dataset, View], Any]
Sentence = Callable[[Dataset, View], str]
TitleFn = Callable[[Dataset, str], str]
Key = Callable[[Dataset, View], tuple[Any, ...]]


def _period(view: View) -> tuple[Any, ...]:
    """A period view's period and basis (nothing for a whole year: its keys stay as they were)."""
    return (view.period, view.basis) if view.in_year else ()


def by_view(ds: Dataset, view: View) -> tuple[Any, ...]:
    """A chart that depends on the year (or its period) and the districts."""
    return (view.year, view.districts, *_period(view))


def by_districts(ds: Dataset, view: View) -> tuple[Any, ...]:
    """A chart over the years: the same whatever the year (the highlighted year moves in the title only)."""
    return (view.districts,)


def by_period(ds: Dataset, view: View) -> tuple[Any, ...]:
    """A chart of the year's months: the year, its period and basis, and the districts."""
    return (view.year, view.period, view.basis, view.districts)


def months_of(indicator: str) -> Needs:
    """What a chart of the year's months needs: the indicator with rows through the year (a dataset of whole
    years lacks nothing by not having the chart: `app.py check` does not list it)."""

    def missing(ds: Dataset) -> list[str]:
        return [] if period_reading.has_months(ds, indicator) else [f"{indicator} through the year"]

    return Needs(custom=missing, months=True)


def by_year(ds: Dataset, view: View) -> tuple[Any, ...]:
    """A chart of every district for the year (or its period): a district selection only moves its highlight."""
    return (view.year, *_period(view))


@dataclass(frozen=True)
class Needs:
    """What a part needs from the data: indicators with data, indicators with values per district, tables."""

    indicators: tuple[str, ...] = ()
    by_district: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    custom: Callable[[Dataset], list[str]] | None = None  # any other condition: returns what is missing
    months: bool = False  # a chart of the year's months: only where the data runs through the year

    def missing(self, ds: Dataset) -> list[str]:
        """What the dataset lacks, as names a data steward recognises ('enterprises.csv', 'utility_grants')."""
        out = [f for f in self.tables if not ds.has(f)]
        out += [i for i in self.indicators if not agg.available(ds, i)]
        out += [f"{i} by district" for i in self.by_district if not agg.by_district_available(ds, i)]
        if self.custom is not None:
            out += self.custom(ds)
        return out

    def met(self, ds: Dataset) -> bool:
        """True when nothing is missing."""
        return not self.missing(ds)

    @property
    def uses(self) -> tuple[str, ...]:
        """The indicators this part shows."""
        return (*self.indicators, *self.by_district)


@dataclass(frozen=True)
class Optional:
    """Indicators a part draws when present (a series, a line, a note), and what their absence means."""

    indicators: tuple[str, ...]
    note: str = ""  # for `app.py check` when none of them is there, e.g. "no type breakdown"

    def present(self, ds: Dataset) -> list[str]:
        """The ones the dataset has."""
        return [i for i in self.indicators if agg.available(ds, i)]


@dataclass(frozen=True)
class Graph:
    """One chart: its name in the section, title (catalogue key, may hold {year}), width of 12, needs and height.

    Its stable ID is derived from the section's key and `name` when the section is declared
    (`patents` + `trend` -> `patents-trend-graph`); `id` is only given whole by sections that build charts per
    dataset (the generic section's per-indicator charts, through `Section.graph_id`).
    """

    name: str
    title: str | TitleFn
    build: Build
    width: int = 6
    needs: Needs = Needs()
    optional: tuple[Optional, ...] = ()
    height: int | Callable[[Dataset], int] = 320
    slide_width: int | None = None  # relative width on slides, when it differs from the page's
    slide_title: str | TitleFn | None = None  # the title on slides and in the PPTX, when it differs
    control: Callable[[Dataset, View], Any] | None = None  # a component in the card header (map picker)
    modebar: bool = True
    indicator: str = ""  # the indicator the chart is about (own indicators: data-graph-indicator on the holder)
    key: Key = by_view  # what the figure's data depends on: an unchanged key is not redrawn
    highlight: bool = False  # the selected districts are a highlight on it (a Patch, not a new figure)
    yearly: bool = False  # yearly data (certifications): its title keeps the year in a period view
    id: str = ""  # the stable chart ID (a contract): set by the section

    def title_text(self, ds: Dataset, lang: str, year: object = "{year}", slide: bool = False, when: str = "") -> str:
        """The title in `lang`, with the year filled in (or left as '{year}' for the live page); `when`: the
        view's period in its place ('2012年1–11月各区县…' / '…, Jan–Nov 2012')."""
        title = self.slide_title if slide and self.slide_title is not None else self.title
        text = title(ds, lang) if callable(title) else t(title, lang, year="{year}")
        return fill_when(text, year, "" if self.yearly else when)

    def figure(self, ds: Dataset, view: View) -> Any:
        """The chart for the view, as it is sent: `build`'s figure, carrying its table in plain text where the
        page's chart table would otherwise show a name escaped (components/tables.with_table)."""
        return with_table(self.build(ds, view), view.lang)

    def height_px(self, ds: Dataset) -> int:
        """The chart's height on the page for this dataset (tall enough for every district or station)."""
        return self.height(ds) if callable(self.height) else self.height

    def uses(self, ds: Dataset) -> set[str]:
        """The indicators this chart shows for `ds`."""
        return set(self.needs.uses) | {i for o in self.optional for i in o.present(ds)}


@dataclass(frozen=True)
class Block:
    """A non-chart output of a section (KPI strip, headline numbers, a sentence): children of one element.

    Its ID is `<section>-<name>`, set by the section; `id` is given whole only where a contract fixes another
    (the overview's `kpi-strip`)."""

    name: str
    build: Build
    class_name: str = ""
    kind: str = "div"  # "div" or "p"
    live: bool = False  # announced to screen readers when it changes
    id: str = ""


@dataclass(frozen=True)
class Slide:
    """One slide of presentation mode and of the PPTX: title, sentence, charts in rows, optional KPI cards."""

    key: str
    section: str  # the key of the section whose compute draws the charts
    title: Callable[[str], str]  # lang -> title
    sentence: Sentence
    rows: tuple[tuple[Graph, ...], ...]
    kpis: bool = False  # an overview of KPI cards (presentation mode) rather than charts
    table: Callable[[Dataset, View], Any] | None = None  # a table (components/grid.Grid) rather than charts

    @property
    def graphs(self) -> list[Graph]:
        """The slide's charts in reading order."""
        return [g for row in self.rows for g in row]


TALL = 480  # px: a chart taller than this on the page gets a row of its own


def normalised(widths: Sequence[int], total: int = 12) -> list[int]:
    """Integer widths scaled to fill `total` (what is left of a dropped chart goes to the others)."""
    if not widths:
        return []
    scale = total / sum(widths)
    out = [max(1, round(w * scale)) for w in widths]
    out[-1] += total - sum(out)
    return out


Strings = Mapping[str, tuple[str, str]]  # catalogue key -> (zh, en)
ExportTable = tuple[str, list[str], list[list[Any]]]  # (title, columns, rows)


@dataclass(frozen=True)
class Section:
    """A dashboard section, declared once, in one module: its charts and blocks, its IDs and its strings.

    `rows` lays the charts out on the page (rows of graphs, widths of 12); `slide_rows` on slides, by chart
    name (default: the page rows). `compute(ds, view)` returns {output id: value} for every block and chart
    present (pure; the callbacks, slides and exports all use it). The section's title is the catalogue string
    named by its key; `strings` holds the strings only this section uses (zh, en), added to the catalogue when
    the section is registered. Chart and block IDs derive from the key (`Section.graph_id`, `Section.block_id`).

    Special cases are methods a subclass overrides, not more fields: `declared` (charts that depend on the
    dataset), `make_slides`, `export_tables`, `extra_uses`, `check_note` and `empty_reason`.
    """

    key: str
    sentence: Sentence
    rows: tuple[tuple[Graph, ...], ...] = ()
    blocks: tuple[Block, ...] = ()
    needs: Needs = Needs()
    slide_rows: tuple[tuple[str, ...], ...] = ()
    strings: Strings = field(default_factory=dict, compare=False)  # (a dict: not part of eq or hash)
    pinned: bool = False  # always on the page, above the tabs (the overview); the others come one at a time
    kpis_on_slide: bool = False  # its slide is the KPI cards (presentation mode's overview)
    controls: tuple[tuple[str, str, str], ...] = ()  # (component id, property, name in view.extras)

    def __post_init__(self) -> None:
        bound = tuple(tuple(self.bind(g) for g in row) for row in self.rows)
        blocks = tuple(b if b.id else replace(b, id=self.block_id(b.name)) for b in self.blocks)
        object.__setattr__(self, "rows", bound)
        object.__setattr__(self, "blocks", blocks)

    def graph_id(self, name: str) -> str:
        """The stable ID of this section's chart `name`: e.g. 'patents-trend-graph'."""
        return f"{self.key}-{name}-graph"

    def block_id(self, name: str) -> str:
        """The ID of this section's block `name`: e.g. 'pipeline-headline'."""
        return f"{self.key}-{name}"

    def bind(self, graph: Graph) -> Graph:
        """`graph` with its stable ID derived from this section's key (unchanged when it has one)."""
        return graph if graph.id else replace(graph, id=self.graph_id(graph.name))

    # --- hooks: override in a subclass for a section that needs them --------------------------------------

    def declared(self, ds: Dataset) -> tuple[tuple[Graph, ...], ...]:
        """The charts declared for `ds`, row by row (a section whose charts depend on the data overrides it)."""
        return self.rows

    def extra_uses(self, ds: Dataset) -> set[str]:
        """Indicators the section shows beside its charts' (headline numbers, KPI notes)."""
        return set()

    def check_note(self, ds: Dataset) -> str:
        """A count or remark for `app.py check`, e.g. '(3)'."""
        return ""

    def empty_reason(self) -> str:
        """Why the section is absent when none of its charts is drawn and nothing in particular is missing."""
        return "nothing to show"

    def export_tables(self, ds: Dataset, view: View) -> list[ExportTable]:
        """Tables of its own for the CSV/XLSX export, beside its charts'."""
        return []

    # --- derived ------------------------------------------------------------------------------------------

    def title(self, lang: str) -> str:
        """The section heading in `lang` (the catalogue string named by the key)."""
        return t(self.key, lang)

    def page_rows(self, ds: Dataset) -> list[list[Graph]]:
        """The charts this dataset can show, row by row (empty rows dropped); worked out once per dataset
        version (every filter change asks, and a section of many indicators takes milliseconds)."""
        if ds.index is None:
            return self._page_rows(ds)
        rows = ds.index.remember(("page rows", self.key, id(self)), lambda: tuple(map(tuple, self._page_rows(ds))))
        return [list(row) for row in rows]

    def _page_rows(self, ds: Dataset) -> list[list[Graph]]:
        if not self.needs.met(ds):
            return []
        out = [[g for g in row if g.needs.met(ds)] for row in self.declared(ds)]
        return [row for row in out if row]

    def page_grid(self, ds: Dataset) -> list[list[tuple[Graph, int]]]:
        """The page rows with each chart's width of 12.

        A full row whose chart is absent reflows to stay full; a chart made tall by many districts or stations
        gets a row of its own (full width) instead of leaving its neighbours a column of empty space.
        """
        if not self.needs.met(ds):
            return []
        out = []
        for row in self.declared(ds):
            shown = [g for g in row if g.needs.met(ds)]
            tall = [g for g in shown if g.height_px(ds) > TALL] if len(shown) > 1 else []
            rest = [g for g in shown if g not in tall]
            full = sum(g.width for g in row) >= 12 or bool(tall)
            if rest:
                widths = normalised([g.width for g in rest]) if full else [g.width for g in rest]
                out.append(list(zip(rest, widths, strict=True)))
            out += [[(g, 12)] for g in tall]
        return out

    def graphs(self, ds: Dataset) -> list[Graph]:
        """Every chart present for `ds`, in page order."""
        return [g for row in self.page_rows(ds) for g in row]

    def absent_because(self, ds: Dataset) -> list[str]:
        """Why the section is absent for `ds`, e.g. ['no enterprises.csv'] (empty when it is present)."""
        missing = self.needs.missing(ds)
        if missing:
            return [f"no {m}" for m in missing]
        if not self.blocks and not self.graphs(ds):
            every = {m for row in self.declared(ds) for g in row if not g.needs.months for m in g.needs.missing(ds)}
            return [f"no {m}" for m in sorted(every)] or [self.empty_reason()]
        return []

    def present(self, ds: Dataset) -> bool:
        """Whether the section is shown for `ds`."""
        return not self.absent_because(ds)

    def uses(self, ds: Dataset) -> set[str]:
        """The indicators the section shows for `ds` (so the generic section leaves them out)."""
        if not self.present(ds):
            return set()
        return {i for g in self.graphs(ds) for i in g.uses(ds)} | self.extra_uses(ds)

    def slides(self, ds: Dataset) -> list[Slide]:
        """The section's slides for `ds` (none when the section is absent)."""
        return self.make_slides(ds) if self.present(ds) else []

    def make_slides(self, ds: Dataset) -> list[Slide]:
        """The slides of a present section: one by default, of `slide_rows` (a hook: the generic section has one
        per indicator, the scorecard a table)."""
        present = {g.name: g for g in self.graphs(ds)}
        if self.slide_rows:
            rows = [tuple(present[i] for i in row if i in present) for row in self.slide_rows]
        else:
            rows = [tuple(row) for row in self.page_rows(ds)]
        rows = [row for row in rows if row]
        return [Slide(self.key, self.key, self.title, self.sentence, tuple(rows), self.kpis_on_slide)]

    def notes(self, ds: Dataset) -> list[str]:
        """What the dataset lacks for this section, for `app.py check` ('no type breakdown')."""
        out = []
        for row in self.declared(ds):
            for g in row:
                if not g.needs.met(ds):
                    if not g.needs.months:
                        out.append(f"no {g.id.removesuffix('-graph')} chart")
                    continue
                out += [o.note for o in g.optional if o.note and not o.present(ds)]
        out.insert(0, self.check_note(ds))
        return [n for n in dict.fromkeys(out) if n]

    def compute(self, ds: Dataset, view: View, only: Sequence[str] | None = None) -> dict[str, Any]:
        """{output id: value} for every block and chart present (or just the IDs in `only`); pure."""
        parts: list[Block | Graph] = [*self.blocks, *self.graphs(ds)] if self.present(ds) else []
        wanted = None if only is None else set(only)
        return {
            p.id: p.figure(ds, view) if isinstance(p, Graph) else p.build(ds, view)
            for p in parts
            if wanted is None or p.id in wanted
        }
