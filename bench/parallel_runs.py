"""Goal 4 (GPU): k training runs at once against the same k runs one after another, as separate processes.

With real CIFAR-10 the runs go through ``sweep.run_parallel`` (what ``python -m signin_lite sweep --jobs k``
does: one ``python -m signin_lite train`` process per run), with ``jobs=k`` (concurrent) and ``jobs=1``
(sequential). With synthetic images (no data on the machine) this script starts k copies of itself in
``--worker`` mode instead, each calling ``train.train`` once. The runs are seeds 0..k-1 of ``--method``.

Aggregate throughput = k x training images x epochs / wall time of the whole batch of runs, process start, data
loading and evaluation included (what a sweep sees). The per-run training time (``cost.train_time_s``) shows how
much each run slows down when it shares the device.

On the CPU this is skipped unless ``--cpu-ok`` (k processes on a shared 2-core machine measure the other
users as much as the library); ``--threads-per-run`` then sets OMP_NUM_THREADS of every run.

    python bench/parallel_runs.py --device cuda --k 4 --train-per-class 2000 --epochs 3
    python bench/parallel_runs.py --cpu-ok --k 2 --threads-per-run 1 --train-per-class 50
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import _common as C
import torch

from signin_lite.evidence import records
from signin_lite.training import sweep, train

MARK = "BENCH_PARALLEL_RESULT "


def worker(args: argparse.Namespace) -> None:
    device = C.setup(args)
    cfg = C.make_cfg(args, args.method, seed=args.seed, epochs=args.epochs)
    splits = C.splits_for(args, cfg)
    with tempfile.TemporaryDirectory() as work:
        rec = train.train(cfg, splits=splits, results_dir=None, work_dir=work, device=device, progress=False,
                          resume=False)
    print(MARK + json.dumps({"train_time_s": rec["cost"]["train_time_s"]}), flush=True)


def run_batch(args: argparse.Namespace, jobs: int, device: torch.device) -> dict[str, float]:
    """Run the k runs with at most ``jobs`` at once; wall time and the median per-run training time."""
    cfgs = [C.make_cfg(args, args.method, seed=s, epochs=args.epochs) for s in range(args.k)]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        if args.synthetic:
            base = [sys.executable, os.path.abspath(__file__), "--worker", "--synthetic", "--device", str(device),
                    "--method", args.method, "--epochs", str(args.epochs), "--profile", args.profile,
                    "--train-per-class", str(args.train_per_class), "--test-per-class", str(args.test_per_class)]
            pending, running, times = list(range(args.k)), [], []
            while pending or running:
                while pending and len(running) < jobs:
                    running.append(subprocess.Popen(base + ["--seed", str(pending.pop(0))], stdout=subprocess.PIPE,
                                                    text=True))
                proc = running.pop(0)
                out, _ = proc.communicate()
                if proc.returncode != 0:
                    raise SystemExit(f"worker failed with exit {proc.returncode}")
                times += [json.loads(line[len(MARK):])["train_time_s"]
                          for line in out.splitlines() if line.startswith(MARK)]
            wall = time.perf_counter() - t0
        else:
            extra = ["--results", f"{tmp}/results", "--work-dir", f"{tmp}/work", "--device", str(device),
                     "--data", C.data_root(args)]
            codes = sweep.run_parallel(cfgs, jobs, extra, f"{tmp}/logs")
            wall = time.perf_counter() - t0
            if any(codes):
                raise SystemExit(f"a run failed (exit codes {codes}); see the logs of sweep.run_parallel")
            times = [r["cost"]["train_time_s"] for r in records.load_records(f"{tmp}/results")]
    return {"wall_s": wall, "run_train_s": C.med(times)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    C.add_common_args(p, train_per_class=2000, test_per_class=100, repeats=1)
    p.add_argument("--k", type=int, default=4, help="runs at once (default: 4)")
    p.add_argument("--epochs", type=int, default=3, help="epochs of every run (default: 3)")
    p.add_argument("--method", default="pai_signin", choices=["dense", "pai", "pai_signin"],
                   help="(default: pai_signin)")
    p.add_argument("--cpu-ok", action="store_true", help="run on the CPU too")
    p.add_argument("--threads-per-run", type=int, default=None, help="OMP_NUM_THREADS of every run (CPU)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return worker(args)
    device = C.setup(args)
    rep = C.Report(f"bench/parallel_runs.py | goal 4: {args.k} runs at once vs one after another (separate processes)",
                   args, device)
    if device.type != "cuda" and not args.cpu_ok:
        rep.line("SKIPPED: no CUDA device. k processes on this shared CPU would measure the other users as much as "
                 "the library; pass --cpu-ok to run anyway.")
        return rep.close()
    if args.threads_per_run:
        os.environ["OMP_NUM_THREADS"] = str(args.threads_per_run)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(C.ROOT)] + [x for x in [os.environ.get("PYTHONPATH")] if x])
    C.data_root(args)  # sets args.synthetic when no data is found
    cfg = C.make_cfg(args, args.method, epochs=args.epochs)
    images = args.k * args.epochs * (10 * args.train_per_class // cfg.batch_size) * cfg.batch_size
    how = "in-script workers (synthetic data)" if args.synthetic else "sweep.run_parallel (python -m signin_lite train)"
    rep.line(f"runs      {args.k} x {cfg.method} ResNet-{cfg.depth}, "
             f"{args.epochs} epochs of {10 * args.train_per_class} "
             f"images, batch {cfg.batch_size}, via {how}"
             + (f", OMP_NUM_THREADS={args.threads_per_run}" if args.threads_per_run else ""))
    res = C.interleaved({f"{args.k} sequential (jobs=1)": lambda: run_batch(args, 1, device),
                         f"{args.k} concurrent (jobs={args.k})": lambda: run_batch(args, args.k, device)},
                        args.repeats, log=rep.line)
    rows = []
    for name, runs in res.items():
        wall = C.med([r["wall_s"] for r in runs])
        rows.append([name, f"{wall:.2f}", f"{images / wall:.0f}", f"{C.med([r['run_train_s'] for r in runs]):.2f}"])
    rep.line()
    rep.table(["batch of runs", "wall s", "aggregate img/s", "per-run train s"], rows, [30, 8, 16, 16])
    seq, conc = (res[n] for n in res)
    r = C.ratio_stats([x["wall_s"] for x in seq], [x["wall_s"] for x in conc])
    rep.line(f"aggregate throughput, concurrent / sequential: {r[0]:.2f}x  (range [{r[1]:.2f}, {r[2]:.2f}] over "
             f"{args.repeats} repeat(s))")
    rep.close()


if __name__ == "__main__":
    main()
