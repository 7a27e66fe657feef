"""Pure figure builders: frames in, figures out as plain JSON dicts (no dash import, no data access).

Plain dicts, not plotly.graph_objects: a go.Figure validates every property on construction (half the
server time of a filter change), and what the browser gets is this JSON anyway.

Every builder takes the language and theme, labels its axes with units, and returns a readable
"no data" figure instead of a blank chart when there is nothing to draw.

Text comes in as text: names, labels and units from the dataset (districts, stations, indicators, peer
cities, plans, outage causes, event titles) are passed in raw, and each builder puts them into the figure through
`literal`, once, so that Plotly shows them as written and never reads them as its markup. The markup in a
figure (<br>, <extra>, %{…}) is the builder's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from components.charts.theme import base_layout, palette
from components.core.i18n import axis_unit, fmt_indicator, t

Ref = tuple[float, str, str]  # (y value, label, colour key in the palette)
MANY = 12  # more categories than this (districts, stations): bars turn horizontal, one row each
ROW_PX = 24  # a row's height on the page when there are many


def literal(text: object) -> str:
    """`text` as Plotly shows it literally: &, < and > as entities, and %{ as &#37;{ (not a template).

    Plotly reads <a>, <b>, <i>, <br>, <span>, <sub>, <sup>, … and entities in every text it draws as its own
    markup, and %{…} in templates (hover, and titles and names once a figure has meta); it decodes entities in
    all of them (plotly.js src/lib/svg_text_utils.js, convertEntities), so escaped text reads as written.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "&#37;{")


