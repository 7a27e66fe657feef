"""Every component ID of the page, in one place (kebab-case, section prefix), and the pattern-ID factories.

A section's charts and blocks are filled by one callback per section whose outputs are pattern-matching
(`ALL`), so a dataset that lacks a chart simply has no such component. Each chart's stable ID (e.g.
`patents-trend-graph`, the contract listed in the README) is on the element that holds it; the
dcc.Graph inside carries the pattern ID `graph_id(section, name)`.
"""

from __future__ import annotations

import hashlib
import re

# page state
URL = "page-url"  # dcc.Store: {"search", "at"} set by the page on back/forward (assets/app.js)
CONFIG = "page-config"  # dcc.Store: {"lang", "theme"}
PAINTER = "page-painter"  # hidden html.Div: its PAINT attribute holds {block holder id: content} per update
PAINT = "data-paint"  # a block's content (component JSON), painted in place by assets/app.js
NOTICE = "page-notice"
DATA_ALERT = "page-data-alert"
HEADER_CITY = "header-city"
HEADER_TITLE = "header-title"
HEADER_ASOF = "header-asof"
HEADER_SAMPLE = "header-sample-badge"
LANG_LINK = "header-lang-link"
PRESENT_LINK = "header-present-link"
THEME_LINK = "header-theme-link"
FOOTER_VERSION = "footer-version"
LIBRARY_LINK = "header-library-link"
USER_NAME = "header-user"
LOGOUT = "header-logout"

# meeting export
EXPORT_BUTTON = "export-button"
EXPORT_PANEL = "export-panel"
EXPORT_PROGRESS = "export-progress"
EXPORT_PROGRESS_LABEL = "export-progress-label"
EXPORT_CANCEL = "export-cancel"
EXPORT_ERROR = "export-error"
EXPORT_DOWNLOAD = "export-download"

# data export (CSV / XLSX of the view)
DATA_EXPORT_MENU = "data-export-menu"
DATA_EXPORT_CSV = "data-export-csv"
DATA_EXPORT_XLSX = "data-export-xlsx"

# drill-down page (/drill/…)
DRILL_GRID = "drill-grid"
DRILL_BACK = "drill-back"
DRILL_TITLE = "drill-title"
DRILL_COUNT = "drill-count"
DRILL_CSV = "drill-download-csv"
DRILL_XLSX = "drill-download-xlsx"

# presentation mode
PRESENT_ROOT = "present-root"
PRESENT_CANVAS = "present-canvas"
PRESENT_PROGRESS = "present-progress"
PRESENT_STATUS = "present-status"

# filters and sections
FILTER_DATA = "filter-data"  # dcc.Store: what the browser keeps the filters consistent with
ACTIVE_SECTION = "section-active"  # dcc.Store: the key of the section shown below the overview
SECTION_TABS = "section-tabs"
VISIBLE = "page-visible-charts"  # dcc.Store: the charts in or near the viewport (assets/app.js keeps it)
SEEN = "page-seen"  # dcc.Store: bumped when a chart left stale off screen comes into view
SECTION_BODY = "section-body"
FILTER_YEAR = "filter-year"
FILTER_DISTRICTS = "filter-districts"
FILTER_RESET = "filter-reset"
FILTER_CAPTION = "filter-caption"

# overview
KPI_STRIP = "kpi-strip"
OVERVIEW_SUMMARY = "overview-summary"
MAP_INDICATOR = "overview-map-indicator"
MAP_GRAPH = "overview-map-graph"
RD_GRAPH = "overview-rd-graph"

# the assessment scorecard (考核)
SCORECARD = "scorecard"  # the table (contract: ../shared/DESIGN.md §3)
SCORECARD_BLOCK = "scorecard-block"
SCORECARD_SUMMARY = "scorecard-summary"

# sections
PATENTS_TREND = "patents-trend-graph"
PATENTS_DISTRICT = "patents-district-graph"
PATENTS_SHARE = "patents-share-graph"
HIGHTECH_DISTRICT = "hightech-district-graph"
HIGHTECH_TREND = "hightech-trend-graph"
PIPELINE_HEADLINE = "pipeline-headline"
PIPELINE_TIERS = "pipeline-tiers-graph"
PIPELINE_TREND = "pipeline-trend-graph"
PIPELINE_FLOW = "pipeline-flow-graph"
PIPELINE_DISTRICT = "pipeline-district-graph"
PLANS_TRAJECTORY = "plans-trajectory-graph"
PLANS_PEERS = "plans-peers-graph"
SEISMIC_HEADLINE = "seismic-headline"
SEISMIC_UPTIME = "seismic-uptime-graph"
SEISMIC_HEATMAP = "seismic-heatmap-graph"
SEISMIC_TIMELINE = "seismic-timeline-graph"

# pattern-matching types: {"type": GRAPH, "section": key, "name": stable id}
GRAPH = "sti-graph"
DRAWN = "sti-drawn"  # dcc.Store per section: what its charts show now (so a change redraws only what moves)
TAB = "sti-tab"  # {"type": TAB, "section": key}: the tab of a section


def graph_id(section: str, name: str) -> dict[str, str]:
    """The pattern ID of a section's chart (its holder element carries `name`)."""
    return {"type": GRAPH, "section": section, "name": name}


def drawn_id(section: str) -> dict[str, str]:
    """The pattern ID of a section's record of what its charts show."""
    return {"type": DRAWN, "section": section, "name": "drawn"}


def tab_id(section: str) -> dict[str, str]:
    """The pattern ID of a section's tab."""
    return {"type": TAB, "section": section}


def slug(text: str) -> str:
    """A kebab-safe piece of an ID for a name from the data: 'tech_market' stays, anything else is hashed."""
    clean = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
    if clean and clean == text.lower():
        return clean
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{clean[:24]}_{digest}" if clean else f"x{digest}"


def other_graph(indicator: str, kind: str) -> str:
    """The stable ID of an own indicator's chart in the generic section ('trend' or 'district')."""
    return f"other-{slug(indicator)}-{kind}-graph"


# Every built-in chart ID (a dataset that lacks a chart's data has no such chart on its page).
ALL_GRAPHS: tuple[str, ...] = (
    MAP_GRAPH,
    RD_GRAPH,
    PATENTS_TREND,
    PATENTS_DISTRICT,
    PATENTS_SHARE,
    HIGHTECH_DISTRICT,
    HIGHTECH_TREND,
    PLANS_TRAJECTORY,
    PLANS_PEERS,
    PIPELINE_TIERS,
    PIPELINE_TREND,
    PIPELINE_FLOW,
    PIPELINE_DISTRICT,
    SEISMIC_UPTIME,
    SEISMIC_HEATMAP,
    SEISMIC_TIMELINE,
)
