"""A section is one module and one line: its IDs and strings come with it, the registry checks them, and a
section defined here — in this test module, no other file changed — is on the page, in the slides and in the
data export (tests/integration/test_section_pptx.py: in the PPTX)."""

from __future__ import annotations

import csv
import io

import pytest
from demo_section import KEY, demo_section, demo_trend

from components.core.i18n import OWNERS, STRINGS, CatalogueError, t
from components.core.state import View
from components.exports.view_data import header_rows, to_csv, view_tables
from components.sections import SECTIONS, RegistryError, graph_ids, present, slides, tabbed
from components.sections.base import Graph, Section
from components.sections.slide_plan import plan
from components.server.settings import SAMPLE_DIR, Settings
from data.load import Dataset, load_dataset


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_dataset(SAMPLE_DIR)


@pytest.fixture
def demo():
    with SECTIONS.added(demo_section()) as section:
        yield section
    assert KEY not in [s.key for s in SECTIONS]
    assert "demo_said" not in STRINGS  # its strings leave with it


# --- IDs and strings come from the declaration -----------------------------------------------------------


def test_ids_derive_from_the_key() -> None:
    section = demo_section()
    assert [g.id for row in section.rows for g in row] == ["demo-trend-graph"]
    assert [b.id for b in section.blocks] == ["demo-note"]
    assert section.graph_id("map") == "demo-map-graph"


def test_every_registered_section_owns_ids_under_its_key() -> None:
    for section in SECTIONS:
        for row in section.rows:
            for g in row:
                assert g.id == f"{section.key}-{g.name}-graph"
        for b in section.blocks:
            assert b.id.startswith(f"{section.key}-") or b.id == "kpi-strip"  # the KPI strip's ID is a contract
    ids = graph_ids()
    assert len(ids) == len(set(ids))


def test_every_section_title_and_own_string_is_in_the_catalogue_in_both_languages() -> None:
    for section in SECTIONS:
        assert section.title("zh")
        assert section.title("en")
        for key, pair in section.strings.items():
            assert STRINGS[key] == pair
            assert OWNERS[key] == section.key
    assert OWNERS.get("patents_trend_title") == "patents"  # a section's string lives beside its declaration


def test_registering_adds_the_strings_and_unregistering_removes_them(demo: Section) -> None:
    assert t(KEY, "en") == "Demo section"
    assert t("demo_said", "zh", year=2012) == "2012年示范句子。"
    assert SECTIONS[-1].key == "other"  # registered before the generic section
    assert [s.key for s in SECTIONS].index(KEY) == len(SECTIONS) - 2


# --- the registry refuses what a rendered page would only show too late --------------------------------


def test_a_second_section_with_a_registered_key_is_refused() -> None:
    with pytest.raises(RegistryError, match="registered already"):
        SECTIONS.register(demo_section(key="patents", strings={}))


def test_a_chart_id_of_another_section_is_refused() -> None:
    clash = Graph("x", "demo_trend_title", demo_trend, id="patents-trend-graph")
    with pytest.raises(RegistryError, match="IDs of section 'patents'"):
        SECTIONS.register(demo_section(rows=((clash,),)))
    assert KEY not in [s.key for s in SECTIONS]


def test_two_charts_with_one_name_are_refused() -> None:
    g = Graph("trend", "demo_trend_title", demo_trend)
    with pytest.raises(RegistryError, match="used twice"):
        SECTIONS.register(demo_section(rows=((g, g),)))


def test_a_section_without_its_title_string_is_refused() -> None:
    with pytest.raises(RegistryError, match="no title string"):
        SECTIONS.register(demo_section(strings={}))


def test_slide_rows_naming_no_chart_are_refused() -> None:
    with pytest.raises(RegistryError, match="slide_rows"):
        SECTIONS.register(demo_section(slide_rows=(("trend", "nope"),)))


@pytest.mark.parametrize(
    "strings",
    [
        {KEY: ("示范", "")},  # no English
        {KEY: ("示范", "Demo"), "patents_trend_title": ("别的", "Other")},  # another section's key
        {KEY: ("示范", "Demo"), "as_of": ("数据截至 {date}", "Data as of {date}")},  # a shared key
    ],
)
def test_strings_missing_a_language_or_taken_elsewhere_are_refused(strings: dict[str, tuple[str, str]]) -> None:
    before = dict(STRINGS)
    with pytest.raises(CatalogueError):
        SECTIONS.register(demo_section(strings=strings))
    assert before == STRINGS
    assert KEY not in [s.key for s in SECTIONS]


# --- a section defined here is everywhere the registry reaches -------------------------------------------


def test_the_new_section_is_a_tab_and_in_the_slides(sample: Dataset, demo: Section) -> None:
    assert demo in present(sample)
    assert KEY in [s.key for s in tabbed(sample)]
    mine = [s for s in slides(sample) if s.key == KEY]
    assert len(mine) == 1
    assert [g.id for g in mine[0].graphs] == ["demo-trend-graph"]
    planned = [p for p in plan(sample, View(2012)) if p.slide.key == KEY]
    assert len(planned) == 1
    assert planned[0].slide.title("zh") == "示范板块"
    (fig,) = planned[0].figures
    assert fig["data"], "the slide's chart has data"


def test_the_new_section_is_a_sheet_of_the_data_export(sample: Dataset, demo: Section) -> None:
    view = View(2012, (), "en")
    sheets = {s.name: s for s in view_tables(sample, view)}
    assert "Demo section" in sheets
    (table,) = sheets["Demo section"].tables
    assert table.title == "Demo: patent applications"
    rows = list(csv.reader(io.StringIO(to_csv(header_rows(sample, view), [table]).decode("utf-8-sig"))))
    years = {r[0]: r[1] for r in rows if r and r[0].isdigit()}
    # the oracle: the sample's city total of patent applications for 2012, read with the csv module
    with (SAMPLE_DIR / "observations.csv").open(encoding="utf-8-sig") as f:
        want = sum(
            float(r["value"])
            for r in csv.DictReader(f)
            if r["indicator"] == "patent_applications" and r["year"] == "2012" and not r["period"]  # the year's rows
        )
    assert float(years["2012"].replace(",", "")) == want == 73647


def test_the_new_section_is_on_the_page(tmp_path_factory: pytest.TempPathFactory, demo: Section) -> None:
    from app import create_app

    tmp = tmp_path_factory.mktemp("demo-app")
    settings = Settings(
        data_dir=SAMPLE_DIR, cache_dir=tmp / "cache", users_file=tmp / "users.json", secret_file=tmp / "secret"
    )
    client = create_app(settings).server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/?section=demo"}).get_data(as_text=True)
    assert '"demo-trend-graph"' in layout
    assert '"demo-note"' in layout
    assert "示范板块" in layout  # its tab
    other = client.get("/_dash-layout", headers={"Referer": "http://localhost/?section=patents"}).get_data(as_text=True)
    assert '"demo-trend-graph"' not in other
    assert "示范板块" in other  # the tab is there on every page
