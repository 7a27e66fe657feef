"""Backup and restore (数据备份恢复, components/server/backup.py): `app.py backup FILE` and `app.py restore FILE`
through the command line, on real files in a temporary directory.

A round trip into empty directories gives back the same library (every version byte for byte, the pointer, the
import log), users file, audit trail and report archive, and the restored library serves the same figures. A
truncated, altered or hostile archive is refused with one sentence naming it, and nothing is written.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from plotly.io.json import to_json_plotly

from components.core.state import from_query
from components.sections import SECTIONS
from components.server import report_archive
from components.server.audit import Trail
from components.server.backup import MANIFEST
from components.server.cli import main as cli_main
from components.server.settings import ROOT, SAMPLE_DIR
from components.server.users import UserStore
from data.library.versions import Library
from data.load import Dataset, load_dataset
from data.source import DirectorySource

FIXTURES = ROOT / "tests" / "fixtures"
SECRET_KEY = "s3cret-session-key-for-the-test"
SMTP_PASSWORD = "smtp-pass-word-for-the-test"
REDIS_PASSWORD = "redis-pass-for-the-test"
SECRET_FILE_KEY = b"file-secret-key-bytes-for-the-test"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A product's state under tmp_path/live, configured through STI_* as a deployment would: a library with two
    versions, a rollback and a refusal in its log; a user and a screen; audit records; an archived report; and
    secrets in the environment and in the secret file."""
    live = tmp_path / "live"
    library = Library(live / "library")
    library.seed(SAMPLE_DIR)
    src = DirectorySource(FIXTURES / "minimal")
    files = {n: src.raw(n) for n in ("dataset.json", "districts.csv", "indicators.csv", "observations.csv")}
    first = library.current()
    assert first is not None
    library.publish({k: v for k, v in files.items() if v is not None}, source="minimal", user="ana")
    library.rollback(first, user="ana")  # the sample is current again: not the newest version
    (library.root / "staging").mkdir(exist_ok=True)
    (library.root / "staging" / "half-written.csv").write_text("not backed up")
    store = UserStore(live / "users.json")
    store.add("li.wei", "admin", "correct horse 1")
    store.add_screen("lobby")
    trail = Trail(live / "audit")
    for i in range(3):
        trail.append("login", user="li.wei", role="admin", address="10.0.0.5", obj=f"try {i}")
    meta = {"format": "pdf", "period": "2012", "scope": "全市", "lang": "zh", "query": "year=2012", "by": "cli:ops"}
    report_archive.save(live / "reports", "科技创新指标 2012.pdf", b"%PDF-1.4 a report", meta)
    (live / "secret.key").write_bytes(SECRET_FILE_KEY)
    env = {
        "STI_LIBRARY_DIR": live / "library",
        "STI_USERS_FILE": live / "users.json",
        "STI_AUDIT_DIR": live / "audit",
        "STI_REPORT_DIR": live / "reports",
        "STI_SECRET_FILE": live / "secret.key",
        "STI_CACHE_DIR": tmp_path / "cache",
        "STI_SECRET_KEY": SECRET_KEY,
        "STI_SMTP_PASSWORD": SMTP_PASSWORD,
        "STI_REDIS_URL": f"redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0",
        "STI_RELOAD_SECONDS": "45",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("STI_DATA_DIR", raising=False)
    return live


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its relative path, with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def figures(ds: Dataset) -> list[str]:
    """The default view's figures of every section shown, as JSON."""
    view = from_query(ds, "", "zh")
    return [to_json_plotly(g.figure(ds, view)) for s in SECTIONS if s.present(ds) for g in s.graphs(ds)]


def test_round_trip_into_empty_directories(live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "backups" / "sti-2026-12-01.tar.gz"
    before_records = Trail(live / "audit").records()
    code, out, err = run(capsys, "backup", str(archive))
    assert code == 0, err
    assert "2 version(s)" in out
    assert "1 user(s), 1 screen(s)" in out
    assert "3 audit record(s)" in out
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds password hashes
    assert [r["action"] for r in Trail(live / "audit").records()][-1] == "backup"  # the backup itself is recorded

    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == MANIFEST
    assert not [n for n in names if "staging" in n or n.endswith(".lock")]

    code, out, err = run(capsys, "restore", str(archive), "--check")
    assert code == 0, err
    assert "intact" in out

    scratch = tmp_path / "scratch"
    code, out, err = run(
        capsys,
        "restore",
        str(archive),
        "--library",
        str(scratch / "lib"),
        "--users",
        str(scratch / "u.json"),
        "--audit",
        str(scratch / "trail"),
        "--reports",
        str(scratch / "reports"),
    )
    assert code == 0, err
    assert "restored" in out
    assert "3 audit record(s)" in out

    original, restored = Library(live / "library"), Library(scratch / "lib")
    assert restored.current() == original.current() == load_dataset(SAMPLE_DIR).version
    assert [v.hash for v in restored.versions()] == [v.hash for v in original.versions()]
    assert tree(restored.root / "versions") == tree(original.root / "versions")
    assert (restored.root / "import.log").read_bytes() == (original.root / "import.log").read_bytes()
    assert [e["action"] for e in restored.log()] == ["publish", "publish", "rollback"]
    assert not (restored.root / "staging").exists()

    assert (scratch / "u.json").read_bytes() == (live / "users.json").read_bytes()
    assert stat.S_IMODE((scratch / "u.json").stat().st_mode) == 0o600
    assert UserStore(scratch / "u.json").verify("li.wei", "correct horse 1") is not None

    trail = Trail(scratch / "trail")
    assert trail.verify() is None
    assert trail.records() == before_records
    assert tree(scratch / "reports") == tree(live / "reports")

    served = load_dataset(restored.source())
    assert served.version == original.current()
    assert figures(served) == figures(load_dataset(original.source()))
    assert not [p for p in scratch.iterdir() if p.name.startswith(".")]  # no staging left behind

    code, _, err = run(capsys, "restore", str(archive), "--into", str(scratch), "--library", str(scratch / "lib"))
    assert code == 2  # not empty: refused without --force
    assert "is not empty" in err


def test_force_moves_the_old_state_aside(live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive), "--no-reports")[0] == 0
    library = Library(live / "library")
    kept = library.current()
    newest = library.versions()[-1].hash
    library.rollback(newest)  # changed after the backup
    code, out, err = run(capsys, "restore", str(archive), "--force")  # the configured places
    assert code == 0, err
    assert "restored" in out
    assert out.count("moved aside to") == 3
    assert Library(live / "library").current() == kept
    asides = sorted(p.name for p in live.iterdir() if ".before-restore-" in p.name)
    assert [a.split(".before-restore-")[0] for a in asides] == ["audit", "library", "users.json"]  # reports: left
    assert Library(live / asides[1]).current() == newest
    trail = Trail(live / "audit")
    assert trail.verify() is None  # the restore's own record continues the restored chain
    assert trail.records()[-1]["action"] == "restore"


def test_truncated_archive_is_refused_and_nothing_is_written(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive))[0] == 0
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    dest = tmp_path / "dest"
    dest.mkdir()
    code, out, err = run(capsys, "restore", str(archive), "--into", str(dest))
    assert code == 1
    assert f"archive {archive} is damaged" in err
    assert "truncated" in err
    assert "Traceback" not in err + out
    assert list(dest.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert run(capsys, "restore", str(archive), "--check")[0] == 1


def _rebuilt(archive: Path, target: Path, change: str = "", extra: tuple[str, bytes] | None = None) -> None:
    """`archive` copied member by member, with one byte of member `change` flipped (the old manifest kept) and
    an `extra` member added, as an attacker or a bad disk would."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as out:
        for member in src.getmembers():
            fh = src.extractfile(member)
            assert fh is not None
            body = bytearray(fh.read())
            if member.name == change:
                body[len(body) // 2] ^= 0x01
            out.addfile(member, io.BytesIO(bytes(body)))
        if extra:
            info = tarfile.TarInfo(extra[0])
            info.size = len(extra[1])
            out.addfile(info, io.BytesIO(extra[1]))


def test_altered_member_is_refused_naming_it(live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive))[0] == 0
    current = Library(live / "library").current()
    member = f"library/versions/{current}/observations.csv"
    altered = tmp_path / "altered.tar.gz"
    _rebuilt(archive, altered, change=member)
    dest = tmp_path / "dest"
    code, _, err = run(capsys, "restore", str(altered), "--into", str(dest))
    assert code == 1
    assert err.strip() == f"error: archive {altered} is damaged: {member} sha256 mismatch; nothing was restored"
    assert not dest.exists()


@pytest.mark.parametrize("name", ["../evil", "/etc/evil", "library/versions/../../evil", "library/.hidden"])
def test_hostile_member_is_refused(name: str, live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive), "--no-reports")[0] == 0
    hostile = tmp_path / "hostile.tar.gz"
    _rebuilt(archive, hostile, extra=(name, b"owned"))
    dest = tmp_path / "dest"
    code, _, err = run(capsys, "restore", str(hostile), "--into", str(dest))
    assert code == 1
    assert f"archive {hostile} is refused" in err
    assert not dest.exists()
    assert not (tmp_path / "evil").exists()


def test_archive_holds_no_secret(live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive))[0] == 0
    with tarfile.open(archive) as tar:
        blob = b"".join(f.read() for m in tar.getmembers() if (f := tar.extractfile(m)) is not None)
        names = tar.getnames()
        settings = json.loads(tar.extractfile("settings.json").read())  # type: ignore[union-attr]
    for secret in (SECRET_KEY.encode(), SMTP_PASSWORD.encode(), REDIS_PASSWORD.encode(), SECRET_FILE_KEY):
        assert secret not in blob
    assert not [n for n in names if "secret" in n]
    assert settings["variables"]["STI_RELOAD_SECONDS"] == "45"
    assert settings["variables"]["STI_REDIS_URL"] == "redis://:***@127.0.0.1:6379/0"
    assert {"STI_SECRET_KEY", "STI_SMTP_PASSWORD", "STI_SECRET_FILE"} <= set(settings["left_out"])
    manifest = json.loads(blob[: blob.index(b"\n}") + 2])
    listed = {m["path"]: m["sha256"] for m in manifest["members"]}
    with tarfile.open(archive) as tar:
        for name in names[1:]:
            body = tar.extractfile(name).read()  # type: ignore[union-attr]
            assert hashlib.sha256(body).hexdigest() == listed[name]


def test_forged_audit_record_is_refused_even_with_a_matching_manifest(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hashes find damage; the audit chain finds a record edited by someone who also fixed the manifest."""
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive), "--no-reports")[0] == 0
    with tarfile.open(archive) as tar:
        bodies = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    [name] = [n for n in bodies if n.startswith("audit/audit-")]
    bodies[name] = bodies[name].replace(b"10.0.0.5", b"10.0.0.6", 1)
    manifest = json.loads(bodies.pop(MANIFEST))
    for m in manifest["members"]:
        m["size"], m["sha256"] = len(bodies[m["path"]]), hashlib.sha256(bodies[m["path"]]).hexdigest()
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as out:
        for member, body in [(MANIFEST, json.dumps(manifest).encode()), *bodies.items()]:
            info = tarfile.TarInfo(member)
            info.size = len(body)
            out.addfile(info, io.BytesIO(body))
    dest = tmp_path / "dest"
    code, _, err = run(capsys, "restore", str(forged), "--into", str(dest))
    assert code == 1
    assert f"archive {forged} is refused: its audit trail is broken at {name.removeprefix('audit/')}:1" in err
    assert not dest.exists()
