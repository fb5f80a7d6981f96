"""Shared pieces of the bench/ scripts: the machine line, interleaved repeats, timers, data, tables.

Not a script; the scripts next to it import it. Every number a script prints is measured in that run.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from signin_lite.evidence.records import cpu_name  # noqa: E402  (one implementation, shared with run records)
from signin_lite.foundations import config  # noqa: E402
from signin_lite.training import data, hardware, recipe, train  # noqa: E402


# ----------------------------------------------------------------------------- machine and arguments

def add_common_args(p: argparse.ArgumentParser, *, train_per_class: int = 250, test_per_class: int = 100,
                    repeats: int = 3) -> None:
    p.add_argument("--device", default="auto", help="auto (cuda, then cpu), cpu or cuda[:i] (default: auto)")
    p.add_argument("--data", default=None,
                   help="CIFAR-10 zip or folder (default: $SIGNIN_LITE_DATA, else ../shared/data/cifar10-jpeg.zip "
                        "if it exists, else synthetic images)")
    p.add_argument("--synthetic", action="store_true", help="random uint8 images instead of CIFAR-10 (same shapes)")
    p.add_argument("--profile", default="cpu", help="TrainConfig profile the runs start from (default: cpu)")
    p.add_argument("--train-per-class", type=int, default=train_per_class,
                   help=f"training images per class (default: {train_per_class}; 5000 = all)")
    p.add_argument("--test-per-class", type=int, default=test_per_class,
                   help=f"test images per class, evaluated every epoch (default: {test_per_class})")
    p.add_argument("--repeats", type=int, default=repeats,
                   help=f"timed repeats of every variant, interleaved (default: {repeats})")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's default)")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="wall: elapsed time (CUDA events on a GPU); cpu: CPU seconds of this process and its finished "
                        "children (DataLoader workers), which other users of a shared CPU barely change; "
                        "train.train's own timers then read the same clock (default: wall)")
    p.add_argument("--out", default=None, help="also append the printed table to this file")


def setup(args: argparse.Namespace) -> torch.device:
    if args.threads:
        torch.set_num_threads(args.threads)
    device = hardware.pick_device(args.device)
    if getattr(args, "clock", "wall") == "cpu":
        if device.type != "cpu":
            raise SystemExit("--clock cpu measures CPU runs only; use the default wall clock on a GPU")
        set_clock("cpu")
    return device


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process's threads and of its children that have exited."""
    import resource
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime


_CLOCK = {"now": time.perf_counter, "name": "wall"}


def set_clock(name: str) -> None:
    """Make every timer here, and train.train's own (its module-level ``time.perf_counter``), read ``name``."""
    import types
    _CLOCK.update(now=cpu_seconds if name == "cpu" else time.perf_counter, name=name)
    train.time = types.SimpleNamespace(perf_counter=_CLOCK["now"]) if name == "cpu" else time


def clock_name() -> str:
    return {"wall": "wall-clock seconds", "cpu": "CPU seconds of the process (+ exited children)"}[_CLOCK["name"]]


def load_avg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine_lines(device: torch.device) -> list[str]:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"date      {now}",
             f"command   python {' '.join(sys.argv)}",
             f"cpu       {cpu_name()} | {os.cpu_count()} logical cores | torch threads {torch.get_num_threads()}",
             f"software  python {platform.python_version()} | torch {torch.__version__}"
             + (f" | CUDA {torch.version.cuda}" if torch.version.cuda else "")]
    if device.type == "cuda":
        lines.append(f"gpu       {torch.cuda.get_device_name(device)} | "
                     f"{torch.cuda.get_device_properties(device).total_memory / 2**30:.0f} GiB")
    lines.append(f"device    {device} | clock: "
                 f"{clock_name() if device.type == 'cpu' else 'CUDA events / synchronized wall clock'}"
                 f" | load average (1, 5, 15 min) at start: {load_avg()}")
    return lines


