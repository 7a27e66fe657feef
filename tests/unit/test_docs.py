"""The docs stay true: docs/sections.md is the section registry's table, and every relative link resolves.

docs/sections.md holds two generated tables (between `<!-- generated: … -->` markers): the sections and
the stable chart IDs, built here from the registry over the sample and the datasets of other shapes in
tests/fixtures. When a section or chart is added, removed or renamed, regenerate them with

    STI_WRITE_DOCS=1 .venv/bin/python -m pytest tests/unit/test_docs.py

(which rewrites the generated parts of docs/sections.md in place) and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from components.core.i18n import axis_unit
from components.sections import SECTIONS
from components.sections.base import Graph
from components.server.settings import ROOT, SAMPLE_DIR
from data import aggregate as agg
from data.load import Dataset, load_dataset

DOC = ROOT / "docs" / "sections.md"
FIXTURES = ROOT / "tests" / "fixtures"
REGENERATE = "STI_WRITE_DOCS=1 .venv/bin/python -m pytest tests/unit/test_docs.py"
BEGIN = "<!-- generated: {name} (tests/unit/test_docs.py) -->"
END = "<!-- end generated: {name} -->"

Row = tuple[str, ...]


@pytest.fixture(scope="module")
def datasets() -> dict[str, Dataset]:
    """The sample first, then every dataset of another shape in tests/fixtures, by name."""
    dirs = [SAMPLE_DIR, *sorted(p for p in FIXTURES.iterdir() if (p / "dataset.json").is_file())]
    return {("sample" if d == SAMPLE_DIR else d.name): load_dataset(d) for d in dirs}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _pattern(ds: Dataset, graph: Graph, lang: str) -> tuple[str, str]:
    """A per-indicator chart's ID and title with the indicator, its name and its unit as placeholders."""
    indicator = graph.indicator
    title = graph.title_text(ds, lang)
    info = agg.indicator_info(ds, indicator)
    name = str(info.get(f"name_{lang}") or "")
    units = {axis_unit(info, lang)[1], str(info.get(f"unit_{lang}") or "")} - {""}
    if name:
        title = title.replace(name, "{指标名称}" if lang == "zh" else "{indicator name}")
    for unit in sorted(units, key=len, reverse=True):
        title = title.replace(unit, "{单位}" if lang == "zh" else "{unit}")
    return graph.id.replace(indicator, "<indicator>"), title


def expected(datasets: dict[str, Dataset]) -> tuple[list[Row], list[Row]]:
    """(the sections table, the chart-ID table) as the registry makes them, in page order.

    A section's row names the datasets (of the sample and the fixtures) that show it. A chart's titles are those
    of the first dataset that draws it; a chart built per indicator (the generic section's) is one row with
    `<indicator>` in its ID.
    """
    sections: list[Row] = []
    charts: dict[str, Row] = {}
    for section in SECTIONS:
        shown = [name for name, ds in datasets.items() if section.present(ds)]
        sections.append((f"`{section.key}`", section.title("zh"), section.title("en"), ", ".join(shown) or "—"))
        for ds in datasets.values():
            if not section.present(ds):
                continue
            for graph in section.graphs(ds):
                if graph.indicator:
                    chart_id, zh = _pattern(ds, graph, "zh")
                    en = _pattern(ds, graph, "en")[1]
                else:
                    chart_id, zh, en = graph.id, graph.title_text(ds, "zh"), graph.title_text(ds, "en")
                charts.setdefault(chart_id, (f"`{section.key}`", f"`{chart_id}`", zh, en))
    return [tuple(_cell(c) for c in r) for r in sections], [tuple(_cell(c) for c in r) for r in charts.values()]


HEADERS = {
    "sections": ("key", "中文", "English", "shown for (sample and tests/fixtures)"),
    "charts": ("section", "chart id", "title (zh)", "title (en)"),
}


def render(name: str, rows: list[Row]) -> str:
    """A generated block: the markers around a markdown table."""
    head = HEADERS[name]
    lines = [
        BEGIN.format(name=name),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        END.format(name=name),
    ]
    return "\n".join(lines)


def block(text: str, name: str) -> str | None:
    """The generated block `name` of the document, markers included (None when it has none)."""
    match = re.search(re.escape(BEGIN.format(name=name)) + r".*?" + re.escape(END.format(name=name)), text, re.S)
    return match.group(0) if match else None


def parse(table: str) -> list[Row]:
    """The body rows of the markdown table in `table` (the header and the rule left out)."""
    rows = []
    for line in table.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = tuple(c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|")))
        if all(set(c) <= set("-: ") for c in cells):
            continue
        rows.append(cells)
    return rows[1:]  # the header


def test_sections_doc_is_the_registry(datasets: dict[str, Dataset]) -> None:
    """docs/sections.md lists exactly the registry's sections and chart IDs (stable chart IDs are a contract)."""
    sections, charts = expected(datasets)
    wanted = {"sections": sections, "charts": charts}
    text = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    if os.environ.get("STI_WRITE_DOCS") == "1":
        for name, rows in wanted.items():
            old = block(text, name)
            assert old is not None, f"{DOC} has no generated block {name!r}: add its two markers by hand"
            text = text.replace(old, render(name, rows))
        DOC.write_text(text, encoding="utf-8")
    for name, rows in wanted.items():
        found = block(text, name)
        assert found is not None, f"{DOC} lacks the generated {name} table; add the markers and run: {REGENERATE}"
        got = parse(found)
        assert got == rows, (
            f"docs/sections.md's {name} table is not the registry's.\n"
            f"  missing or different: {[r for r in rows if r not in got]}\n"
            f"  stale: {[r for r in got if r not in rows]}\n"
            f"Regenerate it with: {REGENERATE}"
        )


def test_generic_section_is_a_pattern(datasets: dict[str, Dataset]) -> None:
    """The generic section's charts are one row per kind of chart, not one per indicator of some dataset."""
    _, charts = expected(datasets)
    generic = [row[1] for row in charts if "<indicator>" in row[1]]
    assert generic, "no per-indicator chart found: the fixtures should have an indicator of their own"
    assert len(generic) == len(set(generic))


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", _docs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    """Every relative link and image in README.md and docs/*.md names a file or directory that exists."""
    text = re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.S)  # code is not links
    broken = []
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL (http:, mailto:) or an anchor in the same page
        path = target.split("#", 1)[0]
        if not (doc.parent / path).exists():
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)}: links to missing files: {broken}"
