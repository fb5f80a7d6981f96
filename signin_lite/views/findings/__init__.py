"""What each chapter found, as the values its "What we found" section glues.

One module per chapter (``sparse``, ``lottery``, ``toy``, ``planted``, ``signin``, ``gmp``, ``reference``), each with
one function ``values(...) -> dict[str, str]`` that reads the committed reference records through the evidence
layer and returns every number and every reading the chapter's prose uses, keyed ``<chapter>_<name>``. The prose
is written by a person in the notebook; the numbers and the judgements (a clear gain, borderline, no clear
difference) come only from here, so text and records cannot diverge. :func:`glue_all` hands them to myst-nb.
"""

from __future__ import annotations

from collections.abc import Mapping

from signin_lite.decision import typography
from signin_lite.evidence import stats

__all__ = ["interval", "reading", "percent", "glue_all",
           "sparse", "lottery", "toy", "planted", "signin", "gmp", "reference"]


def interval(d: stats.Difference, digits: int = 2, unit: str = "pp") -> str:
    """'+0.50 pp [+0.00, +0.99]' (U+2212 minus), or '+0.50 pp (no interval: n=1)' when none exists; no unit when
    ``unit`` is empty."""
    low, high = (d.low, d.high) if d.available else (None, None)
    return typography.estimate_interval(d.estimate, low, high, digits, unit, f"(no interval: n={d.n_treatment})")


def reading(d: stats.Difference, lang: str = "en", adjusted: bool = True) -> str:
    """The statistics layer's reading of ``d`` worded for readers ('a clear gain', 'no clear difference', ...)."""
    return stats.reading_label(d.reading(adjusted=adjusted), lang)


def percent(x: float | None, digits: int = 1) -> str:
    """An accuracy or fraction already in percent: '61.3' (no unit: the prose writes '%')."""
    return "\u2014" if x is None else typography.minus(f"{x:.{digits}f}")


def glue_all(values: Mapping[str, str]) -> Mapping[str, str]:
    """Glue every value for myst-nb (``{glue:text}`key```) without displaying it; returns ``values``."""
    from myst_nb import glue  # deferred: myst-nb exists only where the book is built

    for key, value in values.items():
        glue(key, value, display=False)
    return values
