"""Presentation mode's server side: slides, sizes, interval, exit URL, theme; and the export job's errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from components.core.state import View, from_query
from components.page import meeting, present
from components.sections import SECTIONS, other
from components.sections import slides as registry_slides
from components.sections.slide_plan import plan
from components.server.jobs import RUNNING_KEY
from components.server.settings import SAMPLE_DIR
from data.library.store import DataStore


def _texts(node: object, out: list[str]) -> list[str]:
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list | tuple):
        for n in node:
            _texts(n, out)
    elif hasattr(node, "children"):
        _texts(node.children, out)
    return out


def _find(node: object, cls: str, out: list) -> list:
    if isinstance(node, list | tuple):
        for n in node:
            _find(n, cls, out)
    elif hasattr(node, "to_plotly_json"):
        if cls in (getattr(node, "className", None) or "").split():
            out.append(node)
        _find(getattr(node, "children", None), cls, out)
    return out


@pytest.mark.parametrize("grid", [((1.0,),), ((5, 7),), ((4, 5, 3),), ((4, 8), (6, 6)), ((5, 7), (1,))])
def test_chart_sizes_fill_the_body_without_overflow(grid) -> None:
    sizes = present.chart_sizes(grid)
    assert len(sizes) == sum(len(r) for r in grid)
    i = 0
    for row in grid:
        widths = [sizes[i + k][0] for k in range(len(row))]
        i += len(row)
        assert sum(widths) + present.GAP * (len(row) - 1) <= present.BODY_W
        assert sum(widths) + present.GAP * (len(row) - 1) >= present.BODY_W - len(row)
    rows = len(grid)
    assert (sizes[0][1] + present.TITLE_H) * rows + present.GAP * (rows - 1) <= present.BODY_H


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("5", 5), ("3", 3), ("3600", 3600), ("2", 20), ("abc", 20), ("-5", 20), ("99999", 20), ("", 20)],
)
def test_interval_from_the_url_is_bounded(raw: str, expected: int) -> None:
    assert present.interval_of(View(2012, extras=(("interval", raw),)), 20) == expected


def test_exit_url_keeps_the_filters_and_drops_presentation() -> None:
    view = View(2011, ("330212", "330281"), "en", "dark", (("present", "1"), ("slide", "3")))
    assert present.exit_href(view) == "/?year=2011&district=330212,330281&lang=en&theme=dark"


def test_presentation_is_dark_unless_light_is_asked() -> None:
    assert present.present_theme(None) == "projector"
    assert present.present_theme("dark") == "projector"
    assert present.present_theme("light") == "projector-light"


def test_present_layout_has_one_slide_per_section_with_captions(sample_app, sample) -> None:
    app = sample_app
    svc = app.server.config["STI_SERVICES"]
    view = from_query(sample, "?present=1&year=2012&interval=7&slide=2")
    with app.server.test_request_context():
        root = present.present_layout(svc, sample, view)
    props = root.to_plotly_json()["props"]
    assert props["data-interval"] == "7"
    assert props["data-start"] == "2"
    assert props["data-version"] == sample.version
    assert props["data-exit"] == "/?year=2012"
    slides = _find(root, "slide", [])
    planned = registry_slides(sample)
    own = [sl for sl in planned if sl.section == other.KEY]
    assert len(slides) == len(planned) == len(SECTIONS) - 1 + len(own)  # the built-in sections, own indicators
    assert len(own) == 5  # the sample's five indicators of its own
    titles = [s.to_plotly_json()["props"]["aria-label"] for s in slides]
    assert titles == [sl.title("zh") for sl in planned]  # the registry's slides, in its order
    assert titles[: len(SECTIONS) - 1] == [s.title("zh") for s in SECTIONS if s.key != other.KEY]
    assert "全市创新指数" in titles
    for slide in slides:
        caption = " ".join(_texts(_find(slide, "slide-caption", [])[0], []))
        assert "2012年 · 全市" in caption
        assert "数据截至 2012-12-31" in caption
        assert "示例数据" in caption
    sentence = " ".join(_texts(_find(slides[1], "slide-sentence", [])[0], []))
    assert sentence == "2012年全市专利申请量73,647件，同比增长54.78%；授权发明专利2,065件，占授权量3.49%，低于3.5%。"
    kpis = json.dumps(slides[0].to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert '"data-indicator": "patent_applications"' in kpis
    graphs = [g for s in slides[1:] for g in _find(s, "slide-chart", [])]
    assert len(graphs) == sum(len(p.figures) for p in plan(sample, view)[1:])


def test_the_page_is_built_from_the_referring_url(sample_app) -> None:
    app = sample_app
    client = app.server.test_client()
    body = client.get("/_dash-layout", headers={"Referer": "http://localhost/?present=1&lang=en"}).get_json()
    text = json.dumps(body)
    assert "present-root" in text
    assert "Patents" in text
    other_host = client.get("/_dash-layout", headers={"Referer": "http://evil.example/?present=1"}).get_json()
    assert "present-root" not in json.dumps(other_host)


def test_export_job_reports_a_missing_browser(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    job = meeting.make_export_job(DataStore(SAMPLE_DIR), tmp_path / "jobs")
    steps: list[object] = []
    download, error = job(steps.append, 1, None, None, 2012, [], "", "ytd", {"lang": "zh", "theme": "light"})
    assert download is meeting.no_update
    assert "Chromium" in json.dumps(error.to_plotly_json(), default=str, ensure_ascii=False)
    assert steps == []


def test_only_one_export_runs_at_a_time(tmp_path) -> None:
    import diskcache

    jobs = tmp_path / "jobs"
    running = os.getppid()  # a live process holds the slot: another export
    with diskcache.Cache(str(jobs)) as slots:
        slots.add(RUNNING_KEY, running, expire=60)
        download, error = meeting.make_export_job(DataStore(SAMPLE_DIR), jobs)(
            print, 1, None, None, 2012, [], "", "ytd", {"lang": "en"}
        )
        assert download is meeting.no_update
        assert "Another export is running" in json.dumps(error.to_plotly_json(), default=str)
        assert slots.get(RUNNING_KEY) == running  # the busy job did not release someone else's slot


def test_a_cancelled_jobs_slot_is_free_again(tmp_path) -> None:
    """A cancel kills the job before it can release its slot: a slot whose process is gone is taken over, not
    left blocking every export until it expires."""
    import diskcache

    from components.server.jobs import DiskSlot

    gone = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1  # no process can have this pid
    jobs = tmp_path / "jobs"
    with diskcache.Cache(str(jobs)) as slots:
        slots.add(RUNNING_KEY, gone, expire=600)
    slot = DiskSlot(jobs)
    assert slot.acquire(str(os.getpid()), 60)
    with diskcache.Cache(str(jobs)) as slots:
        assert slots.get(RUNNING_KEY) == os.getpid()
    assert not DiskSlot(jobs).acquire("1", 60)  # held by a live process (this one): busy
    slot.release(str(os.getpid()))


def test_export_uses_the_version_being_served_not_a_rejected_update(monkeypatch, sample_copy, tmp_path) -> None:
    """A bad update in the directory is rejected by the store; the export goes on with what the page shows."""
    store = DataStore(sample_copy, recheck=0)
    served = store.get().version
    (sample_copy / "observations.csv").write_text("indicator,district,year,value\n", encoding="utf-8")
    assert store.get().version == served
    assert store.last_error is not None
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))  # stop before rendering
    download, error = meeting.make_export_job(store, tmp_path / "jobs")(
        print, 1, None, None, 2012, [], "", "ytd", {"lang": "en"}
    )
    assert download is meeting.no_update
    assert "No Chromium browser" in json.dumps(error.to_plotly_json(), default=str)


def test_default_language_comes_from_settings(tmp_path) -> None:
    from app import create_app
    from components.server.settings import Settings

    app = create_app(
        Settings(
            data_dir=SAMPLE_DIR,
            cache_dir=tmp_path / "c",
            lang="en",
            users_file=tmp_path / "users.json",
            secret_file=tmp_path / "secret.key",
        )
    )
    text = json.dumps(app.server.test_client().get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "Patent applications" in text or "Patents" in text
    assert "专利" not in text
