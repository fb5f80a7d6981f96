"""Grids of runs: method names, the configs they stand for, and running them in turn or several at once."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, fields

from signin_lite.foundations import methods
from signin_lite.foundations.config import TrainConfig, make_config

METHODS = methods.sweepable()


def method_overrides(method: str, base: TrainConfig) -> dict:
    """The config changes that turn ``base`` into ``method`` (from the one method table, :mod:`.methods`)."""
    overrides = methods.get(method).overrides
    if overrides is None:
        raise ValueError(f"method {method!r} cannot be swept (it is made by `lottery`); sweepable methods are "
                         f"{list(METHODS)}")
    return overrides(base)


def grid(profile: str, methods: list[str], sparsities: list[float], seeds: list[int], **base) -> list[TrainConfig]:
    """Every (seed, sparsity, method) config, seed-major so that a partly finished sweep covers all methods."""
    base_cfg = make_config(profile, **base)
    out, seen = [], set()
    for seed in seeds:
        for sparsity in sparsities:
            for method in methods:
                changes = {"seed": seed, "sparsity": sparsity, **method_overrides(method, base_cfg)}
                if method == "dense":
                    changes["sparsity"] = 0.0
                cfg = make_config(profile, **{**base, **changes})
                if cfg.run_id() not in seen:
                    seen.add(cfg.run_id())
                    out.append(cfg)
    return out


def cli_args(cfg: TrainConfig) -> list[str]:
    """The ``python -m signin_lite train`` flags that reproduce ``cfg``."""
    args = ["--profile", cfg.profile]
    for f in fields(cfg):
        if f.name == "profile":
            continue
        value = getattr(cfg, f.name)
        flag = "--" + f.name.replace("_", "-")
        if isinstance(value, bool):
            args.append(flag if value else "--no-" + flag[2:])
        else:
            args += [flag, "none" if value is None else str(value)]
    return args


def short_args(cfg: TrainConfig, always: tuple[str, ...] = ("mask", "sparsity", "seed")) -> list[str]:
    """The ``train`` flags that reproduce ``cfg`` and read well in a command: ``--profile``, the fields in ``always``,
    and the fields that differ from the profile's defaults, in field order."""
    base = make_config(cfg.profile)
    args = ["--profile", cfg.profile]
    for f in fields(cfg):
        value = getattr(cfg, f.name)
        if f.name == "profile" or (f.name not in always and value == getattr(base, f.name)):
            continue
        flag = "--" + f.name.replace("_", "-")
        if isinstance(value, bool):
            args.append(flag if value else "--no-" + flag[2:])
        elif isinstance(value, float):
            args += [flag, format(value, ".12g")]  # 0.9, not 0.9000000000000001; 0, not 0.0
        else:
            args += [flag, "none" if value is None else str(value)]
    return args


def run_parallel(configs: list[TrainConfig], jobs: int, extra_args: list[str], log_dir: str | None) -> list[int]:
    """Run each config as its own ``python -m signin_lite train`` process, at most ``jobs`` at once; return exit codes.

    Output goes to ``log_dir/<run name>.log``, or straight to this terminal when ``log_dir`` is None.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if log_dir is not None:
        os.makedirs(log_dir, exist_ok=True)
    pending, running, codes = list(configs), [], []
    while pending or running:
        while pending and len(running) < jobs:
            cfg = pending.pop(0)
            log = open(os.path.join(log_dir, f"{cfg.name()}.log"), "w") if log_dir is not None else None
            cmd = [sys.executable, "-m", "signin_lite", "train", *cli_args(cfg), *extra_args]
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT if log else None)
            running.append((proc, log, cfg))
        for item in list(running):
            proc, log, cfg = item
            if proc.poll() is not None:
                if log is not None:
                    log.close()
                running.remove(item)
                codes.append(proc.returncode)
                where = f", see {log.name}" if log is not None else ""
                status = "done" if proc.returncode == 0 else f"FAILED (exit {proc.returncode}{where})"
                print(f"[{len(codes)}/{len(configs)}] {cfg.name()}: {status}", flush=True)
        time.sleep(0.5)
    return codes


def listing(configs: list[TrainConfig], extra_args: list[str] = ()) -> str:
    """One line per run for job arrays: ``INDEX<tab>NAME<tab>COMMAND``, the command quoted for a shell."""
    return "\n".join(f"{i}\t{cfg.name()}\t"
                     f"{shlex.join(['python', '-m', 'signin_lite', 'train', *cli_args(cfg), *extra_args])}"
                     for i, cfg in enumerate(configs))


def pick(configs: list[TrainConfig], index: int) -> TrainConfig:
    """Run ``index`` of a sweep; a clear error when it is out of range."""
    if not 0 <= index < len(configs):
        raise ValueError(f"--index {index} is out of range: this sweep has {len(configs)} runs, indices 0 to "
                         f"{len(configs) - 1} (see them with --list; "
                         f"a SLURM array for it is --array=0-{len(configs) - 1})")
    return configs[index]


def describe(configs: list[TrainConfig]) -> str:
    """One line per config: its name."""
    return "\n".join(cfg.name() for cfg in configs)


__all__ = ["METHODS", "method_overrides", "grid", "cli_args", "short_args", "run_parallel", "listing", "pick",
           "describe", "asdict"]

