"""The one catalogue of interface strings (zh-CN first, English second) and number formatting.

The strings shared across the product live here; a section's own strings live beside its declaration and join
the catalogue when the section is registered (`add_strings`), so `t()` finds every key in one place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from data.schema import TIER_NAMES

LANGS = ("zh", "en")
DASH = "—"

STRINGS: dict[str, tuple[str, str]] = {
    # header, footer, page
    "sample_badge": ("示例数据", "Sample data"),
    "sample_note": (
        "区县分布、考核目标、企业名录、台站记录和大事记日期为示意数据，全市合计与工作报告一致。",
        "District split, assessment targets, enterprise registry, station logs and event dates are illustrative; "
        "city totals match the annual report.",
    ),
    "as_of": ("数据截至 {date}", "Data as of {date}"),
    "version": ("数据版本 {version}", "Dataset version {version}"),
    "source": ("来源：{source}", "Source: {source}"),
    "switch_lang": ("English", "中文"),
    "present": ("演示", "Present"),
    "menu": ("☰ 菜单", "☰ Menu"),
    "filters_open": ("筛选", "Filter"),
    "filters_done": ("完成", "Done"),
    "kpi_open": ("{indicator}：详情", "{indicator}: details"),
    "kpi_detail_trend": ("走势", "Trend"),
    "kpi_detail_districts": ("各区县（市）", "By district"),
    "kpi_detail_close": ("关闭", "Close"),
    "export_pptx": ("导出PPT", "Export PPT"),
    "export_hint": (
        "把当前视图导出为可编辑的PPT（每个板块一页）",
        "The current view as editable slides (one per section)",
    ),
    "export_running": ("正在生成文件…", "Building the document…"),
    "export_step": ("第{done}/{total}张图：{label}", "Chart {done} of {total}: {label}"),
    "export_cancel": ("取消", "Cancel"),
    "export_busy": ("另一个导出正在进行，请稍后再试。", "Another export is running; try again in a minute."),
    "export_unavailable": (
        "导出服务暂时无法连接（后台任务队列不可用），请稍后再试。",
        "The export service cannot be reached right now (the job queue is down); please try again later.",
    ),
    "export_failed": (
        "导出失败，请稍后重试或联系管理员。",
        "The export failed; try again later or ask the administrator.",
    ),
    "present_hint": (
        "全屏演示：←/→翻页，P暂停，F全屏，D下载报告（PDF），Esc退出",
        "Slides: ←/→ to move, P to pause, F full screen, D the report as PDF, Esc to leave",
    ),
    "present_paused": ("已暂停（按P继续）", "Paused (press P to resume)"),
    "present_offline": ("与服务器的连接中断，正在重试…", "Connection to the server lost; retrying…"),
    "present_updated": ("数据已更新", "Data updated"),
    "present_slide_of": ("{n} / {total}", "{n} / {total}"),
    "theme_dark": ("深色", "Dark"),
    "theme_light": ("浅色", "Light"),
    "data_update_rejected": (
        "数据更新未通过校验，仍在使用版本 {version}：{error}",
        "A data update failed validation; still serving version {version}: {error}",
    ),
    # filters
    "year": ("年份", "Year"),
    "districts": ("区县（市）", "Districts"),
    "districts_placeholder": ("全市（可多选区县）", "Whole city (choose districts)"),
    "whole_city": ("全市", "Whole city"),
    "whole_city_in_text": ("全市", "the whole city"),
    "reset_city": ("全市", "Whole city"),
    "caption": ("{year}年 · {scope}", "{year} · {scope}"),
    "caption_period": ("{period} · {scope}", "{period} · {scope}"),
    "sum_reported": ("（统计部门公布）", " (as published)"),
    "compare_ytd": ("{year}年（累计）", "{year} (year to date)"),
    "compare_own": ("{year}年（当期）", "{year} (each period)"),
    "compare_level": ("{year}年（期末）", "{year} (end of period)"),
    "compare_before": ("{year}年同期", "{year}, same period"),
    "caption_districts": ("{names}", "{names}"),
    "notice_bad_year": (
        "网址中的年份“{value}”无效，已显示{year}年。",
        "The year “{value}” in the address is not valid; showing {year}.",
    ),
    "notice_bad_district": (
        "网址中的区县代码“{value}”无效，已忽略。",
        "District code “{value}” in the address is not valid and was ignored.",
    ),
    "notice_bad_param": ("网址参数“{value}”无法识别，已忽略。", "Unknown address parameter “{value}” was ignored."),
    "notice_year_fallback": (
        "所选区县在{year}年无数据，已切换到{fallback}年。",
        "The selected districts have no data for {year}; switched to {fallback}.",
    ),
    "notice_too_many": ("所选区县过多，已忽略多余部分。", "Too many districts selected; the rest were ignored."),
    "notice_bad_period": (
        "网址中的期间“{value}”无效或无数据，已显示全年。",
        "The period “{value}” in the address is not valid or has no data; showing the whole year.",
    ),
    "notice_bad_basis": (
        "网址中的口径“{value}”无效，已显示累计值。",
        "The basis “{value}” in the address is not valid; showing year-to-date values.",
    ),
    "period": ("期间", "Period"),
    "period_year": ("全年", "Whole year"),
    "basis": ("统计方式", "Basis"),
    "basis_ytd": ("累计", "Year to date"),
    "basis_period": ("当期", "Period"),
    "kpi_period_shown": ("{period}数据", "{period} data"),
    "kpi_yoy_reported": ("同比 {change}（公布）", "YoY {change} (published)"),
    "kpi_schedule": (
        "完成全年目标{pct}，{pace}序时进度{points}个百分点",
        "{pct} of the annual target, {pace} schedule by {points} pp",
    ),
    "kpi_schedule_ahead": ("超", "ahead of"),
    "kpi_schedule_behind": ("低于", "behind"),
    "kpi_schedule_even": ("完成全年目标{pct}，与序时进度持平", "{pct} of the annual target, on schedule"),
    "dropdown_select_all": ("全选", "Select all"),
    "dropdown_deselect_all": ("全不选", "Deselect all"),
    "dropdown_selected_count": ("已选{num_selected}个", "{num_selected} selected"),
    "dropdown_search": ("搜索", "Search"),
    "dropdown_clear_search": ("清除搜索", "Clear search"),
    "dropdown_clear_selection": ("清除选择", "Clear selection"),
    "dropdown_no_options_found": ("无匹配选项", "No options found"),
    # summary sentences
    "sum_up": ("，同比增长{change}", ", up {change} year on year"),
    "sum_down": ("，同比下降{change}", ", down {change} year on year"),
    "sum_up_pp": ("，比上年提高{change}", ", {change} higher than a year before"),
    "sum_down_pp": ("，比上年降低{change}", ", {change} lower than a year before"),
    "sum_flat": ("，与上年持平", ", unchanged on the previous year"),
    "sum_up_pp_period": ("，比上年同期提高{change}", ", {change} higher than the same period a year before"),
    "sum_down_pp_period": ("，比上年同期降低{change}", ", {change} lower than the same period a year before"),
    "sum_flat_period": ("，与上年同期持平", ", unchanged on the same period a year before"),
    "sum_no_data": ("{year}年{scope}无数据。", "No data for {scope} in {year}."),
    "sum_indicator": (
        "{year}年{scope}{indicator}{value}{trend}。",
        "In {year}, {indicator} in {scope}: {value}{trend}.",
    ),
    "sum_indicator_none": ("{year}年{scope}{indicator}无数据。", "No {indicator} data for {scope} in {year}."),
    "sum_period_indicator": (
        "{period}{scope}{indicator}{value}{trend}。",
        "In {period}, {indicator} in {scope}: {value}{trend}.",
    ),
    "sum_period_none": ("{period}{scope}暂无数据。", "No data for {scope} in {period} yet."),
    "sum_city_only": (
        "{year}年{indicator}仅有全市数据，所选区县不适用。",
        "{indicator} is published for the whole city only ({year}).",
    ),
    "sum_end": ("。", "."),
    # KPI
    "kpi_yoy": ("同比 {change}", "YoY {change}"),
    "kpi_no_prev": ("同比 —（无上年数据）", "YoY — (no previous year)"),
    "kpi_completion": ("完成 {pct}", "{pct} of target"),
    "kpi_city_only": ("仅有全市数据，区县选择下不适用", "Published for the whole city only"),
    "kpi_no_data": ("无数据", "No data"),
    "kpi_share_of_grants": ("占授权量 {pct}", "{pct} of grants"),
    "kpi_share_low": ("低于{floor}", "below {floor}"),
    "kpi_rank": ("{name}第{rank}位", "{name}: No. {rank}"),
    "kpi_network_uptime": ("地震台网运行率", "Seismic network uptime"),
    "kpi_stations": ("{n}个台站", "{n} stations"),
    "kpi_no_stations": ("所选区县无在运行台站", "No station in service in the selection"),
    "pp": ("个百分点", " pp"),
    # sections
    "rd_title_goal": ("{indicator}与规划目标", "{indicator} against the plan target"),
    "rd_title_peers": ("{indicator}与对标城市", "{indicator} against peer cities"),
    "rd_title_goal_peers": ("{indicator}与规划目标、对标城市", "{indicator} against the plan target and peers"),
    "patents": ("专利", "Patents"),
    "hightech": ("高新技术产业", "High-tech industry"),
    "seismic": ("地震监测", "Earthquake monitoring"),
    "other": ("其他指标", "Other indicators"),
    "sections_label": ("板块", "Sections"),
    "filters_label": ("筛选", "Filters"),
    "chart_table": ("数据表", "Data table"),
    "chart_table_empty": ("此图暂无数据", "No data in this chart"),
    "chart_table_value": ("数值", "Value"),
    "chart_table_item": ("项目", "Item"),
    "chart_table_from": ("起点", "From"),
    "chart_table_to": ("终点", "To"),
    # figure labels
    "count_axis": ("件", "patents"),
    "firms_axis": ("家", "firms"),
    "share_axis": ("比重（%）", "Share (%)"),
    "output_axis": ("产值（亿元）", "Output (CNY bn)"),
    "uptime_axis": ("运行率（%）", "Uptime (%)"),
    "year_axis": ("年份", "Year"),
    "month_axis": ("月份", "Month"),
    "station_axis": ("台站", "Station"),
    "target_line": ("目标 {value}", "Target {value}"),
    "plan_target": ("目标 {value}（{year}年）", "Target {value} ({year})"),
    "plan_target_named": ("“{plan}”目标 {value}（{year}年）", "{plan} target {value} ({year})"),
    "selected": ("已选", "selected"),
    "new_cert": ("新认定", "Newly certified"),
    "lost_cert": ("失去认定", "Lost certification"),
    "prev_year_suffix": ("（{year}）", " ({year})"),
    "duration": ("时长", "Duration"),
    "cause": ("原因", "Cause"),
    "start": ("开始", "Start"),
    "hours": ("小时", "h"),
    "no_data": ("无数据", "No data"),
    "no_data_selection": ("所选区县和年份无数据", "No data for this selection"),
    "no_prev_year": ("无上年数据，无法显示流动", "No previous year: movements cannot be shown"),
    "no_stations": ("所选区县当年没有在运行的地震台站", "No seismic station in service in the selection that year"),
    "no_outages": ("全年无中断记录", "No outages this year"),
    "city_only_chart": ("{indicator}仅有全市数据", "{indicator} is published for the whole city only"),
    "peers": ("对标城市", "Peer cities"),
    "hightech_output": ("高新技术产业产值", "High-tech output"),
    "hightech_share": ("占规上工业产值比重", "Share of industrial output"),
    # tiers, causes, station kinds
    **{f"tier_{tier}": names for tier, names in TIER_NAMES.items()},
    # short tier names for legends
    "tier_short_tech_enterprise": ("市级科技型", "Municipal tech"),
    "tier_short_hightech_enterprise": ("高新技术", "High-tech"),
    "tier_short_innovative_municipal": ("市级创新型", "Municipal innov."),
    "tier_short_innovative_provincial": ("省级创新型", "Provincial innov."),
    "tier_short_innovative_national": ("国家级创新型", "National innov."),
    "cause_power": ("供电中断", "Power"),
    "cause_network": ("通信链路", "Network link"),
    "cause_equipment": ("设备故障", "Equipment"),
    "cause_maintenance": ("计划维护", "Maintenance"),
    "month_short": ("{m}月", "{m}"),
    # meeting export (components/exports/deck.py, render.py)
    "export_no_chromium": (
        "服务器上没有可用的Chromium浏览器，无法导出图片。请联系管理员安装chromium（或设置BROWSER_PATH）。",
        "No Chromium browser is available on the server, so charts cannot be exported. "
        "Ask the administrator to install chromium (or set BROWSER_PATH).",
    ),
    "export_browser_failed": (
        "图表渲染服务未能启动，无法导出图片，请稍后重试。",
        "The chart renderer could not start, so charts cannot be exported; please try again later.",
    ),
    "export_render_failed": ("有图表未能导出，请稍后重试。", "A chart could not be exported; please try again later."),
    "kpi_table_indicator": ("指标", "Indicator"),
    "kpi_table_value": ("数值", "Value"),
    "kpi_table_yoy": ("同比", "YoY"),
    "kpi_table_target": ("目标", "Target"),
    # exports (CSV / XLSX)
    "export_data": ("导出数据", "Export data"),
    "report_menu": ("导出报告", "Report"),
    "export_docx": ("导出Word", "Word document"),
    "export_pdf": ("导出PDF", "PDF document"),
    "report_print": ("打印版", "Print view"),
    # The written report (components/exports/report.py, docx_report.py, deck.py templates; server/reports.py)
    "report_title_month": (
        "{city}科技创新主要指标月报（{when}）",
        "{city} Science and Technology Indicators: Monthly Report ({when})",
    ),
    "report_title_quarter": (
        "{city}科技创新主要指标季报（{when}）",
        "{city} Science and Technology Indicators: Quarterly Report ({when})",
    ),
    "report_title_year": (
        "{city}科技创新主要指标年报（{year}年）",
        "{city} Science and Technology Indicators: Annual Report ({year})",
    ),
    "report_as_of": ("数据截至{date}", "Data as of {date}"),
    "report_figure": ("图{n} {title}", "Figure {n} {title}"),
    "report_source": ("资料来源：{sources}", "Source: {sources}"),
    "report_source_dataset": ("本看板数据集", "the dashboard's dataset"),
    "report_note_indicator": ("{name}：{definition}（来源：{source}）", "{name}: {definition} (source: {source})"),
    "report_note_sample": (
        "本报告所用为示例数据，仅供演示，不代表官方统计。",
        "This report uses the bundled sample data, for demonstration only; it is not official statistics.",
    ),
    "report_col_indicator": ("指标", "Indicator"),
    "report_col_value": ("数值", "Value"),
    "report_col_yoy": ("同比", "YoY"),
    "report_col_target": ("目标", "Target"),
    "report_col_completion": ("完成", "Completion"),
    "report_col_schedule": ("序时进度", "Time elapsed"),
    "report_col_status": ("状态", "Status"),
    "report_col_period": ("期间", "Period"),
    "report_kpis_title": ("主要指标（{when}）", "Key indicators ({when})"),
    "report_target_clause": (
        "{label}目标{target}，{completion}（{status}）。",
        " {label}: target {target}, {completion} ({status}).",
    ),
    "report_paragraph": ("{ordinal}是{title}。{text}", "{ordinal}, {title}. {text}"),
    "report_heading": ("{n}、{title}", "{n}. {title}"),
    "report_summary": ("总体情况", "Summary"),
    "report_kpis": ("主要指标", "Key indicators"),
    "report_scorecard": ("目标考核", "District assessment"),
    "report_figures": ("图表", "Charts"),
    "report_notes": ("说明", "Notes"),
    "report_template_styles": (
        "报告模板缺少所需样式：{missing}。请在模板中添加这些样式后重试。",
        "The report template lacks the styles it needs: {missing}. Add them to the template and try again.",
    ),
    "report_template_unreadable": (
        "报告模板无法打开（不是有效的 .docx 文件）。",
        "The report template is not a readable .docx file.",
    ),
    "pptx_template_unreadable": (
        "PPT模板无法打开（不是有效的 .pptx 文件）。",
        "The PowerPoint template is not a readable .pptx file.",
    ),
    "pptx_template_layouts": (
        "PPT模板缺少带标题占位符的版式（如“标题幻灯片”“仅标题”）。",
        "The PowerPoint template has no layout with a title placeholder (such as Title Slide, Title Only).",
    ),
    "archive_title": ("报告库", "Report archive"),
    "archive_hint": ("生成的报告保留{days}天", "Generated reports are kept {days} days"),
    "archive_caption": ("共{n}份报告，最新在前", "{n} report(s), newest first"),
    "archive_empty": ("还没有生成过报告。", "No report has been generated yet."),
    "archive_col_at": ("生成时间", "Generated"),
    "archive_col_period": ("期间", "Period"),
    "archive_col_scope": ("范围", "Scope"),
    "archive_col_format": ("格式", "Format"),
    "archive_col_lang": ("语言", "Language"),
    "archive_col_by": ("生成者", "By"),
    "archive_col_size": ("字节", "Bytes"),
    "archive_col_file": ("文件", "File"),
    "mail_bad_address": (
        "收件人地址无效：{address}，邮件未发送。",
        "Not a valid recipient address: {address}; nothing was sent.",
    ),
    "mail_no_recipients": ("没有收件人，邮件未发送。", "No recipients were given; nothing was sent."),
    "mail_connect": (
        "无法连接邮件服务器 {server}（{reason}），邮件未发送。",
        "Cannot reach the mail server {server} ({reason}); nothing was sent.",
    ),
    "mail_timeout": (
        "邮件服务器 {server} 在 {seconds} 秒内没有响应，邮件未发送。",
        "The mail server {server} did not answer within {seconds} s; nothing was sent.",
    ),
    "mail_tls": (
        "与邮件服务器 {server} 建立加密连接失败（{reason}），邮件未发送。",
        "The encrypted connection to the mail server {server} failed ({reason}); nothing was sent.",
    ),
    "mail_disconnected": (
        "邮件服务器 {server} 中断了连接（{reason}），邮件未发送。",
        "The mail server {server} closed the connection ({reason}); nothing was sent.",
    ),
    "mail_no_starttls": (
        "邮件服务器 {server} 不支持 STARTTLS 加密，邮件未发送。",
        "The mail server {server} does not offer STARTTLS; nothing was sent.",
    ),
    "mail_no_auth": (
        "邮件服务器 {server} 不接受登录（请检查 STI_SMTP_USER 和加密方式），邮件未发送。",
        "The mail server {server} does not accept a login (check STI_SMTP_USER and the encryption); nothing was sent.",
    ),
    "mail_auth_refused": (
        "邮件服务器 {server} 拒绝了用户 {user} 的登录（{code} {reply}），邮件未发送。",
        "The mail server {server} refused the login of {user} ({code} {reply}); nothing was sent.",
    ),
    "mail_sender_refused": (
        "邮件服务器拒绝了发件人 {sender}（{code} {reply}），邮件未发送。",
        "The mail server refused the sender {sender} ({code} {reply}); nothing was sent.",
    ),
    "mail_recipients_refused": (
        "邮件服务器拒绝了收件人 {refused}，邮件未发送给任何人。",
        "The mail server refused the recipient(s) {refused}; the message was sent to nobody.",
    ),
    "mail_data_refused": (
        "邮件服务器拒收了邮件内容（{code} {reply}），邮件未发送。",
        "The mail server refused the message ({code} {reply}); nothing was sent.",
    ),
    "mail_refused": (
        "邮件服务器 {server} 拒绝了请求（{code} {reply}），邮件未发送。",
        "The mail server {server} refused the request ({code} {reply}); nothing was sent.",
    ),
    # the report archive (/reports, components/server/reports_page.py)
    "export_data_hint": ("当前视图的指标与各图表数据", "The KPI values and every chart's numbers of this view"),
    "export_csv": ("CSV（Excel可直接打开）", "CSV (opens in Excel)"),
    "export_xlsx": ("Excel工作簿（每个板块一页）", "Excel workbook (a sheet per section)"),
    "export_kpis": ("核心指标", "Key indicators"),
    "export_stale": ("数据已更新，请刷新页面后再导出。", "The data has been updated: reload the page, then export."),
    "export_col_indicator": ("指标", "Indicator"),
    "export_col_value": ("数值", "Value"),
    "export_col_unit": ("单位", "Unit"),
    "export_col_yoy": ("同比", "YoY"),
    "export_col_yoy_unit": ("同比单位", "YoY unit"),
    "export_col_target": ("目标", "Target"),
    "export_col_completion": ("完成率", "Completion"),
    "export_col_period": ("期间", "Period"),
    "export_catalogue": ("指标口径", "Indicator catalogue"),
    "export_col_code": ("指标代码", "Indicator id"),
    "export_col_frequency": ("统计频率", "Frequency"),
    "export_col_reported": ("统计方式", "Reported as"),
    "export_col_definition": ("统计口径", "Definition"),
    "export_col_source": ("数据来源", "Source"),
    "export_col_latest": ("最新数据", "Latest data"),
    "freq_year": ("年度", "Annual"),
    "freq_quarter": ("季度", "Quarterly"),
    "freq_month": ("月度", "Monthly"),
    "reported_period": ("当期值", "Value of the period"),
    "reported_ytd": ("累计值", "Year to date"),
    "reported_stock": ("期末数", "Level at the period's end"),
    "info_label": ("{name}：口径与来源", "{name}: definition and source"),
    "info_chart": ("图表“{name}”的指标口径与来源", "Definitions and sources: {name}"),
    "export_col_yoy_source": ("同比来源", "YoY source"),
    "export_col_schedule": ("序时进度", "Time elapsed"),
    "export_yoy_reported": ("公布", "published"),
    "export_yoy_computed": ("计算", "computed"),
    "export_pp": ("百分点", "pp"),
    "export_col_city": ("城市", "City"),
    "export_col_as_of": ("数据截至", "Data as of"),
    "export_col_version": ("数据版本", "Dataset version"),
    "export_col_exported": ("导出时间", "Exported"),
    "export_file_data": ("数据", "data"),
    "export_file_enterprises": ("企业名单", "enterprises"),
    "export_file_outages": ("台站中断记录", "outages"),
    # drill-down
    "drill_col_firm": ("企业名称", "Firm"),
    "drill_col_district": ("区县（市）", "District"),
    "drill_col_industry": ("行业", "Industry"),
    "drill_col_tier": ("梯队", "Tier"),
    "drill_col_since": ("认定年份", "Certified since"),
    "drill_col_history": ("梯队历程", "Tier history"),
    "drill_col_station": ("台站", "Station"),
    "drill_col_start": ("开始", "Start"),
    "drill_col_end": ("结束", "End"),
    "drill_col_hours": ("时长（小时）", "Hours"),
    "drill_col_cause": ("原因", "Cause"),
    "drill_all_tiers": ("全部梯队", "All tiers"),
    "drill_all_stations": ("全部台站", "All stations"),
    "drill_tiers": ("梯队", "Tiers"),
    "drill_firms_title": ("{year}年 {scope} {what}名单", "{what}, {year} — {scope}"),
    "drill_outages_title": ("{year}年 {scope} 台站中断记录", "Station outages, {year} — {scope}"),
    "drill_back": ("返回看板", "Back to the dashboard"),
    "drill_count_firms": ("共 {n} 家", "{n} firms"),
    "drill_count_outages": ("共 {n} 次中断", "{n} outages"),
    "drill_download_csv": ("下载CSV", "Download CSV"),
    "drill_download_xlsx": ("下载Excel", "Download Excel"),
    "drill_link_firms": ("企业名单", "Firms"),
    "drill_link_outages": ("中断记录", "Outages"),
    # the data page (/library)
    "lib_title": ("数据管理", "Data library"),
    "lib_current": ("当前数据版本 {version}", "Current dataset version {version}"),
    "lib_upload": ("导入新数据", "Import new data"),
    "lib_upload_hint": (
        "选择或拖入一个Excel工作簿（每张表一页）、一个数据目录的zip压缩包，或若干CSV文件（上限 {mb} MiB）",
        "Choose or drop an Excel workbook (a sheet per table), a zip of a dataset folder or CSV files (max. {mb} MiB)",
    ),
    "lib_check": ("校验并预览", "Check and preview"),
    "lib_invalid": ("{label}：发现 {n} 个问题，未导入", "{label}: {n} problem(s), not imported"),
    "lib_nothing_changed": ("当前数据没有任何改动。", "Nothing was changed."),
    "lib_preview": ("预览：{label}", "Preview: {label}"),
    "lib_table": ("数据表", "Table"),
    "lib_added": ("新增", "Added"),
    "lib_changed": ("修改", "Changed"),
    "lib_removed": ("删除", "Removed"),
    "lib_rows": ("行数", "Rows"),
    "lib_publish": ("发布为当前版本", "Publish as the current version"),
    "lib_discard": ("放弃", "Discard"),
    "lib_versions": ("已发布的版本", "Published versions"),
    "lib_version": ("版本", "Version"),
    "lib_published": ("发布时间", "Published"),
    "lib_by": ("操作人", "By"),
    "lib_source": ("来源文件", "Source"),
    "lib_action": ("操作", "Action"),
    "lib_is_current": ("当前", "current"),
    "lib_rollback": ("恢复此版本", "Roll back to this"),
    "lib_log": ("导入日志", "Import log"),
    "lib_time": ("时间", "Time"),
    "lib_result": ("结果", "Result"),
    "lib_readonly": (
        "当前以只读方式提供目录 {path} 中的数据（设置了 STI_DATA_DIR），不能在此导入或恢复版本。",
        "The app serves {path} read-only (STI_DATA_DIR is set): imports and rollbacks are not available here.",
    ),
    "lib_admin_only": (
        "发布与回退需要管理员角色；预览结果可交由管理员发布。",
        "Publishing and rolling back are an admin's: an admin can publish this preview.",
    ),
    "lib_csrf": ("表单已过期，请重新打开本页面再试。", "The form has expired: reopen this page and try again."),
    "lib_published_ok": (
        "已发布版本 {version}；各进程将在{seconds}秒内切换，已打开的页面会自动刷新。",
        "Published version {version}; every worker serves it within {seconds} s and open pages reload themselves.",
    ),
    "lib_rolled_back_ok": (
        "已恢复版本 {version}；各进程将在{seconds}秒内切换。",
        "Rolled back to version {version}; every worker serves it within {seconds} s.",
    ),
    "lib_too_large": ("上传的文件超过上限 {mb} MiB。", "The upload is larger than the limit of {mb} MiB."),
    "lib_busy": (
        "另一份导入正在检查中，请稍后再试。",
        "Another import is being checked: try again in a moment.",
    ),
    "lib_no_file": ("请先选择要导入的文件。", "Choose the files to import first."),
    "lib_staged_gone": ("这次上传已失效，请重新上传。", "This upload is no longer there: upload it again."),
    "lib_link": ("数据管理", "Data"),
    "lib_template": (
        "下载当前数据的Excel工作簿（可编辑后导入）",
        "Download the current data as a workbook (edit, then import)",
    ),
    "lib_action_publish": ("发布", "publish"),
    "lib_action_rollback": ("恢复", "rollback"),
    # import preview (command line and upload page)
    "import_versions": ("版本：{before} → {after}", "Version: {before} → {after}"),
    "import_same": (
        "与当前版本内容相同，发布不会改变任何数字。",
        "Same content as the current version: publishing changes nothing.",
    ),
    "import_tables": ("各表行数（新增 / 修改 / 删除）：", "Rows per table (added / changed / removed):"),
    "import_table_row": (
        "+{added} / ~{changed} / -{removed}    （{before} → {after} 行）",
        "+{added} / ~{changed} / -{removed}    ({before} → {after} rows)",
    ),
    "import_kpis": ("全市指标（{before}年 → {after}年）：", "Whole-city KPIs ({before} → {after}):"),
    "import_warnings": ("请核对：", "Worth a second look:"),
    "import_periods": ("年内期间：", "Periods within a year:"),
    "import_periods_new": ("新增：{periods}", "New: {periods}"),
    "import_periods_changed": ("有修改：{periods}", "Changed: {periods}"),
    "import_periods_gone": ("删除：{periods}", "Removed: {periods}"),
    "import_warn_check": ("校验提示：{message}", "Check: {message}"),
    "import_warn_years": ("年份 {years} 不再出现在新数据中", "Year(s) {years} no longer appear in the new data"),
    "import_warn_districts": (
        "区县 {districts} 不再出现在新数据中",
        "District(s) {districts} no longer appear in the new data",
    ),
    "import_warn_indicators": (
        "指标 {indicators} 不再出现在新数据中",
        "Indicator(s) {indicators} no longer appear in the new data",
    ),
    "import_warn_moved": (
        "{district}{year}年{indicator}由 {before} 变为 {after}（变化超过3倍）",
        "{indicator}, {district}, {year}: {before} → {after} (moved by more than a factor of 3)",
    ),
    "import_preview_only": (
        "仅预览，未做任何改动（加 --publish 发布）。",
        "Preview only: nothing changed (add --publish to publish).",
    ),
    "import_published": (
        "已发布：当前版本为 {version}；各进程将在{seconds}秒内切换到新版本。",
        "Published: the current version is {version}; every worker serves it within {seconds} s.",
    ),
    "import_warn_moved_more": ("另有 {n} 个数值变化超过3倍", "{n} more values moved by more than a factor of 3"),
    # login and roles (components/server/auth.py)
    "app_name": ("科技创新指标看板", "STI Dashboard"),
    "login_title": ("登录", "Sign in"),
    "login_username": ("用户名", "User name"),
    "login_password": ("密码", "Password"),
    "login_submit": ("登录", "Sign in"),
    "login_help": (
        "没有账号？请联系系统管理员（python app.py user add）。",
        "No account? Ask the administrator (python app.py user add).",
    ),
    "login_failed": ("用户名或密码错误。", "Wrong user name or password."),
    "login_locked": (
        "登录失败次数过多，请{minutes}分钟后再试。",
        "Too many failed sign-ins: try again in {minutes} minutes.",
    ),
    "login_expired": ("页面已过期，请重新输入后登录。", "The page had expired: please sign in again."),
    "login_as": ("当前登录：{name}（{role}）", "Signed in as {name} ({role})"),
    "logout": ("退出登录", "Sign out"),
    "change_password": ("修改密码", "Change password"),
    "audit_title": ("安全审计记录", "Security audit trail"),
    "audit_link": ("审计记录", "Audit trail"),
    "audit_hint": (
        "登录、退出、拒绝、导出、导入等操作的记录，最新的在前；记录以哈希链相连，任何修改、删除或调换都会被发现。",
        "Sign-ins, sign-outs, refusals, exports, imports and more, newest first; the records form a hash chain, so"
        " any edit, deletion or reordering shows.",
    ),
    "audit_intact": (
        "审计链完整：没有记录被修改、删除或调换。",
        "The chain is intact: no record edited, removed or reordered.",
    ),
    "audit_broken": (
        "审计链断裂：{where}。请立即报告安全负责人。",
        "The chain is broken: {where}. Report it to the security officer at once.",
    ),
    "audit_since": ("起始日期", "From"),
    "audit_until": ("截止日期", "To"),
    "audit_user": ("用户", "User"),
    "audit_action": ("操作（前缀）", "Action (prefix)"),
    "audit_result": ("结果", "Result"),
    "audit_result_all": ("全部", "All"),
    "audit_result_ok": ("成功", "Succeeded"),
    "audit_result_not": ("失败或拒绝", "Failed or refused"),
    "audit_apply": ("筛选", "Filter"),
    "audit_csv": ("导出CSV", "Export CSV"),
    "audit_caption": (
        "符合条件的记录{total}条，显示最新的{shown}条",
        "{total} matching records, the latest {shown} shown",
    ),
    "audit_empty": ("没有符合条件的记录。", "No record matches."),
    "audit_col_time": ("时间", "Time"),
    "audit_col_user": ("用户", "User"),
    "audit_col_role": ("角色", "Role"),
    "audit_col_address": ("地址", "Address"),
    "audit_col_action": ("操作", "Action"),
    "audit_col_object": ("对象", "Object"),
    "audit_col_result": ("结果", "Result"),
    "pw_title": ("设置新密码", "Set a new password"),
    "pw_current": ("当前密码", "Current password"),
    "pw_new": ("新密码", "New password"),
    "pw_repeat": ("再次输入新密码", "New password again"),
    "pw_submit": ("保存新密码", "Save the new password"),
    "pw_rules": (
        "至少10个字符，包含大写字母、小写字母、数字、其他字符中的至少三类，不含用户名，不易被猜到，且不能与最近5次使用过的密码相同。",
        "At least 10 characters of at least three kinds (upper case, lower case, digits, others), without the user"
        " name, hard to guess, and none of your last 5 passwords.",
    ),
    "pw_first": (
        "管理员为您设置的是临时密码：请先设置您自己的新密码。",
        "The administrator gave you a temporary password: set your own before going on.",
    ),
    "pw_expired": (
        "您的密码已超过规定的使用期限：请设置新密码。",
        "Your password is older than the period allowed: set a new one.",
    ),
    "pw_must_change": ("请先修改密码。", "Change your password first."),
    "pw_wrong_current": ("当前密码不正确。", "The current password is wrong."),
    "pw_mismatch": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "pw_short": ("密码至少需要{n}个字符。", "The password must have at least {n} characters."),
    "pw_long": ("密码最多{n}个字符。", "The password must have at most {n} characters."),
    "pw_classes": (
        "密码须包含大写字母、小写字母、数字、其他字符中的至少{n}类。",
        "The password must mix at least {n} kinds of character: upper case, lower case, digits, others.",
    ),
    "pw_name": ("密码不能包含用户名。", "The password must not contain the user name."),
    "pw_weak": (
        "这个密码太容易被猜到（常见密码、键盘序列、日期或重复），请换一个。",
        "This password is too easy to guess (a common password, a keyboard pattern, a date or a repetition).",
    ),
    "pw_reused": ("不能使用最近{n}次用过的密码。", "The password must not be one of your last {n}."),
    "pw_done": ("密码已修改。", "Your password has been changed."),
    "role_viewer": ("查看者", "viewer"),
    "role_analyst": ("分析员", "analyst"),
    "role_admin": ("管理员", "admin"),
    "auth_required": ("请先登录。", "Please sign in."),
    "auth_forbidden": ("您的角色无权进行此操作。", "Your role may not do this."),
    "auth_csrf": (
        "请求缺少有效的表单令牌，请刷新页面后重试。",
        "The request lacks a valid form token: reload the page.",
    ),
    "auth_local_only": (
        "尚未配置用户：看板仅供本机直接访问。请用 python app.py user add 添加用户。",
        "No users are set up: the dashboard answers this machine only. Add one with python app.py user add.",
    ),
    "auth_screen_unknown": ("此大屏链接无效或已被撤销。", "This screen link is unknown or was revoked."),
    # scorecard and warnings (components/sections/scorecard.py, components/charts/kpis.py)
    "status_on_track": ("达标", "On track"),
    "status_at_risk": ("预警", "At risk"),
    "status_missed": ("未达标", "Missed"),
    "scorecard": ("目标考核", "Assessment"),
    "scorecard_legend_on_track": ("达标：完成率≥{on_track}", "On track: ≥ {on_track} of target"),
    "scorecard_legend_at_risk": ("预警：{at_risk}–{on_track}", "At risk: {at_risk}–{on_track}"),
    "scorecard_legend_missed": ("未达标：低于{at_risk}", "Missed: below {at_risk}"),
    "scorecard_col_district": ("区县（市）", "District"),
    "scorecard_col_indicator": ("指标", "Indicator"),
    "scorecard_col_unit": ("单位", "Unit"),
    "scorecard_col_target": ("目标", "Target"),
    "scorecard_col_actual": ("实际", "Actual"),
    "scorecard_col_completion": ("完成率", "Completion"),
    "scorecard_col_rank": ("排名", "Rank"),
    "scorecard_col_status": ("状态", "Status"),
    "kpi_status_below": ("{status}：完成率{pct}，低于{floor}", "{status}: {pct} of target, below {floor}"),
    "kpi_status_above": ("{status}：为目标的{pct}，超过{floor}", "{status}: {pct} of target, above {floor}"),
    "kpi_status_trend": ("{status}：同比{change}", "{status}: {change} year on year"),
    "kpi_status_uptime": ("{status}：低于{target}的运行率目标", "{status}: below the {target} uptime objective"),
    "kpi_plan_on_track": ("按近年增速可如期实现目标", "On course for the target at the recent pace"),
    "kpi_plan_at_risk": ("预警：按近年增速难以如期实现目标", "At risk: the recent pace falls short of the target"),
    # plan trajectories and peers (components/sections/plans.py)
    "plans": ("规划目标与对标", "Plan targets and peers"),
    "plans_path": ("所需路径", "Required path"),
    "plans_peer_cities": ("对标城市", "Peer cities"),
    "plans_year": ("{year}年", "{year}"),
    "plans_gap_pp_low": ("比{peer}低{value}个百分点", "{value} points below {peer}"),
    "plans_gap_pp_high": ("比{peer}高{value}个百分点", "{value} points above {peer}"),
    "plans_gap_rank_behind": ("排名比{peer}低{value}位", "behind {peer} by {value} in rank"),
    "plans_gap_rank_ahead": ("排名比{peer}高{value}位", "ahead of {peer} by {value} in rank"),
    "plans_tick_pp_low": ("低{value}个百分点", "{value} pts below"),
    "plans_tick_pp_high": ("高{value}个百分点", "{value} pts above"),
    "plans_tick_rank_behind": ("落后{value}位", "{value} behind in rank"),
    "plans_tick_rank_ahead": ("领先{value}位", "{value} ahead in rank"),
    "plans_col_indicator": ("指标", "Indicator"),
    "plans_col_year": ("年份", "Year"),
    "plans_col_actual": ("实际", "Actual"),
    "plans_col_city": ("城市", "City"),
    "plans_col_value": ("数值", "Value"),
    "plans_col_gap": ("差距", "Gap"),
    # events (annotations on trend charts)
    "events": ("大事记", "Events"),
    "event_kind_policy": ("政策", "policy"),
    "event_kind_facility": ("设施", "facility"),
    "event_kind_award": ("奖项", "award"),
    "event_kind_recognition": ("认定", "recognition"),
    "event_kind_other": ("其他", "other"),
    "events_more": ("……另有{n}项", "… and {n} more"),
    "event_date": ("日期", "Date"),
    "event_title": ("事件", "Event"),
    "event_kind": ("类别", "Kind"),
    "event_district": ("区县", "District"),
    "event_indicator": ("指标", "Indicator"),
    # wall
    "wall_reconnecting": ("重新连接中…", "Reconnecting…"),
}

UNIT_SUFFIX_ZH = ("件", "家", "项", "个", "座", "亿元")


OWNERS: dict[str, str] = {}  # catalogue key -> the section that added it (absent: the shared catalogue above)


class CatalogueError(ValueError):
    """A string added twice, or without both languages."""


def add_strings(strings: Mapping[str, tuple[str, str]], owner: str) -> None:
    """Add a section's own strings to the catalogue (at registration); refuses a key the catalogue already has
    with another text or another owner, and a string without both languages."""
    for key, pair in strings.items():
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) and x for x in pair)):
            raise CatalogueError(f"{owner}: string {key!r} needs a (zh, en) pair of non-empty texts")
        if key in STRINGS and (OWNERS.get(key) != owner or STRINGS[key] != pair):
            raise CatalogueError(f"{owner}: string {key!r} is already in the catalogue ({OWNERS.get(key, 'shared')})")
    for key, pair in strings.items():
        STRINGS[key] = pair
        OWNERS[key] = owner


def remove_strings(owner: str) -> None:
    """Take a section's own strings out of the catalogue again (when it is unregistered)."""
    for key in [k for k, o in OWNERS.items() if o == owner]:
        del STRINGS[key]
        del OWNERS[key]


