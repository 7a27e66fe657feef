"""The bad-import corpus: every kind of damage, as CSV files (a directory or a zip) and as an XLSX workbook,
plus unsafe archives and oversized uploads. Each goes through `app.py import --publish` for real and must
exit 1 with a message naming the file or sheet, the row and the column, and leave the served version (the
library's pointer and its versions) exactly as it was."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from workbook import sheets_of, write_workbook

from components.server.cli import main as cli_main
from components.server.settings import SAMPLE_DIR
from data.library.versions import Library


def _csv_edit(file: str, fn: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    """Edit one CSV file of a copied dataset line by line (lines without their line ends)."""

    def apply(root: Path) -> None:
        path = root / file
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(fn(lines)) + "\n", encoding="utf-8")

    return apply


def _set(lines: list[str], row: int, col: int, value: str) -> list[str]:
    cells = lines[row - 1].split(",")
    cells[col] = value
    lines[row - 1] = ",".join(cells)
    return lines


def _sheet_edit(sheet: str, fn: Callable[[list[list[object]]], None]) -> Callable[[dict], None]:
    def apply(sheets: dict) -> None:
        fn(sheets[sheet])

    return apply


def _cell(row: int, col: int, value: object) -> Callable[[list[list[object]]], None]:
    def apply(rows: list[list[object]]) -> None:
        rows[row - 1][col] = value

    return apply


@dataclass(frozen=True)
class Damage:
    """One kind of damage, done to the CSV form and to the workbook form, and the message each must give."""

    name: str
    csv: Callable[[Path], None] | None
    xlsx: Callable[[dict], None] | None
    csv_message: str
    xlsx_message: str


def _drop_file(name: str) -> Callable[[Path], None]:
    return lambda root: (root / name).unlink()


def _drop_sheet(name: str) -> Callable[[dict], None]:
    return lambda sheets: sheets.pop(name)


def _rename_header(old: str, new: str) -> Callable[[list[str]], list[str]]:
    def fn(lines: list[str]) -> list[str]:
        lines[0] = ",".join(new if h == old else h for h in lines[0].split(","))
        return lines

    return fn


def _rename_sheet_header(old: str, new: str) -> Callable[[list[list[object]]], None]:
    def fn(rows: list[list[object]]) -> None:
        rows[0] = [new if h == old else h for h in rows[0]]

    return fn


def _meta_field(field: str, value: object) -> Callable[[list[list[object]]], None]:
    def fn(rows: list[list[object]]) -> None:
        for r in rows:
            if r[0] == field:
                r[1] = value

    return fn


def _json_edit(fn: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / "dataset.json"
        path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")

    return apply


# observations.csv of the sample: indicator,district,year,value; row 2 is patent_applications,330203,2008,1140
DAMAGE = [
    Damage(
        "missing required table",
        _drop_file("observations.csv"),
        _drop_sheet("observations"),
        "observations.csv: file is missing (expected columns: indicator, district, year, value)",
        "upload.xlsx › sheet observations: sheet is missing (expected columns: indicator, district, year, value)",
    ),
    Damage(
        "column missing from header",
        _csv_edit("observations.csv", _rename_header("value", "amount")),
        _sheet_edit("observations", _rename_sheet_header("value", "amount")),
        "observations.csv:1 column 'value': column is missing from the header",
        "sheet observations, row 1, column 'value': column is missing from the header",
    ),
    Damage(
        "not a number",
        _csv_edit("observations.csv", lambda ls: _set(ls, 5, 3, "12x")),
        _sheet_edit("observations", _cell(5, 3, "12x")),
        "observations.csv:5 column 'value': '12x' is not a number",
        "sheet observations!D5, row 5, column 'value': '12x' is not a number",
    ),
    Damage(
        "bad district code",
        _csv_edit("districts.csv", lambda ls: _set(ls, 3, 0, "33A204")),
        _sheet_edit("districts", _cell(3, 0, "33A204")),
        "districts.csv:3 column 'code': '33A204' is not a 6-digit GB/T 2260 code",
        "sheet districts!A3, row 3, column 'code': '33A204' is not a 6-digit GB/T 2260 code",
    ),
    Damage(
        "unknown district referenced",
        _csv_edit("observations.csv", lambda ls: _set(ls, 4, 1, "339999")),
        _sheet_edit("observations", _cell(4, 1, 339999)),
        "observations.csv:4 column 'district': '339999'",
        "sheet observations!B4, row 4, column 'district': '339999'",
    ),
    Damage(
        "duplicate key",
        _csv_edit("observations.csv", lambda ls: [*ls, ls[1]]),
        _sheet_edit("observations", lambda rows: rows.append(list(rows[1]))),
        "column 'year': duplicate key (indicator=patent_applications, district=330203, year=2008); first on line 2",
        "column 'year': duplicate key (indicator=patent_applications, district=330203, year=2008); first on line 2",
    ),
    Damage(
        "implausible year",
        _csv_edit("observations.csv", lambda ls: _set(ls, 6, 2, "1850")),
        _sheet_edit("observations", _cell(6, 2, 1850)),
        "observations.csv:6 column 'year': 1850 is outside the plausible range",
        "sheet observations!C6, row 6, column 'year': 1850 is outside the plausible range",
    ),
    Damage(
        "empty required value",
        _csv_edit("indicators.csv", lambda ls: _set(ls, 2, 2, "")),
        _sheet_edit("indicators", _cell(2, 2, None)),
        "indicators.csv:2 column 'name_zh': is empty (a value is required)",
        "sheet indicators!C2, row 2, column 'name_zh': is empty (a value is required)",
    ),
    Damage(
        "metadata field missing",
        _json_edit(lambda text: text.replace('"city_code": "330200",', "")),
        lambda sheets: sheets.__setitem__("dataset", [r for r in sheets["dataset"] if r[0] != "city_code"]),
        "dataset.json",
        "sheet dataset",
    ),
    Damage(
        "metadata not valid",
        _json_edit(lambda text: text[:-3]),
        _sheet_edit("dataset", _meta_field("plans", "[{broken")),
        "dataset.json: is not valid JSON",
        "sheet dataset",
    ),
    Damage(
        "stations without their outages",
        _drop_file("seismic_outages.csv"),
        _drop_sheet("seismic_outages"),
        "seismic_outages.csv: file is missing (seismic_stations.csv needs it: the two come together)",
        "sheet seismic_outages: sheet is missing (seismic_stations needs it: the two come together)",
    ),
    Damage(
        "unknown enum value",
        _csv_edit("seismic_stations.csv", lambda ls: _set(ls, 2, 4, "radar")),
        _sheet_edit("seismic_stations", _cell(2, 4, "radar")),
        "seismic_stations.csv:2 column 'kind': 'radar' is not one of",
        "sheet seismic_stations!E2, row 2, column 'kind': 'radar' is not one of",
    ),
    Damage(
        "header only",
        _csv_edit("observations.csv", lambda ls: ls[:1]),
        _sheet_edit("observations", lambda rows: rows.__delitem__(slice(1, None))),
        "observations.csv: file has a header but no data rows",
        "sheet observations: sheet has a header but no data rows",
    ),
]


_BASE: list[Path] = []  # the corpus's starting point, made once per module (the `base` fixture)


def _copy_dataset(root: Path) -> Path:
    dest = root / "dataset"
    shutil.copytree(_BASE[0], dest)
    return dest


def _zip_dir(src: Path, dest: Path, folder: str = "dataset") -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src.iterdir()):
            zf.write(p, f"{folder}/{p.name}")
    return dest


Build = Callable[[Path], Path]


def _csv_case(d: Damage, as_zip: bool) -> Build:
    def build(root: Path) -> Path:
        ds = _copy_dataset(root)
        assert d.csv is not None
        d.csv(ds)
        return _zip_dir(ds, root / "upload.zip") if as_zip else ds

    return build


def _xlsx_case(d: Damage) -> Build:
    def build(root: Path) -> Path:
        sheets = sheets_of(_BASE[0])
        assert d.xlsx is not None
        d.xlsx(sheets)
        return write_workbook(sheets, root / "upload.xlsx")

    return build


def _raw(name: str, data: bytes) -> Build:
    def build(root: Path) -> Path:
        path = root / name
        path.write_bytes(data)
        return path

    return build


def _evil_zip(root: Path) -> Path:
    ds = _copy_dataset(root)
    path = _zip_dir(ds, root / "upload.zip")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("../../outside.csv", "a,b\n1,2\n")
    return path


def _absolute_zip(root: Path) -> Path:
    path = root / "upload.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("/etc/cron.d/evil", "x")
    return path


def _symlink_zip(root: Path) -> Path:
    path = root / "upload.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("dataset/observations.csv")
        info.external_attr = 0o120777 << 16  # a symbolic link
        zf.writestr(info, "/etc/passwd")
    return path


def _bomb_zip(root: Path) -> Path:
    path = root / "upload.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("dataset/observations.csv", b"0" * (64 * 1024 * 1024))
    return path


def _bomb_xlsx(root: Path) -> Path:
    path = root / "upload.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (64 * 1024 * 1024))
    return path


def _no_meta_zip(root: Path) -> Path:
    ds = _copy_dataset(root)
    (ds / "dataset.json").unlink()
    return _zip_dir(ds, root / "upload.zip")


def _formula_xlsx(root: Path) -> Path:
    sheets = sheets_of(_BASE[0])
    sheets["observations"][7][3] = "=SUM(D2:D7)"
    return write_workbook(sheets, root / "upload.xlsx")


def _utf16_csv(root: Path) -> Path:
    ds = _copy_dataset(root)
    text = (ds / "districts.csv").read_text(encoding="utf-8")
    (ds / "districts.csv").write_bytes(text.encode("utf-16"))
    return ds


def _runaway_quote(root: Path) -> Path:
    ds = _copy_dataset(root)
    _csv_edit("indicators.csv", lambda ls: _set(ls, 8, 2, '"专利申请量副省级城市排名'))(ds)
    return ds


def _big_upload(root: Path) -> Path:
    ds = _copy_dataset(root)
    path = _zip_dir(ds, root / "upload.zip")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("dataset/padding.bin", bytes(range(256)) * (6 * 1024 * 4))  # 6 MiB, stored: over the 5 MiB limit
    return path


def _empty_sheet(root: Path) -> Path:
    sheets = sheets_of(_BASE[0])
    sheets["districts"] = []
    return write_workbook(sheets, root / "upload.xlsx")


CASES: list[tuple[str, Build, str]] = []
for _d in DAMAGE:
    CASES.append((f"csv: {_d.name}", _csv_case(_d, as_zip=False), _d.csv_message))
    CASES.append((f"zip: {_d.name}", _csv_case(_d, as_zip=True), _d.csv_message))
    CASES.append((f"xlsx: {_d.name}", _xlsx_case(_d), _d.xlsx_message))
CASES += [
    ("csv: UTF-16 file", _utf16_csv, "districts.csv: file is UTF-16 encoded; save it as UTF-8"),
    (
        "csv: quote running over lines",
        _runaway_quote,
        "indicators.csv:8 column 'name_zh': a quoted field runs over lines",
    ),
    ("zip: entry outside the archive", _evil_zip, "upload.zip: entry '../../outside.csv' points outside the archive"),
    ("zip: absolute path", _absolute_zip, "upload.zip: entry '/etc/cron.d/evil' points outside the archive"),
    ("zip: symbolic link", _symlink_zip, "upload.zip: entry 'dataset/observations.csv' is a symbolic link"),
    ("zip: bomb", _bomb_zip, "upload.zip: unpacks to more than 50.0 MiB (a zip bomb?)"),
    ("xlsx: bomb", _bomb_xlsx, "upload.xlsx: unpacks to more than 50.0 MiB (a zip bomb?)"),
    ("zip: no dataset.json", _no_meta_zip, "dataset.json: file is missing"),
    (
        "zip: not a zip",
        _raw("upload.zip", b"PK\x03\x04 this is not really a zip"),
        "upload.zip: not a readable zip archive",
    ),
    (
        "xlsx: formula",
        _formula_xlsx,
        "sheet observations!D8, row 8, column 'value': cell D8 holds a formula (=SUM(D2:D7))",
    ),
    (
        "xlsx: damaged file",
        _raw("upload.xlsx", b"\xd0\xcf\x11\xe0 not a workbook"),
        "upload.xlsx: not a readable Excel workbook",
    ),
    ("xlsx: empty sheet", _empty_sheet, "sheet districts: sheet is empty (expected a header row)"),
    (
        "xls: old Excel format",
        _raw("upload.xls", b"\xd0\xcf\x11\xe0"),
        "upload.xls: the old Excel format (.xls) is not read",
    ),
    (
        "other: not a dataset file",
        _raw("notes.txt", b"hello"),
        "notes.txt: expected a dataset folder, a .zip of one or an .xlsx",
    ),
    ("other: oversized upload", _big_upload, "upload.zip: 6.0 MiB is more than the limit of 5.0 MiB"),
    ("other: no such path", lambda root: root / "missing.zip", "missing.zip: no such file or directory"),
]


@pytest.fixture(scope="module", autouse=True)
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with its enterprise registry cut to 300 rows (still valid): every damage kind the sample
    has, at a tenth of the workbook-building time."""
    dest = tmp_path_factory.mktemp("base") / "sample"
    shutil.copytree(SAMPLE_DIR, dest)
    lines = (dest / "enterprises.csv").read_text(encoding="utf-8").splitlines()
    (dest / "enterprises.csv").write_text("\n".join(lines[:301]) + "\n", encoding="utf-8")
    _BASE[:] = [dest]
    return dest


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    lib = Library(tmp_path_factory.mktemp("library"))
    lib.seed(SAMPLE_DIR)
    return lib


