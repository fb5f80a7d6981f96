"""How long each chapter takes to run, from the timing records that ``scripts/time_chapters.py`` writes
(``results/timing/chapters_<profile>.json``, schema ``signin_lite.timing/1``): the introduction's table and the line at
the top of each chapter::

    recs = timing.load()                          # profile -> record
    rows = timing.rows(recs)                      # one row per chapter: smoke, cpu, gpu
    print(timing.chapter_line("02_lottery_tickets", recs))
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from signin_lite.evidence import records
from signin_lite.foundations import schema

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "results" / "timing"
PROFILES = ("smoke", "cpu", "gpu")
NOT_MEASURED = "not measured yet"


def load(folder: str | os.PathLike | None = None, kind: str = "chapters") -> dict[str, dict]:
    """The newest timing record of each profile in ``folder`` (default: the repository's results/timing): of each
    chapter executed alone (``kind="chapters"``), or of the whole book build (``"book_build"``, with its wall time in
    ``setup["build_s"]``)."""
    folder = Path(folder) if folder is not None else FOLDER
    if not folder.is_dir():
        return {}
    out: dict[str, dict] = {}
    for rec in sorted(records.load_records(folder, schema=schema.TIMING), key=lambda r: r["date"]):
        if rec["name"].startswith(kind + "_"):
            out[rec["profile"]] = rec
    return out


def duration(seconds: float) -> str:
    """Seconds as a reader plans with them: "40 s", "7 min", "1 h 05 min"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _seconds(rec: dict | None, notebook: str) -> float | None:
    if rec is None:
        return None
    for c in rec["chapters"]:
        if c["notebook"] == notebook and c["status"] == "ok":
            return float(c["seconds"])
    return None


def book_order(root: str | os.PathLike = ROOT) -> list[str]:
    """The notebooks' file stems in the order of the book's table of contents (``_toc.yml``)."""
    toc = Path(root) / "_toc.yml"
    text = toc.read_text(encoding="utf-8") if toc.is_file() else ""
    return re.findall(r"^\s*-\s*file:\s*notebooks/(\S+?)(?:\.ipynb)?\s*$", text, flags=re.M)


def in_book_order(stems: list[str], root: str | os.PathLike = ROOT) -> list[str]:
    """``stems`` in the table of contents' order; stems it does not list come after, in their given order."""
    toc = book_order(root)
    return sorted(stems, key=lambda nb: (toc.index(nb) if nb in toc else len(toc), stems.index(nb)))


def title(notebook: str, root: str | os.PathLike = ROOT) -> str:
    """A chapter's short title, from its first heading up to a colon ("3½. A planted ticket"); the file stem when the
    notebook is not there."""
    path = Path(root) / "notebooks" / f"{notebook}.ipynb"
    if not path.is_file():
        return notebook
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        heads = [line[2:] for line in "".join(cell["source"]).splitlines() if line.startswith("# ")]
        if cell["cell_type"] == "markdown" and heads:
            return re.split(r"[:：]", heads[0])[0].strip()
    return notebook


def rows(recs: dict[str, dict], root: str | os.PathLike = ROOT) -> list[dict]:
    """One row per chapter, in the book's order, named by its title: the time under each profile ("not measured
    yet" where no record has it)."""
    timed = list(dict.fromkeys(c["notebook"] for p in PROFILES if p in recs for c in recs[p]["chapters"]))
    out = []
    for nb in in_book_order(timed, root):
        row = {"chapter": title(nb, root)}
        for p in PROFILES:
            s = _seconds(recs.get(p), nb)
            row[p] = duration(s) if s is not None else NOT_MEASURED
        out.append(row)
    if timed:
        out.append({"chapter": "whole book", **{p: duration(recs[p]["total_s"]) if p in recs else NOT_MEASURED
                                                  for p in PROFILES}})
    return out


def provenance(recs: dict[str, dict]) -> list[str]:
    """One sentence per record: profile, machine, date, load and how the runs were set up."""
    out = []
    for p in PROFILES:
        if p not in recs:
            continue
        r, s = recs[p], recs[p]["setup"]
        out.append(f"{p}: measured {r['date'][:10]} on {r['env']['device_name']}, {s.get('live', '?')} live runs, "
                   f"reference runs {'reused' if s.get('reuse') else 'retrained'}, load average "
                   f"{r['chapters'][0].get('load_start', '?')} at the start and {s.get('load_end', '?')} at the end "
                   f"(`{s.get('command', 'scripts/time_chapters.py')}`)")
    return out


def build_time(rec: dict | None) -> str:
    """The whole book build's wall time from a ``book_build`` record: "13 min on <machine>, 2026-12-03", or
    "not measured yet"."""
    if rec is None or rec["setup"].get("build_status") != "ok":
        return NOT_MEASURED
    return f"{duration(rec['setup']['build_s'])} on {rec['env']['device_name']}, {rec['date'][:10]}"


def chapter_line(notebook: str, recs: dict[str, dict] | None = None) -> str:
    """The sentence at the top of a chapter: how long it took to run under each measured profile."""
    recs = load() if recs is None else recs
    seconds = {p: _seconds(recs.get(p), notebook) for p in PROFILES}
    parts = [f"{duration(s)} under the {p} profile" for p, s in seconds.items() if s is not None]
    if not parts:
        return "Running time: not measured yet (scripts/time_chapters.py measures it)."
    where = {p: recs[p]["env"]["device_name"] for p in PROFILES if _seconds(recs.get(p), notebook) is not None}
    machine = next(iter(where.values()))
    missing = [p for p in PROFILES if p not in where]
    return (f"Running time of this chapter: {', '.join(parts)} (measured on {machine}"
            + (f"; {' and '.join(missing)}: {NOT_MEASURED}" if missing else "") + ").")
