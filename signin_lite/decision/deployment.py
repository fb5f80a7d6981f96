"""The reader's deployment, the worksheet's input: requests a month, hardware and its price, energy, retraining, the
accuracy tolerance and the smallest saving worth deciding on, each field with its unit and help text (the inputs file
and chapter 6's controls are generated from them)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

class FieldError(ValueError):
    """A Deployment field with a value it cannot take: ``field``, the requirement ``need`` and the ``value``."""

    def __init__(self, field_name: str, need: str, value: Any):
        super().__init__(f"Deployment.{field_name} must be {need} (got {value!r})")
        self.field, self.need, self.value = field_name, need, value


def _num(help_: str, unit: str, **kw) -> Any:
    return field(metadata={"help": help_, "unit": unit}, **kw)


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """What the business would run. All money is in the same, unnamed currency ("currency units")."""

    requests_per_month: float = _num("Inference requests served per month.", "requests/month")
    hardware: str = field(metadata={"help": "Target hardware name (CPU or GPU kind) for serving and retraining.",
                                    "unit": ""})
    price_per_hour: float = _num("Hardware price per hour (rent or amortized).", "currency units/h")
    power_watts: float = _num("Average power draw of that hardware while busy.", "W")
    electricity_price_per_kwh: float = _num("Electricity price.", "currency units/kWh")
    baseline_throughput_rps: float = _num(
        "Dense model throughput on the target hardware (measured value or a labelled assumption).", "requests/s")
    throughput_basis: str = field(default="assumption", metadata={
        "help": "Where baseline_throughput_rps comes from, e.g. 'measured 2026-11-27' or 'assumption'.",
        "unit": ""})
    retrains_per_month: float = _num("Full training runs per month (0 = train once, serve only).", "runs/month",
                                     default=1.0)
    tolerance_pp: float = _num("Largest accuracy loss vs dense that is still acceptable.", "percentage points",
                               default=1.0)
    sparse_speedup: float = _num(
        "Realized inference speed-up of sparse models (1.0 = none, as on dense kernels; e.g. 1.3 for 2:4 "
        "semi-structured kernels or a sparse engine). An assumption, multiplied onto the measured ratio.", "x",
        default=1.0)
    train_time_scale: float = _num(
        "Training step time on the target hardware / the step time of the timing measurement (the probe record; "
        "1.0 when the probe ran on the target hardware).", "x", default=1.0)
    train_steps: float = _num("Training steps of one full training run, at the probe's batch size (a stated "
                              "number: it sets retraining and PoC hours with the probe's step time).", "steps",
                              default=100_000.0)
    currency: str = field(default="currency units", metadata={"help": "Currency label used in outputs.",
                                                               "unit": ""})
    materiality: float = _num(
        "Smallest monthly saving that counts: a saving at or below it is treated as none, so noise in "
        "measured times cannot flip a verdict.", "currency units/month", default=0.0)
    poc_engineer_days: float = _num("Engineering effort of a PoC (an assumption).", "person-days", default=10.0)
    engineer_cost_per_day: float = _num("Cost of one engineer-day.", "currency units/day", default=0.0)

    def __post_init__(self) -> None:
        rules = {  # field -> (test, requirement)
            "requests_per_month": (lambda v: v > 0, "> 0"),
            "price_per_hour": (lambda v: v >= 0, ">= 0"),
            "power_watts": (lambda v: v > 0, "> 0"),
            "electricity_price_per_kwh": (lambda v: v >= 0, ">= 0"),
            "baseline_throughput_rps": (lambda v: v > 0, "> 0"),
            "retrains_per_month": (lambda v: v >= 0, ">= 0"),
            "tolerance_pp": (lambda v: v >= 0, ">= 0"),
            "sparse_speedup": (lambda v: v > 0, "> 0"),
            "train_time_scale": (lambda v: v > 0, "> 0"),
            "train_steps": (lambda v: v > 0, "> 0"),
            "materiality": (lambda v: v >= 0, ">= 0"),
            "poc_engineer_days": (lambda v: v >= 0, ">= 0"),
            "engineer_cost_per_day": (lambda v: v >= 0, ">= 0"),
        }
        for name, (ok, need) in rules.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise FieldError(name, "a finite number", v)
            if not ok(v):
                raise FieldError(name, need, v)
        for name in ("hardware", "throughput_basis", "currency"):
            v = getattr(self, name)
            if not isinstance(v, str) or not v.strip():
                raise FieldError(name, "a non-empty string", v)

    @property
    def hourly_cost(self) -> float:
        """Hardware price plus electricity for one busy hour."""
        return self.price_per_hour + self.power_watts / 1000.0 * self.electricity_price_per_kwh

    def inputs(self) -> list[tuple[str, Any, str, str]]:
        """(field name, value, unit, help) for every input, in declaration order."""
        return [(f.name, getattr(self, f.name), f.metadata.get("unit", ""), f.metadata.get("help", ""))
                for f in fields(self)]
