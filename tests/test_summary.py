"""Tests for signin_lite.evidence.summary on hand-made records. Hand arithmetic is in the comments."""

import math

import pytest

from signin_lite.evidence import paper, records, summary
from signin_lite.evidence.paper import PAPER
from signin_lite.evidence.summary import format_summary, summary_table, tuning_table
from signin_lite.evidence.summary import finding as verdict

from recordkit import make_record, rid


def rec(method, seed, acc, *, sparsity=0.9, mask="erk", profile="cpu", beta=1.0, p=1.0, wd=5e-4, val=None,
        train_acc=0.95, history=None, source="offline-jpeg", date="2026-11-27T19:00:00+00:00", status="complete"):
    signin = {"beta": beta, "rescale_every": p} if method.endswith("signin") else {}
    r = make_record(method, seed, acc, 100.0, sparsity=sparsity, mask=mask, profile=profile, weight_decay=wd,
                    date=date, run_id=rid(method, seed, f"{sparsity}{beta}{p}{profile}{source}"), **signin)
    if method == "pai_wd2x":
        assert r["config"]["weight_decay"] == 2 * wd
    r["history"] = history or [{"epoch": 1, "test_acc": acc - 0.1, "train_acc": 0.5},
                               {"epoch": 2, "test_acc": acc, "train_acc": train_acc}]
    r["final"].update(train_acc=train_acc, val_acc=val)
    r["data"]["source"], r["status"] = source, status
    return r


def by(rows, method, sparsity=0.9, role="main", **kw):
    out = [r for r in rows if r["method"] == method and r["sparsity"] == sparsity and r["role"] == role
           and all(r[k] == v for k, v in kw.items())]
    assert len(out) == 1, out
    return out[0]


def test_paper_numbers_are_labelled_data():
    assert "reported by Gadhikar et al. 2025" in PAPER["source"] and "random mask" in PAPER["source"]
    assert PAPER["test_acc"][0.9] == {"pai": 86.25, "pai_signin": 87.83}
    assert paper.gain(0.8) == 1.12 and paper.gain(0.95) == 1.18
    assert paper.acc(0.98, "pai") is None


def test_mean_std_and_gain_ci_hand_computed():
    # Sign-In 92, 94, 90 % -> mean 92, sd 2; PaI 88, 89, 90 % -> mean 89, sd 1; gain 3 pp. Seeds 0-2 vs 3-5 do not
    # pair, so Welch: va = 4/3, vb = 1/3, se = sqrt(5/3); df = (5/3)^2 / ((4/3)^2/2 + (1/3)^2/2) = 2.9412;
    # t_0.975(2.9412) = 3.21876 -> CI 3 -/+ 4.15540 = [-1.15540, 7.15540] (scipy.stats.ttest_ind agrees).
    recs = [rec("pai_signin", s, a) for s, a in enumerate([0.92, 0.94, 0.90])]
    recs += [rec("pai", s + 3, a) for s, a in enumerate([0.88, 0.89, 0.90])]
    rows = summary_table(recs)
    t, b = by(rows, "pai_signin"), by(rows, "pai")
    assert (t["n"], b["n"]) == (3, 3) and t["seeds"] == [0, 1, 2] and t["gain_kind"] == "Welch t"
    assert t["test_acc_mean"] == pytest.approx(92.0) and t["test_acc_std"] == pytest.approx(2.0)
    assert b["test_acc_mean"] == pytest.approx(89.0) and b["test_acc_std"] == pytest.approx(1.0)
    assert t["gain_vs"] == "pai" and t["gain"] == pytest.approx(3.0)
    assert t["gain_df"] == pytest.approx(2.941176, abs=1e-5)
    assert t["gain_ci_low"] == pytest.approx(-1.155400, abs=1e-4)
    assert t["gain_ci_high"] == pytest.approx(7.155400, abs=1e-4)
    assert b["gain"] is None and b["gain_vs"] is None
    assert "includes zero" in verdict(t)


