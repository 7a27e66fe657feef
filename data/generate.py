"""Deterministic generator of the bundled sample dataset (`python -m data.generate [DIR]`).

City totals reproduce the published figures of the 2012 work report (see ../shared/FIGURES.md);
how they split across districts, the enterprise registry and the seismic logs are illustrative, and so are
the days of most events (the report names the events of 2012, not their days).
Re-running with the same seed writes byte-identical files.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from data.sample_catalogue import rows as indicator_rows
from data.schema import TABLES_BY_FILE, TIERS

SEED = 20121231
YEARS = (2008, 2009, 2010, 2011, 2012)
CITY = "330200"

# code, name_zh, name_en, kind, tile_row, tile_col, weight (illustrative share of activity)
DISTRICTS: tuple[tuple[str, str, str, str, int, int, float], ...] = (
    ("330203", "海曙区", "Haishu", "district", 2, 1, 0.05),
    ("330204", "江东区", "Jiangdong", "district", 2, 2, 0.05),
    ("330205", "江北区", "Jiangbei", "district", 1, 1, 0.06),
    ("330206", "北仑区", "Beilun", "district", 1, 3, 0.10),
    ("330211", "镇海区", "Zhenhai", "district", 1, 2, 0.07),
    ("330212", "鄞州区", "Yinzhou", "district", 3, 2, 0.20),
    ("330225", "象山县", "Xiangshan", "county", 4, 2, 0.05),
    ("330226", "宁海县", "Ninghai", "county", 4, 1, 0.06),
    ("330281", "余姚市", "Yuyao", "county_city", 1, 0, 0.14),
    ("330282", "慈溪市", "Cixi", "county_city", 0, 1, 0.17),
    ("330283", "奉化市", "Fenghua", "county_city", 3, 1, 0.05),
)
# High-tech output is more concentrated than industry as a whole (illustrative).
HIGHTECH_TILT = {"330206": 1.25, "330212": 1.15, "330211": 1.1, "330225": 0.6, "330226": 0.7, "330283": 0.75}


# City totals per year. 2012 = the report; 2011 = 2012 / (1 + published growth); earlier years illustrative.
PATENTS = {  # year: (applications, invention grants, utility grants, design grants)
    2008: (21934, 712, 7602, 6298),
    2009: (28733, 963, 10707, 8797),
    2010: (36102, 1284, 14488, 12119),
    2011: (47582, 1625, 20131, 15588),
    2012: (73647, 2065, 31410, 25700),
}
HIGHTECH = {  # year: (high-tech output, above-scale industrial output), 亿元
    2008: (2045.3, 9012.5),
    2009: (2187.6, 9205.0),
    2010: (2698.4, 10783.2),
    2011: (3078.1, 11650.8),
    2012: (3429.0, 11947.7),
}
CITY_ONLY: dict[str, dict[int, float]] = {  # indicator: {year: value}
    "rd_intensity": {2008: 1.58, 2009: 1.66, 2010: 1.78, 2011: 1.89, 2012: 1.95},
    "innovation_index": {2008: 212.40, 2009: 236.75, 2010: 268.12, 2011: 308.46, 2012: 364.85},
    "hightech_ent_st_spending": {2012: 53.06},
    "engineering_centers": {2012: 746},
    "tech_service_demo_projects": {2012: 24},
    "tech_service_demo_firms": {2012: 7},
    "new_hightech_projects": {2012: 353},
    "patent_applications_rank": {2012: 1},
    "patent_grants_rank": {2012: 1},
}
# Through the year (contract v2), 2011–2012: the report's in-year figures are exact, the rest illustrative.
PERIOD_YEARS = (2011, 2012)
# Share of a year's flow falling in each month (Spring Festival in Jan–Feb, a December rush); illustrative.
MONTH_PROFILE = (0.066, 0.052, 0.084, 0.082, 0.085, 0.086, 0.083, 0.08, 0.086, 0.087, 0.089, 0.12)
REVENUE_JAN_NOV = {2011: 1765.4, 2012: 1830.7}  # 亿元; 2012 published (+3.7% as published); 2011 = 2012 / 1.037
REVENUE_GROWTH_REPORTED = "0.037"
# 亿元, 1–3/1–6/1–9/1–12月累计: 2012 1–9月 published; 2011 1–9月 = 40.3 / 1.247
SERVICES_VALUE_ADDED = {2011: (7.4, 18.9, 32.3, 45.6), 2012: (9.6, 23.8, 40.3)}
SERVICES_GROWTH_REPORTED = "0.247"  # 1–9月 +24.7% as published (comparable prices)
SERVICES_INSTITUTIONS = {2011: (296, 304, 315, 322), 2012: (331, 343, 356)}  # at quarter ends; 2012 Q3 published
TIER_TARGETS = {  # active certifications per tier (TIERS order); 2012 = the report
    2008: (300, 560, 70, 24, 7),
    2009: (352, 640, 92, 31, 9),
    2010: (410, 720, 112, 38, 11),
    2011: (489, 820, 134, 45, 13),
    2012: (563, 930, 156, 52, 16),
}
PEERS = (
    ("杭州", "Hangzhou", "rd_intensity", 2011, "2.85"),
    ("深圳", "Shenzhen", "rd_intensity", 2010, "3.5"),
    ("深圳", "Shenzhen", "hightech_share", 2011, "58.2"),
)
# Events of the 2012 report (sections 一 and 三) drawn on the charts they concern: date, title_zh, title_en,
# kind, district, indicator. The report names the events, not their days: the days are illustrative, except
# the two comprehensive stations' (their commissioning dates in STATIONS) and the national conference's.
EVENTS = (
    ("2012-02-14", "宁波大学“非线性应力波传播理论及应用”获国家自然科学二等奖（我市首次获国家自然科学奖）",
     "Ningbo University wins a State Natural Science Award, second class (the city's first)", "award", "", ""),
    ("2012-03-28", "市地震监测预报中心通过验收正式投入使用",
     "Municipal earthquake monitoring and forecasting centre accepted and in service", "facility", "",
     "network_uptime"),
    ("2012-05-18", "《宁波市天使投资引导基金管理暂行办法》出台",
     "Interim measures for the city's angel-investment guidance fund issued", "policy", "", "tech_enterprises"),
    ("2012-06-18", "江北慈城地震监测综合台建成", "Cicheng (Jiangbei) comprehensive seismic station completed",
     "facility", "330205", "network_uptime"),
    ("2012-07-06", "全国科技创新大会召开", "National Conference on Science and Technology Innovation", "other", "",
     ""),
    ("2012-09-26", "奉化溪口地震监测综合台建成", "Xikou (Fenghua) comprehensive seismic station completed",
     "facility", "330283", "network_uptime"),
    ("2012-10-16", "北仑国家智能装备高新技术产业化基地被认定为国家高新技术产业化基地",
     "Beilun intelligent-equipment base recognised as a national high-tech industrialisation base",
     "recognition", "330206", "hightech_output"),
    ("2012-11-20", "宁波首支机构化天使投资基金正式设立", "The city's first institutional angel-investment fund set up",
     "policy", "", "tech_enterprises"),
)  # fmt: skip
INDUSTRIES = (
    ("智能装备", 0.18),
    ("新材料", 0.16),
    ("电子信息", 0.15),
    ("汽车零部件", 0.12),
    ("生物医药", 0.08),
    ("新能源", 0.08),
    ("节能环保", 0.07),
    ("软件与信息服务", 0.08),
    ("海洋高技术", 0.04),
    ("纺织服装", 0.04),
)
NAME_WORDS = {
    "智能装备": ("智能装备", "机械", "精密机械", "数控"),
    "新材料": ("新材料", "材料科技", "高分子"),
    "电子信息": ("电子", "光电", "电器", "微电子"),
    "汽车零部件": ("汽车部件", "汽配", "动力科技"),
    "生物医药": ("生物科技", "医药", "医疗器械"),
    "新能源": ("新能源", "光伏", "电池"),
    "节能环保": ("环保科技", "节能科技", "水处理"),
    "软件与信息服务": ("软件", "信息技术", "网络科技"),
    "海洋高技术": ("海洋科技", "海洋工程"),
    "纺织服装": ("纺织", "服饰科技"),
}
BRAND = "华东海天明宏泰隆信达鑫诚瑞丰永康宁甬舜慈余镇北博锐中恒安盛嘉兴和贝联欧亚金银龙凤星辰远航"

# station, name_zh, name_en, district, kind, lat, lon, commissioned
STATIONS = (
    ("NB01", "镇海台", "Zhenhai", "330211", "seismograph", "29.9512", "121.7163", "2003-05-10"),
    ("NB02", "北仑台", "Beilun", "330206", "strong_motion", "29.8995", "121.8443", "2004-08-01"),
    ("NB03", "横溪台", "Hengxi", "330212", "seismograph", "29.7231", "121.5687", "2002-11-20"),
    ("NB04", "四明山台", "Simingshan", "330281", "precursor", "29.7102", "121.1008", "2005-03-15"),
    ("NB05", "龙山台", "Longshan", "330282", "seismograph", "30.1731", "121.4853", "2006-07-01"),
    ("NB06", "西店台", "Xidian", "330226", "seismograph", "29.4822", "121.4371", "2007-04-12"),
    ("NB07", "石浦台", "Shipu", "330225", "seismograph", "29.2055", "121.9466", "2006-10-09"),
    ("NB08", "海曙台", "Haishu", "330203", "strong_motion", "29.8722", "121.5361", "2008-03-15"),
    ("NB09", "江东台", "Jiangdong", "330204", "strong_motion", "29.8697", "121.5789", "2009-06-01"),
    ("NB10", "皎口台", "Jiaokou", "330212", "precursor", "29.7844", "121.3412", "2010-11-01"),
    ("NB11", "慈城台", "Cicheng", "330205", "comprehensive", "29.9785", "121.4412", "2012-06-18"),
    ("NB12", "溪口台", "Xikou", "330283", "comprehensive", "29.6784", "121.2404", "2012-09-26"),
)
# Share of in-service time lost to outages, per year (older networks worse; new stations settle in).
DOWN_SHARE = {2008: 0.0075, 2009: 0.0058, 2010: 0.0042, 2011: 0.0026, 2012: 0.00035}
NEW_STATION_DOWN_SHARE = 0.0014
CAUSES = (  # cause, weight, min hours, max hours
    ("power", 0.35, 0.25, 14.0),
    ("network", 0.35, 0.05, 6.0),
    ("equipment", 0.15, 4.0, 60.0),
    ("maintenance", 0.15, 1.0, 8.0),
)


def split(total: int, weights: Sequence[float]) -> list[int]:
    """Split an integer total by weights (largest remainder): the parts add up exactly."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _jittered(rng: random.Random, weights: Sequence[float], spread: float = 0.12) -> list[float]:
    return [w * (1 + rng.uniform(-spread, spread)) for w in weights]


