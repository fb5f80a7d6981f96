"""What the one-page report is computed from: a worksheet inputs file (JSON or TOML) and the run records.

    from signin_lite.decision import poc_inputs
    inp = poc_inputs.load_inputs("examples/poc_inputs.toml")     # None: the shipped example inputs
    probe = poc_inputs.reader_probe(inp)                          # the reader's `probe` record, or None
    ws = poc_inputs.report_worksheet(inp, probe=probe)            # dense, PaI and PaI + Sign-In at inp.sparsity

An inputs file is one flat table: every :class:`signin_lite.decision.deployment.Deployment` field, plus ``sparsity``
(the sparsity the report compares), ``poc_seeds``, ``latency_batch`` (a batch size the deploy records measured),
``train_batch_size`` (the batch you train at; 0 = not stated), ``probe`` (the path of your own ``probe`` record,
relative to the inputs file; empty = none) and ``example`` (true for example values). Keys that start with ``_`` are
comments. An unknown or missing key, or a bad value, raises ``ValueError`` naming the file and the field.

Training time and memory ratios come from a probe record: the reader's own (then, and only then, the report says
"your model"), else the project's reference record in ``results/probe`` (torchvision ResNet-18).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import Counter
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from signin_lite.decision import options, poc, timing
from signin_lite.decision.deployment import Deployment, FieldError
from signin_lite.evidence import arms, records, summary
from signin_lite.foundations import schema

ROOT = Path(__file__).resolve().parents[2]  # the repository: signin_lite/decision/ is two levels down
EXAMPLE_INPUTS = ROOT / "examples" / "poc_inputs.toml"
RESULTS = ROOT / "results"
REFERENCE_PROBE = RESULTS / "probe"         # the project's own probe record (torchvision ResNet-18)
FOUR_ARM = RESULTS / "cpu_signin" / "runs"  # the controlled four-arm test of Sign-In
REPORT_METHODS = ("dense", "pai", "pai_signin")
_OVERRIDDEN = " + overrides"


class InputError(ValueError):
    """A value the report cannot use; ``key`` and ``params`` let the command line say it in the reader's language
    (``report_text.error_text``)."""

    def __init__(self, key: str, message: str, **params):
        super().__init__(message)
        self.key, self.params = key, params


@dataclass(frozen=True)
class ReportInputs:
    """The deployment plus the report's own choices."""

    deployment: Deployment
    sparsity: float = 0.9
    poc_seeds: int = 3
    latency_batch: int = 1
    train_batch_size: int = 0
    probe: str = ""
    example: bool = False
    source: str = "(in memory)"


_EXTRA = {  # key -> (check, requirement, default)
    "sparsity": (lambda v: _is_num(v) and 0.0 < v < 1.0, "a number in (0, 1), e.g. 0.9", 0.9),
    "poc_seeds": (lambda v: _is_int(v) and v >= 2, "an integer >= 2 (an interval needs two seeds)", 3),
    "latency_batch": (lambda v: _is_int(v) and v >= 1, "a positive integer (1 or 128 are measured)", 1),
    "train_batch_size": (lambda v: _is_int(v) and v >= 0, "a non-negative integer (0 = not stated)", 0),
    "probe": (lambda v: isinstance(v, str), "a path to a probe record, or \"\" for none", ""),
    "example": (lambda v: isinstance(v, bool), "true or false", False),
}


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_inputs(data: Mapping[str, Any], source: str = "(in memory)") -> ReportInputs:
    """Validate one inputs table; errors name ``source`` and the field."""
    if not isinstance(data, Mapping):
        raise InputError("not_table", f"inputs {source}: expected a table of fields, got {type(data).__name__}",
                         source=source)
    dep_fields = {f.name: f for f in fields(Deployment)}
    data = {k: v for k, v in data.items() if not str(k).startswith("_")}
    unknown = sorted(set(data) - set(dep_fields) - set(_EXTRA))
    if unknown:
        raise InputError("unknown_field", f"inputs {source}: unknown field(s) {', '.join(map(repr, unknown))}; known "
                         f"fields: {', '.join(list(dep_fields) + list(_EXTRA))}", source=source,
                         fields=", ".join(unknown), known=", ".join(list(dep_fields) + list(_EXTRA)))
    required = [n for n, f in dep_fields.items() if f.default is MISSING and f.default_factory is MISSING]
    missing = [n for n in required if n not in data]
    if missing:
        raise InputError("missing_field", f"inputs {source}: missing field(s) {', '.join(map(repr, missing))} "
                         f"(see {EXAMPLE_INPUTS.name} for an example of every field)", source=source,
                         fields=", ".join(missing), example=EXAMPLE_INPUTS.name)
    extra = {}
    for name, (ok, need, default) in _EXTRA.items():
        v = data.get(name, default)
        if not ok(v):
            raise InputError("bad_field", f"inputs {source}: field {name!r} must be {need} (got {v!r})",
                             source=source, field=name, need=need, value=repr(v))
        extra[name] = v
    try:
        dep = Deployment(**{k: v for k, v in data.items() if k in dep_fields})
    except FieldError as e:
        raise InputError("bad_field", f"inputs {source}: {e}", source=source, field=e.field, need=e.need,
                         value=repr(e.value)) from None
    except (TypeError, ValueError) as e:
        raise InputError("bad_inputs", f"inputs {source}: {e}", source=source, detail=str(e)) from None
    return ReportInputs(deployment=dep, source=source, **extra)


