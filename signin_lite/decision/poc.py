"""PoC cost model: does sparse training cut compute cost without hurting accuracy?

The model turns measured run records (``results/SCHEMA.md``) and the user's deployment numbers into a
worksheet, one row per option (method x mask x sparsity). The savings are kept apart, never blended:

1. theoretical compute (FLOPs) saving  -- an explicit upper bound, dense kernels do not realize it;
2. storage saving                      -- measured sizes of saved files (``signin_lite.decision.deploy``);
3. wall-clock inference cost           -- measured dense vs merged-sparse latency x the user's
                                          realized speed-up assumption;
4. retraining cost                     -- dense training hours x each option's step-time ratio against dense,
                                          from a controlled (interleaved) measurement (:mod:`timing`); a ratio
                                          whose interval includes 1 is "not measurable here" and counts as 1.

The sweep records' wall-clock training times never set a ratio (they come from a shared machine). One rule turns
an option into a verdict, :func:`signin_lite.decision.rule.decide`: go / not yet / no-go
(実施 / 時期尚早 / 見送り, :data:`signin_lite.decision.rule.VERDICT_LABELS`),
used by the worksheet, the report, the appendix and the executive summaries alike.

Typical use::

    from signin_lite.evidence.records import load_records
    from signin_lite.decision import poc
    dep = Deployment(requests_per_month=3e6, hardware="1x L4 GPU", price_per_hour=0.8,
                         power_watts=72, electricity_price_per_kwh=0.2, baseline_throughput_rps=900)
    ws = poc.build_worksheet(dep, options.summarize(load_records("results")), storage=deploy_rec, inference=deploy_rec,
                             timing=timing.from_probe(probe_record, reader=False))
    for row in ws.rows(): print(row)
    print("\\n".join(ws.assumptions))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping, NamedTuple, Sequence

from signin_lite.decision import timing as timing_
from signin_lite.decision.deployment import Deployment
from signin_lite.decision.notes import TEMPLATES, Note
from signin_lite.decision.options import MethodSummary, accuracy_change, get_path
from signin_lite.decision.rule import VERDICT_LABELS, decide
from signin_lite.foundations import methods, schema
from signin_lite.evidence import stats



# ------------------------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class OptionResult:
    """One option of the worksheet. Costs are per month in ``Deployment.currency``."""

    summary: MethodSummary
    family: str
    acc_mean_pct: float
    acc_std_pp: float | None
    acc_change_pp: float
    acc_ci_pp: stats.Difference | None
    flops_saving_pct: float | None         # theoretical upper bound
    params_saving_pct: float | None
    storage: dict | None                   # {dense_bytes, bytes, format, saving_pct, source}
    train_memory_change_pct: float | None  # from the run records (+ = more peak memory than dense); indicative
    train_time: timing_.TimeRatio | None   # step time / dense from the controlled measurement (None: not measured)
    train_time_ratio: float                # the ratio the costs use (1.0 unless measured)
    train_memory_ratio: float | None       # peak training memory / dense, from the controlled measurement
    speedup_measured: float
    speedup_effective: float
    latency_source: dict | None
    inference_hours: float
    inference_cost: float
    train_hours_per_run: float
    retraining_cost: float
    energy_kwh: float
    total_cost: float
    saving_abs: float
    saving_pct: float | None
    upper_saving: float                    # if inference realized the whole FLOPs cut
    verdict: str
    blockers: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.summary.label

    @property
    def train_time_status(self) -> str:
        """``measured``, ``not_measurable`` (interval includes 1) or ``not_measured`` (no controlled timing)."""
        return self.train_time.status if self.train_time is not None else timing_.NOT_MEASURED

    @property
    def reason(self) -> str:
        """The first blocker, or ``ok`` (``baseline`` for dense)."""
        return "baseline" if self.verdict == "baseline" else (self.blockers[0] if self.blockers else "ok")


@dataclass(frozen=True)
class Worksheet:
    deployment: Deployment
    options: list[OptionResult]            # dense baseline first
    notes: list[Note]
    measurements: list[dict]               # provenance of deploy measurements used
    created: str
    timing: timing_.Timing | None = None   # the controlled measurement behind the training ratios

    @property
    def dense(self) -> OptionResult:
        return self.options[0]

    @property
    def assumptions(self) -> list[str]:
        """Every assumption, as English sentences."""
        words = {f"v_{k.replace('-', '_')}": v for k, v in VERDICT_LABELS["en"].items()}
        return [TEMPLATES["en"][n.key].format(**words, **n.params) for n in self.notes]

    def rows(self) -> list[dict]:
        """Flat rows (one per option) for tables."""
        out = []
        for o in self.options:
            s = o.summary
            out.append({
                "option": o.label, "family": o.family, "n_seeds": s.n_seeds,
                "test_acc_pct": o.acc_mean_pct, "test_acc_std_pp": o.acc_std_pp,
                "acc_change_pp": o.acc_change_pp,
                "acc_ci_low_pp": o.acc_ci_pp.low if o.acc_ci_pp else None,
                "acc_ci_high_pp": o.acc_ci_pp.high if o.acc_ci_pp else None,
                "flops_saving_pct_upper_bound": o.flops_saving_pct,
                "storage_saving_pct": o.storage["saving_pct"] if o.storage else None,
                "storage_format": o.storage["format"] if o.storage else None,
                "train_memory_change_pct": o.train_memory_change_pct,
                "train_time_ratio": o.train_time.ratio if o.train_time else None,
                "train_time_low": o.train_time.low if o.train_time else None,
                "train_time_high": o.train_time.high if o.train_time else None,
                "train_time_status": o.train_time_status, "train_memory_ratio": o.train_memory_ratio,
                "speedup_effective": o.speedup_effective,
                "inference_cost": o.inference_cost, "retraining_cost": o.retraining_cost,
                "total_cost": o.total_cost, "saving_abs": o.saving_abs, "saving_pct": o.saving_pct,
                "upper_saving": o.upper_saving, "verdict": o.verdict, "blockers": ", ".join(o.blockers),
                "run_ids": ", ".join(s.run_ids), "dates": _span(s.dates),
                "hardware": ", ".join(s.device_names), "data_source": ", ".join(s.data_sources),
                "profile": ", ".join(s.profiles),
            })
        return out


def _span(dates: Sequence[str]) -> str:
    ds = sorted(d for d in dates if d)
    if not ds:
        return "?"
    return ds[0] if ds[0] == ds[-1] else f"{ds[0]} .. {ds[-1]}"


def monthly_costs(dep: Deployment, train_hours_per_run: float, speedup: float) -> dict:
    """Inference and retraining cost per month for one option at a given effective inference speed-up.

    inference hours = requests / (throughput x speed-up) / 3600; retraining hours = runs x hours per run.
    """
    inf_h = dep.requests_per_month / (dep.baseline_throughput_rps * speedup) / 3600.0
    retrain_h = dep.retrains_per_month * train_hours_per_run
    return {"inference_hours": inf_h, "inference_cost": inf_h * dep.hourly_cost,
            "train_hours_per_run": train_hours_per_run, "retraining_cost": retrain_h * dep.hourly_cost,
            "energy_kwh": (inf_h + retrain_h) * dep.power_watts / 1000.0,
            "total_cost": (inf_h + retrain_h) * dep.hourly_cost}


def dense_train_hours(dep: Deployment, dense: MethodSummary, timing: timing_.Timing | None) -> float:
    """Hours of one dense training run on the target hardware: ``train_steps`` x the probe's dense step time x
    ``train_time_scale``; without a timing measurement, the dense records' mean training time x the scale."""
    if timing is not None:
        return timing.hours_per_run("dense", dep.train_steps, dep.train_time_scale)
    if dense.train_time_s_mean is None:
        raise ValueError(f"dense: no cost.train_time_s in records {', '.join(dense.run_ids)}")
    return dense.train_time_s_mean * dep.train_time_scale / 3600.0