def _tenths(x: float) -> int:
    return round(x * 10)


def _fmt(v: float, decimals: int) -> str:
    return f"{v:.{decimals}f}"


def observations(rng: random.Random) -> tuple[list[list[str]], dict[tuple[str, str, int], float]]:
    """Rows of observations.csv, and the numeric values for target generation."""
    codes = [d[0] for d in DISTRICTS]
    base = [d[6] for d in DISTRICTS]
    rows: list[list[str]] = []
    values: dict[tuple[str, str, int], float] = {}

    def put(ind: str, code: str, year: int, v: float, decimals: int) -> None:
        rows.append([ind, code, str(year), _fmt(v, decimals)])
        values[(ind, code, year)] = round(v, decimals)

    for year in YEARS:
        apps, inv, util, des = PATENTS[year]
        w = _jittered(rng, base)
        for ind, total, weights in (
            ("patent_applications", apps, w),
            ("invention_grants", inv, _jittered(rng, w, 0.2)),
            ("utility_grants", util, _jittered(rng, w, 0.08)),
            ("design_grants", des, _jittered(rng, w, 0.15)),
        ):
            for code, part in zip(codes, split(total, weights), strict=True):
                put(ind, code, year, part, 0)
        for code in codes:
            grants = sum(values[(k, code, year)] for k in ("invention_grants", "utility_grants", "design_grants"))
            put("patent_grants", code, year, grants, 0)
        ht, ind_out = HIGHTECH[year]
        w_ind = _jittered(rng, base, 0.06)
        w_ht = _jittered(rng, [b * HIGHTECH_TILT.get(c, 1.0) for c, b in zip(codes, base, strict=True)], 0.05)
        for ind, amount, weights in (("industrial_output", ind_out, w_ind), ("hightech_output", ht, w_ht)):
            for code, part in zip(codes, split(_tenths(amount), weights), strict=True):
                put(ind, code, year, part / 10, 1)
    for ind, by_year in CITY_ONLY.items():
        for year, v in by_year.items():
            decimals = 0 if float(v).is_integer() and ind != "rd_intensity" else 2
            put(ind, CITY, year, float(v), decimals)
    return rows, values


