"""signin_lite.training.regime: the decay exponent D against closed forms, the steps against the training loop, and the
initial multipliers against the Sign-In model itself."""

import math

import numpy as np
import pytest
import torch

from signin_lite.foundations import config
from signin_lite.training import data, recipe, regime
from signin_lite.core import signin


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
    model = recipe.build_model(cfg, torch.device("cpu"))
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


def test_the_second_cpu_tests_design_is_in_the_papers_regime():
    """The plan's regime numbers (results/README.md, issue 21): D over the run and per reset period within a factor 2
    of the paper's assumed schedule, and beta within 2x of the median 2|theta| at initialization in every layer but
    the classifier."""
    from signin_lite.experiments import regime_test
    paper, first, design = regime_test.regimes()
    assert (design.train_images, design.steps_per_epoch, design.steps, design.reset_steps) == (5000, 156, 3900, 26)
    assert round(design.decay_run, 1) == 31.2 and round(design.decay_period_max, 3) == 0.416
    assert 0.5 <= design.decay_run / paper.decay_run <= 2
    assert 0.5 <= design.decay_period_max / paper.decay_period_max <= 2
    assert 0.5 <= design.decay_period_median / paper.decay_period_median <= 2
    within = {k for k, v in design.multiplier.items() if 0.5 <= v["beta_over_2theta"] <= 2}
    assert set(design.multiplier) - within == {"fc.weight"}  # beta_output = 1 on the classifier (third revision)
    assert first.decay_run < paper.decay_run / 50  # the first test was far from it
    assert 156 % 26 == 0  # every epoch ends at a reset, where the records' multipliers are read


def test_the_script_runs_the_designs_configs():
    import os
    import subprocess
    from pathlib import Path

    from signin_lite.experiments import regime_test
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(["bash", "scripts/cpu_regime_test.sh"], cwd=root, env={**os.environ, "DRY_RUN": "1"},
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    names = [line for line in out.stdout.splitlines() if "_seed" in line and " " not in line]
    assert names == [c.name() for c in regime_test.configs()] and len(names) == 60
    assert all(c.final_test_per_class is None for c in regime_test.configs((0,)))  # all 10,000 test images
    assert "estimate: 60 runs" in out.stdout and "issue 21 CPU test (this design)" in out.stdout


def test_the_regime_command_prints_a_config_beside_the_papers_schedule(capsys):
    """``python -m signin_lite regime`` takes train's flags and prints D and the multipliers; --layers adds a row per
    layer (scripts/gpu_reference.sh prints its plan this way before it runs)."""
    from signin_lite import cli

    assert cli.main(["regime", "--profile", "smoke", "--signin", "--beta", "0.1", "--rescale-every", "1",
                     "--layers"]) == 0
    out = capsys.readouterr().out
    assert "D run" in out and "paper's assumed schedule (exact values not published)" in out
    assert "multiplier q10/50/90" in out and "conv1.weight" in out


def test_the_books_schedules_beside_the_papers_assumed_one():
    """The regime table of chapters 4 and 7 (regime_test.book_regimes): only the second test comes within a factor 2
    of the paper's assumed D, over the run and per reset period, and only it has beta comparable to 2|theta|."""
    from signin_lite.experiments import regime_test
    from signin_lite.training import regime

    paper, sweep_run, first, second = regime_test.book_regimes()
    assert [round(r.decay_run, 3) for r in (paper, sweep_run, first, second)] == [31.201, 0.235, 0.391, 31.216]
    assert [round(r.decay_period_max, 4) for r in (paper, sweep_run, first, second)] == [0.39, 0.0387, 0.0389, 0.416]
    rows = [regime.short_row(r) for r in (paper, sweep_run, first, second)]
    assert [r["layers with β within 2× of 2|θ|"] for r in rows] == ["0 of 20", "0 of 20", "0 of 20", "19 of 20"]
    assert all(len(r) == 6 for r in rows) and rows[0]["schedule"] == regime.PAPER_LABEL
