"""Summary sentences from the same aggregation functions as the cards, in both languages."""

from __future__ import annotations

import pytest
from oracle import CJK, FIXTURES

from components.core.state import View
from components.sections import SECTIONS, hightech, other, overview, patents, pipeline, seismic
from data.load import load_dataset

patents_sentence = patents.sentence
hightech_sentence = hightech.sentence
pipeline_sentence = pipeline.sentence
seismic_sentence = seismic.sentence


def test_the_reports_patent_sentence(sample) -> None:
    assert patents_sentence(sample, View(2012)) == (
        "2012年全市专利申请量73,647件，同比增长54.78%；授权发明专利2,065件，占授权量3.49%，低于3.5%。"
    )


def test_the_patent_sentence_in_english(sample) -> None:
    assert patents_sentence(sample, View(2012, lang="en")) == (
        "In 2012, the whole city filed 73,647 patent applications, up 54.78% year on year; 2,065 invention "
        "patents were granted, 3.49% of all grants, below 3.5%."
    )


def test_hightech_share_change_is_in_points(sample) -> None:
    text = hightech_sentence(sample, View(2012))
    assert "3,429亿元" in text
    assert "同比增长11.40%" in text
    assert "28.7%，比上年提高2.28个百分点" in text


def test_pipeline_sentence_counts_every_tier(sample) -> None:
    text = pipeline_sentence(sample, View(2012))
    for part in (
        "市级科技型企业563家",
        "高新技术企业930家",
        "市级创新型企业156家",
        "省级创新型企业52家",
        "国家级创新型企业16家",
    ):
        assert part in text


def test_no_previous_year_drops_the_growth_clause(sample) -> None:
    text = patents_sentence(sample, View(2008, ("330212",)))
    assert text.startswith("2008年鄞州区专利申请量")
    assert "同比" not in text
    assert "nan" not in text.lower()


def test_a_district_without_stations_says_so(sample) -> None:
    assert seismic_sentence(sample, View(2011, ("330205",))) == "2011年江北区没有在运行的地震台站。"


@pytest.mark.parametrize("sec", SECTIONS, ids=lambda s: s.key)
@pytest.mark.parametrize("districts", [(), ("330212", "330281")])
def test_english_sentences_have_no_chinese(sample, sec, districts: tuple[str, ...]) -> None:
    text = sec.sentence(sample, View(2012, districts, "en"))
    assert text
    assert not CJK.search(text), text


def test_overview_sentence_joins_patents_and_hightech(sample) -> None:
    view = View(2012)
    joined = patents.sentence(sample, view) + hightech.sentence(sample, view)
    assert overview.sentence(sample, view) == joined + "北仑区授权发明专利完成率低于90%。"  # then who missed a target
    assert overview.sentence(sample, View(2011)) == patents.sentence(sample, View(2011)) + hightech.sentence(
        sample, View(2011)
    )  # no targets for 2011: nothing more


def test_own_indicator_sentence_uses_its_own_unit() -> None:
    ds = load_dataset(FIXTURES / "other_city")
    zh = other.make(()).sentence(ds, View(2018, lang="zh"))
    assert "技术市场成交额" in zh
    assert "亿元" in zh
    en = other.make(()).sentence(ds, View(2018, lang="en"))
    assert "Technology market turnover" in en
    assert "CNY" in en
    assert not CJK.search(en)


def test_sentences_drop_the_clauses_a_dataset_lacks() -> None:
    ds = load_dataset(FIXTURES / "minimal")
    text = patents.sentence(ds, View(2020))
    assert text == "2020年全市专利申请量2,470件。"  # no invention clause, no growth (one year)
    assert overview.sentence(ds, View(2020)) == text  # no high-tech clause either
