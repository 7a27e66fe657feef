"""The data page's server side through a real app on a real library: who may post, the form token, the
upload limit, loose CSV files and zips, publish and rollback, and nothing changing on a refusal."""

from __future__ import annotations

import functools
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from app import create_app
from components.server.settings import ROOT, SAMPLE_DIR, Settings
from data.library.importing import workbook_bytes
from data.library.versions import Library

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def client(tmp_path: Path):
    settings = Settings(
        library_dir=tmp_path / "library",
        cache_dir=tmp_path / "cache",
        upload_max_mb=1,
        users_file=tmp_path / "users.json",
        secret_file=tmp_path / "secret.key",
    )
    app = create_app(settings)
    c = app.server.test_client()
    c.library = Library(settings.library_dir)
    return c


def _token(client) -> str:
    page = client.get("/library").data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _zip(src: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src.iterdir()):
            zf.write(p, f"{src.name}/{p.name}")
    return buf.getvalue()


def _post(client, path: str, csrf: str, files=None, **form):
    data = {"csrf_token": csrf, **form}
    if files is not None:
        data["files"] = [(io.BytesIO(d), n) for n, d in files]
    return client.post(path, data=data, content_type="multipart/form-data")


def test_a_zip_is_previewed_then_published(client) -> None:
    token = _token(client)
    first = client.library.current()
    page = _post(client, "/library/preview", token, files=[("minimal.zip", _zip(FIXTURES / "minimal"))])
    assert page.status_code == 200
    html = page.data.decode()
    assert 'id="library-preview"' in html
    assert "不再出现在新数据中" in html  # the sample's years and districts are gone: worth a second look
    staged = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    assert client.library.current() == first  # a preview changes nothing
    done = _post(client, "/library/publish", token, token=staged)
    assert done.status_code == 303
    assert client.library.current() != first
    assert client.get("/healthz").get_json()["version"] == client.library.current()
    again = _post(client, "/library/publish", token, token=staged)
    assert "这次上传已失效" in again.data.decode()  # a publish click is used once


def test_loose_csv_files_replace_the_whole_dataset(client) -> None:
    token = _token(client)
    files = [(p.name, p.read_bytes()) for p in sorted((FIXTURES / "minimal").iterdir())]
    html = _post(client, "/library/preview", token, files=files).data.decode()
    assert 'id="library-preview"' in html


def test_refusals_change_nothing(client) -> None:
    token = _token(client)
    first = client.library.current()
    no_token = client.post("/library/preview", data={"files": [(io.BytesIO(b"x"), "a.zip")]})
    assert no_token.status_code == 403
    assert "表单已过期" in no_token.data.decode()
    remote = client.get("/library", environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert remote.status_code == 403
    proxied = client.get("/library", headers={"X-Forwarded-For": "10.0.0.8"})
    assert proxied.status_code == 403
    big = _post(client, "/library/preview", token, files=[("big.zip", b"\0" * (1024 * 1024 + 70_000))])
    assert "上传的文件超过上限 1 MiB" in big.data.decode()
    from workbook import sheets_of, write_workbook

    sheets = sheets_of(SAMPLE_DIR)
    sheets["observations"][4][3] = "=D2*2"
    book = write_workbook(sheets, Path(client.library.root).parent / "formula.xlsx").read_bytes()
    en = _post(client, "/library/preview?lang=en", token, files=[("formula.xlsx", book)]).data.decode()
    assert "formula.xlsx: 1 problem(s), not imported" in en
    assert "sheet observations!D5, row 5, column &#39;value&#39;: cell D5 holds a formula (=D2*2)" in en
    assert 'id="library-preview"' not in en
    bad = _post(client, "/library/preview", token, files=[("notes.txt", b"hello")])
    assert "notes.txt: expected a dataset folder, a .zip of one or an .xlsx" in bad.data.decode()
    formula = shutil.copytree(SAMPLE_DIR, Path(client.library.root).parent / "copy")
    (formula / "observations.csv").write_text("indicator,district,year,value\n", encoding="utf-8")
    invalid = _post(client, "/library/preview", token, files=[("copy.zip", _zip(formula))])
    assert "observations.csv: file has a header but no data rows" in invalid.data.decode()
    rollback = _post(client, "/library/rollback", token, version="ffffffff")
    assert "no version" in rollback.data.decode()
    assert client.library.current() == first
    assert [e["result"] for e in client.library.log()][-3:] == ["refused: 1 problem(s)"] * 3


def test_a_read_only_app_refuses_imports(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            data_dir=SAMPLE_DIR,
            cache_dir=tmp_path / "cache",
            users_file=tmp_path / "users.json",
            secret_file=tmp_path / "secret.key",
        )
    )
    c = app.server.test_client()
    page = c.get("/library").data.decode()
    assert "只读" in page
    assert 'id="upload-form"' not in page
    with c.session_transaction() as session:  # a valid form token: the refusal is the read-only app's
        session["csrf"] = "t" * 32
    refused = c.post("/library/preview", data={"csrf_token": "t" * 32}, content_type="multipart/form-data")
    assert refused.status_code == 409