def t(key: str, lang: str = "zh", **params: object) -> str:
    """The string `key` in `lang` (zh when unknown), with str.format parameters filled in."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


def fill_when(text: str, year: object, when: str = "") -> str:
    """A text's '{year}' filled in: with the year, or with `when`, the view's period ('2012年1–11月',
    'Jan–Nov 2012'), which takes a Chinese '{year}年' whole."""
    if when:
        return text.replace("{year}年", when).replace("{year}", when)
    return text.replace("{year}", str(year))


def t_when(key: str, lang: str, when: str = "", **params: object) -> str:
    """`t` for a sentence or title that names its period: `when` (a period view's label) stands where the
    string has '{year}年' / '{year}'; without it, the year as usual."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    if when:
        text = text.replace("{year}年", "{when}").replace("{year}", "{when}")
    return text.format(**params, when=when)


def name(row: Mapping[str, object], lang: str) -> str:
    """A dataset row's name_zh / name_en in the current language."""
    return str(row["name_en"] if lang == "en" else row["name_zh"])


def _finite(v: object) -> bool:
    """A real, finite number (None, NaN, inf and pandas' NA are not)."""
    try:
        return v is not None and math.isfinite(v)  # type: ignore[arg-type]
    except TypeError:
        return False


def fmt_number(v: float | None, decimals: int = 0) -> str:
    """Thousands separators, fixed decimals; '—' for no value."""
    if not _finite(v):
        return DASH
    return f"{v:,.{decimals}f}"


def _auto_decimals(v: float, unit: str) -> int:
    if unit == "%":
        return 1 if abs(v) >= 10 else 2
    if unit == "亿元":
        return 0 if float(v).is_integer() or abs(v) >= 10000 else 1
    if unit in UNIT_SUFFIX_ZH or unit == "位":
        return 0
    return 0 if float(v).is_integer() else 2


def fmt_value(v: float | None, unit_zh: str, lang: str = "zh", decimals: int | None = None) -> str:
    """A value with the unit users expect: 73,647件 / 3,429亿元 / 28.7% (zh); 73,647 / CNY 342.9 bn (en)."""
    if v is None or not _finite(v):
        return DASH
    unit = unit_zh or ""
    if lang == "en" and unit == "亿元":
        bn = v / 10
        return f"CNY {fmt_number(bn, decimals if decimals is not None else (1 if abs(bn) >= 10 else 2))} bn"
    d = _auto_decimals(v, unit) if decimals is None else decimals
    if unit == "%":
        return f"{fmt_number(v, d)}%"
    if unit == "位":
        return f"第{fmt_number(v, 0)}位" if lang == "zh" else f"No. {fmt_number(v, 0)}"
    if lang == "zh" and unit in UNIT_SUFFIX_ZH:
        return f"{fmt_number(v, d)}{unit}"
    return fmt_number(v, d)


def fmt_change(change: float | None, kind: str, lang: str = "zh") -> str:
    """同比: '+54.78%' (relative) or '+2.28个百分点' / '+2.28 pp' (points); '—' when there is none."""
    if change is None or not math.isfinite(change):
        return DASH
    if kind == "pp":
        return f"{change:+.2f}{t('pp', lang)}"
    return f"{change * 100:+.2f}%"


def percent(ratio: float) -> str:
    """A threshold as people write it: 1.0 -> '100%', 0.9 -> '90%', 0.955 -> '95.5%'."""
    return f"{round(ratio * 100, 6):g}%"


def fmt_percent(ratio: float | None, decimals: int = 1) -> str:
    """A ratio (0.957) as a percentage ('95.7%')."""
    if ratio is None or not math.isfinite(ratio):
        return DASH
    return f"{ratio * 100:.{decimals}f}%"


def unit_for_axis(unit_zh: str, lang: str) -> tuple[float, str]:
    """(factor to multiply values by, axis unit label) for charts in `lang`."""
    if unit_zh == "亿元":
        return (0.1, "CNY bn") if lang == "en" else (1.0, "亿元")
    if unit_zh == "%":
        return 1.0, "%"
    if lang == "en":
        return 1.0, {"件": "patents", "家": "firms", "项": "projects"}.get(unit_zh, "")
    return 1.0, unit_zh


def fmt_indicator(v: float | None, info: Mapping[str, object], lang: str = "zh", decimals: int | None = None) -> str:
    """A value in its indicator's own unit: the usual formats (件, 亿元, %), else the dataset's unit words."""
    unit_zh, unit_en = str(info.get("unit_zh") or ""), str(info.get("unit_en") or "")
    text = fmt_value(v, unit_zh, lang, decimals)
    if not _finite(v) or unit_zh in (*UNIT_SUFFIX_ZH, "%", "位", ""):
        return text
    if lang == "zh":
        return text + unit_zh
    return f"{text} {unit_en}" if unit_en else text


def axis_unit(info: Mapping[str, object], lang: str) -> tuple[float, str]:
    """(factor, axis unit label) for an indicator's charts, using the dataset's own unit words when ours have none."""
    unit_zh, unit_en = str(info.get("unit_zh") or ""), str(info.get("unit_en") or "")
    factor, label = unit_for_axis(unit_zh, lang)
    if label or not unit_zh:
        return factor, label
    return factor, unit_en if lang == "en" else unit_zh


# Plotly's own interface strings (modebar, notifications) in Chinese: our translations, handed to each
# graph through its config (`locale` + `locales`), so nothing is fetched and no plotly.js file is copied.
PLOTLY_ZH: dict[str, str] = {
    "Autoscale": "自动缩放",
    "Box Select": "框选",
    "Compare data on hover": "悬停时比较数据",
    "Download plot": "下载图表",
    "Download plot as a PNG": "下载图表（PNG）",
    "Download plot as JSON": "下载图表（JSON）",
    "Lasso Select": "套索选择",
    "Pan": "平移",
    "Reset": "重置",
    "Reset axes": "重置坐标轴",
    "Reset view": "重置视图",
    "Reset views": "重置视图",
    "Show closest data on hover": "悬停时显示最近的数据",
    "Toggle Spike Lines": "显示/隐藏辅助线",
    "Toggle show closest data on hover": "切换悬停显示最近数据",
    "Zoom": "缩放",
    "Zoom in": "放大",
    "Zoom out": "缩小",
    "Double-click to zoom back out": "双击还原",
    "Double-click on legend to isolate one trace": "双击图例可只显示该项",
    "Produced with Plotly.js": "由 Plotly.js 生成",
    "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
    "Image download succeeded": "图片已下载",
    "JSON download succeeded": "JSON 已下载",
    "Share chart...": "分享图表…",
    "Sorry, there was a problem downloading your image!": "抱歉，图片下载失败！",
    "Sorry, there was a problem downloading your JSON file!": "抱歉，JSON 文件下载失败！",
    "trace": "数据系列",
}
PLOTLY_ZH_FORMAT: dict[str, object] = {
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": [f"{m}月" for m in range(1, 13)],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
    "date": "%Y-%m-%d",
    "decimal": ".",
    "thousands": ",",
}


def plotly_config(lang: str) -> dict[str, object]:
    """The graph-config part that makes Plotly's own strings follow the page language."""
    if lang != "zh":
        return {"locale": "en"}
    return {"locale": "zh-CN", "locales": {"zh-CN": {"dictionary": PLOTLY_ZH, "format": PLOTLY_ZH_FORMAT}}}
