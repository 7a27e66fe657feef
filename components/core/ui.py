"""Small shared layout pieces: graph cards, section frames, headline numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from dash import dcc, html

from components.core import ids
from components.core.i18n import plotly_config, t

GRAPH_CONFIG: dcc.Graph.Config = {
    "displaylogo": False,
    "showSendToCloud": False,  # no "Share chart" upload to Plotly's cloud: nothing leaves the intranet
    "showEditInChartStudio": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    # PNG download of any chart at presentation resolution (rendered in the browser, no server needed)
    "toImageButtonOptions": {"format": "png", "width": 960, "height": 540, "scale": 2},
}


def attrs(values: Mapping[str, object]) -> dict[str, Any]:
    """`data-*` / `aria-*` attributes for a Dash component, to splat: `html.Div(..., **attrs({"data-x": x}))`.

    Their names are not Python identifiers, so they can only be passed as `**` keywords, and Dash 4's typed
    component signatures check such a splat against every declared keyword (`hidden: bool | None`, ...): a
    `dict[str, str]` fails there. The returned dict (a copy) is typed for the splat; Dash still checks the names
    at run time (only `data-*` and `aria-*` are accepted as wildcards).
    """
    return dict(values)


def graph_config(config: dcc.Graph.Config, lang: str) -> dcc.Graph.Config:
    """`config` (a copy) with the part that makes Plotly's own strings follow the page language."""
    # plotly_config's values are typed `object`; its keys (locale, locales) are Config's.
    return cast("dcc.Graph.Config", {**config, **plotly_config(lang)})


def raw(v: float | None) -> str:
    """A number for a data-* attribute: full precision, '' when there is none."""
    return "" if v is None else repr(float(v))


def title_parts(title: str, year: object = "", when: str = "", lang: str = "zh", yearly: bool = False) -> list[Any]:
    """A title whose '{year}' placeholder becomes a span that follows the filters (assets/app.js keeps it
    current): the year, or with `when` the view's period ('2012年1–11月' / 'Jan–Nov 2012'). A Chinese '{year}年'
    is taken whole, so that the period replaces '2012年' and not only '2012'; a `yearly` chart's title (and a
    Chinese bare '{year}') keeps the year alone (`data-when`: 'period' or 'year')."""
    if "{year}" not in title:
        return [title]
    follows = not yearly and ("{year}年" in title or lang == "en")
    whole = "{year}年" if follows and "{year}年" in title else "{year}"
    before, after = title.split(whole, 1)
    shown = (when if follows else "") or whole.replace("{year}", str(year))
    mark = attrs({"data-when": "period" if follows else "year"})
    return [before, html.Span(shown, className="title-year", **mark), after]


def graph(
    component_id: str | dict[str, str],
    name: str,
    lang: str,
    height: int = 320,
    modebar: bool = True,
    figure: Any = None,
) -> dcc.Graph:
    """A graph with our config (`name`: the chart's stable ID, used for PNG file names) and its figure."""
    config = graph_config(GRAPH_CONFIG, lang)
    config["toImageButtonOptions"] = {**GRAPH_CONFIG["toImageButtonOptions"], "filename": name}
    if not modebar:
        config["displayModeBar"] = False
    extra = {} if figure is None else {"figure": figure}
    return dcc.Graph(id=component_id, config=config, style={"height": f"{height}px"}, **extra)


def drill_link(kind: str, lang: str) -> html.A:
    """A card's link to its drill-down page ('企业名单', '中断记录'); the page fills in the view when followed.
    Marked `data-drill`: the page leaves it out for a viewer (the drill-down is an analyst's; the server
    refuses it too), so view code never asks who is logged in."""
    label = t("drill_link_firms" if kind == "enterprises" else "drill_link_outages", lang)
    return html.A(label + " →", href=f"/drill/{kind}", className="drill-link small", **attrs({"data-drill": kind}))


def info_details(lines: Sequence[str], title: str, class_name: str) -> html.Details:
    """An ⓘ that opens the catalogue in place (a tap or Enter: no hover needed), named `title`."""
    return html.Details(
        [
            html.Summary("ⓘ", title=title, **attrs({"aria-label": title})),
            html.Div([html.Div(line) for line in lines], className="kpi-info-text"),
        ],
        className=f"kpi-info {class_name}",
    )


def graph_card(
    section: str,
    name: str,
    title: str,
    lang: str,
    height: int = 320,
    control: Any = None,
    modebar: bool = True,
    figure: Any = None,
    year: object = "",
    when: str = "",
    info: Sequence[str] = (),
    info_title: str = "",
    yearly: bool = False,
    **holder_attrs: str,
) -> html.Div:
    """A titled card holding one chart; the element around the graph carries the chart's stable ID `name`
    and `holder_attrs` (`data-*` attributes). `info`: the ⓘ's lines (the catalogue of what the chart shows),
    opened in place by a tap or Enter, named `info_title`.

    Few elements (each costs every update in the browser); the height is reserved before the chart library
    arrives, so nothing below it moves.
    """
    title_id = f"{name}-title"
    row = control is not None or bool(info)
    heading = html.H3(
        title_parts(title, year, when, lang, yearly), id=title_id, className="h6 m-0" if row else "h6 m-0 graph-title"
    )
    extra = [info_details(info, info_title, "chart-info")] if info else []
    header = html.Div([heading, *extra, control], className="graph-title graph-title-row") if row else heading
    holder = html.Div(
        graph(ids.graph_id(section, name), name, lang, height, modebar, figure),
        id=name,
        className="graph-holder",
        style={"minHeight": f"{height}px"},
        **attrs(holder_attrs),
    )
    # The chart's text alternative: its numbers as a table (a <details> the page adds here, assets/app.js), drawn
    # from the table the figure carries (components/charts/tables.with_table) when opened — reachable by keyboard.
    table = html.Div(
        className="chart-data",
        **attrs(
            {
                "data-label": t("chart_table", lang),
                "data-empty": t("chart_table_empty", lang),
                "data-lang": lang,
            }
        ),
    )
    return html.Div(
        [header, holder, table],
        className="card graph-card h-100",
        role="figure",
        **attrs({"aria-labelledby": title_id}),
    )


def section_frame(section_id: str, title: str, children: list[Any]) -> html.Section:
    """A dashboard section with an anchor and heading."""
    return html.Section(
        [html.H2(title, className="section-title"), *children],
        id=section_id,
        className="dash-section",
        **attrs({"aria-label": title}),
    )


def headline(
    indicator: str, label: str, value: float | None, value_text: str, change: float | None, change_text: str
) -> html.Div:
    """A small headline number carrying data-indicator / data-value / data-yoy."""
    return html.Div(
        [
            html.Div(label, className="headline-label"),
            html.Div(value_text, className="headline-value"),
            html.Div(change_text, className="headline-change"),
        ],
        className="headline",
        **attrs({"data-indicator": indicator, "data-value": raw(value), "data-yoy": raw(change)}),
    )


STATUS_ICONS = {"on_track": "✓", "at_risk": "⚠", "missed": "✕"}


def status_line(status: str, text: str, class_name: str) -> html.Div:
    """A status in colour, icon and words (never colour alone): hidden when there is none, so a card or
    cell keeps its shape."""
    icon = html.Span(STATUS_ICONS.get(status, ""), className="status-icon", **attrs({"aria-hidden": "true"}))
    return html.Div(
        [icon, text], className=f"{class_name} status-{status}" if status else class_name, hidden=not status
    )
