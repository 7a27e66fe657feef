"""The string catalogue and number formatting of components/core/i18n.py.

The catalogue is checked as data (every key translated, no Chinese left in English, the same
placeholders in both languages) and against the source: every key that components/*.py asks for,
literally or through a known dynamic family (tiers, causes, themes, URL notices), exists.
"""

from __future__ import annotations

import math
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from components.core.i18n import (
    DASH,
    LANGS,
    STRINGS,
    fmt_change,
    fmt_number,
    fmt_percent,
    fmt_value,
    name,
    t,
    unit_for_axis,
)
from components.sections import SECTIONS  # registering the sections adds their own strings to the catalogue
from data.schema import TIERS

COMPONENTS = Path(__file__).resolve().parents[2] / "components"
from oracle import CJK  # noqa: E402  (ideographs and CJK / full-width punctuation)

# `t("key"` / `t('key'` with a literal key (f-strings are dynamic families, checked separately).
T_CALL = re.compile(r"""(?<![\w.])t\(\s*(f?)(["'])([^"']+)\2""")
NOTICE_LITERAL = re.compile(r"""["'](notice_[a-z_]+)["']""")
# Keys whose English text is Chinese on purpose: the language switch names the other language.
INTENTIONALLY_CHINESE = {"switch_lang"}
CAUSES = ("power", "network", "equipment", "maintenance")  # seismic_outages.csv `cause` values in the sample


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def scanned_files() -> list[Path]:
    """Every module under components/, at any depth."""
    return sorted(p for p in COMPONENTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_key_scan_reaches_every_package() -> None:
    """The scan reads the modules of every package under components/ (it once read the top folder only)."""
    packages = {p.parent for p in COMPONENTS.rglob("__init__.py")}
    assert {p.parent for p in scanned_files()} == packages
    sections = [f for f, _ in source_keys()[0] if f.startswith("sections/")]
    assert sections, "no key found in components/sections/"


def source_keys() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(literal keys, f-string key templates) passed to t() anywhere under components/ (every package), with
    the file's path relative to components/."""
    literal: set[tuple[str, str]] = set()
    dynamic: set[tuple[str, str]] = set()
    for path in scanned_files():
        for m in T_CALL.finditer(path.read_text(encoding="utf-8")):
            (dynamic if m.group(1) else literal).add((path.relative_to(COMPONENTS).as_posix(), m.group(3)))
    return literal, dynamic


# --- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_holds_every_section_s_own_strings() -> None:
    """A section's strings live beside its declaration; the parametrised checks below run over them too."""
    own = {key for s in SECTIONS for key in s.strings}
    assert own
    assert own <= set(STRINGS)
    assert all(s.key in STRINGS for s in SECTIONS)  # every section's title


def test_langs():
    assert LANGS == ("zh", "en")


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_key_has_zh_and_en(key):
    pair = STRINGS[key]
    assert isinstance(pair, tuple)
    assert len(pair) == 2
    zh, en = pair
    assert isinstance(zh, str)
    assert zh.strip()
    assert isinstance(en, str)
    assert en.strip()


@pytest.mark.parametrize("key", sorted(set(STRINGS) - INTENTIONALLY_CHINESE))
def test_english_has_no_chinese(key):
    assert not CJK.search(STRINGS[key][1]), STRINGS[key][1]


def test_intentionally_chinese_keys_are_only_the_language_switch():
    """Exactly one English string is Chinese: the switch that offers 中文 to English readers."""
    chinese_en = {k for k, (_, en) in STRINGS.items() if CJK.search(en)}
    assert chinese_en == INTENTIONALLY_CHINESE
    assert STRINGS["switch_lang"] == ("English", "中文")


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_same_placeholders_in_both_languages(key):
    zh, en = STRINGS[key]
    assert placeholders(zh) == placeholders(en)


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_formats_with_its_own_placeholders(key):
    """No stray braces: each string formats once its placeholders are given."""
    params = dict.fromkeys(placeholders(STRINGS[key][0]), "X")
    for lang in LANGS:
        out = t(key, lang, **params) if params else t(key, lang)
        assert "{" not in out
        assert "}" not in out


def test_source_scan_finds_calls():
    literal, dynamic = source_keys()
    assert len(literal) > 50  # the scan works at all
    assert {"charts/figures.py", "charts/kpis.py"} <= {f for f, _ in literal}
    assert any(k == "tier_{tier}" for _, k in dynamic)


def test_every_literal_key_used_in_components_exists():
    literal, _ = source_keys()
    missing = sorted(f"{f}: {k}" for f, k in literal if k not in STRINGS)
    assert not missing


def test_dynamic_key_families_exist():
    """The f-string keys: tier_{tier} for the five tiers, theme_{name} for both themes, dropdown_{k}."""
    _, dynamic = source_keys()
    templates = {k for _, k in dynamic}
    allowed = {"tier_{tier}", "tier_short_{tier}", "tier_{k}", "theme_{other_theme}", "dropdown_{k}", "kpi_table_{key}"}
    allowed |= {"tier_{d.tier}", "tier_{r.tier}", "export_{ext}", "export_file_{what}", "role_{who.role}"}
    allowed |= {"status_{status}", "status_{r.status}", "kpi_plan_{status}", "scorecard_legend_{s}"}
    allowed |= {"scorecard_col_{k}", "freq_{frequency}", "reported_{reported}", "pw_{why}"}
    assert templates <= allowed, templates
    assert {"pw_first", "pw_expired"} <= set(STRINGS)  # UserStore.must_change's two answers
    from data.schema import FREQUENCIES, REPORTED_AS, TEMPORALS

    assert {f"freq_{f}" for f in FREQUENCIES} | {f"reported_{r}" for r in (*REPORTED_AS, TEMPORALS[1])} <= set(STRINGS)
    from components.server.users import ROLES

    assert {f"role_{r}" for r in ROLES} <= set(STRINGS)
    from data.rules import STATUSES

    assert {f"status_{s}" for s in STATUSES} | {f"scorecard_legend_{s}" for s in STATUSES} <= set(STRINGS)
    assert {"kpi_plan_on_track", "kpi_plan_at_risk"} <= set(STRINGS)
    from components.page.filters import dropdown_labels

    assert set(dropdown_labels("en")) == {
        "select_all",
        "deselect_all",
        "selected_count",
        "search",
        "clear_search",
        "clear_selection",
        "no_options_found",
    }
    for tier in TIERS:
        assert f"tier_{tier}" in STRINGS
        assert f"tier_short_{tier}" in STRINGS
    for theme in ("light", "dark"):
        assert f"theme_{theme}" in STRINGS
    for key in ("indicator", "value", "yoy", "target"):
        assert f"kpi_table_{key}" in STRINGS
    for ext in ("csv", "xlsx"):  # the export menu
        assert f"export_{ext}" in STRINGS
    for what in ("data", "enterprises", "outages"):  # export file names
        assert f"export_file_{what}" in STRINGS
    for action in ("publish", "rollback"):  # the data page's import log (components/server/web/library.html)
        assert f"lib_action_{action}" in STRINGS


def test_outage_causes_of_the_sample_are_translated():
    for cause in CAUSES:
        assert f"cause_{cause}" in STRINGS


def test_notice_keys_raised_by_the_view_state_exist():
    """Notices are (key, params) tuples built in state.py and rendered later with t()."""
    found = set(NOTICE_LITERAL.findall((COMPONENTS / "core" / "state.py").read_text(encoding="utf-8")))
    assert found >= {
        "notice_bad_year",
        "notice_bad_district",
        "notice_bad_param",
        "notice_year_fallback",
        "notice_too_many",
    }
    assert found <= set(STRINGS)


# --- t() and name() -----------------------------------------------------------------------------


def test_t_picks_language_and_fills_params():
    assert t("as_of", "zh", date="2012-12-31") == "数据截至 2012-12-31"
    assert t("as_of", "en", date="2012-12-31") == "Data as of 2012-12-31"
    assert t("year", "en") == "Year"
    assert t("year") == "年份"


def test_t_unknown_language_is_chinese():
    assert t("year", "fr") == "年份"


def test_t_unknown_key_raises():
    with pytest.raises(KeyError):
        t("no_such_key", "en")


def test_name_picks_the_language_column():
    row = {"name_zh": "鄞州区", "name_en": "Yinzhou"}
    assert name(row, "zh") == "鄞州区"
    assert name(row, "en") == "Yinzhou"


# --- fmt_value ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "lang", "expected"),
    [
        (73647, "件", "zh", "73,647件"),
        (73647, "件", "en", "73,647"),
        (np.int64(73647), "件", "zh", "73,647件"),
        (930, "家", "zh", "930家"),
        (930, "家", "en", "930"),
        (12, "项", "zh", "12项"),
        (3429, "亿元", "zh", "3,429亿元"),
        (3429, "亿元", "en", "CNY 342.9 bn"),
        (3438.5, "亿元", "zh", "3,438.5亿元"),
        (758.9, "亿元", "en", "CNY 75.9 bn"),
        (50, "亿元", "en", "CNY 5.00 bn"),
        (28.700084, "%", "zh", "28.7%"),
        (28.700084, "%", "en", "28.7%"),
        (3.4896, "%", "zh", "3.49%"),
        (1.95, "%", "en", "1.95%"),
        (30, "%", "zh", "30.0%"),
        (1, "位", "zh", "第1位"),
        (1, "位", "en", "No. 1"),
        (1.5, "", "zh", "1.50"),
        (2, "", "en", "2"),
    ],
)
def test_fmt_value(value, unit, lang, expected):
    assert fmt_value(value, unit, lang) == expected


