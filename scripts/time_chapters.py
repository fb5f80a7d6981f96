"""Time each chapter's execution under one profile and write a timing record (``signin_lite.timing/1``) that the
introduction's table and the line at the top of each chapter read (``signin_lite/evidence/chapter_times.py``).

Each notebook runs top to bottom with nbclient, as the book build does (myst-nb), from a copy of ``notebooks/``
beside links to the repository's ``results/``, ``book/`` and ``examples/``. With ``--live fresh`` (the default) the
copy has its own empty ``runs/``: every live run starts as in a clean clone; reference runs are reused as the
chapters do, unless ``SIGNIN_LITE_RETRAIN=1``. Time the cpu profile only on a quiet machine (the script prints the load
average, and the record keeps it): with a load above the number of cores the numbers say more about the neighbours.

    python scripts/time_chapters.py --profile smoke                      # writes results/timing/chapters_smoke.json
    python scripts/time_chapters.py --profile cpu --out runs/timing      # anywhere else first, to look at it
    python scripts/time_chapters.py --profile smoke --notebooks 03_toy_sign_dynamics --out runs/timing
    python scripts/time_chapters.py --profile cpu --build    # the whole `jupyter-book build`, from a clean clone

With ``--build`` the script times the book build itself instead: ``jupyter-book build --all`` of a fresh clone of
this checkout's HEAD (so nothing from earlier runs is reused but the committed reference runs), each chapter's
time read from myst-nb's "Executed notebook in N seconds" lines and the whole build's wall time in ``setup.build_s``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
import torch  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from signin_lite.evidence import chapter_times, records  # noqa: E402
from signin_lite.foundations import schema  # noqa: E402
from signin_lite.training import hardware, reference_runs  # noqa: E402

CELL_TIMEOUT = 1800  # seconds, as _config.yml gives the book build
LINKED = ("results", "book", "examples")


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def workspace(live: str) -> Path:
    """A folder with a copy of notebooks/, links to results/, book/ and examples/, and runs/ (empty, or a link)."""
    where = Path(tempfile.mkdtemp(prefix="signin_lite_timing_"))
    shutil.copytree(ROOT / "notebooks", where / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in LINKED:
        (where / name).symlink_to(ROOT / name)
    if live == "keep":
        (where / "runs").symlink_to(ROOT / "runs")
    else:
        (where / "runs").mkdir()
    return where


def run_notebook(path: Path, save_to: Path | None = None) -> tuple[float, str]:
    """Execute one notebook in its folder (saved with its outputs to ``save_to``, if given); (wall seconds, "ok" or
    the error's last line)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    try:
        client.execute()
        status = "ok"
    except Exception as e:  # a failing chapter is recorded, and the others still run
        status = (str(e).strip().splitlines() or [type(e).__name__])[-1][:300]
    seconds = time.perf_counter() - t0
    if save_to is not None:
        save_to.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save_to / path.name)
    return seconds, status


EXECUTED = re.compile(r"notebooks/(\S+?)\.ipynb: Executed notebook in ([\d.]+) seconds")


def build_book(out: Path) -> tuple[float, list[dict], str]:
    """``jupyter-book build`` of a fresh clone of HEAD in ``out``: (wall seconds, one entry per executed notebook in
    the order built, "ok" or the build's last error line)."""
    clone = out / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    bin_dir = Path(sys.executable).parent
    cmd = [str(bin_dir / "jupyter-book"), "build", "--all", "-W", "-n", "--keep-going", str(clone)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=clone)
    seconds = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    (out / "build.log").write_text(log)
    status = "ok" if proc.returncode == 0 else (log.strip().splitlines() or ["build failed"])[-1][:300]
    chapters = [{"notebook": nb, "seconds": round(float(s), 1), "status": status} for nb, s in EXECUTED.findall(log)]
    return seconds, chapters, status


