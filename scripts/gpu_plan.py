"""Size the GPU reference run from a one-epoch calibration: how many seeds and epochs fit in the time left.

    python scripts/gpu_plan.py --calibration $OUT/calibration --seconds-left 420 --out $OUT/plan.json

Reads the calibration records (the arms run side by side for one epoch), takes the slowest first epoch t and the
largest per-process overhead o (wall time minus the epochs' time: start-up, data, final evaluation), and assumes an
epoch of J runs side by side takes t * max(1, J / c), c being the calibration's concurrency (linear slow-down once
the GPU is full: conservative when it is not). It then picks, in this order:
  1. the most seeds (from --min-seeds to --max-seeds) that fit --max-epochs (160, the paper's schedule);
  2. else --min-seeds seeds with as many epochs as fit (at least --min-epochs);
  3. else fewer seeds (down to 1) with at least --min-epochs;
and prints "SEEDS EPOCHS JOBS" on stdout (exit 3 when nothing fits). The plan and its inputs go to --out as JSON.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path


def measure(calibration: str) -> dict:
    """The slowest first-epoch time, the largest overhead and the concurrency of the calibration records."""
    recs = [json.loads(p.read_text()) for p in sorted(Path(calibration).glob("**/*.json"))]
    recs = [r for r in recs if r.get("schema") == "signin_lite.run/1" and r.get("history")]
    if not recs:
        raise ValueError(f"no calibration records in {calibration}: the one-epoch calibration did not finish")
    first = max(r["history"][0]["time_s"] for r in recs)
    overhead = max(r["cost"]["wall_time_s"] - sum(h["time_s"] for h in r["history"]) for r in recs)
    return {"epoch_s": first, "overhead_s": max(0.0, overhead), "concurrency": len(recs)}


def plan(epoch_s: float, overhead_s: float, concurrency: int, seconds_left: float, arms: int = 4,
         max_seeds: int = 6, min_seeds: int = 3, max_epochs: int = 160, min_epochs: int = 10) -> dict:
    """Seeds, epochs and concurrent jobs that fit ``seconds_left`` (see the module docstring for the rule)."""
    if epoch_s <= 0 or concurrency < 1 or arms < 1 or not 1 <= min_seeds <= max_seeds:
        raise ValueError(f"bad plan inputs: epoch_s={epoch_s}, concurrency={concurrency}, arms={arms}, "
                         f"seeds {min_seeds}..{max_seeds}")

    def epochs(seeds: int) -> int:
        per_epoch = epoch_s * max(1.0, arms * seeds / concurrency)
        return max(0, math.floor((seconds_left - overhead_s) / per_epoch))

    fits = [s for s in range(max_seeds, min_seeds - 1, -1) if epochs(s) >= max_epochs]
    if fits:
        seeds, n, rule = fits[0], max_epochs, "full schedule"
    elif epochs(min_seeds) >= min_epochs:
        seeds, n, rule = min_seeds, epochs(min_seeds), "shortened schedule, minimum seeds"
    else:
        fewer = [s for s in range(min_seeds - 1, 0, -1) if epochs(s) >= min_epochs]
        if not fewer:
            raise ValueError(f"nothing fits: one seed would get {epochs(1)} epochs in {seconds_left:.0f} s "
                             f"(epoch {epoch_s:.1f} s, overhead {overhead_s:.1f} s); need at least {min_epochs}")
        seeds, n, rule = fewer[0], min(max_epochs, epochs(fewer[0])), "shortened schedule, fewer seeds"
    return {"seeds": seeds, "epochs": n, "jobs": arms * seeds, "rule": rule, "max_epochs": max_epochs,
            "shortened": n < max_epochs, "expected_s": overhead_s + n * epoch_s * max(1.0, arms * seeds / concurrency)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calibration", required=True, help="folder of the one-epoch calibration records")
    p.add_argument("--seconds-left", type=float, required=True, help="seconds the main sweep may take")
    p.add_argument("--arms", type=int, default=4, help="arms per seed (default 4)")
    p.add_argument("--max-seeds", type=int, default=6, help="most seeds (default 6)")
    p.add_argument("--min-seeds", type=int, default=3, help="seeds kept before the schedule is shortened (default 3)")
    p.add_argument("--max-epochs", type=int, default=160, help="the full schedule (default 160, the paper's)")
    p.add_argument("--min-epochs", type=int, default=10, help="fewest epochs worth running (default 10)")
    p.add_argument("--out", default=None, help="write the plan and its inputs here as JSON")
    args = p.parse_args(argv)
    try:
        measured = measure(args.calibration)
        chosen = plan(seconds_left=args.seconds_left, arms=args.arms, max_seeds=args.max_seeds,
                      min_seeds=args.min_seeds, max_epochs=args.max_epochs, min_epochs=args.min_epochs, **measured)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({**chosen, "measured": measured, "seconds_left": args.seconds_left},
                                             indent=1) + "\n")
    print(chosen["seeds"], chosen["epochs"], chosen["jobs"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
