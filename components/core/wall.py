"""Wall screens (?present=1&wall=WxH): the pure pieces, no Dash or Flask.

A spliced wall of W×H pixels is one canvas designed at that resolution and scaled as a whole by
assets/present.js. It holds N panes side by side, each a 1920×1080 slide scaled to the wall's full height
(so slide text keeps its size relative to the wall's height: readable from the back of the room), spread
evenly across the width. Rotation pages by N: pane k shows slide (current + k) mod n.

A wall of two panel rows or more that is at least three times as wide as high (7680×2160) is a composed 大屏
(`wall_layout`): the KPI cards across the top, the overview's map and plan chart in the centre (pinned), and the
other slides left and right of it, rotating two at a time.

Unattended screens also rotate between saved views (STI_SCREEN_VIEWS or ?views=, queries separated by `;` or
newlines) and reload once a day at a set time (STI_SCREEN_RELOAD_AT, ?reload_at=HH:MM).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

SLIDE_W, SLIDE_H = 1920, 1080
MIN_W, MAX_W = 640, 30720
MIN_H, MAX_H = 360, 8640
MAX_PANES = 8
FIT_SLACK = 0.05  # a wall a few pixels narrower than N whole slides still holds N (they shrink a little)
WALL_RE = re.compile(r"([0-9]{3,5})[xX×*]([0-9]{3,4})")
HHMM_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
VIEW_KEYS = ("year", "period", "basis", "district", "lang", "theme", "section")
VALUE_RE = re.compile(r"[A-Za-z0-9,_-]{1,200}")
MAX_VIEWS = 50
READABLE = 70  # chart text at least 1/70 of the wall's height
# URL parameters a wall keeps when it moves on to the next saved view (the view's own filters replace the rest).
KEPT_PARAMS = ("wall", "interval", "views", "reload_at")
# What a wall screen's link (/screen/<token>?…) may carry on to presentation mode: the above and its first view.
SCREEN_PARAMS = (*KEPT_PARAMS, "theme", "year", "period", "basis", "district")


@dataclass(frozen=True)
class Pane:
    """One slide's place on the wall canvas, in design pixels (the slide is scaled by w / 1920)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def scale(self) -> float:
        """How much the 1920×1080 slide is enlarged to fill this pane."""
        return self.w / SLIDE_W


def parse_wall(raw: str | None) -> tuple[int, int] | None:
    """`5760x1080` -> (5760, 1080); None for anything else or a size outside 640..30720 × 360..8640."""
    m = WALL_RE.fullmatch((raw or "").strip())
    if not m:
        return None
    w, h = int(m.group(1)), int(m.group(2))
    if not (MIN_W <= w <= MAX_W and MIN_H <= h <= MAX_H):
        return None
    return w, h


def pane_layout(width: int, height: int) -> list[Pane]:
    """The panes of a `width`×`height` wall: as many whole 16:9 slides of the wall's height as fit side by side
    (at most 8), spread with equal gaps; a slightly narrow wall shrinks them to fit rather than losing one."""
    full_w = height * SLIDE_W / SLIDE_H
    n = max(1, min(MAX_PANES, int(width / full_w + FIT_SLACK)))
    pane_w = math.floor(min(full_w, width / n) + 1e-9)
    pane_h = min(height, round(pane_w * SLIDE_H / SLIDE_W))
    gap = (width - n * pane_w) / (n + 1)
    y = (height - pane_h) // 2
    return [Pane(round(gap + k * (pane_w + gap)), y, pane_w, pane_h) for k in range(n)]


COMPOSED_MIN_H = 2000  # two rows of 1080p panels (or more)
COMPOSED_MIN_ASPECT = 3.0
STRIP_SHARE = 0.2  # the KPI strip's share of the wall's height
MARGIN_SHARE = 0.02  # the margins around and between the composed parts, as a share of the height


@dataclass(frozen=True)
class WallLayout:
    """Where things go on a wall: the slides' panes (the first `pinned` hold the pinned slide: the overview's
    charts), and the KPI strip across the top of a composed 大屏 (None otherwise)."""

    panes: tuple[Pane, ...]
    pinned: int = 0
    strip: Pane | None = None


def is_composed(width: int, height: int) -> bool:
    """Whether a `width`×`height` wall is laid out as a composed 大屏 (tall and wide enough for one)."""
    return height >= COMPOSED_MIN_H and width / height >= COMPOSED_MIN_ASPECT


