"""Power of a paired comparison over seeds (scipy's noncentral t), for planning how many seeds a test needs.

The test is the two-sided paired t-test that :func:`signin_lite.evidence.stats.paired` reads: n paired seeds, per-seed
differences with standard deviation ``sd``, a true mean difference ``effect``. Under Holm's adjustment over k
comparisons the first one is tested at alpha / k, so ``alpha / k`` bounds the power of every comparison from below::

    from signin_lite.evidence import power
    power.paired_power(effect=1.0, sd=0.86, n=12)              # about 0.93
    power.seeds_needed(effect=1.0, sd=0.86, alpha=0.05 / 4)    # the seeds for 80% power at Holm's strictest step
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scipy import stats as _st


def paired_power(effect: float, sd: float, n: int, alpha: float = 0.05) -> float:
    """Probability that a two-sided paired t-test at level ``alpha`` over ``n`` seeds finds ``effect`` (same unit
    as ``sd``, the SD of the per-seed differences)."""
    if n < 2 or sd <= 0:
        raise ValueError(f"need n >= 2 seeds and sd > 0, got n={n}, sd={sd}")
    df, nc = n - 1, effect / (sd / math.sqrt(n))
    crit = _st.t.ppf(1 - alpha / 2, df)
    value = float(_st.nct.sf(crit, df, nc) + _st.nct.cdf(-crit, df, nc))
    if not math.isfinite(value):  # scipy's noncentral t fails far in the tail, where the power is about 1
        value = float(_st.norm.cdf(abs(nc) - crit))
    return min(1.0, value)


def seeds_needed(effect: float, sd: float, target: float = 0.8, alpha: float = 0.05, most: int = 200) -> int:
    """The fewest paired seeds whose :func:`paired_power` reaches ``target`` (a ValueError above ``most``)."""
    for n in range(2, most + 1):
        if paired_power(effect, sd, n, alpha) >= target:
            return n
    raise ValueError(f"more than {most} seeds are needed for power {target} at effect {effect}, sd {sd}")


def paired_sd(per_seed: Mapping[int, float]) -> float:
    """The sample SD of per-seed differences (e.g. :attr:`signin_lite.evidence.arms.Comparison.per_seed`)."""
    values = list(per_seed.values())
    if len(values) < 2:
        raise ValueError("need at least two seeds for an SD")
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def table(sds: Mapping[str, float], effect: float = 1.0, seeds: tuple[int, ...] = (6, 12, 16),
          alphas: tuple[float, ...] = (0.05,)) -> list[dict[str, str]]:
    """Text rows: per comparison (name -> observed paired SD), the power for ``effect`` at each number of seeds and
    level."""
    rows = []
    for name, sd in sds.items():
        row = {"comparison": name, "paired SD": f"{sd:.2f}"}
        for a in alphas:
            row.update({f"n={n}, α={a:.3g}": f"{paired_power(effect, sd, n, a):.2f}" for n in seeds})
        rows.append(row)
    return rows
