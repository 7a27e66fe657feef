"""The data library: seeding, atomic publish, versions, rollback, the import log, and the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from workbook import workbook_from

from components.server.cli import main as cli_main
from components.server.preview import preview, preview_text, table_diffs, warnings
from components.server.settings import ROOT, SAMPLE_DIR
from data.library.versions import Library, LibraryError
from data.load import load_dataset
from data.source import DirectorySource

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def cli(library: Library, monkeypatch: pytest.MonkeyPatch, capsys):
    """Run `app.py ...` in-process against `library`: (exit code, what it printed)."""
    monkeypatch.setenv("STI_LIBRARY_DIR", str(library.root))
    monkeypatch.delenv("STI_DATA_DIR", raising=False)

    def run(*argv: str) -> tuple[int, str]:
        rc = cli_main(list(argv))
        return rc, capsys.readouterr().out

    return run


def _edited_sample(tmp_path: Path, value: str = "10461") -> Path:
    """The sample with 海曙区's 2012 patent applications (4108) changed: the city's total (the published
    73,647) moves by the difference (10461: to 80,000)."""
    dest = tmp_path / "edited"
    shutil.copytree(SAMPLE_DIR, dest)
    obs = dest / "observations.csv"
    text = obs.read_text(encoding="utf-8")
    assert "patent_applications,330203,2012,4108" in text
    obs.write_text(text.replace("patent_applications,330203,2012,4108", f"patent_applications,330203,2012,{value}"))
    return dest


def test_first_start_seeds_the_sample_as_the_first_version(library: Library) -> None:
    sample = load_dataset(SAMPLE_DIR)
    assert library.current() == sample.version
    [v] = library.versions()
    assert (v.hash, v.as_of, v.user, v.source) == (sample.version, "2012-12-31", "system", "bundled sample")
    assert v.rows["observations.csv"] == sample.tables["observations.csv"]
    assert load_dataset(library.source()).version == sample.version
    library.seed(FIXTURES / "minimal")  # a second seed changes nothing
    assert library.current() == sample.version
    assert len(library.versions()) == 1


def test_publish_swaps_the_pointer_and_keeps_every_version(library: Library, tmp_path: Path) -> None:
    first = library.current()
    src = DirectorySource(FIXTURES / "minimal")
    files = {n: src.raw(n) for n in ("dataset.json", "districts.csv", "indicators.csv", "observations.csv")}
    info = library.publish(files, source="minimal", source_hash="abc", user="ana")
    assert library.current() == info.hash != first
    assert load_dataset(library.source()).version == info.hash == load_dataset(FIXTURES / "minimal").version
    assert [v.hash for v in library.versions()] == [first, info.hash]
    assert sorted(p.name for p in library.path_of(info.hash).iterdir()) == sorted([*files, "version.json"])
    assert not list((library.root / "staging").iterdir())
    entry = library.log()[-1]
    assert entry | {"time": ""} == {
        "action": "publish",
        "user": "ana",
        "source": "minimal",
        "source_hash": "abc",
        "version": info.hash,
        "previous": first,
        "result": "published",
        "time": "",
    }
    back = library.rollback(first, user="ana")
    assert back.hash == first == library.current()
    assert library.log()[-1]["action"] == "rollback"
    assert library.log()[-1]["previous"] == info.hash


def test_an_invalid_version_is_never_published(library: Library) -> None:
    from data.load import DatasetError

    before = library.current()
    with pytest.raises(DatasetError):
        library.publish({"dataset.json": b"{}"}, source="x")
    assert library.current() == before
    assert len(library.versions()) == 1


def test_unknown_and_ambiguous_versions_are_named(library: Library) -> None:
    with pytest.raises(LibraryError, match="no version in the library starts with 'ffff'"):
        library.find("ffff")
    with pytest.raises(LibraryError, match="no version"):
        library.find("a")  # too short to be meant
    with pytest.raises(LibraryError):
        library.path_of("../../etc")


def test_cli_import_previews_then_publishes_then_rolls_back(cli, library: Library, tmp_path: Path) -> None:
    sample = library.current()
    edited = _edited_sample(tmp_path)
    rc, out = cli("import", str(edited))
    assert rc == 0, out
    assert "observations.csv        +0 / ~1 / -0" in out
    assert "专利申请量" in out
    assert "73,647件 → 80,000件  *" in out
    assert "仅预览" in out
    assert library.current() == sample

    rc, out = cli("import", str(edited), "--publish", "--user", "ana")
    assert rc == 0, out
    new = library.current()
    assert new != sample
    assert new in out
    assert load_dataset(library.source()).observations.query(
        "indicator == 'patent_applications' and district == '330203' and year == 2012"
    )["value"].tolist() == [10461.0]

    rc, out = cli("versions")
    assert rc == 0
    lines = out.splitlines()
    assert lines[1].startswith(f"* {new}")
    assert "ana" in lines[1]
    assert "edited" in lines[1]
    assert any(line.startswith(f"  {sample}") for line in lines)

    rc, out = cli("rollback", sample[:6])
    assert rc == 0, out
    assert library.current() == sample
    assert [e["action"] for e in library.log()] == ["publish", "publish", "rollback"]
    rc, out = cli("rollback", "nope")
    assert rc == 1
    assert "no version" in out


def test_cli_imports_a_workbook_made_from_the_sample(cli, library: Library, tmp_path: Path) -> None:
    """One value changed in Excel: the preview shows exactly that row and the KPI it moves."""

    def edit(sheet: str, rows: list[list[object]]) -> None:
        if sheet == "observations":
            for r in rows:
                if r[:3] == ["patent_applications", 330203, 2012] and not r[4]:  # the year's row, not a month
                    r[3] = 5461  # 4108 + 1353: the city's 73,647 becomes 75,000

    book = workbook_from(SAMPLE_DIR, tmp_path / "sample.xlsx", edit)
    rc, out = cli("import", str(book), "--publish")
    assert rc == 0, out
    assert "observations.csv        +0 / ~1 / -0" in out, out
    assert "73,647件 → 75,000件" in out
    ds = load_dataset(library.source())
    assert ds.meta["city_zh"] == "宁波"
    assert ds.meta["plans"][0]["year"] == 2015
    assert library.versions()[-1].source == "sample.xlsx"


def test_cli_refuses_to_import_when_a_directory_is_served(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("STI_DATA_DIR", str(SAMPLE_DIR))
    rc = cli_main(["import", str(FIXTURES / "minimal"), "--publish"])
    out = capsys.readouterr().out
    assert rc == 2
    assert "STI_DATA_DIR is set" in out
    assert "read-only" in out


def test_preview_counts_rows_and_warns_about_what_disappeared() -> None:
    sample = load_dataset(SAMPLE_DIR)
    other = load_dataset(FIXTURES / "other_city")
    diffs = {d.file: d for d in table_diffs(sample, other)}
    assert diffs["districts.csv"].before == 11
    assert diffs["districts.csv"].after == 13
    assert diffs["districts.csv"].removed == 11
    assert diffs["districts.csv"].added == 13
    found = [w.text("zh") for w in warnings(sample, other, "zh")]
    assert any("2008、2009、2010、2011、2012 不再出现" in w for w in found), found
    assert any("海曙区" in w and "等11个" in w for w in found), found
    english = [w.text("en") for w in warnings(sample, other, "en")]
    assert any("Haishu" in w and "and 5 more" in w for w in english), english
    assert warnings(None, sample, "zh") == []
    p = preview(sample, sample)
    assert p.same
    assert all(d.added == d.changed == d.removed == 0 for d in p.tables)
    assert all(k.before == k.after for k in p.kpis)
    assert "与当前版本内容相同" in preview_text(p)


def test_preview_flags_a_value_that_moved_by_more_than_three_times(tmp_path: Path) -> None:
    sample = load_dataset(SAMPLE_DIR)
    edited = _edited_sample(tmp_path, value="12400")
    after = load_dataset(edited)
    found = [w.text("en") for w in warnings(sample, after, "en")]
    assert found == ["Patent applications, Haishu, 2012: 4,108 → 12,400 (moved by more than a factor of 3)"]
    assert [w.text("zh") for w in warnings(sample, after, "zh")] == [
        "海曙区2012年专利申请量由 4,108 变为 12,400（变化超过3倍）"
    ]
    just_under = load_dataset(_edited_sample(tmp_path / "b", value="12300"))
    assert warnings(sample, just_under, "en") == []


def test_the_log_survives_a_damaged_line(library: Library) -> None:
    with open(library.root / "import.log", "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    library.rollback(library.current())
    entries = library.log()
    assert [e["action"] for e in entries] == ["publish", "rollback"]
    assert json.loads((library.root / "import.log").read_text().splitlines()[-1])["result"].startswith("unchanged")


def test_a_workbook_with_numbers_stored_as_text_reads_like_the_csv_files(tmp_path: Path) -> None:
    """Excel users often keep numbers as text: the contract's number columns parse them as they parse CSV."""
    from data.library.importing import open_import

    typed = load_dataset(open_import(workbook_from(SAMPLE_DIR, tmp_path / "typed.xlsx")))
    text = load_dataset(open_import(workbook_from(SAMPLE_DIR, tmp_path / "text.xlsx", typed=False)))
    sample = load_dataset(SAMPLE_DIR)
    key = ["indicator", "district", "year"]
    for ds in (typed, text):
        merged = sample.observations.merge(ds.observations, on=key, suffixes=("", "_book"))
        assert len(merged) == len(sample.observations)
        assert (merged["value"] == merged["value_book"]).all()
    assert text.tables == sample.tables