def _as_list(x, what: str) -> list[dict]:
    if x is None:
        return []
    xs = [x] if isinstance(x, Mapping) else list(x)
    for d in xs:
        if not isinstance(d, Mapping) or d.get("schema") != schema.DEPLOY:
            got = d.get("schema") if isinstance(d, Mapping) else type(d).__name__
            raise ValueError(f"{what} must be deploy measurement(s) with schema {schema.DEPLOY!r} (got {got!r})")
    return xs


def _match(meas: list[dict], s: MethodSummary) -> tuple[dict | None, bool]:
    """The measurement of this option's own run, else the one nearest in sparsity. Returns (rec, own)."""
    for m in meas:
        if get_path(m, "source", "sparse_run_id") in s.run_ids:
            return m, True
    if not meas:
        return None, False
    return min(meas, key=lambda m: abs(float(m.get("sparsity", -1.0)) - s.sparsity)), False


def latency_records(meas: Sequence[Mapping], batch_size: int) -> tuple[list[dict], list[dict]]:
    """Deploy measurements at ``batch_size``, and those of them taken on a quiet machine (load average at most
    the CPU count before and after), the only ones whose latency the worksheet uses."""
    at_batch = [dict(m) for m in meas if m["latency"]["batch_size"] == batch_size]
    def quiet(m: Mapping) -> bool:
        load = m.get("load_average") or {"before": [0.0], "after": [0.0], "cpu_count": 1}
        return max(load["before"][0], load["after"][0]) <= load["cpu_count"]
    return at_batch, [m for m in at_batch if quiet(m)]


