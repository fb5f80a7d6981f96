"""Differences between two settings with scipy: a paired t-interval where the seeds pair, Welch's where they do not,
and Holm's adjustment when several intervals are read together.

Seeds pair when both settings ran the same seeds: the same seed gives every method the same initialization, mask
and data order, so the per-seed differences cancel that shared noise. The rule for reading a family of intervals:

- **clear** (a gain or a loss): the interval excludes zero *and* the Holm-adjusted p-value over the family is below
  ``alpha``;
- **borderline**: the interval excludes zero, but the Holm-adjusted p-value is not below ``alpha``;
- **no clear difference**: the interval includes zero;
- **unavailable**: fewer than two runs on a side (or two pairs).

    from signin_lite.evidence import stats
    d = stats.compare({0: 61.2, 1: 60.1, 2: 59.0}, {0: 60.0, 1: 60.3, 2: 58.1})   # paired: seeds 0, 1, 2
    print(d.kind, d.estimate, d.low, d.high, d.p)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats as _st

PAIRED, WELCH, UNAVAILABLE = "paired t", "Welch t", "unavailable"
_TINY = 1e-9  # spreads below this (relative) are float rounding, not noise
READINGS = ("gain", "loss", "borderline", "no clear difference", "unavailable")
READING_LABELS = {  # how each reading is worded for readers, per language
    "en": {"gain": "a clear gain", "loss": "a clear loss", "borderline": "borderline (not clear after adjusting)",
           "no clear difference": "no clear difference", "unavailable": "too few seeds to tell"},
    "ja": {"gain": "明確な改善", "loss": "明確な悪化", "borderline": "境界的（多重比較の補正後は明確でない）",
           "no clear difference": "明確な差なし", "unavailable": "シード不足で判定不能"},
}


@dataclass(frozen=True)
class Difference:
    """treatment minus baseline: the estimate, its interval (None when unavailable), p-value and how it was made."""

    estimate: float
    low: float | None
    high: float | None
    p: float | None
    df: float | None
    kind: str
    n_treatment: int
    n_baseline: int
    level: float = 0.95
    p_adjusted: float | None = None

    @property
    def available(self) -> bool:
        return self.low is not None

    @property
    def excludes_zero(self) -> bool:
        return self.available and (self.low > 0 or self.high < 0)

    def reading(self, alpha: float | None = None, adjusted: bool = True) -> str:
        """One of :data:`READINGS` by the module's rule (``alpha`` defaults to 1 - level). ``adjusted=False``: the
        reading of this interval alone, ignoring any Holm adjustment (the rule as written before Holm was added)."""
        alpha = 1 - self.level if alpha is None else alpha
        if not self.available:
            return "unavailable"
        if not self.excludes_zero:
            return "no clear difference"
        p = self.p if self.p_adjusted is None or not adjusted else self.p_adjusted
        if p is not None and p >= alpha:
            return "borderline"
        return "gain" if self.low > 0 else "loss"


def _degenerate(diff: float, df: float) -> tuple[float, float, float, float]:
    """No spread at all: the interval is the point, p is 0 unless the difference is 0."""
    return diff, diff, (1.0 if diff == 0 else 0.0), df


def paired(treatment: Sequence[float], baseline: Sequence[float], level: float = 0.95) -> Difference:
    """Paired t-interval of mean(treatment - baseline) over aligned pairs."""
    t, b = np.asarray(treatment, float), np.asarray(baseline, float)
    if t.shape != b.shape:
        raise ValueError(f"paired needs aligned samples, got {t.size} and {b.size} values")
    d = t - b
    est = float(d.mean()) if d.size else math.nan
    if d.size < 2:
        return Difference(est, None, None, None, None, UNAVAILABLE, t.size, b.size, level)
    if np.ptp(d) <= _TINY * max(1.0, abs(est)):  # no spread beyond float rounding
        low, high, p, df = _degenerate(est, d.size - 1)
    else:
        res = _st.ttest_1samp(d, 0.0)
        ci = res.confidence_interval(level)
        low, high, p, df = float(ci.low), float(ci.high), float(res.pvalue), float(res.df)
    return Difference(est, low, high, p, df, PAIRED, t.size, b.size, level)


def welch(treatment: Sequence[float], baseline: Sequence[float], level: float = 0.95) -> Difference:
    """Welch's t-interval of mean(treatment) - mean(baseline) for unpaired samples."""
    t, b = np.asarray(treatment, float), np.asarray(baseline, float)
    est = float(t.mean() - b.mean()) if t.size and b.size else math.nan
    if t.size < 2 or b.size < 2:
        return Difference(est, None, None, None, None, UNAVAILABLE, t.size, b.size, level)
    if max(np.ptp(t), np.ptp(b)) <= _TINY * max(1.0, abs(est)):
        low, high, p, df = _degenerate(est, t.size + b.size - 2)
    else:
        res = _st.ttest_ind(t, b, equal_var=False)
        ci = res.confidence_interval(level)
        low, high, p, df = float(ci.low), float(ci.high), float(res.pvalue), float(res.df)
    return Difference(est, low, high, p, df, WELCH, t.size, b.size, level)


def mean_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float | None, float | None]:
    """Mean of ``values`` and its Student-t interval ((mean, None, None) with fewer than two values)."""
    v = np.asarray(values, float)
    mean = float(v.mean())
    if v.size < 2:
        return mean, None, None
    if np.ptp(v) <= _TINY * max(1.0, abs(mean)):
        return mean, mean, mean
    ci = _st.ttest_1samp(v, 0.0).confidence_interval(level)
    return mean, float(ci.low), float(ci.high)


def compare(treatment: Mapping[int, float], baseline: Mapping[int, float], level: float = 0.95) -> Difference:
    """treatment minus baseline, values keyed by seed: paired when both ran the same seeds, Welch otherwise."""
    if set(treatment) == set(baseline):
        seeds = sorted(treatment)
        return paired([treatment[s] for s in seeds], [baseline[s] for s in seeds], level)
    return welch(list(treatment.values()), list(baseline.values()), level)


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (None stays None); controls the family-wise error rate."""
    known = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    out: list[float | None] = [None] * len(pvalues)
    running, m = 0.0, len(known)
    for rank, (p, i) in enumerate(known):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


def adjust(family: Sequence[Difference]) -> list[Difference]:
    """The family's differences with ``p_adjusted`` set by :func:`holm`."""
    return [replace(d, p_adjusted=p) for d, p in zip(family, holm([d.p for d in family]), strict=True)]


def reading_label(reading: str, lang: str = "en") -> str:
    """A reading of :data:`READINGS` worded for readers in ``lang`` ("en" or "ja")."""
    if lang not in READING_LABELS or reading not in READINGS:
        raise ValueError(f"no label for reading {reading!r} in lang {lang!r}; readings are {READINGS}, "
                         f"languages {list(READING_LABELS)}")
    return READING_LABELS[lang][reading]


def describe(d: Difference, unit: str = "pp") -> str:
    """'+1.23 pp [−0.40, +2.86] (paired t, n=3)' or '+1.23 pp (interval unavailable: n=1 vs 3)'."""
    if not d.available:
        return f"{d.estimate:+.2f} {unit} (interval unavailable: n={d.n_treatment} vs {d.n_baseline})"
    n = f"n={d.n_treatment}" if d.kind == PAIRED else f"n={d.n_treatment} vs {d.n_baseline}"
    return f"{d.estimate:+.2f} {unit} [{d.low:+.2f}, {d.high:+.2f}] ({100 * d.level:g}% {d.kind}, {n})"
