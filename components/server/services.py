"""What callbacks need from the running app (settings, served dataset, result cache), found per request."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask
import numpy as np
import orjson

from components.server.cache import Cache
from components.server.settings import Settings
from data.library.store import DataStore
from data.load import Dataset

CONFIG_KEY = "STI_SERVICES"
VERSION_HEADER = "X-STI-Version"  # the dataset version a page was rendered for, on each of its callback requests
RELOAD_HEADER = "X-STI-Reload"  # on a 409 answer: the page's version is no longer served, reload the whole page
PINNED = "sti_dataset"
CACHE_HEADER = "X-STI-Cache"  # on callback answers: hit (served from the shared cache) or miss (computed here)
CACHE_SEEN = "sti_cache"


def _plain(o: Any) -> Any:
    """What orjson cannot write itself: a component (its JSON form), a NumPy scalar, an object or strided
    NumPy array, a pandas Timestamp."""
    if hasattr(o, "to_plotly_json"):
        return o.to_plotly_json()
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    raise TypeError(f"cannot write {type(o).__name__} as JSON")


def to_json(obj: Any) -> str:
    """A callback result (components, figures, NumPy arrays) as JSON text: the same document plotly's
    `to_json_plotly` writes (NaN and inf as null), in well under half the time, because orjson walks the tree
    itself instead of a Python pass cleaning every node first (tests/unit/test_serialise.py)."""
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(obj, default=_plain, option=option).decode()


@dataclass
class Services:
    """One app's settings, data store and cache (kept in the Flask app's config)."""

    settings: Settings
    store: DataStore
    cache: Cache
    code: str = ""  # fingerprint of the app's code: an upgrade never serves results cached by older code

    warmer: Any = None  # components.page.warm.Warmer: the usual views of a new version, computed in the background
    library: Any = None  # data.library.versions.Library when serving the data library; None for a read-only directory
    hits: int = 0  # this process's cached() calls answered from the cache, and those that computed
    misses: int = 0
    _count_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def dataset(self) -> Dataset:
        """The dataset this request is answered from: the version the page was rendered for when the request
        named it (`pin_request`), else the one being served now (a new version starts its warm-up)."""
        pinned = flask.g.get(PINNED) if flask.has_request_context() else None
        if pinned is not None:
            return pinned
        ds = self.store.get()
        if self.warmer is not None:
            self.warmer.check(ds)
        return ds

    def cached(self, name: str, ds: Dataset, parts: tuple[object, ...], compute: Callable[[], Any]) -> Any:
        """`compute()` through the cache, keyed by callback name, dataset version and normalised inputs.

        Results are stored as JSON text (never pickles) and returned as plain JSON-compatible objects.
        """
        key = "|".join([name, self.code, ds.version, *map(str, parts)])
        ran = False

        def run() -> str:
            nonlocal ran
            ran = True
            return to_json(compute())

        text = self.cache.get_or_compute(key, run)
        self._count(ran)
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # a damaged entry (a shared store someone else wrote to): computed afresh
            return orjson.loads(run())

    def _count(self, computed: bool) -> None:
        """Count one cached() call; a request that computed anything is a miss (`cache_header`)."""
        with self._count_lock:
            if computed:
                self.misses += 1
            else:
                self.hits += 1
        if flask.has_request_context():
            flask.g.setdefault(CACHE_SEEN, set()).add("miss" if computed else "hit")

    def cache_counts(self) -> dict[str, int]:
        """This process's hits and misses so far (for /healthz)."""
        with self._count_lock:
            return {"hits": self.hits, "misses": self.misses}


def dataset_for(svc: Services, asked: str) -> Dataset:
    """The dataset served now, after re-checking the library's pointer when the request asked for another
    version (this process may lag behind the one that rendered the page)."""
    ds = svc.dataset()
    if asked and asked != ds.version:
        svc.store.refresh()
        ds = svc.dataset()
    return ds


def pin_request(svc: Services) -> flask.Response | None:
    """Answer one request from one dataset version (before_request hook).

    A callback request names the version its page was rendered for. When this process serves another
    version it first checks the library's pointer (it may lag behind another worker); if the page's version
    is still not the one served, the answer is 409 with `RELOAD_HEADER`, and the page reloads as a whole, so
    no page ever shows numbers of two versions. A page load checks the pointer too, so a new page gets the
    newest version at once.
    """
    path = flask.request.path
    if path.endswith("/_dash-update-component"):
        asked = flask.request.headers.get(VERSION_HEADER, "").strip()
        ds = dataset_for(svc, asked)
        if asked and asked != ds.version:
            resp = flask.jsonify({"reload": True, "version": ds.version})
            resp.status_code = 409
            resp.headers[RELOAD_HEADER] = "1"
            return resp
        flask.g.setdefault(PINNED, ds)
    elif path.endswith("/_dash-layout"):
        svc.store.refresh()
        flask.g.setdefault(PINNED, svc.dataset())
    return None


def cache_header(resp: flask.Response) -> flask.Response:
    """`X-STI-Cache: hit|miss` on an answer that went through `Services.cached` (after_request hook): miss
    when anything was computed for it, hit when everything came from the cache."""
    seen = flask.g.get(CACHE_SEEN)
    if seen:
        resp.headers[CACHE_HEADER] = "miss" if "miss" in seen else "hit"
    return resp


def services() -> Services:
    """The Services of the app handling the current request."""
    return flask.current_app.config[CONFIG_KEY]


FINGERPRINTED = ("components/**/*.py", "data/**/*.py", "assets/**/*")


def code_fingerprint(root: Path) -> str:
    """A hash of the code and library versions that shape cached results (part of every cache key): every
    module under components/ and data/, at any depth, and every file under assets/, by path and content."""
    import dash
    import plotly

    h = hashlib.sha256(f"{dash.__version__}|{plotly.__version__}".encode())
    files = {p for pattern in FINGERPRINTED for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
    for path in sorted(files):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:10]
