"""A dataset whose names are Plotly markup: the sample with every name the contract allows rewritten.

Districts, stations, peer cities, indicators (names and a unit), an indicator of its own with values per
district, an outage cause, the plan, the enterprises, the events and dataset.json's texts carry <a>, <b>, <br>, <span>,
<sub>, <sup>, entities and %{…} templates. They are text: the charts show them as written (nothing is a
link, nothing bold), the exports and the slides' own text keep them as they are.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from oracle import SAMPLE

DISTRICTS = (  # the sample's eleven districts, in file order (name_zh = name_en)
    '<a href="javascript:alert(1)">上城区</a>',
    "<b>粗体区</b>",
    "A<br>B",
    '<span style="color:red">红</span>',
    "x & y",
    "&lt;already&gt;",
    "<i>斜体区</i>",
    "<sup>上</sup>标<sub>下</sub>",
    "%{x}区",
    "</extra>尾区",
    "&#60;b&#62;实体",
)
STATIONS = (  # NB01 … NB12
    "<b>粗体台</b>",
    "<i>斜体台</i>",
    "A<br>B台",
    '<span style="color:red">红台</span>',
    "x & y台",
    "&lt;already&gt;台",
    "%{y}台",
    '<a href="javascript:alert(1)">链接台</a>',
    "<sub>下</sub>台",
    "<sup>上</sup>台",
    "<em>强调台</em>",
    "<u>下划线台</u>",
)
PEERS = {  # city_en -> the name both languages show
    "Hangzhou": '<a href="https://example.com/">杭州</a>',
    "Shenzhen": "<b>深圳</b>",
}
CAUSE = "<b>维护</b> & <i>检修</i>"  # the sample's "maintenance": a cause the catalogue does not know
OWN = "hostile_own"  # an indicator of the dataset's own, with values per district
OWN_NAME = '<span style="color:red">自有</span>指标 & <b>值</b>'
OWN_UNIT = "<i>人次</i>"
RD_NAME = "<b>R&D</b>投入强度<sup>注</sup>"
INDEX_UNIT = "<b>点</b>"  # the innovation index's unit (the sample has none)
PLAN = "<b>十二五</b>"
CITY = "<b>宁波</b> & 市"
TITLE = '<i>看板</i> & <a href="javascript:alert(1)">标题</a>'
SOURCE = '<span style="color:red">来源</span> &amp; 报告'
EVENTS = (  # the sample's eight events, in date order (title_zh = title_en)
    "<b>国家自然科学奖</b>",
    "%{x}中心投入使用",
    '<a href="javascript:alert(1)">基金</a>办法',
    "慈城台 & 建成",
    "</extra>大会",
    "溪口<br>台",
    "&lt;基地&gt;认定",
    "<sup>首支</sup>基金",
)


def indicator_name(original: str) -> str:
    """Every indicator's name, in italics as markup would have it."""
    return f"<i>{original}</i>"


def enterprise_name(original: str) -> str:
    return f"<b>{original}</b> & <br>"


def names() -> list[str]:
    """Every hostile name a chart of the whole city shows in some figure (full names, unabbreviated)."""
    return [*DISTRICTS, *STATIONS, *PEERS.values(), CAUSE, OWN_NAME, RD_NAME, *EVENTS]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")


def build(dest: Path) -> Path:
    """Write the hostile dataset into `dest` (a new directory) and return it."""
    shutil.copytree(SAMPLE, dest)
    districts = _rows(dest / "districts.csv")
    for row, name in zip(districts, DISTRICTS, strict=True):
        row["name_zh"] = row["name_en"] = name
    _write(dest / "districts.csv", districts)

    stations = _rows(dest / "seismic_stations.csv")
    for row, name in zip(stations, STATIONS, strict=True):
        row["name_zh"] = row["name_en"] = name
    _write(dest / "seismic_stations.csv", stations)

    outages = _rows(dest / "seismic_outages.csv")
    for row in outages:
        row["cause"] = CAUSE if row["cause"] == "maintenance" else row["cause"]
    _write(dest / "seismic_outages.csv", outages)

    peers = _rows(dest / "peers.csv")
    for row in peers:
        row["city_zh"] = row["city_en"] = PEERS[row["city_en"]]
    _write(dest / "peers.csv", peers)

    indicators = _rows(dest / "indicators.csv")
    for row in indicators:
        row["name_zh"], row["name_en"] = indicator_name(row["name_zh"]), indicator_name(row["name_en"])
        if row["indicator"] == "rd_intensity":
            row["name_zh"] = row["name_en"] = RD_NAME
        if row["indicator"] == "innovation_index":
            row["unit_zh"] = row["unit_en"] = INDEX_UNIT
    own = {**indicators[0], "indicator": OWN, "domain": "other", "name_zh": OWN_NAME, "name_en": OWN_NAME}
    _write(dest / "indicators.csv", [*indicators, {**own, "unit_zh": OWN_UNIT, "unit_en": OWN_UNIT}])

    observations = _rows(dest / "observations.csv")
    copied = [{**r, "indicator": OWN} for r in observations if r["indicator"] == "patent_applications"]
    _write(dest / "observations.csv", [*observations, *copied])

    events = _rows(dest / "events.csv")
    for row, title in zip(events, EVENTS, strict=True):
        row["title_zh"] = row["title_en"] = title
    _write(dest / "events.csv", events)

    enterprises = _rows(dest / "enterprises.csv")
    for row in enterprises:
        row["name"] = enterprise_name(row["name"])
    _write(dest / "enterprises.csv", enterprises)

    meta = json.loads((dest / "dataset.json").read_text("utf-8"))
    meta |= {"city_zh": CITY, "city_en": CITY, "title_zh": TITLE, "title_en": TITLE}
    meta |= {"source_zh": SOURCE, "source_en": SOURCE}
    meta["plans"] = [{**p, "name_zh": PLAN, "name_en": PLAN} for p in meta.get("plans", [])]
    (dest / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return dest
