"""报告库 (/reports): the archived documents listed with downloads, in both languages; ids only, never paths."""

from __future__ import annotations

from pathlib import Path

from oracle import CJK

from components.server import report_archive
from components.server.settings import SAMPLE_DIR, Settings


def test_the_archive_page_lists_and_serves_what_was_kept(tmp_path: Path) -> None:
    from app import create_app

    archive = tmp_path / "archive"
    app = create_app(
        Settings(
            data_dir=SAMPLE_DIR,
            cache_dir=tmp_path / "cache",
            users_file=tmp_path / "users.json",
            secret_file=tmp_path / "secret.key",
            report_dir=archive,
        )
    )
    c = app.server.test_client()
    assert "还没有生成过报告" in c.get("/reports").data.decode()
    meta = {"format": "pdf", "period": "2012年1–11月", "scope": "全市", "lang": "zh", "query": "?period=2012-11",
            "by": "cli:root"}  # fmt: skip
    entry = report_archive.save(archive, "宁波科技创新主要指标月报（2012年1–11月）.pdf", b"%PDF-1.7 test", meta)
    page = c.get("/reports").data.decode()
    assert f'data-entry="{entry.id}"' in page
    assert "2012年1–11月" in page
    assert "cli:root" in page
    got = c.get(f"/reports/{entry.id}")
    assert got.status_code == 200
    assert got.data == b"%PDF-1.7 test"
    assert got.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    assert got.headers["Cache-Control"] == "no-store"
    for crafted in ("..%2F..%2Fetc%2Fpasswd", "x.pdf", entry.id + ".json", "20121130T000000Z-0123abcd.pdf"):
        assert c.get(f"/reports/{crafted}").status_code == 404
    english = c.get("/reports?lang=en").data.decode()
    assert "Report archive" in english
    text = english.replace(entry.name, "").replace("2012年1–11月", "").replace("全市", "").replace("中文", "")
    assert not CJK.findall(text.split("<body>", 1)[1])
