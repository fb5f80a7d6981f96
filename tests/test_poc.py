"""Tests for signin_lite.decision.poc (cost model) and signin_lite.views.poc_plots. Hand arithmetic is in the
comments."""

import math
import warnings

import pytest

from recordkit import make_record, rid

from signin_lite.foundations import schema
from signin_lite.decision.options import summarize
from signin_lite.decision import timing
from signin_lite.decision.deployment import Deployment
from signin_lite.decision.poc import build_worksheet
from signin_lite.decision.rule import decide, verdict_label
from signin_lite.evidence.stats import PAIRED, Difference


def rec(method, seed, acc, train_s, **kw):
    return make_record(method, seed, acc, train_s, **kw)


def CI(low, high, df):  # noqa: N802 - the interval the worksheet reads
    return Difference((low + high) / 2, low, high, 0.01, df, PAIRED, 3, 3)


evaluate = build_worksheet


def dense_recs():
    # dense: accuracies 90 % and 92 %  -> mean 91, sample std sqrt(2) pp; 1 hour of training each
    return [rec("dense", 0, 0.90, 3600.0, flops=(1000, 1000), params=(500, 500)),
            rec("dense", 1, 0.92, 3600.0, flops=(1000, 1000), params=(500, 500))]


def signin_recs(accs=(0.89, 0.91), seeds=(2, 3)):
    # Sign-In: 5 % longer training (3780 s = 1.05 h); seeds 2, 3 do not pair with dense's 0, 1 (Welch)
    return [rec("pai_signin", s, a, 3780.0, mem=2000) for s, a in zip(seeds[:len(accs)], accs, strict=True)]


def dep(**kw):
    base = dict(requests_per_month=3.6e6, hardware="test GPU", price_per_hour=2.0, power_watts=500.0,
                electricity_price_per_kwh=0.2, baseline_throughput_rps=100.0, retrains_per_month=2.0,
                tolerance_pp=1.0, sparse_speedup=1.25)
    base.update(kw)
    return Deployment(**base)


PAI0 = rid("pai", 0)


def deploy_rec(sparse_median=0.0101, sparse_iqr=0.001, sparse_run_id=PAI0, sparsity=0.9):
    return {"schema": "signin_lite.deploy/1", "run_id": "meas00000001", "sparsity": sparsity,
            "source": {"dense_run_id": "dense-s0", "sparse_run_id": sparse_run_id},
            "storage": {"dense_model": {"dense": 1000, "csr": 2500, "bitmask": 1200},
                        "sparse_model": {"dense": 1000, "csr": 250, "bitmask": 200}},
            "latency": {"batch_size": 1, "dense": {"median_s": 0.010, "iqr_s": 0.001},
                        "sparse": {"median_s": sparse_median, "iqr_s": sparse_iqr}},
            "env": {"device_name": "Meas CPU"}, "date": "2026-11-28T10:00:00+00:00"}


