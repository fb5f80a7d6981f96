"""Goal 4 (optional): ``torch.compile`` against eager execution for the pure training step, compile time included.

For each model (dense, masked, masked + Sign-In: the parametrizations are traced by torch.compile), two fresh
copies with the same initial weights are trained on the same batches (the library loader's epoch 0, already in
memory): one eager, one ``torch.compile``d. The compiled copy's first epoch includes compilation; after it, eager
and compiled epochs alternate. Printed: first epochs, steady epochs (median), compile time (compiled first epoch
minus its steady epoch), steady speed-up and the number of epochs after which compiling has paid for itself.
(``train.train`` has no compile option; this measures what adding one could give.)

On the CPU this is skipped unless ``--cpu-ok`` (compiling takes minutes on 2 shared cores).

    python bench/compile_vs_eager.py --device cuda --train-per-class 2000 --methods dense pai_signin
"""

from __future__ import annotations

import argparse
import copy

import _common as C
import torch

from signin_lite.training import data, recipe


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    C.add_common_args(p, train_per_class=2000, test_per_class=10, repeats=3)
    p.add_argument("--methods", nargs="+", default=["dense", "pai_signin"], choices=["dense", "pai", "pai_signin"],
                   help="models to compare (default: dense pai_signin)")
    p.add_argument("--mode", default=None, help="torch.compile mode (default: torch's default)")
    p.add_argument("--cpu-ok", action="store_true", help="run on the CPU too")
    args = p.parse_args()
    device = C.setup(args)
    rep = C.Report("bench/compile_vs_eager.py | goal 4: torch.compile vs eager, pure training step", args, device)
    if device.type != "cuda" and not args.cpu_ok:
        rep.line("SKIPPED: no CUDA device. Compiling ResNet-20's training step takes minutes on this shared 2-core "
                 "CPU; pass --cpu-ok to run anyway.")
        return rep.close()
    autocast = device.type == "cuda"
    cfg0 = C.make_cfg(args, "dense")
    splits = C.splits_for(args, cfg0)
    rep.line(C.data_line(args, splits))
    loader = data.DeviceLoader(*splits.train, cfg0.batch_size, train=True, device=device, seed=0)
    loader.set_epoch(0)
    batches = list(loader)
    n_img = len(batches) * cfg0.batch_size
    rows = []
    for method in args.methods:
        cfg = C.make_cfg(args, method)
        torch._dynamo.reset()
        base = recipe.build_model(cfg, device).to(memory_format=torch.channels_last)
        models = {"eager": base, "compiled": copy.deepcopy(base)}
        opts = {k: recipe.make_optimizer(m, cfg) for k, m in models.items()}
        fwd = {"eager": models["eager"], "compiled": torch.compile(models["compiled"], mode=args.mode)}

        def epoch(kind: str, fwd=fwd, opts=opts, cfg=cfg) -> dict[str, float]:  # bound now, not late
            model, opt = fwd[kind], opts[kind]
            with C.Timer(device) as t:
                for x, y in batches:
                    recipe.train_step(model, opt, x, y, autocast=autocast, label_smoothing=cfg.label_smoothing)
            return {"epoch_s": t.seconds}

        first = {k: epoch(k)["epoch_s"] for k in ("compiled", "eager")}
        rep.line(f"{method}: first epoch compiled {first['compiled']:.2f} s (compilation included), "
                 f"eager {first['eager']:.2f} s")
        res = C.interleaved({"eager": lambda: epoch("eager"), "compiled": lambda: epoch("compiled")}, args.repeats,
                            log=rep.line)
        eager = C.med([r["epoch_s"] for r in res["eager"]])
        comp = C.med([r["epoch_s"] for r in res["compiled"]])
        compile_s = first["compiled"] - comp
        gain = eager - comp
        rows.append([method, f"{first['compiled']:.2f}", f"{compile_s:.2f}", f"{eager:.3f}", f"{comp:.3f}",
                     f"{eager / comp:.2f}x", f"{compile_s / gain:.1f}" if gain > 0 else "never"])
        rep.line(f"{method}: compile {compile_s:.2f} s, steady epoch eager {eager:.3f} s vs compiled {comp:.3f} s "
                 f"({rows[-1][5]}), break-even after {rows[-1][6]} epochs")
        del models, opts, fwd, base
    rep.line()
    rep.line(f"{len(batches)} steps of batch {cfg0.batch_size} per epoch ({n_img} images), "
             f"{'bf16 autocast' if autocast else 'fp32'}, channels_last")
    rep.table(["model", "1st comp s", "compile s", "eager s/ep", "comp s/ep", "speed-up", "break-even epochs"],
              rows, [12, 10, 9, 10, 9, 8, 17])
    rep.close()


if __name__ == "__main__":
    main()