def test_fmt_value_defaults_to_chinese():
    assert fmt_value(28.700084, "%") == "28.7%"
    assert fmt_value(3.4896, "%") == "3.49%"
    assert fmt_value(73647, "件") == "73,647件"


def test_fmt_value_explicit_decimals():
    assert fmt_value(99.9555127, "%", "zh", 2) == "99.96%"
    assert fmt_value(3429, "亿元", "en", 2) == "CNY 342.90 bn"


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, math.inf, -math.inf, np.float64("nan")])
@pytest.mark.parametrize("unit", ["件", "亿元", "%", "位", ""])
@pytest.mark.parametrize("lang", LANGS)
def test_fmt_value_no_value_is_a_dash(missing, unit, lang):
    assert fmt_value(missing, unit, lang) == DASH == "—"


def test_fmt_value_pandas_na_is_a_dash():
    assert fmt_value(pd.NA, "件", "zh") == DASH


def test_fmt_number():
    assert fmt_number(1234567.891, 2) == "1,234,567.89"
    assert fmt_number(None) == DASH
    assert fmt_number(math.nan) == DASH


# --- fmt_change, fmt_percent, unit_for_axis ----------------------------------------------------


@pytest.mark.parametrize(
    ("change", "kind", "lang", "expected"),
    [
        (0.5478, "pct", "zh", "+54.78%"),
        (0.5478, "pct", "en", "+54.78%"),
        (-0.03, "pct", "zh", "-3.00%"),
        (0.0, "pct", "zh", "+0.00%"),
        (2.28, "pp", "zh", "+2.28个百分点"),
        (2.28, "pp", "en", "+2.28 pp"),
        (-0.5, "pp", "en", "-0.50 pp"),
    ],
)
def test_fmt_change(change, kind, lang, expected):
    assert fmt_change(change, kind, lang) == expected