def test_the_corpus_is_large_enough() -> None:
    """The issue asks for at least 25 bad imports; each damage kind comes as CSV, zip and XLSX."""
    assert len(CASES) >= 25
    assert {c[0].split(":")[0] for c in CASES} >= {"csv", "zip", "xlsx"}


@pytest.mark.parametrize(("build", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_import_is_refused_by_name_and_changes_nothing(
    build: Build, message: str, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("STI_LIBRARY_DIR", str(library.root))
    monkeypatch.setenv("STI_UPLOAD_MAX_MB", "5")
    monkeypatch.delenv("STI_DATA_DIR", raising=False)
    before = (library.current(), [v.hash for v in library.versions()], (library.root / "current").read_bytes())
    log_lines = len(library.log())
    path = build(tmp_path)
    rc = cli_main(["import", str(path), "--publish", "--user", "tester"])
    out = capsys.readouterr().out
    assert rc == 1, out
    assert out.startswith("INVALID  "), out
    assert path.name in out.splitlines()[0], out
    assert message in out, out
    assert "Traceback" not in out
    assert (library.current(), [v.hash for v in library.versions()], (library.root / "current").read_bytes()) == before
    entries = library.log()
    assert len(entries) == log_lines + 1
    assert entries[-1]["result"].startswith("refused"), entries[-1:]
    assert entries[-1]["user"] == "tester"
    assert entries[-1]["source"] == path.name


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    """The check reads the archive's directory, not its content: refusing the bomb takes no memory."""
    from data.library.importing import ImportRefusedError, Limits, open_bytes

    data = _bomb_zip(tmp_path).read_bytes()
    assert len(data) < 200 * 1024
    with pytest.raises(ImportRefusedError, match="zip bomb"):
        open_bytes("upload.zip", data, Limits())


def test_a_zip_whose_header_understates_its_size_is_refused(tmp_path: Path) -> None:
    """A member that inflates beyond what its header declares is cut off and refused."""
    from data.library.importing import ImportRefusedError, Limits, ZipSource

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("dataset/dataset.json", b"{}" * 100)
    raw = bytearray(buf.getvalue())
    # Patch the central directory's uncompressed size (offset 24 in the entry) down to 10 bytes.
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises((ImportRefusedError, zipfile.BadZipFile)):
        ZipSource(bytes(raw), "upload.zip", Limits())
