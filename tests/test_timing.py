"""The chapter timing records: their schema, the introduction's table and the line at the top of each chapter."""

from __future__ import annotations

import pytest

from signin_lite.evidence import chapter_times, records
from signin_lite.foundations import schema

ENV = {"device": "cpu", "device_name": "Test CPU (2 cores, 1 threads)", "torch": "2.14", "git_commit": None}


def _record(profile: str, seconds: dict[str, float], date: str = "2026-12-03T10:00:00+00:00") -> dict:
    return {"schema": schema.TIMING, "name": f"chapters_{profile}", "profile": profile,
            "chapters": [{"notebook": k, "seconds": v, "status": "ok", "load_start": 0.5} for k, v in seconds.items()],
            "total_s": sum(seconds.values()), "env": ENV, "date": date,
            "setup": {"command": "python scripts/time_chapters.py", "live": "fresh", "reuse": True, "load_end": 0.7}}


def test_timing_records_validate_and_feed_the_table_and_the_chapter_line(tmp_path):
    records.write_record(_record("smoke", {"01_a": 40.0, "02_b": 65.0}), tmp_path)
    records.write_record(_record("cpu", {"01_a": 300.0, "02_b": 4000.0}), tmp_path)
    recs = chapter_times.load(tmp_path)
    assert set(recs) == {"smoke", "cpu"}
    rows = chapter_times.rows(recs)
    assert rows[0] == {"chapter": "01_a", "smoke": "40 s", "cpu": "5 min", "gpu": chapter_times.NOT_MEASURED}
    assert rows[-1]["chapter"] == "whole book" and rows[-1]["cpu"] == "1 h 12 min"
    line = chapter_times.chapter_line("02_b", recs)
    assert "65 s under the smoke profile" in line and "1 h 07 min under the cpu profile" in line
    assert "gpu: not measured yet" in line and "Test CPU" in line
    assert chapter_times.chapter_line("09_none", recs).startswith("Running time: not measured yet")
    assert chapter_times.load(tmp_path / "missing") == {}


def test_a_timing_record_without_chapters_is_refused(tmp_path):
    bad = _record("smoke", {"01_a": 1.0})
    bad["chapters"] = []
    with pytest.raises(schema.RecordError, match="chapters"):
        records.write_record(bad, tmp_path)


def test_the_readme_states_the_measured_cpu_book_time():
    """Issue 23: the README says how long the book's chapters take under the cpu profile; the number is the committed
    timing record's (rounded as the introduction's table rounds it), with that record's date."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    recs = chapter_times.load()
    assert {"smoke", "cpu"} <= set(recs), "commit results/timing/chapters_{smoke,cpu}.json"
    readme = (root / "README.md").read_text()
    cpu = re.search(r"cpu`\s+profile,\s+the\s+chapters\s+executed\s+in\s+\*\*([^*]+)\*\*", readme)
    smoke = re.search(r"smoke`\s+profile[^*]{0,60}?in\s+\*\*([^*]+)\*\*", readme)
    assert cpu and cpu.group(1) == chapter_times.duration(recs["cpu"]["total_s"])
    assert smoke and smoke.group(1) == chapter_times.duration(recs["smoke"]["total_s"])
    assert recs["cpu"]["date"][:10] in readme and all(c["status"] == "ok" for c in recs["cpu"]["chapters"])
    build = chapter_times.load(kind="book_build")["cpu"]
    stated = re.search(r"whole\s+book\s+build\s+under\s+the\s+`cpu`\s+profile[^*]+took\s+\*\*([^*]+)\*\*"
                       r"\s+\(measured\s+(\S+)", readme)
    assert stated and build["setup"]["build_status"] == "ok"
    assert stated.groups() == (chapter_times.duration(build["setup"]["build_s"]), build["date"][:10])


def test_the_table_follows_the_book_and_names_chapters_by_title(tmp_path):
    """Chapter 3 comes before 3½ (the file stems sort the other way), and rows carry the chapters' titles."""
    stems = ["035_planted_ticket", "03_toy_sign_dynamics", "01_sparse_networks"]
    records.write_record(_record("smoke", dict.fromkeys(stems, 10.0)), tmp_path)
    names = [r["chapter"] for r in chapter_times.rows(chapter_times.load(tmp_path))]
    assert names[:3] == ["1. Sparse networks and pruning at initialization",
                         "3. Why signs get stuck, and how Sign-In frees them", "3½. A planted ticket"]
    assert chapter_times.book_order()[:4] == ["01_sparse_networks", "02_lottery_tickets", "03_toy_sign_dynamics",
                                              "035_planted_ticket"]


def test_book_build_records_are_kept_apart_and_give_the_build_time(tmp_path):
    """A ``book_build`` record (time_chapters.py --build) does not replace the chapters' record in the table; its
    wall time is the build's, not the sum of the chapters."""
    records.write_record(_record("cpu", {"01_a": 300.0}), tmp_path)
    build = _record("cpu", {"01_a": 290.0}, date="2026-12-03T11:00:00+00:00")
    build["name"] = "book_build_cpu"
    build["setup"].update(build_s=780.0, build_status="ok", executor="jupyter-book build (myst-nb)")
    records.write_record(build, tmp_path)
    assert chapter_times.load(tmp_path)["cpu"]["total_s"] == 300.0
    builds = chapter_times.load(tmp_path, kind="book_build")
    assert chapter_times.build_time(builds["cpu"]) == "13 min on Test CPU (2 cores, 1 threads), 2026-12-03"
    assert chapter_times.build_time(None) == chapter_times.NOT_MEASURED
    build["setup"]["build_status"] = "a notebook failed"
    assert chapter_times.build_time(build) == chapter_times.NOT_MEASURED