def composed_layout(width: int, height: int) -> WallLayout:
    """The composed 大屏: the KPI strip across the top; below it, a centre pane (a 16:9 slide of the remaining
    height) and one 16:9 pane on each side, as wide as the room beside the centre allows, centred in it."""
    m = round(height * MARGIN_SHARE)
    strip = Pane(m, m, width - 2 * m, round(height * STRIP_SHARE))
    top = strip.y + strip.h + m
    body_h = height - top - m
    centre_w = round(body_h * SLIDE_W / SLIDE_H)
    centre = Pane((width - centre_w) // 2, top, centre_w, body_h)
    room = centre.x - 2 * m  # beside the centre, inside the margins
    side_w = math.floor(min(room, body_h * SLIDE_W / SLIDE_H))
    side_h = round(side_w * SLIDE_H / SLIDE_W)
    y = top + (body_h - side_h) // 2
    left = Pane(m + (room - side_w) // 2, y, side_w, side_h)
    right = Pane(width - left.x - side_w, y, side_w, side_h)
    return WallLayout((centre, left, right), pinned=1, strip=strip)


def wall_layout(width: int, height: int) -> WallLayout:
    """The wall's layout: composed (`is_composed`), else `pane_layout`'s panes side by side."""
    if is_composed(width, height):
        return composed_layout(width, height)
    return WallLayout(tuple(pane_layout(width, height)))


def min_chart_font(height: int, pane: Pane) -> float:
    """The smallest font size (slide pixels) a chart may use so that, drawn in `pane`, it is ≥ height / 70."""
    return height / READABLE / pane.scale


def floor_fonts(figure: Mapping[str, Any], size: float) -> dict[str, Any]:
    """A copy of a figure (JSON form) whose every font size is at least `size` (fonts without a size inherit)."""

    def walk(node: Any, in_font: bool) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if in_font and key == "size" and isinstance(value, int | float):
                    out[key] = max(value, size)
                else:
                    out[key] = walk(value, key.endswith("font"))
            return out
        if isinstance(node, list):
            return [walk(v, in_font) for v in node]
        return node

    return {key: walk(value, False) for key, value in figure.items()}


def parse_view_query(raw: str) -> str:
    """One saved view (`year=2012&district=330212`, a leading `?` allowed) normalised; ValueError when it
    names anything but the view's filters or carries odd characters."""
    text = raw.strip().lstrip("?")
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        raise ValueError(f"{raw!r} is not a view query like year=2012&district=330212")
    for key, value in pairs:
        if key not in VIEW_KEYS:
            raise ValueError(f"{raw!r}: {key!r} is not one of {', '.join(VIEW_KEYS)}")
        if not VALUE_RE.fullmatch(value):
            raise ValueError(f"{raw!r}: {value!r} is not a plain value")
    return urlencode(pairs, safe=",")


def parse_views(raw: str) -> tuple[str, ...]:
    """Saved views separated by `;` or newlines -> normalised queries (empty parts skipped); ValueError on a
    bad one or more than 50."""
    views = tuple(parse_view_query(part) for part in re.split(r"[;\n]", raw or "") if part.strip())
    if len(views) > MAX_VIEWS:
        raise ValueError(f"{len(views)} views: at most {MAX_VIEWS}")
    return views


def parse_reload_at(raw: str) -> str | None:
    """`4:00` -> '04:00'; '' / 'off' / 'none' -> None (no daily reload); ValueError for anything else."""
    text = (raw or "").strip().lower()
    if text in ("", "off", "none", "no"):
        return None
    m = HHMM_RE.fullmatch(text)
    if not m:
        raise ValueError(f"{raw!r} is not a time of day like 04:00 (or 'off')")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


@dataclass(frozen=True)
class Screen:
    """What the wall's page needs from its URL and the settings."""

    wall: tuple[int, int] | None
    views: tuple[str, ...]
    reload_at: str | None
    next_href: str  # the next saved view's full URL ('' without saved views)


def screen_of(params: Mapping[str, str], views: tuple[str, ...], reload_at: str | None) -> Screen:
    """The screen for a page's URL parameters; `views` and `reload_at` are the settings' (the URL's own
    `views=` and `reload_at=` win when valid, bad ones are ignored). Saved views rotate on a wall, or
    wherever the URL names its own."""
    try:
        own = parse_views(params["views"]) if "views" in params else None
    except ValueError:
        own = None
    try:
        at = parse_reload_at(params["reload_at"]) if "reload_at" in params else reload_at
    except ValueError:
        at = reload_at
    chosen = own if own else views
    wall = parse_wall(params.get("wall"))
    # a meeting's presentation stays on its view: only a wall, or a link naming its views, moves on
    return Screen(wall, chosen, at, next_view_href(chosen, params) if wall or own else "")


def next_view_href(views: tuple[str, ...], params: Mapping[str, str]) -> str:
    """The URL of the view after the page's own (`vi`: its index in `views`; none: before the first), keeping
    presentation mode, the language and theme unless the view sets them, and the screen's own parameters."""
    if not views:
        return ""
    raw = params.get("vi", "")
    index = int(raw) if raw.isascii() and raw.isdigit() and int(raw) < len(views) else -1
    nxt = (index + 1) % len(views)
    own = dict(parse_qsl(views[nxt]))
    keep: list[tuple[str, str]] = [("present", "1")]
    keep += [(k, params[k]) for k in ("lang", "theme") if k in params and k not in own]
    keep += [(k, params[k]) for k in KEPT_PARAMS if k in params]
    keep.append(("vi", str(nxt)))
    return "/?" + views[nxt] + "&" + urlencode(keep, safe=",")
