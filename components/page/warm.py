"""Prewarming: the usual views of a new dataset version computed in the background, so a person's first
look at them is served from the cache (every year, for the whole city and for each district alone).

One worker of all those sharing the cache does it (a flag in the cache, per code fingerprint and version).
"""

from __future__ import annotations

import logging
import threading
import time

from components.core.state import View, from_query
from components.page.callbacks import full
from components.sections import SECTIONS
from components.server.services import Services
from data.load import Dataset

log = logging.getLogger(__name__)
FLAG_SECONDS = 3600  # a worker that died while warming leaves the flag to expire


def views(ds: Dataset, lang: str) -> list[View]:
    """The view a dataset opens on first (a year still running: its latest period), then every year, for the
    whole city and for each district on its own, newest first."""
    first = from_query(ds, "", lang)
    whole = [View(y, d, lang) for y in reversed(ds.years) for d in [(), *((c,) for c in ds.district_codes)]]
    return ([] if first in whole else [first]) + whole


def warm(svc: Services, ds: Dataset) -> int:
    """Compute every present section for the usual views through the cache; the number of views."""
    done = 0
    for view in views(ds, svc.settings.lang):
        for section in SECTIONS:
            if section.present(ds):
                full(svc, section, ds, view)
        done += 1
    return done


class Warmer:
    """Starts one background warm-up per dataset version (when the settings ask for it)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._lock = threading.Lock()
        self._version: str | None = None
        self.running = False

    def check(self, ds: Dataset) -> None:
        """Called with the dataset being served: warm a version not warmed yet (once, in the background)."""
        if not self.svc.settings.prewarm or ds.version == self._version:
            return
        with self._lock:
            if ds.version == self._version:
                return
            self._version = ds.version
        if not self.svc.cache.claim(self._flag(ds), FLAG_SECONDS):
            return  # another worker sharing the cache is warming (or warmed) this version
        self.running = True
        threading.Thread(target=self._run, args=(ds,), name="prewarm", daemon=True).start()

    def _flag(self, ds: Dataset, part: str = "") -> str:
        return f"warm|{self.svc.code}|{ds.version}{part}"

    def warming(self, ds: Dataset) -> bool:
        """Whether any worker sharing the cache is still warming `ds`'s version."""
        return self._flag(ds) in self.svc.cache and self._flag(ds, "|done") not in self.svc.cache

    def _run(self, ds: Dataset) -> None:
        began = time.perf_counter()
        try:
            n = warm(self.svc, ds)
            self.svc.cache.claim(self._flag(ds, "|done"), FLAG_SECONDS)
            log.info("prewarmed %d views of version %s in %.1f s", n, ds.version, time.perf_counter() - began)
        except Exception:  # a failed warm-up costs speed, never service
            log.exception("prewarming version %s failed", ds.version)
        finally:
            self.running = False
