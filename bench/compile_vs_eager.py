"""``torch.compile`` against eager execution, through the library's own compile path
(:func:`signin_lite.training.compiling.compile_model`, what ``train.train`` uses), compile time included.

For each model (dense, masked, masked + Sign-In: the parametrizations are traced into the graph), two copies with
the same initial weights train on the same batches (the library loader's epoch 0, already in memory): one eager,
one compiled.
1. **Cold compile**: the compiled copy's first epoch, with inductor's on-disk cache in a fresh, empty folder
   (as on a learner's first run), minus its steady epoch.
2. **Warm compile**: ``torch._dynamo.reset()``, the same model compiled again with that cache now filled (as for
   every later run of the same architecture), first epoch minus steady epoch. In-process, so it slightly
   understates what a new process pays (it also loads the cached kernels).
3. **Steady**: eager and compiled epochs alternate (``--repeats`` each); medians per epoch and per step.
Break-even = compile time / (eager step - compiled step), in steps, cold and warm. The last lines print what
``compiling.decide("auto", ...)`` makes of a cpu-profile run (12 epochs) and a 20-epoch run on this device.

On the CPU this is skipped unless ``--cpu-ok`` (compiling takes minutes on 2 shared cores). On a shared machine,
``--clock cpu`` counts this process's CPU seconds, which other users barely change; it also makes inductor compile
in this process (``TORCHINDUCTOR_COMPILE_THREADS=1``), so that the compile's CPU time is counted.

    python bench/compile_vs_eager.py --device cuda --train-per-class 2000 --methods dense pai pai_signin
    python bench/compile_vs_eager.py --cpu-ok --clock cpu --train-per-class 52 --repeats 3 --threads 1 \
        --methods dense pai pai_signin
"""

from __future__ import annotations

import argparse
import copy
import os
import tempfile

import _common as C
import torch

from signin_lite.foundations import config
from signin_lite.training import compiling, data, recipe


def compare(method: str, args: argparse.Namespace, device: torch.device, batches: list, autocast: bool,
            rep: C.Report) -> list[str]:
    """Eager against compiled training epochs of one model, interleaved; its table row."""
    cfg = C.make_cfg(args, method)
    torch._dynamo.reset()
    base = recipe.build_model(cfg, device).to(memory_format=torch.channels_last)
    models = {"eager": base, "compiled": copy.deepcopy(base)}
    opts = {k: recipe.make_optimizer(m, cfg) for k, m in models.items()}
    fwd = {"eager": models["eager"], "compiled": compiling.compile_model(models["compiled"])}

    def epoch(kind: str, fwd=fwd, opts=opts, cfg=cfg) -> dict[str, float]:  # bound now, not late
        model, opt = fwd[kind], opts[kind]
        with C.Timer(device) as t:
            for x, y in batches:
                recipe.train_step(model, opt, x, y, autocast=autocast, label_smoothing=cfg.label_smoothing)
        return {"epoch_s": t.seconds}

    cold_first = epoch("compiled")["epoch_s"]
    torch._dynamo.reset()
    fwd["compiled"] = compiling.compile_model(models["compiled"])
    warm_first = epoch("compiled")["epoch_s"]
    rep.line(f"{method}: first compiled epoch {cold_first:.2f} s cold, {warm_first:.2f} s warm (compilation "
             f"included)")
    res = C.interleaved({"eager": lambda: epoch("eager"), "compiled": lambda: epoch("compiled")}, args.repeats,
                        log=rep.line)
    eager = C.med([r["epoch_s"] for r in res["eager"]])
    comp = C.med([r["epoch_s"] for r in res["compiled"]])
    cold, warm = cold_first - comp, warm_first - comp
    steps = len(batches)
    gain = (eager - comp) / steps
    even = [f"{c / gain:.0f}" if gain > 0 else "never" for c in (cold, warm)]
    row = [method, f"{cold:.1f}", f"{warm:.1f}", f"{eager / steps:.3f}", f"{comp / steps:.3f}",
           f"{eager:.2f}", f"{comp:.2f}", f"{eager / comp:.2f}x", *even]
    rep.line(f"{method}: compile {cold:.1f} s cold / {warm:.1f} s warm; steady step eager {eager / steps:.3f} s vs "
             f"compiled {comp / steps:.3f} s ({row[7]}); break-even after {even[0]} steps cold, "
             f"{even[1]} warm")
    del models, opts, fwd, base
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    C.add_common_args(p, train_per_class=2000, test_per_class=10, repeats=3)
    p.add_argument("--methods", nargs="+", default=["dense", "pai_signin"], choices=["dense", "pai", "pai_signin"],
                   help="models to compare (default: dense pai_signin)")
    p.add_argument("--keep-cache", action="store_true",
                   help="use inductor's usual cache folder instead of a fresh one (the 'cold' compile is then warm)")
    p.add_argument("--cpu-ok", action="store_true", help="run on the CPU too")
    args = p.parse_args()
    if not args.keep_cache:  # before the first compile: inductor reads it when it first writes its cache
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="signin_lite_inductor_")
    if args.clock == "cpu":  # compile in this process, so that its CPU seconds are counted (workers would not be)
        os.environ["TORCHINDUCTOR_COMPILE_THREADS"] = "1"
    device = C.setup(args)
    rep = C.Report("bench/compile_vs_eager.py | torch.compile vs eager, training step, library compile path", args,
                   device)
    if device.type != "cuda" and not args.cpu_ok:
        rep.line("SKIPPED: no CUDA device. Compiling ResNet-20's training step takes minutes on this shared 2-core "
                 "CPU; pass --cpu-ok to run anyway.")
        return rep.close()
    rep.line(f"inductor cache {os.environ.get('TORCHINDUCTOR_CACHE_DIR', 'torch default')}"
             + (" (fresh: the first compile is cold)" if not args.keep_cache else " (kept)")
             + (" | compile threads 1 (--clock cpu)" if args.clock == "cpu" else ""))
    autocast = device.type == "cuda"
    cfg0 = C.make_cfg(args, "dense")
    splits = C.splits_for(args, cfg0)
    rep.line(C.data_line(args, splits))
    loader = data.DeviceLoader(*splits.train, cfg0.batch_size, train=True, device=device, seed=0)
    loader.set_epoch(0)
    batches = list(loader)
    steps = len(batches)
    rows = [compare(method, args, device, batches, autocast, rep) for method in args.methods]
    rep.line()
    rep.line(f"an epoch here = {steps} steps of batch {cfg0.batch_size} ({steps * cfg0.batch_size} images), "
             f"{'bf16 autocast' if autocast else 'fp32'}, channels_last; compile s = first compiled epoch - steady "
             "compiled epoch")
    rep.table(["model", "compile s cold", "warm", "eager s/step", "comp s/step", "eager s/ep", "comp s/ep",
               "speed-up", "break-even steps cold", "warm"], rows, [10, 14, 6, 12, 11, 10, 9, 8, 21, 6])
    rep.line()
    cpu = config.make_config("cpu")
    per_epoch = 10 * cpu.train_per_class // cpu.batch_size  # 39: the training loader drops the last partial batch
    for epochs in (12, 20):
        decision = compiling.decide("auto", device, epochs * per_epoch)
        rep.line(f"compile=auto for a cpu-profile run of {epochs} epochs ({epochs * per_epoch} steps) on "
                 f"{device.type}: {decision.note}")
    rep.close()


if __name__ == "__main__":
    main()