def pct_saving(dense: float | None, other: float | None) -> float | None:
    """How much smaller ``other`` is than ``dense``, in percent (None where either is missing or dense is 0)."""
    if dense in (None, 0) or other is None:
        return None
    return 100.0 * (1.0 - other / dense)


def _check_inputs(deployment: Deployment, summaries: Sequence[MethodSummary]) -> MethodSummary:
    """Type checks; returns the dense baseline."""
    if not isinstance(deployment, Deployment):
        raise TypeError(f"deployment must be a Deployment (got {type(deployment).__name__})")
    for s in summaries:
        if not isinstance(s, MethodSummary):
            raise TypeError(f"summaries must be MethodSummary objects (got {type(s).__name__}); "
                            "call options.summarize(records) first")
    dense = [s for s in summaries if s.method == "dense"]
    if not dense:
        found = sorted({s.method for s in summaries}) or ["none"]
        raise ValueError(f"no dense baseline record among the summaries (methods found: {', '.join(found)}); "
                         "run `python -m signin_lite train --mask none ...` with the same profile first")
    return dense[0]


class _Context(NamedTuple):
    """What every option is costed against: inputs, measurements, and the notes being collected."""
    dep: Deployment
    dense: MethodSummary
    stor: list[dict]
    lat: list[dict]
    lat_ratio: dict[int, float]
    dense_bytes: int | None
    timing: timing_.Timing | None
    dense_hours: float
    latency_discarded: int
    notes: list[Note]
    borrowed: dict[tuple, list[str]]
    missing_storage: list[str]

    def add(self, key: str, **params) -> None:
        self.notes.append(Note(key, params))


def _latency_ratios(lat: list[dict], notes: list[Note]) -> dict[int, float]:
    """Per measurement: dense/sparse latency ratio, or 1.0 when the difference is inside the IQR noise."""
    out = {}
    for m in lat:
        d, sp = get_path(m, "latency", "dense"), get_path(m, "latency", "sparse")
        ratio = d["median_s"] / sp["median_s"]
        if abs(d["median_s"] - sp["median_s"]) <= max(d.get("iqr_s", 0.0), sp.get("iqr_s", 0.0)):
            notes.append(Note("latency_noise", {"meas_id": m.get("run_id", "?"), "ratio": ratio}))
            ratio = 1.0
        out[id(m)] = ratio
    return out


def _speedup(ctx: _Context, s: MethodSummary) -> tuple[float, dict | None]:
    """Measured inference speed-up of an option (noise-guarded) and where it came from."""
    if s is ctx.dense or not ctx.lat:
        return 1.0, None
    m, own = _match(ctx.lat, s)
    if not own:
        ctx.borrowed.setdefault(("latency_borrowed", get_path(m, "source", "sparse_run_id") or "?",
                                 float(m.get("sparsity", float("nan")))), []).append(s.label)
    return ctx.lat_ratio[id(m)], {"run_id": m.get("run_id"), "date": m.get("date"),
                                  "device": get_path(m, "env", "device_name")}


def _storage(ctx: _Context, s: MethodSummary) -> dict | None:
    """The smallest measured file of this option's weights (its own measurement, else one within 2 points)."""
    if not (ctx.dense_bytes and ctx.stor):
        return None
    if s is ctx.dense:
        return {"dense_bytes": ctx.dense_bytes, "bytes": ctx.dense_bytes, "format": "dense", "saving_pct": 0.0,
                "source": None}
    m, own = _match(ctx.stor, s)
    if not own and abs(float(m.get("sparsity", -1.0)) - s.sparsity) > 0.02:
        ctx.missing_storage.append(s.label)
        return None
    sizes = get_path(m, "storage", "sparse_model") or {}
    fmt = min(sizes, key=sizes.get)
    if not own:
        ctx.borrowed.setdefault(("storage_borrowed", get_path(m, "source", "sparse_run_id") or "?",
                                 float(m.get("sparsity", float("nan")))), []).append(s.label)
    return {"dense_bytes": ctx.dense_bytes, "bytes": sizes[fmt], "format": fmt,
            "saving_pct": pct_saving(ctx.dense_bytes, sizes[fmt]),
            "source": {"run_id": m.get("run_id"), "date": m.get("date"), "device": get_path(m, "env", "device_name")}}


