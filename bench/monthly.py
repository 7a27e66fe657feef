"""The monthly-scale dataset of the benchmark (`python -m bench.monthly DIR [--tiny]`), generated deterministically.

A city publishing through the year (contract v2, docs/contract.md) at the scale of a large city: 30 districts,
10 years (the last still running, to November), 40 indicators, about 130k observation rows, 100k enterprise
certifications and 40 seismic stations with a few outages each per year. Built the way the test fixtures'
`large` dataset is (tests/fixtures/build.py: generated district and station names, `_split`-style shares,
firms moving up the tiers, outages per station and year), with the period shapes of its `monthly` fixture:

- 13 monthly flows reported `ytd` (1–N月累计) with 1–2月 published together (`M01-M02`) and, for some, the
  source's growth (`yoy_reported`);
- 16 monthly flows reported per month, each full year with an annual row (final statistics, within 1%);
- 6 monthly stocks (a level at each month's end);
- 2 ratios of two monthly flows (hightech_share of two `ytd` flows, invention_share of two per-month flows);
- 2 quarterly indicators (a `ytd` flow and a stock), 1 yearly (district rows, whole years only);

plus annual district targets for the running year (序时进度, the scorecard). `--tiny` writes the same shapes
at a size the smoke test can afford (3 districts, 2 years, 2000 certifications).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from data.generate import write_csv
from data.schema import TABLES_BY_FILE, TIERS

SEED = 20231130
CITY = "337700"
SYLLABLES_ZH = "东西南北中前后上下新老青白金银龙凤海江湖山河桥港湾"
SYLLABLES_EN = ("Dong", "Xi", "Nan", "Bei", "Zhong", "Qian", "Hou", "Shang", "Xia", "Xin", "Lao", "Qing", "Bai",
                "Jin", "Yin", "Long", "Feng", "Hai", "Jiang", "Hu", "Shan", "He", "Qiao", "Gang", "Wan")  # fmt: skip
YI = ("亿元", "CNY 100m")
JIAN = ("件", "")
JIA = ("家", "")
XIANG = ("项", "")


@dataclass(frozen=True)
class Size:
    """How big a generated dataset is."""

    districts: int = 30
    years: int = 10
    first_year: int = 2014
    last_month: int = 11  # the last year runs to this month (as_of its end)
    certifications: int = 100_000
    stations: int = 40

    @property
    def year_list(self) -> list[int]:
        return list(range(self.first_year, self.first_year + self.years))


FULL = Size()
TINY = Size(districts=3, years=2, first_year=2022, certifications=2_000, stations=3)

# id, domain, name_zh, name_en, unit, city-wide monthly total in the first year (scale of its values)
YTD_FLOWS = (
    ("hightech_output", "hightech", "高新技术产业产值", "High-tech industry output", YI, 900.0),
    ("industrial_output", "hightech", "规模以上工业产值", "Above-scale industrial output", YI, 2400.0),
    ("hightech_ent_revenue", "enterprise", "高新技术企业主营业务收入", "High-tech enterprises' revenue", YI, 700.0),
    ("hightech_ent_st_spending", "enterprise", "高新技术企业科技活动经费支出", "High-tech S&T spending", YI, 40.0),
    ("main_revenue", "rd", "规上工业主营业务收入", "Main business revenue", YI, 2300.0),
    ("new_product_output", "hightech", "新产品产值", "New product output", YI, 500.0),
    ("hightech_exports", "hightech", "高新技术产品出口额", "High-tech exports", YI, 180.0),
    ("strategic_output", "hightech", "战略性新兴产业产值", "Strategic emerging industries output", YI, 650.0),
    ("digital_core_revenue", "other", "数字经济核心产业营业收入", "Digital economy core revenue", YI, 300.0),
    ("software_revenue", "services", "软件业务收入", "Software revenue", YI, 120.0),
    ("tech_service_revenue", "services", "科技服务业营业收入", "Tech services revenue", YI, 90.0),
    ("sci_park_revenue", "other", "科技园区营业收入", "Science park revenue", YI, 260.0),
    ("rd_tax_deduction", "rd", "研发费用加计扣除额", "R&D super-deduction", YI, 15.0),
)  # fmt: skip
YTD_REPORTED = {"hightech_output", "industrial_output", "main_revenue", "software_revenue"}  # with yoy_reported
PERIOD_FLOWS = (
    ("patent_applications", "patents", "专利申请量", "Patent applications", JIAN, 7500.0),
    ("utility_grants", "patents", "授权实用新型专利", "Utility-model patents granted", JIAN, 2600.0),
    ("design_grants", "patents", "授权外观设计专利", "Design patents granted", JIAN, 1500.0),
    ("invention_grants", "patents", "授权发明专利", "Invention patents granted", JIAN, 750.0),
    ("patent_grants", "patents", "专利授权量", "Patent grants", JIAN, 0.0),  # the sum of the three above
    ("rd_spending", "rd", "研发经费支出", "R&D spending", YI, 60.0),
    ("tech_contracts", "services", "技术合同登记数", "Registered technology contracts", XIANG, 900.0),
    ("tech_market_turnover", "services", "技术市场成交额", "Technology market turnover", YI, 25.0),
    ("trademark_applications", "patents", "商标申请量", "Trademark applications", JIAN, 5200.0),
    ("pct_applications", "patents", "PCT国际专利申请量", "PCT applications", JIAN, 60.0),
    ("st_loans", "other", "科技信贷投放额", "S&T loans", YI, 35.0),
    ("vc_investment", "other", "创业投资额", "Venture investment", YI, 12.0),
    ("talent_introduced", "other", "引进高层次人才", "High-level talent recruited", ("人", ""), 220.0),
    ("new_registered_firms", "enterprise", "新注册科技型企业", "New tech firms registered", JIA, 480.0),
    ("st_projects", "rd", "科技计划立项数", "S&T projects approved", XIANG, 140.0),
    ("public_st_spending", "other", "财政科技支出", "Public S&T spending", YI, 9.0),
)  # fmt: skip
STOCKS = (
    ("engineering_centers", "enterprise", "市级以上企业工程（技术）中心", "Enterprise engineering centres", JIA, 600.0),
    ("incubators", "services", "科技企业孵化器", "Incubators", JIA, 90.0),
    ("incubated_firms", "services", "在孵企业数", "Incubated firms", JIA, 4200.0),
    ("rd_institutions", "rd", "新型研发机构", "New R&D institutions", JIA, 110.0),
    ("key_labs", "rd", "重点实验室", "Key laboratories", JIA, 160.0),
    ("valid_inventions", "patents", "有效发明专利拥有量", "Valid invention patents", JIAN, 30000.0),
)  # fmt: skip


def _indicator(ind: str, domain: str, zh: str, en: str, unit: tuple[str, str], agg: str = "sum", **v2: str) -> list:
    """An indicators.csv row of the v2 header (as tests/fixtures/build.py writes them)."""
    return [
        ind, domain, zh, en, *unit, agg,
        v2.get("numerator", ""), v2.get("denominator", ""), v2.get("scale", ""), "true",
        v2.get("frequency", ""), v2.get("reported_as", ""), v2.get("temporal", ""),
        f"{zh}：基准测试口径（虚构）", f"{en}: benchmark definition (fictional)",
        "基准统计局", "Benchmark statistics bureau",
    ]  # fmt: skip


def indicators() -> list[list]:
    """The 40 indicators of the dataset (v2 rows)."""
    rows = [_indicator(i, d, z, e, u, frequency="month", reported_as="ytd") for i, d, z, e, u, _ in YTD_FLOWS]
    rows += [_indicator(i, d, z, e, u, frequency="month") for i, d, z, e, u, _ in PERIOD_FLOWS]
    rows += [_indicator(i, d, z, e, u, frequency="month", temporal="stock") for i, d, z, e, u, _ in STOCKS]
    rows += [
        _indicator("hightech_share", "hightech", "高新技术产业产值占规上工业产值比重", "High-tech share of industrial "
                   "output", ("%", "%"), "ratio", numerator="hightech_output", denominator="industrial_output",
                   scale="100"),
        _indicator("invention_share", "patents", "发明专利占授权量比重", "Invention share of grants", ("%", "%"),
                   "ratio", numerator="invention_grants", denominator="patent_grants", scale="100"),
        _indicator("tech_service_value_added", "services", "限上科技服务业增加值", "S&T services value added", YI,
                   frequency="quarter", reported_as="ytd"),
        _indicator("tech_service_institutions", "services", "限上科技服务业机构", "S&T service institutions", JIA,
                   frequency="quarter", temporal="stock"),
        _indicator("new_hightech_projects", "hightech", "新引进高新技术项目", "New high-tech projects", XIANG),
    ]  # fmt: skip
    return rows


def _num(value: float, count: bool) -> str:
    return str(int(value)) if count else f"{value:.1f}"


def _obs(ind: str, district: str, year: int, period: str, value: str, yoy: float | None = None) -> list:
    return [ind, district, year, value, period, "" if yoy is None else f"{yoy:.3f}"]


def districts(n: int) -> list[list]:
    """n districts with generated names (as the `large` fixture), on a 6-wide tile map."""
    rows = []
    for i in range(n):
        j = (i * 7 + 3 + i // 25) % 25
        zh = f"{SYLLABLES_ZH[i % 25]}{SYLLABLES_ZH[j]}{'区' if i % 3 else '县'}"
        en = f"{SYLLABLES_EN[i % 25]}{SYLLABLES_EN[j].lower()}{'' if i < 25 else ' ' + str(i)}"
        rows.append([f"{CITY[:4]}{i + 1:02d}", zh + ("" if i < 25 else str(i)), en, "district" if i % 3 else "county",
                     i // 6, i % 6])  # fmt: skip
    return rows


def _shares(rng: random.Random, n: int) -> list[float]:
    weights = [rng.uniform(0.4, 1.6) for _ in range(n)]
    return [w / sum(weights) for w in weights]


def _months(size: Size, year: int) -> int:
    return size.last_month if year == size.year_list[-1] else 12


def observations(rng: random.Random, size: Size, codes: list[str]) -> list[list]:
    """Every observation row, sorted by indicator, district, year and period."""
    years = size.year_list
    season = [0.7, 0.8, 1.0, 1.0, 1.0, 1.05, 1.0, 0.95, 1.05, 1.0, 1.05, 1.35]  # 1–2月 low, December high
    rows: list[list] = []
    shares = _shares(rng, len(codes))
    for ind, _, _, _, unit, total in YTD_FLOWS:
        count = unit[0] in ("件", "家", "项")
        for code, share in zip(codes, shares, strict=True):
            before: dict[int, float] = {}  # last year's cumulative by month
            for y, year in enumerate(years):
                level, cumulative, now = total * share * 1.07**y, 0.0, {}
                for first, last in [(1, 2), *[(m, m) for m in range(3, _months(size, year) + 1)]]:
                    cumulative = round(
                        cumulative
                        + sum(level * season[m - 1] * rng.uniform(0.85, 1.15) for m in range(first, last + 1)),
                        1,
                    )
                    now[last] = cumulative
                    yoy = round(cumulative / before[last] - 1, 3) if ind in YTD_REPORTED and last in before else None
                    period = f"M{first:02d}-M{last:02d}" if first != last else f"M{last:02d}"
                    rows.append(_obs(ind, code, year, period, _num(cumulative, count), yoy))
                before = now
    grants: dict[tuple[str, int, int], int] = {}
    for ind, _, _, _, unit, total in PERIOD_FLOWS:
        count = unit[0] in ("件", "家", "项", "人")
        for code, share in zip(codes, shares, strict=True):
            for y, year in enumerate(years):
                level, values = total * share * 1.07**y, []
                for m in range(1, _months(size, year) + 1):
                    if ind == "patent_grants":  # the three kinds of the same month
                        v: float = grants.pop((code, year, m))
                    else:
                        v = level * season[m - 1] * rng.uniform(0.8, 1.2)
                        v = max(1, round(v)) if count else round(v, 1)
                    if ind in ("utility_grants", "design_grants", "invention_grants"):
                        grants[(code, year, m)] = grants.get((code, year, m), 0) + int(v)
                    values.append(v)
                    rows.append(_obs(ind, code, year, f"M{m:02d}", _num(v, count)))
                if len(values) == 12:  # a full year: its annual row (final statistics revise within 1%)
                    annual = sum(values) * rng.uniform(0.995, 1.005)
                    rows.append(_obs(ind, code, year, "", _num(round(annual) if count else round(annual, 1), count)))
    for ind, _, _, _, _, total in STOCKS:
        for code, share in zip(codes, shares, strict=True):
            level = max(1, round(total * share))
            for year in years:
                for m in range(1, _months(size, year) + 1):
                    level += rng.randint(-1, max(2, level // 200))
                    level = max(level, 1)
                    rows.append(_obs(ind, code, year, f"M{m:02d}", str(level)))
    for code, share in zip(codes, shares, strict=True):
        institutions = max(1, round(400 * share))
        for y, year in enumerate(years):
            cumulative = 0.0
            for q in range(1, _months(size, year) // 3 + 1):
                cumulative = round(cumulative + 40 * share * 1.07**y * rng.uniform(0.8, 1.2) + 0.1, 1)
                rows.append(_obs("tech_service_value_added", code, year, f"Q{q}", _num(cumulative, False)))
                institutions += rng.randint(0, 3)
                rows.append(_obs("tech_service_institutions", code, year, f"Q{q}", str(institutions)))
            if _months(size, year) == 12:
                rows.append(
                    _obs(
                        "new_hightech_projects", code, year, "", str(max(0, round(300 * share * rng.uniform(0.7, 1.3))))
                    )
                )
    order = {ind[0]: i for i, ind in enumerate(indicators())}
    return sorted(rows, key=lambda r: (order[r[0]], r[1], r[2], r[4] == "", r[4]))


def enterprises(rng: random.Random, size: Size, codes: list[str]) -> list[list[str]]:
    """Exactly `size.certifications` rows: firms entering at a tier and some moving up over the years."""
    years = size.year_list
    industries = ["电子信息", "装备制造", "新材料", "生物医药", "新能源", "软件服务"]
    rows: list[list[str]] = []
    n = 0
    while len(rows) < size.certifications:
        n += 1
        fid, code = f"B{n:06d}", codes[n % len(codes)]
        tier = rng.choice([0, 0, 0, 1, 1, 2])
        year = rng.choice(years)
        while len(rows) < size.certifications:
            end = year + rng.randint(1, 3) - 1
            moved = tier < len(TIERS) - 1 and rng.random() < 0.35 and end < years[-1]
            lost = not moved and rng.random() < 0.15 and end < years[-1]
            rows.append([fid, f"基准企业{n:06d}", code, industries[n % len(industries)], TIERS[tier], str(year),
                         str(end) if (moved or lost) else ""])  # fmt: skip
            if not moved:
                break
            tier += 1
            year = end + 1
    return sorted(rows, key=lambda r: (r[0], r[5]))


def stations(size: Size, codes: list[str]) -> list[list[str]]:
    rows = []
    for i in range(size.stations):
        j = (i * 3 + 1 + i // 25) % 25
        zh = f"{SYLLABLES_ZH[i % 25]}{SYLLABLES_ZH[j]}" + ("地震监测中心站" if i % 5 == 0 else "台")
        en = f"{SYLLABLES_EN[i % 25]}{SYLLABLES_EN[j].lower()}" + (" Centre" if i % 5 == 0 else " Station")
        since = f"{size.first_year - 3 + i % 9}-0{1 + i % 9}-01"
        rows.append([f"BM{i + 1:02d}", f"{zh}{i + 1}", f"{en} {i + 1}", codes[i % len(codes)], "seismograph", "38.9",
                     "117.5", since])  # fmt: skip
    return rows


def outages(rng: random.Random, size: Size, station_rows: list[list[str]]) -> list[list[str]]:
    """A few outages per station and year (as the fixtures' `_outages`), unique by (station, start)."""
    causes = ["power", "network", "equipment", "maintenance"]
    end_of_data = datetime(size.year_list[-1], size.last_month, 1) + timedelta(days=27)
    out: dict[tuple[str, str], list[str]] = {}
    for st, *_, commissioned in station_rows:
        since = datetime.fromisoformat(commissioned)
        for year in size.year_list:
            lo, hi = max(datetime(year, 1, 1), since), min(datetime(year + 1, 1, 1), end_of_data)
            if hi - lo < timedelta(days=2):
                continue
            for _ in range(rng.randint(0, 4)):
                start = lo + timedelta(minutes=rng.randrange(int((hi - lo).total_seconds() // 60) - 600))
                end = start + timedelta(minutes=rng.randint(20, 600))
                out.setdefault((st, start.isoformat()), [st, start.isoformat(), end.isoformat(), rng.choice(causes)])
    return [out[k] for k in sorted(out)]


def generate(out: Path, size: Size = FULL, seed: int = SEED) -> Path:
    """Write the dataset into `out` (created if missing); the same size and seed write the same bytes."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    years = size.year_list
    meta = {
        "city_zh": "月港",
        "city_en": "Yuegang",
        "city_code": CITY,
        "title_zh": "科技创新指标看板",
        "title_en": "Science & Technology Innovation Dashboard",
        "as_of": f"{years[-1]}-{size.last_month:02d}-{28 if size.last_month == 2 else 30}",
        "source_zh": "基准测试数据（虚构）",
        "source_en": "Benchmark data (fictional)",
        "sample": True,
    }
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    district_rows = districts(size.districts)
    codes = [d[0] for d in district_rows]

    def write(file: str, rows: list[list], v2: bool = False) -> None:
        table = TABLES_BY_FILE[file]
        write_csv(out / file, table.names if v2 else table.v1_names, rows)

    write("districts.csv", district_rows)
    write("indicators.csv", indicators(), v2=True)
    obs = observations(rng, size, codes)
    write("observations.csv", obs, v2=True)
    apps = {r[1]: float(r[3]) for r in obs if r[0] == "patent_applications" and r[2] == years[-2] and r[4] == ""}
    write("targets.csv", [["patent_applications", c, years[-1], round(apps[c] * 1.08)] for c in codes])
    write("enterprises.csv", enterprises(rng, size, codes))
    station_rows = stations(size, codes)
    write("seismic_stations.csv", station_rows)
    write("seismic_outages.csv", outages(rng, size, station_rows))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.monthly", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tiny", action="store_true", help="the smoke test's size")
    args = parser.parse_args(argv)
    generate(args.out, TINY if args.tiny else FULL)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
