"""Run records: one JSON file per run, written atomically, and a flat table over many of them.

The schema is described in ``results/SCHEMA.md``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path

import torch

from . import __version__

SCHEMA = "signin_lite.run/1"


def write_json_atomic(obj: dict, path: str | os.PathLike) -> Path:
    """Write JSON to a temporary file beside ``path`` and rename it into place, so a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=1, sort_keys=False, allow_nan=True)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_record(record: dict, folder: str | os.PathLike, name: str | None = None) -> Path:
    """Write one run record as ``<folder>/<name>.json`` (name defaults to the record's ``name``)."""
    return write_json_atomic(record, Path(folder) / f"{name or record['name']}.json")


def git_commit() -> str | None:
    """The checkout's commit hash, or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def environment(device: torch.device) -> dict:
    """Where a run ran: device and its name, library versions, commit."""
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = cpu_name() + f" ({os.cpu_count()} cores, {torch.get_num_threads()} threads)"
    return {"device": device.type, "device_name": name, "torch": torch.__version__,
            "python": platform.python_version(), "library_version": __version__, "git_commit": git_commit(),
            "hostname": platform.node()}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


def now() -> str:
    """The current time, UTC, ISO 8601."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def load_records(where: str | os.PathLike | list, pattern: str = "**/*.json", schema: str = SCHEMA) -> list[dict]:
    """Load every record of ``schema`` from a folder (recursively) or a list of paths, sorted by name."""
    paths = []
    for item in where if isinstance(where, list) else [where]:
        item = Path(item)
        if item.is_dir():
            paths += sorted(item.glob(pattern))
        elif item.exists():
            paths.append(item)
        else:
            raise FileNotFoundError(f"no run records at {item}: run `python -m signin_lite train ...` or check the path")
    out = []
    for p in paths:
        try:
            rec = json.loads(p.read_text())
        except json.JSONDecodeError as e:
            raise ValueError(f"{p} is not valid JSON ({e}); delete or fix it") from e
        if isinstance(rec, dict) and rec.get("schema") == schema:
            rec.setdefault("path", str(p))
            out.append(rec)
    return out


def table(records: list[dict]) -> list[dict]:
    """One flat row per record: what was run, where, and its final metrics."""
    rows = []
    for r in records:
        c = r["config"]
        rows.append({
            "name": r["name"], "run_id": r["run_id"], "method": r["method"], "mask": c.get("mask"),
            "sparsity": c.get("sparsity"), "signin": c.get("signin"), "beta": c.get("beta"),
            "rescale_every": c.get("rescale_every"), "weight_decay": c.get("weight_decay"), "seed": c.get("seed"),
            "epochs": c.get("epochs"), "profile": c.get("profile"),
            "test_acc": r["final"].get("test_acc"), "train_acc": r["final"].get("train_acc"),
            "val_acc": r["final"].get("val_acc"), "wall_time_s": r["cost"].get("wall_time_s"),
            "params_effective": r["counts"].get("params_effective"), "flops_effective": r["counts"].get("flops_effective"),
            "device": r["env"].get("device_name"), "data": r["data"].get("source"), "date": r.get("date"),
        })
    return rows


def format_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """A fixed-width text table of rows (floats to 4 significant digits)."""
    if not rows:
        return "(no rows)"
    columns = columns or list(rows[0])
    cell = lambda v: f"{v:.4g}" if isinstance(v, float) else ("" if v is None else str(v))  # noqa: E731
    widths = {c: max(len(c), *(len(cell(r.get(c))) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns), "  ".join("-" * widths[c] for c in columns)]
    lines += ["  ".join(cell(r.get(c)).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)
