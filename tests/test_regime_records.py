"""The second CPU test's committed records (results/cpu_regime/runs, issue 21), checked without the library's
loader: each is a run of the declared design, each arm differs from PaI of the same seed only as the plan says, the
final test uses all 10,000 test images, and the primary comparisons recompute with scipy (paired t, Holm within the
primary family) to what ``regime_test.tests`` reports, on the seeds that every arm has finished so far."""

import json
from pathlib import Path

import pytest
from scipy import stats as st

from signin_lite.evidence import arms, records
from signin_lite.experiments import regime_test

RUNS = Path(__file__).resolve().parents[1] / "results" / "cpu_regime" / "runs"
ARMS = regime_test.REGIME_ARMS
# what each arm changes against PaI of the same seed (the plan in results/README.md, "Issue 21")
SIGNIN = {"signin": True, "beta": 0.1, "beta_output": 1.0}
EXPECTED = {
    "pai_signin": {**SIGNIN, "rescale_every": 0.1667},
    "pai_wd2x_masked": {"weight_decay_masked_factor": 2.0, "tag": "wd2x_masked"},
    "pai_wd2x_masked_step": {"weight_decay_masked_factor": 2.0, "step_match_every": 0.1667, "beta": 0.1,
                             "beta_output": 1.0, "tag": "wd2x_masked_step"},
    "pai_signin_noreset_step": {**SIGNIN, "rescale_every": 0.0, "step_match_every": 0.1667, "tag": "noreset_step"},
}


@pytest.fixture(scope="module")
def raw() -> dict[tuple[str, int], dict]:
    recs = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    assert recs, f"no records in {RUNS}"
    return {(r["method"], r["config"]["seed"]): r for r in recs}


def test_every_record_is_a_run_of_the_design_on_the_full_test_set(raw):
    ids = {c.run_id() for c in regime_test.configs()}
    for (method, seed), r in raw.items():
        assert r["run_id"] in ids and method in ARMS, (method, seed)
        assert (r["final"]["test_set"], r["final"]["test_size"]) == ("final", 10000), (method, seed)


def test_each_arm_differs_from_pai_only_as_declared(raw):
    checked = 0
    for (method, seed), r in raw.items():
        pai = raw.get(("pai", seed))
        if method == "pai" or pai is None:
            continue
        a, b = pai["config"], r["config"]
        changed = {k: b.get(k) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        assert changed == EXPECTED[method], (method, seed)
        checked += 1
    assert checked >= 4


def test_primary_comparisons_recompute_with_scipy(raw):
    seeds = sorted(s for s in {s for _, s in raw} if all((m, s) in raw for m in ARMS))
    (test,) = regime_test.tests(records.load_records(RUNS))
    assert list(test.seeds) == seeds
    primary = regime_test.FAMILIES["primary"]
    ours = {pair: arms.comparison(test, *pair).diff for pair in primary}
    if len(seeds) < 2:  # one paired seed gives no interval, and the library says so
        assert not any(d.available for d in ours.values())
        return
    pvalues = {}
    for treatment, baseline in primary:
        diffs = [100 * (raw[(treatment, s)]["final"]["test_acc"] - raw[(baseline, s)]["final"]["test_acc"])
                 for s in seeds]
        t = st.ttest_1samp(diffs, 0.0)
        ci = t.confidence_interval(0.95)
        d = ours[(treatment, baseline)]
        assert (d.estimate, d.low, d.high, d.p) == pytest.approx((sum(diffs) / len(diffs), ci.low, ci.high, t.pvalue))
        pvalues[(treatment, baseline)] = t.pvalue
    order = sorted(pvalues, key=pvalues.get)  # Holm: k-th smallest times (m - k + 1), running maximum, capped at 1
    running = 0.0
    for k, pair in enumerate(order):
        running = max(running, min(1.0, (len(order) - k) * pvalues[pair]))
        assert ours[pair].p_adjusted == pytest.approx(running)


def test_seed_0_repeats_the_pilot_exactly(raw):
    """results/README.md says so: every seed-0 record of the sweep has the pilot's final accuracy and loss (same run
    id), including runs that were cut and resumed from a checkpoint."""
    pilot = {r["run_id"]: r for r in map(json.loads, map(Path.read_text, (RUNS.parent / "pilot").glob("*.json")))}
    seed0 = [r for (_, seed), r in raw.items() if seed == 0]
    assert len(seed0) == len(ARMS)
    for r in seed0:
        p = pilot[r["run_id"]]["final"]
        assert (r["final"]["test_acc"], r["final"]["test_loss"]) == (p["test_acc"], p["test_loss"]), r["method"]