def _damage_pointer(root: Path) -> None:
    (root / "current").write_text("0123456789ab\n", encoding="ascii")  # names no published version


def _drop_pointer(root: Path) -> None:
    (root / "current").unlink()


def _not_a_directory(root: Path) -> None:
    shutil.rmtree(root)
    root.write_text("not a library")


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (_damage_pointer, "names no published version"),
        (_drop_pointer, "but none is current"),
        (_not_a_directory, "is not a directory"),
    ],
    ids=["dangling pointer", "no pointer", "a file"],
)
def test_a_damaged_library_stops_the_start_with_a_message_and_is_never_reseeded(
    tmp_path: Path, monkeypatch, capsys, damage, said: str
) -> None:
    from components.server.cli import main

    root = tmp_path / "library"
    lib = Library(root)
    lib.seed(SAMPLE_DIR)
    published = sorted(p.name for p in (root / "versions").iterdir())
    damage(root)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    monkeypatch.setenv("STI_LIBRARY_DIR", str(root))
    monkeypatch.setenv("STI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("STI_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.setenv("STI_SECRET_FILE", str(tmp_path / "secret.key"))
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert f"cannot start: data library {root}" in err
    assert said in err
    assert "Traceback" not in err
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert {k: v for k, v in after.items() if k.parts[0] == "library"} == {
        k: v for k, v in before.items() if k.parts[0] == "library"
    }, "nothing in the library changed"
    if root.is_dir():
        assert sorted(p.name for p in (root / "versions").iterdir()) == published


def test_a_worker_seeding_while_another_is_between_its_version_and_pointer_waits(tmp_path: Path, monkeypatch) -> None:
    """Two gunicorn workers seed a new library at once: the second must wait for the first's lock, not judge the
    library while the first has moved its version into place and not yet written the pointer ("has 1
    version(s) but none is current" ended a worker of `make serve` this way)."""
    import threading

    from data.library import versions

    between, go_on, waiting = threading.Event(), threading.Event(), threading.Event()
    swap = Library._swap_pointer

    def slow_swap(self: Library, version: str) -> None:
        between.set()  # the version is in place, its pointer not yet
        assert go_on.wait(30)
        swap(self, version)

    real_flock = versions.fcntl.flock

    def flock(fd: int, op: int) -> None:
        if threading.current_thread().name == "second" and op == versions.fcntl.LOCK_EX:
            waiting.set()
        real_flock(fd, op)

    monkeypatch.setattr(Library, "_swap_pointer", slow_swap)
    monkeypatch.setattr(versions.fcntl, "flock", flock)
    root = tmp_path / "library"
    errors: list[BaseException] = []

    def seed() -> None:
        try:
            Library(root).seed(SAMPLE_DIR)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    first = threading.Thread(target=seed, name="first")
    first.start()
    assert between.wait(60)
    second = threading.Thread(target=seed, name="second")
    second.start()
    while second.is_alive() and not waiting.is_set():  # the second reaches the lock (or fails before it)
        waiting.wait(0.05)
    go_on.set()
    first.join(60)
    second.join(60)
    assert errors == []
    assert Library(root).current() is not None
    assert len(Library(root).versions()) == 1
