"""Test records made the way the trainer makes them: a committed record of results/cpu as the template, its config
rebuilt through signin_lite.foundations.config and the method table, so every fixture passes
signin_lite.foundations.schema."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from signin_lite.foundations import config, methods

TEMPLATE = json.loads(next((Path(__file__).resolve().parent.parent / "results" / "cpu" / "runs")
                           .glob("pai_erk-s0.9_seed0_*.json")).read_text())


def rid(method: str, seed: int, tag: str = "") -> str:
    """A 12-hex run id for a test record."""
    return hashlib.sha256(f"{method}-s{seed}{tag}".encode()).hexdigest()[:12]


def make_record(method: str, seed: int, acc: float, train_s: float, *, mask: str | None = "erk",
                sparsity: float = 0.9, run_id: str | None = None, profile: str = "cpu", epochs: int = 12,
                flops: tuple = (1000, 100), params: tuple = (500, 50), mem: int | None = 1000,
                date: str = "2026-11-27T19:00:00+00:00", device: str = "Test CPU (2 cores)", **cfg) -> dict:
    """A complete, schema-valid run record of ``method`` with the given final test accuracy and train time."""
    base = config.make_config(profile, epochs=epochs, seed=seed, sparsity=sparsity,
                              **({"mask": mask} if mask else {}), **cfg)
    over = methods.get(method).overrides
    changes = over(base) if over is not None else dict(mask="magnitude", tag=method)
    fields = {k: v for k, v in {**asdict(base), **changes}.items() if k != "profile"}
    c = config.make_config(profile, **fields)
    r = copy.deepcopy(TEMPLATE)
    r.update(name=f"{method}_{seed}", run_id=run_id or rid(method, seed), method=method, config=asdict(c), date=date)
    r["final"] = {**r["final"], "test_acc": acc}
    r["counts"] = {"params_dense": params[0], "params_effective": params[1], "flops_dense": flops[0],
                   "flops_effective": flops[1]}
    r["cost"] = {**r["cost"], "train_time_s": train_s, "wall_time_s": train_s + 1.0, "peak_memory_bytes": mem}
    r["env"] = {**r["env"], "device_name": device}
    r.pop("path", None)
    return r
