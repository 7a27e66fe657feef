"""Presentation mode (?present=1): a 1920x1080 slide canvas scaled to any screen, for meetings.

The slides are built server-side from the same slide plan as the PPTX (components/sections/slide_plan.py); paging,
auto-advance, full screen, pause, exit, data-version and connection watching run in
assets/present.js (our own code) without server round trips.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import flask
import plotly.graph_objects as go
from dash import dcc, html

from components.charts.figures import fit_to_size
from components.charts.grid import grid_table
from components.charts.kpis import kpi_card, view_kpis
from components.charts.summary import slide_marks
from components.core import ids
from components.core.i18n import t
from components.core.state import View, to_query, view_key
from components.core.ui import attrs, graph_config
from components.core.wall import Screen, WallLayout, floor_fonts, min_chart_font, screen_of, wall_layout
from components.sections.slide_plan import Planned, plan, slide_figures
from components.server import auth
from components.server.services import Services
from components.server.users import ANALYST
from data.load import Dataset

SLIDE_W, SLIDE_H = 1920, 1080
BODY_W, BODY_H = 1808, 660
GAP = 24
TITLE_H = 34  # a chart's title line above it
STRIP_DESIGN_H = 300  # a composed wall's KPI strip is designed this high (slide pixels) and scaled to its place
MIN_INTERVAL, MAX_INTERVAL = 3, 3600


def present_theme(asked: str | None) -> str:
    """Projector theme: dark and high-contrast unless the URL explicitly asks for theme=light."""
    return "projector-light" if asked == "light" else "projector"


def interval_of(view: View, default: int) -> int:
    """Seconds per slide from the URL's `interval`, else the settings' default (bounded)."""
    raw = dict(view.extras).get("interval", "")
    if raw.isascii() and raw.isdigit() and MIN_INTERVAL <= int(raw) <= MAX_INTERVAL:
        return int(raw)
    return default


def exit_href(view: View) -> str:
    """The normal view's URL: same filters and language, without the presentation parameters."""
    return "/" + to_query(replace(view, extras=(), notices=()))


def chart_sizes(grid: tuple[tuple[float, ...], ...]) -> list[tuple[int, int]]:
    """Pixel sizes of a slide's charts in the slide body, from its rows of relative column widths."""
    rows = len(grid)
    if rows == 0:
        return []
    h = (BODY_H - GAP * (rows - 1)) // rows - TITLE_H
    sizes = []
    for row in grid:
        free = BODY_W - GAP * (len(row) - 1)
        sizes += [(int(free * w / sum(row)), h) for w in row]
    return sizes


def _graph(
    fig: go.Figure | dict[str, Any], key: str, width: int, height: int, lang: str, min_font: float = 0
) -> dcc.Graph:
    data = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    fitted = fit_to_size(data, width, height)
    return dcc.Graph(
        id=f"present-graph-{key}",
        figure=floor_fonts(fitted, min_font) if min_font else fitted,
        config=graph_config({"displayModeBar": False, "responsive": False}, lang),
        style={"width": f"{width}px", "height": f"{height}px"},
    )


def slide_caption(ds: Dataset, view: View) -> html.Footer:
    """Active filters, as-of date and the sample-data mark: on every slide."""
    caption_text, as_of, *sample = slide_marks(ds, view)
    parts = [html.Span(caption_text), html.Span(as_of), *[html.Span(m, className="slide-sample") for m in sample]]
    return html.Footer(parts, className="slide-caption")


def _slide(index: int, total: int, title: str, sentence: str, body: Any, footer: html.Footer) -> html.Section:
    return html.Section(
        [
            html.Header(
                [html.H2(title), html.Div(f"{index + 1} / {total}", className="slide-number")], className="slide-head"
            ),
            html.P(sentence, className="slide-sentence"),
            html.Div(body, className="slide-body"),
            footer,
        ],
        className="slide" + (" active" if index == 0 else ""),
        **attrs({"data-slide": str(index), "aria-roledescription": "slide", "aria-label": title}),
    )


def slide_body(planned: Planned, lang: str, min_font: float = 0) -> list[Any]:
    """A slide's charts at slide size, each under its title (no chart text below `min_font` px when set)."""
    out = []
    sizes = chart_sizes(planned.rows)
    for i, (fig, title, (w, h)) in enumerate(zip(planned.figures, planned.chart_titles, sizes, strict=True)):
        out.append(
            html.Figure(
                [
                    html.Figcaption(title, className="slide-chart-title"),
                    _graph(fig, f"{planned.slide.key}-{i}", w, h, lang, min_font),
                ],
                className="slide-chart",
            )
        )
    return out


def page_params() -> dict[str, str]:
    """The page's own URL parameters (the layout is fetched from /_dash-layout: the page is the Referer, as in
    components/page/layout.page_query); empty outside a request."""
    if not flask.has_request_context():
        return {}
    req = flask.request
    ref = urlsplit(req.referrer or "")
    query = ref.query if ref.netloc == req.host and ref.query else req.query_string.decode("utf-8", "replace")
    return dict(parse_qsl(query[:4096], keep_blank_values=True))


