"""Wall screens' pure pieces (components/core/wall.py): `wall=WxH`, the panes, the chart-font floor, saved views
(STI_SCREEN_VIEWS, ?views=), the daily reload time (STI_SCREEN_RELOAD_AT, ?reload_at=) and the wall's page."""

from __future__ import annotations

import itertools
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from components.core.state import from_query
from components.core.wall import (
    Pane,
    composed_layout,
    floor_fonts,
    is_composed,
    min_chart_font,
    next_view_href,
    pane_layout,
    parse_reload_at,
    parse_views,
    parse_wall,
    screen_of,
    wall_layout,
)
from components.page import present
from components.server.settings import Settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5760x1080", (5760, 1080)),
        ("3840X1080", (3840, 1080)),
        (" 7680x2160 ", (7680, 2160)),
        ("6656×1792", (6656, 1792)),
        ("1920x1080", (1920, 1080)),
        ("30720x8640", (30720, 8640)),
        ("", None),
        (None, None),
        ("5760", None),
        ("5760x", None),
        ("x1080", None),
        ("-5760x1080", None),
        ("5760x1080x2", None),
        ("57.6x10.8", None),
        ("99999x1080", None),  # wider than 30720
        ("500x300", None),  # smaller than 640x360
        ("5760x9000", None),
        ("0x0", None),
        ("abcxdef", None),
    ],
)
def test_wall_size_from_the_url_is_parsed_and_bounded(raw: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_wall(raw) == expected


@pytest.mark.parametrize(
    ("size", "panes"),
    [
        ((1920, 1080), [Pane(0, 0, 1920, 1080)]),
        ((3840, 1080), [Pane(0, 0, 1920, 1080), Pane(1920, 0, 1920, 1080)]),
        ((5760, 1080), [Pane(0, 0, 1920, 1080), Pane(1920, 0, 1920, 1080), Pane(3840, 0, 1920, 1080)]),
        ((7680, 2160), [Pane(0, 0, 3840, 2160), Pane(3840, 0, 3840, 2160)]),
        # 6656 / (1792 * 16/9) = 2.09 slides: two, with the spare width spread into three equal gaps
        ((6656, 1792), [Pane(95, 0, 3185, 1792), Pane(3376, 0, 3185, 1792)]),
    ],
)
def test_pane_layout(size: tuple[int, int], panes: list[Pane]) -> None:
    assert pane_layout(*size) == panes


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 1080), (5760, 1080), (7680, 2160), (6656, 1792), (5750, 1080)])
def test_panes_are_16_9_inside_the_wall_without_overlap_and_use_most_of_it(size: tuple[int, int]) -> None:
    width, height = size
    panes = pane_layout(width, height)
    for a, b in itertools.pairwise(panes):
        assert a.x + a.w <= b.x
    for p in panes:
        assert p.x >= 0
        assert p.x + p.w <= width
        assert p.y >= 0
        assert p.y + p.h <= height
        assert abs(p.w / p.h - 16 / 9) < 0.01
    assert sum(p.w for p in panes) >= 0.9 * width


@pytest.mark.parametrize(
    ("size", "composed"),
    [
        ((7680, 2160), True),
        ((11520, 3240), True),
        ((6000, 2000), True),
        ((3840, 1080), False),
        ((5760, 1080), False),
        ((6656, 1792), False),
        ((7680, 4320), False),
        ((5999, 2000), False),
    ],
)
def test_a_wide_wall_of_two_panel_rows_is_composed(size: tuple[int, int], composed: bool) -> None:
    assert is_composed(*size) is composed
    layout = wall_layout(*size)
    assert (layout.strip is not None, layout.pinned) == ((True, 1) if composed else (False, 0))


