"""The one verdict rule of the worksheet, page 1, the appendix and the executive summaries: go / not yet / no-go
(実施 / 時期尚早 / 見送り) from an option's accuracy interval against the tolerance and its monthly saving against the
smallest saving worth deciding on, with every blocker named::

    verdict.decide(ci, saving, upper_saving, tolerance_pp=1.0, materiality=30_000)  # Decision("not-yet", (...))
"""

from __future__ import annotations

from typing import NamedTuple

from signin_lite.evidence import stats

VERDICTS = ("go", "not-yet", "no-go")  # the one vocabulary; dense itself is the "baseline"
VERDICT_LABELS = {"en": {"go": "go", "not-yet": "not yet", "no-go": "no-go", "baseline": "baseline"},
                  "ja": {"go": "実施", "not-yet": "時期尚早", "no-go": "見送り", "baseline": "基準"}}
BLOCKERS = ("acc_below", "acc_unclear", "acc_unknown", "money_none", "money_unproven")
_EPS = 1e-9  # floating-point slack for the tolerance boundary (pp)


class Decision(NamedTuple):
    """A verdict of :data:`VERDICTS` and what stands in its way (codes of :data:`BLOCKERS`, empty for go)."""
    verdict: str
    blockers: tuple[str, ...]


def accuracy_state(ci: stats.Difference | None, tolerance_pp: float) -> str:
    """``ok`` (the interval's lower end at or above -tolerance), ``acc_below`` (wholly below), ``acc_unclear``
    (it crosses the line) or ``acc_unknown`` (no interval: one seed)."""
    if ci is None or not ci.available:
        return "acc_unknown"
    if ci.low >= -tolerance_pp - _EPS:
        return "ok"
    return "acc_below" if ci.high < -tolerance_pp else "acc_unclear"


def decide(ci: stats.Difference | None, saving: float, upper_saving: float, tolerance_pp: float,
           materiality: float = 0.0) -> Decision:
    """The one verdict rule (go / not yet / no-go = 実施 / 時期尚早 / 見送り).

    - **no-go**: the accuracy interval lies wholly below -tolerance, or even the upper bound (inference realizing
      the whole FLOPs cut) saves no more than ``materiality`` a month;
    - **go**: the interval's lower end is at or above -tolerance *and* the saving credited from measurements
      exceeds ``materiality``;
    - **not yet**: anything else: the interval crosses the line or is unavailable, or the saving rests on a speed-up
      nobody has measured.

    ``blockers`` names every reason that is not met, accuracy first, then money.
    """
    blockers = []
    acc = accuracy_state(ci, tolerance_pp)
    if acc != "ok":
        blockers.append(acc)
    if not upper_saving > materiality:
        blockers.append("money_none")
    elif not saving > materiality:
        blockers.append("money_unproven")
    if "acc_below" in blockers or "money_none" in blockers:
        return Decision("no-go", tuple(blockers))
    return Decision("not-yet" if blockers else "go", tuple(blockers))


def verdict_label(verdict: str, lang: str) -> str:
    """The verdict in the reader's words: go / not yet / no-go, 実施 / 時期尚早 / 見送り."""
    if lang not in VERDICT_LABELS or verdict not in VERDICT_LABELS[lang]:
        raise ValueError(f"no label for verdict {verdict!r} in {lang!r}; verdicts are {VERDICTS}, languages "
                         f"{', '.join(VERDICT_LABELS)}")
    return VERDICT_LABELS[lang][verdict]
