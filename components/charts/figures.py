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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from components.charts.theme import base_layout, palette
from components.core.i18n import axis_unit, fmt_indicator, fmt_value, t, unit_for_axis

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


def _cells(text: str) -> int:
    """Width in character cells: a CJK character (or full-width sign) takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def abbreviate(label: str, limit: int) -> str:
    """`label` cut to about `limit` cells with '…'; the full text goes in hover."""
    for i in range(len(label)):
        if _cells(label[: i + 1]) > limit:
            return label[: max(i - 1, 1)].rstrip() + "…"
    return label


Fig = dict[str, Any]  # {"data": [trace, ...], "layout": {...}}, as plotly.js takes it


def _jsonable(value: Any) -> Any:
    """JSON-ready: arrays and series as lists, numpy scalars as Python numbers, NaN as null."""
    if isinstance(value, pd.Series | pd.Index | np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _fig(layout: dict[str, Any]) -> Fig:
    """An empty figure with this layout."""
    return {"data": [], "layout": layout}


def _add(fig: Fig, kind: str, **props: Any) -> None:
    """A trace of type `kind` appended to the figure."""
    fig["data"].append({"type": kind, **_jsonable(props)})


def _bars(fig: Fig, categories: Any, values: Any, flat: bool, **props: Any) -> None:
    """A bar trace of `values` per category: horizontal bars when `flat` (many categories), else columns."""
    _add(
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


def _category_axis(names: Sequence[str], limit: int) -> dict[str, Any]:
    """A category axis showing every name (raw; the categories are their `literal`s), abbreviated where long
    (hover keeps the full name)."""
    return {
        "type": "category",
        "tickmode": "array",
        "tickvals": [literal(n) for n in names],
        "ticktext": [literal(abbreviate(str(n), limit)) for n in names],
        "dtick": 1,
    }


def _bar_axes(categories: dict[str, Any], values: dict[str, Any], flat: bool) -> dict[str, Any]:
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
        if line and _cells(joined) > width:
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
    return _fig(
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


def _ref_line(fig: Fig, ref: Ref, theme: str, right: bool = False, down: bool = False) -> None:
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


def _years_axis(years: Sequence[int]) -> dict[str, Any]:
    """A year axis with one tick per year and half a year of room at each end (for value labels)."""
    ys = list(years)
    room = {"range": [min(ys) - 0.5, max(ys) + 0.5]} if ys else {}
    return {"tickmode": "array", "tickvals": ys, "ticktext": [str(y) for y in ys], **room}


def _headroom(values: Sequence[float], refs: Sequence[float] = (), low: float = 0.0) -> list[float]:
    """A y range from `low` (zero, or below it for negative values) with room above the highest point."""
    top = max([0.0, *values, *refs])
    span = (top - low) or 1.0
    return [low - (0.08 * span if low < 0 else 0), top + 0.18 * span if top > 0 or low < 0 else 1]


def patents_trend(
    frame: pd.DataFrame, bars: Sequence[tuple[str, str]], line: tuple[str, str], lang: str, theme: str
) -> Fig:
    """Grants per year as stacked bars (`bars`: (column, legend label)), applications as a line.

    Columns: year, the line's column and the bars' columns.
    """
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    unit = unit_for_axis("件", lang)[1]
    suffix = unit if lang == "zh" else ""
    fig = _fig(
        base_layout(
            theme,
            barmode="stack",
            xaxis=_years_axis(frame["year"]),
            yaxis={"title": {"text": unit}, "tickformat": ",d"},
        )
    )
    for col, label in bars:
        _add(
            fig,
            "bar",
            x=frame["year"],
            y=frame[col],
            name=literal(label),
            hovertemplate=f"%{{x}} {literal(label)}: %{{y:,d}}{suffix}<extra></extra>",
        )
    col, label = line[0], literal(line[1])
    _add(
        fig,
        "scatter",
        x=frame["year"],
        y=frame[col],
        name=label,
        mode="lines+markers",
        line={"width": 3, "color": palette(theme)["text"]},
        hovertemplate=f"%{{x}} {label}: %{{y:,d}}{suffix}<extra></extra>",
    )
    return fig


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
    cats = _category_axis(names, label_room(len(names), flat))
    value_axis = {"title": {"text": literal(unit)}}
    axes = _bar_axes(cats, value_axis, flat)
    fig = _fig(base_layout(theme, barmode="group", clickmode="event", **axes))
    for col, label in columns:
        opacity = opacities(list(frame["district"]), selected)
        values = frame[col] * factor
        _bars(
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
        ref_line = (ref[0] * factor, ref[1], ref[2])
        _ref_line(fig, ref_line, theme, right=i % 2 == 1, down=flat)
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
    fig = _fig(
        base_layout(
            theme,
            xaxis=_years_axis(series.index),
            yaxis={"title": {"text": literal(unit)}, "range": _headroom(values, [r[0] * factor for r in refs], low)},
            showlegend=False,
        )
    )
    _add(
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
        _ref_line(fig, (ref[0] * factor, ref[1], ref[2]), theme, right=i % 2 == 1)
    return fig


def indicator_trend(series: pd.Series, info: dict[str, Any], lang: str, theme: str) -> Fig:
    """Any indicator over the years in its own unit (the generic section's trend)."""
    label = str(info["name_en"] if lang == "en" else info["name_zh"])
    return trend_line(series, label, str(info.get("unit_zh") or ""), lang, theme, info=info)


def output_and_share(frame: pd.DataFrame, lang: str, theme: str) -> Fig:
    """High-tech output (bars, left axis) and, when the frame has it, its share of industrial output (line,
    right axis). Columns: year, output[, share]."""
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    factor, _ = unit_for_axis("亿元", lang)
    p = palette(theme)
    share = "share" in frame
    axes: dict[str, Any] = {"xaxis": _years_axis(frame["year"]), "yaxis": {"title": {"text": t("output_axis", lang)}}}
    if share:
        axes["yaxis2"] = {
            "title": {"text": t("share_axis", lang)},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickmode": "auto",
            "tickformat": ".0f",
        }
    margin = {"l": 60, "r": 64 if share else 20, "t": 40, "b": 44}
    fig = _fig(base_layout(theme, margin=margin, **axes))
    _add(
        fig,
        "bar",
        x=frame["year"],
        y=frame["output"] * factor,
        name=t("hightech_output", lang),
        marker={"color": p["accent_soft"]},
        text=[fmt_value(v, "亿元", lang) for v in frame["output"]],
        textposition="none",
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if share:
        _add(
            fig,
            "scatter",
            x=frame["year"],
            y=frame["share"],
            name=t("hightech_share", lang),
            yaxis="y2",
            mode="lines+markers",
            line={"width": 3, "color": p["accent"]},
            text=[fmt_value(v, "%", lang) for v in frame["share"]],
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    return fig


def tier_bars(counts: pd.Series, lang: str, theme: str) -> Fig:
    """The five tiers as a pyramid: national innovative firms on top. `counts`: index tier."""
    if counts.sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    labels = [t(f"tier_{tier}", lang) for tier in counts.index]
    unit = "家" if lang == "zh" else ""
    fig = _fig(
        base_layout(
            theme,
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"title": {"text": unit_for_axis("家", lang)[1]}},
            showlegend=False,
        )
    )
    _add(
        fig,
        "bar",
        y=labels[::-1],
        x=counts.values[::-1],
        orientation="h",
        text=[f"{v:,}{unit}" for v in counts[::-1]],
        textposition="auto",
        customdata=[f"drill:enterprises:tier={tier}" for tier in counts.index[::-1]],  # a click opens its firms
        marker={"color": palette(theme)["colorway"][:5][::-1]},
        hovertemplate="%{y}: %{x:,d}" + unit + "<extra></extra>",
    )
    return fig


def tier_trend(frame: pd.DataFrame, lang: str, theme: str) -> Fig:
    """Tier counts over the years. `frame`: index year, one column per tier."""
    if frame.empty or frame.to_numpy().sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    unit = unit_for_axis("家", lang)[1]
    fig = _fig(base_layout(theme, xaxis=_years_axis(frame.index), yaxis={"title": {"text": unit}}))
    for tier in frame.columns:
        _add(
            fig,
            "scatter",
            x=list(frame.index),
            y=frame[tier],
            name=t(f"tier_short_{tier}", lang),
            mode="lines+markers",
            hovertemplate="%{x}: %{y:,d}<extra>" + t(f"tier_{tier}", lang) + "</extra>",
        )
    return fig


def tier_flows(flows: pd.DataFrame, tiers: Sequence[str], prev: int, year: int, lang: str, theme: str) -> Fig:
    """Sankey of firms from last year's tier (or newly certified) to this year's (or lost certification)."""
    if flows.empty:
        return empty_figure(t("no_prev_year", lang), theme)
    p = palette(theme)
    left = ["new", *tiers]
    right = [*tiers, "lost"]
    label_of = {"new": t("new_cert", lang), "lost": t("lost_cert", lang)}
    labels = [label_of.get(k) or t(f"tier_{k}", lang) + t("prev_year_suffix", lang, year=prev) for k in left]
    labels += [label_of.get(k) or t(f"tier_{k}", lang) + t("prev_year_suffix", lang, year=year) for k in right]
    colours = [p["muted"], *p["colorway"][:5], *p["colorway"][:5], p["bad"]]
    idx_l = {k: i for i, k in enumerate(left)}
    idx_r = {k: len(left) + i for i, k in enumerate(right)}
    fig = _fig(base_layout(theme))
    _add(
        fig,
        "sankey",
        arrangement="snap",
        node={
            "label": labels,
            "color": colours,
            "pad": p.get("font_size", 13) + 6,
            "thickness": 14,
            "line": {"width": 0},
        },
        link={
            "source": [idx_l[s] for s in flows["source"]],
            "target": [idx_r[d] for d in flows["target"]],
            "value": flows["count"].tolist(),
            "color": "rgba(128,128,128,0.25)",
            "hovertemplate": "%{source.label} → %{target.label}: %{value:,d}<extra></extra>",
        },
        textfont={"color": p["text"], "family": base_layout(theme)["font"]["family"]},
    )
    return fig


def tiers_by_district(
    frame: pd.DataFrame, names: dict[str, str], selected: Sequence[str], lang: str, theme: str
) -> Fig:
    """Stacked tiers per district; horizontal when many. Each segment carries its district code and the
    drill-down to its firms (customdata [code, 'drill:enterprises:tier=…&district=…']): a click opens them.
    `frame`: index district code, one column per tier."""
    if frame.empty or frame.to_numpy().sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    frame = frame.loc[frame.sum(axis=1).sort_values(ascending=False).index]
    labels = [names.get(c, c) for c in frame.index]
    flat = len(frame) > MANY
    opacity = opacities(list(frame.index), selected)
    cats = _category_axis(labels, label_room(len(labels), flat))
    count_axis = {"title": {"text": unit_for_axis("家", lang)[1]}}
    axes = _bar_axes(cats, count_axis, flat)
    fig = _fig(base_layout(theme, barmode="stack", clickmode="event", **axes))
    for tier in frame.columns:
        _bars(
            fig,
            cats["tickvals"],
            frame[tier],
            flat,
            name=t(f"tier_short_{tier}", lang),
            customdata=[[c, f"drill:enterprises:tier={tier}&district={c}"] for c in frame.index],
            marker={"opacity": opacity},
            hovertemplate=("%{y} " if flat else "%{x} ")
            + t(f"tier_{tier}", lang)
            + (": %{x:,d}" if flat else ": %{y:,d}")
            + "<extra></extra>",
        )
    return fig


def uptime_bars(frame: pd.DataFrame, lang: str, theme: str, line: float, line_label: str) -> Fig:
    """Station uptime (%) for the year against the target line; horizontal when there are many stations.
    Columns: name, uptime (ratio)."""
    frame = frame.dropna(subset=["uptime"])
    if frame.empty:
        return empty_figure(t("no_stations", lang), theme)
    p = palette(theme)
    pct = frame["uptime"] * 100
    lo = min(float(pct.min()), line) - 0.1
    flat = len(frame) > MANY
    names = list(frame["name"])
    cats = _category_axis(names, label_room(len(names), flat))
    value_axis = {"title": {"text": t("uptime_axis", lang)}, "range": [max(lo, 0), 100.02], "ticksuffix": "%"}
    axes = _bar_axes(cats, value_axis, flat)
    fig = _fig(base_layout(theme, showlegend=False, **axes))
    _bars(
        fig,
        cats["tickvals"],
        pct,
        flat,
        text=[f"{v:.2f}%" for v in pct],
        textposition="none",
        marker={"color": [p["good"] if v >= line else p["warn"] for v in pct]},
        hovertemplate=("%{y}" if flat else "%{x}") + ": %{text}<extra></extra>",
        **({"customdata": [f"drill:outages:station={s}" for s in frame["station"]]} if "station" in frame else {}),
    )
    _ref_line(fig, (line, line_label, "bad"), theme, right=not flat, down=flat)  # the label clear of the ticks
    return fig


def uptime_heatmap(frame: pd.DataFrame, names: Sequence[str], lang: str, theme: str) -> Fig:
    """Station x month uptime. `frame`: rows stations, columns months 1..12, ratios (None = not in service)."""
    if frame.empty or frame.isna().all().all():
        return empty_figure(t("no_stations", lang), theme)
    z = (frame.astype("float64") * 100).round(3)
    months = [t("month_short", lang, m=m) for m in frame.columns]
    text = [["—" if pd.isna(v) else f"{v:.2f}%" for v in row] for row in z.to_numpy()]
    fig = _fig(
        base_layout(
            theme,
            yaxis={**_category_axis(list(names), label_room(len(names), True)), "autorange": "reversed"},
            xaxis={"type": "category", "title": {"text": t("month_axis", lang)}},
        )
    )
    _add(
        fig,
        "heatmap",
        z=z.to_numpy(),
        x=months,
        y=[literal(n) for n in names],
        zmin=99.0,
        zmax=100.0,
        text=text,
        colorscale=palette(theme)["uptime_scale"],
        xgap=2,
        ygap=2,
        colorbar={"ticksuffix": "%", "thickness": 10, "title": {"text": ""}},
        hovertemplate="%{y} %{x}: %{text}<extra></extra>",
    )
    return fig


def outage_timeline(frame: pd.DataFrame, lang: str, theme: str) -> Fig:
    """Outages of the year on a time axis. Columns: name, start, end, duration_h, cause_label, and
    optionally shown_start / shown_end (the part inside the period)."""
    if frame.empty:
        return empty_figure(t("no_outages", lang), theme)
    p = palette(theme)
    causes = list(dict.fromkeys(frame["cause_label"]))
    stations = list(dict.fromkeys(frame["name"]))
    fig = _fig(
        base_layout(
            theme,
            barmode="overlay",
            xaxis={"type": "date", "tickformat": "%Y-%m"},
            yaxis={
                **_category_axis(stations, label_room(len(stations), True)),
                "autorange": "reversed",
                "categoryorder": "array",
                "categoryarray": [literal(n) for n in stations],
            },
        )
    )
    for i, cause in enumerate(causes):
        part = frame[frame["cause_label"] == cause]
        # drawn inside the period (an outage running over New Year is cut at the edge); hover shows the real start
        start, end = part.get("shown_start", part["start"]), part.get("shown_end", part["end"])
        ms = ((end - start).dt.total_seconds() * 1000).clip(
            lower=3.6e6 * 12
        )  # drawn at least 12 h wide to stay visible on a year axis; hover has the real duration
        _add(
            fig,
            "bar",
            y=[literal(n) for n in part["name"]],
            x=ms,
            base=start.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            orientation="h",
            name=literal(cause),
            marker={"color": p["colorway"][i % len(p["colorway"])]},
            customdata=list(zip(part["start"].dt.strftime("%Y-%m-%d %H:%M"), part["duration_h"].round(2), strict=True)),
            hovertemplate="%{y} · "
            + literal(cause)
            + "<br>"
            + t("start", lang)
            + " %{customdata[0]}<br>"
            + t("duration", lang)
            + " %{customdata[1]} "
            + t("hours", lang)
            + "<extra></extra>",
        )
    rows = frame.sort_values("start")
    fig["layout"]["meta"] = {  # its table (text alternative), in plain text: the real start and duration
        "table": {
            "columns": [
                t("station_axis", lang),
                t("cause", lang),
                t("start", lang),
                f"{t('duration', lang)}（{t('hours', lang)}）"
                if lang == "zh"
                else f"{t('duration', lang)} ({t('hours', lang)})",
            ],
            "rows": [
                [str(n), str(c), s.strftime("%Y-%m-%d %H:%M"), float(round(h, 2))]
                for n, c, s, h in zip(rows["name"], rows["cause_label"], rows["start"], rows["duration_h"], strict=True)
            ],
        }
    }
    return fig


def _text_width(text: str, size: float) -> float:
    """Rough rendered width in px of one line of text (CJK characters are square, Latin ones about half)."""
    return sum(size if ord(ch) > 0x2E7F else 0.58 * size for ch in text)


def tile_labels(names: Sequence[str], tile_px: float, base: int = 12) -> tuple[int, list[str]]:
    """A font size and a label per tile that fit inside a tile of `tile_px` (two lines: name and value).

    Shrinks the type down to 9 px first, then abbreviates the names that still do not fit.
    """
    room = tile_px * 0.86
    size = base
    while size > 9 and any(_text_width(n, size) > room for n in names):
        size -= 1
    size = int(min(size, max(9, tile_px / 3.2)))
    out = []
    for n in names:
        label = n
        while _text_width(label, size) > room and len(label) > 2:
            label = label[:-2] + "…" if label.endswith("…") else label[:-1] + "…"
        out.append(label)
    return size, out


def tile_map(
    frame: pd.DataFrame,
    selected: Sequence[str],
    info: dict[str, Any],
    lang: str,
    theme: str,
    canvas: tuple[int, int] = (500, 320),
) -> Fig:
    """Schematic district tile map coloured by an indicator (no geo data, works offline).

    A heatmap on the tile grid: cells scale with the chart, carry the district code (customdata) for
    cross-filtering, and selected districts get an outline. Labels are sized (and long names abbreviated)
    to fit a tile of a chart about `canvas` px large; hover gives the full name. `frame`: district, name,
    tile_row, tile_col, value (None = no data); `info`: the indicator's indicators.csv row.
    """
    if frame.empty:
        return empty_figure(t("no_data", lang), theme)
    p = palette(theme)
    chosen = set(selected)
    rows, cols = int(frame["tile_row"].max()) + 1, int(frame["tile_col"].max()) + 1
    factor, _ = axis_unit(info, lang)
    label = literal(info["name_en"] if lang == "en" else info["name_zh"])
    tile_px = min((canvas[0] - 16) / cols, (canvas[1] - 16) / rows)
    size, short = tile_labels([str(n) for n in frame["name"]], tile_px)
    z: list[list[float | None]] = [[None] * cols for _ in range(rows)]
    codes: list[list[str | None]] = [[None] * cols for _ in range(rows)]
    text: list[list[str]] = [[""] * cols for _ in range(rows)]
    hover: list[list[str]] = [[""] * cols for _ in range(rows)]
    outlines = []
    for r, shown in zip(frame.itertuples(index=False), short, strict=True):
        v = None if pd.isna(r.value) else float(r.value)
        z[r.tile_row][r.tile_col] = None if v is None else v * factor
        codes[r.tile_row][r.tile_col] = r.district
        value_text = literal(fmt_indicator(v, info, lang))
        text[r.tile_row][r.tile_col] = f"{literal(shown)}<br>{value_text}"
        hover[r.tile_row][r.tile_col] = f"{literal(r.name)}<br>{value_text}"
        if r.district in chosen:
            outlines.append(_outline(r.tile_row, r.tile_col, theme))
    hidden = {"visible": False, "fixedrange": True}
    fig = _fig(
        base_layout(
            theme,
            showlegend=False,
            clickmode="event",
            shapes=outlines,
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            xaxis={**hidden, "range": [-0.5, cols - 0.5]},
            yaxis={**hidden, "range": [rows - 0.5, -0.5], "scaleanchor": "x"},
        )
    )
    _add(
        fig,
        "heatmap",
        z=z,
        customdata=codes,
        text=text,
        hovertext=hover,
        texttemplate="%{text}",
        textfont={"size": size},
        xgap=3,
        ygap=3,
        colorscale=p["scale"],
        hoverongaps=False,
        hovertemplate="%{hovertext}<extra>" + label + "</extra>",
        showscale=False,  # every tile shows its value and unit; a colour bar would cost a third of each redraw
    )
    return fig


def plan_and_peers(
    series: pd.Series,
    label: str,
    unit_zh: str,
    goal: tuple[float, int] | None,
    goal_label: str,
    peers: pd.DataFrame,
    lang: str,
    theme: str,
) -> Fig:
    """An indicator over the years against its (plan) target, drawn as a path to a star in the target year,
    labelled `goal_label`, and against peer cities. `peers`: columns name, year, value.
    """
    if series.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    p = palette(theme)
    factor, unit = unit_for_axis(unit_zh, lang)
    years = sorted({*series.index, *(peers["year"] if len(peers) else []), *([goal[1]] if goal else [])})
    fig = _fig(
        base_layout(
            theme,
            xaxis=_years_axis(years),
            yaxis={"title": {"text": literal(unit)}, "rangemode": "tozero"},
        )
    )
    _add(
        fig,
        "scatter",
        x=list(series.index),
        y=series.values * factor,
        mode="lines+markers+text",
        cliponaxis=False,
        name=literal(label),
        text=[literal(fmt_value(v, unit_zh, lang)) for v in series.values],
        textposition="top center",
        line={"width": 3, "color": p["accent"]},
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if goal is not None:
        _add(
            fig,
            "scatter",
            x=[series.index[-1], goal[1]],
            y=[series.iloc[-1] * factor, goal[0] * factor],
            mode="lines+markers",
            name=literal(goal_label),
            line={"dash": "dot", "color": p["warn"]},
            marker={"symbol": "star", "size": [1, 14]},
            hovertemplate=literal(goal_label) + "<extra></extra>",
        )
    for i, (peer, part) in enumerate(peers.groupby("name", sort=True)):
        _add(
            fig,
            "scatter",
            x=part["year"],
            y=part["value"] * factor,
            mode="markers+text",
            name=literal(peer),
            marker={"symbol": "diamond", "size": 12, "color": p["colorway"][(i + 3) % 7]},
            text=[literal(f"{peer} {fmt_value(v, unit_zh, lang)}") for v in part["value"]],
            textposition="middle right",
            hovertemplate="%{text} (%{x})<extra></extra>",
        )
    return fig


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
    return symbol, p["colorway"][colour] if isinstance(colour, int) else p[colour]


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
        shown = [str(x) for x in fig["data"][0].get("x") or []]
        place = [t("month_short", lang, m=d.month) for d in events["date"]]
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
    _add(
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


def _outline(row: int, col: int, theme: str) -> dict[str, Any]:
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
                _outline(r, c, theme)
                for r, row in enumerate(codes)
                for c, code in enumerate(row or [])
                if code is not None and code in chosen
            ]
            edits.append((["layout", "shapes"], shapes))
    return edits


# ---------------------------------------------------------------- plan trajectories and peers (small multiples)


@dataclass(frozen=True)
class PathPanel:
    """One small multiple of `plan_paths`: an indicator's series and its required path to a plan target."""

    title: str  # the panel's heading, e.g. '全社会R&D投入强度：需年均提高0.18个百分点'
    label: str  # the indicator's name (hover)
    info: dict[str, Any]  # its indicators.csv row (unit, and ranks drawn best on top)
    series: pd.Series  # index year
    path: Sequence[tuple[int, float]]  # (year, value) from the latest actual year to the target year
    goal_label: str  # the star's label, e.g. '“十二五”目标 2.5%（2015年）'
    met: bool = False  # the target is already met: the star, no path


def _grid(n: int, cols: int, gap_x: float = 0.12, gap_y: float = 0.2) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) of `n` panels on a grid of `cols` columns, filled row by row from the top."""
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    w = (1 - gap_x * (cols - 1)) / cols
    h = (1 - gap_y * (rows - 1)) / rows
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        x0, y1 = c * (w + gap_x), 1 - r * (h + gap_y)
        out.append(([round(x0, 4), round(x0 + w, 4)], [round(y1 - h, 4), round(y1, 4)]))
    return out


def panel_rows(n: int, cols: int = 2) -> int:
    """How many rows of panels `n` small multiples take."""
    return -(-max(n, 1) // max(1, min(cols, max(n, 1))))


def _small_multiples(
    theme: str, domains: Sequence[tuple[list[float], list[float]]], titles: Sequence[str], axes: Sequence[dict]
) -> Fig:
    """A figure of panels: axes x/y, x2/y2, … on the given domains (each with its own `axes` overrides, keys
    'x' and 'y'), each headed by its title (an annotation, escaped here), the legend below."""
    p = palette(theme)
    base = base_layout(theme)
    layout = base_layout(
        theme,
        margin={"l": 56, "r": 24, "t": 44, "b": 56},
        legend={**base["legend"], "y": -0.1, "yanchor": "top"},
    )
    notes = []
    for i, ((xd, yd), title, ax) in enumerate(zip(domains, titles, axes, strict=True)):
        n = "" if i == 0 else str(i + 1)
        layout[f"xaxis{n}"] = {**base["xaxis"], **ax.get("x", {}), "domain": xd, "anchor": f"y{n}"}
        layout[f"yaxis{n}"] = {**base["yaxis"], **ax.get("y", {}), "domain": yd, "anchor": f"x{n}"}
        notes.append(
            {
                "text": wrap(title, 44 if len(domains) == 1 else 26),
                "xref": "paper",
                "yref": "paper",
                "x": (xd[0] + xd[1]) / 2,
                "y": yd[1],
                "xanchor": "center",
                "yanchor": "bottom",
                "yshift": 4,
                "showarrow": False,
                "font": {"size": p.get("font_size", 13), "color": p["text"]},
            }
        )
    layout["annotations"] = notes
    lines = max(1 + str(n["text"]).count("<br>") for n in notes)  # room for the top row's headings
    layout["margin"]["t"] = max(44, int(lines * p.get("font_size", 13) * 1.35) + 14)
    return _fig(layout)


def _room_above(values: Sequence[float], panel: PathPanel) -> list[float]:
    """A y range with room above the highest point for the target's label (ranks: best, 1, on top)."""
    if panel.info.get("unit_zh") == "位":
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        return [hi + 0.1 * span, max(lo - 0.45 * span, 0.5)]
    out = _headroom(values, low=min(0.0, *values))
    out[1] += 0.2 * (out[1] - out[0])
    return out


PATH_COLUMNS = ("plans_col_indicator", "plans_col_year", "plans_col_actual", "plans_path")


def plan_paths(panels: Sequence[PathPanel], lang: str, theme: str, cols: int = 2) -> Fig:
    """Each indicator's actual series (solid) and the yearly path it needs from its latest value to its plan
    target (dotted, a marker every year), the target a labelled star: small multiples, one panel each, the
    required annual change in the panel's heading. Ranks are drawn best (1) on top."""
    panels = [pn for pn in panels if not pn.series.empty]
    if not panels:
        return empty_figure(t("no_data_selection", lang), theme)
    p = palette(theme)
    axes, rows = [], []
    for pn in panels:
        factor, unit = axis_unit(pn.info, lang)
        years = sorted({*(int(y) for y in pn.series.index), *(y for y, _ in pn.path)})
        values = [float(v) * factor for v in (*pn.series.values, *(v for _, v in pn.path))]
        y_axis = {"title": {"text": literal(unit)}, "range": _room_above(values, pn)}
        axes.append({"x": _years_axis(years), "y": y_axis})
    fig = _small_multiples(theme, _grid(len(panels), cols), [pn.title for pn in panels], axes)
    for i, pn in enumerate(panels):
        n = "" if i == 0 else str(i + 1)
        on = {"xaxis": f"x{n}", "yaxis": f"y{n}"}
        factor, _ = axis_unit(pn.info, lang)
        label = literal(pn.label)
        shown = [literal(fmt_indicator(v, pn.info, lang)) for v in pn.series.values]
        _add(
            fig,
            "scatter",
            x=list(pn.series.index),
            y=pn.series.values * factor,
            mode="lines+markers+text",
            name=t("plans_col_actual", lang),
            legendgroup="actual",
            showlegend=i == 0,
            text=["" if k < len(shown) - 1 else s for k, s in enumerate(shown)],  # the latest value labelled
            hovertext=shown,
            textposition="top left",
            cliponaxis=False,
            line={"width": 3, "color": p["accent"]},
            hovertemplate="%{x}: %{hovertext}<extra>" + label + "</extra>",
            **on,
        )
        path = list(pn.path)
        if path and not pn.met:
            steps = [literal(fmt_indicator(v, pn.info, lang)) for _, v in path]
            _add(
                fig,
                "scatter",
                x=[y for y, _ in path],
                y=[v * factor for _, v in path],
                mode="lines+markers",
                name=t("plans_path", lang),
                legendgroup="path",
                showlegend=i == 0,
                line={"dash": "dot", "width": 2, "color": p["warn"]},
                marker={"size": [0, *([7] * (len(path) - 1))], "color": p["warn"]},
                hovertext=steps,
                hovertemplate="%{x}: %{hovertext}<extra>" + t("plans_path", lang) + "</extra>",
                **on,
            )
        year, goal = path[-1] if path else (None, None)
        if year is not None and goal is not None:
            _add(
                fig,
                "scatter",
                x=[year],
                y=[goal * factor],
                mode="markers+text",
                name=literal(pn.goal_label),
                showlegend=False,
                marker={"symbol": "star", "size": 16, "color": p["warn"]},
                text=[literal(pn.goal_label)],
                textposition="top left",
                cliponaxis=False,
                hovertemplate="%{text}<extra></extra>",
                **on,
            )
        actual = dict(zip((int(y) for y in pn.series.index), pn.series.values, strict=True))
        steps_of = dict(path) if not pn.met else {}
        for y in sorted({*actual, *steps_of}):
            rows.append([pn.label, y, actual.get(y), steps_of.get(y)])
    fig["layout"]["meta"] = {  # its table in plain text: the names as they are
        "table": {
            "columns": [t(k, lang) for k in PATH_COLUMNS],
            "rows": [[r[0], r[1], _jsonable(r[2]), _jsonable(r[3])] for r in rows],
        }
    }
    return fig


@dataclass(frozen=True)
class PeerPanel:
    """One small multiple of `peer_bars`: the city against its peers for one indicator.

    `frame`: columns peer (name), peer_year, peer_value, city_year, city_value, gap (the short gap text under
    the peer's name, e.g. '低1.72个百分点').
    """

    title: str  # the indicator's name
    info: dict[str, Any]  # its indicators.csv row (unit)
    city: str  # the city's name
    frame: pd.DataFrame


def peer_bars(panels: Sequence[PeerPanel], lang: str, theme: str, cols: int = 2) -> Fig:
    """The city against each peer city, one panel per indicator: pairs of bars per peer (the city in the accent
    colour, the peer muted), each labelled with its value and year, the gap under the peer's name."""
    panels = [pn for pn in panels if not pn.frame.empty]
    if not panels:
        return empty_figure(t("no_data", lang), theme)
    p = palette(theme)
    axes = []
    for pn in panels:
        factor, unit = axis_unit(pn.info, lang)
        names = [str(n) for n in pn.frame["peer"]]
        x_axis = {
            "type": "category",
            "tickmode": "array",
            "tickvals": [literal(n) for n in names],
            "ticktext": [
                f"{literal(abbreviate(n, 12))}<br>{literal(g)}" for n, g in zip(names, pn.frame["gap"], strict=True)
            ],
        }
        y_axis: dict[str, Any] = {"title": {"text": literal(unit)}}
        if pn.info.get("unit_zh") == "位":
            y_axis["autorange"] = "reversed"
        else:  # room above the bars for their two-line labels
            values = [float(v) * factor for v in (*pn.frame["city_value"], *pn.frame["peer_value"])]
            y_axis["range"] = _headroom(values, low=min(0.0, *values))
            y_axis["range"][1] += 0.12 * (y_axis["range"][1] - y_axis["range"][0])
        axes.append({"x": x_axis, "y": y_axis})
    fig = _small_multiples(theme, _grid(len(panels), cols, gap_y=0.3), [pn.title for pn in panels], axes)
    fig["layout"]["barmode"] = "group"
    fig["layout"]["legend"]["y"] = -0.3 / panel_rows(len(panels), cols)  # below the two-line peer names
    rows = []
    for i, pn in enumerate(panels):
        n = "" if i == 0 else str(i + 1)
        on = {"xaxis": f"x{n}", "yaxis": f"y{n}"}
        factor, _ = axis_unit(pn.info, lang)
        cats = [literal(str(c)) for c in pn.frame["peer"]]
        for who, colour, value, year in (
            (pn.city, p["accent"], "city_value", "city_year"),
            (t("plans_peer_cities", lang), p["muted"], "peer_value", "peer_year"),
        ):
            texts = [
                f"{literal(fmt_indicator(v, pn.info, lang))}<br>{t('plans_year', lang, year=y)}"
                for v, y in zip(pn.frame[value], pn.frame[year], strict=True)
            ]
            _add(
                fig,
                "bar",
                x=cats,
                y=pn.frame[value] * factor,
                name=literal(who),
                legendgroup=value,
                showlegend=i == 0,
                marker={"color": colour},
                text=texts,
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{text}<extra>" + literal(who) + "</extra>",
                **on,
            )
        for r in pn.frame.itertuples(index=False):
            rows.append([pn.title, pn.city, int(r.city_year), float(r.city_value), str(r.gap)])
            rows.append([pn.title, str(r.peer), int(r.peer_year), float(r.peer_value), ""])
    columns = ("plans_col_indicator", "plans_col_city", "plans_col_year", "plans_col_value", "plans_col_gap")
    fig["layout"]["meta"] = {"table": {"columns": [t(k, lang) for k in columns], "rows": rows}}
    return fig


def with_plan_path(
    fig: Fig, goal_label: str, path: Sequence[tuple[int, float]], unit_zh: str, need: str, lang: str
) -> Fig:
    """A `plan_and_peers` figure whose target line runs through the yearly `path` (a marker every year, the
    star at the end) and names the required change `need` in its legend entry and hover (a new figure)."""
    name = literal(goal_label)
    if not path:
        return fig
    factor, _ = unit_for_axis(unit_zh, lang)
    data = []
    for trace in fig["data"]:
        if trace.get("name") == name and trace.get("type") == "scatter":
            trace = {
                **trace,
                "x": [y for y, _ in path],
                "y": [v * factor for _, v in path],
                "name": f"{name} · {literal(need)}",
                "marker": {**(trace.get("marker") or {}), "size": [1, *([7] * (len(path) - 2)), 14],
                           "symbol": ["circle"] * (len(path) - 1) + ["star"]},
                "hovertext": [literal(fmt_value(v, unit_zh, lang)) for _, v in path],
                "hovertemplate": "%{x}: %{hovertext}<extra>" + literal(need) + "</extra>",
            }  # fmt: skip
        data.append(trace)
    axis = dict(fig["layout"].get("xaxis") or {})
    if "tickvals" in axis:  # a tick for every year of the path
        years = sorted({*axis["tickvals"], *(y for y, _ in path)})
        axis |= {"tickvals": years, "ticktext": [str(y) for y in years]}
    return {**fig, "data": data, "layout": {**fig["layout"], "xaxis": axis}}