def _monthly(rng: random.Random, total: int) -> list[int]:
    """An integer year's flow split over its twelve months (MONTH_PROFILE, jittered): adds up exactly."""
    return split(total, _jittered(rng, MONTH_PROFILE, 0.1))


def _cumulative(parts: Sequence[float]) -> list[float]:
    out, running = [], 0.0
    for p in parts:
        running += p
        out.append(running)
    return out


YTD_CODES = ("M01-M02", *(f"M{m:02d}" for m in range(3, 13)))  # 1–2月 published together, then 1–3月 … 1–12月


def through_year(rng: random.Random, values: dict[tuple[str, str, int], float]) -> list[list[str]]:
    """Rows of observations.csv with a period (contract v2) for PERIOD_YEARS, adding up to the annual rows:
    patents per month (当月), industrial and high-tech output as 1–N月累计 with 1–2月 together, the high-tech
    enterprises' revenue 1–N月累计 (2012 to November), tech services per quarter (累计; institutions a stock)."""
    rows: list[list[str]] = []
    codes = [d[0] for d in DISTRICTS]
    for year in PERIOD_YEARS:
        for code in codes:
            kinds = ("invention_grants", "utility_grants", "design_grants")
            months = {k: _monthly(rng, int(values[(k, code, year)])) for k in ("patent_applications", *kinds)}
            months["patent_grants"] = [sum(ms) for ms in zip(*(months[k] for k in kinds), strict=True)]
            for ind in ("patent_applications", "patent_grants", *kinds):
                rows += [[ind, code, str(year), str(v), f"M{m:02d}", ""] for m, v in enumerate(months[ind], 1)]
            for ind in ("industrial_output", "hightech_output"):
                parts = _monthly(rng, _tenths(values[(ind, code, year)]))
                cum = _cumulative([parts[0] + parts[1], *parts[2:]])
                rows += [[ind, code, str(year), _fmt(v / 10, 1), p, ""] for p, v in zip(YTD_CODES, cum, strict=True)]
        share = _cumulative([MONTH_PROFILE[0] + MONTH_PROFILE[1], *MONTH_PROFILE[2:]])
        jan_nov = REVENUE_JAN_NOV[year]
        cum_rev = [round(jan_nov * s / share[-2], 1) for s in share]
        cum_rev[-2] = jan_nov
        last = len(YTD_CODES) if year < PERIOD_YEARS[-1] else len(YTD_CODES) - 1  # 2012: to November
        for p, v in zip(YTD_CODES[:last], cum_rev, strict=False):
            yoy = REVENUE_GROWTH_REPORTED if (year, p) == (2012, "M11") else ""
            rows.append(["hightech_ent_revenue", CITY, str(year), _fmt(v, 1), p, yoy])
        for q, v in enumerate(SERVICES_VALUE_ADDED[year], 1):
            yoy = SERVICES_GROWTH_REPORTED if (year, q) == (2012, 3) else ""
            rows.append(["tech_service_value_added", CITY, str(year), _fmt(v, 1), f"Q{q}", yoy])
        for q, n in enumerate(SERVICES_INSTITUTIONS[year], 1):
            rows.append(["tech_service_institutions", CITY, str(year), str(n), f"Q{q}", ""])
    return rows