def _train_time(ctx: _Context, s: MethodSummary) -> tuple[timing_.TimeRatio | None, float | None]:
    """The option's step-time ratio and peak-memory ratio from the controlled measurement (None: not measured)."""
    if ctx.timing is None:
        return None, None
    variant = timing_.variant_of(s.method)
    if variant is None:
        ctx.add("time_not_measured", label=s.label)
        return None, None
    if variant == "dense":
        return None, 1.0
    return ctx.timing.time[variant], ctx.timing.memory[variant]


def _option(ctx: _Context, s: MethodSummary, dense_total: float | None) -> OptionResult:
    """Cost one option against dense (``dense_total`` None: this is dense)."""
    dep, dense, is_dense = ctx.dep, ctx.dense, s is ctx.dense
    measured, lat_src = _speedup(ctx, s)
    speedup = 1.0 if is_dense else measured * dep.sparse_speedup
    time_ratio, mem_ratio = _train_time(ctx, s)
    credited = time_ratio.credited if time_ratio is not None else 1.0
    c = monthly_costs(dep, ctx.dense_hours * credited, speedup)
    change = None if is_dense else accuracy_change(s, dense)
    ci = change if change is not None and change.available else None  # None: no interval (one seed)
    dense_total = c["total_cost"] if dense_total is None else dense_total
    saving = dense_total - c["total_cost"]
    if abs(saving) <= 1e-9 * max(1.0, dense_total):  # equal costs up to float rounding
        saving = 0.0
    flops = pct_saving(s.flops_dense, s.flops_effective)
    dense_inference = monthly_costs(dep, 0.0, 1.0)["inference_cost"]
    upper = dense_total - (dense_inference * (1.0 - (flops or 0.0) / 100.0) + c["retraining_cost"])
    if is_dense:
        verdict, blockers = "baseline", ()
    else:
        verdict, blockers = decide(ci, saving, upper, dep.tolerance_pp, dep.materiality)
    mem = None
    if s.peak_memory_bytes and dense.peak_memory_bytes:
        mem = 100.0 * (s.peak_memory_bytes / dense.peak_memory_bytes - 1.0)
    if not is_dense:
        pairs = (("profile", s.profiles, dense.profiles), ("model", s.models, dense.models),
                 ("epochs", s.epochs, dense.epochs), ("data source", s.data_sources, dense.data_sources),
                 ("hardware", s.device_names, dense.device_names))
        what = [n for n, a, b in pairs if set(a) != set(b)]
        if what:
            ctx.add("mismatch", label=s.label, what=", ".join(what))
    return OptionResult(
        summary=s, family=methods.get(s.method).family, acc_mean_pct=100 * s.test_acc_mean,
        acc_std_pp=_x100(s.test_acc_std), acc_change_pp=100 * (s.test_acc_mean - dense.test_acc_mean), acc_ci_pp=ci,
        flops_saving_pct=flops, params_saving_pct=pct_saving(s.params_dense, s.params_effective),
        storage=_storage(ctx, s), train_memory_change_pct=mem, train_time=time_ratio, train_time_ratio=credited,
        train_memory_ratio=mem_ratio, speedup_measured=measured, speedup_effective=speedup, latency_source=lat_src,
        **c, saving_abs=saving, saving_pct=100.0 * saving / dense_total if dense_total > 0 else None,
        upper_saving=upper, verdict=verdict, blockers=blockers)


