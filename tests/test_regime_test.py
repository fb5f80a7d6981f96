"""signin_lite.experiments.regime_test: issue 21's test read by its plan (five arms, two families of three with Holm,
H3's conjunction) and the pilot's criteria, on hand-made records."""

from pathlib import Path

import pytest

from signin_lite.experiments import regime_test

from recordkit import make_record, rid

ROOT = Path(__file__).resolve().parents[1]

ARMS = regime_test.REGIME_ARMS


def diag(mean, multiplier, reset=True):
    layers = {"a": {"mean": mean, "min": mean / 2}, "b": {"mean": mean, "min": mean / 2}}
    after = {"a": {"mean": 0.1, "min": 0.1}, "b": {"mean": 0.1, "min": 0.1}}
    return {"resets": [{"step": 26, "imbalance": layers, "zero_crossings": {"_all": 1}}] if reset else [],
            "imbalance_end": after if reset else layers, "lr_multiplier": {"_all": multiplier},
            "zero_crossings_since_reset": {"_all": 0}}


def rec(method, seed, acc, *, imbalance=0.07, step=0.15):
    """A record of the design; Sign-In's (m² − w²) before a reset is ``imbalance`` (beta 0.1), multipliers ``step``."""
    design = {k: v for k, v in regime_test.DESIGN.items() if k != "epochs"}
    r = make_record(method, seed, acc, 100.0, epochs=2, sparsity=0.9, run_id=rid(method, seed, "regime"), **design)
    r["final"].update(test_set="final", test_size=10000)
    signin = {"pai_signin": diag(imbalance, step), "pai_signin_noreset_step": diag(0.01, 0.05, reset=False)}
    scale = {"pai_wd2x_masked_step": {"_effective": step}, "pai_signin_noreset_step": {"_effective": step}}
    r["history"] = [{"epoch": e, "test_acc": acc, "train_acc": 0.9, "signin": signin.get(method),
                     **({"step_scale": scale[method]} if method in scale else {})} for e in (1, 2)]
    return r


# per seed: PaI, Sign-In, control, step control, no resets at a matched step
ACC = {0: (0.60, 0.62, 0.61, 0.600, 0.60), 1: (0.61, 0.63, 0.62, 0.612, 0.61), 2: (0.59, 0.611, 0.60, 0.589, 0.59),
       3: (0.60, 0.621, 0.61, 0.601, 0.60)}


def records_of(acc=ACC, **kw):
    return [rec(m, s, a, **kw) for s, row in acc.items() for m, a in zip(ARMS, row, strict=True)]


def test_two_families_of_three_with_holm_and_the_declared_hypotheses():
    (test,) = regime_test.tests(records_of())
    assert [(c.family, c.treatment, c.baseline) for c in test.comparisons] == [
        (f, *pair) for f, pairs in regime_test.FAMILIES.items() for pair in pairs]
    primary = [c for c in test.comparisons if c.family == "primary"]
    p = sorted(c.diff.p for c in primary)
    assert min(c.diff.p_adjusted for c in primary) == pytest.approx(3 * p[0])
    h1, h2, h3 = regime_test.hypotheses(test)
    assert h1.startswith("H1, Sign-In beats PaI: supported")
    assert h2.startswith("H2, Sign-In beats the step-size-matched control: supported")
    # resets undo 30% of beta (0.07 / 0.1 <= 0.8), multipliers matched (0.15 both): H3 by its conjunction
    assert h3.startswith("H3, the resets matter: supported;")


def test_h3_is_not_supported_when_the_resets_do_nothing_or_the_steps_differ():
    (test,) = regime_test.tests(records_of(imbalance=0.095))
    assert "not supported as declared: accuracy gap, resets near no-ops;" in regime_test.hypotheses(test)[-1]
    recs = records_of()
    for r in recs:
        if r["method"] == "pai_signin_noreset_step":
            for h in r["history"]:
                h["step_scale"]["_effective"] = 0.12  # 20% below Sign-In's 0.15
    (test,) = regime_test.tests(recs)
    assert "m² − w² falls well below β between resets, confounded with step size" in regime_test.hypotheses(test)[-1]