def test_the_template_workbook_imports_back_unchanged(client, tmp_path: Path) -> None:
    """The current version as a workbook, imported again: every table's rows the same, nothing to publish."""
    from components.server.preview import table_diffs
    from data.library.importing import open_import
    from data.load import load_dataset

    resp = client.get("/library/workbook.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    path = tmp_path / "template.xlsx"
    path.write_bytes(resp.data)
    again = load_dataset(open_import(path))
    sample = load_dataset(SAMPLE_DIR)
    diffs = table_diffs(sample, again)
    assert {d.file for d in diffs} == set(sample.tables)
    assert all((d.added, d.changed, d.removed) == (0, 0, 0) for d in diffs), diffs
    assert again.meta == sample.meta


PAYLOADS = ("=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/","点此")', "+1+cmd|'/C calc'!A0", "@SUM(1+1)")


def test_the_template_workbook_writes_names_from_the_data_as_text(tmp_path: Path) -> None:
    """The probe's formula payloads as district names: no <f> element anywhere in the template's sheets, each
    name a text cell holding exactly the name, and the workbook imports back with the same names."""
    import csv

    import openpyxl

    from data.library.importing import open_import
    from data.load import load_dataset

    data = shutil.copytree(SAMPLE_DIR, tmp_path / "hostile")
    path = data / "districts.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    col = rows[0].index("name_zh")
    for row, payload in zip(rows[1:], PAYLOADS, strict=False):
        row[col] = payload
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    app = create_app(
        Settings(
            data_dir=data,
            cache_dir=tmp_path / "cache",
            users_file=tmp_path / "users.json",
            secret_file=tmp_path / "secret.key",
        )
    )
    resp = app.server.test_client().get("/library/workbook.xlsx")
    assert resp.status_code == 200
    with zipfile.ZipFile(io.BytesIO(resp.data)) as book:
        sheets = {n: book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")}
    assert sheets
    assert all("<f>" not in xml and "<f " not in xml for xml in sheets.values()), "a formula in the template"
    ws = openpyxl.load_workbook(io.BytesIO(resp.data))["districts"]
    names = {c.value: c.data_type for c in ws[openpyxl.utils.get_column_letter(col + 1)][1:]}
    for payload in PAYLOADS:
        assert names.get(payload) == "s", (payload, names)
    back = tmp_path / "template.xlsx"
    back.write_bytes(resp.data)
    again = load_dataset(open_import(back))
    assert set(PAYLOADS) <= set(again.districts["name_zh"])


def _sample_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(SAMPLE_DIR.iterdir()):
            if p.is_file():
                zf.write(p, f"sample/{p.name}")
    return buf.getvalue()


@functools.cache
def _damaged() -> dict[str, bytes]:
    """The probe's damaged archives: corrupt data, a central directory lying about a size, a wrong CRC, cut in
    half; and a workbook with corrupt bytes in a sheet."""
    good = _sample_zip()
    corrupt = bytearray(good)
    third = len(corrupt) // 3
    corrupt[third : third + 200] = bytes(b ^ 0xFF for b in corrupt[third : third + 200])
    first = good.find(b"PK\x01\x02")  # the first central directory header
    lying = bytearray(good)
    lying[first + 24 : first + 28] = (5).to_bytes(4, "little")  # its uncompressed size
    crc = bytearray(good)
    crc[first + 16 : first + 20] = b"\0\0\0\0"
    from workbook import sheets_of

    book = bytearray(workbook_bytes(sheets_of(SAMPLE_DIR)))
    half = len(book) // 2
    book[half : half + 300] = bytes(b ^ 0x55 for b in book[half : half + 300])
    return {
        "corrupt.zip": bytes(corrupt),
        "lying.zip": bytes(lying),
        "crc.zip": bytes(crc),
        "truncated.zip": good[: len(good) // 2],
        "damaged.xlsx": bytes(book),
    }


@pytest.mark.parametrize("name", list(_damaged()))
def test_a_damaged_archive_is_refused_with_a_sentence_not_a_500(client, name: str) -> None:
    token = _token(client)
    before = client.library.current()
    resp = _post(client, "/library/preview", token, files=[(name, _damaged()[name])])
    text = resp.data.decode()
    assert resp.status_code == 422, text[:500]
    assert f"{name}:" in text
    assert "Traceback" not in text
    assert client.library.current() == before
    assert client.library.log()[-1]["result"] == "refused: 1 problem(s)"


def test_a_million_row_workbook_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """Under the upload's byte limit, over its row limit: refused by counting the sheet's rows as it streams out
    of the archive, before the workbook is parsed (a parse of it held a worker for a minute)."""
    settings = Settings(
        library_dir=tmp_path / "library",
        cache_dir=tmp_path / "cache",
        users_file=tmp_path / "users.json",
        secret_file=tmp_path / "secret.key",
    )
    c = create_app(settings).server.test_client()
    c.library = Library(settings.library_dir)
    from workbook import million_rows

    book = million_rows()
    assert len(book) < settings.upload_max_mb * 1024 * 1024
    resp = _post(c, "/library/preview?lang=en", _token(c), files=[("million.xlsx", book)])
    text = resp.data.decode()
    assert resp.status_code == 422
    assert "million.xlsx: sheet " in text
    assert "rows (at most 300,000)" in text


def test_an_upload_while_another_is_checked_is_refused_before_it_is_read(client) -> None:
    """One upload is read and checked at a time (across the workers: an flock in the library's uploads/): another
    is answered 429 at once, its body unread, saying to try again in a moment; once the first is done it goes."""
    from components.server.upload_page import one_check

    token = _token(client)
    first = client.library.current()
    files = [("minimal.zip", _zip(FIXTURES / "minimal"))]
    with one_check(client.library) as mine:
        assert mine
        busy = _post(client, "/library/preview?lang=en", token, files=files)
        assert busy.status_code == 429
        assert busy.headers["Retry-After"] == "5"
        assert "Another import is being checked: try again in a moment." in busy.data.decode()
        assert 'id="library-preview"' not in busy.data.decode()
    assert client.library.current() == first
    again = _post(client, "/library/preview?lang=en", token, files=files)
    assert again.status_code == 200
    assert 'id="library-preview"' in again.data.decode()
