"""The dataset being served: loaded once, reloaded when its source changes, never lost to a bad update."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable
from dataclasses import replace
from pathlib import Path

from data.load import Dataset, DatasetError, as_source, load_dataset
from data.rules import DEFAULT_THRESHOLDS, Thresholds
from data.source import Source

log = logging.getLogger(__name__)


class DataStore:
    """Holds the served Dataset; `get()` picks up a changed source at most every `recheck` seconds.

    A changed source that fails validation leaves the current dataset in service and records the
    error in `last_error` (shown on /healthz and in the page), so bad input loses nothing.
    """

    def __init__(
        self, source: Source | str | Path, recheck: float = 30.0, thresholds: Thresholds = DEFAULT_THRESHOLDS
    ) -> None:
        self.source = as_source(source)
        self.recheck = recheck
        self.thresholds = thresholds
        self._lock = threading.Lock()
        self._sig: Hashable = self.source.signature()
        self._dataset = self._load()
        self._checked = time.monotonic()
        self.last_error: DatasetError | None = None

    def _fresh(self) -> Source:
        fresh = getattr(self.source, "fresh", None)
        return fresh() if callable(fresh) else self.source

    def _load(self) -> Dataset:
        """The source's dataset, judged by this app's status thresholds."""
        return replace(load_dataset(self._fresh()), thresholds=self.thresholds)

    def get(self) -> Dataset:
        """The dataset to serve now (reloading first if the source changed and the recheck is due)."""
        if time.monotonic() - self._checked >= self.recheck:
            self.refresh()
        return self._dataset

    def refresh(self) -> bool:
        """Reload if the source changed; True when a new version went into service."""
        with self._lock:
            self._checked = time.monotonic()
            sig = self.source.signature()
            if sig == self._sig:
                return False
            self._sig = sig
            try:
                ds = self._load()
            except DatasetError as exc:
                self.last_error = exc
                log.error("dataset update rejected, still serving %s:\n%s", self._dataset.version, exc.report())
                return False
            self.last_error = None
            changed = ds.version != self._dataset.version
            self._dataset = ds
            return changed
