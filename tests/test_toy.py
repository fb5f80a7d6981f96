"""The toy theorem of chapter 3, checked numerically on f(x) = a ReLU(w x) with teacher y = ReLU(x) (d = 1).

Balanced start a0 < 0 < w0: plain GD collapses to the saddle a = w = 0; Sign-In with beta_a > beta_w
recovers; nothing recovers w0 < 0; GD recovers a0, w0 > 0; GD conserves a^2 - |w|^2 up to O(lr).
Each test takes well under a second.
"""

import pytest
import torch

from signin_lite.core import models
from signin_lite.experiments import toy
from signin_lite.views import toy_figures

SIGNIN = dict(signin=True, beta_a=4.0, beta_w=0.1)
EQUAL = dict(signin=True, beta_a=0.1, beta_w=0.1)


def _teacher_energy(n: int = 512, seed: int = 0) -> float:
    """The loss of the zero function, 1/2 E[y^2]: what a network stuck at a = 0 or w = 0 pays."""
    _, y = models.teacher_data(n, 1, seed)
    return 0.5 * float((y.double() ** 2).mean())


def test_gd_balanced_negative_a_collapses_to_the_saddle():
    a0, w0 = toy.balanced_start(-1, 1)
    r = toy.train_toy(a0, w0, steps=2000)
    assert not r.recovered.item()
    assert abs(r.a.item()) < 1e-3 and abs(r.w.item()) < 1e-3  # both near 0, on the line |a| = |w|
    assert r.loss.item() == pytest.approx(_teacher_energy(), abs=1e-4)


def test_gd_with_more_output_than_hidden_weight_kills_w():
    # |a0| > w0: a^2 - w^2 > 0 is conserved, so w reaches 0 while a is still negative, and stays there.
    r = toy.train_toy(torch.tensor([-0.75]), torch.tensor([0.5]), steps=6000)
    assert not r.recovered.item()
    assert r.a.item() < -0.5 and abs(r.w.item()) < 1e-3


def test_signin_with_larger_beta_for_a_recovers_the_balanced_start():
    a0, w0 = toy.balanced_start(-1, 1)
    r = toy.train_toy(a0, w0, steps=2000, **SIGNIN)
    assert r.recovered.item()
    assert r.a.item() > 0 and r.w.item() > 0  # a changed sign, w kept its sign
    # the factor v_a crossed zero while v_w stayed positive
    assert r.factor_curves["v_a"][0, 0] < 0 < r.factor_curves["v_a"][-1, 0]
    assert (r.factor_curves["v_w"][:, 0, 0] > 0.1).all()


def test_signin_with_equal_betas_does_not_help():
    a0, w0 = toy.balanced_start(-1, 1)
    r = toy.train_toy(a0, w0, steps=2000, **EQUAL)
    assert not r.recovered.item()


@pytest.mark.parametrize("kwargs", [dict(), SIGNIN, EQUAL, dict(signin=True, beta_a=0.1, beta_w=4.0),
                                    dict(signin=True, beta_a=4.0, beta_w=0.1, rescale_every=10, weight_decay=1e-3)])
def test_nothing_recovers_negative_w(kwargs):
    a0 = torch.tensor([0.5, -0.5, 1.2, -1.2, 0.2], dtype=torch.float64)
    w0 = torch.tensor([-0.5, -0.5, -0.3, -0.3, -1.4], dtype=torch.float64)
    r = toy.train_toy(a0, w0, steps=3000, **kwargs)
    assert not r.recovered.any()
    assert (r.w_curve[..., 0] <= 0).all()  # w never changes sign: its gradient is proportional to w


def test_gd_recovers_positive_start():
    a0, w0 = toy.balanced_start(1, 1)
    r = toy.train_toy(a0, w0, steps=2000)
    assert r.recovered.item()
    assert r.a.item() == pytest.approx(1.0, abs=1e-3) and r.w.item() == pytest.approx(1.0, abs=1e-3)


def test_gd_conserves_balance_up_to_order_lr():
    a0 = torch.tensor([-0.3, 0.9, 1.2], dtype=torch.float64)
    w0 = torch.tensor([[0.8, 0.3], [0.5, -0.4], [-0.7, 0.2]], dtype=torch.float64)  # d = 2
    balance0 = a0 ** 2 - (w0 ** 2).sum(1)
    drift = {}
    for lr in (0.04, 0.02):
        steps = round(20 / lr)  # the same gradient-flow time
        r = toy.train_toy(a0, w0, lr=lr, steps=steps, record_every=10)
        balance = r.a_curve ** 2 - (r.w_curve ** 2).sum(-1)
        drift[lr] = float((balance - balance0).abs().max())
    assert drift[0.04] < 0.25 * 0.04
    assert 1.6 < drift[0.04] / drift[0.02] < 2.4  # halving lr halves the drift: O(lr)