def targets(rng: random.Random, values: dict[tuple[str, str, int], float]) -> list[list[str]]:
    """2012 assessment targets per district (illustrative), plus city-level plan targets."""
    rows = []
    for code, *_ in DISTRICTS:
        apps = values[("patent_applications", code, 2012)]
        inv = values[("invention_grants", code, 2012)]
        ht = values[("hightech_output", code, 2012)]
        share = ht / values[("industrial_output", code, 2012)] * 100
        rows += [
            ["patent_applications", code, "2012", _fmt(round(apps * rng.uniform(0.84, 1.12) / 100) * 100, 0)],
            ["invention_grants", code, "2012", _fmt(round(inv * rng.uniform(0.88, 1.18) / 5) * 5, 0)],
            ["hightech_output", code, "2012", _fmt(ht * rng.uniform(0.95, 1.05), 1)],
            ["hightech_share", code, "2012", _fmt(share + rng.uniform(-1.5, 1.5), 1)],
        ]
    rows += [
        ["hightech_share", CITY, "2012", "30.0"],
        ["rd_intensity", CITY, "2015", "2.50"],
    ]
    return rows


def _company_name(rng: random.Random, industry: str, used: set[str]) -> str:
    while True:
        brand = rng.choice(BRAND) + rng.choice(BRAND)
        word = rng.choice(NAME_WORDS[industry])
        suffix = "股份有限公司" if rng.random() < 0.15 else "有限公司"
        name = f"宁波{brand}{word}{suffix}"
        if name not in used and brand[0] != brand[1]:
            used.add(name)
            return name