class Report:
    """Collects lines, prints them as they come and appends them to ``--out`` at the end."""

    def __init__(self, title: str, args: argparse.Namespace, device: torch.device) -> None:
        self.lines: list[str] = []
        self.out = args.out
        self.line("=" * 100)
        self.line(title)
        for line in machine_lines(device):
            self.line(line)

    def line(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def table(self, header: list[str], rows: list[list], widths: list[int]) -> None:
        def fmt(cells):
            return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                             for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        self.line(fmt(header))
        self.line("-" * (sum(widths) + 2 * (len(widths) - 1)))
        for r in rows:
            self.line(fmt(r))

    def close(self) -> None:
        self.line(f"load average (1, 5, 15 min) at end: {load_avg()}")
        if self.out:
            Path(self.out).parent.mkdir(parents=True, exist_ok=True)
            with open(self.out, "a") as f:
                f.write("\n".join(self.lines) + "\n")


# ----------------------------------------------------------------------------- timing

def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Timer:
    """Time of a region: CUDA events on a GPU (read after a synchronize); on the CPU the chosen clock (--clock)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device

    def __enter__(self) -> "Timer":
        if self.device.type == "cuda":
            self._start = torch.cuda.Event(enable_timing=True)
            self._end = torch.cuda.Event(enable_timing=True)
            self._start.record()
        else:
            self._t0 = _CLOCK["now"]()
        return self

    def __exit__(self, *exc) -> None:
        if self.device.type == "cuda":
            self._end.record()
            self._end.synchronize()
            self.seconds = self._start.elapsed_time(self._end) / 1000
        else:
            self.seconds = _CLOCK["now"]() - self._t0


def interleaved(variants: dict[str, Callable[[], dict[str, float]]], repeats: int,
                log: Callable[[str], None] = print) -> dict[str, list[dict[str, float]]]:
    """Run every variant once per repeat, rotating the order each repeat (A B C, B C A, C A B, ...), so slow
    drift and background load fall on every variant alike. Each variant returns a dict of measured values."""
    names = list(variants)
    out: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            values = variants[name]()
            out[name].append(values)
            log(f"  repeat {r + 1}/{repeats} {name:<34} " + "  ".join(f"{key} {v:.3f}" for key, v in values.items())
                + f"   (load {load_avg().split()[0]})")
    return out


def med(values: list[float]) -> float:
    return statistics.median(values)


def ratio_stats(num: list[float], den: list[float]) -> tuple[float, float, float]:
    """Median, min and max over repeats of num[i] / den[i] (the two ran in the same repeat)."""
    r = [a / b for a, b in zip(num, den, strict=True)]
    return statistics.median(r), min(r), max(r)


def verdict(value: float, goal: float, at_most: bool) -> str:
    ok = value <= goal if at_most else value >= goal
    return "met" if ok else f"MISSED by {abs(value - goal):.3f}"


# ----------------------------------------------------------------------------- data and configs

def data_root(args: argparse.Namespace) -> str | None:
    if args.synthetic:
        return None
    for candidate in (args.data, os.environ.get(data.DATA_ENV), ROOT.parent / "shared/data/cifar10-jpeg.zip",
                      ROOT / "shared/data/cifar10-jpeg.zip"):
        if candidate and Path(candidate).exists():
            return str(candidate)
    args.synthetic = True  # nothing found: say so in the header
    return None


def make_cfg(args: argparse.Namespace, method: str, **extra) -> config.TrainConfig:
    """The config of ``method`` (dense, pai, pai_signin: ERK 90 %, as in the sweep) on the bench's data sizes."""
    from signin_lite.training import sweep
    base = config.make_config(args.profile)
    over = dict(sweep.method_overrides(method, base))
    if method == "dense":
        over["sparsity"] = 0.0
    over.update(epochs=getattr(args, "epochs", 1), train_per_class=args.train_per_class,
                test_per_class=args.test_per_class, val_per_class=0)
    over.update(extra)
    return config.make_config(args.profile, **over)


def splits_for(args: argparse.Namespace, cfg: config.TrainConfig) -> recipe.Splits:
    root = data_root(args)
    if root is None:
        g = torch.Generator().manual_seed(0)
        n_train, n_test = 10 * cfg.train_per_class, 10 * cfg.test_per_class
        make = lambda n: (torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=g),  # noqa: E731
                          torch.arange(n) % 10)
        return recipe.Splits(make(n_train), make(n_test), None, "synthetic")
    return recipe.load_splits(cfg, root)


def data_line(args: argparse.Namespace, splits: recipe.Splits) -> str:
    return (f"data      {splits.source} "
            f"({'random uint8 images' if splits.source == 'synthetic' else data_root(args)}) | "
            f"{len(splits.train[1])} training images, {len(splits.test[1])} test images")


def image_folder(args: argparse.Namespace, n_per_class: int) -> Path:
    """A torchvision ImageFolder tree ``<dir>/train/<class>/*`` with ``n_per_class`` JPEGs per class, made once:
    the first files of each class in the offline zip, or synthetic JPEGs."""
    root = data_root(args)
    cache = Path(os.environ.get(data.CACHE_ENV) or Path.home() / ".cache" / "signin_lite")
    kind = "synthetic" if root is None else "cifar"
    folder = cache / f"bench-imagefolder-{kind}-{n_per_class}"
    done = folder / ".complete"
    if done.exists():
        return folder
    import numpy as np
    from PIL import Image
    for c in data.CLASSES:
        (folder / "train" / c).mkdir(parents=True, exist_ok=True)
    if root is None:
        rng = np.random.default_rng(0)
        for c in data.CLASSES:
            for i in range(n_per_class):
                Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(
                    folder / "train" / c / f"{i:05d}.jpg")
    else:
        src = Path(root)
        if src.is_dir():
            names, read = data._list_folder(src), lambda p: (src / p).read_bytes()
        else:
            zf = zipfile.ZipFile(src)
            names, read = [i.filename for i in zf.infolist() if not i.is_dir()], zf.read
        taken = {c: 0 for c in data.CLASSES}
        for path, label in data._select_split(names, "train", src):  # sorted, as load_cifar10 reads them
            c = data.CLASSES[label]
            if taken[c] < n_per_class:
                (folder / "train" / c / Path(path).name).write_bytes(read(path))
                taken[c] += 1
    done.touch()
    return folder