def test_pilot_check_names_each_failed_criterion():
    good = [r for r in records_of() if r["config"]["seed"] == 0]
    assert regime_test.pilot_check(good) == []
    bad = [rec(m, 0, 0.25 if m == "pai" else 0.6, imbalance=0.09) for m in ARMS[:-1]]
    assert regime_test.pilot_check(bad) == ["no record of pai_signin_noreset_step"]
    bad.append(rec("pai_signin_noreset_step", 0, 0.6, step=0.3))
    failures = regime_test.pilot_check(bad)
    assert failures[0].startswith("pai: final test accuracy 25.0%")
    assert "never fell to 0.8 (lowest 0.900)" in failures[1]
    assert failures[2].startswith("pai_signin_noreset_step: mean multiplier 2.000–2.000 times Sign-In's")


def test_the_committed_pilot_passes_the_plans_check():
    """results/cpu_regime/pilot (results/README.md, issue 21): every arm of seed 0, the check passes, the numbers the
    README states."""
    from pathlib import Path

    from signin_lite.evidence import drift, records
    recs = records.load_records(Path(__file__).resolve().parents[1] / "results" / "cpu_regime" / "pilot")
    assert regime_test.pilot_check(recs) == []
    by = {s.method: s for s in records.settings(recs)}
    acc = {m: round(100 * s.records[0]["final"]["test_acc"], 1) for m, s in by.items()}
    assert acc == {"pai": 51.7, "pai_signin": 41.4, "pai_wd2x_masked": 42.7, "pai_wd2x_masked_step": 40.1,
                   "pai_signin_noreset_step": 33.7}
    assert all(s.records[0]["final"]["test_size"] == 10000 for s in by.values())
    assert round(drift.lowest_imbalance(by["pai_signin"])["mean"], 2) == 0.64
    for m in ("pai_wd2x_masked_step", "pai_signin_noreset_step"):
        assert [round(x, 2) for x in drift.step_ratio(by[m], by["pai_signin"])] == [0.93, 0.99]


def test_the_summaries_say_how_far_the_second_test_has_run_and_report_nothing_before_it_ends(tmp_path):
    """second_test.values: the drift numbers of the plan, the count of finished runs, and no result until
    every run of the design has finished (the plan reads the test only then)."""
    import shutil

    from signin_lite.decision import second_test

    pilot = sorted((ROOT / "results" / "cpu_regime" / "pilot").glob("pai_random*.json"))[0]
    shutil.copy(pilot, tmp_path / pilot.name)
    en, ja = (second_test.values(lang, tmp_path) for lang in ("en", "ja"))
    assert (en["bl_rg_done"], en["bl_rg_total"], en["bl_rg_seeds"], en["bl_rg_arms"]) == ("1", "60", "12", "5")
    assert (en["bl_rg_d_first"], en["bl_rg_d_design"], en["bl_rg_d_paper"]) == ("0.39", "31", "31")
    assert en["bl_rg_status"].startswith("1 of 60 runs have finished") and "no result yet" in en["bl_rg_status"]
    assert "全60回の学習のうち1回" in ja["bl_rg_status"]
    assert second_test.values("en", tmp_path / "none")["bl_rg_done"] == "0"
    assert en["bl_rg_mult_low"] == en["bl_rg_reset_low"] == "—"  # no step or drift numbers before the end


def test_an_unfinished_second_test_is_held_back_from_the_reference_tables():
    """regime_test.hold_back: the design's records stay out of chapter 7's tables until all 60 are in."""
    from signin_lite.evidence import records

    partial = records.load_records(ROOT / "results" / "cpu_regime" / "runs")[:-1]  # at least one run missing
    other = records.load_records(ROOT / "results" / "cpu_signin" / "runs")
    kept, held = regime_test.hold_back(other + partial)
    assert len(held) == len(partial) < 60 and len(kept) == len(other)
    ids = {c.run_id() for c in regime_test.configs()}
    complete = [{"run_id": i} for i in sorted(ids)]
    assert regime_test.hold_back(complete) == (complete, [])