def _general_notes(ctx: _Context, chosen: list[MethodSummary], skipped: list[str]) -> list[Note]:
    """The assumptions that hold for every option, first in the list."""
    dep, lat, stor, dense, head = ctx.dep, ctx.lat, ctx.stor, ctx.dense, []
    h = lambda key, **p: head.append(Note(key, p))  # noqa: E731
    h("utilization", requests=dep.requests_per_month)
    h("throughput", hardware=dep.hardware, rps=dep.baseline_throughput_rps, basis=dep.throughput_basis)
    ratios = [get_path(m, "latency", "dense", "median_s") / get_path(m, "latency", "sparse", "median_s") for m in lat]
    h("dense_kernels", measured=", ".join(f"{r:.3f}" for r in ratios) if ratios
      else "measured, not used" if ctx.latency_discarded else "not measured")
    if not lat:
        h("latency_discarded" if ctx.latency_discarded else "latency_not_measured", n=ctx.latency_discarded)
    if dep.sparse_speedup == 1.0:
        h("speedup_none")
    else:
        h("speedup_assumed", speedup=dep.sparse_speedup)
    h("flops")
    if stor:
        h("storage", dates=_span([str(m.get("date", "?"))[:10] for m in stor]),
          devices=", ".join(sorted({str(get_path(m, "env", "device_name")) for m in stor})))
    t = ctx.timing
    if t is None:
        train_devices = ", ".join(sorted({d for s in chosen for d in s.device_names})) or "?"
        h("train_time_records", devices=train_devices, scale=dep.train_time_scale, hardware=dep.hardware,
          hours=ctx.dense_hours)
    else:
        h("train_time_probe", model=t.model, device=t.device, batch=t.batch_size, steps=dep.train_steps,
          step_ms=1e3 * t.step_time_s["dense"], scale=dep.train_time_scale, hardware=dep.hardware,
          hours=ctx.dense_hours)
        h("train_time_rule", rounds=t.time["masked_signin"].rounds)
    h("energy", price=dep.price_per_hour, watts=dep.power_watts, kwh_price=dep.electricity_price_per_kwh,
      hourly=dep.hourly_cost, currency=dep.currency, hardware=dep.hardware)
    h("retrain", retrains=dep.retrains_per_month)
    h("ci")
    h("verdict_rule", tol=dep.tolerance_pp, materiality=dep.materiality, currency=dep.currency)
    h("memory")
    h("test_data", test_size="/".join(map(str, dense.test_sizes)) or "?",
      source="/".join(dense.data_sources) or "?", profile="/".join(dense.profiles) or "?")
    if skipped:
        h("diagnostic_skipped", methods=", ".join(skipped))
    return head


def _measurements(stor: list[dict], lat: list[dict]) -> list[dict]:
    return [{"kind": kind, "run_id": m.get("run_id"), "date": m.get("date"),
             "device": get_path(m, "env", "device_name"), "dense_run_id": get_path(m, "source", "dense_run_id"),
             "sparse_run_id": get_path(m, "source", "sparse_run_id"), "sparsity": m.get("sparsity")}
            for kind, ms in (("storage", stor), ("latency", lat)) for m in ms]


def build_worksheet(deployment: Deployment, summaries: Sequence[MethodSummary], storage=None,
                    inference=None, timing: timing_.Timing | None = None, latency_discarded: int = 0) -> Worksheet:
    """Cost every option against the dense baseline; see the module docstring.

    ``storage`` and ``inference`` are deploy measurements (``signin_lite.decision.deploy.measure`` output), one dict or
    a list. A measurement is matched to an option by the option's run ids, else by the nearest sparsity
    (within 2 points for storage); what was borrowed is listed in the assumptions. ``timing``
    (:func:`signin_lite.decision.timing.from_probe`) gives each option's step-time and memory ratio against dense;
    without it every option trains as long as dense (nothing measured, nothing credited). ``latency_discarded``:
    how many latency measurements were left out for load (:func:`latency_records`), so that the assumptions say
    "measured, not used" rather than "not measured".
    """
    dense = _check_inputs(deployment, summaries)
    stor, lat, notes = _as_list(storage, "storage"), _as_list(inference, "inference"), []
    dense_bytes = None
    for m in stor:
        dense_bytes = get_path(m, "storage", "dense_model", "dense") or dense_bytes
    if timing is not None and not isinstance(timing, timing_.Timing):
        raise TypeError(f"timing must be a timing.Timing (got {type(timing).__name__}); "
                        "use timing.from_probe(record, reader=...)")
    ctx = _Context(deployment, dense, stor, lat, _latency_ratios(lat, notes), dense_bytes, timing,
                   dense_train_hours(deployment, dense, timing), latency_discarded, notes, {}, [])
    diagnostic = lambda s: methods.get(s.method).family == "diagnostic"  # noqa: E731
    skipped = sorted({s.label for s in summaries if diagnostic(s)})
    chosen = [dense] + [s for s in summaries if s.method != "dense" and not diagnostic(s)]
    opts = [_option(ctx, dense, None)]
    opts += [_option(ctx, s, opts[0].total_cost) for s in chosen[1:]]
    for (key, run_id, sparsity), labels in ctx.borrowed.items():
        ctx.add(key, labels=", ".join(labels), run_id=run_id, sparsity=sparsity)
    if ctx.missing_storage:
        ctx.add("storage_missing", labels=", ".join(ctx.missing_storage))
    return Worksheet(deployment=deployment, options=opts, notes=_general_notes(ctx, chosen, skipped) + ctx.notes,
                     measurements=_measurements(stor, lat), timing=timing,
                     created=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def _x100(x: float | None) -> float | None:
    return None if x is None else 100.0 * x
