"""The second CPU test of Sign-In (issue 21), in the paper's regime: its design, arms and comparisons, and the
numbers its plan states (regime and power), printed by one command::

    python -c "from signin_lite.experiments import regime_test; print(regime_test.plan_numbers())"

The plan is in ``results/README.md`` ("Issue 21"); ``scripts/cpu_regime_test.sh`` runs it. The design keeps issue 11's
data (ResNet-20, 5,000 CIFAR-10 training images, a uniform random mask at 90%, the final test on all 10,000 test
images) and changes the weight decay, the batch size, β, the reset period and the epochs so that weight decay shrinks
m² − w² over the run and between resets about as much as in the paper's assumed schedule
(:data:`signin_lite.training.regime.PAPER_ASSUMED`), with β comparable to 2|θ| at initialization.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from signin_lite.evidence import arms, drift, power, records
from signin_lite.foundations import config
from signin_lite.training import regime, sweep

# the sweep's flags (python -m signin_lite sweep), as scripts/cpu_regime_test.sh passes them
DESIGN: dict[str, object] = dict(epochs=25, mask="random", train_per_class=500, val_per_class=0, test_per_class=100,
                                 final_test_per_class=None, batch_size=32, lr=0.1, momentum=0.9, weight_decay=8e-3,
                                 beta=0.1, beta_output=1.0, rescale_every=0.1667, warmup_epochs=1.0)
SPARSITY = 0.9
SEEDS = tuple(range(12))
REGIME_ARMS = ("pai", "pai_signin", "pai_wd2x_masked", "pai_wd2x_masked_step", "pai_signin_noreset_step")
FAMILIES: dict[str, tuple[tuple[str, str], ...]] = {
    "primary": (("pai_signin", "pai"), ("pai_signin", "pai_wd2x_masked_step"),
                ("pai_signin", "pai_signin_noreset_step")),
    "secondary": (("pai_signin", "pai_wd2x_masked"), ("pai_wd2x_masked", "pai"),
                  ("pai_wd2x_masked_step", "pai_wd2x_masked")),
}


def configs(seeds: tuple[int, ...] = SEEDS, methods: tuple[str, ...] = REGIME_ARMS,
            **changes) -> list[config.TrainConfig]:
    """The design's runs (seed-major, as the sweep runs them); ``changes`` override design values (a pilot)."""
    return sweep.grid("cpu", list(methods), [SPARSITY], list(seeds), **{**DESIGN, **changes})


def design_config(method: str = "pai_signin", seed: int = 0) -> config.TrainConfig:
    """One run of the design."""
    (cfg,) = configs((seed,), (method,))
    return cfg


def first_test_config() -> config.TrainConfig:
    """Issue 11's CPU test as it was run (20 epochs; Sign-In arm)."""
    return config.make_config("cpu", epochs=20, mask="random", val_per_class=0, test_per_class=100,
                              final_test_per_class=None, signin=True, sparsity=SPARSITY)


def sweep_config() -> config.TrainConfig:
    """The CPU reference sweep's Sign-In run at 90% (ERK mask, the cpu profile's 12 epochs; chapters 1, 2, 4, 5, 7)."""
    return config.make_config("cpu", mask="erk", sparsity=SPARSITY, signin=True)


def book_regimes() -> list[regime.Regime]:
    """Every schedule the book's CIFAR-10 Sign-In results come from, after the paper's assumed one, with the names
    the chapters use."""
    return [regime.regime(regime.PAPER_ASSUMED, regime.PAPER_LABEL),
            regime.regime(sweep_config(), "CPU reference sweep (ERK, 12 epochs)"),
            regime.regime(first_test_config(), "first four-arm test (20 epochs)"),
            regime.regime(design_config(), "second test, in the paper's regime (25 epochs)")]


def regimes() -> list[regime.Regime]:
    """The paper's assumed schedule, issue 11's test and this design (Sign-In arm, seed 0), side by side."""
    return [regime.regime(regime.PAPER_ASSUMED, regime.PAPER_LABEL),
            regime.regime(first_test_config(), "issue 11 CPU test (20 epochs, as run)"),
            regime.regime(design_config(), "issue 21 CPU test (this design)")]


def observed_sds(folder: str = "results/cpu_signin/runs") -> dict[str, float]:
    """The paired SDs (pp) of issue 11's four comparisons, from its records."""
    (test,) = arms.four_arm_tests(records.load_records(folder))
    return {c.title(): power.paired_sd(c.per_seed) for c in test.comparisons}


def plan_numbers(folder: str = "results/cpu_signin/runs") -> str:
    """The regime table, the design's Sign-In multipliers per layer, and the power table for +1 pp."""
    rs = regimes()
    sds = observed_sds(folder)
    k = len(FAMILIES["primary"])
    worst = max(sds.values())
    lines = [regime.format_regimes(rs), "", "This design, Sign-In arm, seed 0, at initialization:",
             records.format_table(regime.layer_rows(rs[-1])), "",
             f"Power for +1 pp over {len(SEEDS)} paired seeds, two-sided paired t; α = 0.05 unadjusted and "
             f"α = 0.05/{k} "
             f"(Holm's strictest step over the {k} primary comparisons), at issue 11's observed paired SDs:",
             records.format_table(power.table(sds, 1.0, (6, len(SEEDS), 16), (0.05, 0.05 / k))),
             f"Seeds for 80% / 90% power at α = 0.05/{k} with the largest observed SD ({worst:.2f} pp): "
             f"{power.seeds_needed(1.0, worst, 0.8, 0.05 / k)} / {power.seeds_needed(1.0, worst, 0.9, 0.05 / k)}"]
    return "\n".join(lines)


