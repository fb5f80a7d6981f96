"""Reference checkpoints for chapter 2: the mask of every IMP and LRR round, and the two tickets' weights, written
beside the committed lottery records (``results/cpu/lottery/checkpoints/<name>.pt.gz``), so that the chapter loads
its chains under the cpu profile instead of training them (``lottery.iterative_pruning(..., reuse=True)``; see
``signin_lite/training/reference_runs.py``).

A checkpoint must belong to its record. So the script takes the weights from a run of the lottery step whose records
equal the committed ones, epoch by epoch (CPU training on one thread is deterministic), and writes nothing when one
differs. Rerun the chain (about 7 runs of 5 to 15 min on one thread; the transplants are not needed), then check
and write:

    OMP_NUM_THREADS=1 python -m signin_lite lottery --profile cpu --sparsity 0.9 --rounds 3 --seed 0 \\
        --no-transplant --results runs/reflot/results --work-dir runs/reflot --no-progress
    python scripts/reference_checkpoints.py --runs runs/reflot            # --dry-run: check only

``scripts/cpu_reference.sh`` calls it after its own lottery step, on the runs that made the records.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from signin_lite.evidence import records  # noqa: E402
from signin_lite.training import reference_runs, train  # noqa: E402

COMPARED = ("loss", "train_acc", "test_acc", "val_acc", "test_loss", "sparsity", "sign_flip_fraction")


def differences(committed: dict, rerun: dict) -> list[str]:
    """Where a rerun's record departs from the committed one (empty: the same run)."""
    out = []
    if len(committed["history"]) != len(rerun["history"]):
        return [f"{len(rerun['history'])} epochs instead of {len(committed['history'])}"]
    for a, b in zip(committed["history"], rerun["history"], strict=True):
        out += [f"epoch {a['epoch']} {k}: {b.get(k)!r} instead of {a.get(k)!r}"
                for k in COMPARED if a.get(k) != b.get(k)]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", required=True, help="work dir of the lottery run (its <name>/final.pt)")
    p.add_argument("--rerun-results", default=None, help="that run's records (default: RUNS/results)")
    p.add_argument("--reference", default=str(reference_runs.RESULTS / "cpu/lottery"),
                   help="the committed lottery records (default: results/cpu/lottery)")
    p.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    args = p.parse_args()
    rerun_dir = Path(args.rerun_results or Path(args.runs) / "results")
    committed = [r for r in records.load_records(args.reference) if "lottery" in r]
    if not committed:
        print(f"no lottery records in {args.reference}")
        return 1
    bad = []
    for rec in committed:
        path = rerun_dir / f"{rec['name']}.json"
        if not path.exists():
            bad.append(f"{rec['name']}: not rerun (no {path})")
            continue
        bad += [f"{rec['name']}: {d}" for d in differences(rec, records.load_records(path)[0])]
    if bad:
        print("the rerun is missing runs or differs from the committed records; nothing written:\n  "
              + "\n  ".join(bad[:20]))
        return 1
    for rec in committed:
        lot = rec["lottery"]
        ticket = lot["round"] == lot["rounds"]
        final = train.load_final(rec["name"], args.runs)
        target = reference_runs.checkpoint_path(rec)
        if args.dry_run:
            print(f"{rec['name']}: matches the committed record; would write {target}")
            continue
        reference_runs.save_checkpoint(final, target, weights=ticket)
        print(f"{rec['name']}: {target} ({target.stat().st_size / 1e3:.0f} kB, mask{' and weights' if ticket else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
