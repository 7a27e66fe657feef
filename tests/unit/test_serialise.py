"""Callback results are written as JSON by `services.to_json` (orjson): the same document as plotly's
`to_json_plotly`, on every section's blocks and figures of every dataset shape, and on the awkward values."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import orjson
import pandas as pd
import pytest
from dash import html
from oracle import DATASETS
from plotly.io.json import to_json_plotly

from components.core.state import View
from components.sections import present
from components.server.services import to_json
from data.load import load_dataset


def _same(obj: object) -> None:
    assert orjson.loads(to_json(obj)) == orjson.loads(to_json_plotly(obj))


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_block_and_figure_is_written_as_plotly_writes_it(name: str) -> None:
    ds = load_dataset(DATASETS[name])
    views = [
        View(year=ds.years[-1], districts=(), lang="zh"),
        View(year=ds.years[0], districts=(ds.district_codes[0],), lang="en"),
        View(year=ds.years[-1], districts=tuple(ds.district_codes[:2]), lang="zh"),
    ]
    compared = 0
    for view in views:
        for section in present(ds):
            for block in section.blocks:
                _same(block.build(ds, view))
                compared += 1
            for graph in section.graphs(ds):
                _same(graph.figure(ds, view))
                compared += 1
    assert compared >= 15, compared  # three views of at least the overview and one section


@pytest.mark.parametrize(
    "value",
    [
        {"x": np.array([1.5, np.nan, np.inf]), "y": [float("nan"), -math.inf, 2]},
        {"z": np.array([[1, 2], [3, 4]], dtype="int64")[:, ::-1]},  # a strided array
        {"text": np.array(["a", None], dtype=object), "n": np.int64(7), "f": np.float32(0.5), "b": np.bool_(True)},
        {"when": [dt.date(2012, 3, 1), dt.datetime(2012, 3, 1, 8, 30), pd.Timestamp("2012-03-01 08:30")]},
        {"children": html.Div([html.Span("中文 & <b>"), None, 3], id="a", **{"data-x": "1"})},
        {1: "a non-string key", "nested": [[{"k": ()}]]},
    ],
)
def test_awkward_values_are_written_as_plotly_writes_them(value: object) -> None:
    _same(value)


def test_something_not_json_is_refused() -> None:
    with pytest.raises(TypeError):
        to_json({"x": object()})