def hold_back(recs: Iterable[Mapping]) -> tuple[list[Mapping], list[Mapping]]:
    """``recs`` without the design's records while any of its runs is missing (the plan reads the test only when all
    are in, so tables and figures must not show its interim numbers), and the records held back."""
    ids = {c.run_id() for c in configs()}
    recs = list(recs)
    design = [r for r in recs if r["run_id"] in ids]
    if len({r["run_id"] for r in design}) >= len(ids):
        return recs, []
    return [r for r in recs if r["run_id"] not in ids], design


# --------------------------------------------------------------------------- reading the records by the plan's rule
def tests(recs: Iterable[Mapping]) -> list[arms.ArmTest]:
    """The design's tests in ``recs`` (one per setting with every arm), compared by :data:`FAMILIES` with Holm's
    adjustment within each family (:func:`signin_lite.evidence.arms.four_arm_tests`)."""
    return arms.four_arm_tests(recs, arm_names=REGIME_ARMS, families=FAMILIES)


def read(recs: Iterable[Mapping]) -> list[arms.ArmTest]:
    """The design's tests in ``recs`` as the plan reads them: none while any of the design's runs is missing
    (:func:`hold_back`), else :func:`tests` (the CPU test, and the GPU run's once its records exist)."""
    kept, held = hold_back(recs)
    return [] if held else tests(kept)


def hypotheses(test: arms.ArmTest) -> list[str]:
    """H1–H3 as the plan declares them, each with its finding (Holm-adjusted reading; the unadjusted one beside it)."""
    h1 = arms.comparison(test, "pai_signin", "pai")
    h2 = arms.comparison(test, "pai_signin", "pai_wd2x_masked_step")
    h3 = arms.comparison(test, "pai_signin", "pai_signin_noreset_step")
    say = arms.SAY
    lines = [f"H1, Sign-In beats PaI: {say[h1.reading]}; {arms.finding(test, h1)}",
             f"H2, Sign-In beats the step-size-matched control: {say[h2.reading]}; {arms.finding(test, h2)}"]
    if h1.reading == "gain" and h2.reading != "gain":
        lines.append("So Sign-In's gain over PaI is matched by doubled decay and the same mean step size per layer: "
                     "it cannot be credited to its sign mechanism in this regime at this scale.")
    low = "".join(f" {line}." for line in drift.summary_lines([test.complete("pai_signin"),
                                                                test.complete("pai_signin_noreset_step")]))
    lines.append(f"H3, the resets matter: {arms.h3_reading(test, h3)}; {arms.finding(test, h3)}{low}")
    return lines


POWER_SD_LIMIT = 1.0  # pp: above this observed paired SD the plan says its power for +1 pp is below about 0.75


def power_lines(test: arms.ArmTest, effect: float = 1.0) -> list[str]:
    """What the plan promised the outcome would say about power: each primary comparison's observed paired SD and
    its power for ``effect`` pp at Holm's strictest step (α = 0.05/3), flagged where the SD exceeds
    :data:`POWER_SD_LIMIT` (a null there says less)."""
    k = len(FAMILIES["primary"])
    out = []
    for treatment, baseline in FAMILIES["primary"]:
        c = arms.comparison(test, treatment, baseline)
        if len(c.per_seed) < 2:
            out.append(f"{c.title()}: one paired seed, no SD")
            continue
        sd = power.paired_sd(c.per_seed)
        pw = power.paired_power(effect, sd, len(c.per_seed), 0.05 / k)
        flag = "" if sd <= POWER_SD_LIMIT else _power_flag(c.reading)
        out.append(f"{c.title()}: observed paired SD {sd:.2f} pp over {len(c.per_seed)} seeds, power "
                   f"{pw:.2f} for {effect:+g} pp at α = 0.05/{k}{flag}")
    return out


def _power_flag(reading: str) -> str:
    """What an SD above :data:`POWER_SD_LIMIT` means for a comparison read as ``reading``."""
    if reading in ("gain", "loss"):
        return (f"; the SD is above {POWER_SD_LIMIT:g} pp, so the test had less power than planned, and the "
                f"difference was large enough to be clear anyway")
    return f"; the SD is above {POWER_SD_LIMIT:g} pp, so this null says less than planned"


def pilot_check(recs: Iterable[Mapping]) -> list[str]:
    """The plan's pilot criteria on the pilot's records: the failures, none when the pilot passes."""
    settings = {s.method: s for s in records.settings(recs)}
    missing = [m for m in REGIME_ARMS if m not in settings]
    if missing:
        return [f"no record of {m}" for m in missing]
    out = [f"{m}: final test accuracy {100 * s.records[0]['final']['test_acc']:.1f}% is not above 30%"
           for m, s in settings.items() if m in REGIME_ARMS and s.records[0]["final"]["test_acc"] <= 0.30]
    low = drift.lowest_imbalance(settings["pai_signin"])["mean"]
    if low > drift.WELL_BELOW:
        out.append(f"Sign-In's layer-mean (m² − w²)/β before a reset never fell to {drift.WELL_BELOW} "
                   f"(lowest {low:.3f})")
    for m in ("pai_wd2x_masked_step", "pai_signin_noreset_step"):
        lo, hi = drift.step_ratio(settings[m], settings["pai_signin"])
        if not drift.steps_matched(settings[m], settings["pai_signin"]):
            out.append(f"{m}: mean multiplier {lo:.3f}–{hi:.3f} times Sign-In's, not within {drift.STEP_TOLERANCE:.0%}")
    return out