def load_inputs(path: str | Path | None = None) -> ReportInputs:
    """Read a ``.json`` or ``.toml`` inputs file (None: the shipped example inputs)."""
    path = Path(path) if path is not None else EXAMPLE_INPUTS
    if not path.is_file():
        raise InputError("inputs_missing", f"inputs file {path} not found; start from a copy of {EXAMPLE_INPUTS}",
                         path=str(path), example=str(EXAMPLE_INPUTS))
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        elif path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            raise InputError("inputs_suffix", f"inputs {path}: use a .json or .toml file (got "
                             f"{path.suffix or 'no suffix'!r})", path=str(path))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise InputError("inputs_syntax", f"inputs {path} is not valid {path.suffix[1:].upper()}: {e}",
                         path=str(path), kind=path.suffix[1:].upper(), detail=str(e)) from None
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
                     deploy_dir: str | Path | None = None, probe: Mapping | None = None) -> poc.Worksheet:
    """The worksheet of the report's three options, from the reference records (CPU sweep by default), with the
    training ratios of ``probe`` (the reader's record) or, without one, of the project's reference probe record."""
    runs_dir = Path(runs_dir) if runs_dir else RESULTS / "cpu" / "runs"
    deploy_dir = Path(deploy_dir) if deploy_dir else RESULTS / "deploy"
    chosen = report_records(records.load_records(runs_dir), inputs.sparsity)
    if not any(r["method"] != "dense" for r in chosen):
        raise InputError("no_sparsity", f"no PaI or PaI + Sign-In records at sparsity {inputs.sparsity:g} in "
                         f"{runs_dir}; choose a sparsity the sweep ran (e.g. 0.9) or run `python -m signin_lite "
                         "sweep`", sparsity=inputs.sparsity, folder=str(runs_dir))
    meas = records.load_records(deploy_dir, schema=schema.DEPLOY) if deploy_dir.is_dir() else []
    measured = sorted({m["latency"]["batch_size"] for m in meas})
    if meas and inputs.latency_batch not in measured:
        raise InputError("latency_batch", f"inputs {inputs.source}: latency_batch = {inputs.latency_batch} was not "
                         f"measured; the deploy records in {deploy_dir} measured batch sizes "
                         f"{', '.join(map(str, measured))}", batch=inputs.latency_batch,
                         measured=", ".join(map(str, measured)))
    at_batch, quiet = poc.latency_records(meas, inputs.latency_batch)
    return poc.build_worksheet(inputs.deployment, options.summarize(chosen), storage=at_batch or meas or None,
                               inference=quiet or None, timing=report_timing(probe),
                               latency_discarded=len(at_batch) - len(quiet))


def report_timing(probe: Mapping | None) -> timing.Timing | None:
    """The reader's probe record as "your model", else the project's reference record (None if neither exists)."""
    if probe is not None:
        return timing.from_probe(probe, reader=True)
    ref = reference_probe()
    return timing.from_probe(ref, reader=False) if ref is not None else None


def reference_probe(folder: str | Path | None = None) -> dict | None:
    """The project's own probe record (the newest ``signin_lite.probe/1`` record in results/probe), or None.
    It measured torchvision's ResNet-18, not the reader's model."""
    folder = Path(folder) if folder else REFERENCE_PROBE
    if not folder.is_dir():
        return None
    recs = records.load_records(folder, schema=schema.PROBE)
    return max(recs, key=lambda r: str(r.get("date", ""))) if recs else None


def load_probe(path: str | Path) -> dict:
    """The reader's probe record, one JSON file written by ``python -m signin_lite probe``."""
    path = Path(path)
    if path.is_dir():
        raise InputError("probe_folder", f"--probe {path} is a folder; name the record file, e.g. "
                         f"{path / 'probe_mymodel_s0.9_0123456789ab.json'}", path=str(path))
    if not path.is_file():
        raise InputError("probe_missing", f"probe record {path} not found; write one with `python -m signin_lite "
                         "probe --model package.module:function --input-shape ...`", path=str(path))
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError("probe_bad", f"probe record {path} is not valid JSON: {e}", path=str(path)) from None
    if not isinstance(rec, dict) or rec.get("schema") != schema.PROBE:
        got = rec.get("schema") if isinstance(rec, dict) else type(rec).__name__
        raise InputError("probe_bad", f"{path} is not a probe record (schema {got!r}, expected {schema.PROBE!r})",
                         path=str(path))
    return rec


def reader_probe(inputs: ReportInputs, override: str | Path | None = None) -> dict | None:
    """The reader's probe record: ``override`` (``report --probe``), else the inputs file's ``probe`` field (a path
    relative to the inputs file), else None."""
    if override:
        return load_probe(override)
    if not inputs.probe:
        return None
    path, source = Path(inputs.probe), Path(inputs.source.removesuffix(_OVERRIDDEN))
    if not path.is_absolute() and source.is_file():
        path = source.parent / path
    return load_probe(path)


def four_arm(folder: str | Path | None = None) -> arms.ArmTest | None:
    """The controlled four-arm test of Sign-In (results/cpu_signin/runs): with several, the one with the most paired
    seeds, then the longest schedule; None while none exists."""
    folder = Path(folder or FOUR_ARM)
    recs = records.load_records(folder) if folder.is_dir() else []
    tests = sorted(arms.four_arm_tests(recs), key=lambda t: (len(t.seeds), t.config["epochs"]))
    return tests[-1] if tests else None


def with_overrides(inputs: ReportInputs, overrides: Mapping[str, Any]) -> ReportInputs:
    """The same inputs with some fields changed, validated again (errors name the field)."""
    data = {f.name: getattr(inputs.deployment, f.name) for f in fields(Deployment)}
    data.update({k: getattr(inputs, k) for k in _EXTRA})
    data.update(overrides)
    return parse_inputs(data, f"{inputs.source.removesuffix(_OVERRIDDEN)}{_OVERRIDDEN}")