@pytest.mark.parametrize("size", [(7680, 2160), (11520, 3240), (6000, 2000)])
def test_the_composed_wall_has_kpis_on_top_the_centre_pinned_and_slides_beside_it(size: tuple[int, int]) -> None:
    width, height = size
    layout = composed_layout(width, height)
    strip, (centre, left, right) = layout.strip, layout.panes
    assert strip is not None
    assert strip.w >= 0.95 * width  # across the top
    assert strip.y + strip.h <= 0.25 * height
    for pane in (centre, left, right):
        assert abs(pane.w / pane.h - 16 / 9) < 0.01  # whole slides
        assert pane.y >= strip.y + strip.h  # under the strip
        assert 0 <= pane.x < pane.x + pane.w <= width
        assert 0 <= pane.y < pane.y + pane.h <= height
    assert abs((centre.x + centre.w / 2) - width / 2) <= 1  # in the centre
    assert left.x + left.w < centre.x < centre.x + centre.w < right.x  # left and right of it, not overlapping
    assert (left.w, left.h, left.y) == (right.w, right.h, right.y)
    assert left.x == width - (right.x + right.w)  # symmetric
    assert centre.w > left.w
    used = strip.w * strip.h + sum(p.w * p.h for p in (centre, left, right))
    assert used >= 0.75 * width * height  # the wall is used, not a small picture in its middle


def test_a_slightly_narrow_wall_keeps_its_panes_a_little_smaller() -> None:
    panes = pane_layout(5750, 1080)  # a few pixels short of three slides: still three
    assert len(panes) == 3
    assert all(p.w == 1916 for p in panes)
    assert len(pane_layout(100_000, 1080)) == 8  # at most eight


@pytest.mark.parametrize(("size", "floor"), [((3840, 1080), 1080 / 70), ((7680, 2160), 1080 / 70)])
def test_chart_font_floor_is_a_70th_of_the_wall_in_slide_pixels(size: tuple[int, int], floor: float) -> None:
    assert min_chart_font(size[1], pane_layout(*size)[0]) == pytest.approx(floor)


def test_floor_fonts_raises_only_font_sizes() -> None:
    fig = {
        "data": [{"type": "bar", "textfont": {"size": 9}, "marker": {"size": 4}}],
        "layout": {
            "font": {"size": 20},
            "xaxis": {"tickfont": {"size": 8}, "title": {"font": {"size": 12}}},
            "annotations": [{"text": "a", "font": {"size": 11}}, {"text": "b"}],
            "width": 800,
        },
    }
    out = floor_fonts(fig, 16)
    assert out["data"][0] == {"type": "bar", "textfont": {"size": 16}, "marker": {"size": 4}}
    assert out["layout"]["font"] == {"size": 20}
    assert out["layout"]["xaxis"] == {"tickfont": {"size": 16}, "title": {"font": {"size": 16}}}
    assert out["layout"]["annotations"] == [{"text": "a", "font": {"size": 16}}, {"text": "b"}]
    assert out["layout"]["width"] == 800
    assert fig["layout"]["xaxis"]["tickfont"]["size"] == 8  # the original is untouched


def test_saved_views_are_split_and_normalised() -> None:
    assert parse_views("year=2012;period=2012-11&district=330212") == ("year=2012", "period=2012-11&district=330212")
    assert parse_views("?year=2011\n\n year=2012&lang=en ;") == ("year=2011", "year=2012&lang=en")
    assert parse_views("district=330212,330281") == ("district=330212,330281",)
    assert parse_views("") == ()


@pytest.mark.parametrize(
    "raw",
    ["present=1", "year=2012&wall=5760x1080", "year=<script>", "year", "year=2012;x=1", ";".join(["year=1"] * 51)],
)
def test_bad_saved_views_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"is not|at most"):
        parse_views(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("04:00", "04:00"), ("4:00", "04:00"), ("23:59", "23:59"), ("00:00", "00:00"), ("", None), ("off", None)],
)
def test_reload_time(raw: str, expected: str | None) -> None:
    assert parse_reload_at(raw) == expected


@pytest.mark.parametrize("raw", ["24:00", "4", "04:60", "4pm", "04:00:00", "-1:00"])
def test_bad_reload_time_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="time of day"):
        parse_reload_at(raw)


def test_settings_read_the_screen_variables_and_refuse_bad_ones() -> None:
    base = Settings.from_env({})
    assert base.screen_views == ()
    assert base.screen_reload_at == "04:00"
    s = Settings.from_env(
        {"STI_SCREEN_VIEWS": "year=2012;period=2012-11&district=330212", "STI_SCREEN_RELOAD_AT": "5:30"}
    )
    assert s.screen_views == ("year=2012", "period=2012-11&district=330212")
    assert s.screen_reload_at == "05:30"
    assert Settings.from_env({"STI_SCREEN_RELOAD_AT": "off"}).screen_reload_at is None
    with pytest.raises(ValueError, match="STI_SCREEN_VIEWS"):
        Settings.from_env({"STI_SCREEN_VIEWS": "year=2012;wall=1"})
    with pytest.raises(ValueError, match="STI_SCREEN_RELOAD_AT"):
        Settings.from_env({"STI_SCREEN_RELOAD_AT": "25:00"})