def probe_rec(dense=(1.0, 1.1, 0.9, 1.0), masked=None, signin=None, mem=(100, 110, 230), batch=8, sparsity=0.9):
    """A minimal probe record: per-round step times of each variant (same round = same load)."""
    masked = masked or dense
    signin = signin or [1.3 * t for t in dense]
    m = {k: {"step_time_s": sorted(ts)[len(ts) // 2], "step_times_s": list(ts), "peak_memory_bytes": b}
         for k, ts, b in (("dense", dense, mem[0]), ("masked", masked, mem[1]), ("masked_signin", signin, mem[2]))}
    return {"schema": "signin_lite.probe/1", "run_id": "probe0000001", "name": "probe_test",
            "model": {"spec": "torchvision:resnet18", "class": "ResNet"},
            "input": {"shape": [3, 64, 64], "batch_size": batch, "synthetic": True}, "sparsity": sparsity,
            "steps": len(dense), "measurements": m, "storage": {"dense_bytes": 1000, "merged_sparse_bytes": 150},
            "env": {"device_name": "Probe CPU"}, "date": "2026-11-29T15:46:01+00:00", "status": "complete"}


# -------------------------------------------------------------------------------------- go / no-go
@pytest.mark.parametrize("ci,saving,upper,expected", [
    (CI(-1.0, 0.5, 3), 1.0, 5.0, ("go", ())),                                  # lower bound exactly -tolerance
    (CI(-0.2, 0.5, 3), 0.01, 5.0, ("go", ())),
    (CI(-1.001, 0.5, 3), 1.0, 5.0, ("not-yet", ("acc_unclear",))),          # just below -tolerance
    (CI(-3.0, -1.0, 3), 1.0, 5.0, ("not-yet", ("acc_unclear",))),           # upper bound touches -tolerance
    (CI(-3.0, -1.01, 3), 1.0, 5.0, ("no-go", ("acc_below",))),              # wholly below
    (None, 1.0, 5.0, ("not-yet", ("acc_unknown",))),
    (CI(-0.2, 0.5, 3), 0.0, 5.0, ("not-yet", ("money_unproven",))),         # only the upper bound saves
    (CI(-0.2, 0.5, 3), 0.0, 0.0, ("no-go", ("money_none",))),               # not even the upper bound
    (CI(-3.0, 0.5, 3), -5.0, 5.0, ("not-yet", ("acc_unclear", "money_unproven"))),   # every blocker named
    (CI(-3.0, -2.0, 3), -5.0, 0.0, ("no-go", ("acc_below", "money_none"))),
])
def test_the_one_verdict_rule(ci, saving, upper, expected):
    assert tuple(decide(ci, saving, upper, tolerance_pp=1.0)) == expected


def test_verdict_labels_are_one_vocabulary():
    assert [verdict_label(v, "en") for v in ("go", "not-yet", "no-go")] == ["go", "not yet", "no-go"]
    assert [verdict_label(v, "ja") for v in ("go", "not-yet", "no-go")] == ["実施", "時期尚早", "見送り"]
    with pytest.raises(ValueError, match="verdicts are"):
        verdict_label("inconclusive", "en")


# -------------------------------------------------------------------------------- controlled timing
def test_time_ratio_is_paired_by_round_and_credited_only_outside_noise():
    # rounds: Sign-In 1.3 x dense in every round -> ratio exactly 1.3, a degenerate interval [1.3, 1.3]: measured
    t = timing.from_probe(probe_rec(), reader=False)
    s = t.time["masked_signin"]
    assert s.ratio == pytest.approx(1.3) and s.status == "measured" and s.credited == pytest.approx(1.3)
    # masked = dense round by round -> ratio 1.0, no spread: "measured" but 1.0
    assert t.time["masked"].credited == pytest.approx(1.0)
    # noise: Sign-In looks 38% faster on average but the rounds disagree -> interval includes 1, credited as 1.0
    noisy = timing.from_probe(probe_rec(signin=[0.4, 1.5, 0.5, 1.2]), reader=True)
    n = noisy.time["masked_signin"]
    assert n.ratio < 0.9 and n.low < 1.0 < n.high and n.status == "not_measurable" and n.credited == 1.0
    assert noisy.memory["masked_signin"] == pytest.approx(2.3) and noisy.reader


def test_sweep_wall_clock_times_never_set_a_cost():
    # the same accuracies, but Sign-In's records say it trained in a tenth of dense's time (a shared machine):
    # with a probe, retraining costs come from the probe's ratio, not from those times
    fast = [rec("pai_signin", s, a, 360.0, mem=2000) for s, a in ((2, 0.89), (3, 0.91))]
    t = timing.from_probe(probe_rec(), reader=False)
    ws = evaluate(dep(sparse_speedup=1.0, tolerance_pp=10.0), summarize(dense_recs() + fast), timing=t)
    d, o = ws.options
    # dense hours per run = 100,000 steps x 1.0 s (median) x scale 1.0 / 3600 = 27.78 h; Sign-In x 1.3
    assert d.train_hours_per_run == pytest.approx(100_000 / 3600)
    assert o.train_hours_per_run == pytest.approx(1.3 * 100_000 / 3600) and o.train_time_status == "measured"
    assert o.saving_abs < 0 and o.verdict == "no-go" and o.blockers == ("money_none",)   # 27.8 h x 0.3 x 2 runs
    # without a controlled measurement, nothing is credited: every option trains as long as dense
    ws = evaluate(dep(sparse_speedup=1.0, tolerance_pp=10.0), summarize(dense_recs() + fast))
    assert ws.options[1].train_hours_per_run == ws.dense.train_hours_per_run and ws.options[1].saving_abs == 0.0
    assert ws.options[1].train_time_status == "not_measured"


# ------------------------------------------------------------------------------------------ inputs
@pytest.mark.parametrize("name,value", [
    ("requests_per_month", 0), ("requests_per_month", -1), ("price_per_hour", -0.01), ("power_watts", 0),
    ("power_watts", -10), ("electricity_price_per_kwh", -1), ("baseline_throughput_rps", 0),
    ("retrains_per_month", -1), ("tolerance_pp", -0.5), ("sparse_speedup", 0), ("train_time_scale", 0),
    ("price_per_hour", float("nan")), ("power_watts", "300"), ("requests_per_month", True),
    ("hardware", ""), ("throughput_basis", "  "),
])
def test_deployment_rejects_bad_inputs(name, value):
    with pytest.raises(ValueError, match=rf"Deployment\.{name} .*got"):
        dep(**{name: value})


def test_deployment_allows_zero_prices_and_no_retraining():
    d = dep(price_per_hour=0, electricity_price_per_kwh=0, retrains_per_month=0, tolerance_pp=0)
    assert d.hourly_cost == 0
    assert [n for n, *_ in d.inputs()][0] == "requests_per_month"


# --------------------------------------------------------------------------------------- summarize
def test_summarize_groups_and_pools_seeds():
    recs = dense_recs() + signin_recs() + [rec("pai", 0, 0.88, 3600.0, sparsity=0.8)]
    sums = {s.key: s for s in summarize(recs)}
    assert set(sums) == {("dense", None, 0.0), ("pai_signin", "erk", 0.9), ("pai", "erk", 0.8)}
    d = sums[("dense", None, 0.0)]
    assert d.n_seeds == 2 and d.test_acc_mean == pytest.approx(0.91)
    assert d.test_acc_std == pytest.approx(math.sqrt(2) / 100)
    assert d.run_ids == (rid("dense", 0), rid("dense", 1))
    assert sums[("pai", "erk", 0.8)].test_acc_std is None       # one seed: no std, not 0
    assert sums[("pai_signin", "erk", 0.9)].peak_memory_bytes == 2000
    assert d.device_names == ("Test CPU (2 cores)",) and d.data_sources == ("offline-jpeg",)


def test_summarize_skips_incomplete_and_rejects_bad_records():
    running = rec("pai", 5, 0.5, 10.0)
    running["status"] = "running"
    assert [s.method for s in summarize(dense_recs() + [running])] == ["dense"]
    bad = rec("dense", 0, 0.9, 1.0)
    bad["schema"] = "other/1"
    with pytest.raises(schema.RecordError, match="schema"):
        summarize([bad])
    with pytest.raises(schema.RecordError, match="fraction"):
        summarize([rec("dense", 0, 91.0, 1.0)])               # a percentage slipped in


def test_summarize_refuses_a_stale_duplicate():
    old = rec("dense", 0, 0.5, 1.0, date="2026-01-01T00:00:00+00:00")
    new = rec("dense", 0, 0.9, 1.0, date="2026-02-01T00:00:00+00:00")
    with pytest.raises(ValueError, match="appears twice with different dates"):
        summarize([new, old])
    (s,) = summarize([new, new])                              # the same record twice counts once
    assert s.n_seeds == 1 and s.test_acc_mean == 0.9


def test_summarize_never_pools_schedules():
    recs = dense_recs() + [rec("dense", 2, 0.95, 3600.0, epochs=24)]
    with pytest.raises(ValueError, match=r"differ in \['epochs'\]"):
        summarize(recs)


def test_paired_interval_when_the_seeds_pair():
    # dense [90, 92], Sign-In on the same seeds [89, 92]: differences -1, 0 -> mean -0.5, sd 0.7071, se 0.5;
    # t(0.975, 1) = 12.7062047 -> half width 6.3531 -> [-6.8531, 5.8531]
    o = evaluate(dep(), summarize(dense_recs() + signin_recs((0.89, 0.92), seeds=(0, 1)))).options[1]
    assert o.acc_ci_pp.kind == "paired t"
    assert (o.acc_ci_pp.low, o.acc_ci_pp.high) == pytest.approx((-6.8531024, 5.8531024), abs=1e-6)


# ---------------------------------------------------------------------------------------- evaluate
def test_evaluate_hand_computed_costs_and_ci():
    ws = evaluate(dep(), summarize(dense_recs() + signin_recs()))
    d, o = ws.options
    # hourly cost = 2.0 + 500 W / 1000 * 0.2 = 2.1
    # dense: inference 3.6e6 req / 100 req/s = 36000 s = 10 h -> 21.0; retraining 2 x 1 h x 2.1 = 4.2 -> 25.2
    assert d.verdict == "baseline"
    assert d.inference_cost == pytest.approx(21.0)
    assert d.retraining_cost == pytest.approx(4.2)
    assert d.total_cost == pytest.approx(25.2)
    # Sign-In: no latency measurement -> ratio 1.0, x assumed 1.25 -> 8 h -> 16.8
    #          no controlled timing: retraining as dense's, 2 x 1 h x 2.1 = 4.2 (the records' 3780 s are not used)
    #          -> total 21.0; saving 4.2 = 16.667 %
    assert o.speedup_effective == pytest.approx(1.25)
    assert o.inference_cost == pytest.approx(16.8)
    assert o.retraining_cost == pytest.approx(4.2)
    assert o.total_cost == pytest.approx(21.0)
    assert o.saving_abs == pytest.approx(4.2)
    assert o.saving_pct == pytest.approx(4.2 / 25.2 * 100)
    # energy: (8 h + 2 h) x 0.5 kW = 5.0 kWh
    assert o.energy_kwh == pytest.approx(5.0)
    # accuracy: 90 - 91 = -1 pp; Welch (seeds do not pair): va = vb = 1, df 2, t 4.3026527 -> -1 +- 6.0848698
    assert o.acc_change_pp == pytest.approx(-1.0)
    assert o.acc_ci_pp.low == pytest.approx(-7.0848698, abs=1e-6)
    assert (o.verdict, o.blockers) == ("not-yet", ("acc_unclear",))
    # FLOPs 1 - 100/1000 = 90 % (upper bound); peak memory 2000 vs 1000 -> +100 %
    assert o.flops_saving_pct == pytest.approx(90.0)
    assert o.train_memory_change_pct == pytest.approx(100.0)
    assert o.storage is None
    rows = ws.rows()
    assert (rows[1]["run_ids"] == f"{rid('pai_signin', 2)}, {rid('pai_signin', 3)}"
            and rows[1]["hardware"] == "Test CPU (2 cores)")


def test_evaluate_go_with_wider_tolerance():
    # CI lower bound -7.08 >= -10 and saving 4.2 > 0 -> go
    o = evaluate(dep(tolerance_pp=10.0), summarize(dense_recs() + signin_recs())).options[1]
    assert o.verdict == "go"


def test_evaluate_no_go_on_accuracy():
    # option [70, 72]: diff -20 pp, CI -20 +- 6.08 = (-26.08, -13.92), wholly below -1 -> no-go
    o = evaluate(dep(), summarize(dense_recs() + signin_recs((0.70, 0.72)))).options[1]
    assert o.acc_change_pp == pytest.approx(-20.0)
    assert (o.verdict, o.reason) == ("no-go", "acc_below")


def test_evaluate_not_yet_without_saving_on_dense_kernels():
    # speed-up 1.0: inference 21.0 both; Sign-In retraining 4.2 x 1.3 (the probe) = 5.46 > 4.2 -> saving -1.26;
    # the upper bound (90% fewer FLOPs realized) would save: not yet, the saving rests on an unmeasured speed-up
    t = timing.from_probe(probe_rec(dense=(3600.0 / 100_000,) * 2 + (3601.0 / 100_000,) * 2), reader=False)
    ws = evaluate(dep(sparse_speedup=1.0, tolerance_pp=10.0), summarize(dense_recs() + signin_recs()), timing=t)
    o = ws.options[1]
    assert o.retraining_cost == pytest.approx(1.3 * ws.dense.retraining_cost)
    assert o.saving_abs == pytest.approx(-0.3 * ws.dense.retraining_cost)
    assert (o.verdict, o.blockers) == ("not-yet", ("money_unproven",))
    assert o.upper_saving == pytest.approx(0.9 * 21.0 - 0.3 * ws.dense.retraining_cost)
    assert any("about no wall-clock speed-up on dense kernels" in a for a in ws.assumptions)


def test_equal_costs_are_no_saving_despite_float_rounding():
    # gmp at speed-up 1.0 without a controlled timing: the same cost as dense up to float rounding -> saving 0
    recs = dense_recs() + [rec("gmp", 0, 0.91, 7200.0, mask=None), rec("gmp", 1, 0.91, 7200.0, mask=None)]
    o = evaluate(dep(tolerance_pp=10.0, sparse_speedup=1.0), summarize(recs)).options[1]
    assert o.saving_abs == 0.0 and o.verdict == "not-yet" and "money_unproven" in o.blockers


def test_evaluate_one_seed_ci_unavailable():
    o = evaluate(dep(tolerance_pp=50.0), summarize(dense_recs() + signin_recs((0.95,)))).options[1]
    assert o.acc_ci_pp is None
    assert (o.verdict, o.reason) == ("not-yet", "acc_unknown")


def test_evaluate_missing_dense_baseline():
    with pytest.raises(ValueError, match=r"no dense baseline record.*python -m signin_lite train --mask none"):
        evaluate(dep(), summarize(signin_recs()))
    with pytest.raises(TypeError, match="summarize"):
        evaluate(dep(), dense_recs())


def test_evaluate_storage_and_measured_latency():
    recs = dense_recs() + [rec("pai", 0, 0.90, 3600.0), rec("pai", 1, 0.92, 3600.0)]
    # latency ratio 0.010 / 0.008 = 1.25 (difference 0.002 > IQR 0.001): measured, x assumed 1.25 = 1.5625
    ws = evaluate(dep(), summarize(recs), storage=deploy_rec(), inference=deploy_rec(sparse_median=0.008))
    d, o = ws.options
    assert o.speedup_measured == pytest.approx(1.25) and o.speedup_effective == pytest.approx(1.5625)
    # storage: smallest sparse file is the bitmask, 200 B vs 1000 B dense -> 80 % saving
    assert o.storage["format"] == "bitmask" and o.storage["saving_pct"] == pytest.approx(80.0)
    assert d.storage["saving_pct"] == 0.0
    assert ws.measurements[0]["run_id"] == "meas00000001"


def test_evaluate_latency_within_noise_is_treated_as_no_speedup():
    recs = dense_recs() + [rec("pai", 0, 0.90, 3600.0), rec("pai", 1, 0.92, 3600.0)]
    ws = evaluate(dep(), summarize(recs), inference=deploy_rec(sparse_median=0.0095))   # |diff| 0.0005 < IQR
    assert ws.options[1].speedup_measured == 1.0
    assert any("within measurement noise" in a for a in ws.assumptions)


def test_evaluate_borrowed_and_missing_storage_are_noted():
    recs = dense_recs() + signin_recs() + [rec("pai", 0, 0.9, 3600.0, sparsity=0.5, run_id=rid("pai", 0, "half"))]
    ws = evaluate(dep(), summarize(recs), storage=deploy_rec())
    by = {o.label: o for o in ws.options}
    assert by["pai / erk / 50%"].storage is None
    assert by["pai_signin / erk / 90%"].storage["format"] == "bitmask"
    text = "\n".join(ws.assumptions)
    assert "pai / erk / 50%: storage not measured" in text
    assert f"pai_signin / erk / 90%: storage taken from the weights of run {rid('pai', 0)}" in text


def test_evaluate_rejects_wrong_measurement_schema():
    with pytest.raises(ValueError, match="deploy"):
        evaluate(dep(), summarize(dense_recs()), storage={"schema": "signin_lite.run/1"})


def test_evaluate_notes_mismatch_and_skips_diagnostics():
    recs = dense_recs() + [rec("pai", 0, 0.9, 3600.0, profile="gpu"), rec("transplant_signs", 0, 0.8, 10.0)]
    ws = evaluate(dep(), summarize(recs))
    assert [o.summary.method for o in ws.options] == ["dense", "pai"]
    text = "\n".join(ws.assumptions)
    assert "differs from the dense baseline in profile" in text
    assert "Not costed: transplant_signs" in text


def test_every_note_key_has_a_template():
    ws = evaluate(dep(), summarize(dense_recs() + signin_recs()), storage=deploy_rec(), inference=deploy_rec())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all(isinstance(a, str) and a for a in ws.assumptions)


# ------------------------------------------------------------------------------------------- plots
def ws_recs():
    return dense_recs() + signin_recs() + [rec("pai", 0, 0.9, 3600.0, sparsity=0.5, run_id=rid("pai", 0, "half")),
                                           rec("pai", 1, 0.88, 3600.0, sparsity=0.9), rec("gmp", 0, 0.9, 7200.0)]


def worksheet_for_plots():
    return evaluate(dep(), summarize(ws_recs()), storage=deploy_rec(), inference=deploy_rec())


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_plots_build_with_expected_traces(lang):
    from signin_lite.views import poc_plots
    ws = worksheet_for_plots()   # options: dense, pai 50 %, pai 90 %, pai_signin 90 %, gmp 90 %
    assert len(ws.options) == 5
    frontier = poc_plots.frontier_figure(ws, lang=lang)
    assert len(frontier.data) == 3                      # one per sparse method: pai, pai_signin, gmp (dense is x = 0)
    savings = poc_plots.savings_figure(ws, lang=lang)
    assert len(savings.data) == 4                       # FLOPs, storage, inference, retraining
    assert all(len(tr.x) == 4 for tr in savings.data)   # the four sparse options
    sens = poc_plots.sensitivity_figure(ws, speedups=[1.0, 1.5, 2.0], lang=lang)
    assert len(sens.data) == 5                          # one per option
    # dense is flat; a sparse option gets cheaper as the assumed speed-up grows
    assert len(set(sens.data[0].y)) == 1 and sens.data[1].y[2] < sens.data[1].y[0]
    for fig in (frontier, savings, sens):
        cap = fig.layout.meta["provenance"]
        assert rid("dense", 0) in cap and "Test CPU (2 cores)" in cap
        assert any(a.name == "provenance" for a in fig.layout.annotations)


def test_plots_show_the_reports_options_on_axes_that_do_not_magnify_noise():
    from signin_lite.views import poc_plots
    ws = worksheet_for_plots()
    d = dep(materiality=50.0, sparse_speedup=1.0)
    ws = evaluate(d, [o.summary for o in ws.options], storage=deploy_rec())
    fig = poc_plots.frontier_figure(ws, lang="en", sparsity=0.9)
    assert [tr.name for tr in fig.data] == ["Sparse (PaI)", "Sparse + Sign-In"]      # the report's options only
    lo, hi = fig.layout.xaxis.range                     # savings of a few units: the axis still spans the threshold
    assert lo <= -50.0 and hi >= 50.0 and all(abs(x) < 5 for tr in fig.data for x in tr.x)
    ylo, yhi = fig.layout.yaxis.range
    assert ylo <= -1.5 and yhi >= 1.0
    assert len(poc_plots.sensitivity_figure(ws, sparsity=0.9).data) == 3
    pb = poc_plots.payback_figure(ws, ws.options[-1], 1000.0, lang="ja")
    assert list(pb.data[0].x)[0] == 1000.0 and "PoC の費用" in pb.data[0].y


def test_plots_reject_unknown_lang():
    from signin_lite.views import poc_plots
    with pytest.raises(ValueError, match="known: en, ja"):
        poc_plots.frontier_figure(worksheet_for_plots(), lang="fr")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_speedup_slider_one_frontier_per_assumed_speedup(lang):
    from signin_lite.views import poc_plots
    ws = worksheet_for_plots()
    fig = poc_plots.speedup_slider({s: evaluate(dep(sparse_speedup=s), summarize(ws_recs()), storage=deploy_rec(),
                                                inference=deploy_rec()) for s in (1.0, 2.0)}, lang=lang)
    slider, unit = fig.layout.sliders[0], {"en": "x", "ja": "倍"}[lang]
    assert [s.label for s in slider.steps] == [f"1{unit}", f"2{unit}"]
    assert len(fig.data) == 2 * len(poc_plots.frontier_figure(ws, lang=lang).data)
    assert fig.layout.title.text.endswith(f" · 1{unit}") and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert slider.currentvalue.prefix.startswith("realized speed-up" if lang == "en" else "実効高速化率")
    assert slider.pad.t > 60  # below the worksheet's caption
    with pytest.raises(ValueError, match="at least one worksheet"):
        poc_plots.speedup_slider({}, lang=lang)
