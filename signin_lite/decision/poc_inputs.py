"""What the one-page report is computed from: a worksheet inputs file (JSON or TOML) and the run records.

    from signin_lite.decision import poc_inputs
    inp = poc_inputs.load_inputs("examples/poc_inputs.toml")     # None: the shipped example inputs
    ws = poc_inputs.report_worksheet(inp)                         # dense, PaI and PaI + Sign-In at inp.sparsity
    probe = poc_inputs.latest_probe()                             # a `probe` record, or None

An inputs file is one flat table: every :class:`signin_lite.decision.poc.Deployment` field, plus ``sparsity`` (the
sparsity the report compares), ``poc_seeds``, ``latency_batch`` and ``example`` (true for example values).
Keys that start with ``_`` are comments. An unknown or missing key, or a bad value, raises ``ValueError``
naming the file and the field.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import Counter
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from signin_lite.decision import options, poc
from signin_lite.evidence import records, summary
from signin_lite.foundations import schema

ROOT = Path(__file__).resolve().parents[2]  # the repository: signin_lite/decision/ is two levels down
EXAMPLE_INPUTS = ROOT / "examples" / "poc_inputs.toml"
RESULTS = ROOT / "results"
REPORT_METHODS = ("dense", "pai", "pai_signin")


@dataclass(frozen=True)
class ReportInputs:
    """The deployment plus the report's own choices."""

    deployment: poc.Deployment
    sparsity: float = 0.9
    poc_seeds: int = 3
    latency_batch: int = 1
    example: bool = False
    source: str = "(in memory)"


_EXTRA = {  # key -> (check, requirement, default)
    "sparsity": (lambda v: _is_num(v) and 0.0 < v < 1.0, "a number in (0, 1), e.g. 0.9", 0.9),
    "poc_seeds": (lambda v: _is_int(v) and v >= 2, "an integer >= 2 (an interval needs two seeds)", 3),
    "latency_batch": (lambda v: _is_int(v) and v >= 1, "a positive integer (1 or 128 are measured)", 1),
    "example": (lambda v: isinstance(v, bool), "true or false", False),
}


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_inputs(data: Mapping[str, Any], source: str = "(in memory)") -> ReportInputs:
    """Validate one inputs table; errors name ``source`` and the field."""
    if not isinstance(data, Mapping):
        raise ValueError(f"inputs {source}: expected a table of fields, got {type(data).__name__}")
    dep_fields = {f.name: f for f in fields(poc.Deployment)}
    data = {k: v for k, v in data.items() if not str(k).startswith("_")}
    unknown = sorted(set(data) - set(dep_fields) - set(_EXTRA))
    if unknown:
        raise ValueError(f"inputs {source}: unknown field(s) {', '.join(map(repr, unknown))}; known fields: "
                         f"{', '.join(list(dep_fields) + list(_EXTRA))}")
    required = [n for n, f in dep_fields.items() if f.default is MISSING and f.default_factory is MISSING]
    missing = [n for n in required if n not in data]
    if missing:
        raise ValueError(f"inputs {source}: missing field(s) {', '.join(map(repr, missing))} "
                         f"(see {EXAMPLE_INPUTS.name} for an example of every field)")
    extra = {}
    for name, (ok, need, default) in _EXTRA.items():
        v = data.get(name, default)
        if not ok(v):
            raise ValueError(f"inputs {source}: field {name!r} must be {need} (got {v!r})")
        extra[name] = v
    try:
        dep = poc.Deployment(**{k: v for k, v in data.items() if k in dep_fields})
    except (TypeError, ValueError) as e:
        raise ValueError(f"inputs {source}: {e}") from None
    return ReportInputs(deployment=dep, source=source, **extra)


def load_inputs(path: str | Path | None = None) -> ReportInputs:
    """Read a ``.json`` or ``.toml`` inputs file (None: the shipped example inputs)."""
    path = Path(path) if path is not None else EXAMPLE_INPUTS
    if not path.is_file():
        raise FileNotFoundError(f"inputs file {path} not found; start from a copy of {EXAMPLE_INPUTS}")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        elif path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            raise ValueError(f"inputs {path}: use a .json or .toml file (got {path.suffix or 'no suffix'!r})")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"inputs {path} is not valid {path.suffix[1:].upper()}: {e}") from None
    return parse_inputs(data, str(path))


# ------------------------------------------------------------------------------------------- records
def main_schedule(runs: list[dict]) -> int | None:
    """The epoch budget of most dense runs (the report compares runs of one schedule only)."""
    counts = Counter(r["config"].get("epochs") for r in runs if r.get("method") == "dense")
    return max(counts, key=lambda e: (counts[e], -(e or 0))) if counts else None


def report_records(runs: list[dict], sparsity: float) -> list[dict]:
    """Dense, PaI and PaI + Sign-In (the sweep's beta and period; tuning variants dropped) at ``sparsity``, on the
    main schedule: each option one setting of :func:`signin_lite.evidence.records.settings`."""
    main = records.select(summary.main_records(runs), method=list(REPORT_METHODS), epochs=main_schedule(runs))
    return records.select(main, method="dense") + records.select(main, method=["pai", "pai_signin"], sparsity=sparsity)


def report_worksheet(inputs: ReportInputs, runs_dir: str | Path | None = None,
                     deploy_dir: str | Path | None = None) -> poc.Worksheet:
    """The worksheet of the report's three options, from the reference records (CPU sweep by default)."""
    runs_dir = Path(runs_dir) if runs_dir else RESULTS / "cpu" / "runs"
    deploy_dir = Path(deploy_dir) if deploy_dir else RESULTS / "deploy"
    chosen = report_records(records.load_records(runs_dir), inputs.sparsity)
    if not any(r["method"] != "dense" for r in chosen):
        raise ValueError(f"no PaI or PaI + Sign-In records at sparsity {inputs.sparsity:g} in {runs_dir}; "
                         "choose a sparsity the sweep ran (e.g. 0.9) or run `python -m signin_lite sweep`")
    meas = records.load_records(deploy_dir, schema=schema.DEPLOY) if deploy_dir.is_dir() else []
    at_batch, quiet = poc.latency_records(meas, inputs.latency_batch)
    return poc.build_worksheet(inputs.deployment, options.summarize(chosen), storage=at_batch or meas or None,
                               inference=quiet or None)


def latest_probe(folder: str | Path | None = None) -> dict | None:
    """The newest ``signin_lite.probe/1`` record under ``folder`` (default results/probe), or None."""
    folder = Path(folder) if folder else RESULTS / "probe"
    if not folder.is_dir():
        return None
    recs = records.load_records(folder, schema=schema.PROBE)
    return max(recs, key=lambda r: str(r.get("date", ""))) if recs else None


def with_overrides(inputs: ReportInputs, overrides: Mapping[str, Any]) -> ReportInputs:
    """The same inputs with some fields changed, validated again (errors name the field)."""
    data = {f.name: getattr(inputs.deployment, f.name) for f in fields(poc.Deployment)}
    data.update({k: getattr(inputs, k) for k in _EXTRA})
    data.update(overrides)
    return parse_inputs(data, f"{inputs.source} + overrides")