def test_once_every_run_is_in_the_summaries_and_chapter_4_state_the_result(tmp_path):
    """With all 60 records in, second_test.values reports Sign-In − PaI and − the step-matched control with
    their intervals and readings, and chapter 4's status sentence is that same sentence."""
    import json

    from signin_lite.decision import second_test
    from signin_lite.views.findings import signin

    for seed in regime_test.SEEDS:
        for k, m in enumerate(ARMS):
            acc = 0.60 + (0.02 if m == "pai_signin" else 0.0) + 0.002 * ((seed * 7 + k * 3) % 5)
            r = rec(m, seed, acc)
            (tmp_path / f"{m}_{seed}.json").write_text(json.dumps(r))
    en = second_test.values("en", tmp_path)
    assert en["bl_rg_done"] == "60" and en["bl_rg_status"].startswith("Sign-In minus PaI was +")
    assert "a clear gain" in en["bl_rg_status"] and "no result yet" not in en["bl_rg_status"]
    assert "without resets at a matched step size was +" in en["bl_rg_status"]
    assert (en["bl_rg_mult_low"], en["bl_rg_mult_high"], en["bl_rg_reset_low"]) == ("0.15", "0.15", "0.70")
    ja = second_test.values("ja", tmp_path)["bl_rg_status"]
    assert ja.count("判定：") == 3 and "リセットをせず" in ja
    assert signin.values(regime=tmp_path)["ch4_rg_status"] == en["bl_rg_status"]


def test_the_chapters_read_the_test_only_when_every_run_is_in():
    """regime_test.read: nothing while a run of the design is missing, the test once all are in."""
    recs = [rec(m, seed, 0.6) for seed in (0, 1) for m in ARMS]
    assert len(regime_test.read(recs)) == 1
    design_ids = [c.run_id() for c in regime_test.configs()]
    partial = [dict(r, run_id=i) for r, i in zip(recs, design_ids, strict=False)]
    assert regime_test.read(partial) == []


def test_the_outcome_states_each_primary_comparisons_sd_and_power():
    """The plan: 'If the observed SD of a comparison exceeds 1.0 pp ... the outcome will say so'."""
    from signin_lite.evidence import arms, power

    noisy = {0: 0.0, 1: 0.03, 2: -0.02, 3: 0.01}  # Sign-In's spread against PaI: SD above 1 pp
    recs = [rec(m, s, 0.6 + (noisy[s] if m == "pai_signin" else 0.0)) for s in noisy for m in ARMS]
    (test,) = regime_test.tests(recs)
    lines = regime_test.power_lines(test)
    assert len(lines) == 3 and all("observed paired SD" in line for line in lines)
    sd = power.paired_sd(arms.comparison(test, "pai_signin", "pai").per_seed)
    assert sd > 1.0 and f"SD {sd:.2f} pp over 4 seeds" in lines[0] and "says less than planned" in lines[0]
    assert f"power {power.paired_power(1.0, sd, 4, 0.05 / 3):.2f}" in lines[0]


def test_a_clear_difference_with_a_large_sd_is_not_called_a_null():
    """Above 1 pp of SD the flag says 'this null says less' only of a comparison that is not clear."""
    noisy = {0: -0.08, 1: -0.11, 2: -0.06, 3: -0.09, 4: -0.12}  # Sign-In far below PaI, SD above 1 pp
    recs = [rec(m, s, 0.6 + (noisy[s] if m == "pai_signin" else 0.0)) for s in noisy for m in ARMS]
    (test,) = regime_test.tests(recs)
    first = regime_test.power_lines(test)[0]
    assert "less power than planned" in first and "clear anyway" in first and "null" not in first
