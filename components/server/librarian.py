"""Import, publish, versions and rollback: the steps shared by `app.py import|versions|rollback` and the
upload page, and the command line's printing of them."""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from components.core.i18n import t
from components.server.preview import Preview, preview, preview_text
from components.server.settings import SAMPLE_DIR, Settings
from data.library.importing import ImportRefusedError, Limits, files_of, open_import, validate
from data.library.versions import Library, LibraryError, VersionInfo
from data.load import Dataset, DatasetError, load_dataset
from data.source import Source, content_digest


@dataclass(frozen=True)
class Staged:
    """An import validated and previewed: what publishing it would store, or why it cannot be."""

    label: str
    source_hash: str
    problems: tuple[str, ...]
    dataset: Dataset | None = None
    preview: Preview | None = None
    files: dict[str, bytes] | None = None

    @property
    def ok(self) -> bool:
        """Valid: it can be published."""
        return self.dataset is not None


def current(library: Library) -> Dataset | None:
    """The library's current version loaded, or None (no version yet, or one today's rules refuse)."""
    try:
        return load_dataset(library.source())
    except (LibraryError, DatasetError):
        return None


def stage(
    source: Source, label: str, source_hash: str, library: Library, lang: str, served: Dataset | None = None
) -> Staged:
    """Validate `source` like `app.py check` and preview it against the library's current version (`served`,
    when the caller already holds it loaded: the web app's store; else read from the library)."""
    ds, problems = validate(source)
    if ds is None:
        return Staged(label, source_hash, tuple(problems))
    before = served if served is not None and served.version == library.current() else current(library)
    return Staged(label, source_hash, (), ds, preview(before, ds, lang), files_of(source))


def file_hash(path: Path) -> str:
    """sha256 (12 hex) of a file offered for import; of its contract files for a directory."""
    if path.is_dir():
        return content_digest((p.name, p.read_bytes()) for p in path.iterdir() if p.is_file())
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def bytes_hash(files: list[tuple[str, bytes]]) -> str:
    """sha256 (12 hex) of uploaded files (names and bytes)."""
    return content_digest(files)


def library_of(settings: Settings) -> Library:
    """The settings' library, seeded with the sample (LibraryError when STI_DATA_DIR serves a directory)."""
    if settings.data_dir is not None:
        raise LibraryError(
            f"STI_DATA_DIR is set, so the app serves {settings.data_dir} read-only and has no library to change; "
            f"unset STI_DATA_DIR to use the data library ({settings.library_dir})"
        )
    library = Library(settings.library_dir)
    library.seed(SAMPLE_DIR)
    return library


def version_lines(library: Library) -> list[str]:
    """`app.py versions`: one line per version, newest first, the current one marked with *."""
    now = library.current()
    lines = [f"  {'version':<14}{'as of':<12}{'published':<27}{'by':<24}source / rows"]
    for v in reversed(library.versions()):
        rows = ", ".join(f"{k.removesuffix('.csv')} {n:,}" for k, n in v.rows.items())
        mark = "*" if v.hash == now else " "
        lines.append(f"{mark} {v.hash:<14}{v.as_of:<12}{v.published_at:<27}{v.user:<24}{v.source}")
        lines.append(f"  {'':<14}{rows}")
    return lines


def command(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """`app.py import|versions|rollback`: 0 done (published, previewed, listed, rolled back), 1 invalid or
    unknown, 2 when there is no library to change."""
    try:
        library = library_of(settings)
    except LibraryError as exc:
        out.write(f"error: {exc}\n")
        return 2
    if args.command == "versions":
        out.write("\n".join(version_lines(library)) + "\n")
        return 0
    if args.command == "rollback":
        try:
            version = library.find(args.version)
            info = library.rollback(version, user=args.user)
        except (LibraryError, DatasetError) as exc:
            out.write(f"error: {exc}\n")
            return 1
        out.write(f"current version: {info.hash} (as of {info.as_of}, published {info.published_at} by {info.user})\n")
        return 0
    return _import(args, settings, library, out)


def _import(args: argparse.Namespace, settings: Settings, library: Library, out: IO[str]) -> int:
    path: Path = args.source
    label = path.name or str(path)
    try:
        source = open_import(path, Limits.from_mb(settings.upload_max_mb))
        source_hash = file_hash(path)
    except (ImportRefusedError, OSError) as exc:
        out.write(f"INVALID  {exc}\n")
        if args.publish:
            library.record_refusal(label, "", 1, user=args.user)
        return 1
    staged = stage(source, label, source_hash, library, settings.lang)
    if not staged.ok:
        out.write(f"INVALID  {label}: {len(staged.problems)} problem(s)\n")
        out.write("\n".join(staged.problems) + "\n")
        if args.publish:
            library.record_refusal(label, source_hash, len(staged.problems), user=args.user)
        return 1
    assert staged.dataset is not None
    assert staged.preview is not None
    assert staged.files is not None
    out.write(f"VALID  {label}   as of {staged.dataset.meta['as_of']}\n")
    out.write(preview_text(staged.preview, settings.lang) + "\n")
    if not args.publish:
        out.write(t("import_preview_only", settings.lang) + "\n")
        return 0
    info = publish(library, staged, user=args.user)
    out.write(t("import_published", settings.lang, version=info.hash, seconds=settings.reload_seconds) + "\n")
    return 0


def publish(library: Library, staged: Staged, user: str | None = None) -> VersionInfo:
    """Publish a staged import (the same atomic write and pointer swap from every entry point)."""
    assert staged.files is not None
    return library.publish(staged.files, source=staged.label, source_hash=staged.source_hash, user=user)
