"""Training cost of each option from a controlled measurement: step-time and peak-memory ratios against dense.

The only source is a ``probe`` record (:mod:`signin_lite.decision.probe`): dense, masked and masked + Sign-In
training steps run interleaved on one machine (one round = one step of each variant, the order rotating), so
round ``r`` of every variant saw the same load. A variant's time ratio against dense is the geometric mean of its
per-round ratios, with a paired Student-t interval on their logarithms (:func:`signin_lite.evidence.stats.paired`).
A ratio counts only when that interval excludes 1 ("measured"); otherwise it is "not measurable here" and the
option is costed as dense (ratio 1.0). Peak memory is counted from tensor sizes, so its ratio has no noise.

The wall-clock times of the sweep's run records are never used for a ratio: they come from a shared machine, with
different thread counts and loads from one run to the next.

    from signin_lite.decision import timing
    t = timing.from_probe(record, reader=False)          # the project's reference record
    t.time["masked_signin"].ratio, t.time["masked_signin"].status   # e.g. 1.35, "measured"
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from signin_lite.evidence import stats
from signin_lite.foundations import methods

VARIANTS = ("dense", "masked", "masked_signin")
MEASURED, NOT_MEASURABLE, NOT_MEASURED = "measured", "not_measurable", "not_measured"


@dataclass(frozen=True)
class TimeRatio:
    """A variant's step time / dense step time: geometric mean over rounds and its interval (None: unavailable)."""

    ratio: float
    low: float | None
    high: float | None
    rounds: int

    @property
    def status(self) -> str:
        """``measured`` when the interval excludes 1, else ``not_measurable``."""
        if self.low is None or self.high is None:
            return NOT_MEASURABLE
        return MEASURED if self.low > 1.0 or self.high < 1.0 else NOT_MEASURABLE

    @property
    def credited(self) -> float:
        """The ratio the costs use: the measured one, or 1.0 where it is not measurable."""
        return self.ratio if self.status == MEASURED else 1.0


@dataclass(frozen=True)
class Timing:
    """What one probe record says about training cost, and whose model it measured."""

    reader: bool                      # True: the reader's own record (report --probe); False: the reference
    model: str                        # the probe's --model, e.g. torchvision:resnet18
    model_class: str
    input_shape: tuple
    input_dtype: str
    batch_size: int
    sparsity: float
    device: str
    date: str
    run_id: str
    step_time_s: dict[str, float]     # medians per variant
    time: dict[str, TimeRatio]        # masked, masked_signin vs dense
    memory: dict[str, float]          # peak-memory ratio vs dense (tensor bytes, exact)
    storage_ratio: float | None       # merged sparse file / dense file
    effective_sparsity: float | None  # zeros over every weight tensor (None in older records)
    left_dense: tuple[str, ...]       # weight tensors the probe did not mask

    def hours_per_run(self, variant: str, steps: float, scale: float) -> float:
        """Training hours of one run of ``steps`` steps at this record's batch, times ``scale`` (target / probe
        hardware), from the variant's median step time."""
        return steps * self.step_time_s[variant] * scale / 3600.0

    def describe(self) -> str:
        shape = "x".join(map(str, self.input_shape))
        return f"{self.model} ({shape}, batch {self.batch_size}, sparsity {self.sparsity:g}, {self.device})"


def ratio(times: list[float], dense: list[float], level: float = 0.95) -> TimeRatio:
    """Paired ratio of interleaved step times (same round = same load): exp of the paired t-interval of logs."""
    n = min(len(times), len(dense))
    if n == 0:
        raise ValueError("no step times to compare")
    d = stats.paired([math.log(t) for t in times[:n]], [math.log(t) for t in dense[:n]], level)
    low = math.exp(d.low) if d.available else None
    high = math.exp(d.high) if d.available else None
    return TimeRatio(math.exp(d.estimate), low, high, n)


def variant_of(method: str) -> str | None:
    """Which probe variant stands for a training method's step (None: no controlled measurement, e.g. GMP's dense
    phase or the lottery's rounds)."""
    if method == "dense":
        return "dense"
    m = methods.get(method)
    if m.family != "sparse_from_scratch":
        return None
    return "masked_signin" if "signin" in method else "masked"


def from_probe(rec: Mapping, reader: bool) -> Timing:
    """A :class:`Timing` from a ``signin_lite.probe/1`` record (``reader``: the reader named it)."""
    m = rec["measurements"]
    for v in VARIANTS:
        if v not in m or not m[v].get("step_times_s"):
            raise ValueError(f"probe record {rec.get('name', '?')}: measurements.{v}.step_times_s is missing")
    dense = m["dense"]
    st = rec.get("storage") or {}
    inp = rec["input"]
    return Timing(
        reader=reader, model=rec["model"]["spec"], model_class=rec["model"].get("class", "?"),
        input_shape=tuple(inp["shape"]), input_dtype=inp.get("dtype", "float32"), batch_size=int(inp["batch_size"]),
        sparsity=float(rec["sparsity"]), device=str(rec["env"].get("device_name", "?")), date=str(rec["date"]),
        run_id=str(rec["run_id"]), step_time_s={v: float(m[v]["step_time_s"]) for v in VARIANTS},
        time={v: ratio(m[v]["step_times_s"], dense["step_times_s"]) for v in VARIANTS[1:]},
        memory={v: m[v]["peak_memory_bytes"] / dense["peak_memory_bytes"] for v in VARIANTS[1:]},
        storage_ratio=(st["merged_sparse_bytes"] / st["dense_bytes"]) if st.get("dense_bytes") else None,
        effective_sparsity=(rec.get("weights") or {}).get("effective_sparsity"),
        left_dense=tuple(t["name"] for t in (rec.get("weights") or {}).get("left_dense", [])))