def test_paired_gain_when_the_seeds_pair():
    # the same numbers on seeds 0-2 on both sides: differences 4, 5, 0 -> mean 3, sd 2.6458, se 1.5275;
    # t_0.975(2) = 4.30265 -> [3 - 6.5724, 3 + 6.5724]
    recs = [rec("pai_signin", s, a) for s, a in enumerate([0.92, 0.94, 0.90])]
    recs += [rec("pai", s, a) for s, a in enumerate([0.88, 0.89, 0.90])]
    t = by(summary_table(recs), "pai_signin")
    assert t["gain_kind"] == "paired t" and t["gain_df"] == 2
    assert (t["gain_ci_low"], t["gain_ci_high"]) == pytest.approx((-3.5724, 9.5724), abs=1e-4)
    assert t["reading"] == "no clear difference"


def test_n1_gives_no_ci_not_a_zero_width_one():
    recs = [rec("pai_signin", 0, 0.92), rec("pai", 0, 0.89), rec("pai", 1, 0.90)]
    t = by(summary_table(recs), "pai_signin")
    assert t["test_acc_std"] is None and t["gain"] == pytest.approx(92 - 89.5)
    assert t["gain_ci_low"] is None and t["gain_ci_high"] is None and "n=1" in t["gain_note"]
    assert "no claim either way" in verdict(t)
    assert "n/a" in format_summary([t])  # the gain's missing interval
    assert "92.00 (1 seed)" in format_summary([t]) and "± n/a" not in format_summary([t])


def test_verdict_follows_the_interval():
    hi = [rec("pai_signin", s, a) for s, a in enumerate([0.95, 0.951, 0.949])]
    lo = [rec("pai", s, a) for s, a in enumerate([0.90, 0.901, 0.899])]
    assert "a gain at this scale" in verdict(by(summary_table(hi + lo), "pai_signin"))
    swapped = [rec("pai_signin", s, a) for s, a in enumerate([0.90, 0.901, 0.899])]
    swapped += [rec("pai", s, a) for s, a in enumerate([0.95, 0.951, 0.949])]
    assert "a loss at this scale" in verdict(by(summary_table(swapped), "pai_signin"))
    with pytest.raises(ValueError):
        verdict(by(summary_table(hi + lo), "pai"))


def test_grouping_by_sparsity_profile_and_source_and_missing_baseline():
    recs = [rec("pai", 0, 0.80, sparsity=0.8), rec("pai", 1, 0.82, sparsity=0.8), rec("pai", 0, 0.70),
            rec("pai", 0, 0.60, profile="gpu"), rec("pai", 0, 0.50, source="official"),
            rec("pai_signin", 0, 0.91, sparsity=0.95), rec("dense", 0, 0.93), rec("dense", 1, 0.95)]
    rows = summary_table(recs)
    assert by(rows, "pai", 0.8)["n"] == 2 and by(rows, "pai", 0.8)["test_acc_mean"] == pytest.approx(81.0)
    assert by(rows, "pai", 0.9, profile="cpu", data_source="offline-jpeg")["test_acc_mean"] == pytest.approx(70.0)
    assert by(rows, "pai", 0.9, profile="gpu")["test_acc_mean"] == pytest.approx(60.0)
    assert by(rows, "pai", 0.9, data_source="official")["test_acc_mean"] == pytest.approx(50.0)
    d = by(rows, "dense", 0.0)
    assert d["n"] == 2 and d["mask"] == "none" and d["paper_acc"] is None
    t = by(rows, "pai_signin", 0.95)
    assert t["gain"] is None and "no pai runs" in t["gain_note"] and "no comparison" in verdict(t).lower()
    assert len(rows) == 6


def test_paper_columns_beside_the_rows():
    recs = [rec("pai", s, 0.80 + s / 100) for s in range(2)] + [rec("pai_signin", s, 0.81 + s / 100) for s in range(2)]
    rows = summary_table(recs)
    t, b = by(rows, "pai_signin"), by(rows, "pai")
    assert t["paper_acc"] == 87.83 and b["paper_acc"] == 86.25
    assert (t["paper_baseline"], t["paper_treatment"], t["paper_gain"]) == (86.25, 87.83, 1.58)
    assert t["paper_source"] == PAPER["source"]
    assert "erk mask" in t["differs_from_paper"] and "12 epochs" in t["differs_from_paper"]
    assert "JPEG" in t["differs_from_paper"]
    text = format_summary(rows)
    assert "87.83" in text and "+1.58" in text and "reported by Gadhikar et al. 2025" in text
    assert "81.50 ± 0.71" in text  # mean 81.5, sd 0.7071 of 81, 82


