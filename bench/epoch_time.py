"""Goal 1: the library's training epoch against pure compute on the same model and batches, and against the
textbook torchvision pipeline (ImageFolder + DataLoader + per-image RandomCrop, Flip, ToTensor, Normalize).

Variants, each run once per repeat in rotating order:

* pure compute: forward, loss, zero_grad, backward, SGD step over batches already augmented and in memory
  (the very batches the library's epoch 0 yields), then a forward pass over the test batches; nothing else;
* library: ``train.train`` for one epoch; its own timings: the training part (``cost.train_time_s``) and the
  whole epoch ``history[0].time_s`` (training + sign statistics + mask check + evaluation on the test set);
* textbook, N workers: the same model and optimizer fed by ``DataLoader(ImageFolder(...))`` decoding JPEGs.

    python bench/epoch_time.py                              # CPU: ResNet-20, batch 128, 2500 images, 3 repeats
    python bench/epoch_time.py --method pai                 # the masked model (ERK 90 %) instead of the dense one
    python bench/epoch_time.py --device cuda --train-per-class 2000 --repeats 5 --textbook-workers 8 2
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass

import _common as C
import torch

from signin_lite.training import data, recipe, train

FMT = torch.channels_last


@dataclass
class Bench:
    """What every timed variant shares: the config, device, the library loader's epoch 0 and the test batches."""

    args: argparse.Namespace
    cfg: object
    device: torch.device
    splits: recipe.Splits
    loader: data.DeviceLoader
    batches: list
    tests: list

    @property
    def autocast(self) -> bool:
        return self.device.type == "cuda"  # as train.train: bf16 autocast on CUDA

    def fresh(self):
        model = recipe.build_model(self.cfg, self.device).to(memory_format=FMT)
        return model, recipe.make_optimizer(model, self.cfg)

    def step(self, model, opt, x, y) -> None:
        recipe.train_step(model, opt, x, y, autocast=self.autocast, label_smoothing=self.cfg.label_smoothing)

    def pure(self) -> dict[str, float]:
        model, opt = self.fresh()
        model.train()
        with C.Timer(self.device) as t_train:
            for x, y in self.batches:
                self.step(model, opt, x, y)
        model.eval()
        with (C.Timer(self.device) as t_eval, torch.no_grad(),
              torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.autocast)):
            for x, _ in self.tests:
                model(x)
        return {"train_s": t_train.seconds, "eval_s": t_eval.seconds}

    def library(self) -> dict[str, float]:
        with tempfile.TemporaryDirectory() as work:
            rec = train.train(self.cfg, splits=self.splits, results_dir=None, work_dir=work, device=self.device,
                              progress=False, resume=False)
        return {"train_s": rec["cost"]["train_time_s"], "epoch_s": rec["history"][0]["time_s"]}

    def loader_alone(self) -> dict[str, float]:
        """The library's per-step work besides compute: its loader producing an epoch of augmented batches."""
        with C.Timer(self.device) as t:
            for _x, _y in self.loader:
                pass
        return {"train_s": t.seconds}

    def textbook(self, workers: int):
        """The textbook pipeline: torchvision ImageFolder, transforms and a DataLoader with ``workers`` workers."""
        from torch.utils.data import DataLoader  # deferred: only the textbook variants use them
        from torchvision import datasets, transforms
        folder = C.image_folder(self.args, self.cfg.train_per_class)
        tf = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
                                 transforms.ToTensor(), transforms.Normalize(data.CIFAR10_MEAN, data.CIFAR10_STD)])
        ds = datasets.ImageFolder(str(folder / "train"), transform=tf)

        def run() -> dict[str, float]:
            model, opt = self.fresh()
            model.train()
            with C.Timer(self.device) as t:  # from the DataLoader's start (workers included) to the last step
                dl = DataLoader(ds, batch_size=self.cfg.batch_size, shuffle=True, num_workers=workers,
                                drop_last=True, pin_memory=self.device.type == "cuda")
                for x, y in dl:
                    x = x.to(self.device, non_blocking=True).contiguous(memory_format=FMT)
                    self.step(model, opt, x, y.to(self.device, non_blocking=True))
            return {"train_s": t.seconds}
        return run

    def warm_up(self) -> None:
        """Not timed: the kernels / oneDNN primitives of these shapes."""
        model, opt = self.fresh()
        for x, y in self.batches[:3]:
            self.step(model, opt, x, y)
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.autocast):
            model.eval()(self.tests[0][0])


