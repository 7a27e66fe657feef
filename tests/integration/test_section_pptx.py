"""A section defined outside the product (tests/demo_section.py) is a slide of the PPTX, with its chart as a
picture and its sentence — no other file changed. Real kaleido with Debian's Chromium."""

from __future__ import annotations

import io

from demo_section import demo_section
from pptx import Presentation

from components.core.state import View
from components.exports.deck import build_pptx, export_view
from components.sections import SECTIONS
from components.sections.slide_plan import plan
from components.server.settings import SAMPLE_DIR
from data.load import load_dataset


def slide_texts(data: bytes) -> list[list[str]]:
    """Each slide's texts, read back with python-pptx."""
    deck = Presentation(io.BytesIO(data))
    return [[s.text_frame.text for s in slide.shapes if s.has_text_frame] for slide in deck.slides]


def test_a_registered_section_is_a_slide_of_the_pptx() -> None:
    ds = load_dataset(SAMPLE_DIR)
    with SECTIONS.added(demo_section()):
        data = build_pptx(ds, View(2012, (), "zh"))
    deck = Presentation(io.BytesIO(data))
    texts = slide_texts(data)
    mine = [i for i, slide in enumerate(texts) if "示范板块" in slide]
    assert len(mine) == 1, texts
    slide = deck.slides[mine[0]]
    assert any("2012年示范句子。" in text for text in texts[mine[0]])
    pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE: the chart
    assert len(pictures) == 1
    assert mine[0] == len(texts) - 2 or "其他指标" not in texts[-1][0]  # before the generic section, if any
    # The deck is the title slide and the slide plan; unregistered, the section leaves the plan (one render is
    # enough to prove the deck follows the plan: a second deck would only render the same charts again).
    view = export_view(View(2012, (), "zh"))
    with SECTIONS.added(demo_section()):
        assert len(texts) == 1 + len(plan(ds, view, figures=lambda *_: []))
    assert len(plan(ds, view, figures=lambda *_: [])) == len(texts) - 2  # unregistered: gone again
