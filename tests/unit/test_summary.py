"""Summary sentences from the same aggregation functions as the cards, in both languages."""

from __future__ import annotations

import re

import pytest

from components.state import View
from components.summary import SENTENCES, hightech_sentence, patents_sentence, pipeline_sentence, seismic_sentence

CJK = re.compile(r"[\u4e00-\u9fff]")


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


@pytest.mark.parametrize("key", list(SENTENCES))
@pytest.mark.parametrize("districts", [(), ("330212", "330281")])
def test_english_sentences_have_no_chinese(sample, key: str, districts: tuple[str, ...]) -> None:
    text = SENTENCES[key](sample, View(2012, districts, "en"))
    assert text
    assert not CJK.search(text), text
