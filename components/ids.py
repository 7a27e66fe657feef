"""Every component ID of the page, in one place (kebab-case, section prefix)."""

from __future__ import annotations

# page state
URL = "page-url"
CONFIG = "page-config"  # dcc.Store: {"lang", "theme"}
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

# meeting export
EXPORT_BUTTON = "export-button"
EXPORT_PANEL = "export-panel"
EXPORT_PROGRESS = "export-progress"
EXPORT_PROGRESS_LABEL = "export-progress-label"
EXPORT_CANCEL = "export-cancel"
EXPORT_ERROR = "export-error"
EXPORT_DOWNLOAD = "export-download"

# presentation mode
PRESENT_ROOT = "present-root"
PRESENT_CANVAS = "present-canvas"
PRESENT_PROGRESS = "present-progress"
PRESENT_STATUS = "present-status"

# filters
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
SEISMIC_HEADLINE = "seismic-headline"
SEISMIC_UPTIME = "seismic-uptime-graph"
SEISMIC_HEATMAP = "seismic-heatmap-graph"
SEISMIC_TIMELINE = "seismic-timeline-graph"

# Graphs whose bars or tiles carry a district code in customdata: a click toggles that district.
CLICKABLE_DISTRICT_GRAPHS: tuple[str, ...] = (MAP_GRAPH, PATENTS_DISTRICT, HIGHTECH_DISTRICT, PIPELINE_DISTRICT)

ALL_GRAPHS: tuple[str, ...] = (
    MAP_GRAPH,
    RD_GRAPH,
    PATENTS_TREND,
    PATENTS_DISTRICT,
    PATENTS_SHARE,
    HIGHTECH_DISTRICT,
    HIGHTECH_TREND,
    PIPELINE_TIERS,
    PIPELINE_TREND,
    PIPELINE_FLOW,
    PIPELINE_DISTRICT,
    SEISMIC_UPTIME,
    SEISMIC_HEATMAP,
    SEISMIC_TIMELINE,
)
