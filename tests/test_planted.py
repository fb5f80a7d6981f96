"""The planted-ticket experiment: teacher and masks, the batched trainer against the library's Sign-In, intervals,
the record and the command line."""
import json
import math

import pytest
import torch

from signin_lite import cli
from signin_lite.core import masks, signin
from signin_lite.experiments import planted
from signin_lite.evidence import records
from signin_lite.foundations import schema


def _cfg(**kw):
    base = dict(d_in=6, hidden=(8, 8), d_out=2, fan_in=(2, 3), n_train=32, n_test=64, steps=40, seeds=2,
                rescale_every=10, curve_points=4)
    return planted.make_config("smoke", **{**base, **kw})


def test_teacher_mask_keeps_fan_in_inputs_per_unit_and_a_dense_output_layer():
    cfg = _cfg()
    weights, mask = planted.teacher(cfg, seed=3)
    assert list(mask) == ["0.weight", "2.weight", "4.weight"]
    assert mask["0.weight"].sum(1).tolist() == [2] * 8 and mask["2.weight"].sum(1).tolist() == [3] * 8
    assert bool(mask["4.weight"].all())
    for name, w in weights.items():
        k = int(mask[name][0].sum())
        kept = w[mask[name]].abs()
        assert bool((kept >= 0.5 * math.sqrt(2 / k)).all() and (kept <= 1.5 * math.sqrt(2 / k)).all())
        assert bool((w[~mask[name]] == 0).all())
    assert not torch.equal(planted.teacher(cfg, 4)[1]["0.weight"], mask["0.weight"])


def test_students_share_magnitudes_and_the_transplant_has_the_teachers_signs():
    cfg = _cfg()
    weights, mask = planted.teacher(cfg, 0)
    rand = planted.student_start(cfg, 0, weights, mask, teacher_signs=False)
    plant = planted.student_start(cfg, 0, weights, mask, teacher_signs=True)
    for n in mask:
        assert torch.equal(rand[n].abs(), plant[n].abs())
        assert torch.equal(torch.sign(plant[n])[mask[n]], torch.sign(weights[n])[mask[n]])


def _library_student(cfg, arm, seed):
    """One seed trained with the library's masks.apply, signin.reparameterize/rescale and weight_decay_groups."""
    weights, mask = planted.teacher(cfg, seed)
    net = planted._net(cfg)
    net.load_state_dict(weights)
    x, y, tx, ty = planted.data(cfg, seed, net)
    model = planted._net(cfg)
    model.load_state_dict(planted.student_start(cfg, seed, weights, mask, arm == "transplant"))
    masks.apply(model, mask)
    betas = planted.layer_betas(cfg, arm)
    if betas is not None:
        signin.reparameterize(model, beta=dict(zip(planted.weight_names(cfg), betas, strict=True)))
    factor = 2.0 if arm == "pai_wd2x_masked" else 1.0
    opt = torch.optim.SGD(signin.weight_decay_groups(model, cfg.weight_decay, factor), lr=cfg.lr,
                          momentum=cfg.momentum)
    for step in range(cfg.steps):
        loss = ((model(x) - y) ** 2).mean() / y.var()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if arm in ("signin", "signin_beta_out") and (step + 1) % cfg.rescale_every == 0:
            signin.rescale(model)
    with torch.no_grad():
        return float(((model(tx) - ty) ** 2).mean() / ty.var()), masks.effective_weights(model), weights, mask


@pytest.mark.parametrize("arm", ["pai", "signin_beta_out", "pai_wd2x_masked", "signin_noreset"])
def test_batched_training_equals_the_library_path_seed_by_seed(arm):
    cfg = _cfg(weight_decay=0.05)
    runs = planted.train_arm(cfg, arm, [0, 1])
    for run in runs:
        test_loss, eff, weights, mask = _library_student(cfg, arm, run["seed"])
        assert math.isclose(run["test_loss"], test_loss, rel_tol=1e-4, abs_tol=1e-6), (arm, run["seed"])
        same = sum(int(((torch.sign(eff[n]) == torch.sign(weights[n])) & mask[n]).sum()) for n in mask)
        assert math.isclose(run["sign_recovery"], same / sum(int(m.sum()) for m in mask.values()), abs_tol=1e-9)


