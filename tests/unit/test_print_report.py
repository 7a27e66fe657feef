"""The report's print page as text: escaping of everything from the data, the running header, scalable SVG."""

from __future__ import annotations

import re

import pytest

from components.exports import print_report


@pytest.mark.parametrize(
    ("text", "css"),
    [
        ("宁波市科技创新主要指标月报（2012年1–11月）", '"宁波市科技创新主要指标月报（2012年1–11月）"'),
        ('a "quoted" title', '"a \\22 quoted\\22  title"'),
        ("back\\slash\nnew line", '"back\\5c slash\\a new line"'),
    ],
)
def test_css_string_escapes_quotes_backslashes_and_newlines(text: str, css: str) -> None:
    assert print_report.css_string(text) == css


def test_css_string_cannot_close_the_rule() -> None:
    """A title crafted to end the CSS string and the @page rule stays one string."""
    out = print_report.css_string('x"; } body { display: none } @page { content: "')
    assert out.startswith('"')
    assert out.endswith('"')
    assert '"' not in out[1:-1]


def test_chart_svg_drops_the_prologue_and_gets_a_view_box() -> None:
    svg = b'<?xml version="1.0" encoding="utf-8"?>\n<svg class="main-svg" width="720" height="400"><g/></svg>'
    out = print_report.chart_svg(svg)
    assert out.startswith("<svg")
    assert re.search(r'<svg viewBox="0 0 720 400" preserveAspectRatio="xMidYMid meet" class="main-svg"', out)


def test_chart_svg_keeps_an_existing_view_box() -> None:
    svg = '<svg viewBox="0 0 10 10" width="10" height="10"></svg>'
    assert print_report.chart_svg(svg) == svg