def _params(href: str) -> dict[str, list[str]]:
    parts = urlsplit(href)
    assert parts.path == "/"
    return parse_qs(parts.query)


def test_next_view_keeps_the_screen_and_moves_on_in_a_circle() -> None:
    views = ("year=2011", "period=2012-11&district=330212&lang=en")
    page = {"present": "1", "wall": "5760x1080", "interval": "30", "lang": "zh", "year": "2012", "slide": "4"}
    first = _params(next_view_href(views, page))
    assert first == {
        "year": ["2011"],
        "present": ["1"],
        "lang": ["zh"],
        "wall": ["5760x1080"],
        "interval": ["30"],
        "vi": ["0"],
    }
    second = _params(next_view_href(views, {**page, "vi": "0"}))
    assert second["period"] == ["2012-11"]
    assert second["district"] == ["330212"]
    assert second["lang"] == ["en"]  # the view's own language wins
    assert second["vi"] == ["1"]
    assert _params(next_view_href(views, {**page, "vi": "1"}))["vi"] == ["0"]  # back to the first
    assert _params(next_view_href(views, {**page, "vi": "7"}))["vi"] == ["0"]  # an index out of range: the first
    assert next_view_href((), page) == ""


def test_screen_of_the_url_and_the_settings() -> None:
    settings_views = ("year=2011",)
    wall = screen_of({"present": "1", "wall": "3840x1080"}, settings_views, "04:00")
    assert wall.wall == (3840, 1080)
    assert wall.views == settings_views
    assert wall.reload_at == "04:00"
    assert _params(wall.next_href)["year"] == ["2011"]
    own = screen_of({"present": "1", "views": "year=2010;year=2012", "reload_at": "off"}, settings_views, "04:00")
    assert own.views == ("year=2010", "year=2012")  # the link's own views, even off a wall
    assert own.reload_at is None
    assert own.next_href.startswith("/?year=2010&present=1&views=")
    bad = screen_of({"present": "1", "wall": "huge", "views": "wall=1", "reload_at": "99"}, settings_views, "04:00")
    assert bad.wall is None
    assert bad.views == settings_views  # bad URL values are ignored
    assert bad.reload_at == "04:00"
    assert bad.next_href == ""  # a meeting's presentation (no wall, no views of its own) stays on its view


