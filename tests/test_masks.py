"""Tests for signin_lite.core.masks on small CNN/MLP models built here."""

import copy
import io
import math
import pickle

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize, prune

from signin_lite.core import masks, pruning
from signin_lite.foundations import config

SPARSITIES = (0.0, 0.5, 0.9, 0.98)
GLOBAL = ("snip", "synflow", "magnitude")


def tiny_cnn(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 16, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10),
    )


def mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(48, 32), nn.ReLU(), nn.Linear(32, 10))


def batch(seed: int = 1, n: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 8, 8, generator=g), torch.randint(0, 10, (n,), generator=g)


def make(model, method, s, **kw):
    if method == "snip":
        kw.setdefault("batch", batch())
    if method == "synflow":
        kw.setdefault("synflow_iterations", 10)
    return pruning.make(model, method, s, **kw)


def kept(mask) -> int:
    return sum(int(m.sum()) for m in mask.values())


# --------------------------------------------------------------------------- names


def test_maskable_names_excludes_bn_and_biases():
    model = tiny_cnn()
    assert masks.maskable_names(model) == ["0.weight", "3.weight", "6.weight"]
    assert masks.maskable_names(model, "conv") == ["0.weight", "3.weight"]
    assert masks.maskable_names(model, ["6.weight", "0.weight"]) == ["0.weight", "6.weight"]
    with pytest.raises(ValueError, match=r"1\.weight.*0\.weight"):
        masks.maskable_names(model, ["1.weight"])  # BatchNorm
    with pytest.raises(ValueError, match="0.bias"):
        masks.maskable_names(model, ["0.bias"])
    with pytest.raises(ValueError, match="'linear'"):
        masks.maskable_names(model, "linear")


def test_maskable_names_unchanged_on_parametrized_and_pruned_models():
    model = tiny_cnn()
    masks.apply(model, pruning.make(model, "random", 0.5))
    assert masks.maskable_names(model) == ["0.weight", "3.weight", "6.weight"]
    pruned = tiny_cnn()
    prune.random_unstructured(pruned[3], "weight", amount=0.5)
    assert masks.maskable_names(pruned) == ["0.weight", "3.weight", "6.weight"]


# --------------------------------------------------------------------------- make


@pytest.mark.parametrize("s", SPARSITIES)
@pytest.mark.parametrize("method", config.MASK_KINDS)
def test_make_hits_requested_sparsity(method, s):
    model = tiny_cnn()
    mask = make(model, method, s)
    shapes = {n: p.shape for n, p in model.named_parameters()}
    assert list(mask) == masks.maskable_names(model)
    for name, m in mask.items():
        assert m.dtype == torch.bool and m.shape == shapes[name]
    total = sum(m.numel() for m in mask.values())
    if method in GLOBAL or method in pruning.DENSITY_KINDS:  # erk, er, balanced: exact total
        assert kept(mask) == round((1 - s) * total)
    else:  # random, magnitude_layerwise: the same fraction in every layer
        for m in mask.values():
            assert int(m.sum()) == round((1 - s) * m.numel())
    assert masks.sparsity(mask) == pytest.approx(s, abs=1.0 / total * len(mask))


def test_methods_registry():
    assert config.MASK_KINDS == ("random", "erk", "er", "balanced", "snip", "synflow", "magnitude",
                                 "magnitude_layerwise")
    assert set(pruning._SCORERS) == set(config.MASK_KINDS)


def test_erk_densities_differ_cap_at_one_and_total():
    model = tiny_cnn()
    sizes = {n: p.numel() for n, p in model.named_parameters() if n in masks.maskable_names(model)}
    total = sum(sizes.values())
    for density in (0.5, 0.1, 0.02):
        d = pruning.erk_densities(model, density, masks.maskable_names(model))
        assert all(0 < v <= 1 for v in d.values())
        assert len({round(v, 9) for v in d.values()}) > 1
        assert sum(d[n] * sizes[n] for n in d) == pytest.approx(density * total)
    d = pruning.erk_densities(model, 0.5)
    assert d["6.weight"] == 1.0  # the small linear layer is capped and the rest redistributed
    assert d["0.weight"] > d["3.weight"]  # denser where fan-in and fan-out are small


def test_erk_densities_known_values_from_shapes():
    d = pruning.erk_densities({"a": (10, 10), "b": (100, 100)}, 0.1)
    eps = 0.1 * 10100 / (0.2 * 100 + 0.02 * 10000)
    assert d == pytest.approx({"a": 0.2 * eps, "b": 0.02 * eps})
    assert pruning.erk_densities({"a": (10, 10), "b": (100, 100)}, 1.0) == {"a": 1.0, "b": 1.0}


