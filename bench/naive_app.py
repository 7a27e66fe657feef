"""The baseline of the browser benchmark: the plain Dash app a typical user writes over the same dataset.

One callback, plotly.express figures, no cache: year and district filters, six charts (patents by year,
patents by district, invention share, high-tech share by district, tiers, station uptime). Not a straw man:
it reads the same CSV files with pandas, serves its JS locally, and answers each change in one request.

Data through the year (contract v2: `period`, `frequency`, `reported_as`, `temporal`) is read the plain way
too: a period dropdown and a 累计/当期 radio, and on every change each indicator's value over the chosen
months is recomputed from the whole observations frame (a ytd row's difference, a sum of months, a stock's
last month), then the same six charts are drawn from it.

    python -m bench.naive_app [--port 8051]      (or: gunicorn bench.naive_app:server)

The dataset is the sample, or the directory named by STI_BENCH_NAIVE_DATA (the benchmark's monthly data).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

DATA = Path(os.environ.get("STI_BENCH_NAIVE_DATA") or Path(__file__).resolve().parents[1] / "data" / "sample")


def read() -> dict[str, pd.DataFrame]:
    """The dataset's tables, as pandas reads them."""
    names = ("districts", "indicators", "observations", "enterprises", "seismic_stations", "seismic_outages")
    frames = {
        n: pd.read_csv(DATA / f"{n}.csv", dtype={"district": str, "code": str, "period": str}, keep_default_na=False,
                       na_values={"value": [""], "year_to": [""], "yoy_reported": [""]})
        for n in names
    }  # fmt: skip
    for col in ("start", "end"):
        frames["seismic_outages"][col] = pd.to_datetime(frames["seismic_outages"][col])
    frames["seismic_stations"]["commissioned"] = pd.to_datetime(frames["seismic_stations"]["commissioned"])
    return frames


T = read()
YEARS = sorted(T["observations"]["year"].unique())
NAMES = dict(zip(T["districts"]["code"], T["districts"]["name_zh"], strict=True))
PERIODIC = "period" in T["observations"]
MONTHS = ["", *[f"Q{q}" for q in range(1, 5)], *[f"M{m:02d}" for m in range(1, 13)]]


def _months(code: str) -> tuple[int, int]:
    """A period code's first and last month ('' the whole year, 'Q2' 4–6, 'M03' 3–3, 'M01-M02' 1–2)."""
    if not code:
        return 1, 12
    if code.startswith("Q"):
        return 3 * int(code[1]) - 2, 3 * int(code[1])
    first, _, last = code.partition("-")
    return int(first[1:]), int((last or first)[1:])


def over_months(period: str, basis: str) -> pd.DataFrame:
    """Every indicator, district and year over the chosen months (1–N, or the period alone), recomputed from the
    whole frame: the annual row for a whole year, else a ytd flow's cumulative difference, a per-period flow's
    sum, a stock's last value."""
    obs = T["observations"]
    if not PERIODIC:
        return obs
    lo, hi = _months(period)
    lo = 1 if basis != "period" else lo
    info = T["indicators"].set_index("indicator")
    obs = obs.join(info[["reported_as", "temporal"]], on="indicator")
    spans = obs["period"].map(_months)
    obs = obs.assign(first=spans.str[0], last=spans.str[1])
    keys = ["indicator", "district", "year"]
    annual = obs[obs["period"] == ""]
    rows = obs[obs["period"] != ""]
    stock = rows[(rows["temporal"] == "stock") & (rows["last"] <= hi)].sort_values("last").groupby(keys).tail(1)
    ytd = rows[(rows["reported_as"] == "ytd") & (rows["temporal"] != "stock")]
    at_hi = ytd[ytd["last"] == hi].set_index(keys)["value"]
    before = ytd[ytd["last"] == lo - 1].set_index(keys)["value"] if lo > 1 else at_hi * 0
    ytd_v = (at_hi - before.reindex(at_hi.index)).dropna().reset_index()
    flows = rows[(rows["reported_as"] != "ytd") & (rows["temporal"] != "stock")]
    flows = flows[(flows["first"] >= lo) & (flows["last"] <= hi)].groupby(keys)["value"].sum().reset_index()
    out = pd.concat([stock[[*keys, "value"]], ytd_v, flows], ignore_index=True)
    if (lo, hi) == (1, 12):  # the annual row is the year's value where there is one
        out = pd.concat([annual[[*keys, "value"]], out], ignore_index=True).drop_duplicates(keys)
    return out


