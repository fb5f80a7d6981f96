"""Run records: one JSON file per run, validated and written atomically; the one grouping into settings.

The schema lives in :mod:`signin_lite.foundations.schema` (``results/SCHEMA.md`` is generated from it). A *setting* is a
run's whole config except the seed, plus its method and data source: :func:`settings` is the only place that groups
records, and every table, figure, worksheet and report reads through it::

    recs = records.select(records.load_records("results/cpu/runs"), epochs=12, mask=["erk", "none"])
    for s in records.settings(recs):
        print(s.method, s.sparsity, s.seeds, s.values("test_acc"))
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signin_lite.foundations import methods
from signin_lite.foundations import schema as _schema
from signin_lite.foundations.config import LATER_FIELDS

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
    """Validate one record and write it as ``<folder>/<name>.json`` (name defaults to the record's ``name``)."""
    _schema.validate(record)
    return write_json_atomic(record, Path(folder) / f"{name or record['name']}.json")


def git_commit() -> str | None:
    """The checkout's commit hash, or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None




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


PILOTS = ("pilot",)  # sub-folders of pilot runs: they check that a design trains, they are not results


def load_records(where: str | os.PathLike | list, pattern: str = "**/*.json", schema: str = _schema.RUN,
                 skip: tuple[str, ...] = PILOTS) -> list[dict]:
    """Load and validate every record of ``schema`` from a folder (recursively) or a list of paths, sorted by name.
    Below a folder, sub-folders named in ``skip`` are left out (by default the pilots: ``load_records("results")``
    leaves out ``results/cpu_regime/pilot``, ``load_records("results/cpu_regime/pilot")`` reads it).

    A record that breaks its schema raises :class:`signin_lite.foundations.schema.RecordError` naming the file and the
    field.
    """
    paths = []
    for item in where if isinstance(where, list) else [where]:
        item = Path(item)
        if item.is_dir():
            paths += sorted(p for p in item.glob(pattern) if not set(p.relative_to(item).parts[:-1]) & set(skip))
        elif item.exists():
            paths.append(item)
        else:
            raise FileNotFoundError(f"no run records at {item}: run `python -m signin_lite train ...` "
                                    "or check the path")
    out = []
    for p in paths:
        try:
            rec = json.loads(p.read_text())
        except json.JSONDecodeError as e:
            raise ValueError(f"{p} is not valid JSON ({e}); delete or fix it") from e
        if isinstance(rec, dict) and rec.get("schema") == schema:
            try:
                _schema.validate(rec)
            except _schema.RecordError as e:
                raise _schema.RecordError(f"{p}: {e}") from e
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
            "params_effective": r["counts"].get("params_effective"),
            "flops_effective": r["counts"].get("flops_effective"),
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


# ------------------------------------------------------------------------------------------------ settings
SPARSITY_DECIMALS = 4  # realized and target sparsities differ by rounding per layer (< 1e-5 for ResNet-20)


def sparsity_key(sparsity: float) -> float:
    """A sparsity as settings compare it: rounded to :data:`SPARSITY_DECIMALS` (0.899999 and 0.9 are one)."""
    return round(float(sparsity), SPARSITY_DECIMALS)


def full_config(r: Mapping) -> dict:
    """A record's config with the fields added after it was written at their defaults (config.LATER_FIELDS), so an
    older record and a new one of the same setting compare equal."""
    return {**LATER_FIELDS, **r["config"]}


def _identity(r: Mapping) -> tuple:
    cfg = {k: (sparsity_key(v) if k == "sparsity" else v) for k, v in full_config(r).items() if k != "seed"}
    return (r["method"], tuple(sorted((k, repr(v)) for k, v in cfg.items())), r["data"]["source"])


@dataclass(frozen=True)
class Setting:
    """Complete runs whose configs are equal except for the seed (same method and data source), sorted by seed."""

    method: str
    data_source: str
    records: tuple[dict, ...]

    @property
    def config(self) -> dict:
        """The shared config (the first run's seed included; later fields at their defaults, :func:`full_config`)."""
        return full_config(self.records[0])

    def __getitem__(self, field: str) -> Any:
        return sparsity_key(self.config["sparsity"]) if field == "sparsity" else self.config[field]

    @property
    def sparsity(self) -> float:
        return self["sparsity"]

    @property
    def seeds(self) -> list[int]:
        return [r["config"]["seed"] for r in self.records]

    @property
    def n(self) -> int:
        return len(self.records)

    def values(self, metric: str = "test_acc") -> list[float]:
        """``final[metric]`` of each run, in seed order."""
        return [float(r["final"][metric]) for r in self.records]

    def by_seed(self, metric: str = "test_acc") -> dict[int, float]:
        """``final[metric]`` keyed by seed (for paired comparisons)."""
        return dict(zip(self.seeds, self.values(metric), strict=True))


def _dedupe(records: Iterable[Mapping]) -> list[Mapping]:
    """One record per (run id, data source); the same record given twice counts once, two different ones are an
    error."""
    seen: dict[tuple, Mapping] = {}
    for r in records:
        key = (r["run_id"], r["data"]["source"])
        if key in seen and seen[key] is not r and seen[key].get("date") != r.get("date"):
            raise ValueError(f"run {r['run_id']} ({key[1]}) appears twice with different dates "
                             f"({seen[key].get('path', '?')}, {r.get('path', '?')}): delete the stale copy")
        seen.setdefault(key, r)
    return list(seen.values())


def settings(records: Iterable[Mapping]) -> list[Setting]:
    """Group complete records into settings (every config field but the seed equal), in method-table order.

    Every record is validated first (:func:`signin_lite.foundations.schema.validate`); incomplete ones are left out."""
    groups: dict[tuple, list[dict]] = {}
    records = list(records)
    for r in records:
        _schema.validate(r)
    for r in _dedupe(r for r in records if r.get("status") == "complete"):
        groups.setdefault(_identity(r), []).append(r)
    out = [Setting(key[0], key[2], tuple(sorted(rs, key=lambda r: r["config"]["seed"]))) for key, rs in groups.items()]
    for s in out:
        if len(set(s.seeds)) != s.n:
            raise ValueError(f"setting {s.method} has repeated seeds {s.seeds}; "
                             f"run ids {[r['run_id'] for r in s.records]}")
    return sorted(out, key=lambda s: (methods.order(s.method), s.data_source, s.sparsity, _identity(s.records[0])))


def differing_fields(group: Iterable[Setting]) -> list[str]:
    """Config fields (and method, data source) whose values differ between the settings of ``group``."""
    group = list(group)
    out = [k for k in ("method", "data_source") if len({getattr(s, k) for s in group}) > 1]
    keys = sorted({k for s in group for k in s.config} - {"seed"})
    return out + [k for k in keys if len({repr(s.config.get(k)) if k != "sparsity" else s.sparsity for s in group}) > 1]


def one_setting(group: Iterable[Setting], what: str) -> Setting:
    """The single setting of ``group``; an error naming the differing fields when there are several."""
    group = list(group)
    if len(group) != 1:
        if not group:
            raise ValueError(f"no runs for {what}")
        raise ValueError(f"{what} mixes {len(group)} settings that differ in {differing_fields(group)}; "
                         "choose one with records.select(...) first")
    return group[0]


def _field(s: Setting, field: str) -> Any:
    return getattr(s, field) if field in ("method", "data_source") else s[field]


def series(records: Iterable[Mapping], by: Sequence[str]) -> dict[tuple, list[Setting]]:
    """The settings (:func:`settings`) grouped by their values of ``by`` (``method``, ``data_source`` or config
    fields), each group in sparsity order: the points of one line drawn against sparsity, e.g.
    ``series(recs, ("mask", "method"))``. Groups follow ``by``'s values in sorted order (methods in the method
    table's). Two settings of one group at one sparsity are an error naming the fields they differ in.
    """
    groups: dict[tuple, list[Setting]] = {}
    for s in settings(records):
        groups.setdefault(tuple(_field(s, f) for f in by), []).append(s)
    for key, group in groups.items():
        for sparsity in {s.sparsity for s in group}:
            one_setting([s for s in group if s.sparsity == sparsity], f"{dict(zip(by, key, strict=True))} at "
                                                                        f"sparsity {sparsity:g}")
        group.sort(key=lambda s: s.sparsity)

    def order(key: tuple) -> tuple:
        return tuple((methods.order(v), "") if f == "method" else (0, repr(v)) for f, v in zip(by, key, strict=True))

    return {key: groups[key] for key in sorted(groups, key=order)}


def _matches(value: Any, wanted: Any, field: str) -> bool:
    options = list(wanted) if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
    if field == "sparsity":
        return sparsity_key(value) in {sparsity_key(w) for w in options}
    return value in options


def select(records: Iterable[Mapping], **criteria: Any) -> list[Mapping]:
    """Complete records whose ``method``, ``data_source`` or config fields equal the given values (a value or a list;
    sparsities compared as :func:`sparsity_key`). ``lottery_final=True`` drops intermediate lottery rounds."""
    final_only = criteria.pop("lottery_final", False)
    out = []
    for r in records:
        if r.get("status") != "complete":
            continue
        if final_only and "lottery" in r and r["lottery"]["round"] != r["lottery"]["rounds"]:
            continue
        got = {"method": r["method"], "data_source": r["data"]["source"], **full_config(r)}
        unknown = set(criteria) - set(got)
        if unknown:
            raise ValueError(f"cannot select on {sorted(unknown)}; "
                             f"use method, data_source or config fields {sorted(got)}")
        if all(_matches(got[k], v, k) for k, v in criteria.items()):
            out.append(r)
    return out


# ------------------------------------------------------------------------------------------------ provenance
def provenance(records: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> str:
    """One-line provenance for one run record or several (schema ``signin_lite.run/1``).

    Example: ``"profile cpu · Intel Xeon (2 cores) · 2026-11-27 · signin_lite 0.1.0 (5534d8c) · 3 runs"``.
    """
    recs = [records] if isinstance(records, Mapping) else list(records)
    if not recs:
        raise ValueError("provenance() needs at least one run record")

    def values(get) -> list[str]:
        seen: dict[str, None] = {}
        for rec in recs:
            try:
                value = get(rec)
            except (KeyError, TypeError):
                value = None
            if value not in (None, ""):
                seen[str(value)] = None
        return list(seen)

    profiles = values(lambda r: r["config"]["profile"])
    devices = values(lambda r: r["env"].get("device_name") or r["env"]["device"])
    dates = sorted(values(lambda r: str(r["date"])[:10]))
    versions = values(lambda r: r["env"]["library_version"])
    commits = values(lambda r: str(r["env"]["git_commit"])[:7])
    sources = values(lambda r: r["data"]["source"])

    parts = []
    if profiles:
        parts.append("profile " + ", ".join(profiles))
    if devices:
        parts.append(", ".join(devices))
    if dates:
        parts.append(dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}")
    if versions:
        parts.append("signin_lite " + ", ".join(versions) + (f" ({', '.join(commits)})" if commits else ""))
    if sources:
        parts.append("data " + ", ".join(sources))
    parts.append(f"{len(recs)} run" + ("s" if len(recs) != 1 else ""))
    return " · ".join(parts)
