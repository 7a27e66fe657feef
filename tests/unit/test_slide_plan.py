"""The meeting export's plan, without a browser: slides from the registry, charts per slide and their boxes on
the 16:9 slide, file names, and a missing Chromium reported before anything starts (components/exports/deck.py,
render.py, components/sections/slide_plan.py). The decks themselves, rendered by kaleido in Debian's Chromium,
are tests/integration/test_deck.py."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import plotly.graph_objects as go
import pytest
from oracle import CJK

from components.core.i18n import t
from components.core.state import View
from components.exports.deck import build_pptx, chart_boxes, pptx_filename
from components.exports.render import ChartRenderer, ExportError, find_chromium
from components.sections import SECTIONS, present, section, slides
from components.sections.slide_plan import plan
from data.load import Dataset

CHROMIUM = Path("/usr/bin/chromium")
TWO = ("330212", "330281")


# --- the registry -------------------------------------------------------------------------------------------


def test_slides_follow_the_registry(sample: Dataset):
    keys = [sl.key for sl in slides(sample)]
    own = section("other")
    builtin = [s.key for s in present(sample) if s is not own]
    assert len(builtin) == len(SECTIONS) - 1, "the sample shows every built-in section"
    assert keys[: len(builtin)] == builtin  # one slide per built-in section, in the registry's order
    assert all(k.startswith("other-") for k in keys[len(builtin) :])  # one slide per indicator of its own
    assert len(keys) == len(builtin) + len(own.graphs(sample))
    assert len(own.graphs(sample)) > 0, "the sample has indicators of its own"
    with pytest.raises(KeyError):
        section("nope")


@pytest.mark.parametrize("districts", [(), TWO])
def test_slide_plan_charts_match_their_rows(sample: Dataset, districts: tuple[str, ...]):
    view = View(2012, districts, "en")
    for planned in plan(sample, view):
        assert len(planned.figures) == len(planned.chart_titles) == sum(len(r) for r in planned.rows)
        assert len(chart_boxes(planned.rows)) == len(planned.figures)
        assert all(title and not CJK.search(title) for title in planned.chart_titles)
        assert planned.title
        assert not CJK.search(planned.title)


def test_chart_boxes_stay_on_the_slide_without_overlap(sample: Dataset):
    for planned in plan(sample, View(2012)):
        boxes = [b for pair in chart_boxes(planned.rows) for b in pair]
        for b in boxes:
            assert b.left >= 0.49
            assert b.left + b.width <= 13.334 - 0.49
            assert b.top >= 1.9
            assert b.top + b.height <= 6.9
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a.left + a.width <= b.left + 1e-6
                    or b.left + b.width <= a.left + 1e-6
                    or a.top + a.height <= b.top + 1e-6
                    or b.top + b.height <= a.top + 1e-6
                )
                assert apart, (planned.slide.key, a, b)
    ((title, picture),) = chart_boxes([[1]])
    assert picture.top == pytest.approx(title.top + title.height)


# --- the renderer, before any browser starts ----------------------------------------------------------------


def test_missing_browser_is_a_catalogue_error_before_anything_starts(tmp_path: Path):
    threads = {th.name for th in threading.enumerate()}
    with pytest.raises(ExportError) as caught:
        ChartRenderer(tmp_path / "no-such-chromium")
    assert caught.value.key == "export_no_chromium"
    assert str(caught.value) == t("export_no_chromium", "zh")
    assert caught.value.message("en") == t("export_no_chromium", "en")
    assert {th.name for th in threading.enumerate()} == threads


def test_missing_browser_message_in_english(tmp_path: Path):
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    with pytest.raises(ExportError, match="No Chromium browser"):
        ChartRenderer(not_executable, lang="en")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_browser_path_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample: Dataset):
    monkeypatch.setenv("BROWSER_PATH", str(CHROMIUM))
    assert find_chromium() == str(CHROMIUM)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "gone"))
    assert find_chromium() is None  # a configured path that is wrong is reported, not replaced
    with pytest.raises(ExportError) as caught:
        build_pptx(sample, View(2012, (), "en"))
    assert str(caught.value) == t("export_no_chromium", "en")
    monkeypatch.delenv("BROWSER_PATH")
    assert find_chromium() == str(CHROMIUM)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_render_needs_a_started_renderer():
    with pytest.raises(RuntimeError):
        ChartRenderer(CHROMIUM).render(go.Figure())


# --- file names ---------------------------------------------------------------------------------------------


def test_file_names(sample: Dataset):
    two = View(2012, TWO, "zh")
    assert pptx_filename(sample, two) == "sti-2012-330212_330281-zh.pptx"
    assert pptx_filename(sample, View(2012, (), "en")) == "sti-2012-city-en.pptx"
    many = View(2012, tuple(sample.district_codes), "zh")
    name = pptx_filename(sample, many)
    assert re.fullmatch(r"sti-2012-11districts-[0-9a-f]{8}-zh\.pptx", name)
    assert pptx_filename(sample, View(2012, ("999999", "330212"), "zh")) == "sti-2012-330212-zh.pptx"
    assert re.fullmatch(r"[a-z0-9_.-]+", name)
    assert len(name) < 80
