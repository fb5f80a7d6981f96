"""Mark the wall times that runs resumed before commit 2afa560 recorded wrongly, and say why (idempotent).

Before 2afa560 a resumed run counted only the time after its last resume as wall time, so a few records show a wall
time below their training time. The true wall time is unknown; this sets ``cost.wall_time_s`` to None and writes
``cost.wall_time_note``. Training times and accuracies are untouched.

    python scripts/repair_wall_times.py results            # repair in place
    python scripts/repair_wall_times.py results --check    # list, change nothing
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from signin_lite.evidence.records import write_json_atomic

NOTE = ("unknown: the run was resumed from a checkpoint written before commit 2afa560, whose wall time counted only "
        "the time after the resume ({after:.1f} s, below the {train:.1f} s of training)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", help="folder searched recursively for run records (*.json)")
    p.add_argument("--check", action="store_true", help="only list the records that need the repair")
    args = p.parse_args()
    for path in sorted(Path(args.folder).glob("**/*.json")):
        rec = json.loads(path.read_text())
        cost = rec.get("cost") if rec.get("schema") == "signin_lite.run/1" else None
        if not cost or cost.get("wall_time_s") is None or cost["wall_time_s"] >= cost["train_time_s"]:
            continue
        print(f"{path}: wall {cost['wall_time_s']:.1f} s < train {cost['train_time_s']:.1f} s")
        if not args.check:
            cost["wall_time_note"] = NOTE.format(after=cost["wall_time_s"], train=cost["train_time_s"])
            cost["wall_time_s"] = None
            write_json_atomic(rec, path)


if __name__ == "__main__":
    main()