def test_weight_decay_control_gain_and_convergence_indicator():
    hist = [{"epoch": e, "test_acc": a, "train_acc": 0.9} for e, a in enumerate([0.5, 0.6, 0.7, 0.8, 0.82], 1)]
    recs = [rec("pai", s, a) for s, a in enumerate([0.80, 0.82])]
    recs += [rec("pai_wd2x", s, a, history=hist) for s, a in enumerate([0.81, 0.83])]
    c = by(summary_table(recs), "pai_wd2x")
    assert c["gain_vs"] == "pai" and c["gain"] == pytest.approx(1.0) and c["gain_ci_low"] is not None
    assert c["weight_decay"] == pytest.approx(1e-3)
    # last 3 epochs: 0.82 - 0.6 = 22 pp; train accuracy is the final one
    assert c["test_change_last3"] == pytest.approx(22.0) and c["train_acc_mean"] == pytest.approx(95.0)
    assert summary.last_change([{"test_acc": 0.5}]) is None
    assert summary.last_change([{"test_acc": 0.5}, {"test_acc": 0.6}]) == pytest.approx(10.0)


def test_tuning_runs_do_not_pool_into_the_main_row():
    # the sweep's (beta=1, p=1) runs at two sparsities and three seeds; two other variants only at 0.9, seed 0
    recs = [rec("pai_signin", s, 0.9, sparsity=sp, val=0.5) for s in range(3) for sp in (0.8, 0.9)]
    recs += [rec("pai_signin", 0, 0.1, beta=4.0, val=0.6), rec("pai_signin", 0, 0.1, p=4.0, val=0.4)]
    recs += [rec("pai", s, 0.85) for s in range(3)]
    rows = summary_table(recs)
    main = by(rows, "pai_signin")
    assert (main["beta"], main["rescale_every"], main["n"]) == (1.0, 1.0, 3)
    assert main["test_acc_mean"] == pytest.approx(90.0) and main["gain"] == pytest.approx(5.0)
    tuning = [r for r in rows if r["role"] == "tuning"]
    assert sorted((r["beta"], r["rescale_every"]) for r in tuning) == [(1.0, 4.0), (4.0, 1.0)]
    assert all(r["gain"] is None for r in tuning)
    assert "(tuning)" in format_summary(rows)


def test_tie_between_variants_goes_to_the_validation_choice():
    recs = [rec("pai_signin", 0, 0.7, beta=b, val=v) for b, v in ((0.25, 0.5), (1.0, 0.6), (4.0, 0.55))]
    assert by(summary_table(recs), "pai_signin")["beta"] == 1.0
    rows = tuning_table(recs, 0.9)
    assert [r["beta"] for r in rows] == [0.25, 1.0, 4.0] and [r["chosen"] for r in rows] == [False, True, False]
    assert rows[1]["val_acc"] == pytest.approx(60.0) and rows[1]["test_acc"] == pytest.approx(70.0)
    assert tuning_table(recs, 0.8) == [] and tuning_table(recs, 0.9, profile="gpu") == []


def test_duplicates_incomplete_and_provenance():
    a = rec("pai", 0, 0.80)
    b = dict(rec("pai", 0, 0.90), date="2026-11-28T10:00:00+00:00")  # same run_id, another date: refused
    with pytest.raises(ValueError, match="appears twice with different dates"):
        summary_table([a, b])
    rows = summary_table([b, b, rec("pai", 1, 0.1, status="running")])  # the same record twice counts once
    r = by(rows, "pai")
    assert r["n"] == 1 and r["test_acc_mean"] == pytest.approx(90.0)
    assert r["devices"] == ["Test CPU (2 cores)"] and r["commits"] == [b["env"]["git_commit"][:7]]
    assert r["dates"][0] == "2026-11-28"
    assert r["provenance"].startswith("profile cpu") and "offline-jpeg" in r["provenance"]
    assert summary_table([]) == [] and format_summary([]) == "(no records)"


def test_history_mean_over_seeds():
    h = lambda accs: [{"epoch": i + 1, "test_acc": a} for i, a in enumerate(accs)]  # noqa: E731
    setting = records.settings([dict(rec("pai", 0, 0.3), history=h([0.1, 0.3])),
                                dict(rec("pai", 1, 0.7), history=h([0.3, 0.5, 0.7]))])[0]
    epochs, mean, std = summary.history_mean(setting)
    assert epochs == [1, 2] and mean == pytest.approx([20.0, 40.0]) and std[0] == pytest.approx(math.sqrt(200))


