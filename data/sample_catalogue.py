"""The sample's indicator catalogue: the rows of its indicators.csv (data/generate.py writes them).

`INDICATORS` holds the contract v1 columns; `THROUGH_YEAR` how an indicator's rows run through the year (v2:
frequency, reported_as, temporal — absent: yearly); `CATALOGUE` its 统计口径 and publishing department (v2).
"""

from __future__ import annotations

# id, domain, name_zh, name_en, unit_zh, unit_en, agg, numerator, denominator, scale, higher_is_better
_SUM = ("sum", "", "", "")
_CITY = ("city", "", "", "")
INDICATORS: tuple[tuple[str, ...], ...] = (
    ("patent_applications", "patents", "专利申请量", "Patent applications", "件", "", *_SUM, "true"),
    ("patent_grants", "patents", "专利授权量", "Patent grants", "件", "", *_SUM, "true"),
    ("invention_grants", "patents", "授权发明专利", "Invention patents granted", "件", "", *_SUM, "true"),
    ("utility_grants", "patents", "授权实用新型专利", "Utility-model patents granted", "件", "", *_SUM, "true"),
    ("design_grants", "patents", "授权外观设计专利", "Design patents granted", "件", "", *_SUM, "true"),
    ("invention_share", "patents", "发明专利占授权量比重", "Invention share of grants", "%", "%", "ratio",
     "invention_grants", "patent_grants", "100", "true"),
    ("patent_applications_rank", "patents", "专利申请量副省级城市排名", "Rank in patent applications (15 cities)",
     "位", "", *_CITY, "false"),
    ("patent_grants_rank", "patents", "专利授权量副省级城市排名", "Rank in patent grants (15 cities)", "位", "",
     *_CITY, "false"),
    ("hightech_output", "hightech", "高新技术产业产值", "High-tech industry output", "亿元", "CNY 100m", *_SUM,
     "true"),
    ("industrial_output", "hightech", "规模以上工业产值", "Above-scale industrial output", "亿元", "CNY 100m",
     *_SUM, "true"),
    ("hightech_share", "hightech", "高新技术产业产值占规上工业产值比重", "High-tech share of industrial output",
     "%", "%", "ratio", "hightech_output", "industrial_output", "100", "true"),
    ("new_hightech_projects", "hightech", "新引进高新技术项目", "New high-tech projects", "项", "", *_CITY, "true"),
    ("tech_enterprises", "enterprise", "市级科技型企业", "Municipal tech enterprises", "家", "", *_SUM, "true"),
    ("hightech_enterprises", "enterprise", "高新技术企业", "High-tech enterprises", "家", "", *_SUM, "true"),
    ("innovative_municipal", "enterprise", "市级创新型企业", "Municipal innovative enterprises", "家", "", *_SUM,
     "true"),
    ("innovative_provincial", "enterprise", "省级创新型企业", "Provincial innovative enterprises", "家", "",
     *_SUM, "true"),
    ("innovative_national", "enterprise", "国家级创新型企业", "National innovative enterprises", "家", "", *_SUM,
     "true"),
    ("hightech_ent_revenue", "enterprise", "高新技术企业主营业务收入", "High-tech enterprises' revenue", "亿元",
     "CNY 100m", *_CITY, "true"),
    ("hightech_ent_st_spending", "enterprise", "高新技术企业科技活动经费支出", "High-tech enterprises' S&T spending",
     "亿元", "CNY 100m", *_CITY, "true"),
    ("engineering_centers", "enterprise", "市级以上企业工程（技术）中心", "Enterprise engineering centres", "家", "",
     *_CITY, "true"),
    ("rd_intensity", "rd", "全社会R&D投入强度", "R&D intensity (R&D spending / GDP)", "%", "%", *_CITY, "true"),
    ("innovation_index", "innovation", "全市创新指数", "City innovation index", "", "", *_CITY, "true"),
    ("tech_service_institutions", "services", "限上科技服务业机构", "S&T service institutions above the threshold",
     "家", "", *_CITY, "true"),
    ("tech_service_value_added", "services", "限上科技服务业增加值", "S&T services value added", "亿元",
     "CNY 100m", *_CITY, "true"),
    ("tech_service_demo_projects", "services", "新认定科技服务业示范项目", "New S&T service demonstration projects",
     "项", "", *_CITY, "true"),
    ("tech_service_demo_firms", "services", "新认定科技服务业示范企业", "New S&T service demonstration firms", "家",
     "", *_CITY, "true"),
)  # fmt: skip