def test_critical_a0_predicts_the_boundary():
    w0 = torch.tensor([0.5, 1.0], dtype=torch.float64)
    for betas, kwargs in (((None, None), dict()), ((4.0, 0.1), SIGNIN),
                          ((1.0, 0.1), dict(signin=True, beta_a=1.0, beta_w=0.1))):
        crit = toy.critical_a0(w0, *betas)
        r = toy.train_toy(torch.cat([-0.85 * crit, -1.15 * crit]), torch.cat([w0, w0]), steps=3000, **kwargs)
        assert r.recovered.tolist() == [True, True, False, False], betas  # inside recovers, outside is stuck
    assert torch.allclose(toy.critical_a0(w0), w0)
    # beta_a > beta_w enlarges the recovered region; equal betas give (nearly) plain GD's
    assert (toy.critical_a0(w0, 4.0, 0.1) > w0).all()
    assert torch.allclose(toy.critical_a0(w0, 0.1, 0.1), w0)


def test_curves_shapes_and_outcome_rows():
    a0, w0, labels = toy.sign_cases(dim=2)
    assert a0.shape == (4,) and w0.shape == (4, 2) and len(labels) == 4
    r = toy.train_toy(a0, w0, steps=120, record_every=50, **SIGNIN)
    assert r.curve_steps.tolist() == [0, 50, 100, 120]
    assert r.a_curve.shape == (4, 4) and r.w_curve.shape == (4, 4, 2) and r.loss_curve.shape == (4, 4)
    assert torch.allclose(r.factor_curves["m_a"] * r.factor_curves["v_a"], r.a_curve)
    assert torch.allclose(r.a_curve[-1], r.a) and torch.allclose(r.loss_curve[-1], r.loss)
    rows = toy.outcome_rows({"GD": toy.train_toy(a0, w0, steps=10)}, labels)
    assert [row["start"] for row in rows] == labels
    assert rows[0]["GD"] in ("yes", "no") and rows[0]["GD loss"].count(".") == 1


def test_rescaling_resets_the_imbalance_under_weight_decay():
    a0, w0 = toy.balanced_start(-1, 1)
    kwargs = dict(SIGNIN, weight_decay=0.01, steps=400, record_every=100)
    never = toy.train_toy(a0, w0, **kwargs)
    often = toy.train_toy(a0, w0, rescale_every=100, **kwargs)
    imb = lambda r: r.factor_curves["m_a"] ** 2 - r.factor_curves["v_a"] ** 2  # noqa: E731
    assert imb(never)[-1, 0] < 0.8 * 4.0  # weight decay shrinks m^2 - v^2 ...
    assert imb(often)[-1, 0] == pytest.approx(4.0)  # ... and rescaling puts it back


def test_invalid_arguments_and_threads_restored():
    torch.set_num_threads(2)
    with pytest.raises(ValueError, match="one row per start"):
        toy.train_toy(torch.zeros(2), torch.zeros(3))
    with pytest.raises(ValueError, match="beta_a and beta_w"):
        toy.train_toy(torch.zeros(1), torch.zeros(1), signin=True, beta_a=0.0)
    with pytest.raises(ValueError, match="record_every"):
        toy.train_toy(torch.zeros(1), torch.zeros(1), record_every=0)
    with pytest.raises(ValueError, match="both beta_a and beta_w"):
        toy.critical_a0(torch.ones(1), 1.0)
    toy.train_toy(torch.ones(1), torch.ones(1), steps=5)
    assert torch.get_num_threads() == 2


def test_figures_build():
    a0, w0, labels = toy.sign_cases()
    res = {"GD": toy.train_toy(a0, w0, steps=20, record_every=5)}
    fig = toy_figures.trajectory_figure(res, start=2, title="t")
    assert len(fig.data) == 3
    values = torch.linspace(-1, 1, 3, dtype=torch.float64)
    r = toy.phase_diagram(values, steps=5)
    fig = toy_figures.phase_figure({"GD": r.recovered.reshape(3, 3)}, values.tolist(), betas={"GD": (None, None)})
    assert [t.type for t in fig.data][:2] == ["heatmap", "scatter"]  # then the legend's three keys (no data)
    assert [t.name for t in fig.data[2:]] == ["recovered: learned the teacher", "stuck: did not",
                                              "border predicted by the conservation laws"]
