"""Our own lean Plotly look (no 7 KB default template per figure): light and dark (projector)."""

from __future__ import annotations

from typing import Any

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif'
)
THEMES = ("light", "dark")

PALETTES: dict[str, dict[str, Any]] = {
    "light": {
        "text": "#1f2937",
        "muted": "#6b7280",
        "grid": "#e5e7eb",
        "zero": "#cbd5e1",
        "bg": "rgba(0,0,0,0)",
        "hover_bg": "#ffffff",
        "label_bg": "rgba(255,255,255,0.85)",
        "accent": "#1d4ed8",
        "accent_soft": "#93c5fd",
        "good": "#15803d",
        "bad": "#b91c1c",
        "warn": "#b45309",
        "ref": "#475569",
        "tile_line": "#ffffff",
        "selected_line": "#111827",
        "colorway": ["#1d4ed8", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0891b2", "#64748b"],
        "scale": [[0, "#eff6ff"], [0.5, "#60a5fa"], [1, "#1e3a8a"]],
        "uptime_scale": [[0, "#b91c1c"], [0.6, "#f59e0b"], [0.9, "#a7f3d0"], [1, "#047857"]],
    },
    "dark": {
        "text": "#f3f4f6",
        "muted": "#9ca3af",
        "grid": "#374151",
        "zero": "#4b5563",
        "bg": "rgba(0,0,0,0)",
        "hover_bg": "#111827",
        "label_bg": "rgba(17,24,39,0.85)",
        "accent": "#60a5fa",
        "accent_soft": "#1e3a8a",
        "good": "#4ade80",
        "bad": "#f87171",
        "warn": "#fbbf24",
        "ref": "#d1d5db",
        "tile_line": "#111827",
        "selected_line": "#fde047",
        "colorway": ["#60a5fa", "#fbbf24", "#34d399", "#f87171", "#c4b5fd", "#22d3ee", "#9ca3af"],
        "scale": [[0, "#1e293b"], [0.5, "#2563eb"], [1, "#bfdbfe"]],
        "uptime_scale": [[0, "#f87171"], [0.6, "#fbbf24"], [0.9, "#065f46"], [1, "#34d399"]],
    },
}


# Presentation themes: the same colours with type readable from the back of a room.
PALETTES["projector"] = {**PALETTES["dark"], "font_size": 20}
PALETTES["projector-light"] = {**PALETTES["light"], "font_size": 20}


def palette(theme: str) -> dict[str, Any]:
    """Colours of a theme ('light' when unknown)."""
    return PALETTES.get(theme, PALETTES["light"])


def base_layout(theme: str, **overrides: Any) -> dict[str, Any]:
    """The layout every figure starts from: font stack, colours, compact margins, no Plotly template."""
    p = palette(theme)
    axis = {
        "gridcolor": p["grid"],
        "zerolinecolor": p["zero"],
        "linecolor": p["grid"],
        "automargin": True,
        "tickformat": ",~g",
        "title": {"font": {"size": p.get("font_size", 13) - 1, "color": p["muted"]}},
    }
    layout: dict[str, Any] = {
        "template": {},  # empty: no ~7 KB default template per figure
        "font": {"family": FONT_FAMILY, "size": p.get("font_size", 13), "color": p["text"]},
        "paper_bgcolor": p["bg"],
        "plot_bgcolor": p["bg"],
        "colorway": p["colorway"],
        "margin": {"l": 60, "r": 20, "t": 40, "b": 44},
        "hoverlabel": {"bgcolor": p["hover_bg"], "font": {"family": FONT_FAMILY, "color": p["text"]}},
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0,
            "bgcolor": "rgba(0,0,0,0)",
        },
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "separators": ".,",
    }
    for key in ("xaxis", "yaxis", "yaxis2"):  # axis overrides extend the defaults instead of replacing them
        if key in overrides:
            layout[key] = {**axis, **overrides.pop(key)}
    layout.update(overrides)
    return layout