def test_erk_mask_follows_erk_densities():
    model = tiny_cnn()
    mask = pruning.make(model, "erk", 0.9)
    d = pruning.erk_densities(model, 0.1)
    for n, m in mask.items():
        assert abs(int(m.sum()) - d[n] * m.numel()) < 1.0


def test_random_has_same_density_per_layer():
    layer = masks.layer_sparsities(pruning.make(mlp(), "random", 0.75))
    assert layer == {"1.weight": 0.75, "3.weight": 0.75}


@pytest.mark.parametrize("method", ["random", "erk"])
def test_random_methods_deterministic_per_seed(method):
    model = tiny_cnn()
    a, b = pruning.make(model, method, 0.7, seed=3), pruning.make(model, method, 0.7, seed=3)
    c = pruning.make(model, method, 0.7, seed=4)
    assert all(torch.equal(a[n], b[n]) for n in a)
    assert any(not torch.equal(a[n], c[n]) for n in a)


@pytest.mark.parametrize("method", GLOBAL + ("magnitude_layerwise",))
def test_scored_methods_deterministic(method):
    model = tiny_cnn()
    a, b = make(model, method, 0.8), make(model, method, 0.8)
    assert all(torch.equal(a[n], b[n]) for n in a)


def test_magnitude_keeps_largest_weights():
    model = tiny_cnn()
    mask = pruning.make(model, "magnitude", 0.8)
    w = masks.effective_weights(model)
    kept_w = torch.cat([w[n][mask[n]].abs() for n in mask])
    dropped = torch.cat([w[n][~mask[n]].abs() for n in mask])
    assert kept_w.min() >= dropped.max()


def test_magnitude_ties_break_deterministically():
    model = mlp()
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)
    mask = pruning.make(model, "magnitude", 0.5)
    k = round(0.5 * (48 * 32 + 32 * 10))
    assert kept(mask) == k
    first = mask["1.weight"].flatten()
    assert first[:k].all() and not first[k:].any() and not mask["3.weight"].any()  # earlier entries win


@pytest.mark.parametrize("method", config.MASK_KINDS)
@pytest.mark.parametrize("masked", [False, True])
def test_make_leaves_model_and_rng_untouched(method, masked):
    model = tiny_cnn()
    if masked:
        masks.apply(model, pruning.make(model, "random", 0.5, seed=9))
    model.train()
    model[1].eval()  # a mixed mode must survive too
    before = {k: v.clone() for k, v in model.state_dict().items()}
    modes = [m.training for m in model.modules()]
    rng = torch.random.get_rng_state()
    make(model, method, 0.9)
    assert torch.equal(torch.random.get_rng_state(), rng)
    assert [m.training for m in model.modules()] == modes
    after = model.state_dict()
    assert after.keys() == before.keys()
    for k in before:
        assert torch.equal(after[k], before[k]), k
    assert all(p.grad is None for p in model.parameters())
    assert masks.effective_weights(model).keys() == set(masks.maskable_names(model))
    model(batch()[0]).sum().backward()  # the model still works (make works on copies)


@pytest.mark.parametrize("bad", [1.5, -0.1, 1.0, float("nan"), True, "0.5", None])
def test_bad_sparsity_raises(bad):
    with pytest.raises(ValueError, match=r"sparsity must be in \[0, 1\), got " + repr(bad).replace(".", r"\.")):
        pruning.make(tiny_cnn(), "random", bad)


def test_unknown_method_raises_listing_methods():
    with pytest.raises(ValueError, match=r"'bogus'.*'random'.*'magnitude_layerwise'"):
        pruning.make(tiny_cnn(), "bogus", 0.5)


def test_snip_needs_batch():
    with pytest.raises(ValueError, match="batch"):
        pruning.make(tiny_cnn(), "snip", 0.5)


def test_snip_scores_are_grad_times_weight():
    model = tiny_cnn()
    x, y = batch()
    copy_ = copy.deepcopy(model)
    nn.functional.cross_entropy(copy_(x), y).backward()
    score = torch.cat([(p.grad * p).abs().flatten() for n, p in copy_.named_parameters()
                       if n in masks.maskable_names(model)])
    mask = pruning.make(model, "snip", 0.9, batch=(x, y))
    flat = torch.cat([m.flatten() for m in mask.values()])
    assert score[flat].min() >= score[~flat].max()


def test_synflow_on_mlp_infers_input_and_accepts_input_shape():
    model = mlp()
    a = pruning.make(model, "synflow", 0.9, synflow_iterations=5)
    b = pruning.make(model, "synflow", 0.9, synflow_iterations=5, input_shape=(3, 4, 4))
    assert kept(a) == kept(b) == round(0.1 * (48 * 32 + 32 * 10))
    assert all(torch.equal(a[n], b[n]) for n in a)
    with pytest.raises(ValueError, match="synflow_iterations"):
        pruning.make(model, "synflow", 0.9, synflow_iterations=0)