# id: (frequency, reported_as, temporal) — the indicators the sample carries through the year
THROUGH_YEAR: dict[str, tuple[str, str, str]] = {
    "patent_applications": ("month", "period", "flow"),
    "patent_grants": ("month", "period", "flow"),
    "invention_grants": ("month", "period", "flow"),
    "utility_grants": ("month", "period", "flow"),
    "design_grants": ("month", "period", "flow"),
    "hightech_output": ("month", "ytd", "flow"),
    "industrial_output": ("month", "ytd", "flow"),
    "hightech_ent_revenue": ("month", "ytd", "flow"),
    "tech_service_value_added": ("quarter", "ytd", "flow"),
    "tech_service_institutions": ("quarter", "period", "stock"),
}

_IPO = ("市知识产权局", "Municipal Intellectual Property Office")
_STATS = ("市统计局", "Municipal Bureau of Statistics")
_STB = ("市科技局", "Municipal Science and Technology Bureau")
# id: (definition_zh, definition_en, source_zh, source_en)
CATALOGUE: dict[str, tuple[str, str, str, str]] = {
    "patent_applications": ("本市申请人向国家知识产权局提交的发明、实用新型和外观设计专利申请件数，按受理日统计。",
                            "Invention, utility-model and design applications filed with CNIPA by applicants in the "
                            "city, counted by filing date.", *_IPO),
    "patent_grants": ("本市申请人获得授权的发明、实用新型和外观设计专利件数，按授权公告日统计。",
                      "Invention, utility-model and design patents granted to applicants in the city, counted by "
                      "date of grant.", *_IPO),
    "invention_grants": ("本市申请人获得授权的发明专利件数。", "Invention patents granted to applicants in the city.",
                         *_IPO),
    "utility_grants": ("本市申请人获得授权的实用新型专利件数。",
                       "Utility-model patents granted to applicants in the city.", *_IPO),
    "design_grants": ("本市申请人获得授权的外观设计专利件数。", "Design patents granted to applicants in the city.",
                      *_IPO),
    "invention_share": ("授权发明专利占专利授权总量的比重（各区县合计之比）。",
                        "Invention patents as a share of all patents granted (ratio of the districts' sums).", *_IPO),
    "hightech_output": ("规模以上工业企业中高新技术产业的总产值（当年价），1–N月累计。",
                        "Gross output of the high-tech industries among above-scale industrial firms (current "
                        "prices), year to date.", *_STATS),
    "industrial_output": ("年主营业务收入2000万元及以上工业企业的总产值（当年价），1–N月累计。",
                          "Gross output of industrial firms with annual revenue of CNY 20m or more (current "
                          "prices), year to date.", *_STATS),
    "hightech_share": ("高新技术产业产值占规模以上工业总产值的比重（合计之比）。",
                       "High-tech output as a share of above-scale industrial output (ratio of sums).", *_STATS),
    "hightech_enterprises": ("有效期内的国家高新技术企业家数（年末）。",
                             "Certified national high-tech enterprises within their validity (year end).", *_STB),
    "hightech_ent_revenue": ("纳入统计的高新技术企业主营业务收入，1–N月累计，同比按可比口径（统计部门公布）。",
                             "Main-business revenue of the high-tech enterprises in the statistics, year to date; "
                             "growth on the comparable basis as published.", *_STATS),
    "rd_intensity": ("全社会研究与试验发展（R&D）经费支出占地区生产总值的比重。",
                     "Gross domestic expenditure on R&D as a share of GDP.", *_STATS),
    "tech_service_institutions": ("纳入限额以上统计的科技服务业法人单位数（期末）。",
                                  "S&T service legal entities above the statistical threshold (end of period).",
                                  *_STATS),
    "tech_service_value_added": ("限额以上科技服务业增加值，1–N月累计，同比按可比价（统计部门公布）。",
                                 "Value added of S&T services above the threshold, year to date; growth at "
                                 "comparable prices as published.", *_STATS),
    "tech_service_demo_projects": ("当年新认定的市级科技服务业示范项目数。",
                                   "Municipal S&T service demonstration projects recognised in the year.", *_STB),
    "tech_service_demo_firms": ("当年新认定的市级科技服务业示范企业数。",
                                "Municipal S&T service demonstration firms recognised in the year.", *_STB),
}  # fmt: skip


def rows() -> list[tuple[str, ...]]:
    """indicators.csv's rows, in the contract v2 header's order (data/schema.py)."""
    return [(*r, *THROUGH_YEAR.get(r[0], ("", "", "")), *CATALOGUE.get(r[0], ("", "", "", ""))) for r in INDICATORS]