def test_cost_ratios_on_gain_rows():
    def costed(r, epoch_s, mem):
        r["cost"].update(epoch_time_s_median=epoch_s, peak_memory_bytes=mem)
        return r
    a = [costed(rec("pai", s, 0.8), 10.0, 100) for s in range(2)]
    b = [costed(rec("pai_signin", s, 0.8), 10.5, 150) for s in range(2)]
    t = by(summary_table(a + b), "pai_signin")
    assert t["epoch_time_ratio"] == pytest.approx(1.05) and t["peak_memory_ratio"] == pytest.approx(1.5)


def _longer(r, epochs, acc, train_acc=0.99):
    out = {**r, "config": {**r["config"], "epochs": epochs}, "run_id": rid(r["run_id"], epochs)}
    out["final"] = {**r["final"], "test_acc": acc, "train_acc": train_acc}
    out["history"] = [{"epoch": 1, "test_acc": acc - 0.2}, {"epoch": 2, "test_acc": acc}]
    return out


def test_schedule_effect_pairs_the_same_seeds_and_reports_the_gain_at_each_budget():
    short = [rec("pai", s, a) for s, a in enumerate([0.50, 0.52, 0.54])]
    short += [rec("pai_signin", s, a) for s, a in enumerate([0.49, 0.55, 0.56])]
    short.append(rec("pai_signin", 0, 0.40, beta=4.0))        # a tuning variant: no longer run, so no row
    long = [_longer(short[0], 24, 0.60), _longer(short[3], 24, 0.63)]   # seed 0 only, twice the epochs
    rows = summary.schedule_effect(short + long)
    assert [(r["method"], r["seeds"], r["short_epochs"], r["long_epochs"]) for r in rows] == \
        [("pai", [0], 12, 24), ("pai_signin", [0], 12, 24)]
    pai, signin = rows
    # seed 0 only: 50 -> 60 % and 49 -> 63 %; not the 3-seed means (52 and 53.33)
    assert pai["short_acc"] == pytest.approx(50) and pai["long_acc"] == pytest.approx(60)
    assert signin["change"] == pytest.approx(14) and signin["long_last3"] == pytest.approx(20)
    text = summary.format_schedule_effect(rows)
    assert "-1.00 pp after 12 epochs, +3.00 pp after 24" in text      # 49 - 50 and 63 - 60
    assert summary.format_schedule_effect([]).startswith("(no runs")


def test_headroom_is_dense_minus_pai_within_one_setting():
    recs = [rec("dense", s, a) for s, a in enumerate([0.60, 0.62])]                  # dense mean 61 %
    recs += [rec("pai", s, a, sparsity=0.8) for s, a in enumerate([0.59, 0.59])]     # 59 % -> headroom 2 pp
    recs += [rec("pai", s, a, sparsity=0.98) for s, a in enumerate([0.50, 0.48])]    # 49 % -> 12 pp
    recs += [rec("pai", 0, 0.30, profile="smoke")]                                    # no dense in smoke: no row
    rows = summary.headroom(summary_table(recs))
    assert [(h["sparsity"], round(h["headroom"], 6)) for h in rows] == [(0.8, 2.0), (0.98, 12.0)]
    assert rows[0]["dense_n"] == 2 and rows[0]["baseline"] == "pai"


def test_sign_flips_are_summed_over_epochs_and_averaged_over_seeds():
    def flips(*fractions):
        return [{"epoch": i + 1, "test_acc": 0.5, "sign_flip_fraction": f} for i, f in enumerate(fractions)]
    recs = [rec("pai", 0, 0.5, history=flips(0.10, 0.02)), rec("pai", 1, 0.5, history=flips(0.08, 0.04))]
    recs.append(rec("dense", 0, 0.6))                                  # no sign_flip_fraction in its history
    rows = summary_table(recs)
    assert by(rows, "pai")["sign_flips_mean"] == pytest.approx(12.0)   # (12 % + 12 %) / 2
    assert by(rows, "dense", sparsity=0.0)["sign_flips_mean"] is None
