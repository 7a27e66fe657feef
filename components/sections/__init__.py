"""The section registry: every section of the dashboard, in page order. Adding one is a module and a line.

Registering checks what a rendered page would otherwise find too late: unique keys, unique chart and block IDs
across sections, and strings in both languages that clash with no other. The generic section (其他指标) comes
last and shows what the others leave unshown, whichever are registered.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import overload

from components.core.i18n import STRINGS, add_strings, remove_strings
from components.sections import hightech, other, overview, patents, pipeline, plans, scorecard, seismic, services
from components.sections.base import Graph, Section, Slide
from data.load import Dataset


class RegistryError(ValueError):
    """A section that would clash with one registered already."""


class Registry(Sequence[Section]):
    """The sections in page order; iterate it like a tuple. `register` adds one (before the generic section)."""

    def __init__(self) -> None:
        self._sections: list[Section] = []

    def register(self, section: Section, before: str | None = other.KEY) -> Section:
        """Add `section` before the section `before` (the generic one by default; at the end when absent)."""
        self.check(section)
        add_strings(section.strings, section.key)
        keys = [s.key for s in self._sections]
        at = keys.index(before) if before in keys else len(keys)
        self._sections.insert(at, section)
        return section

    def unregister(self, key: str) -> None:
        """Take the section `key` out again, with its strings."""
        self._sections = [s for s in self._sections if s.key != key]
        remove_strings(key)

    @contextmanager
    def added(self, section: Section, before: str | None = other.KEY) -> Iterator[Section]:
        """`section` registered for the duration of a `with` block (tests, previews of a new section)."""
        self.register(section, before)
        try:
            yield section
        finally:
            self.unregister(section.key)

    def check(self, section: Section) -> None:
        """RegistryError when `section` clashes with a registered one or lacks its title string."""
        if any(s.key == section.key for s in self._sections):
            raise RegistryError(f"a section {section.key!r} is registered already")
        if section.key not in STRINGS and section.key not in section.strings:
            raise RegistryError(f"section {section.key!r}: no title string {section.key!r} (zh, en)")
        taken = {i: s.key for s in self._sections for i in static_ids(s)}
        mine = static_ids(section)
        twice = {i for i in mine if mine.count(i) > 1}
        if twice:
            raise RegistryError(f"section {section.key!r}: IDs used twice: {sorted(twice)}")
        clash = sorted(i for i in mine if i in taken)
        if clash:
            raise RegistryError(f"section {section.key!r}: IDs of section {taken[clash[0]]!r}: {clash}")
        names = {g.name for row in section.rows for g in row}
        unknown = sorted({n for row in section.slide_rows for n in row} - names)
        if unknown:
            raise RegistryError(f"section {section.key!r}: slide_rows name no chart: {unknown}")

    def __iter__(self) -> Iterator[Section]:
        return iter(tuple(self._sections))

    def __len__(self) -> int:
        return len(self._sections)

    @overload
    def __getitem__(self, index: int) -> Section: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Section, ...]: ...

    def __getitem__(self, index: int | slice) -> Section | tuple[Section, ...]:
        return tuple(self._sections)[index]


def static_ids(section: Section) -> list[str]:
    """The IDs a section declares whatever the data: its blocks' and its declared charts'."""
    return [b.id for b in section.blocks] + [g.id for row in section.rows for g in row]


SECTIONS = Registry()
for _module in (overview, patents, hightech, plans, pipeline, services, seismic, scorecard, other):
    SECTIONS.register(_module.SECTION, before=None)


def present(ds: Dataset) -> list[Section]:
    """The sections this dataset can show, in page order."""
    return [s for s in SECTIONS if s.present(ds)]


def tabbed(ds: Dataset) -> list[Section]:
    """The sections this dataset can show below the pinned overview, one at a time (the tabs), in order."""
    return [s for s in SECTIONS if not s.pinned and s.present(ds)]


def section(key: str) -> Section:
    """The registered section `key` (KeyError when unknown)."""
    for s in SECTIONS:
        if s.key == key:
            return s
    raise KeyError(key)


def slides(ds: Dataset) -> list[Slide]:
    """Every slide of presentation mode and the PPTX for this dataset, in order."""
    return [slide for s in SECTIONS for slide in s.slides(ds)]


def graphs(ds: Dataset) -> list[tuple[Section, Graph]]:
    """Every chart on this dataset's page with its section."""
    return [(s, g) for s in present(ds) for g in s.graphs(ds)]


def graph_ids() -> list[str]:
    """Every chart ID the registered sections declare whatever the data (the generic section's per-indicator
    charts are named by `Section.graph_id` from the indicator)."""
    return [g.id for s in SECTIONS for row in s.rows for g in row]


def support(ds: Dataset) -> str:
    """What the dataset supports, for `app.py check`: 'sections: 总览 ✓  专利 ✓ (no type breakdown)  …'."""
    parts = []
    for s in SECTIONS:
        why = s.absent_because(ds)
        if why:
            parts.append(f"{s.title('zh')} – ({', '.join(why)})")
            continue
        counts = [n for n in s.notes(ds) if n.startswith("(")]
        remarks = [n for n in s.notes(ds) if not n.startswith("(")]
        parts.append(" ".join([f"{s.title('zh')} ✓", *counts, *([f"({'; '.join(remarks)})"] if remarks else [])]))
    return "sections: " + "  ".join(parts)
