"""The section registry: every section of the dashboard, in page order (adding one is a module and a line).

The generic section (其他指标) comes last and is built from the others: it shows what they leave unshown.
"""

from __future__ import annotations

from components.sections import hightech, other, overview, patents, pipeline, plans, scorecard, seismic
from components.sections.base import Graph, Section, Slide
from data.load import Dataset

BUILTIN: tuple[Section, ...] = (
    overview.SECTION,
    patents.SECTION,
    hightech.SECTION,
    plans.SECTION,
    pipeline.SECTION,
    seismic.SECTION,
    scorecard.SECTION,
)
SECTIONS: tuple[Section, ...] = (*BUILTIN, other.make(BUILTIN))


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