@dataclass
class _Certification:
    """One row of the registry being built: a firm at a tier from `start` to `end` (None: still certified)."""

    fid: str
    tier: int
    start: int
    end: int | None = None


def enterprises(rng: random.Random) -> list[list[str]]:
    """A certification registry whose active counts per tier and year equal TIER_TARGETS."""
    codes = [d[0] for d in DISTRICTS]
    weights = [d[6] for d in DISTRICTS]
    industries = [i for i, _ in INDUSTRIES]
    ind_w = [w for _, w in INDUSTRIES]
    firms: dict[str, tuple[str, str, str]] = {}  # id -> name, district, industry
    rows: list[_Certification] = []
    active: dict[int, list[int]] = {k: [] for k in range(len(TIERS))}  # tier -> row indexes
    used: set[str] = set()

    def new_firm() -> str:
        fid = f"E{len(firms) + 1:05d}"
        industry = rng.choices(industries, ind_w)[0]
        firms[fid] = (_company_name(rng, industry, used), rng.choices(codes, weights)[0], industry)
        return fid

    def certify(fid: str, tier: int, year: int) -> None:
        rows.append(_Certification(fid, tier, year))
        active[tier].append(len(rows) - 1)

    first = YEARS[0]
    for tier, n in enumerate(TIER_TARGETS[first]):
        for _ in range(n):
            fid = new_firm()
            start = rng.randint(2003, first)
            if tier >= 1 and start > 2004 and rng.random() < 0.5:  # came up from the tier below
                lower_from = rng.randint(2002, start - 1)
                rows.append(_Certification(fid, tier - 1, lower_from, start - 1))
            certify(fid, tier, start)
    for year in YEARS[1:]:
        for tier in range(len(TIERS)):  # losses: a few firms per tier, none at the national tier
            rate = (0.035, 0.03, 0.02, 0.015, 0.0)[tier]
            for idx in rng.sample(active[tier], round(len(active[tier]) * rate)):
                rows[idx].end = year - 1
                active[tier].remove(idx)
        for tier in reversed(range(len(TIERS))):  # promotions from the tier below, then new certifications
            need = TIER_TARGETS[year][tier] - len(active[tier])
            if need < 0:
                raise ValueError(f"tier {TIERS[tier]} shrinks in {year}: lower its loss rate")
            if tier > 0:
                share = (0.0, 0.55, 0.8, 0.9, 1.0)[tier]
                movers = rng.sample(active[tier - 1], min(round(need * share), len(active[tier - 1])))
                for idx in movers:
                    rows[idx].end = year - 1
                    active[tier - 1].remove(idx)
                    certify(rows[idx].fid, tier, year)
                need -= len(movers)
            for _ in range(need):
                certify(new_firm(), tier, year)
    out = []
    for row in sorted(rows, key=lambda r: (r.fid, r.start, r.tier)):
        name, district, industry = firms[row.fid]
        end = "" if row.end is None else str(row.end)
        out.append([row.fid, name, district, industry, TIERS[row.tier], str(row.start), end])
    return out


