"""The floor of the Lighthouse benchmark: the least a Dash page with charts can be.

A heading, one dropdown and two five-bar charts, stock Dash (its own plotly.js, served locally), no
callbacks. Whatever this page costs the browser on a machine is what Dash, React and plotly.js cost there
before any dashboard is built on them: the product's page is measured against it in the same run.

    gunicorn bench.bare_app:server
"""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Dash, dcc, html

app = Dash(__name__, serve_locally=True, compress=True, title="bare Dash page")
_bars = go.Figure(go.Bar(x=["a", "b", "c", "d", "e"], y=[3, 1, 4, 1, 5]))
app.layout = html.Main(
    [
        html.H1("Dash"),
        dcc.Dropdown(id="year", options=[2011, 2012], value=2012, clearable=False),
        dcc.Graph(id="one", figure=_bars),
        dcc.Graph(id="two", figure=_bars),
    ]
)
server = app.server
