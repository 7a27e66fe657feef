"""The report as documents, with the real parts: kaleido on Debian's Chromium draws the charts, python-docx reads
the Word file back, LibreOffice Writer (headless) opens it as a reader would and converts it, poppler's
pdftotext/pdffonts read the product's own PDF, and the bureau's templates are made here with python-docx/pptx."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.shared import Pt
from pptx import Presentation

from components.core.state import View, resolve
from components.exports import docx_report, print_report
from components.exports.deck import build_pptx
from components.exports.render import ChartRenderer, ExportError
from components.exports.report import Report, build_report
from data.load import Dataset

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)")


def month(ds: Dataset, lang: str = "zh") -> View:
    return resolve(ds, 2012, [], lang, "light", (), "M11", "ytd")


@pytest.fixture(scope="module")
def renderer() -> Iterator[ChartRenderer]:
    with ChartRenderer(CHROMIUM) as r:
        yield r


@pytest.fixture(scope="module")
def zh_docx(sample: Dataset, renderer: ChartRenderer) -> tuple[bytes, Report]:
    view = month(sample)
    return docx_report.build_docx(sample, view, renderer=renderer), build_report(sample, view)


def table_text(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_word_report_reads_back_with_the_pages_numbers(zh_docx) -> None:
    body, report = zh_docx
    doc = docx.Document(io.BytesIO(body))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、总体情况", "二、主要指标", "三、目标考核", "四、图表", "五、说明"]
    title = next(p for p in doc.paragraphs if p.style.name == "Title")
    assert title.text == "宁波科技创新主要指标月报（2012年1–11月）"
    texts = [p.text for p in doc.paragraphs]
    assert report.summary[0] in texts
    kpis, scorecard = doc.tables
    assert table_text(kpis) == [report.kpis.columns, *report.kpis.rows]
    assert report.scorecard is not None
    assert table_text(scorecard) == [report.scorecard.columns, *report.scorecard.rows]
    assert kpis.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # the heading row repeats on every page
    assert len(doc.inline_shapes) == len(report.figures)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("图")]
    assert captions == [f.caption for f in report.figures]
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert section.header.paragraphs[0].text == report.title
    assert any(" PAGE " in "".join(p._p.itertext()) for p in section.footer.paragraphs)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail("LibreOffice Writer is missing: `make test` installs libreoffice-writer")
    return found


def test_libreoffice_opens_the_word_report(zh_docx, tmp_path: Path) -> None:
    """A real reader: LibreOffice converts the .docx to PDF without error, and the text holds the KPI values."""
    body, report = zh_docx
    src = tmp_path / "report.docx"
    src.write_bytes(body)
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    assert done.returncode == 0, done.stderr
    assert pdf.exists(), done.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for row in report.kpis.rows:
        assert row[1] in flat, row


def test_the_pdf_has_its_fonts_embedded_and_its_text_extractable(
    sample: Dataset, renderer: ChartRenderer, tmp_path: Path
) -> None:
    view = month(sample)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(print_report.build_pdf(sample, view, renderer=renderer))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # the 'emb' column
    text = "".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    report = build_report(sample, view)
    assert "".join(report.title.split()) in text
    for row in report.kpis.rows:
        assert row[1] in text, row
    assert "第1页共" in text  # the page numbers of the print stylesheet


def _template(path: Path, with_styles: bool = True) -> Path:
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "某某市科学技术局"
    doc.styles["Heading 1"].font.size = Pt(22)
    doc.styles["Heading 1"].font.name = "FangSong"
    doc.add_paragraph("公文首页：文号 甬科〔2012〕1号")
    doc.add_paragraph("{{report}}")
    doc.add_paragraph("this paragraph goes")
    if not with_styles:
        style = doc.styles["Caption"]
        style.element.getparent().remove(style.element)
    doc.save(str(path))
    return path


def test_the_bureaus_word_template_is_used(sample: Dataset, renderer: ChartRenderer, tmp_path: Path) -> None:
    body = docx_report.build_docx(
        sample, month(sample, "en"), renderer=renderer, template=_template(tmp_path / "t.docx")
    )
    doc = docx.Document(io.BytesIO(body))
    assert doc.sections[0].header.paragraphs[0].text == "某某市科学技术局"  # the template's header kept
    assert doc.styles["Heading 1"].font.size == Pt(22)
    assert doc.styles["Heading 1"].font.name == "FangSong"
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "公文首页：文号 甬科〔2012〕1号"  # its first page, up to the marker
    assert "{{report}}" not in texts
    assert "this paragraph goes" not in texts
    assert "1. Summary" in texts


def test_a_template_without_the_styles_is_refused_clearly(
    sample: Dataset, renderer: ChartRenderer, tmp_path: Path
) -> None:
    bad = _template(tmp_path / "bad.docx", with_styles=False)
    with pytest.raises(ExportError) as err:
        docx_report.build_docx(sample, month(sample), renderer=renderer, template=bad)
    assert "Caption" in err.value.message("en")
    (tmp_path / "junk.docx").write_bytes(b"not a zip")
    with pytest.raises(ExportError) as err:
        docx_report.build_docx(sample, month(sample), renderer=renderer, template=tmp_path / "junk.docx")
    assert "not a readable .docx" in err.value.message("en")


def test_the_bureaus_powerpoint_template_is_used(sample: Dataset, renderer: ChartRenderer, tmp_path: Path) -> None:
    tpl = Presentation()
    tpl.slide_layouts[0].name = "局封面"  # the bureau's names: found by their placeholders
    tpl.slide_layouts[5].name = "局标题页"
    tpl.slides.add_slide(tpl.slide_layouts[1])  # a slide of its own: not carried into the deck
    path = tmp_path / "t.pptx"
    tpl.save(str(path))
    deck = Presentation(io.BytesIO(build_pptx(sample, month(sample), renderer=renderer, template=path)))
    assert deck.slides[0].slide_layout.name == "局封面"
    assert {s.slide_layout.name for s in list(deck.slides)[1:]} == {"局标题页"}
    titles = [s.shapes.title.text_frame.text for s in deck.slides]
    assert titles[0].startswith("宁波")
    (tmp_path / "junk.pptx").write_bytes(b"nope")
    with pytest.raises(ExportError) as err:
        build_pptx(sample, month(sample), renderer=renderer, template=tmp_path / "junk.pptx")
    assert "not a readable .pptx" in err.value.message("en")
