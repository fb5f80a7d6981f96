"""Measure what deploying a sparse ResNet would change: saved file size and inference latency.

For each sparsity it compares a dense ResNet with a merged sparse one (plain weights, zeros off the mask)
and writes one record per (sparsity, batch size) with ``signin_lite.decision.deploy.measure`` (schema
``signin_lite.deploy/1``) to ``results/deploy/resnet<depth>_s<sparsity>_b<batch>.json``:

- storage: ``torch.save`` size of each model as dense, CSR and values + bit mask files;
- latency: median and IQR of one forward pass (``inference_mode``, eval mode) at each batch size.

Weights come from finished runs when ``--work-dir`` holds their ``<run name>/final.pt`` (the sparse run of
the first ``--methods`` entry that exists, seed ``--seed``, and the dense run of that seed), else from a
fresh initialization with an ERK mask. File size and latency depend only on the shapes and the sparsity
pattern, not on the trained values; every record says which weights it used (``weights``), the machine's
load average before and after (``load_average``; the latency of a shared machine is noisy), a control
(``control``: the dense model timed once more, after the sparse one; its ratio to the first dense timing
is what load alone does to a ratio) and a note.
An existing record is kept unless ``--force`` is given or trained weights have appeared since.

    python scripts/measure_deploy.py --work-dir ../sweep/runs/cpu     # the CPU sweep's final weights
    python scripts/measure_deploy.py --dry-run                        # say what would be measured
    python scripts/measure_deploy.py --sparsities 0.9 --batch-sizes 1 --repeats 10 --out /tmp/deploy
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without `pip install -e .`
from signin_lite.foundations import config, schema
from signin_lite.decision import deploy
from signin_lite.core import masks, models, pruning
from signin_lite.evidence import records
from signin_lite.training import train  # noqa: E402


def _final_states(work_dir: Path) -> list[tuple[str, dict]]:
    """(run name, final.pt contents) of every finished run under ``work_dir``."""
    out = []
    for path in sorted(work_dir.glob("*/final.pt")):
        try:
            out.append((path.parent.name, train.load_final(path.parent.name, work_dir)))
        except Exception as e:  # a half-written or foreign file: say so and go on
            print(f"skipping {path}: {e}", file=sys.stderr)
    return out


def _run_id(cfg: dict) -> str | None:
    try:
        return config.TrainConfig(**cfg).run_id()
    except (TypeError, ValueError):
        return None


def _method(cfg: dict) -> str | None:
    try:
        return config.TrainConfig(**cfg).method
    except (TypeError, ValueError):
        return None


def find_trained(finals: list[tuple[str, dict]], *, depth: int, width: float, seed: int, sparsity: float | None,
                 methods: list[str]) -> tuple[str, dict] | None:
    """The finished run of the first method in ``methods`` with this shape, seed and sparsity (None = dense)."""
    for method in methods:
        for name, final in finals:
            c = final.get("config", {})
            if (c.get("depth") == depth and c.get("width") == width and c.get("seed") == seed
                    and _method(c) == method and (sparsity is None or abs(c.get("sparsity", -1) - sparsity) < 1e-9)):
                return name, final
    return None


def plain_model(depth: int, width: float, state: dict | None = None, *, sparsity: float = 0.0, mask: str = "erk",
                seed: int = 0) -> torch.nn.Module:
    """A plain ResNet (no parametrizations): given weights, or a fresh init masked to ``sparsity``."""
    torch.manual_seed(seed)
    model = models.resnet(depth, width)
    if state is not None:
        model.load_state_dict(state)
    elif sparsity > 0:
        masks.apply(model, pruning.make(model, mask, sparsity, seed=seed))
        masks.remove(model)
    return model.eval()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work-dir", type=Path, default=Path("runs/cpu"),
                   help="folder of finished runs (<run name>/final.pt), e.g. the CPU sweep's runs/cpu "
                        "(default: runs/cpu)")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "deploy",
                   help="folder for the records (default: results/deploy)")
    p.add_argument("--sparsities", nargs="+", type=float, default=[0.8, 0.9, 0.95, 0.98], help="sparsities to measure")
    p.add_argument("--batch-sizes", nargs="+", type=int, default=[1, 128], help="batch sizes to time")
    p.add_argument("--depth", type=int, default=20, help="ResNet depth (default: 20)")
    p.add_argument("--width", type=float, default=1.0, help="ResNet width multiplier (default: 1.0)")
    p.add_argument("--seed", type=int, default=0, help="seed of the runs to take weights from, or of the fresh init")
    p.add_argument("--methods", nargs="+", default=["pai_signin", "pai"],
                   help="sparse methods whose trained weights to use, in order of preference (default: pai_signin pai)")
    p.add_argument("--mask", default="erk", choices=[m for m in config.MASK_CHOICES if m != "none"],
                   help="mask of the fresh initialization when no trained run is found (default: erk)")
    p.add_argument("--repeats", type=int, default=40, help="timed forward passes at batch size 1 (default: 40)")
    p.add_argument("--repeats-batched", type=int, default=12,
                   help="timed forward passes at larger batch sizes (default: 12)")
    p.add_argument("--warmup", type=int, default=5, help="untimed passes before timing (default: 5)")
    p.add_argument("--device", default="cpu", help="device to time on (default: cpu)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--force", action="store_true", help="measure again even if a record exists")
    p.add_argument("--dry-run", action="store_true", help="list what would be measured and exit")
    return p


def _measure_one(args: argparse.Namespace, sparsity: float, bs: int, path: Path, what: str, dense_run, sparse_run,
                 kinds: dict, ids: dict) -> None:
    """Measure one (sparsity, batch size) pair, write its deploy record to ``path`` and print a summary."""
    dense = plain_model(args.depth, args.width, dense_run[1]["state"] if dense_run else None, seed=args.seed)
    sparse = plain_model(args.depth, args.width, sparse_run[1]["state"] if sparse_run else None,
                         sparsity=sparsity, mask=args.mask, seed=args.seed)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    rec = deploy.measure(dense, sparse, dense_run_id=ids["dense"], sparse_run_id=ids["sparse"], batch_size=bs,
                         repeats=args.repeats if bs == 1 else args.repeats_batched, warmup=args.warmup,
                         device=args.device)
    rec["weights"] = {
        "kinds": kinds,
        "dense_run": dense_run[0] if dense_run else None,
        "sparse_run": sparse_run[0] if sparse_run else None,
        "init_mask": None if sparse_run else args.mask,
        "target_sparsity": sparsity, "model": f"resnet{args.depth}", "width": args.width, "seed": args.seed,
    }
    rec["load_average"] = {"before": list(load_before), "after": list(os.getloadavg()),
                           "cpu_count": os.cpu_count()}
    rec["note"] = ("Latency timed on a shared machine; compare the load average with the CPU count. "
                   "File size and latency depend on the sparsity pattern only, not on trained values.")
    # control: the dense model timed again after the sparse one; its ratio to the first dense timing
    # shows how much the machine's load alone moves a "ratio" (ideally 1.0)
    again = deploy.inference_latency(dense, bs, args.repeats if bs == 1 else args.repeats_batched,
                                     args.warmup, args.device)
    rec["control"] = {"dense_again": again,
                      "ratio_dense_vs_dense_again": rec["latency"]["dense"]["median_s"] / again["median_s"]}
    rec["load_average"]["after"] = list(os.getloadavg())
    rec["measure_time_s"] = time.perf_counter() - t0
    records.write_json_atomic(rec, path)
    lat, sizes = rec["latency"], rec["storage"]["sparse_model"]
    print(what, flush=True)
    print(f"  sparsity {rec['sparsity']:.4f}; sparse model bytes "
          + ", ".join(f"{f} {sizes[f]}" for f in deploy.FORMATS)
          + f" (dense model {rec['storage']['dense_model']['dense']})", flush=True)
    print(f"  latency dense {lat['dense']['median_s'] * 1e3:.2f} ms,"
          f" sparse {lat['sparse']['median_s'] * 1e3:.2f} ms,"
          f" ratio {lat['ratio']:.3f}, control {rec['control']['ratio_dense_vs_dense_again']:.3f};"
          f" load {load_before[0]:.2f}; {rec['measure_time_s']:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    finals = _final_states(args.work_dir) if args.work_dir.is_dir() else []
    print(f"{len(finals)} finished run(s) under {args.work_dir}", flush=True)
    dense_run = find_trained(finals, depth=args.depth, width=args.width, seed=args.seed, sparsity=None,
                             methods=["dense"])
    args.out.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()
    for sparsity in args.sparsities:
        sparse_run = find_trained(finals, depth=args.depth, width=args.width, seed=args.seed, sparsity=sparsity,
                                  methods=args.methods)
        kinds = {"dense": "trained" if dense_run else "init", "sparse": "trained" if sparse_run else "init"}
        init_id = f"init:resnet{args.depth}:seed{args.seed}"
        ids = {"dense": _run_id(dense_run[1]["config"]) if dense_run else f"{init_id}:dense",
               "sparse": _run_id(sparse_run[1]["config"]) if sparse_run else f"{init_id}:{args.mask}-s{sparsity:g}"}
        for bs in args.batch_sizes:
            path = args.out / f"resnet{args.depth}_s{sparsity:g}_b{bs}.json"
            if path.exists() and not args.force:
                old = records.load_records(path, schema=schema.DEPLOY)
                if old and old[0].get("weights", {}).get("kinds") == kinds:
                    print(f"{path.name}: exists, kept (--force to measure again)")
                    continue
            what = f"{path.name}: dense {kinds['dense']} ({ids['dense']}), sparse {kinds['sparse']} ({ids['sparse']})"
            if args.dry_run:
                print("would measure " + what)
                continue
            _measure_one(args, sparsity, bs, path, what, dense_run, sparse_run, kinds, ids)
    print(f"done in {time.perf_counter() - t_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
