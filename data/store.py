"""The dataset being served: loaded once, reloaded when its files change, never lost to a bad update."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from data import schema
from data.load import Dataset, DatasetError, load_dataset

log = logging.getLogger(__name__)


def signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector: (name, mtime_ns, size) of every contract file present."""
    out = []
    for name in sorted([schema.META_FILE, *schema.TABLES_BY_FILE]):
        try:
            st = (root / name).stat()
        except OSError:
            continue
        out.append((name, st.st_mtime_ns, st.st_size))
    return tuple(out)


class DataStore:
    """Holds the served Dataset; `get()` picks up a changed directory at most every `recheck` seconds.

    A changed directory that fails validation leaves the current dataset in service and records the
    error in `last_error` (shown on /healthz and in the page), so bad input loses nothing.
    """

    def __init__(self, root: Path, recheck: float = 30.0) -> None:
        self.root = Path(root)
        self.recheck = recheck
        self._lock = threading.Lock()
        self._sig = signature(self.root)
        self._dataset = load_dataset(self.root)
        self._checked = time.monotonic()
        self.last_error: DatasetError | None = None

    def get(self) -> Dataset:
        """The dataset to serve now (reloading first if the files changed and the recheck is due)."""
        if time.monotonic() - self._checked >= self.recheck:
            self.refresh()
        return self._dataset

    def refresh(self) -> bool:
        """Reload if the files changed; True when a new version went into service."""
        with self._lock:
            self._checked = time.monotonic()
            sig = signature(self.root)
            if sig == self._sig:
                return False
            self._sig = sig
            try:
                ds = load_dataset(self.root)
            except DatasetError as exc:
                self.last_error = exc
                log.error("dataset update rejected, still serving %s:\n%s", self._dataset.version, exc.report())
                return False
            self.last_error = None
            changed = ds.version != self._dataset.version
            self._dataset = ds
            return changed
