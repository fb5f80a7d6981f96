"""The record schemas, typed and versioned: what a run (and a deploy or toy) record holds, checked on write and load.

``results/SCHEMA.md`` is generated from this module (``python -m signin_lite schema > results/SCHEMA.md``; a test
keeps the two equal)::

    from signin_lite.foundations import schema
    schema.validate(record)          # raises schema.RecordError naming the field, the value and what is allowed
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from signin_lite.foundations import methods
from signin_lite.foundations.config import TrainConfig

RUN = "signin_lite.run/1"
DEPLOY = "signin_lite.deploy/1"
TOY = "signin_lite.toy/1"
PROBE = "signin_lite.probe/1"
PLANTED = "signin_lite.planted/1"
PARTIAL = "signin_lite.partial/1"    # a run in progress: its history so far, beside its checkpoint
TIMING = "signin_lite.timing/1"      # how long each chapter took to execute under one profile
SPARSE_FILE = "signin_lite.sparse/1"  # not a record: the format tag of a merged sparse model saved by deploy
SOURCES = ("official", "offline-jpeg")                  # real data; committed records use only these
TEST_SOURCE = "synthetic-test-fixture"                 # the tiny random splits of tests/conftest.py
NUM = (int, float)


class RecordError(ValueError):
    """A record that does not match its schema."""


@dataclass(frozen=True)
class F:
    """One field: allowed types, a description, whether it must be present, and an optional value check."""

    types: tuple[type, ...]
    doc: str
    required: bool = True
    check: Callable[[Any], bool] | None = None
    need: str = ""
    fields: Mapping[str, F] | None = None


def _iso(v: str) -> bool:
    try:
        _dt.datetime.fromisoformat(v)
        return True
    except ValueError:
        return False


def _frac(v: float) -> bool:
    return 0.0 <= v <= 1.0


def _nonneg(v: float) -> bool:
    return v >= 0


_ENV = {
    "device": F((str,), "cpu, cuda or mps"),
    "device_name": F((str,), "the processor or GPU, with cores and threads on a CPU"),
    "torch": F((str,), "torch version"),
    "python": F((str,), "Python version", required=False),
    "library_version": F((str,), "signin_lite version", required=False),
    "git_commit": F((str, type(None)), "the commit the code ran at (None outside a git checkout)"),
    "hostname": F((str,), "machine name", required=False),
}
_RUN_ENV = {**_ENV,
            "compiled": F((bool,), "whether the training steps ran under torch.compile (config.compile decides, by the "
                                   "rule in signin_lite.training.compiling)", required=False),
            "compile_note": F((str,), "why the run was or was not compiled", required=False)}

RUN_FIELDS: dict[str, F] = {
    "schema": F((str,), f"always {RUN!r}", check=lambda v: v == RUN, need=RUN),
    "name": F((str,), "file stem: method, mask, sparsity, seed and run id"),
    "run_id": F((str,), "12 hex characters: a hash of the config",
                check=lambda v: bool(re.fullmatch(r"[0-9a-f]{12}", v)),
                need="12 lowercase hex characters"),
    "method": F((str,), "a name from signin_lite.foundations.methods.TABLE", check=lambda v: v in methods.TABLE,
                need=f"one of {list(methods.TABLE)}"),
    "config": F((dict,), "the full TrainConfig (signin_lite.foundations.config); checked by building it"),
    "history": F((list,), "one entry per epoch: epoch, loss, train_acc, test_acc, val_acc, lr, time_s, sparsity, "
                          "sign_flips (per layer), sign_flip_fraction, sign_alignment (or None), signin (Sign-In "
                          "runs: m^2 - w^2 before each reset, the learning-rate multiplier sqrt(beta^2 + 4 theta^2), "
                          "zero crossings), step_scale (step-size-matched runs: each masked layer's learning-rate "
                          "scale and _effective, the mean scale x multiplier); accuracies are fractions",
                 check=lambda v: len(v) > 0 and all(isinstance(h, dict) and "epoch" in h and "test_acc" in h
                                                    for h in v),
                 need="a non-empty list of dicts with 'epoch' and 'test_acc'"),
    "final": F((dict,), "metrics after the last epoch", fields={
        "test_acc": F(NUM, "test accuracy, a fraction in [0, 1]", check=_frac, need="a fraction in [0, 1]"),
        "train_acc": F(NUM, "training accuracy of the last epoch, a fraction", check=_frac,
                       need="a fraction in [0, 1]"),
        "val_acc": F(NUM + (type(None),), "validation accuracy (None without a validation split)"),
        "loss": F(NUM, "training loss of the last epoch"),
        "test_loss": F(NUM, "test loss", required=False),
        "test_set": F((str,), "which test set test_acc used: per-epoch (the profile's subset) or final (the "
                              "evaluation after training, final_test_per_class)", required=False,
                      check=lambda v: v in ("per-epoch", "final"), need="'per-epoch' or 'final'"),
        "test_size": F((int,), "images behind test_acc", required=False),
        "test_acc_last_epoch": F(NUM, "with a final evaluation: the last epoch's per-epoch test accuracy",
                                 required=False)}),
    "counts": F((dict,), "parameters and FLOPs of one 32x32 forward, dense and effective (nonzero)", fields={
        k: F((int,), k.replace("_", " "), check=_nonneg, need=">= 0")
        for k in ("params_dense", "params_effective", "flops_dense", "flops_effective")}),
    "cost": F((dict,), "what the run cost on its hardware", fields={
        "wall_time_s": F(NUM + (type(None),), "wall time from start to record, interruptions excluded (None: unknown, "
                         "see wall_time_note)", check=lambda v: v is None or v >= 0, need=">= 0 or None"),
        "wall_time_note": F((str,), "why wall_time_s is unknown", required=False),
        "train_time_s": F(NUM, "time spent in training steps", check=_nonneg, need=">= 0"),
        "epoch_time_s_median": F(NUM, "median epoch time", check=_nonneg, need=">= 0"),
        "peak_memory_bytes": F((int, type(None)), "peak memory (GPU allocator, or the process's max RSS on a CPU)"),
        "peak_memory_kind": F((str,), "how peak memory was measured", required=False)}),
    "env": F((dict,), "where it ran", fields=_RUN_ENV),
    "data": F((dict,), "the data it saw", fields={
        "source": F((str,), f"official (torchvision download) or offline-jpeg (the JPEG copy); {TEST_SOURCE} only in "
                            "the test suite", check=lambda v: v in (*SOURCES, TEST_SOURCE),
                    need=f"one of {[*SOURCES, TEST_SOURCE]}"),
        "train_size": F((int,), "training images", check=_nonneg, need=">= 0"),
        "val_size": F((int,), "validation images held out of the training set", check=_nonneg, need=">= 0"),
        "test_size": F((int,), "test images", check=_nonneg, need=">= 0")}),
    "date": F((str,), "when the record was written, ISO 8601 UTC", check=_iso, need="an ISO 8601 date"),
    "status": F((str,), "'complete' for a finished run (the trainer writes nothing else); 'running' or 'failed' "
                        "records from other tools are never grouped",
                check=lambda v: v in ("complete", "running", "failed"),
                need="'complete', 'running' or 'failed'"),
    "distributed": F((dict,), "how the run was spread over processes (signin_lite.training.distributed): world_size, "
                              "backend (None for one process), global_batch, per_device_batch, batchnorm, evaluation",
                      required=False, fields={
                          "world_size": F((int,), "processes", check=lambda v: v >= 1, need=">= 1"),
                          "global_batch": F((int,), "examples per optimizer step, all processes together"),
                          "per_device_batch": F((int,), "examples per step on one process")}),
    "lottery": F((dict,), "lottery rounds: round, rounds, rewind, rewind_epoch, dense_run", required=False),
    "transplant": F((dict,), "sign-transplant runs: ticket, keep", required=False),
}

_PROVENANCE = {"env": F((dict,), "where it ran", fields=_ENV),
               "date": F((str,), "ISO 8601 UTC", check=_iso, need="an ISO 8601 date")}
OTHER_FIELDS: dict[str, dict[str, F]] = {
    DEPLOY: {"schema": F((str,), f"always {DEPLOY!r}"), "run_id": F((str,), "hash of the measurement's inputs"),
             "storage": F((dict,), "bytes of the saved dense and sparse models per format"),
             "latency": F((dict,), "dense and merged-sparse forward time (median, IQR)"), **_PROVENANCE},
    PROBE: {"schema": F((str,), f"always {PROBE!r}"), "run_id": F((str,), "hash of the probe's inputs"),
            "model": F((dict,), "the reader's model: import path and arguments"),
            "input": F((dict,), "synthetic input shape, batch and dtype (float32, or int64 token ids with vocab); the "
                                "probe measures time and memory only"),
            "sparsity": F(NUM, "fraction of the masked weights set to zero (convolutions, linear layers, attention "
                               "projections)", check=lambda v: 0 <= v < 1, need="in [0, 1)"),
            "measurements": F((dict,), "per variant (dense, masked, masked + Sign-In): step-time median and the "
                                       "per-round times in round order (rounds interleave the variants), memory"),
            "weights": F((dict,), "the masked tensors, the weight tensors left dense, and the effective sparsity over "
                                  "every weight tensor (records from before issue 20 lack it)", required=False),
            "storage": F((dict,), "saved bytes of the dense and the merged sparse model"), **_PROVENANCE},
    PLANTED: {"schema": F((str,), f"always {PLANTED!r}"), "name": F((str,), "record name"),
              "run_id": F((str,), "hash of the experiment's config"),
              "config": F((dict,), "teacher, students, arms, seeds, steps (signin_lite.experiments.planted)"),
              "runs": F((list,), "one entry per (arm, seed): final loss and fraction of the teacher's signs recovered"),
              **_PROVENANCE},
    PARTIAL: {"schema": F((str,), f"always {PARTIAL!r}"), "name": F((str,), "the run's name"),
              "config": F((dict,), "the run's config (as in a run record)"),
              "status": F((str,), "always 'partial'", check=lambda v: v == "partial", need="'partial'"),
              "history": F((list,), "per-epoch metrics so far"), **_PROVENANCE,
              "env": F((dict,), "where it runs", fields=_RUN_ENV)},
    TIMING: {"schema": F((str,), f"always {TIMING!r}"), "name": F((str,), "record name: chapters_<profile>"),
             "profile": F((str,), "the SIGNIN_LITE_PROFILE the chapters ran under"),
             "chapters": F((list,), "one entry per notebook, in book order: notebook (file stem), seconds (wall time "
                                    "of its execution, kernel start included), status ('ok' or the error's first "
                                    "line), "
                                    "load_start (1-minute load average when it started)",
                           check=lambda v: len(v) > 0 and all(isinstance(c, dict) and {"notebook", "seconds", "status"}
                                                              <= set(c) for c in v),
                           need="a non-empty list of dicts with 'notebook', 'seconds' and 'status'"),
             "total_s": F(NUM, "sum of the chapters' seconds", check=_nonneg, need=">= 0"),
             "setup": F((dict,), "how they ran: command, executor, threads, live (fresh: no earlier live runs, as in a "
                                 "clean clone), reuse (reference runs loaded), load_end"),
             **_PROVENANCE},
    TOY: {"schema": F((str,), f"always {TOY!r}"), "name": F((str,), "record name"),
          "config": F((dict,), "the toy's settings"), "diagrams": F((dict,), "recovered starts per method"),
          **_PROVENANCE},
}


def _short(v: Any) -> str:
    """repr(v), cut to a readable length for an error message."""
    text = repr(v)
    return text if len(text) <= 120 else text[:117] + "..."


def _check(obj: Mapping, spec: Mapping[str, F], where: str) -> None:
    for key, f in spec.items():
        path = f"{where}.{key}" if where else key
        if key not in obj:
            if f.required:
                raise RecordError(f"{path} is missing ({f.doc})")
            continue
        v = obj[key]
        if isinstance(v, bool) and bool not in f.types or not isinstance(v, f.types):
            raise RecordError(f"{path}={_short(v)} has type {type(v).__name__}; expected "
                              f"{'/'.join(t.__name__ for t in f.types)}")
        if f.check is not None and v is not None and not f.check(v):
            raise RecordError(f"{path}={_short(v)} is invalid: it must be {f.need}")
        if f.fields is not None:
            _check(v, f.fields, path)


def _check_config(cfg: Mapping) -> None:
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(cfg) - known)
    if unknown:
        raise RecordError(f"config has unknown fields {unknown}; known fields are {sorted(known)}")
    try:
        TrainConfig(**cfg)
    except (TypeError, ValueError) as e:
        raise RecordError(f"config is invalid: {e}") from e


def validate(record: Mapping) -> None:
    """Check a record against its schema (run, deploy or toy); raise :class:`RecordError` naming the field."""
    if not isinstance(record, Mapping):
        raise RecordError(f"a record must be a dict, got {type(record).__name__}")
    kind = record.get("schema")
    if kind == RUN:
        _check(record, RUN_FIELDS, "")
        _check_config(record["config"])
        cost = record["cost"]
        wall, train = cost["wall_time_s"], cost["train_time_s"]
        if wall is None and "wall_time_note" not in cost:
            raise RecordError("cost.wall_time_s is None without cost.wall_time_note saying why")
        if wall is not None and wall < train:
            raise RecordError(f"cost.wall_time_s={wall} is below cost.train_time_s={train}; "
                              "wall time includes training")
    elif kind in OTHER_FIELDS:
        _check(record, OTHER_FIELDS[kind], "")
    else:
        raise RecordError(f"schema={kind!r} is unknown; known schemas are {[RUN, *OTHER_FIELDS]}")


def _lines(spec: Mapping[str, F], indent: int) -> list[str]:
    out = []
    for key, f in spec.items():
        kind = "/".join("null" if t is type(None) else t.__name__ for t in f.types)
        opt = "" if f.required else ", optional"
        out.append(f"{'  ' * indent}- `{key}` ({kind}{opt}): {f.doc}" + (f"; must be {f.need}" if f.need else ""))
        if f.fields is not None:
            out += _lines(f.fields, indent + 1)
    return out


def markdown() -> str:
    """The text of ``results/SCHEMA.md``, generated from the specs above."""
    parts = ["# Record schemas", "",
             "Generated from `signin_lite/foundations/schema.py` by `python -m signin_lite schema`; do not edit by "
             "hand. Every record is validated against it when written and when loaded, and `tests/test_results.py` "
             "checks every record under `results/`.", "",
             f"## `{RUN}`: one training run", "", *_lines(RUN_FIELDS, 0), "",
             "Cross-field rules: `cost.wall_time_s` >= `cost.train_time_s` where the wall time is known; "
             "`config` builds a valid `TrainConfig`. A *setting* is every config field but `seed` "
             "(`signin_lite.evidence.records.settings`)."]
    for kind, spec in OTHER_FIELDS.items():
        parts += ["", f"## `{kind}`", "", *_lines(spec, 0)]
    return "\n".join(parts) + "\n"
