"""The written report's content (components/exports/report.py): the same numbers as the page, in the report's voice,
and only what a dataset has."""

from __future__ import annotations

import re

import pytest
from oracle import FIXTURES

from components.charts.kpis import view_kpis
from components.core.state import View, resolve
from components.exports import report as rep
from components.sections import present
from components.sections.slide_plan import plan
from data.load import Dataset, load_dataset

VIEWS = [  # (year, period, districts: how many of the first, lang)
    (2012, "", 0, "zh"),
    (2012, "M11", 0, "zh"),
    (2012, "M11", 2, "en"),
    (2012, "", 2, "zh"),
]


def view_of(ds: Dataset, year: int, period: str, n: int, lang: str) -> View:
    return resolve(ds, year, list(ds.district_codes[:n]), lang, "light", (), period, "ytd")


@pytest.mark.parametrize(("year", "period", "n", "lang"), VIEWS)
def test_the_summary_carries_the_cards_numbers(sample, year: int, period: str, n: int, lang: str) -> None:
    """Every KPI card's value and 同比 that a section's paragraph speaks of appears there exactly as on the card;
    the paragraphs are the sections' own sentences, numbered in the report's voice."""
    view = view_of(sample, year, period, n, lang)
    r = rep.build_report(sample, view)
    text = " ".join(r.summary)
    cards = {k.indicator: k for k in view_kpis(sample, view)}
    apps = cards["patent_applications"]
    assert apps.value_text.replace("件", "") in text  # the patents paragraph: the card's number
    assert re.sub(r"^(同比|YoY)\s*", "", apps.change_text).lstrip("+") in text
    sections = [s for s in present(sample) if s.key != "overview" and s.sentence is not None]
    assert len(r.summary) == len([s for s in sections if s.sentence(sample, view).strip()])
    first = "一是" if lang == "zh" else "First, "
    assert r.summary[0].startswith(first)
    for s, para in zip(sections, r.summary, strict=False):
        assert re.sub(r"\s+", " ", s.sentence(sample, view)).strip() in para


def test_the_kpi_table_is_the_cards(sample) -> None:
    view = view_of(sample, 2012, "M11", 0, "zh")
    table = rep.build_report(sample, view).kpis
    cards = view_kpis(sample, view)
    assert table.keys == [k.indicator for k in cards]
    for row, k in zip(table.rows, cards, strict=True):
        assert row[0] == k.label
        assert row[1] == k.value_text
        assert row[2] in (k.change_text.replace("同比 ", ""), "—")
        assert row[5] == ("—" if k.schedule is None else f"{k.schedule * 100:.1f}%")
    apps = table.rows[table.keys.index("patent_applications")]
    assert apps[1:3] == ["64,937件", "+55.71%"]  # the report's 1–11月 figure and its 同比 against 2011年1–11月
    assert apps[5] == "91.7%"  # 序时进度 at the end of November
    assert apps[7] == "2012年1–11月"


def test_the_scorecard_names_the_districts_behind_schedule(sample) -> None:
    view = view_of(sample, 2012, "M11", 0, "zh")
    r = rep.build_report(sample, view)
    assert r.scorecard is not None
    grid = next(p.table for p in plan(sample, view) if p.table is not None)
    assert r.scorecard.keys[: len(grid.rows)] == [row.key for row in grid.rows]
    behind = {row.label for row in grid.rows if any(c.status in ("missed", "at_risk") for c in row.cells)}
    paragraph = next(p for p in r.summary if "考核" in p)
    named = set(re.findall(r"([\u4e00-\u9fff]{2,3}[区县市])", paragraph.split("：", 1)[1]))
    assert named
    assert named - {"个区县"} <= behind, named - behind  # "江东区、慈溪市、江北区等6个区县…低于序时进度"


