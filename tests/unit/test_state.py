"""The view state and its URL form (components/core/state.py; ../shared/DESIGN.md §3 "URL state").

Inputs arrive from the address bar and from whatever JSON a client posts, so every malformed year,
district list, language or theme must fall back to a valid view, with a notice key the page can show.
A modified copy of the sample (one district without observations for 2008–2010) covers the
year-fallback rules.
"""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import pytest

from components.core.i18n import STRINGS
from components.core.state import (
    MAX_DISTRICTS,
    MAX_QUERY,
    View,
    districts_with_data,
    from_query,
    resolve,
    to_query,
    toggle,
    years_with_data,
)
from data.load import Dataset, load_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
YEARS = [2008, 2009, 2010, 2011, 2012]
LATEST = 2012
ALL_DISTRICTS = [
    "330203",
    "330204",
    "330205",
    "330206",
    "330211",
    "330212",
    "330225",
    "330226",
    "330281",
    "330282",
    "330283",
]
LATE = "330283"  # in the modified copy: no observations for 2008–2010
DROPPED_YEARS = {"2008", "2009", "2010"}


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def late_ds(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A valid copy of the sample in which district 330283 has no observations before 2011."""
    root = tmp_path_factory.mktemp("late") / "dataset"
    shutil.copytree(SAMPLE, root)
    path = root / "observations.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    keep = [r for r in rows if not (r["district"] == LATE and r["year"] in DROPPED_YEARS)]
    assert 0 < len(rows) - len(keep) < len(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(keep)
    return load_dataset(root)


def keys(view: View) -> list[str]:
    return [k for k, _ in view.notices]


# --- the sample ---------------------------------------------------------------------------------


def test_sample_shape(ds):
    assert ds.district_codes == ALL_DISTRICTS
    assert ds.years == YEARS


def test_years_with_data(ds):
    assert years_with_data(ds) == YEARS
    assert years_with_data(ds, ["330212"]) == YEARS
    assert years_with_data(ds, ["330212", "330281"]) == YEARS
    assert years_with_data(ds, ["999999"]) == []


@pytest.mark.parametrize("shape", ["other_city", "minimal", "no_pipeline", "large"])
def test_years_with_data_in_other_shapes(shape):
    """The per-district year index agrees with the observations of every fixture, district by district."""
    other = load_dataset(Path(__file__).resolve().parents[1] / "fixtures" / shape)
    obs = other.observations
    codes = other.district_codes
    for chosen in ([codes[0]], codes[1:4], codes[-2:], codes):
        expected = sorted(int(y) for y in obs.loc[obs["district"].isin(chosen), "year"].unique())
        assert years_with_data(other, chosen) == expected, chosen
    assert years_with_data(other) == sorted(int(y) for y in obs["year"].unique())


def test_districts_with_data(ds):
    for year in YEARS:
        assert districts_with_data(ds, year) == ALL_DISTRICTS
    assert districts_with_data(ds, 1999) == []


# --- from_query / to_query ---------------------------------------------------------------------


def test_round_trip_year_and_districts(ds):
    query = "?year=2011&district=330212,330281"
    view = from_query(ds, query)
    assert view == View(2011, ("330212", "330281"), "zh", "light")
    assert view.notices == ()
    assert to_query(view) == query


def test_round_trip_everything(ds):
    query = "?year=2010&district=330203,330283&lang=en&theme=dark&present=1"
    view = from_query(ds, query)
    assert (view.year, view.districts, view.lang, view.theme) == (2010, ("330203", "330283"), "en", "dark")
    assert view.extras == (("present", "1"),)
    assert view.notices == ()
    assert to_query(view) == query
    assert from_query(ds, to_query(view)) == view


def test_districts_are_sorted_and_deduplicated(ds):
    view = from_query(ds, "?year=2011&district=330281,330212,330281")
    assert view.districts == ("330212", "330281")
    assert view.notices == ()


def test_repeated_district_parameters_are_merged(ds):
    view = from_query(ds, "?year=2011&district=330212&district=330281")
    assert view.districts == ("330212", "330281")


@pytest.mark.parametrize("search", [None, "", "?", "?&"])
def test_missing_params_latest_year_whole_city(ds, search):
    view = from_query(ds, search)
    assert view == View(LATEST, (), "zh", "light")
    assert view.notices == ()
    assert to_query(view) == f"?year={LATEST}"


@pytest.mark.parametrize(
    ("raw", "notice"),
    [
        ("abc", "notice_bad_year"),
        ("1850", "notice_year_fallback"),
        ("20123", "notice_bad_year"),
        ("", "notice_bad_year"),
        ("2011.5", "notice_bad_year"),
        ("-2011", "notice_bad_year"),
        ("%E5%B9%B4", "notice_bad_year"),
        ("9999", "notice_year_fallback"),
        ("x" * 500, "notice_bad_year"),
    ],
)
def test_bad_year_in_query_falls_back_with_notice(ds, raw, notice):
    view = from_query(ds, f"?year={raw}")
    assert view.year == LATEST
    assert view.districts == ()
    assert notice in keys(view)
    for key, params in view.notices:
        assert key in STRINGS
        assert len(str(params.get("value", ""))) <= 20  # echoed back to the page: bounded


def test_bad_year_notice_names_the_value_and_the_year_shown(ds):
    view = from_query(ds, "?year=abc")
    assert view.notices == (("notice_bad_year", {"value": "abc", "year": LATEST}),)
    view = from_query(ds, "?year=1850")
    assert view.notices == (("notice_year_fallback", {"year": 1850, "fallback": LATEST}),)


def test_unknown_district_dropped_with_notice(ds):
    view = from_query(ds, "?year=2011&district=330212,999999,abc")
    assert view.year == 2011
    assert view.districts == ("330212",)
    assert view.notices == (("notice_bad_district", {"value": "999999"}), ("notice_bad_district", {"value": "abc"}))


def test_city_code_is_not_a_district(ds):
    view = from_query(ds, f"?district={ds.city_code}")
    assert view.districts == ()
    assert keys(view) == ["notice_bad_district"]


def test_unknown_param_notice(ds):
    view = from_query(ds, "?year=2011&foo=1&district=330212")
    assert (view.year, view.districts) == (2011, ("330212",))
    assert view.notices == (("notice_bad_param", {"value": "foo"}),)
    assert "foo" not in to_query(view)


def test_all_districts_mean_whole_city(ds):
    view = from_query(ds, "?year=2012&district=" + ",".join(reversed(ALL_DISTRICTS)))
    assert view.districts == ()
    assert to_query(view) == "?year=2012"
    assert resolve(ds, 2012, ALL_DISTRICTS).districts == ()


@pytest.mark.parametrize(
    ("query", "lang", "theme"),
    [
        ("?lang=en", "en", "light"),
        ("?theme=dark", "zh", "dark"),
        ("?lang=en&theme=dark", "en", "dark"),
        ("?lang=fr&theme=neon", "zh", "light"),
        ("?lang=&theme=", "zh", "light"),
        ("?lang=EN", "zh", "light"),
    ],
)
def test_lang_and_theme_validation(ds, query, lang, theme):
    view = from_query(ds, query)
    assert (view.lang, view.theme) == (lang, theme)


@pytest.mark.parametrize("lang", ["fr", None, 1, ["en"], {"en": 1}])
def test_resolve_invalid_lang_and_theme(ds, lang):
    view = resolve(ds, 2012, [], lang, lang)  # type: ignore[arg-type]
    assert (view.lang, view.theme) == ("zh", "light")


def test_to_query_always_includes_year(ds):
    assert to_query(View(2012)) == "?year=2012"
    assert to_query(View(2010, lang="en")) == "?year=2010&lang=en"
    assert to_query(View(2011, ("330212",), theme="dark")) == "?year=2011&district=330212&theme=dark"
    assert to_query(from_query(ds, "")).startswith("?year=")


def test_oversized_query_is_cut_quickly(ds):
    huge = "?year=2011&district=" + ",".join(["330212"] * 200_000)
    start = time.perf_counter()
    view = from_query(ds, huge)
    assert time.perf_counter() - start < 0.5
    assert view.year == 2011
    assert view.districts == ("330212",)
    junk = "?district=" + ",".join(f"{i:06d}" for i in range(100_000))
    view = from_query(ds, junk)
    assert view.districts == ()
    assert 0 < len(view.notices) <= MAX_QUERY // len("000000,") + 1  # bounded by the query cap


# --- resolve (values straight from a callback) --------------------------------------------------


@pytest.mark.parametrize(
    ("year", "notice"),
    [
        ("abc", "notice_bad_year"),
        ("1850", "notice_year_fallback"),
        ("20123", "notice_bad_year"),
        ({"year": 2011}, "notice_bad_year"),
        ([2011], "notice_bad_year"),
        (2011.0, "notice_bad_year"),
        (True, "notice_bad_year"),
        (1850, "notice_year_fallback"),
        (-1, "notice_year_fallback"),
    ],
)
def test_resolve_bad_year(ds, year, notice):
    view = resolve(ds, year, ["330212"])
    assert view.year == LATEST
    assert view.districts == ("330212",)
    assert keys(view) == [notice]


@pytest.mark.parametrize("year", [None, ""])
def test_resolve_missing_year_is_latest_without_notice(ds, year):
    view = resolve(ds, year, [])
    assert view.year == LATEST
    assert view.notices == ()


@pytest.mark.parametrize("year", [2011, "2011", " 2011 "])
def test_resolve_good_year(ds, year):
    assert resolve(ds, year, []).year == 2011


@pytest.mark.parametrize(
    "districts",
    [None, "330212", {"330212": True}, 330212, [None, 1, 2.5, ["330212"], {"a": 1}], ["999999"], []],
)
def test_resolve_bad_districts_whole_city(ds, districts):
    view = resolve(ds, 2012, districts)
    assert view.districts == ()
    assert view.year == 2012


def test_resolve_keeps_known_codes_among_junk(ds):
    view = resolve(ds, 2012, ["330212", None, 7, "nope", "330212", ("330281",)])
    assert view.districts == ("330212",)


@pytest.mark.parametrize(
    "districts",
    [["330212"] * 200_000, [f"{i:06d}" for i in range(200_000)], list(range(200_000)), tuple(ALL_DISTRICTS * 20_000)],
)
def test_resolve_200k_districts_capped_quickly(ds, districts):
    start = time.perf_counter()
    view = resolve(ds, 2012, districts)
    assert time.perf_counter() - start < 0.5
    assert len(view.districts) <= MAX_DISTRICTS
    assert "notice_too_many" in keys(view)
    assert view.year == 2012


def test_resolve_at_the_cap_has_no_notice(ds):
    view = resolve(ds, 2012, ["330212"] * MAX_DISTRICTS)
    assert view.districts == ("330212",)
    assert view.notices == ()


# --- toggle -------------------------------------------------------------------------------------


def test_toggle():
    assert toggle([], "330212") == ["330212"]
    assert toggle(["330212"], "330281") == ["330212", "330281"]
    assert toggle(["330212", "330281"], "330212") == ["330281"]
    assert toggle(("330212",), "330212") == []
    selection = ["330212"]
    toggle(selection, "330281")
    assert selection == ["330212"]  # pure: the input is not changed


def test_toggle_twice_is_identity():
    start = ["330203", "330212"]
    for code in ALL_DISTRICTS:
        assert sorted(toggle(toggle(start, code), code)) == sorted(start)


# --- a district without early data -------------------------------------------------------------


def test_modified_copy_loads(late_ds):
    obs = late_ds.observations
    assert late_ds.years == YEARS
    late = obs[obs["district"] == LATE]
    assert sorted(late["year"].unique()) == [2011, 2012]


def test_years_with_data_for_a_late_district(late_ds):
    assert years_with_data(late_ds, [LATE]) == [2011, 2012]
    assert years_with_data(late_ds, [LATE, "330212"]) == YEARS
    assert years_with_data(late_ds) == YEARS


def test_districts_with_data_for_early_years(late_ds):
    for year in (2008, 2009, 2010):
        have = districts_with_data(late_ds, year)
        assert LATE not in have
        assert have == [c for c in ALL_DISTRICTS if c != LATE]
    for year in (2011, 2012):
        assert districts_with_data(late_ds, year) == ALL_DISTRICTS


@pytest.mark.parametrize("year", [2008, 2009, 2010])
def test_year_without_data_for_selection_falls_back(late_ds, year):
    view = resolve(late_ds, year, [LATE])
    assert view.year == LATEST
    assert view.districts == (LATE,)
    assert view.notices == (("notice_year_fallback", {"year": year, "fallback": LATEST}),)


def test_year_fallback_through_the_url(late_ds):
    view = from_query(late_ds, f"?year=2009&district={LATE}&lang=en")
    assert (view.year, view.districts, view.lang) == (LATEST, (LATE,), "en")
    assert keys(view) == ["notice_year_fallback"]
    assert to_query(view) == f"?year={LATEST}&district={LATE}&lang=en"


def test_year_kept_when_any_selected_district_has_data(late_ds):
    view = resolve(late_ds, 2009, [LATE, "330212"])
    assert view.year == 2009
    assert view.notices == ()


def test_years_with_data_late_year_is_kept(late_ds):
    view = resolve(late_ds, 2011, [LATE])
    assert view.year == 2011
    assert view.notices == ()


# --- periods of a year (contract v2) ---------------------------------------------------------------

MONTHLY = Path(__file__).resolve().parents[1] / "fixtures" / "monthly"


@pytest.fixture(scope="module")
def monthly() -> Dataset:
    return load_dataset(MONTHLY)


@pytest.mark.parametrize(
    ("search", "year", "period", "basis", "back"),
    [
        ("?period=2012-11", 2012, "M11", "ytd", "?period=2012-11"),
        ("?period=2012-Q3&basis=period", 2012, "Q3", "period", "?period=2012-Q3&basis=period"),
        ("?period=2011", 2011, "", "ytd", "?year=2011"),
        ("?year=2011", 2011, "", "ytd", "?year=2011"),
        ("?period=2012-11&year=2011", 2012, "M11", "ytd", "?period=2012-11"),  # the period wins
        ("?period=2011-12&district=339801", 2011, "M12", "ytd", "?period=2011-12&district=339801"),
    ],
)
def test_a_period_round_trips_through_the_url(monthly: Dataset, search, year, period, basis, back) -> None:
    view = from_query(monthly, search)
    assert (view.year, view.period, view.basis, view.notices) == (year, period, basis, ())
    assert to_query(view) == back
    assert from_query(monthly, to_query(view)) == view


@pytest.mark.parametrize(
    ("search", "notice", "period"),
    [
        ("?period=2012-12", "notice_bad_period", ""),  # 2012's data ends in November
        ("?period=2012-Q4", "notice_bad_period", ""),
        ("?period=2012-13", "notice_bad_period", "M11"),  # not a period at all: the default view
        ("?period=12-2012", "notice_bad_period", "M11"),
        ("?period=2012-11&basis=monthly", "notice_bad_basis", "M11"),
    ],
)
def test_a_bad_period_falls_back_with_a_notice(monthly: Dataset, search: str, notice: str, period: str) -> None:
    view = from_query(monthly, search)
    assert notice in [key for key, _ in view.notices], view.notices
    assert view.period == period
    assert view.basis == "ytd"
    assert notice in STRINGS


def test_a_year_still_running_opens_on_its_latest_period(monthly: Dataset, sample: Dataset) -> None:
    assert from_query(monthly, "").period == "M11"
    assert from_query(monthly, "").year == 2012
    assert from_query(sample, "").period == ""  # 2012 is complete: its whole year, as before
    assert from_query(sample, "?period=2012-11").period == "M11"  # 1–11月 on asking
    assert to_query(from_query(sample, "?year=2011")) == "?year=2011"


def test_a_period_is_part_of_the_cache_key_only_when_there_is_one(monthly: Dataset) -> None:
    from components.core.state import view_key

    year, month, current = (
        from_query(monthly, q) for q in ("?year=2012", "?period=2012-11", "?period=2012-11&basis=period")
    )
    assert view_key(year) == (2012, "", "zh", "light")  # a whole year's key as before
    assert len({view_key(year), view_key(month), view_key(current)}) == 3
