"""Chapter 4's findings (Sign-In on CIFAR-10): every number and reading its prose glues, keyed ``ch4_*``.

Read from the committed records only: the four-arm test (``results/cpu_signin/runs``, :mod:`signin_lite.evidence.arms`,
its reset diagnostics through :mod:`signin_lite.evidence.drift`), the CPU reference sweep's sign statistics
(``results/cpu/runs``) and the count of the second test's records (``results/cpu_regime/runs``, issue 21)::

    from signin_lite.views import findings
    from signin_lite.views.findings import signin
    findings.glue_all(signin.values())
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from signin_lite.decision import second_test, typography
from signin_lite.evidence import arms, drift, paper, records, summary
from signin_lite.experiments import regime_test
from signin_lite.views import signin_figures
from signin_lite.views.findings import interval, percent, reading

RESULTS = Path(__file__).resolve().parents[3] / "results"
FOUR_ARMS = RESULTS / "cpu_signin" / "runs"
REFERENCE = RESULTS / "cpu" / "runs"
REGIME = RESULTS / "cpu_regime" / "runs"
REFERENCE_EPOCHS = 12   # the reference sweep's main schedule
SPARSITY = 0.9          # the sparsity of the mechanism figures and of both tests
SEED = 0                # the reference pair the mechanism figures show


def _count(n: float) -> str:
    return f"{n:,.0f}"


def _load(folder: str | os.PathLike) -> list[dict]:
    return records.load_records(folder) if os.path.isdir(folder) else []


def arm_values(test: arms.ArmTest) -> dict[str, str]:
    """The four-arm test: H1–H3 as intervals and readings, and the reset diagnostics that decide H3."""
    h1, h2, h3 = (arms.comparison(test, "pai_signin", b) for b in ("pai", "pai_wd2x_masked", "pai_signin_noreset"))
    control = arms.comparison(test, "pai_wd2x_masked", "pai")
    with_resets, without = test.complete("pai_signin"), test.complete("pai_signin_noreset")
    low_ratio = drift.step_ratio(without, with_resets)[0]
    mult_with, mult_without = drift.curves(with_resets)["lr_multiplier"], drift.curves(without)["lr_multiplier"]
    return {
        "ch4_n_seeds": str(len(test.seeds)), "ch4_beta": f"{test.config['beta']:g}",
        "ch4_epochs": str(test.config["epochs"]), "ch4_train_images": _count(10 * test.config["train_per_class"]),
        "ch4_h1": interval(h1.diff), "ch4_h1_reading": reading(h1.diff),
        "ch4_h1_reading_unadjusted": reading(h1.diff, adjusted=False),
        "ch4_h1_holm_p": f"{h1.diff.p_adjusted:.3f}",
        "ch4_h2": interval(h2.diff), "ch4_h2_reading": reading(h2.diff),
        "ch4_h2_high": typography.signed(h2.diff.high, 2), "ch4_h2_low": typography.signed(h2.diff.low, 2),
        "ch4_h3": interval(h3.diff), "ch4_h3_reading": reading(h3.diff),
        "ch4_h3_declared": arms.h3_reading(test, h3),
        "ch4_control": interval(control.diff), "ch4_control_reading": reading(control.diff),
        "ch4_reset_low": f"{drift.lowest_imbalance(with_resets)['mean']:.2f}",
        "ch4_noreset_low": f"{drift.lowest_imbalance(without)['mean']:.2f}",
        "ch4_mult_signin_low": f"{min(mult_with):.2f}", "ch4_mult_signin_high": f"{max(mult_with):.2f}",
        "ch4_mult_noreset": f"{min(mult_without):.2f}",
        "ch4_step_ratio": f"{low_ratio:.2f}", "ch4_step_smaller": f"{100 * (1 - low_ratio):.0f}%",
        "ch4_near_no_op": f"{drift.NEAR_NO_OP:g}", "ch4_well_below": f"{drift.WELL_BELOW:g}",
        "ch4_step_tolerance": f"{100 * drift.STEP_TOLERANCE:g}%",
        "ch4_paper_gain": f"{typography.signed(paper.gain(test.arms['pai'].sparsity), 2)} pp",
        "ch4_paper_epochs": str(paper.PAPER["epochs"]),
    }


def _flips(r: Mapping) -> int:
    return signin_figures.total_flips(r)


def _early_share(r: Mapping, epochs: int = 3) -> float:
    """Percent of a run's sign flips that happened in its first ``epochs`` epochs."""
    early = sum(sum(h["sign_flips"].values()) for h in r["history"][:epochs])
    return 100 * early / _flips(r)


