"""Exists → load, for the chapters: a run whose config equals a committed reference record's is loaded, not trained.

The reference records are the sweeps under ``results/`` (:data:`FOLDERS`; ``results/README.md`` says how each was
made). ``train.train(cfg, reuse=True)``, ``lottery.iterative_pruning(..., reuse=True)`` and
``lottery.sign_experiment(..., reuse=True)`` ask :func:`find` first; when it finds a record they print
:func:`message` and return that record instead of training::

    record = reference_runs.find(cfg)       # the matching reference record, or None
    print(reference_runs.message(record))
    # loaded reference run <name>; set SIGNIN_LITE_RETRAIN=1 to train it yourself

A record matches when its run id (the hash of the whole config, ``TrainConfig.run_id``) is the config's and, where the
caller says more about the run (``extra``: a lottery round's rewinding and dense run, a transplant's ticket), the record
says the same. Nothing matches under the smoke profile (those runs are CI's check that training works) or with
``SIGNIN_LITE_RETRAIN=1``. A caller that needs the run's weights or mask asks for its reference checkpoint too
(``checkpoints/<name>.pt.gz`` beside the record: config and mask, and the weights of a lottery ticket), which
:func:`install_checkpoint` puts where :func:`signin_lite.training.train.load_final` looks.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from functools import lru_cache
from pathlib import Path

import torch

from signin_lite.evidence import records
from signin_lite.foundations.config import TrainConfig

RESULTS = Path(__file__).resolve().parents[2] / "results"   # the repository's results/ (absent in an installed copy)
FOLDERS = ("cpu/runs", "cpu/lottery", "cpu_signin/runs")     # the reference records a chapter's live run may match
RETRAIN_ENV = "SIGNIN_LITE_RETRAIN"
CHECKPOINTS = "checkpoints"


def retrain_asked() -> bool:
    """True when ``SIGNIN_LITE_RETRAIN`` is set to anything but empty or 0: every run trains."""
    return os.environ.get(RETRAIN_ENV, "").strip() not in ("", "0")


@lru_cache(maxsize=4)
def _index(root: str, folders: tuple[str, ...]) -> dict[str, tuple[dict, ...]]:
    """Complete reference records by run id (read and validated once per process)."""
    out: dict[str, list[dict]] = {}
    for folder in folders:
        path = Path(root) / folder
        if path.is_dir():
            for rec in records.load_records(path):
                if rec.get("status") == "complete":
                    out.setdefault(rec["run_id"], []).append(rec)
    return {k: tuple(v) for k, v in out.items()}


def _same(a: object, b: object) -> bool:
    return json.loads(json.dumps(a)) == json.loads(json.dumps(b))


def find(cfg: TrainConfig, *, extra: dict | None = None, need_checkpoint: bool = False,
         need_sign_alignment: bool = False, root: str | os.PathLike | None = None,
         folders: tuple[str, ...] | None = None) -> dict | None:
    """The reference record of ``cfg`` (a copy), or None: none under the smoke profile, with
    ``SIGNIN_LITE_RETRAIN=1``, or when no record has the config's run id and the values of ``extra``; with
    ``need_checkpoint`` only a record with a reference checkpoint, with ``need_sign_alignment`` only one whose
    epochs recorded sign alignment. ``root`` and ``folders`` default to :data:`RESULTS` and :data:`FOLDERS`."""
    if cfg.profile == "smoke" or retrain_asked():
        return None
    index = _index(str(RESULTS if root is None else root), tuple(FOLDERS if folders is None else folders))
    for rec in index.get(cfg.run_id(), ()):
        if extra and not all(_same(rec.get(k), v) for k, v in extra.items()):
            continue
        if need_checkpoint and not checkpoint_path(rec).exists():
            continue
        if need_sign_alignment and any(h.get("sign_alignment") is None for h in rec["history"]):
            continue
        return json.loads(json.dumps(rec))
    return None


def message(record: dict) -> str:
    """The line a chapter prints for a loaded reference run."""
    return f"loaded reference run {record['name']}; set {RETRAIN_ENV}=1 to train it yourself"


def checkpoint_path(record: dict) -> Path:
    """Where a reference record's checkpoint is (or would be): ``checkpoints/<name>.pt.gz`` beside the record."""
    return Path(record["path"]).parent / CHECKPOINTS / f"{record['name']}.pt.gz"


def save_checkpoint(final: dict, path: str | os.PathLike, weights: bool = True) -> Path:
    """Write a run's end state (:func:`signin_lite.training.train.load_final`) as a reference checkpoint: its config
    and mask, and its weights when ``weights`` (a lottery ticket's; without them ``state`` is None), gzip'd."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    slim = {"config": final["config"], "mask": final["mask"], "state": final["state"] if weights else None,
            "saved_states": {}}
    buffer = io.BytesIO()
    torch.save(slim, buffer)
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return path


def load_checkpoint(path: str | os.PathLike) -> dict:
    """A reference checkpoint as :func:`signin_lite.training.train.load_final` returns a run's end state."""
    return torch.load(io.BytesIO(gzip.decompress(Path(path).read_bytes())), map_location="cpu", weights_only=False)


def install_checkpoint(record: dict, work_dir: str | os.PathLike) -> Path | None:
    """Put the record's reference checkpoint where ``load_final(record["name"], work_dir)`` finds it, so that the
    weights and the record belong together; None when the record has no checkpoint."""
    source = checkpoint_path(record)
    if not source.exists():
        return None
    target = Path(work_dir) / record["name"] / "final.pt"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    torch.save(load_checkpoint(source), tmp)
    os.replace(tmp, target)
    return target