def test_title_scope_and_as_of(sample) -> None:
    month = rep.build_report(sample, view_of(sample, 2012, "M11", 0, "zh"))
    assert month.title == "宁波科技创新主要指标月报（2012年1–11月）"
    assert month.scope == "全市"
    assert month.as_of == "数据截至2012年12月31日"
    assert month.sample is True
    assert month.notes[-1].startswith("本报告所用为示例数据")
    year = rep.build_report(sample, view_of(sample, 2012, "", 2, "en"))
    assert year.title == "Ningbo Science and Technology Indicators: Annual Report (2012)"
    names = {str(r["code"]): str(r["name_en"]) for r in sample.district_rows}
    assert year.scope == ", ".join(names[c] for c in sample.district_codes[:2])


def test_figures_are_numbered_with_sources_and_each_section_has_its_turn(sample) -> None:
    r = rep.build_report(sample, view_of(sample, 2012, "M11", 0, "zh"))
    assert [f.number for f in r.figures] == list(range(1, len(r.figures) + 1))
    assert all(f.caption.startswith(f"图{f.number} ") for f in r.figures)
    assert all(f.source.startswith("资料来源：") for f in r.figures)
    sections = [f.section for f in r.figures]
    assert {"patents", "hightech", "seismic", "services"} <= set(sections)
    assert max(sections.count(s) for s in set(sections)) <= rep.PER_SECTION
    assert len(r.figures) <= rep.MAX_FIGURES


@pytest.mark.parametrize("shape", ["minimal", "monthly", "quarterly", "no_pipeline", "other_city"])
def test_other_shapes_get_only_what_they_have(shape: str) -> None:
    ds = load_dataset(FIXTURES / shape)
    year = max(ds.periods) if ds.periods else ds.years[-1]
    period = ds.periods[year][-1] if ds.periods else ""
    for lang in ("zh", "en"):
        r = rep.build_report(ds, resolve(ds, year, [], lang, "light", (), period, "ytd"))
        words = " ".join([r.title, r.scope, r.as_of, *r.summary, *r.notes, *(c for row in r.kpis.rows for c in row)])
        assert not re.search(r"\b(nan|NaN|inf|None)\b", words), words
        assert all(p.strip() for p in r.summary)
        has_targets = (
            not ds.targets.empty and ds.targets["district"].ne("").any() if "district" in ds.targets else False
        )
        if not has_targets:
            assert r.scorecard is None
        assert all(f.figure.get("data") for f in r.figures)


def test_file_names_name_the_period_scope_and_language(sample) -> None:
    assert rep.report_filename(sample, view_of(sample, 2012, "M11", 0, "zh"), "docx") == (
        "sti-report-2012-11-city-zh.docx",
        "宁波科技创新主要指标月报（2012年1–11月）.docx",
    )
    ascii_name, utf8 = rep.report_filename(sample, view_of(sample, 2012, "", 2, "en"), "pdf")
    assert ascii_name == f"sti-report-2012-{'_'.join(sample.district_codes[:2])}-en.pdf"
    assert utf8.endswith(".pdf")
    assert "/" not in utf8


def test_headings_are_numbered_in_each_language() -> None:
    assert rep.heading_text(1, "report_summary", "zh") == "一、总体情况"
    assert rep.heading_text(3, "report_scorecard", "zh") == "三、目标考核"
    assert rep.heading_text(2, "report_kpis", "en") == "2. Key indicators"


@pytest.mark.parametrize(("period", "lang"), [("M11", "zh"), ("", "en")])
def test_each_targeted_card_is_told_with_its_completion_and_schedule(sample, period: str, lang: str) -> None:
    """Completion against the target and 序时进度 are in the report's words, once, in the section that shows the
    indicator: the card's own text."""
    view = view_of(sample, 2012, period, 0, lang)
    text = " ".join(rep.build_report(sample, view).summary)
    targeted = [k for k in view_kpis(sample, view) if k.target_text and k.completion_text]
    assert targeted
    for k in targeted:
        assert text.count(k.completion_text) >= 1, (k.indicator, k.completion_text)
    if period:
        assert "专利申请量目标73,200件，完成全年目标88.7%，低于序时进度3.0个百分点（预警）" in text
