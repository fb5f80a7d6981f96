"""Goal 5: how long the pieces of ``.ci/run`` take here: pytest on tests/ and every notebook under nbval.

``.ci/run`` runs ``scripts/run_tests.sh``: ``pip install`` of the pinned requirements (not timed here), then
``python -m pytest --nbval-lax tests notebooks`` in the smoke profile. This script runs the same pytest
invocation piece by piece, each as its own process, with the environment ``scripts/setup_env.sh`` sets
(SIGNIN_LITE_PROFILE=smoke unless set, SIGNIN_LITE_DATA=../shared/data/cifar10-jpeg.zip when it exists and the
variable is unset), and prints the wall time, the exit status and the load average at each start. A shared,
busy machine slows every piece: read the load column.

    python bench/ci_time.py                       # tests/ as one piece, then every notebook
    python bench/ci_time.py --per-file            # every tests/test_*.py as its own piece
    python bench/ci_time.py --only notebooks --notebooks notebooks/03_toy_sign_dynamics.ipynb
    python bench/ci_time.py --dry-run             # print the commands only
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import _common as C
import torch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", choices=["tests", "notebooks"], default=None, help="time only this part")
    p.add_argument("--per-file", action="store_true", help="one piece per tests/test_*.py instead of one for tests/")
    p.add_argument("--notebooks", nargs="*", default=None, help="notebooks to time (default: notebooks/*.ipynb)")
    p.add_argument("--pytest-args", default="-q -p no:cacheprovider",
                   help="extra pytest arguments (default: %(default)s)")
    p.add_argument("--dry-run", action="store_true", help="print the commands and exit")
    p.add_argument("--out", default=None, help="also append the printed table to this file")
    args = p.parse_args()
    root = C.ROOT
    env = dict(os.environ)
    env.setdefault("SIGNIN_LITE_PROFILE", "smoke")
    shared = root.parent / "shared/data/cifar10-jpeg.zip"
    if not env.get("SIGNIN_LITE_DATA") and shared.exists():
        env["SIGNIN_LITE_DATA"] = str(shared)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [x for x in [env.get("PYTHONPATH")] if x])
    extra = args.pytest_args.split()

    pieces: list[tuple[str, list[str]]] = []
    if args.only in (None, "tests"):
        files = (sorted(str(f.relative_to(root)) for f in (root / "tests").glob("test_*.py")) if args.per_file
                 else ["tests"])
        pieces += [(f, [sys.executable, "-m", "pytest", *extra, f]) for f in files]
    if args.only in (None, "notebooks"):
        nbs = args.notebooks if args.notebooks is not None else sorted(
            str(f.relative_to(root)) for f in (root / "notebooks").glob("*.ipynb"))
        pieces += [(nb, [sys.executable, "-m", "pytest", "--nbval-lax", *extra, nb]) for nb in nbs]

    rep = C.Report("bench/ci_time.py | goal 5: the pieces of .ci/run, timed one by one", args, torch.device("cpu"))
    rep.line(f"env       SIGNIN_LITE_PROFILE={env['SIGNIN_LITE_PROFILE']} "
             f"SIGNIN_LITE_DATA={env.get('SIGNIN_LITE_DATA', '')}")
    if args.dry_run:
        for name, cmd in pieces:
            rep.line(f"{name}: (cd {root} && {' '.join(cmd)})")
        return rep.close()
    rows, total = [], 0.0
    for name, cmd in pieces:
        load = C.load_avg().split()[0]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seconds = time.perf_counter() - t0
        total += seconds
        last = [line for line in proc.stdout.strip().splitlines() if line.strip()][-1:] or [""]
        rep.line(f"  {name}: {seconds:.1f} s, exit {proc.returncode}, load {load} | {last[0][:90]}")
        rows.append([name, f"{seconds:.1f}", proc.returncode, load])
    rep.line()
    rep.table(["piece", "seconds", "exit", "load@start"], rows + [["total", f"{total:.1f}", "", ""]], [44, 8, 5, 10])
    rep.close()


if __name__ == "__main__":
    main()