def report(rep: C.Report, res: dict, b: Bench) -> None:
    """The measured parts, then the goal's ratios, each A and B from the same repeat."""
    n_img, n_test = len(b.batches) * b.cfg.batch_size, sum(len(x) for x, _ in b.tests)
    rows = []
    for name, runs in res.items():
        for key in runs[0]:
            vals = [r[key] for r in runs]
            imgs = n_img if key == "train_s" else (n_test if key == "eval_s" else None)
            rows.append([f"{name}: {key}", f"{C.med(vals):.3f}", f"{min(vals):.3f}", f"{max(vals):.3f}",
                         f"{imgs / C.med(vals):.0f}" if imgs else "-"])
    rep.line()
    rep.table(["variant: measured part", "median s", "min s", "max s", "img/s"], rows, [44, 9, 8, 8, 7])

    get = lambda name, key: [r[key] for r in res[name]]  # noqa: E731
    pure_train, lib_train = get("pure compute", "train_s"), get("library (train.train)", "train_s")
    pure_all = [a + b for a, b in zip(pure_train, get("pure compute", "eval_s"), strict=True)]
    comps = [("1  library training part / pure compute training", C.ratio_stats(lib_train, pure_train), 1.05, True),
             ("1  library whole epoch (time_s) / pure train + eval",
              C.ratio_stats(get("library (train.train)", "epoch_s"), pure_all), 1.05, True)]
    comps.append(("   library's loader alone / pure compute training",
                  C.ratio_stats(get("library's loader alone", "train_s"), pure_train), None, True))
    for w in b.args.textbook_workers:
        comps.append((f"1  textbook {w} workers / library training part",
                      C.ratio_stats(get(f"textbook, {w} workers", "train_s"), lib_train), 1.2, False))
    rep.line()
    rep.line("ratio = median over repeats of A_i / B_i, A and B measured in the same repeat; [min, max] over repeats")
    rep.table(["goal  comparison (A / B)", "ratio", "range", "goal", "verdict"],
              [[c, f"{r[0]:.3f}", f"[{r[1]:.3f}, {r[2]:.3f}]",
                "-" if g is None else ("<= " if le else ">= ") + f"{g:g}",
                "(part of the above)" if g is None else C.verdict(r[0], g, le)]
               for c, r, g, le in comps], [54, 6, 16, 7, 19])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    C.add_common_args(p)
    p.add_argument("--method", default="dense", choices=["dense", "pai", "pai_signin"],
                   help="model: dense, pai (ERK 90 %% mask) or pai_signin (mask + Sign-In) (default: dense)")
    p.add_argument("--textbook-workers", type=int, nargs="*", default=[2, 0],
                   help="DataLoader num_workers of the textbook variants; none to skip them (default: 2 0)")
    p.add_argument("--prepare-only", action="store_true",
                   help="only load (decode and cache) the data and make the textbook's image folder, then exit")
    args = p.parse_args()
    device = C.setup(args)
    cfg = C.make_cfg(args, args.method)
    splits = C.splits_for(args, cfg)
    if args.prepare_only:
        folder = C.image_folder(args, cfg.train_per_class) if args.textbook_workers else None
        return print(f"prepared: {C.data_line(args, splits)} | image folder {folder}")
    rep = C.Report("bench/epoch_time.py | goal 1: epoch time vs pure compute and vs the textbook pipeline",
                   args, device)
    rep.line(C.data_line(args, splits))
    loader = data.DeviceLoader(*splits.train, cfg.batch_size, train=True, device=device, seed=cfg.seed)
    loader.set_epoch(0)
    # epoch 0 of the library's loader: the same images, crops, flips and order for every variant
    b = Bench(args, cfg, device, splits, loader, list(loader),
              list(data.DeviceLoader(*splits.test, 500, train=False, device=device)))
    rep.line(f"model     ResNet-{cfg.depth} {cfg.method} (mask {cfg.mask}, sparsity {cfg.sparsity:g}), batch "
             f"{cfg.batch_size}, channels_last, {'bf16 autocast' if b.autocast else 'fp32'} | {len(b.batches)} "
             "steps/epoch")
    b.warm_up()
    variants = {"pure compute": b.pure, "library (train.train)": b.library, "library's loader alone": b.loader_alone}
    for w in args.textbook_workers:
        variants[f"textbook, {w} workers"] = b.textbook(w)
    C.sync(device)
    report(rep, C.interleaved(variants, args.repeats, log=rep.line), b)
    rep.close()


if __name__ == "__main__":
    main()