def outages(rng: random.Random) -> list[list[str]]:
    """Outage logs per station and year, with a few deliberate overlaps."""
    rows: list[list[str]] = []
    causes = [c[0] for c in CAUSES]
    cause_w = [c[1] for c in CAUSES]
    limits = {c[0]: (c[2], c[3]) for c in CAUSES}
    for st, *_, commissioned in STATIONS:
        since = datetime.fromisoformat(commissioned)
        for year in YEARS:
            lo, hi = max(datetime(year, 1, 1), since), datetime(year + 1, 1, 1)
            if lo >= hi:
                continue
            service_h = (hi - lo).total_seconds() / 3600
            new = since.year == year and year == YEARS[-1]
            budget = service_h * (NEW_STATION_DOWN_SHARE if new else DOWN_SHARE[year]) * rng.uniform(0.3, 1.7)
            spent: list[tuple[datetime, datetime]] = []
            while budget > 0.05:
                cause = rng.choices(causes, cause_w)[0]
                a, b = limits[cause]
                hours = min(rng.uniform(a, b), budget)
                start = lo + timedelta(minutes=rng.randrange(int((service_h - hours) * 60)))
                end = start + timedelta(minutes=max(3, round(hours * 60)))
                if any(s <= start < e for s, e in spent):
                    continue
                spent.append((start, end))
                rows.append([st, start.isoformat(), end.isoformat(), cause])
                budget -= hours
            if spent and rng.random() < 0.35:  # a second fault during an outage (overlap)
                s, e = rng.choice(spent)
                start = s + (e - s) / 2
                start = start.replace(second=0, microsecond=0)
                end = start + timedelta(minutes=rng.randint(10, 90))
                rows.append([st, start.isoformat(), end.isoformat(), rng.choice(causes)])
    return sorted(rows, key=lambda r: (r[0], r[1]))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """UTF-8 CSV with \\n line ends (byte-identical across runs)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def generate(out: Path, seed: int = SEED) -> None:
    """Write the sample dataset into `out` (created if missing)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "city_zh": "宁波",
        "city_en": "Ningbo",
        "city_code": CITY,
        "title_zh": "科技创新指标看板",
        "title_en": "Science & Technology Innovation Dashboard",
        "as_of": "2012-12-31",
        "source_zh": "市科技局2012年工作总结报告；区县分布、考核目标、企业名录、台站记录与大事记日期为示意数据",
        "source_en": "City S&T Bureau annual work report 2012; district split, assessment targets, enterprise "
        "registry, station logs and event dates are illustrative",
        "sample": True,
        "plans": [{"name_zh": "十二五", "name_en": "12th Five-Year Plan", "year": 2015}],
    }
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_csv(
        out / "districts.csv",
        ["code", "name_zh", "name_en", "kind", "tile_row", "tile_col"],
        [d[:6] for d in DISTRICTS],
    )
    write_csv(out / "indicators.csv", TABLES_BY_FILE["indicators.csv"].names, indicator_rows())
    obs, values = observations(rng)
    periods = through_year(random.Random(seed + 1), values)  # its own stream: the annual rows stay as they were
    write_csv(out / "observations.csv", TABLES_BY_FILE["observations.csv"].names, [[*r, "", ""] for r in obs] + periods)
    write_csv(out / "targets.csv", ["indicator", "district", "year", "target"], targets(rng, values))
    write_csv(out / "peers.csv", ["city_zh", "city_en", "indicator", "year", "value"], PEERS)
    write_csv(
        out / "enterprises.csv",
        ["enterprise_id", "name", "district", "industry", "tier", "year_from", "year_to"],
        enterprises(rng),
    )
    write_csv(
        out / "seismic_stations.csv",
        ["station", "name_zh", "name_en", "district", "kind", "lat", "lon", "commissioned"],
        STATIONS,
    )
    write_csv(out / "seismic_outages.csv", ["station", "start", "end", "cause"], outages(rng))
    write_csv(out / "events.csv", ["date", "title_zh", "title_en", "kind", "district", "indicator"], EVENTS)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: python -m data.generate [OUT_DIR] (default data/sample)."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0]) if args else Path(__file__).resolve().parent / "sample"
    generate(out)
    sys.stdout.write(f"wrote sample dataset to {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