LATEST = int(YEARS[-1])
OPEN_PERIOD = ""
if PERIODIC:
    seen = T["observations"].loc[T["observations"]["year"] == LATEST, "period"]
    if "" not in set(seen):  # the year is still running: open on its latest month
        OPEN_PERIOD = f"M{max(_months(p)[1] for p in seen):02d}"

app = Dash(__name__, compress=True)
server = app.server
app.layout = html.Div(
    [
        html.H1("科技创新指标看板"),
        html.Div(
            [
                dcc.Dropdown(id="year", options=[int(y) for y in YEARS], value=LATEST, clearable=False),
                html.Div(  # shown for data through the year only
                    [
                        dcc.Dropdown(id="period", options=MONTHS, value=OPEN_PERIOD, clearable=False),
                        dcc.RadioItems(id="basis", options=["ytd", "period"], value="ytd", inline=True),
                    ],
                    style={} if PERIODIC else {"display": "none"},
                ),
                dcc.Dropdown(id="districts", options=[{"label": v, "value": k} for k, v in NAMES.items()], multi=True),
            ],
            style={"display": "grid", "gridTemplateColumns": "200px 240px 1fr", "gap": "8px"},
        ),
        html.Div(
            [dcc.Graph(id=f"g{i}", style={"height": "320px"}) for i in range(6)],
            style={"display": "grid", "gridTemplateColumns": "1fr 1fr 1fr", "gap": "8px"},
        ),
    ]
)


@app.callback(
    [Output(f"g{i}", "figure") for i in range(6)],
    Input("year", "value"),
    Input("districts", "value"),
    Input("period", "value"),
    Input("basis", "value"),
)
def update(year: int, districts: list[str] | None, period: str | None = "", basis: str | None = "ytd") -> list[Any]:
    """Every chart recomputed from the frames on every change."""
    obs = over_months(period or "", basis or "ytd")
    chosen = districts or list(NAMES)
    sel = obs[obs["district"].isin(chosen)]
    by_year = sel.groupby(["indicator", "year"])["value"].sum().reset_index()
    patents = by_year[by_year["indicator"].isin(["patent_applications", "patent_grants"])]
    fig1 = px.line(patents, x="year", y="value", color="indicator", markers=True, title="专利申请与授权")
    now = obs[(obs["year"] == year) & obs["district"].isin(list(NAMES))]
    apps = now[now["indicator"] == "patent_applications"].assign(name=lambda f: f["district"].map(NAMES))
    fig2 = px.bar(apps.sort_values("value", ascending=False), x="name", y="value", title=f"{year}年各区县专利申请")
    wide = by_year.pivot(index="year", columns="indicator", values="value").reindex(
        columns=["invention_grants", "patent_grants"]
    )
    share = (wide["invention_grants"] / wide["patent_grants"] * 100).rename("share").reset_index()
    fig3 = px.line(share, x="year", y="share", markers=True, title="发明专利占授权量比重")
    ht = now.pivot(index="district", columns="indicator", values="value").reindex(
        columns=["hightech_output", "industrial_output"]
    )
    ht = (ht["hightech_output"] / ht["industrial_output"] * 100).rename("share").reset_index()
    ht["name"] = ht["district"].map(NAMES)
    fig4 = px.bar(ht.sort_values("share", ascending=False), x="name", y="share", title="高新技术产业产值占比")
    ent = T["enterprises"]
    active = ent[
        ent["district"].isin(chosen) & (ent["year_from"] <= year) & (ent["year_to"].isna() | (ent["year_to"] >= year))
    ]
    tiers = active.groupby("tier").size().rename("count").reset_index()
    fig5 = px.bar(tiers, x="count", y="tier", orientation="h", title="企业梯队")
    st = T["seismic_stations"]
    st = st[st["district"].isin(chosen)]
    lo, hi = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year + 1, month=1, day=1)
    rows = []
    for s in st.itertuples():
        begin = max(lo, s.commissioned)
        if begin >= hi:
            continue
        out = T["seismic_outages"]
        out = out[(out["station"] == s.station) & (out["end"] > begin) & (out["start"] < hi)]
        down = (out["end"].clip(upper=hi) - out["start"].clip(lower=begin)).dt.total_seconds().sum()
        rows.append({"station": s.name_zh, "uptime": 100 * (1 - down / (hi - begin).total_seconds())})
    fig6 = px.bar(pd.DataFrame(rows, columns=["station", "uptime"]), x="station", y="uptime", title="台站运行率")
    return [fig1, fig2, fig3, fig4, fig5, fig6]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8051)
    app.run(port=parser.parse_args().port)