_ENTITIES = re.compile("&(amp|lt|gt|#37);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">", "#37": "%"}


def unliteral(text: str) -> str:
    """The text `literal` was given: its entities decoded, once (for tables read back from a figure)."""
    return _ENTITIES.sub(lambda m: _DECODED[m.group(1)], text)


def cells(text: str) -> int:
    """Width in character cells: a CJK character (or full-width sign) takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def abbreviate(label: str, limit: int) -> str:
    """`label` cut to about `limit` cells with '…'; the full text goes in hover."""
    for i in range(len(label)):
        if cells(label[: i + 1]) > limit:
            return label[: max(i - 1, 1)].rstrip() + "…"
    return label


Fig = dict[str, Any]  # {"data": [trace, ...], "layout": {...}}, as plotly.js takes it


def jsonable(value: Any) -> Any:
    """JSON-ready: arrays and series as lists, numpy scalars as Python numbers, NaN as null."""
    if isinstance(value, pd.Series | pd.Index | np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def new_figure(layout: dict[str, Any]) -> Fig:
    """An empty figure with this layout."""
    return {"data": [], "layout": layout}


def add_trace(fig: Fig, kind: str, **props: Any) -> None:
    """A trace of type `kind` appended to the figure."""
    fig["data"].append({"type": kind, **jsonable(props)})


def add_bars(fig: Fig, categories: Any, values: Any, flat: bool, **props: Any) -> None:
    """A bar trace of `values` per category: horizontal bars when `flat` (many categories), else columns."""
    add_trace(
        fig,
        "bar",
        x=values if flat else categories,
        y=categories if flat else values,
        orientation="h" if flat else "v",
        **props,
    )


def label_room(n: int, flat: bool) -> int:
    """How many characters (CJK count two) a category label may take: down the side of horizontal bars, or
    under its bar (Plotly turns long labels aslant, so 12 at least; more when few bars share the width)."""
    return 18 if flat else max(12, min(20, int(480 / max(n, 1) / 7)))


def category_axis(names: Sequence[str], limit: int) -> dict[str, Any]:
    """A category axis showing every name (raw; the categories are their `literal`s), abbreviated where long
    (hover keeps the full name)."""
    return {
        "type": "category",
        "tickmode": "array",
        "tickvals": [literal(n) for n in names],
        "ticktext": [literal(abbreviate(str(n), limit)) for n in names],
        "dtick": 1,
    }


def bar_axes(categories: dict[str, Any], values: dict[str, Any], flat: bool) -> dict[str, Any]:
    """Axes of a bar chart: categories along x, or down y top first when `flat` (horizontal bars)."""
    if flat:
        return {"yaxis": {**categories, "autorange": "reversed"}, "xaxis": values}
    return {"xaxis": categories, "yaxis": values}


def wrap(text: str, width: int = 30) -> str:
    """`text` broken into lines of about `width` cells with <br> (between words, or anywhere in unspaced text);
    each line `literal`."""
    sep = " " if " " in text else ""
    lines, line = [], ""
    for token in text.split(" ") if sep else list(text):
        joined = f"{line}{sep}{token}" if line else token
        if line and cells(joined) > width:
            lines.append(line)
            line = token
        else:
            line = joined
    return "<br>".join(literal(part) for part in [*lines, line])


def empty_figure(message: str, theme: str = "light") -> Fig:
    """A figure that says why there is nothing to show (hidden axes, centred message, wrapped to fit narrow
    cards)."""
    p = palette(theme)
    hidden = {"visible": False}
    return new_figure(
        base_layout(
            theme,
            xaxis=hidden,
            yaxis=hidden,
            annotations=[
                {
                    "text": wrap(message),
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": p.get("font_size", 13) + 2, "color": p["muted"]},
                }
            ],
            meta={"empty": True},
        )
    )


def ref_line(fig: Fig, ref: Ref, theme: str, right: bool = False, down: bool = False) -> None:
    """A dashed reference line with its label on a backdrop: across the plot at y, labelled at the left (or
    right) end; or with `down` (horizontal bars) down the plot at x, labelled at the top (or bottom).

    Plain layout shapes: plotly's add_hline costs ~20 ms a call.
    """
    at, label, colour = ref
    p = palette(theme)
    value, across = ("x", "y") if down else ("y", "x")
    line = {"color": p[colour], "width": 1.5, "dash": "dash"}
    fig["layout"].setdefault("shapes", []).append(
        {"type": "line", f"{across}ref": "paper", f"{across}0": 0, f"{across}1": 1, f"{value}ref": value,
         f"{value}0": at, f"{value}1": at, "line": line}
    )  # fmt: skip
    place = (
        {"y": 0 if right else 1, "yanchor": "top" if right else "bottom", "x": at, "xanchor": "left"}
        if down
        else {"x": int(right), "xanchor": "right" if right else "left", "y": at, "yanchor": "bottom"}
    )
    fig["layout"].setdefault("annotations", []).append(
        {
            "text": literal(label),
            f"{across}ref": "paper",
            f"{value}ref": value,
            **place,
            "showarrow": False,
            "bgcolor": p["label_bg"],
            "font": {"color": p[colour], "size": p.get("font_size", 13) - 1},
        }
    )


def years_axis(years: Sequence[int]) -> dict[str, Any]:
    """A year axis with one tick per year and half a year of room at each end (for value labels)."""
    ys = list(years)
    room = {"range": [min(ys) - 0.5, max(ys) + 0.5]} if ys else {}
    return {"tickmode": "array", "tickvals": ys, "ticktext": [str(y) for y in ys], **room}


def headroom(values: Sequence[float], refs: Sequence[float] = (), low: float = 0.0) -> list[float]:
    """A y range from `low` (zero, or below it for negative values) with room above the highest point."""
    top = max([0.0, *values, *refs])
    span = (top - low) or 1.0
    return [low - (0.08 * span if low < 0 else 0), top + 0.18 * span if top > 0 or low < 0 else 1]


def district_bars(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str]],
    selected: Sequence[str],
    unit_zh: str,
    lang: str,
    theme: str,
    refs: Sequence[Ref] = (),
    info: dict[str, Any] | None = None,
) -> Fig:
    """Districts compared for one year; bars carry the district code (customdata) for cross-filtering.

    `frame`: columns district, name and the value columns; `columns`: (column, legend label). Selected
    districts are drawn solid, the others faded. With many districts the bars run horizontally, one row
    per district; long names are abbreviated on the axis and given in full on hover. `info` (an
    indicators.csv row) formats values in the indicator's own unit.
    """
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    unit_info = info or {"unit_zh": unit_zh}
    factor, unit = axis_unit(unit_info, lang)
    frame = frame.sort_values(columns[0][0], ascending=False)
    flat = len(frame) > MANY
    names = list(frame["name"])
    cats = category_axis(names, label_room(len(names), flat))
    value_axis = {"title": {"text": literal(unit)}}
    axes = bar_axes(cats, value_axis, flat)
    fig = new_figure(base_layout(theme, barmode="group", clickmode="event", **axes))
    for col, label in columns:
        opacity = opacities(list(frame["district"]), selected)
        values = frame[col] * factor
        add_bars(
            fig,
            cats["tickvals"],
            values,
            flat,
            name=literal(label),
            customdata=frame["district"],
            marker={"opacity": opacity},
            text=[literal(fmt_indicator(v, unit_info, lang)) for v in frame[col]],
            hovertemplate=("%{y} " if flat else "%{x} ") + literal(label) + ": %{text}<extra></extra>",
            textposition="none",
        )
    for i, ref in enumerate(refs):  # labels alternate ends so that two lines' labels never overlap
        scaled = (ref[0] * factor, ref[1], ref[2])
        ref_line(fig, scaled, theme, right=i % 2 == 1, down=flat)
    fig["layout"]["showlegend"] = len(columns) > 1
    return fig


def trend_line(
    series: pd.Series,
    label: str,
    unit_zh: str,
    lang: str,
    theme: str,
    refs: Sequence[Ref] = (),
    info: dict[str, Any] | None = None,
) -> Fig:
    """One indicator over the years, with optional reference lines (`info`: its own unit, when it has one)."""
    if series.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    unit_info = info or {"unit_zh": unit_zh}
    factor, unit = axis_unit(unit_info, lang)
    values = series.values * factor
    low = min(0.0, float(min(values)))
    fig = new_figure(
        base_layout(
            theme,
            xaxis=years_axis(series.index),
            yaxis={"title": {"text": literal(unit)}, "range": headroom(values, [r[0] * factor for r in refs], low)},
            showlegend=False,
        )
    )
    add_trace(
        fig,
        "scatter",
        x=list(series.index),
        y=values,
        mode="lines+markers+text",
        name=literal(label),
        text=[literal(fmt_indicator(v, unit_info, lang)) for v in series.values],
        textposition="top center",
        cliponaxis=False,
        line={"width": 3},
        hovertemplate="%{x}: %{text}<extra>" + literal(label) + "</extra>",
    )
    for i, ref in enumerate(refs):  # labels alternate ends so that two lines' labels never overlap
        ref_line(fig, (ref[0] * factor, ref[1], ref[2]), theme, right=i % 2 == 1)
    return fig


def indicator_trend(series: pd.Series, info: dict[str, Any], lang: str, theme: str) -> Fig:
    """Any indicator over the years in its own unit (the generic section's trend)."""
    label = str(info["name_en"] if lang == "en" else info["name_zh"])
    return trend_line(series, label, str(info.get("unit_zh") or ""), lang, theme, info=info)


def period_compare(frame: pd.DataFrame, names: tuple[str, str], info: dict[str, Any], lang: str, theme: str) -> Fig:
    """This year's months or quarters (bars) over the same ones a year before (line): 同期 at a glance.
    Columns: label (the month or quarter), this, last (None where there is no figure: a gap, never a zero);
    `names`: the two series' names ('2012年（累计）', '2011年同期')."""
    if frame.empty or (frame["this"].isna().all() and frame["last"].isna().all()):
        return empty_figure(t("no_data_selection", lang), theme)
    factor, unit = axis_unit(info, lang)
    p = palette(theme)

    def scaled(col: str) -> list[float | None]:
        return [None if pd.isna(v) else float(v) * factor for v in frame[col]]

    def texts(col: str) -> list[str]:
        return [literal(fmt_indicator(None if pd.isna(v) else float(v), info, lang)) for v in frame[col]]

    labels = [literal(x) for x in frame["label"]]
    fig = new_figure(
        base_layout(
            theme,
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": labels},
            yaxis={"title": {"text": literal(unit)}, "rangemode": "tozero"},
            margin={"l": 60, "r": 20, "t": 40, "b": 44},
        )
    )
    add_trace(
        fig,
        "bar",
        x=labels,
        y=scaled("this"),
        name=literal(names[0]),
        marker={"color": p["accent_soft"]},
        text=texts("this"),
        textposition="none",
        hovertemplate="%{x}: %{text}<extra>" + literal(names[0]) + "</extra>",
    )
    add_trace(
        fig,
        "scatter",
        x=labels,
        y=scaled("last"),
        name=literal(names[1]),
        mode="lines+markers",
        line={"width": 2, "dash": "dot", "color": p["muted"]},
        text=texts("last"),
        hovertemplate="%{x}: %{text}<extra>" + literal(names[1]) + "</extra>",
    )
    return fig


def text_width(text: str, size: float) -> float:
    """Rough rendered width in px of one line of text (CJK characters are square, Latin ones about half)."""
    return sum(size if ord(ch) > 0x2E7F else 0.58 * size for ch in text)


EVENTS_UID = "sti-events"  # the events trace: chart tables and exports leave it out (it holds no numbers)
EVENT_STYLE = {  # kind -> (marker symbol, colour key: a palette entry or an index of its colorway)
    "policy": ("diamond", 0),
    "facility": ("square", 5),
    "award": ("star", 1),
    "recognition": ("triangle-up", 4),
    "other": ("circle", "muted"),
}
EVENT_KIND_KEYS = {  # kind -> its name in the catalogue
    "policy": "event_kind_policy",
    "facility": "event_kind_facility",
    "award": "event_kind_award",
    "recognition": "event_kind_recognition",
    "other": "event_kind_other",
}
EVENT_LINES = 8  # events listed in one hover at most (the rest are counted)
EVENT_LANE = 0.1  # the events' lane above the plot, as a share of its height (at most a row of a chart of rows)
EVENT_GAP = 0.02
EVENT_GAP_PX = 22  # at least this many pixels between the lane and the plot (fit_to_size: slides, the PPTX)


def _event_style(kinds: Sequence[str], theme: str) -> tuple[str, str]:
    """The marker of a position: its kind's when all its events share one known kind, else "other"'s."""
    p = palette(theme)
    kind = kinds[0] if len(set(kinds)) == 1 and kinds[0] in EVENT_STYLE else "other"
    symbol, colour = EVENT_STYLE[kind]
    return symbol, p["colorway"][colour] if isinstance(colour, int) else p[str(colour)]


def event_kind_name(kind: str, lang: str) -> str:
    """A known kind of event in `lang` ('政策' / 'policy'); any other kind as the data writes it."""
    key = EVENT_KIND_KEYS.get(kind)
    return t(key, lang) if key else kind


def _event_line(row: Any, lang: str) -> str:
    """'2012-06 天使投资引导基金设立（政策）' (month precision: a bureau's events rarely have a reliable day)."""
    title = wrap(str(row.title_en if lang == "en" else row.title_zh), 56)
    shown = event_kind_name(str(row.kind), lang)
    tag = (f"（{shown}）" if lang == "zh" else f" ({shown})") if row.kind in EVENT_KIND_KEYS else ""
    return f"{row.date:%Y-%m} {title}{tag}"


def _free_axis(layout: dict[str, Any]) -> int:
    n = 2
    while f"yaxis{n}" in layout:
        n += 1
    return n


def with_events(fig: Fig, events: pd.DataFrame, lang: str, theme: str, months: bool = False) -> Fig:
    """`fig` (a trend over the years, or over the months of a year with `months`) with its events: ONE
    scatter trace of a marker per year (month) in a lane of its own above the plot, labelled 大事记 / Events,
    each marker listing its events on hover. Unchanged without events or data.

    The lane keeps the markers clear of the data (a series of small values runs along the bottom, labels
    along the top) and of its hover. `events`: columns date (timestamps), title_zh, title_en, kind (see
    data/events.events_for). A year (month) the chart does not show gets no marker.
    """
    layout = fig.get("layout") or {}
    if events.empty or (layout.get("meta") or {}).get("empty") or not fig.get("data"):
        return fig
    if months:
        shown: list[Any] = [str(x) for x in fig["data"][0].get("x") or []]
        place: list[Any] = [t("month_short", lang, m=d.month) for d in events["date"]]
    else:
        shown = list((layout.get("xaxis") or {}).get("tickvals") or [])
        place = [int(d.year) for d in events["date"]]
    groups: dict[Any, list[Any]] = {}
    for at, row in zip(place, events.itertuples(index=False), strict=True):
        if at in shown:
            groups.setdefault(at, []).append(row)
    if not groups:
        return fig
    xs = [x for x in shown if x in groups]
    styles = [_event_style([str(r.kind) for r in groups[x]], theme) for x in xs]
    hover = []
    for x in xs:
        rows = groups[x]
        lines = [_event_line(r, lang) for r in rows[:EVENT_LINES]]
        if len(rows) > EVENT_LINES:
            lines.append(t("events_more", lang, n=len(rows) - EVENT_LINES))
        hover.append("<br>".join(lines))
    p = palette(theme)
    rows_drawn = len(fig["data"][0].get("y") or []) if months else 0
    lane = min(EVENT_LANE, 1 / (rows_drawn + 1)) if rows_drawn else EVENT_LANE
    n = _free_axis(layout)
    axis = {
        "domain": [1 - lane, 1],
        "anchor": "x",
        "range": [0, 1],
        "fixedrange": True,
        "showgrid": False,
        "zeroline": False,
        "showline": False,
        "ticks": "",
        "tickmode": "array",
        "tickvals": [0.5],
        "ticktext": [t("events", lang)],
        "tickfont": {"size": p.get("font_size", 13) - 2, "color": p["muted"]},
        "automargin": True,
    }
    main = {**(layout.get("yaxis") or {}), "domain": [0, 1 - lane - EVENT_GAP]}
    out: Fig = {**fig, "data": list(fig["data"]), "layout": {**layout, "yaxis": main, f"yaxis{n}": axis}}
    add_trace(
        out,
        "scatter",
        uid=EVENTS_UID,
        x=xs,
        y=[0.5] * len(xs),
        yaxis=f"y{n}",
        name=t("events", lang),
        showlegend=False,
        mode="markers",
        cliponaxis=False,
        marker={
            "symbol": [s for s, _ in styles],
            "color": [c for _, c in styles],
            "size": 12,
            "line": {"width": 1.5, "color": p["hover_bg"]},
        },
        hovertext=hover,
        hovertemplate="%{hovertext}<extra>" + t("events", lang) + "</extra>",
    )
    return out


def fit_to_size(figure: dict[str, Any], width: int, height: int) -> dict[str, Any]:
    """A figure (JSON form) laid out at a fixed size, with category tick labels small enough to stay apart.

    For slides and the PPTX, where a chart gets a fixed box however many districts or stations it lists.
    """
    layout = dict(figure.get("layout") or {})
    base = int((layout.get("font") or {}).get("size") or 13)
    for key, length in (("yaxis", height * 0.8), ("xaxis", width * 0.8)):
        axis = layout.get(key)
        if not isinstance(axis, dict) or axis.get("type") != "category" or not axis.get("tickvals"):
            continue
        n = len(axis["tickvals"])
        size = max(8, min(base, int(length / n * (0.75 if key == "yaxis" else 1.6))))
        if size < base:
            layout[key] = {**axis, "tickfont": {**(axis.get("tickfont") or {}), "size": size}}
    _event_gap_for(figure, layout, height)
    layout.update(width=width, height=height, autosize=False)
    return {**figure, "layout": layout}


def _event_gap_for(figure: dict[str, Any], layout: dict[str, Any], height: int) -> None:
    """Room in pixels between the events' lane and the plot below it, for a chart drawn `height` px high (a
    share of the plot's height alone leaves a small slide chart's top tick label under the lane's label)."""
    lane = next((tr.get("yaxis", "y") for tr in figure.get("data") or [] if tr.get("uid") == EVENTS_UID), None)
    axis = layout.get(f"yaxis{str(lane)[1:]}") if lane else None
    if not isinstance(axis, dict) or not axis.get("domain"):
        return
    margin = layout.get("margin") or {}
    plot = max(1.0, height - float(margin.get("t", 40)) - float(margin.get("b", 44)))
    top = float(axis["domain"][0]) - max(EVENT_GAP, EVENT_GAP_PX / plot)
    layout["yaxis"] = {**(layout.get("yaxis") or {}), "domain": [0, max(0.5, top)]}


FADED = 0.35  # opacity of the districts outside a selection


def opacities(codes: Sequence[str], selected: Sequence[str]) -> list[float]:
    """Selected districts solid, the others faded (all solid for the whole city)."""
    chosen = set(selected)
    return [1.0 if not chosen or code in chosen else FADED for code in codes]


def outline(row: int, col: int, theme: str) -> dict[str, Any]:
    return {
        "type": "rect",
        "x0": col - 0.5,
        "x1": col + 0.5,
        "y0": row - 0.5,
        "y1": row + 0.5,
        "line": {"color": palette(theme)["selected_line"], "width": 4},
    }


def highlight_updates(figure: dict[str, Any], selected: Sequence[str], theme: str) -> list[tuple[list[Any], Any]]:
    """What moves when only the selection changes, as (path, value) edits of the figure's JSON.

    Bars carrying district codes get their opacities; the tile map gets the outlines of the selected
    tiles. The caller turns the edits into a Dash Patch, so the browser restyles instead of redrawing.
    """
    edits: list[tuple[list[Any], Any]] = []
    chosen = set(selected)
    for i, trace in enumerate(figure.get("data") or []):
        codes = trace.get("customdata")
        if trace.get("type") == "bar" and isinstance(codes, list):
            flat = [c[0] if isinstance(c, list) else c for c in codes]
            edits.append((["data", i, "marker", "opacity"], opacities(flat, selected)))
        elif trace.get("type") == "heatmap" and isinstance(codes, list):
            shapes = [
                outline(r, c, theme)
                for r, row in enumerate(codes)
                for c, code in enumerate(row or [])
                if code is not None and code in chosen
            ]
            edits.append((["layout", "shapes"], shapes))
    return edits


# ---------------------------------------------------------------- plan trajectories and peers (small multiples)
