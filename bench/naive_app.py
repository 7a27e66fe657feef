"""The baseline of the browser benchmark: the plain Dash app a typical user writes over the same dataset.

One callback, plotly.express figures, no cache: year and district filters, six charts (patents by year,
patents by district, invention share, high-tech share by district, tiers, station uptime). Not a straw man:
it reads the same CSV files with pandas, serves its JS locally, and answers each change in one request.

    python -m bench.naive_app [--port 8051]      (or: gunicorn bench.naive_app:server)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

DATA = Path(__file__).resolve().parents[1] / "data" / "sample"


def read() -> dict[str, pd.DataFrame]:
    """The sample's tables, as pandas reads them."""
    names = ("districts", "indicators", "observations", "enterprises", "seismic_stations", "seismic_outages")
    frames = {n: pd.read_csv(DATA / f"{n}.csv", dtype={"district": str, "code": str}) for n in names}
    for col in ("start", "end"):
        frames["seismic_outages"][col] = pd.to_datetime(frames["seismic_outages"][col])
    frames["seismic_stations"]["commissioned"] = pd.to_datetime(frames["seismic_stations"]["commissioned"])
    return frames


T = read()
YEARS = sorted(T["observations"]["year"].unique())
NAMES = dict(zip(T["districts"]["code"], T["districts"]["name_zh"], strict=True))

app = Dash(__name__, compress=True)
server = app.server
app.layout = html.Div(
    [
        html.H1("科技创新指标看板"),
        html.Div(
            [
                dcc.Dropdown(id="year", options=[int(y) for y in YEARS], value=int(YEARS[-1]), clearable=False),
                dcc.Dropdown(id="districts", options=[{"label": v, "value": k} for k, v in NAMES.items()], multi=True),
            ],
            style={"display": "grid", "gridTemplateColumns": "200px 1fr", "gap": "8px"},
        ),
        html.Div(
            [dcc.Graph(id=f"g{i}", style={"height": "320px"}) for i in range(6)],
            style={"display": "grid", "gridTemplateColumns": "1fr 1fr 1fr", "gap": "8px"},
        ),
    ]
)


@app.callback([Output(f"g{i}", "figure") for i in range(6)], Input("year", "value"), Input("districts", "value"))
def update(year, districts):
    """Every chart recomputed from the frames on every change."""
    obs = T["observations"]
    chosen = districts or list(NAMES)
    sel = obs[obs["district"].isin(chosen)]
    by_year = sel.groupby(["indicator", "year"])["value"].sum().reset_index()
    patents = by_year[by_year["indicator"].isin(["patent_applications", "patent_grants"])]
    fig1 = px.line(patents, x="year", y="value", color="indicator", markers=True, title="专利申请与授权")
    now = obs[(obs["year"] == year) & obs["district"].isin(list(NAMES))]
    apps = now[now["indicator"] == "patent_applications"].assign(name=lambda f: f["district"].map(NAMES))
    fig2 = px.bar(apps.sort_values("value", ascending=False), x="name", y="value", title=f"{year}年各区县专利申请")
    wide = by_year.pivot(index="year", columns="indicator", values="value")
    share = (wide["invention_grants"] / wide["patent_grants"] * 100).rename("share").reset_index()
    fig3 = px.line(share, x="year", y="share", markers=True, title="发明专利占授权量比重")
    ht = now.pivot(index="district", columns="indicator", values="value")
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
