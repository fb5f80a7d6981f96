"""signin_lite.training.stepmatch: the step-size-matched controls scale each masked layer's learning rate to Sign-In's
mean multiplier (its imbalance predicted from weight decay), keep the schedule, resume exactly, and record what they
did."""

import math

import pytest
import torch

from signin_lite.foundations import config, methods
from signin_lite.evidence import drift, records
from signin_lite.core import signin
from signin_lite.training import recipe, stepmatch, sweep, train


def _cfg(**kw):
    base = dict(depth=8, width=0.25, epochs=3, batch_size=16, sparsity=0.8, lr=0.05, warmup_epochs=0.5, mask="random",
                beta=0.1)
    return config.make_config("smoke", **{**base, **kw})


def _run(cfg, tmp_path, splits, **kw):
    return train.train(cfg, splits=splits, results_dir=tmp_path / "results", work_dir=tmp_path / "runs",
                       device="cpu", progress=False, **kw)


def test_plain_layers_get_beta_and_sign_in_layers_beta_over_their_mean_multiplier():
    cfg = _cfg(weight_decay_masked_factor=2.0, step_match_every=1.0, beta_output=0.4)
    model = recipe.build_model(cfg, torch.device("cpu"))
    s = stepmatch.scales(model, cfg)
    assert s["fc.weight"] == pytest.approx(0.4)
    assert all(v == pytest.approx(0.1) for k, v in s.items() if k != "fc.weight")
    with_signin = recipe.build_model(_cfg(signin=True, step_match_every=1.0), torch.device("cpu"))
    for name, v in stepmatch.scales(with_signin, cfg, imbalance=0.5).items():
        plist = with_signin.get_submodule(name.rsplit(".", 1)[0]).parametrizations.weight
        m, w = plist.original0.detach().double(), plist.original1.detach().double()
        expected = (0.4 if name == "fc.weight" else 0.1) * 0.5 / float((m * m + w * w)[plist[0].mask].mean())
        assert v == pytest.approx(expected) and v < 0.5  # m² + w² >= beta right after a reset


def test_groups_keep_the_decay_of_the_matching_control_and_the_schedule_scales_them():
    cfg = _cfg(weight_decay_masked_factor=2.0, step_match_every=1.0)
    model = recipe.build_model(cfg, torch.device("cpu"))
    opt = recipe.make_optimizer(model, cfg)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, recipe.lr_lambda(4, 20))
    assert "layer" not in opt.param_groups[0] and opt.param_groups[0]["weight_decay"] == cfg.weight_decay
    assert {g["weight_decay"] for g in opt.param_groups[1:]} == {2 * cfg.weight_decay}
    matched = {id(p) for g in opt.param_groups[1:] for p in g["params"]}
    assert matched == {id(p) for p in signin.target_parameters(model)}
    s = stepmatch.apply(opt, sched, model, cfg, period=5)  # before step 0: right after a reset, imbalance beta
    assert s == stepmatch.scales(model, cfg)
    for _ in range(3):
        opt.step()  # no gradients: nothing moves, but the scheduler's order is kept
        sched.step()
    factor = recipe.lr_lambda(4, 20)(3)
    for g in opt.param_groups[1:]:
        assert g["lr"] == pytest.approx(cfg.lr * s[g["layer"]] * factor)
        # the step of the gradient is scaled, the decay per step (lr x decay) is not: 2x decay, as Sign-In's m and w
        assert g["lr"] * g["weight_decay"] == pytest.approx(cfg.lr * factor * 2 * cfg.weight_decay)
    assert opt.param_groups[0]["lr"] == pytest.approx(cfg.lr * factor)
    now = stepmatch.current(opt, sched, model, cfg)
    kept = {g["layer"]: g["kept"] for g in opt.param_groups[1:]}
    assert now["_effective"] == pytest.approx(sum(kept[n] * s[n] for n in s) / sum(kept.values()))


@pytest.mark.parametrize("method", ["pai_wd2x_masked_step", "pai_signin_noreset_step"])
def test_matched_runs_resume_exactly_and_record_their_scales(tmp_path, tiny_splits, method):
    base = _cfg(rescale_every=0.5)
    (cfg,) = [c for c in sweep.grid("smoke", [method], [0.8], [0], **{k: getattr(base, k) for k in (
        "depth", "width", "epochs", "batch_size", "lr", "warmup_epochs", "mask", "beta", "rescale_every")})]
    assert cfg.method == method and cfg.step_match_every == 0.5 and methods.get(method).label()
    whole = _run(cfg, tmp_path / "whole", tiny_splits)

    class Stop(Exception):
        pass

    def stop(metrics):
        if metrics["epoch"] == 1:
            raise Stop
    with pytest.raises(Stop):
        _run(cfg, tmp_path / "cut", tiny_splits, callbacks=(stop,))
    resumed = _run(cfg, tmp_path / "cut", tiny_splits)
    assert [h["loss"] for h in resumed["history"]] == [h["loss"] for h in whole["history"]]
    assert [h["step_scale"] for h in resumed["history"]] == [h["step_scale"] for h in whole["history"]]
    setting = records.one_setting(records.settings([whole]), method)
    # every epoch ends where the matched run resets (4 steps, a period of 2): the mean multiplier is beta there
    assert drift.effective_multiplier(setting) == pytest.approx([0.1, 0.1, 0.1])
    scales = [v for k, v in whole["history"][-1]["step_scale"].items() if not k.startswith("_")]
    assert all(0 < v < 1 for v in scales)  # beta 0.1: smaller steps than plain SGD


def test_old_run_ids_do_not_change():
    assert "step_match_every" in config.LATER_FIELDS
    assert _cfg().run_id() == _cfg(step_match_every=0.0).run_id() != _cfg(step_match_every=1.0).run_id()
    with pytest.raises(ValueError, match="step_match_every"):
        _cfg(step_match_every=-1.0)
    assert math.isclose(_cfg(step_match_every=0.25).step_match_every, 0.25)


def test_the_matched_imbalance_resets_with_sign_in_and_decays_between():
    cfg = _cfg(weight_decay=0.01, lr=0.1, momentum=0.9)
    const = lambda s: 1.0  # noqa: E731
    # per step 2 * 0.01 * 0.1 / 0.1 = 0.02; period 5: steps 0 and 5 follow a reset, step 3 follows 3 decayed steps
    assert stepmatch.imbalance_factor(cfg, 0, 5, const) == 1.0 == stepmatch.imbalance_factor(cfg, 5, 5, const)
    assert stepmatch.imbalance_factor(cfg, 3, 5, const) == pytest.approx(math.exp(-0.06))
    assert stepmatch.imbalance_factor(cfg, 8, 5, lambda s: 0.5) == pytest.approx(math.exp(-0.03))
    model = recipe.build_model(cfg, torch.device("cpu"))
    low, full = stepmatch.scales(model, cfg, 0.5), stepmatch.scales(model, cfg)
    assert all(low[n] == pytest.approx(full[n] / 2) for n in full)
