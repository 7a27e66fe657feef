"""Pure figure builders: frames in, go.Figure out (no dash import, no data access).

Every builder takes the language and theme, labels its axes with units, and returns a readable
"no data" figure instead of a blank chart when there is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components.i18n import fmt_value, t, unit_for_axis
from components.theme import base_layout, palette

Ref = tuple[float, str, str]  # (y value, label, colour key in the palette)


def empty_figure(message: str, theme: str = "light") -> go.Figure:
    """A figure that says why there is nothing to show (hidden axes, centred message)."""
    p = palette(theme)
    hidden = {"visible": False}
    return go.Figure(
        layout=base_layout(
            theme,
            xaxis=hidden,
            yaxis=hidden,
            annotations=[
                {
                    "text": message,
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


def _hline(fig: go.Figure, ref: Ref, theme: str, right: bool = False) -> None:
    """A dashed reference line across the plot with its label at the left (or right) end.

    Plain layout shapes: plotly's add_hline costs ~20 ms a call.
    """
    y, label, colour = ref
    p = palette(theme)
    line = {"color": p[colour], "width": 1.5, "dash": "dash"}
    fig.layout.shapes += (
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y, "line": line},
    )
    fig.layout.annotations += (
        {
            "text": label,
            "xref": "paper",
            "x": int(right),
            "xanchor": "right" if right else "left",
            "yref": "y",
            "y": y,
            "yanchor": "bottom",
            "showarrow": False,
            "bgcolor": p["label_bg"],
            "font": {"color": p[colour], "size": p.get("font_size", 13) - 1},
        },
    )


def _years_axis(years: Sequence[int]) -> dict[str, Any]:
    """A year axis with one tick per year and half a year of room at each end (for value labels)."""
    ys = list(years)
    room = {"range": [min(ys) - 0.5, max(ys) + 0.5]} if ys else {}
    return {"tickmode": "array", "tickvals": ys, "ticktext": [str(y) for y in ys], **room}


def _headroom(values: Sequence[float], refs: Sequence[float] = ()) -> list[float]:
    """A y range from zero with room above the highest point for its value label."""
    top = max([0.0, *values, *refs])
    return [0, top * 1.18 if top > 0 else 1]


def patents_trend(frame: pd.DataFrame, lang: str, theme: str) -> go.Figure:
    """Grants stacked by type per year, applications as a line. Columns: year, applications, invention,
    utility, design."""
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    unit = unit_for_axis("件", lang)[1]
    fig = go.Figure(
        layout=base_layout(
            theme,
            barmode="stack",
            xaxis=_years_axis(frame["year"]),
            yaxis={"title": {"text": unit}, "tickformat": ",d"},
        )
    )
    for col, key in (("invention", "invention"), ("utility", "utility"), ("design", "design")):
        fig.add_bar(
            x=frame["year"],
            y=frame[col],
            name=t(key, lang),
            hovertemplate=f"%{{x}} {t(key, lang)}: %{{y:,d}}{unit if lang == 'zh' else ''}<extra></extra>",
        )
    fig.add_scatter(
        x=frame["year"],
        y=frame["applications"],
        name=t("applications", lang),
        mode="lines+markers",
        line={"width": 3, "color": palette(theme)["text"]},
        hovertemplate=f"%{{x}} {t('applications', lang)}: %{{y:,d}}<extra></extra>",
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
) -> go.Figure:
    """Districts compared for one year; bars carry the district code (customdata) for cross-filtering.

    `frame`: columns district, name and the value columns; `columns`: (column, legend label).
    Selected districts are drawn solid, the others faded.
    """
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    factor, unit = unit_for_axis(unit_zh, lang)
    chosen = set(selected)
    frame = frame.sort_values(columns[0][0], ascending=False)
    fig = go.Figure(
        layout=base_layout(
            theme, barmode="group", yaxis={"title": {"text": unit}}, clickmode="event", xaxis={"type": "category"}
        )
    )
    for col, label in columns:
        opacity = [1.0 if not chosen or code in chosen else 0.35 for code in frame["district"]]
        fig.add_bar(
            x=frame["name"],
            y=frame[col] * factor,
            name=label,
            customdata=frame["district"],
            marker={"opacity": opacity},
            text=[fmt_value(v, unit_zh, lang) for v in frame[col]],
            hovertemplate="%{x} " + label + ": %{text}<extra></extra>",
            textposition="none",
        )
    for i, ref in enumerate(refs):  # labels alternate ends so that two lines' labels never overlap
        _hline(fig, (ref[0] * factor, ref[1], ref[2]), theme, right=i % 2 == 1)
    fig.update_layout(showlegend=len(columns) > 1)
    return fig


def trend_line(
    series: pd.Series, label: str, unit_zh: str, lang: str, theme: str, refs: Sequence[Ref] = ()
) -> go.Figure:
    """One indicator over the years, with optional reference lines."""
    if series.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    factor, unit = unit_for_axis(unit_zh, lang)
    fig = go.Figure(
        layout=base_layout(
            theme,
            xaxis=_years_axis(series.index),
            yaxis={"title": {"text": unit}, "range": _headroom(series.values * factor, [r[0] * factor for r in refs])},
            showlegend=False,
        )
    )
    fig.add_scatter(
        x=list(series.index),
        y=series.values * factor,
        mode="lines+markers+text",
        name=label,
        text=[fmt_value(v, unit_zh, lang) for v in series.values],
        textposition="top center",
        cliponaxis=False,
        line={"width": 3},
        hovertemplate="%{x}: %{text}<extra>" + label + "</extra>",
    )
    for i, ref in enumerate(refs):  # labels alternate ends so that two lines' labels never overlap
        _hline(fig, (ref[0] * factor, ref[1], ref[2]), theme, right=i % 2 == 1)
    return fig


def output_and_share(frame: pd.DataFrame, lang: str, theme: str) -> go.Figure:
    """High-tech output (bars, left axis) and its share of industrial output (line, right axis).
    Columns: year, output, share."""
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    factor, _ = unit_for_axis("亿元", lang)
    p = palette(theme)
    fig = go.Figure(
        layout=base_layout(
            theme,
            margin={"l": 60, "r": 64, "t": 40, "b": 44},
            xaxis=_years_axis(frame["year"]),
            yaxis={"title": {"text": t("output_axis", lang)}},
            yaxis2={
                "title": {"text": t("share_axis", lang)},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
                "tickmode": "auto",
                "tickformat": ".0f",
            },
        )
    )
    fig.add_bar(
        x=frame["year"],
        y=frame["output"] * factor,
        name=t("hightech_output", lang),
        marker={"color": p["accent_soft"]},
        text=[fmt_value(v, "亿元", lang) for v in frame["output"]],
        textposition="none",
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    fig.add_scatter(
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


def tier_bars(counts: pd.Series, lang: str, theme: str) -> go.Figure:
    """The five tiers as a pyramid: national innovative firms on top. `counts`: index tier."""
    if counts.sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    labels = [t(f"tier_{tier}", lang) for tier in counts.index]
    unit = "家" if lang == "zh" else ""
    fig = go.Figure(
        layout=base_layout(
            theme,
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"title": {"text": unit_for_axis("家", lang)[1]}},
            showlegend=False,
        )
    )
    fig.add_bar(
        y=labels[::-1],
        x=counts.values[::-1],
        orientation="h",
        text=[f"{v:,}{unit}" for v in counts[::-1]],
        textposition="auto",
        marker={"color": palette(theme)["colorway"][:5][::-1]},
        hovertemplate="%{y}: %{x:,d}" + unit + "<extra></extra>",
    )
    return fig


def tier_trend(frame: pd.DataFrame, lang: str, theme: str) -> go.Figure:
    """Tier counts over the years. `frame`: index year, one column per tier."""
    if frame.empty or frame.to_numpy().sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    unit = unit_for_axis("家", lang)[1]
    fig = go.Figure(layout=base_layout(theme, xaxis=_years_axis(frame.index), yaxis={"title": {"text": unit}}))
    for tier in frame.columns:
        fig.add_scatter(
            x=list(frame.index),
            y=frame[tier],
            name=t(f"tier_short_{tier}", lang),
            mode="lines+markers",
            hovertemplate="%{x}: %{y:,d}<extra>" + t(f"tier_{tier}", lang) + "</extra>",
        )
    return fig


def tier_flows(flows: pd.DataFrame, tiers: Sequence[str], prev: int, year: int, lang: str, theme: str) -> go.Figure:
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
    fig = go.Figure(layout=base_layout(theme))
    fig.add_sankey(
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
) -> go.Figure:
    """Stacked tiers per district (customdata = district code for cross-filtering).
    `frame`: index district code, one column per tier."""
    if frame.empty or frame.to_numpy().sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    chosen = set(selected)
    frame = frame.loc[frame.sum(axis=1).sort_values(ascending=False).index]
    x = [names.get(c, c) for c in frame.index]
    opacity = [1.0 if not chosen or c in chosen else 0.35 for c in frame.index]
    fig = go.Figure(
        layout=base_layout(
            theme,
            barmode="stack",
            clickmode="event",
            xaxis={"type": "category"},
            yaxis={"title": {"text": unit_for_axis("家", lang)[1]}},
        )
    )
    for tier in frame.columns:
        fig.add_bar(
            x=x,
            y=frame[tier],
            name=t(f"tier_short_{tier}", lang),
            customdata=list(frame.index),
            marker={"opacity": opacity},
            hovertemplate="%{x} " + t(f"tier_{tier}", lang) + ": %{y:,d}<extra></extra>",
        )
    return fig


def uptime_bars(frame: pd.DataFrame, lang: str, theme: str, line: float = 99.9) -> go.Figure:
    """Station uptime (%) for the year against the 99.9% line. Columns: name, uptime (ratio)."""
    frame = frame.dropna(subset=["uptime"])
    if frame.empty:
        return empty_figure(t("no_stations", lang), theme)
    p = palette(theme)
    pct = frame["uptime"] * 100
    lo = min(float(pct.min()), line) - 0.1
    fig = go.Figure(
        layout=base_layout(
            theme,
            yaxis={"title": {"text": t("uptime_axis", lang)}, "range": [max(lo, 0), 100.02], "ticksuffix": "%"},
            xaxis={"type": "category"},
            showlegend=False,
        )
    )
    fig.add_bar(
        x=frame["name"],
        y=pct,
        text=[f"{v:.2f}%" for v in pct],
        textposition="none",
        marker={"color": [p["good"] if v >= line else p["warn"] for v in pct]},
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    _hline(fig, (line, t("uptime_line", lang), "bad"), theme, right=True)
    return fig


def uptime_heatmap(frame: pd.DataFrame, names: Sequence[str], lang: str, theme: str) -> go.Figure:
    """Station x month uptime. `frame`: rows stations, columns months 1..12, ratios (None = not in service)."""
    if frame.empty or frame.isna().all().all():
        return empty_figure(t("no_stations", lang), theme)
    z = (frame.astype("float64") * 100).round(3)
    months = [t("month_short", lang, m=m) for m in frame.columns]
    text = [["—" if pd.isna(v) else f"{v:.2f}%" for v in row] for row in z.to_numpy()]
    fig = go.Figure(
        layout=base_layout(
            theme,
            yaxis={"autorange": "reversed", "type": "category", "dtick": 1},
            xaxis={"type": "category", "title": {"text": t("month_axis", lang)}},
        )
    )
    fig.add_heatmap(
        z=z.to_numpy(),
        x=months,
        y=list(names),
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


def outage_timeline(frame: pd.DataFrame, lang: str, theme: str) -> go.Figure:
    """Outages of the year on a time axis. Columns: name, start, end, duration_h, cause_label, and
    optionally shown_start / shown_end (the part inside the period)."""
    if frame.empty:
        return empty_figure(t("no_outages", lang), theme)
    p = palette(theme)
    causes = list(dict.fromkeys(frame["cause_label"]))
    fig = go.Figure(
        layout=base_layout(
            theme,
            barmode="overlay",
            xaxis={"type": "date", "tickformat": "%Y-%m"},
            yaxis={"autorange": "reversed", "type": "category", "dtick": 1},
        )
    )
    for i, cause in enumerate(causes):
        part = frame[frame["cause_label"] == cause]
        # drawn inside the period (an outage running over New Year is cut at the edge); hover shows the real start
        start, end = part.get("shown_start", part["start"]), part.get("shown_end", part["end"])
        ms = ((end - start).dt.total_seconds() * 1000).clip(
            lower=3.6e6 * 12
        )  # drawn at least 12 h wide to stay visible on a year axis; hover has the real duration
        fig.add_bar(
            y=part["name"],
            x=ms,
            base=start.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            orientation="h",
            name=cause,
            marker={"color": p["colorway"][i % len(p["colorway"])]},
            customdata=list(zip(part["start"].dt.strftime("%Y-%m-%d %H:%M"), part["duration_h"].round(2), strict=True)),
            hovertemplate="%{y} · "
            + cause
            + "<br>"
            + t("start", lang)
            + " %{customdata[0]}<br>"
            + t("duration", lang)
            + " %{customdata[1]} "
            + t("hours", lang)
            + "<extra></extra>",
        )
    return fig


def tile_map(
    frame: pd.DataFrame, selected: Sequence[str], unit_zh: str, label: str, lang: str, theme: str
) -> go.Figure:
    """Schematic district tile map coloured by an indicator (no geo data, works offline).

    A heatmap on the tile grid: cells scale with the chart, carry the district code (customdata) for
    cross-filtering, and selected districts get an outline. `frame`: district, name, tile_row,
    tile_col, value (None = no data).
    """
    if frame.empty:
        return empty_figure(t("no_data", lang), theme)
    p = palette(theme)
    chosen = set(selected)
    rows, cols = int(frame["tile_row"].max()) + 1, int(frame["tile_col"].max()) + 1
    factor, unit = unit_for_axis(unit_zh, lang)
    z: list[list[float | None]] = [[None] * cols for _ in range(rows)]
    codes: list[list[str | None]] = [[None] * cols for _ in range(rows)]
    text: list[list[str]] = [[""] * cols for _ in range(rows)]
    outlines = []
    for r in frame.itertuples(index=False):
        v = None if pd.isna(r.value) else float(r.value)
        z[r.tile_row][r.tile_col] = None if v is None else v * factor
        codes[r.tile_row][r.tile_col] = r.district
        text[r.tile_row][r.tile_col] = f"{r.name}<br>{fmt_value(v, unit_zh, lang)}"
        if r.district in chosen:
            outlines.append(
                {
                    "type": "rect",
                    "x0": r.tile_col - 0.5,
                    "x1": r.tile_col + 0.5,
                    "y0": r.tile_row - 0.5,
                    "y1": r.tile_row + 0.5,
                    "line": {"color": p["selected_line"], "width": 4},
                }
            )
    hidden = {"visible": False, "fixedrange": True}
    fig = go.Figure(
        layout=base_layout(
            theme,
            showlegend=False,
            clickmode="event",
            shapes=outlines,
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            xaxis={**hidden, "range": [-0.5, cols - 0.5]},
            yaxis={**hidden, "range": [rows - 0.5, -0.5], "scaleanchor": "x"},
        )
    )
    fig.add_heatmap(
        z=z,
        customdata=codes,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 12},
        xgap=3,
        ygap=3,
        colorscale=p["scale"],
        hoverongaps=False,
        hovertemplate="%{text}<extra>" + label + "</extra>",
        colorbar={"thickness": 10, "title": {"text": unit}, "tickformat": ",~g"},
    )
    return fig


def plan_and_peers(
    series: pd.Series,
    label: str,
    unit_zh: str,
    goal: tuple[float, int] | None,
    peers: pd.DataFrame,
    lang: str,
    theme: str,
) -> go.Figure:
    """An indicator over the years against its plan target (a marker in the target year) and peer cities.

    `peers`: columns name, year, value.
    """
    if series.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    p = palette(theme)
    factor = unit_for_axis(unit_zh, lang)[0]
    years = sorted({*series.index, *(peers["year"] if len(peers) else []), *([goal[1]] if goal else [])})
    fig = go.Figure(
        layout=base_layout(
            theme,
            xaxis=_years_axis(years),
            yaxis={"title": {"text": unit_for_axis(unit_zh, lang)[1]}, "rangemode": "tozero"},
        )
    )
    fig.add_scatter(
        x=list(series.index),
        y=series.values * factor,
        mode="lines+markers+text",
        cliponaxis=False,
        name=label,
        text=[fmt_value(v, unit_zh, lang) for v in series.values],
        textposition="top center",
        line={"width": 3, "color": p["accent"]},
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if goal is not None:
        text = t("plan_target", lang, value=fmt_value(goal[0], unit_zh, lang), year=goal[1])
        fig.add_scatter(
            x=[series.index[-1], goal[1]],
            y=[series.iloc[-1] * factor, goal[0] * factor],
            mode="lines+markers",
            name=text,
            line={"dash": "dot", "color": p["warn"]},
            marker={"symbol": "star", "size": [1, 14]},
            hovertemplate=text + "<extra></extra>",
        )
    for i, (peer, part) in enumerate(peers.groupby("name", sort=True)):
        fig.add_scatter(
            x=part["year"],
            y=part["value"] * factor,
            mode="markers+text",
            name=str(peer),
            marker={"symbol": "diamond", "size": 12, "color": p["colorway"][(i + 3) % 7]},
            text=[f"{peer} {fmt_value(v, unit_zh, lang)}" for v in part["value"]],
            textposition="middle right",
            hovertemplate="%{text} (%{x})<extra></extra>",
        )
    return fig