def test_synflow_default_iterations_keeps_every_layer_alive():
    model = tiny_cnn()
    mask = pruning.make(model, "synflow", 0.98)
    assert kept(mask) == round(0.02 * 1528)
    assert all(m.any() for m in mask.values())  # no layer collapse


def test_include_restricts_the_mask():
    model = tiny_cnn()
    mask = pruning.make(model, "magnitude", 0.5, include="conv")
    assert list(mask) == ["0.weight", "3.weight"]
    assert kept(mask) == round(0.5 * (216 + 1152))


# --------------------------------------------------------------------------- current / iterative


def test_magnitude_with_current_gives_a_subset():
    model = tiny_cnn()
    first = pruning.make(model, "magnitude", 0.5)
    masks.apply(model, first)
    second = pruning.make(model, "magnitude", 0.8, current=first)
    assert kept(second) == round(0.2 * 1528)
    assert all(not (second[n] & ~first[n]).any() for n in first)
    with pytest.raises(ValueError, match="below the current sparsity"):
        pruning.make(model, "magnitude", 0.3, current=first)


@pytest.mark.parametrize("method", config.MASK_KINDS)
def test_every_method_respects_current(method):
    model = tiny_cnn()
    first = pruning.make(model, "random", 0.5, seed=5)
    second = make(model, method, 0.7, current=first)
    assert all(not (second[n] & ~first[n]).any() for n in first)


# --------------------------------------------------------------------------- apply / check / remove


def test_apply_wrong_shape_names_layer_and_shapes():
    model = tiny_cnn()
    mask = pruning.make(model, "random", 0.5)
    mask["3.weight"] = torch.ones(16, 8, 2, 2, dtype=torch.bool)
    with pytest.raises(ValueError, match=r"3\.weight.*\(16, 8, 2, 2\).*\(16, 8, 3, 3\)"):
        masks.apply(model, mask)
    with pytest.raises(ValueError, match=r"'1\.weight'"):
        masks.apply(model, {"1.weight": torch.ones(8, dtype=torch.bool)})
    with pytest.raises(ValueError, match="bool"):
        masks.apply(model, {"0.weight": torch.ones(8, 3, 3, 3)})
    assert not parametrize.is_parametrized(model[0])  # nothing applied on failure