def flip_values(ref: Sequence[Mapping], sparsity: float = SPARSITY, seed: int = SEED) -> dict[str, str]:
    """The reference sweep's sign flips: the pair the figures show (``seed``), the ratio over all paired seeds, and
    how many reference records carry sign agreement with a GMP network (section 4's measure)."""
    at = records.select(ref, method=["pai", "pai_signin"], sparsity=sparsity)
    by = {(r["method"], r["config"]["seed"]): r for r in at}
    seeds = sorted({s for m, s in by if m == "pai"} & {s for m, s in by if m == "pai_signin"})
    if seed not in seeds:
        raise ValueError(f"no reference pair (PaI, Sign-In) at sparsity {sparsity:g}, seed {seed}; seeds {seeds}")
    pai, sign_in = by[("pai", seed)], by[("pai_signin", seed)]
    more = [100 * (_flips(by[("pai_signin", s)]) / _flips(by[("pai", s)]) - 1) for s in seeds]
    aligned = sum(1 for r in ref if all(h.get("sign_alignment") for h in r["history"]))
    return {
        "ch4_flips_pai": _count(_flips(pai)), "ch4_flips_signin": _count(_flips(sign_in)),
        "ch4_flips_more_low": f"{min(more):.0f}%", "ch4_flips_more_high": f"{max(more):.0f}%",
        "ch4_flips_seeds": str(len(seeds)),
        "ch4_flips_first_pai": percent(100 * pai["history"][0]["sign_flip_fraction"]),
        "ch4_flips_first_signin": percent(100 * sign_in["history"][0]["sign_flip_fraction"]),
        "ch4_flips_early_pai": f"{_early_share(pai):.0f}%", "ch4_flips_early_signin": f"{_early_share(sign_in):.0f}%",
        "ch4_ref_aligned": f"{aligned} of {len(ref)}",
    }


def regime_values(tests: list[arms.ArmTest], second: dict[str, str]) -> dict[str, str]:
    """The second test's values as chapter 4 glues them (``ch4_rg_*`` for the ``bl_rg_*`` of
    :func:`signin_lite.decision.second_test.values`) and, once it is read (``tests``:
    :func:`signin_lite.experiments.regime_test.read`), H1–H3 by the plan's declaration (``ch4_rg_h1_declared`` ...;
    dashes before)."""
    out = {k.replace("bl_rg_", "ch4_rg_", 1): v for k, v in second.items()}
    if not tests:
        return {**out, **{f"ch4_rg_h{i}_declared": "—" for i in (1, 2, 3)}}
    h = [arms.comparison(tests[0], "pai_signin", b) for b in ("pai", "pai_wd2x_masked_step", "pai_signin_noreset_step")]
    return {**out, "ch4_rg_h1_declared": arms.SAY[h[0].reading], "ch4_rg_h2_declared": arms.SAY[h[1].reading],
            "ch4_rg_h3_declared": arms.h3_reading(tests[0], h[2])}


def values(four_arms: str | os.PathLike = FOUR_ARMS, reference: str | os.PathLike = REFERENCE,
           regime: str | os.PathLike = REGIME, reference_epochs: int = REFERENCE_EPOCHS) -> dict[str, str]:
    """Every value chapter 4's prose glues: :func:`arm_values` of the (one) four-arm test, :func:`flip_values` of the
    reference sweep's main schedule, ``ch4_regime_runs`` ('0 of 60 runs': the second test's records so far) and
    :func:`regime_values` (``ch4_rg_status``: its progress, or its result by the plan once every run is in)."""
    tests = arms.four_arm_tests(_load(four_arms))
    if len(tests) != 1:
        raise ValueError(f"{four_arms}: expected one four-arm test, found {len(tests)}")
    ref = records.select(summary.main_records(_load(reference)), epochs=reference_epochs)
    recs = second_test.load(regime)  # the second test's records, loaded and read once
    second_tests = regime_test.read(recs)
    second = second_test.values("en", recs=recs, tests=second_tests)
    return {**arm_values(tests[0]), **flip_values(ref), **regime_values(second_tests, second),
            "ch4_regime_runs": f"{second['bl_rg_done']} of {second['bl_rg_total']} runs",
            "ch4_regime_beta": f"{regime_test.DESIGN['beta']:g}",
            "ch4_regime_beta_output": f"{regime_test.DESIGN['beta_output']:g}"}
