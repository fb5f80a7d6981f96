import math

import pytest
import torch
import torch.nn as nn

from signin_lite.core import masks, models, pruning, signin


def _model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return models.resnet(8, width=0.5).eval()


@pytest.mark.parametrize("beta", [0.01, 1.0, 7.5])
def test_balanced_factors_invariants(beta):
    theta = torch.randn(1000) * 3
    m, w = signin.balanced_factors(theta, beta)
    assert torch.allclose(m * w, theta, rtol=1e-6, atol=1e-7)
    assert torch.allclose(m * m - w * w, torch.full_like(m, beta), rtol=1e-4, atol=1e-5)
    assert (m > 0).all()
    assert torch.equal(torch.sign(w), torch.sign(theta))


def test_reparameterize_preserves_function_and_sets_beta():
    model = _model()
    x = torch.randn(4, 3, 32, 32)
    masks.apply(model, pruning.make(model, "erk", 0.8, seed=1))
    before = model(x)
    signin.reparameterize(model, beta=2.0)
    assert torch.allclose(model(x), before, atol=1e-5)
    layers = signin.signin_layers(model)
    assert set(layers) == set(masks.maskable_names(model))
    for name, imb in signin.imbalance(model).items():
        assert torch.allclose(imb, torch.full_like(imb, 2.0), atol=1e-4), name
    # the mask is kept and still read by masks.current
    assert math.isclose(masks.sparsity(masks.current(model)), 0.8, abs_tol=1e-3)


def test_parameters_are_m_and_w():
    model = _model()
    signin.reparameterize(model, beta=1.0)
    names = [n for n, _ in model.named_parameters()]
    assert "conv1.parametrizations.weight.original0" in names
    assert "conv1.parametrizations.weight.original1" in names
    assert "conv1.weight" not in names


def test_rescale_restores_beta_without_changing_theta():
    model = _model()
    masks.apply(model, pruning.make(model, "random", 0.9, seed=0))
    signin.reparameterize(model, beta=1.0)
    x = torch.randn(4, 3, 32, 32)
    opt = torch.optim.SGD(model.parameters(), lr=0.5, weight_decay=0.1)
    model.train()
    for _ in range(5):
        opt.zero_grad()
        model(x).square().mean().backward()
        opt.step()
    model.eval()
    drifted = signin.imbalance(model)
    assert any(not torch.allclose(v, torch.ones_like(v), atol=1e-3) for v in drifted.values())
    theta = {n: m.weight.detach().clone() for n, m in signin.signin_layers(model).items()}
    out = model(x)
    signin.rescale(model)
    for name, module in signin.signin_layers(model).items():
        assert torch.allclose(module.weight, theta[name], rtol=1e-5, atol=1e-7)
    for imb in signin.imbalance(model).values():
        assert torch.allclose(imb, torch.ones_like(imb), atol=1e-4)
    assert torch.allclose(model(x), out, atol=1e-5)


def test_rescale_keeps_optimizer_attached():
    model = _model()
    signin.reparameterize(model, beta=1.0)
    params_before = [id(p) for p in model.parameters()]
    signin.rescale(model)
    assert [id(p) for p in model.parameters()] == params_before


def test_weight_decay_applies_to_m_and_w():
    model = _model()
    signin.reparameterize(model, beta=1.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=0.5)
    m0 = model.conv1.parametrizations.weight.original0.detach().clone()
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    assert torch.allclose(model.conv1.parametrizations.weight.original0, m0 * 0.95)


def test_merge_gives_plain_weights_and_same_outputs():
    model = _model()
    mask = pruning.make(model, "erk", 0.9, seed=3)
    masks.apply(model, mask)
    signin.reparameterize(model, beta=0.5)
    x = torch.randn(4, 3, 32, 32)
    out = model(x)
    signin.merge(model)
    assert torch.allclose(model(x), out, atol=1e-5)
    assert not signin.signin_layers(model)
    for name, _ in model.named_parameters():
        assert "parametrizations" not in name
    for name, m in mask.items():
        w = dict(model.named_parameters())[name]
        assert torch.count_nonzero(w[~m]) == 0


def test_merge_keep_mask_keeps_training_masked():
    model = _model()
    masks.apply(model, pruning.make(model, "random", 0.5, seed=0))
    signin.reparameterize(model, beta=1.0)
    signin.merge(model, keep_mask=True)
    assert math.isclose(masks.sparsity(masks.current(model)), 0.5, abs_tol=1e-3)


def test_per_layer_beta_dict_and_callable():
    model = _model()
    names = masks.maskable_names(model)
    signin.reparameterize(model, beta=signin.output_beta(1.0, 4.0))
    imb = signin.imbalance(model)
    assert torch.allclose(imb["fc.weight"], torch.full_like(imb["fc.weight"], 4.0), atol=1e-4)
    assert torch.allclose(imb["conv1.weight"], torch.ones_like(imb["conv1.weight"]), atol=1e-4)
    model2 = _model()
    signin.reparameterize(model2, beta={n: 0.1 * (i + 1) for i, n in enumerate(names)})
    assert torch.allclose(signin.imbalance(model2)[names[2]], torch.tensor(0.3), atol=1e-4)


@pytest.mark.parametrize("beta", [0, -1.0, float("nan"), True])
def test_bad_beta_is_refused(beta):
    with pytest.raises(ValueError, match="beta"):
        signin.reparameterize(_model(), beta=beta)


def test_beta_dict_with_unknown_layer_is_refused():
    with pytest.raises(ValueError, match="nope.weight"):
        signin.reparameterize(_model(), beta={"nope.weight": 1.0})


def test_rescale_without_signin_is_refused():
    with pytest.raises(ValueError, match="reparameterize"):
        signin.rescale(_model())


def test_set_masks_prunes_signin_layer():
    model = _model()
    signin.reparameterize(model, beta=1.0)
    new = pruning.make(model, "magnitude", 0.7)
    signin.set_masks(model, new)
    assert math.isclose(masks.sparsity(masks.current(model)), 0.7, abs_tol=1e-3)
    masks.check(model)


def test_sign_flip_possible_only_with_positive_imbalance():
    """With m^2 - w^2 = 0 a weight cannot cross zero under gradient flow; with beta > 0 it can."""
    for beta, crosses in [(1.0, True), (1e-12, False)]:
        m, w = signin.balanced_factors(torch.tensor([0.5]), beta)
        m, w = m.double().requires_grad_(), w.double().requires_grad_()
        for _ in range(3000):  # pull theta = m * w towards -1 with small steps
            loss = 0.5 * (m * w + 1.0) ** 2
            gm, gw = torch.autograd.grad(loss.sum(), (m, w))
            with torch.no_grad():
                m -= 1e-3 * gm
                w -= 1e-3 * gw
        assert (float((m * w).detach()) < 0) == crosses
