"""The options a worksheet compares, as the run records measured them: one :class:`MethodSummary` per
(method, mask, sparsity), each a single setting pooled over seeds, and an option's accuracy change against dense
with its interval (:mod:`signin_lite.evidence.stats`)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from signin_lite.evidence import records, stats, summary
from signin_lite.foundations import methods


@dataclass(frozen=True)
class MethodSummary:
    """One (method, mask_method, sparsity) group of complete runs, pooled over seeds."""

    method: str
    mask_method: str | None
    sparsity: float
    n_seeds: int
    seeds: tuple
    test_accs: tuple[float, ...]          # fractions in [0, 1], one per run
    test_acc_mean: float
    test_acc_std: float | None            # sample std (ddof=1); None with one run
    train_time_s_mean: float | None
    peak_memory_bytes: int | None         # max over runs
    params_dense: float | None
    params_effective: float | None
    flops_dense: float | None
    flops_effective: float | None
    run_ids: tuple[str, ...]
    dates: tuple[str, ...]
    device_names: tuple[str, ...]         # distinct values, sorted
    data_sources: tuple[str, ...]
    profiles: tuple[str, ...]
    models: tuple[str, ...]
    epochs: tuple[int, ...]
    test_sizes: tuple[int, ...]

    @property
    def key(self) -> tuple:
        return (self.method, self.mask_method, self.sparsity)

    @property
    def label(self) -> str:
        if self.method == "dense":
            return "dense"
        parts = [self.method] + ([self.mask_method] if self.mask_method else []) + [f"{self.sparsity:.0%}"]
        return " / ".join(parts)


def get_path(rec: Mapping, *path: str, default: Any = None) -> Any:
    """``rec[path[0]][path[1]]...``, or ``default`` where a key is missing."""
    for p in path:
        if not isinstance(rec, Mapping) or p not in rec:
            return default
        rec = rec[p]
    return rec


def _mean(xs: Iterable[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.fmean(xs) if xs else None


def _method_summary(st: records.Setting) -> MethodSummary:
    rs, c = st.records, st.config
    accs = tuple(st.values("test_acc"))
    mems = [r["cost"]["peak_memory_bytes"] for r in rs if r["cost"].get("peak_memory_bytes") is not None]
    dense = st.method == "dense"
    return MethodSummary(
        method=st.method, mask_method=None if dense else c["mask"], sparsity=0.0 if dense else st.sparsity,
        n_seeds=st.n, seeds=tuple(st.seeds), test_accs=accs, test_acc_mean=statistics.fmean(accs),
        test_acc_std=statistics.stdev(accs) if len(accs) > 1 else None,
        train_time_s_mean=_mean(r["cost"]["train_time_s"] for r in rs), peak_memory_bytes=max(mems) if mems else None,
        **{k: _mean(r["counts"][k] for r in rs) for k in ("params_dense", "params_effective", "flops_dense",
                                                           "flops_effective")},
        run_ids=tuple(r["run_id"] for r in rs), dates=tuple(r["date"] for r in rs),
        device_names=tuple(sorted({r["env"]["device_name"] for r in rs})), data_sources=(st.data_source,),
        profiles=(c["profile"],), models=(f"resnet-{c['depth']}-{c['width']}",), epochs=(c["epochs"],),
        test_sizes=(rs[0]["data"]["test_size"],))


def summarize(recs: Sequence[Mapping]) -> list[MethodSummary]:
    """One :class:`MethodSummary` per (method, mask, sparsity): each a single setting of
    :func:`signin_lite.evidence.records.settings` (Sign-In tuning variants dropped, as in the summary tables).

    Runs that differ in more than the seed are never pooled: two settings for one option raise a ``ValueError``
    naming the fields they differ in (choose one with ``records.select``, e.g. ``epochs=12``).
    """
    by_key: dict[tuple, list[records.Setting]] = {}
    for st in summary.main_settings(recs):
        key = ("dense", None, 0.0) if st.method == "dense" else (st.method, st.config["mask"], st.sparsity)
        by_key.setdefault(key, []).append(st)
    out = [_method_summary(records.one_setting(group, f"option {key[0]} {key[1] or ''} {key[2]:g}"))
           for key, group in by_key.items()]
    out.sort(key=lambda m: (methods.order(m.method), m.method, str(m.mask_method), m.sparsity))
    return out


def accuracy_change(option: MethodSummary, dense: MethodSummary, level: float = 0.95) -> stats.Difference:
    """Option minus dense test accuracy (pp): paired by seed where both ran the same seeds, else Welch."""
    pct = lambda m: {seed: 100 * a for seed, a in zip(m.seeds, m.test_accs, strict=True)}  # noqa: E731
    return stats.compare(pct(option), pct(dense), level)