def test_apply_zeroes_and_training_keeps_zeros():
    model = tiny_cnn()
    mask = pruning.make(model, "erk", 0.9)
    masks.apply(model, mask)
    for n, w in masks.effective_weights(model).items():
        assert torch.equal(w[~mask[n]], torch.zeros_like(w[~mask[n]]))
        assert (model.get_submodule(n[:-7]).parametrizations.weight.original[~mask[n]] == 0).all()
    start = {n: w.clone() for n, w in masks.effective_weights(model).items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    g = torch.Generator().manual_seed(0)
    for _ in range(20):
        x, y = torch.randn(8, 3, 8, 8, generator=g), torch.randint(0, 10, (8,), generator=g)
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    masks.check(model)
    masks.check(model, mask)
    for n, w in masks.effective_weights(model).items():
        assert (w[~mask[n]] == 0).all()
        assert not torch.equal(w[mask[n]], start[n][mask[n]])  # the kept weights did train
    assert masks.count_nonzero(model) == (kept(mask), 1528)


def test_masked_outputs_equal_multiplied_weights():
    model = tiny_cnn().eval()
    reference = copy.deepcopy(model)
    mask = pruning.make(model, "random", 0.6, seed=2)
    masks.apply(model, mask)
    with torch.no_grad():
        for n, p in reference.named_parameters():
            if n in mask:
                p.mul_(mask[n])
    x = torch.randn(4, 3, 8, 8)
    torch.testing.assert_close(model(x), reference(x), rtol=0, atol=0)


def test_apply_keeps_parameter_identity_and_partial_masks():
    model = tiny_cnn()
    weight = model[3].weight
    mask = pruning.make(model, "random", 0.5, include="conv")
    masks.apply(model, mask)
    assert model[3].parametrizations.weight.original is weight  # an optimizer built before still works
    assert not parametrize.is_parametrized(model[6])  # not in the mask: dense


def test_current_round_trips_and_apply_replaces():
    model = tiny_cnn()
    assert masks.current(model) == {}
    first = pruning.make(model, "random", 0.5, seed=0)
    masks.apply(model, first)
    got = masks.current(model)
    assert list(got) == list(first) and all(torch.equal(got[n], first[n]) for n in first)
    second = pruning.make(model, "magnitude", 0.8, current=first)
    masks.apply(model, second)
    assert len(model[0].parametrizations.weight) == 1  # replaced, not stacked
    got = masks.current(model)
    assert all(torch.equal(got[n], second[n]) for n in second)
    masks.check(model, second)


def test_check_raises_naming_layer_and_count():
    model = tiny_cnn()
    mask = pruning.make(model, "random", 0.5)
    off = int((~mask["3.weight"]).sum())
    with pytest.raises(RuntimeError, match=rf"0\.weight.*3\.weight \({off} of {off}"):
        masks.check(model, mask)


def test_remove_leaves_plain_weights_with_zeros():
    model = tiny_cnn().eval()
    mask = pruning.make(model, "magnitude", 0.7)
    masks.apply(model, mask)
    x = torch.randn(2, 3, 8, 8)
    out = model(x)
    masks.remove(model)
    assert not any(parametrize.is_parametrized(m) for m in model.modules())
    assert all(type(p) is nn.Parameter for p in model.parameters())
    for n, p in model.named_parameters():
        if n in mask:
            assert (p[~mask[n]] == 0).all()
    assert masks.current(model) == {}
    masks.check(model, mask)
    torch.testing.assert_close(model(x), out, rtol=0, atol=0)


class SignLike(nn.Module):
    """Stand-in for another parametrization that carries its own mask buffer."""

    def __init__(self, mask: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("mask", mask)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.abs() * self.mask


def test_current_reads_other_parametrizations_and_remove_refuses_them():
    model = tiny_cnn()
    a = pruning.make(model, "random", 0.5, seed=0, include=["6.weight"])
    b = pruning.make(model, "random", 0.5, seed=1, include=["6.weight"])
    parametrize.register_parametrization(model[6], "weight", SignLike(a["6.weight"]))
    assert torch.equal(masks.current(model)["6.weight"], a["6.weight"])
    masks.apply(model, b)
    assert torch.equal(masks.current(model)["6.weight"], a["6.weight"] & b["6.weight"])
    masks.check(model)
    with pytest.raises(ValueError, match="6.weight.*SignLike"):
        masks.remove(model)


# --------------------------------------------------------------------------- torch prune / state_dict


def test_prune_interop():
    model = tiny_cnn()
    fresh = copy.deepcopy(model)
    torch.manual_seed(0)
    prune.random_unstructured(model[0], "weight", amount=0.5)
    prune.random_unstructured(model[6], "weight", amount=0.3)
    mask = masks.from_prune(model)
    assert list(mask) == ["0.weight", "6.weight"] and mask["0.weight"].dtype == torch.bool
    cur = masks.current(model)
    assert all(torch.equal(cur[n], mask[n]) for n in mask)
    with pytest.raises(ValueError, match="prune"):
        masks.apply(model, mask)
    masks.apply(fresh, mask)
    a, b = masks.effective_weights(model), masks.effective_weights(fresh)
    assert all(torch.equal(a[n], b[n]) for n in a)
    made = pruning.make(model, "magnitude", 0.8, current=mask)  # make reads prune-d models too
    assert all(not (made[n] & ~mask[n]).any() for n in mask)


def test_state_dict_round_trip():
    model = tiny_cnn().eval()
    mask = pruning.make(model, "erk", 0.8)
    masks.apply(model, mask)
    with pytest.raises((RuntimeError, TypeError, pickle.PicklingError)):
        pickle.dumps(model)
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    buf.seek(0)
    state = torch.load(buf)
    loaded = masks.from_state_dict(state)
    assert all(torch.equal(loaded[n], mask[n]) for n in mask)
    fresh = tiny_cnn(seed=1).eval()
    masks.apply(fresh, loaded)
    fresh.load_state_dict(state)
    x = torch.randn(2, 3, 8, 8)
    torch.testing.assert_close(fresh(x), model(x), rtol=0, atol=0)
    assert all(torch.equal(masks.current(fresh)[n], mask[n]) for n in mask)


def test_sparsity_helpers():
    mask = {"a": torch.tensor([True, False, False, False]), "b": torch.ones(2, 2, dtype=torch.bool)}
    assert masks.sparsity(mask) == 3 / 8
    assert masks.layer_sparsities(mask) == {"a": 0.75, "b": 0.0}
    assert masks.sparsity({}) == 0.0
    assert masks.count_nonzero(mlp()) == (48 * 32 + 32 * 10, 48 * 32 + 32 * 10)
    assert not math.isnan(masks.sparsity(mask))


@pytest.mark.parametrize("method", ["snip", "synflow"])
def test_gradient_methods_work_under_no_grad(method):
    model = tiny_cnn()
    expected = make(model, method, 0.9)
    with torch.no_grad():
        got = make(model, method, 0.9)
    assert all(torch.equal(got[n], expected[n]) for n in expected)