def wall_attrs(screen: Screen, lang: str, layout: WallLayout | None, pin: int) -> dict[str, str]:
    """The data attributes present.js reads for a wall screen: its size and panes ([x, y, w, h, the slide pinned
    there or -1]), saved views, daily reload."""
    panes = layout.panes if layout else ()
    return {
        "data-wall": f"{screen.wall[0]}x{screen.wall[1]}" if screen.wall else "",
        "data-panes": json.dumps(
            [[p.x, p.y, p.w, p.h, pin if layout and k < layout.pinned else -1] for k, p in enumerate(panes)]
        ),
        "data-next-view": screen.next_href,
        "data-reload-at": screen.reload_at or "",
        "data-text-reconnecting": t("wall_reconnecting", lang),
    }


def kpi_strip(ds: Dataset, view: View, layout: WallLayout | None) -> list[html.Div]:
    """A composed wall's KPI cards in one row across its top (designed STRIP_DESIGN_H high, scaled to the
    strip); nothing on other walls."""
    strip = layout.strip if layout else None
    if strip is None:
        return []
    cards = [kpi_card(k) for k in view_kpis(ds, view)]
    k = strip.h / STRIP_DESIGN_H
    return [
        html.Div(
            html.Div(cards, className="slide-kpis", style={"gridTemplateColumns": f"repeat({max(len(cards), 1)},1fr)"}),
            className="wall-kpis",
            style={
                "left": f"{strip.x}px",
                "top": f"{strip.y}px",
                "width": f"{strip.w / k:.1f}px",
                "height": f"{STRIP_DESIGN_H}px",
                "transform": f"scale({k:.4f})",
            },
        )
    ]


def wall_info(screen: Screen, ds: Dataset, view: View) -> list[html.Div]:
    """A wall's clock (HH:MM, kept by present.js) and as-of date, top right of the wall; nothing off a wall."""
    if not screen.wall:
        return []
    as_of = t("as_of", view.lang, date=ds.meta.get("as_of", ""))
    return [
        html.Div([html.Span(className="wall-clock"), html.Span(as_of, className="wall-as-of")], className="wall-info")
    ]


def present_layout(svc: Services, ds: Dataset, view: View, asked_theme: str | None = None) -> html.Div:
    """The whole presentation page for a view (`asked_theme`: the URL's theme parameter, if any); with
    `wall=WxH` in the URL, laid out for a wall screen of that resolution."""
    lang = view.lang
    settings = svc.settings
    screen = screen_of(page_params(), settings.screen_views, settings.screen_reload_at)
    layout = wall_layout(*screen.wall) if screen.wall else None
    # no chart text below 1/70 of the wall's height in the pane that draws it smallest
    min_font = (
        max((min_chart_font(screen.wall[1], p) for p in layout.panes), default=0.0) if screen.wall and layout else 0.0
    )
    composed = layout is not None and layout.strip is not None
    slide_view = replace(view, lang=lang, theme=present_theme(asked_theme), extras=(), notices=())

    def cached_figures(ds: Dataset, v: View, slide: Any) -> Any:
        return svc.cached(f"slide-{slide.key}", ds, view_key(v), lambda: slide_figures(ds, v, slide))

    footer = slide_caption(ds, view)
    # a composed wall shows the KPI cards in its strip: its overview slide (pinned in the centre) has its charts
    planned = plan(ds, slide_view, cached_figures, kpi_cards=not composed)
    if composed:  # an overview without charts has nothing to show beside the strip
        planned = [p for p in planned if p.figures or p.table is not None or not p.slide.kpis]
    pin = next((i for i, p in enumerate(planned) if p.slide.kpis and p.figures), -1) if composed else -1
    total = len(planned)
    slides = []
    for i, p in enumerate(planned):
        if p.slide.kpis and not composed:
            cards = [kpi_card(k) for k in view_kpis(ds, view)]
            body: list[Any] = [html.Div(cards, className="slide-kpis")]
        elif p.table is not None:
            body = [html.Div(grid_table(p.table, interactive=False), className="slide-table")]
        else:
            body = slide_body(p, lang, min_font)
        slides.append(_slide(i, total, p.title, p.sentence, body, footer))
    dark = slide_view.theme == "projector"
    return html.Div(
        [
            html.Div(
                [
                    *kpi_strip(ds, view, layout),
                    html.Div(slides, className="present-slides"),
                    *wall_info(screen, ds, view),
                ],
                id=ids.PRESENT_CANVAS,
                className="present-canvas",
            ),
            html.Div(html.Div(id=ids.PRESENT_PROGRESS, className="present-progress-bar"), className="present-progress"),
            html.Div(
                id=ids.PRESENT_STATUS, className="present-status", role="status", **attrs({"aria-live": "polite"})
            ),
        ],
        id=ids.PRESENT_ROOT,
        className=("present wall composed" if composed else "present wall") if screen.wall else "present",
        lang="zh-CN" if lang == "zh" else "en",
        **attrs(
            {
                "data-bs-theme": "dark" if dark else "light",
                "data-interval": str(interval_of(view, svc.settings.present_interval)),
                "data-version": ds.version,
                "data-exit": exit_href(view),
                # D: the view's written report as PDF (analysts and admins; a wall screen's viewer has none)
                "data-report": "/export/report.pdf" + exit_href(view).removeprefix("/") if auth.may(ANALYST) else "",
                "data-start": dict(view.extras).get("slide", "1"),
                "data-text-paused": t("present_paused", lang),
                "data-text-offline": t("present_offline", lang),
                **wall_attrs(screen, lang, layout, pin),
            }
        ),
    )
