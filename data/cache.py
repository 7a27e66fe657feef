"""One result cache (diskcache) in a private directory; values are strings, never pickles.

diskcache pickles anything that is not str/bytes/int/float, and a pickle in a writable cache
directory runs code on load (CVE-2025-69872). We store JSON text only and keep the directory 0700.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import diskcache

SIZE_LIMIT = 512 * 2**20


def private_dir(path: Path) -> Path:
    """Create `path` (0700) or check an existing one is a directory owned by us and not group/other writable."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if not stat.S_ISDIR(st.st_mode):
        raise ValueError(f"cache directory {path} is not a directory")
    if st.st_uid != os.getuid():
        raise ValueError(f"cache directory {path} is owned by uid {st.st_uid}, not by this user ({os.getuid()})")
    if st.st_mode & 0o077:
        path.chmod(0o700)
    return path


class ResultCache:
    """Text results keyed by strings that include the dataset version (a new dataset never hits old entries)."""

    def __init__(self, directory: Path) -> None:
        self.directory = private_dir(Path(directory))
        self._cache = diskcache.Cache(str(self.directory), size_limit=SIZE_LIMIT, disk_min_file_size=2**20)
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: str, compute: Callable[[], str]) -> str:
        """The cached text for `key`, computing and storing it on a miss."""
        found = self._cache.get(key)
        if isinstance(found, str):
            self.hits += 1
            return found
        self.misses += 1
        text = compute()
        if not isinstance(text, str):
            raise TypeError("ResultCache stores text only")
        self._cache.set(key, text)
        return text

    def claim(self, key: str, seconds: float) -> bool:
        """True for the one caller (of all processes sharing the directory) that sets `key` first."""
        return bool(self._cache.add(key, "1", expire=seconds))

    def __contains__(self, key: str) -> bool:
        return key in self._cache

    def clear(self) -> None:
        """Drop every entry."""
        self._cache.clear()

    def close(self) -> None:
        """Close the underlying database."""
        self._cache.close()
