"""The one table of training methods: name, family, labels in English and Japanese, colour, config changes.

Every consumer (sweeps, summaries, figures, the worksheet and the report) reads this table; an unknown name is a
``ValueError`` that lists the known ones::

    from signin_lite.foundations import methods
    methods.get("pai_signin").label("ja")      # 'PaI + Sign-In'
    methods.sweepable()                         # the names `sweep --methods` accepts
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Sign-In's own settings, reset to their defaults for methods that do not use it (so they do not split run ids)
_PLAIN: dict[str, Any] = dict(signin=False, beta=1.0, beta_output=None, rescale_every=1.0)


LANGS: tuple[str, ...] = ("en", "ja")  # every label, report and page comes in these languages

@dataclass(frozen=True)
class Method:
    """One training method. ``overrides(base)`` turns a base config's fields into this method's (None: not
    sweepable, e.g. lottery rounds, which :mod:`signin_lite.training.lottery` makes)."""

    name: str
    family: str                  # dense, sparse_from_scratch, dense_to_sparse, diagnostic
    en: str
    ja: str
    color: str
    overrides: Callable[[Any], dict] | None = field(default=None, compare=False)
    report: tuple[str, str] | None = None  # (en, ja) wording for the managers' report, where it differs

    def label(self, lang: str = "en", report: bool = False) -> str:
        """The display name in ``lang`` ("en" or "ja"); ``report=True``: the PoC report's wording."""
        if lang not in LANGS:
            raise ValueError(f"lang={lang!r} is not supported; choose one of {LANGS}")
        if report and self.report is not None:
            return self.report[lang == "ja"]
        return self.ja if lang == "ja" else self.en


FAMILIES = ("dense", "sparse_from_scratch", "dense_to_sparse", "diagnostic")

TABLE: dict[str, Method] = {m.name: m for m in (
    Method("dense", "dense", "dense", "密モデル", "#444444",
           lambda base: dict(_PLAIN, mask="none", sparsity=0.0, pruning="init"), ("Dense (today)", "密モデル（現行）")),
    Method("pai", "sparse_from_scratch", "PaI", "PaI（初期化時の枝刈り）", "#1f77b4",
           lambda base: dict(_PLAIN, pruning="init"), ("Sparse (PaI)", "スパース（PaI）")),
    Method("pai_signin", "sparse_from_scratch", "PaI + Sign-In", "PaI + Sign-In", "#d62728",
           lambda base: dict(signin=True, pruning="init"), ("Sparse + Sign-In", "スパース＋Sign-In")),
    Method("pai_wd2x", "sparse_from_scratch", "PaI, 2x weight decay", "PaI（重み減衰2倍）", "#ff7f0e",
           lambda base: dict(_PLAIN, pruning="init", weight_decay=2 * base.weight_decay, tag="wd2x")),
    Method("pai_wd2x_masked", "sparse_from_scratch", "PaI, 2x weight decay on the masked weights",
           "PaI（マスク対象の重みだけ重み減衰2倍）", "#bcbd22",
           lambda base: dict(_PLAIN, pruning="init", weight_decay_masked_factor=2.0, tag="wd2x_masked")),
    Method("pai_signin_noreset", "sparse_from_scratch", "PaI + Sign-In, no resets", "PaI + Sign-In（再設定なし）",
           "#e377c2", lambda base: dict(signin=True, pruning="init", rescale_every=0.0, tag="noreset")),
    Method("pai_wd2x_masked_step", "sparse_from_scratch", "PaI, 2x decay on the masked weights, Sign-In's step size",
           "PaI（マスク対象の重み減衰2倍、Sign-In と同じ歩幅）", "#8c6d31",
           lambda base: dict(_PLAIN, pruning="init", weight_decay_masked_factor=2.0, beta=base.beta,
                             beta_output=base.beta_output, step_match_every=base.rescale_every or 1.0,
                             tag="wd2x_masked_step")),
    Method("pai_signin_noreset_step", "sparse_from_scratch", "PaI + Sign-In, no resets, matched step size",
           "PaI + Sign-In（再設定なし、歩幅を一致）", "#f7b6d2",
           lambda base: dict(signin=True, pruning="init", rescale_every=0.0,
                             step_match_every=base.rescale_every or 1.0, tag="noreset_step")),
    Method("gmp", "dense_to_sparse", "GMP", "段階的枝刈り（GMP）", "#2ca02c",
           lambda base: dict(_PLAIN, pruning="gmp")),
    Method("gmp_signin", "dense_to_sparse", "GMP + Sign-In", "GMP + Sign-In", "#9467bd",
           lambda base: dict(signin=True, pruning="gmp"), ("GMP + Sign-In", "GMP＋Sign-In")),
    Method("imp", "dense_to_sparse", "IMP ticket", "IMP による当たりくじ", "#8c564b"),
    Method("lrr", "dense_to_sparse", "LRR ticket", "LRR による当たりくじ", "#17becf"),
    Method("transplant_signs", "diagnostic", "ticket mask + signs", "当たりくじのマスクと符号", "#393b79"),
    Method("transplant_magnitudes", "diagnostic", "ticket mask + magnitudes", "当たりくじのマスクと大きさ", "#ad494a"),
    Method("transplant_mask", "diagnostic", "ticket mask + fresh init", "当たりくじのマスクと新しい初期値", "#7f7f7f"),
)}

# mask methods are a separate vocabulary (how a mask is drawn); their colours for figures
MASK_COLORS = {"random": "#1f77b4", "erk": "#d62728", "snip": "#9467bd", "synflow": "#ff7f0e",
               "magnitude": "#2ca02c", "magnitude_layerwise": "#8c564b"}


def get(name: str) -> Method:
    """The method called ``name``; ``ValueError`` naming the known ones otherwise."""
    if name not in TABLE:
        raise ValueError(f"unknown method {name!r}; known methods are {list(TABLE)}")
    return TABLE[name]


def sweepable() -> tuple[str, ...]:
    """Names a sweep can run (those with config overrides), in table order."""
    return tuple(name for name, m in TABLE.items() if m.overrides is not None)


def order(name: str) -> int:
    """Sort key: the method's position in the table (unknown names last)."""
    return list(TABLE).index(name) if name in TABLE else len(TABLE)


def label(name: str, lang: str = "en") -> str:
    """Display name of a method in ``lang``."""
    return get(name).label(lang)


def color(name: str) -> str | None:
    """A method's colour, else a mask method's, else None."""
    return TABLE[name].color if name in TABLE else MASK_COLORS.get(name)
