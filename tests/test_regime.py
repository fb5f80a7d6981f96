"""signin_lite.regime: the decay exponent D against closed forms, the steps against the training loop, and the
initial multipliers against the Sign-In model itself."""

import math

import numpy as np
import pytest
import torch

from signin_lite import config, data, regime, signin, train


def test_constant_rates_give_the_closed_form():
    # 2 * lam * eta * T / (1 - mu) = 2 * 1e-3 * 0.05 * 100 / 0.5 = 0.02; blocks of 30: 3 full, one of 10
    run, periods = regime.decay_from_rates(np.full(100, 0.05), 1e-3, 0.5, 30)
    assert run == pytest.approx(0.02) and periods == pytest.approx((0.006, 0.006, 0.006, 0.002))
    assert regime.decay_from_rates(np.full(100, 0.05), 1e-3, 0.5, None) == (pytest.approx(0.02), ())


@pytest.mark.parametrize("warmup", [0.0, 1.0])
def test_warmup_and_cosine_sum_to_the_closed_form(warmup):
    # sum over t < W of (t + 1) / W = (W + 1) / 2; the cosine steps sum to (T - W) / 2 + 1/2 (cos(pi t / n) over
    # t = 0 .. n - 1 sums to 1): with W = 0 the total is (T + 1) / 2, with W > 0 it is (T + 2) / 2
    cfg = config.make_config("cpu", epochs=20, val_per_class=0, warmup_epochs=warmup, signin=True, mask="random")
    steps = 20 * (5000 // 128)
    half_sum = (steps + (2 if warmup else 1)) / 2
    run, periods = regime.decay(cfg)
    assert run == pytest.approx(2 * 5e-4 * 0.1 * half_sum / (1 - 0.9))
    assert len(periods) == 20 and sum(periods) == pytest.approx(run)
    assert max(periods) == pytest.approx(2 * 5e-4 * 0.1 * 39 / 0.1, rel=5e-3)  # a period near the peak rate


def test_steps_match_the_training_loader_and_the_reset_period():
    cfg = config.make_config("cpu", epochs=3, val_per_class=50, batch_size=32, rescale_every=0.125, signin=True)
    n = regime.train_images(cfg)
    assert n == 5000  # 500 per class drawn after holding out 50 for validation
    loader = data.DeviceLoader(torch.zeros(n, 3, 4, 4, dtype=torch.uint8), torch.zeros(n, dtype=torch.long), 32,
                               train=True)
    assert regime.steps_per_epoch(cfg) == len(loader) == 156
    assert regime.reset_steps(cfg) == 20 and regime.reset_steps(config.make_config("cpu", rescale_every=0)) is None
    assert regime.train_images(config.make_config("gpu", val_per_class=500)) == 45000


def test_multiplier_with_zero_beta_is_twice_the_weight():
    theta = {"a": torch.tensor([-0.3, 0.1, 0.0, 0.2, -0.05])}
    table = regime.multiplier_table(theta, {"a": 0.0})["a"]
    for q in regime.QUANTILES:
        assert table[f"m{q:g}"] == pytest.approx(table[f"t{q:g}"])
    assert table["t0.5"] == pytest.approx(0.2) and table["beta_over_2theta"] == 0.0
    big = regime.multiplier_table(theta, {"a": 3.0})["a"]
    assert big["m0.5"] == pytest.approx(math.sqrt(9 + 0.04)) and big["beta_over_2theta"] == pytest.approx(15.0)


def test_initial_multipliers_are_those_of_the_sign_in_model():
    cfg = config.make_config("smoke", mask="random", sparsity=0.8, signin=True, beta=0.2, beta_output=0.5, seed=3)
    table = regime.multiplier_quantiles(cfg, q=(0.25, 0.5, 0.75))
    model = train.build_model(cfg, torch.device("cpu"))
    layers = signin.signin_layers(model)
    assert list(table) == list(layers) and table["fc.weight"]["beta"] == 0.5 and table["conv1.weight"]["beta"] == 0.2
    for name, module in layers.items():
        plist = module.parametrizations.weight
        m, w, keep = plist.original0.detach(), plist.original1.detach(), plist[0].mask
        mult = (m * m + w * w)[keep].double().numpy()
        assert table[name]["kept"] == mult.size
        assert table[name]["m0.5"] == pytest.approx(float(np.quantile(mult, 0.5)), rel=1e-5)
        assert table[name]["m0.75"] == pytest.approx(float(np.quantile(mult, 0.75)), rel=1e-5)


def test_the_papers_assumed_schedule_and_the_first_cpu_test_differ_by_eighty_times():
    paper = regime.regime(regime.PAPER_ASSUMED, regime.PAPER_LABEL)
    assert (paper.train_images, paper.steps_per_epoch, paper.steps, paper.reset_steps) == (50000, 390, 62400, 390)
    assert round(paper.decay_run, 1) == 31.2 and round(paper.decay_period_max, 2) == 0.39
    cpu = regime.decay(config.make_config("cpu", epochs=20, mask="random", val_per_class=0, signin=True))
    assert round(cpu[0], 2) == 0.39 and 0.02 <= max(cpu[1]) <= 0.04
    assert "paper's assumed schedule" in regime.format_regimes([paper])