def test_arms_differ_where_they_should():
    cfg = _cfg(weight_decay=0.05)
    by = {arm: planted.train_arm(cfg, arm, [0])[0] for arm in ("pai", "signin", "signin_noreset", "transplant")}
    assert by["transplant"]["sign_recovery_init"] == 1.0 and by["pai"]["sign_recovery_init"] < 0.8
    assert by["pai"]["sign_recovery_init"] == by["signin"]["sign_recovery_init"]  # the same random start
    assert by["signin"]["test_loss"] != by["signin_noreset"]["test_loss"]  # the resets change the run
    assert len(by["pai"]["test_loss_curve"]) == 4


def test_paired_difference_and_intervals_by_hand():
    runs = [{"arm": a, "seed": s, "m": v} for a, vals in (("a", [1.0, 2.0, 4.0]), ("b", [0.0, 1.0, 2.0]))
            for s, v in enumerate(vals)]
    record = {"runs": runs}
    d = planted.paired_difference(record, "a", "b", "m")
    diffs = [1.0, 1.0, 2.0]
    mean = sum(diffs) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in diffs) / 2)
    half = 4.302652729911275 * sd / math.sqrt(3)  # t(0.975, 2)
    assert d["n"] == 3 and math.isclose(d["mean"], mean)
    assert math.isclose(d["low"], mean - half, rel_tol=1e-9) and math.isclose(d["high"], mean + half, rel_tol=1e-9)
    row = {r["arm"]: r for r in planted.arm_table({"runs": [dict(r, arm="pai") for r in runs[:3]]}, "m")}["pai"]
    assert row["n"] == 3 and math.isclose(row["mean"], 7 / 3)
    with pytest.raises(ValueError, match="no arm 'c'"):
        planted.paired_difference(record, "c", "b", "m")


@pytest.mark.parametrize("kw,needle", [
    (dict(seeds=0), "seeds=0"), (dict(hidden=(8, -1)), "hidden="), (dict(fan_in=(9, 3)), "fan_in="),
    (dict(arms=("pai", "magic")), "arms="), (dict(rescale_every=-1), "rescale_every=-1"),
    (dict(lr=float("nan")), "lr=nan"), (dict(momentum=1.0), "momentum=1.0"), (dict(sparsity=0.9), "unknown"),
])
def test_bad_planted_config_is_refused_naming_the_value(kw, needle):
    with pytest.raises(ValueError, match=None) as err:
        _cfg(**kw)
    assert needle in str(err.value)
    with pytest.raises(ValueError, match="'huge'"):
        planted.make_config("huge")


def test_cli_writes_one_record_with_provenance(tmp_path, capsys):
    args = ["planted", "--profile", "smoke", "--seeds", "2", "--steps", "10", "--arms", "pai", "signin",
            "--out", str(tmp_path)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "signin - pai" in out and "wrote" in out
    (path,) = tmp_path.glob("*.json")
    rec = json.loads(path.read_text())
    assert rec["schema"] == schema.PLANTED and rec["status"] == "complete" and rec["config"]["seeds"] == 2
    assert {r["arm"] for r in rec["runs"]} == {"pai", "signin"} and len(rec["runs"]) == 4
    assert rec["env"]["device"] == "cpu" and rec["date"] and rec["cost"]["wall_time_s"] > 0
    assert planted.load(str(tmp_path))[0]["name"] == rec["name"]
    assert records.load_records(tmp_path) == []  # not a training-run record
    assert cli.main(["planted", "--arms", "magic"]) == 2


def test_planted_has_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["planted", "--help"])
    assert exit_.value.code == 0 and "--out" in capsys.readouterr().out


def test_reference_record_is_committed_and_complete():
    recs = planted.load("results/planted")
    ref = [r for r in recs if r["config"]["profile"] == "cpu"]
    assert ref, "the reference record (python -m signin_lite planted --profile cpu --out results/planted) is missing"
    r = ref[0]
    assert r["config"]["seeds"] >= 30 and r["env"]["git_commit"]
    counts = {a: sum(x["arm"] == a for x in r["runs"]) for a in r["config"]["arms"]}
    assert set(counts.values()) == {r["config"]["seeds"]}

