"""The meeting export (components/exports/deck.py, render.py) with real kaleido and Debian's Chromium: no mocks.

One renderer and two decks (zh whole city, en two districts in the dark theme) are built once per module.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import plotly.graph_objects as go
import pytest
from lxml import etree
from oracle import CJK
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches

from components.charts.summary import caption
from components.core.i18n import t
from components.core.state import View
from components.exports.deck import EA_FONT, EXPORT_SCALE, build_pptx, chart_boxes, pptx_filename
from components.exports.render import ChartRenderer, ExportError
from components.sections import SECTIONS, present, slides
from components.sections.slide_plan import plan
from data.load import Dataset

CHROMIUM = Path("/usr/bin/chromium")
PATENTS_2012 = "2012年全市专利申请量73,647件，同比增长54.78%；授权发明专利2,065件，占授权量3.49%，低于3.5%。"
TWO = ("330212", "330281")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
def renderer() -> Iterator[ChartRenderer]:
    with ChartRenderer(CHROMIUM) as r:
        yield r


@pytest.fixture(scope="module")
def zh_deck(sample: Dataset, renderer: ChartRenderer) -> tuple[Presentation, list[tuple[int, int, str]], bytes]:
    calls: list[tuple[int, int, str]] = []
    data = build_pptx(sample, View(2012, (), "zh"), lambda d, n, label: calls.append((d, n, label)), renderer)
    return Presentation(io.BytesIO(data)), calls, data


@pytest.fixture(scope="module")
def en_deck(sample: Dataset, renderer: ChartRenderer) -> Presentation:
    data = build_pptx(sample, View(2012, TWO, "en", "dark"), renderer=renderer)
    return Presentation(io.BytesIO(data))


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def shape_named(slide, name: str):
    return next(shape for shape in slide.shapes if shape.name == name)


def pictures(slide) -> list:
    return [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]


# --- the plan -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zh_plan(sample: Dataset):
    return plan(sample, View(2012, (), "zh"))


# --- the zh deck --------------------------------------------------------------------------------------------


def test_deck_is_16_by_9_with_one_slide_per_planned_slide(zh_deck, zh_plan):
    prs, _, _ = zh_deck
    assert prs.slide_width == 12192000  # 13.333 in: PowerPoint's own 16:9
    assert prs.slide_height == Inches(7.5)
    assert len(prs.slides) == 1 + len(zh_plan)


def test_slide_titles_are_the_section_titles_in_order(sample: Dataset, zh_deck, zh_plan):
    prs, _, _ = zh_deck
    titles = [slide.shapes.title.text_frame.text for slide in list(prs.slides)[1:]]
    assert titles == [p.title for p in zh_plan]
    assert titles == [sl.title("zh") for sl in slides(sample)]  # the registry's slides, in its order
    builtin = [s.title("zh") for s in present(sample) if s.key != "other"]
    assert titles[: len(builtin)] == builtin  # a slide per built-in section, titled as the section
    assert "全市创新指数" in titles[len(builtin) :]  # an indicator of the sample's own, with a slide of its own


def test_title_slide(sample: Dataset, zh_deck):
    prs, _, _ = zh_deck
    slide = prs.slides[0]
    assert sample.meta["title_zh"] in slide.shapes.title.text_frame.text
    text = "\n".join(texts(slide))
    for mark in ("2012年 · 全市", "数据截至 2012-12-31", "示例数据"):
        assert mark in text


def test_every_section_footer_carries_caption_as_of_and_sample_mark(sample: Dataset, zh_deck):
    prs, _, _ = zh_deck
    assert caption(sample, View(2012, (), "zh")) == "2012年 · 全市"
    for slide in list(prs.slides)[1:]:
        footer = shape_named(slide, "Footer").text_frame.text
        for mark in ("2012年 · 全市", "数据截至 2012-12-31", "示例数据"):
            assert mark in footer


def test_pictures_are_pngs_of_the_expected_size(zh_deck, zh_plan):
    prs, _, _ = zh_deck
    for slide, planned in zip(list(prs.slides)[1:], zh_plan, strict=True):
        pics = pictures(slide)
        assert len(pics) == len(planned.figures)
        for pic, (_, box) in zip(pics, chart_boxes(planned.rows), strict=True):
            assert pic.image.content_type == "image/png"
            image = Image.open(io.BytesIO(pic.image.blob))
            assert image.format == "PNG"
            assert image.size == box.pixels(EXPORT_SCALE)
            assert (pic.left, pic.top, pic.width, pic.height) == box.emu()


def test_light_theme_pictures_are_opaque_white(zh_deck):
    prs, _, _ = zh_deck
    image = Image.open(io.BytesIO(pictures(prs.slides[2])[0].image.blob)).convert("RGBA")
    assert image.getpixel((1, 1)) == (255, 255, 255, 255)


def test_patents_slide_says_the_sentence(zh_deck, zh_plan):
    prs, _, _ = zh_deck
    patents = prs.slides[1 + [p.slide.key for p in zh_plan].index("patents")]
    assert shape_named(patents, "Summary").text_frame.text == PATENTS_2012
    assert PATENTS_2012 in "\n".join(texts(patents))


def test_chart_titles_above_pictures(zh_deck):
    prs, _, _ = zh_deck
    patents = prs.slides[2]
    assert shape_named(patents, "Chart title 3").text_frame.text == t("patents_share_title", "zh")
    assert "点击" not in "\n".join(texts(patents))  # no click hints on paper


def test_every_run_has_the_east_asian_font(zh_deck):
    prs, _, _ = zh_deck
    runs = 0
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            for para in shape.text_frame.paragraphs:
                for run in para.runs:
                    ea = run._r.find(f"{qn('a:rPr')}/{qn('a:ea')}")
                    assert ea is not None
                    assert ea.get("typeface") == EA_FONT
                    runs += 1
    assert runs > 20


def test_theme_falls_back_to_yahei_for_simplified_chinese(zh_deck):
    _, _, data = zh_deck
    prs = Presentation(io.BytesIO(data))
    theme = prs.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
    )
    root = etree.fromstring(theme.blob)
    hans = [f.get("typeface") for f in root.iter(qn("a:font")) if f.get("script") == "Hans"]
    assert hans == ["Microsoft YaHei", "Microsoft YaHei"]


def test_progress_counts_up_to_the_total(zh_deck, zh_plan):
    _, calls, _ = zh_deck
    total = sum(len(p.figures) for p in zh_plan)
    assert [done for done, _, _ in calls] == list(range(1, total + 1))
    assert {n for _, n, _ in calls} == {total}
    assert all(label.strip() for _, _, label in calls)
    assert calls[0][2].startswith("总览")


def test_sample_deck_is_a_reasonable_size(zh_deck):
    _, _, data = zh_deck
    assert 100_000 < len(data) < 5_000_000


# --- the en deck --------------------------------------------------------------------------------------------


def test_english_deck_has_no_chinese_text(sample: Dataset, en_deck):
    assert all(name and not CJK.search(name) for name in sample.districts["name_en"])  # every district has one
    for slide in en_deck.slides:
        for text in texts(slide):
            assert not CJK.search(text), text
    footer = shape_named(en_deck.slides[1], "Footer").text_frame.text
    assert footer == "2012 · Yinzhou, Yuyao · Data as of 2012-12-31 · Sample data"
    titles = [s.shapes.title.text_frame.text for s in list(en_deck.slides)[1:]]
    assert titles == [p.title for p in plan(sample, View(2012, TWO, "en"))]
    assert titles[:5] == [s.title("en") for s in SECTIONS[:5]]


def test_dark_deck_has_dark_slides_and_pictures(en_deck):
    slide = en_deck.slides[1]
    assert str(slide.background.fill.fore_color.rgb) == "111827"
    image = Image.open(io.BytesIO(pictures(slide)[0].image.blob)).convert("RGB")
    assert image.getpixel((1, 1)) == (0x11, 0x18, 0x27)


# --- the renderer -------------------------------------------------------------------------------------------


def test_render_full_hd_png(renderer: ChartRenderer):
    fig = go.Figure(go.Bar(x=["鄞州区", "余姚市"], y=[13328, 10267]))
    png = renderer.render(fig, width=1920, height=1080)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1920, 1080)
    assert renderer.startup_seconds is not None
    assert len(renderer.timings) >= 1


@pytest.mark.skipif(not Path("/bin/false").exists(), reason="needs /bin/false")
def test_a_browser_that_will_not_start_is_a_catalogue_error():
    threads = {th.name for th in threading.enumerate()}
    with pytest.raises(ExportError) as caught, ChartRenderer("/bin/false", lang="en", timeout=20):
        pass
    assert caught.value.key == "export_browser_failed"
    assert str(caught.value) == t("export_browser_failed", "en")
    assert {th.name for th in threading.enumerate()} == threads  # the loop thread was stopped


def test_scorecard_slide_is_a_native_table(sample: Dataset, zh_deck, zh_plan):
    prs = zh_deck[0]
    at = [p.slide.key for p in zh_plan].index("scorecard") + 1  # after the title slide
    slide = prs.slides[at]
    tables = [s for s in slide.shapes if s.has_table]
    assert [s.name for s in tables] == ["Scorecard"]
    assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    table = tables[0].table
    assert (len(table.rows), len(table.columns)) == (13, 6)  # headings, 11 districts, the city; 4 indicators
    assert table.cell(0, 1).text_frame.paragraphs[0].text == "专利申请量"
    assert table.cell(1, 0).text == "海曙区"
    assert table.cell(12, 0).text == "全市"
    beilun = [table.cell(r, 0).text for r in range(len(table.rows))].index("北仑区")
    assert table.cell(beilun, 2).text_frame.paragraphs[0].text == "✕ 87.0% 未达标"
    assert table.cell(beilun, 2).text_frame.paragraphs[1].text == "实际 200件 / 目标 230件 · 第11名"
    assert texts(slide)[1].endswith("北仑区授权发明专利完成率低于90%。")


def test_an_in_year_deck_names_its_period_on_every_slide(sample: Dataset, renderer: ChartRenderer):
    """2012年1–11月: every slide's caption, the chart titles and the sentences name the months; the report's
    1–11月 figure with its published growth; the file name carries the period."""
    view = View(2012, (), "zh", period="M11")
    prs = Presentation(io.BytesIO(build_pptx(sample, view, renderer=renderer)))
    slide_texts = ["\n".join(texts(s)) for s in prs.slides]
    assert all("2012年1–11月" in text for text in slide_texts), [x[:60] for x in slide_texts if "1–11月" not in x]
    assert any("2012年1–11月各区县专利申请与授权" in text for text in slide_texts)
    assert any("2012年1–11月全市专利申请量" in text for text in slide_texts)
    assert any("1,830.7亿元" in text and "（统计部门公布）" in text for text in slide_texts)
    assert pptx_filename(sample, view) == "sti-2012-11-city-zh.pptx"
