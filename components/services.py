"""What callbacks need from the running app (settings, served dataset, result cache), found per request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flask
import orjson
from plotly.io.json import to_json_plotly

from components.state import View, resolve, view_key
from data.cache import ResultCache
from data.load import Dataset
from data.settings import Settings
from data.store import DataStore

CONFIG_KEY = "STI_SERVICES"


@dataclass
class Services:
    """One app's settings, data store and cache (kept in the Flask app's config)."""

    settings: Settings
    store: DataStore
    cache: ResultCache
    code: str = ""  # fingerprint of the app's code: an upgrade never serves results cached by older code

    warmer: Any = None  # components.warm.Warmer: the usual views of a new version, computed in the background

    def dataset(self) -> Dataset:
        """The dataset being served now (a new version starts its warm-up)."""
        ds = self.store.get()
        if self.warmer is not None:
            self.warmer.check(ds)
        return ds

    def cached(self, name: str, ds: Dataset, parts: tuple[object, ...], compute: Callable[[], Any]) -> Any:
        """`compute()` through the cache, keyed by callback name, dataset version and normalised inputs.

        Results are stored as JSON text (never pickles) and returned as plain JSON-compatible objects.
        """
        key = "|".join([name, self.code, ds.version, *map(str, parts)])
        return orjson.loads(self.cache.get_or_compute(key, lambda: to_json_plotly(compute())))


def run_view(
    name: str,
    compute: Callable[[Dataset, View], Any],
    year: object,
    districts: object,
    config: object,
    extras: tuple[tuple[str, str], ...] = (),
) -> Any:
    """The body of every section callback: validate inputs, then compute through the cache.

    `compute(ds, view)` is a pure function of the dataset and the normalised view (`extras`: the section's
    control values); crafted inputs (strings, dicts, unknown codes, huge lists) are normalised by
    `resolve` and never reach it raw.
    """
    svc = services()
    ds = svc.dataset()
    cfg = config if isinstance(config, dict) else {}
    view = resolve(ds, year, districts, str(cfg.get("lang", "zh")), str(cfg.get("theme", "light")), extras)
    parts = (*view_key(view), *(f"{k}={v}" for k, v in extras))
    return svc.cached(name, ds, parts, lambda: compute(ds, view))


def services() -> Services:
    """The Services of the app handling the current request."""
    return flask.current_app.config[CONFIG_KEY]