def test_wall_page_carries_its_panes_and_larger_chart_fonts(sample_app, sample) -> None:
    svc = sample_app.server.config["STI_SERVICES"]
    view = from_query(sample, "?present=1&year=2012")
    url = "http://localhost/?present=1&year=2012&wall=7680x2160&views=year%3D2011"
    with sample_app.server.test_request_context(headers={"Referer": url}):
        root = present.present_layout(svc, sample, view)
    props = root.to_plotly_json()["props"]
    assert "wall" in props["className"].split()
    assert props["data-wall"] == "7680x2160"
    centre, left, right = composed_layout(7680, 2160).panes
    overview = 0  # the first slide: pinned in the centre
    assert json.loads(props["data-panes"]) == [
        [centre.x, centre.y, centre.w, centre.h, overview],
        [left.x, left.y, left.w, left.h, -1],
        [right.x, right.y, right.w, right.h, -1],
    ]
    assert "composed" in props["className"].split()
    assert props["data-reload-at"] == "04:00"
    assert _params(props["data-next-view"])["year"] == ["2011"]
    assert props["data-text-reconnecting"] == "重新连接中…"
    text = json.dumps(root.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert "wall-clock" in text
    assert "数据截至 2012-12-31" in text
    sizes = [float(m) for m in _font_sizes(json.loads(text))]
    assert sizes
    assert min(sizes) >= 2160 / 70 / left.scale - 1e-9  # the side panes draw a slide smallest
    assert text.count('"card kpi-card') == 8  # the KPI strip, once: the overview slide shows its charts instead
    assert "present-graph-overview-0" in text
    with sample_app.server.test_request_context(headers={"Referer": url.replace("7680x2160", "3840x1080")}):
        two = present.present_layout(svc, sample, view).to_plotly_json()["props"]
    assert json.loads(two["data-panes"]) == [[0, 0, 1920, 1080, -1], [1920, 0, 1920, 1080, -1]]
    assert two["className"] == "present wall"
    with sample_app.server.test_request_context(headers={"Referer": "http://localhost/?present=1&year=2012"}):
        plain = present.present_layout(svc, sample, view).to_plotly_json()["props"]
    assert plain["className"] == "present"
    assert plain["data-wall"] == ""
    assert plain["data-next-view"] == ""


def _font_sizes(node: object, in_font: bool = False) -> list[float]:
    out: list[float] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if in_font and key == "size" and isinstance(value, int | float):
                out.append(value)
            else:
                out += _font_sizes(value, key.endswith("font"))
    elif isinstance(node, list):
        for value in node:
            out += _font_sizes(value, in_font)
    return out


def test_a_screen_link_carries_the_walls_settings_on(tmp_path) -> None:
    from app import create_app
    from components.server.users import UserStore

    settings = Settings(
        data_dir=None,
        library_dir=tmp_path / "library",
        cache_dir=tmp_path / "cache",
        users_file=tmp_path / "users.json",
        secret_file=tmp_path / "secret.key",
    )
    app = create_app(settings)
    token = UserStore(tmp_path / "users.json").add_screen("hall-1")
    client = app.server.test_client()
    views = "year=2011;year=2012&district=330212"
    opened = client.get(f"/screen/{token}", query_string={"wall": "5760x1080", "views": views, "evil": "1"})
    assert opened.status_code == 303
    params = _params(opened.headers["Location"])
    assert params == {"present": ["1"], "lang": ["zh"], "wall": ["5760x1080"], "views": [views]}
    assert client.get(f"/screen/{token}").status_code == 403  # a link opens once: a copy of it opens nothing
    fresh = UserStore(tmp_path / "users.json").add_screen("hall-1")
    plain = client.get(f"/screen/{fresh}")
    assert plain.headers["Location"] == "/?present=1&lang=zh"


@pytest.mark.parametrize("shape", ["minimal", "no_pipeline", "other_city", "monthly", "quarterly", "large"])
def test_a_composed_wall_of_every_dataset_shape(sample_app, shape: str) -> None:
    """Any dataset on a 7680×2160 wall: the strip holds the view's KPI cards, the centre pins the overview when
    it has charts (else every pane rotates), and no slide is left empty."""
    from pathlib import Path

    from components.charts.kpis import view_kpis
    from data.load import load_dataset

    ds = load_dataset(Path(__file__).resolve().parents[1] / "fixtures" / shape)
    svc = sample_app.server.config["STI_SERVICES"]
    view = from_query(ds, "?present=1")
    with sample_app.server.test_request_context(headers={"Referer": "http://localhost/?present=1&wall=7680x2160"}):
        root = present.present_layout(svc, ds, view).to_plotly_json()
    props = root["props"]
    text = json.dumps(root, default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert text.count('"card kpi-card') == len(view_kpis(ds, view))
    panes = json.loads(props["data-panes"])
    assert len(panes) == 3
    slides = [s for s in _nodes(root) if "slide" in str(s.get("props", {}).get("className", "")).split()]
    assert slides
    for s in slides:
        body = json.dumps(s, default=lambda o: o.to_plotly_json())
        assert "present-graph-" in body or "slide-table" in body, "an empty slide"
    first = json.dumps(slides[0], default=lambda o: o.to_plotly_json())
    assert panes[0][4] == (0 if "present-graph-overview" in first else -1)
    assert [p[4] for p in panes[1:]] == [-1, -1]


def _nodes(node: object) -> list[dict]:
    """Every component (as JSON) under `node`."""
    if hasattr(node, "to_plotly_json"):
        node = node.to_plotly_json()
    out: list[dict] = []
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            out.append(node)
        for value in node.values():
            out += _nodes(value)
    elif isinstance(node, list):
        for value in node:
            out += _nodes(value)
    return out