def test_fmt_change_defaults_to_chinese():
    assert fmt_change(0.5478, "pct") == "+54.78%"
    assert fmt_change(2.28, "pp") == "+2.28个百分点"


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("kind", ["pct", "pp"])
@pytest.mark.parametrize("lang", LANGS)
def test_fmt_change_no_value_is_a_dash(missing, kind, lang):
    assert fmt_change(missing, kind, lang) == DASH


@pytest.mark.parametrize(
    ("ratio", "decimals", "expected"),
    [(0.957, 1, "95.7%"), (1.0, 2, "100.00%"), (0.999555, 2, "99.96%"), (0, 1, "0.0%"), (1.022875, 1, "102.3%")],
)
def test_fmt_percent(ratio, decimals, expected):
    assert fmt_percent(ratio, decimals) == expected


def test_fmt_percent_default_and_missing():
    assert fmt_percent(0.957) == "95.7%"
    for missing in (None, math.nan, math.inf):
        assert fmt_percent(missing) == DASH


@pytest.mark.parametrize(
    ("unit", "lang", "expected"),
    [
        ("亿元", "zh", (1.0, "亿元")),
        ("亿元", "en", (0.1, "CNY bn")),
        ("%", "zh", (1.0, "%")),
        ("%", "en", (1.0, "%")),
        ("件", "zh", (1.0, "件")),
        ("件", "en", (1.0, "patents")),
        ("家", "zh", (1.0, "家")),
        ("家", "en", (1.0, "firms")),
        ("项", "en", (1.0, "projects")),
        ("", "en", (1.0, "")),
        ("位", "en", (1.0, "")),
    ],
)
def test_unit_for_axis(unit, lang, expected):
    assert unit_for_axis(unit, lang) == expected


@pytest.mark.parametrize("unit", ["件", "家", "项", "个", "座", "亿元", "%", "位", ""])
def test_unit_for_axis_english_never_chinese(unit):
    assert not CJK.search(unit_for_axis(unit, "en")[1])


def test_en_scaling_agrees_between_axis_and_text():
    """An English chart plots 亿元 × 0.1 on a 'CNY bn' axis; the hover text says the same number."""
    factor, unit = unit_for_axis("亿元", "en")
    assert unit == "CNY bn"
    assert fmt_value(3429 * factor, "", "en", 1) == "342.9"
    assert fmt_value(3429, "亿元", "en") == "CNY 342.9 bn"
