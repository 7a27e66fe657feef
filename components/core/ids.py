"""The IDs of the page's shell in one place (kebab-case, by area), and the pattern-ID factories.

A section's own IDs are derived from its key by the section (`Section.graph_id`, `Section.block_id`:
`patents-trend-graph`, the stable chart IDs listed in docs/sections.md). Its charts and blocks are filled by
one page callback whose outputs are pattern-matching (`ALL`), so a dataset that lacks a chart simply has no
such component: each chart's stable ID is on the element that holds it; the dcc.Graph inside carries the
pattern ID `graph_id(section, name)`.
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
PASSWORD_LINK = "password-link"  # the signed-in user's "change password" (/password)
AUDIT_LINK = "audit-link"  # administrators: the security audit trail (/audit)

# meeting export
EXPORT_BUTTON = "export-button"
EXPORT_PANEL = "export-panel"
EXPORT_PROGRESS = "export-progress"
EXPORT_PROGRESS_LABEL = "export-progress-label"
EXPORT_CANCEL = "export-cancel"
EXPORT_ERROR = "export-error"
EXPORT_DOWNLOAD = "export-download"
EXPORT_DOCX = "export-docx"  # the report menu's 导出Word (a background job like 导出PPT)
EXPORT_PDF = "export-pdf"
REPORT_MENU = "report-menu"
REPORT_PRINT = "report-print"  # the print view (/report)
REPORTS_LINK = "header-reports-link"  # 报告库 (/reports), for analysts and admins

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
FILTER_PERIOD = "filter-period"  # '' (the whole year), 'Q1'…'Q4', 'M01'…'M12': a period of the chosen year
FILTER_BASIS = "filter-basis"  # 'ytd' (1–N月累计) or 'period' (当期)
FILTER_RESET = "filter-reset"
FILTER_CAPTION = "filter-caption"

# the phone layout (≤ 576 px): one header menu, the filters as a sheet, a KPI card's detail
HEADER_ACTIONS = "header-actions"  # the header's buttons: a row on a desk, the menu's list on a phone
MENU_TOGGLE = "menu-toggle"  # the phone's ☰ that opens them (assets/app.js)
FILTER_OPEN = "filter-open"  # the phone's filter line (period · districts) that opens the filters as a sheet
FILTER_CONTROLS = "filter-controls"  # the filters themselves: the bar on a desk, the sheet on a phone
FILTER_DONE = "filter-done"  # the sheet's 完成
KPI_DETAIL = "kpi-detail"  # dcc.Store: the indicator whose detail is asked for (a tap on its card)
KPI_MODAL = "kpi-modal"
KPI_MODAL_TITLE = "kpi-modal-title"
KPI_MODAL_BODY = "kpi-modal-body"

# the assessment scorecard (考核)
SCORECARD = "scorecard"  # the table (contract: ../shared/DESIGN.md §3)

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