def time_build(args: argparse.Namespace) -> dict:
    """The record of one timed book build (``--build``)."""
    where = Path(tempfile.mkdtemp(prefix="signin_lite_build_"))
    env = hardware.environment(torch.device("cpu"))
    start = load1()
    print(f"{args.profile} profile: jupyter-book build of a fresh clone in {where}; load average {start}", flush=True)
    try:
        seconds, chapters, status = build_book(where)
    finally:
        shutil.rmtree(where / "clone", ignore_errors=True)
    if not chapters:
        raise SystemExit(f"the build executed no notebook ({status}); its log is in {where / 'build.log'}")
    for c in chapters:
        c["load_start"] = start
        print(f"{c['notebook']:32s} {c['seconds']:8.1f} s", flush=True)
    print(f"build {seconds:.0f} s: {status}", flush=True)
    return {"schema": schema.TIMING, "name": f"book_build_{args.profile}", "profile": args.profile,
            "chapters": chapters, "total_s": round(sum(c["seconds"] for c in chapters), 1),
            "setup": {"command": "python scripts/time_chapters.py " + " ".join(sys.argv[1:]),
                      "executor": "jupyter-book build (myst-nb)", "build_s": round(seconds, 1), "build_status": status,
                      "live": "fresh", "reuse": not reference_runs.retrain_asked(), "load_end": load1()},
            "env": env, "date": records.now()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", required=True, choices=["smoke", "cpu", "gpu"], help="SIGNIN_LITE_PROFILE of the run")
    p.add_argument("--notebooks", nargs="+", default=None, help="file stems to run (default: every chapter, in order)")
    p.add_argument("--live", choices=["fresh", "keep"], default="fresh",
                   help="fresh: no earlier live runs, as in a clean clone (default); keep: use this checkout's runs/")
    p.add_argument("--out", default=str(ROOT / "results" / "timing"),
                   help="folder of the record (default: results/timing)")
    p.add_argument("--save-notebooks", default=None, help="also save the executed notebooks, outputs included, here")
    p.add_argument("--build", action="store_true",
                   help="time the whole jupyter-book build of a fresh clone of HEAD instead of each notebook alone")
    args = p.parse_args()
    if args.build:
        os.environ["SIGNIN_LITE_PROFILE"] = args.profile
        record = time_build(args)
        print(f"wrote {records.write_record(record, args.out)}")
        return 0 if record["setup"]["build_status"] == "ok" else 1
    names = args.notebooks or chapter_times.in_book_order(sorted(n.stem for n in (ROOT / "notebooks").glob("*.ipynb")))
    where = workspace(args.live)
    os.environ.update(SIGNIN_LITE_PROFILE=args.profile,
                      PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    chapters = []
    env = hardware.environment(torch.device("cpu"))  # at the start: the commit whose notebooks were copied
    print(f"{args.profile} profile, {args.live} live runs, in {where}; load average {load1()}", flush=True)
    try:
        for name in names:
            start = load1()
            save_to = Path(args.save_notebooks) if args.save_notebooks else None
            seconds, status = run_notebook(where / "notebooks" / f"{name}.ipynb", save_to)
            chapters.append({"notebook": name, "seconds": round(seconds, 1), "status": status, "load_start": start})
            print(f"{name:32s} {seconds:8.1f} s  {status}  (load {start} at its start)", flush=True)
    finally:  # the copy and its live runs go, also when the run is stopped
        shutil.rmtree(where, ignore_errors=True)
    record = {"schema": schema.TIMING, "name": f"chapters_{args.profile}", "profile": args.profile,
              "chapters": chapters, "total_s": round(sum(c["seconds"] for c in chapters), 1),
              "setup": {"command": "python scripts/time_chapters.py " + " ".join(sys.argv[1:]),
                        "executor": "nbclient", "threads": torch.get_num_threads(), "live": args.live,
                        "reuse": not reference_runs.retrain_asked(), "load_end": load1()},
              "env": env, "date": records.now()}
    path = records.write_record(record, args.out)
    print(f"total {record['total_s']:.0f} s; wrote {path}")
    return 0 if all(c["status"] == "ok" for c in chapters) else 1


if __name__ == "__main__":
    sys.exit(main())
