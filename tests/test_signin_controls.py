"""The matching control, Sign-In without resets, the reset diagnostics, the final full-test evaluation and the
options of the paper's setting (dense first/last layers, layer-wise densities, Nesterov)."""
import json
import math

import pytest
import torch
import torch.nn as nn

from signin_lite.foundations import config
from signin_lite.core import masks, models, pruning, signin
from signin_lite.training import recipe, train
from signin_lite.training.recipe import Splits


def _cfg(**kw):
    base = dict(depth=8, width=0.25, epochs=2, batch_size=16, sparsity=0.8, lr=0.05, warmup_epochs=0.5, mask="random")
    return config.make_config("smoke", **{**base, **kw})


def _run(cfg, tmp_path, splits, **kw):
    return train.train(cfg, splits=splits, results_dir=tmp_path / "results", work_dir=tmp_path / "runs",
                       device="cpu", progress=False, **kw)


def _model(cfg):
    return recipe.build_model(cfg, torch.device("cpu"))


def _decay_of(optimizer):
    return {id(p): g["weight_decay"] for g in optimizer.param_groups for p in g["params"]}


# --------------------------------------------------------------------------- the matching control


def test_control_doubles_decay_on_exactly_the_weights_signin_reparameterizes():
    control = _cfg(weight_decay_masked_factor=2.0, weight_decay=1e-3)
    model = _model(control)
    decay = _decay_of(recipe.make_optimizer(model, control))
    assert len(decay) == len(list(model.parameters()))  # every parameter in exactly one group
    conv_linear = {n.replace(".parametrizations.weight.original", ".weight"): p for n, p in model.named_parameters()
                   if ".parametrizations.weight.original" in n}
    assert set(conv_linear) == set(masks.maskable_names(model))
    for name, p in model.named_parameters():
        doubled = ".parametrizations.weight.original" in name
        assert math.isclose(decay[id(p)], 2e-3 if doubled else 1e-3), name
    bn_and_bias = [n for n, _ in model.named_parameters() if ".bn" in n or n.startswith("bn") or n.endswith("bias")]
    assert bn_and_bias and all(math.isclose(decay[id(dict(model.named_parameters())[n])], 1e-3) for n in bn_and_bias)


def test_control_parameter_set_is_the_signin_parameter_set():
    plain_cfg = _cfg(weight_decay_masked_factor=2.0, dense_first_last=True)
    signin_cfg = _cfg(signin=True, dense_first_last=True)
    plain, reparam = _model(plain_cfg), _model(signin_cfg)
    doubled = {n for n, p in plain.named_parameters()
               if _decay_of(recipe.make_optimizer(plain, plain_cfg))[id(p)] == 2 * plain_cfg.weight_decay}
    layers = {n.split(".parametrizations")[0] for n in doubled}
    assert layers == {n[: -len(".weight")] for n in signin.signin_layers(reparam)}
    assert "conv1" not in layers and "fc" not in layers  # the dense first and last layers keep the plain decay


def test_default_factor_gives_one_group_with_the_plain_decay_and_nesterov_follows_the_flag():
    cfg = _cfg()
    opt = recipe.make_optimizer(_model(cfg), cfg)
    assert {g["weight_decay"] for g in opt.param_groups} == {cfg.weight_decay}
    assert all(g["nesterov"] for g in opt.param_groups)
    off = _cfg(nesterov=False)
    assert not any(g["nesterov"] for g in recipe.make_optimizer(_model(off), off).param_groups)
    no_momentum = _cfg(momentum=0.0)  # torch refuses Nesterov without momentum: the flag then has no effect
    assert not any(g["nesterov"] for g in recipe.make_optimizer(_model(no_momentum), no_momentum).param_groups)


def test_weight_decay_groups_on_a_signin_model_hold_m_and_w():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    signin.reparameterize(model, beta=1.0)
    groups = signin.weight_decay_groups(model, 0.1, 2.0)
    assert [g["weight_decay"] for g in groups] == [0.2, 0.1]
    assert {id(p) for p in groups[0]["params"]} == {id(p) for n, p in model.named_parameters() if "original" in n}
    assert {id(p) for p in groups[1]["params"]} == {id(model[0].bias), id(model[2].bias)}


# --------------------------------------------------------------------------- no resets


def test_no_reset_run_never_resets_and_imbalance_drifts(tmp_path, tiny_splits, monkeypatch):
    calls = []
    real = signin.rescale
    monkeypatch.setattr(signin, "rescale", lambda model, *a, **k: calls.append(1) or real(model, *a, **k))
    cfg = _cfg(signin=True, rescale_every=0, weight_decay=5e-2, epochs=3)
    record = _run(cfg, tmp_path, tiny_splits)
    assert calls == []
    ends = [h["signin"]["imbalance_end"] for h in record["history"]]
    assert all(h["signin"]["resets"] == [] for h in record["history"])
    for layer in ends[0]:
        means = [e[layer]["mean"] for e in ends]
        assert means[0] < cfg.beta and means[-1] < means[0]  # weight decay shrinks m^2 - w^2 and nothing restores it


def test_resets_happen_every_period_and_restore_beta(tmp_path, tiny_splits):
    cfg = _cfg(signin=True, rescale_every=0.5, weight_decay=5e-2)
    record = _run(cfg, tmp_path, tiny_splits)
    steps_per_epoch = 64 // 16
    for h in record["history"]:
        resets = h["signin"]["resets"]
        assert [r["step"] for r in resets] == [h["epoch"] * steps_per_epoch - 2, h["epoch"] * steps_per_epoch]
        for r in resets:
            assert all(v["mean"] < cfg.beta and v["min"] <= v["mean"] for v in r["imbalance"].values())
        assert all(math.isclose(v["mean"], cfg.beta, rel_tol=1e-4) for v in h["signin"]["imbalance_end"].values())
        assert h["signin"]["zero_crossings_since_reset"]["_all"] == 0  # the epoch ended with a reset
    assert record["history"][0]["signin"]["lr_multiplier"]["_all"] >= cfg.beta


def test_plain_runs_have_no_signin_diagnostics(tmp_path, tiny_splits):
    record = _run(_cfg(epochs=1), tmp_path, tiny_splits)
    assert record["history"][0]["signin"] is None


# --------------------------------------------------------------------------- diagnostics by hand


def _one_layer(theta, mask, beta=1.0):
    model = nn.Sequential(nn.Linear(2, 2, bias=False))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(theta))
    masks.apply(model, {"0.weight": torch.tensor(mask)})
    signin.reparameterize(model, beta=beta)
    return model


def test_diagnostics_by_hand_on_a_two_by_two_layer():
    model = _one_layer([[0.0, 2.0], [-1.5, 7.0]], [[True, True], [True, False]], beta=1.0)
    # right after reparameterize: m^2 - w^2 = 1 on every kept weight, m^2 + w^2 = sqrt(1 + 4 theta^2)
    stats = signin.imbalance_stats(model)["0.weight"]
    assert math.isclose(stats["mean"], 1.0, rel_tol=1e-6) and math.isclose(stats["min"], 1.0, rel_tol=1e-6)
    expected = (1.0 + math.sqrt(1 + 16) + math.sqrt(1 + 9)) / 3  # theta = 0, 2, -1.5 (7.0 is off the mask)
    mult = signin.lr_multiplier(model)
    assert math.isclose(mult["0.weight"], expected, rel_tol=1e-6) and math.isclose(mult["_all"], expected, rel_tol=1e-6)
    plist = model[0].parametrizations.weight
    with torch.no_grad():  # set (m, w) by hand: m^2 - w^2 = 0.5, 0.75, 1 on the kept weights; one weight flips sign
        plist.original0.copy_(torch.tensor([[1.0, 1.0], [1.0, 3.0]]))
        plist.original1.copy_(torch.tensor([[math.sqrt(0.5), 0.5], [0.0, 1.0]]))
    stats = signin.imbalance_stats(model)["0.weight"]
    assert math.isclose(stats["mean"], (0.5 + 0.75 + 1.0) / 3, rel_tol=1e-6) and math.isclose(stats["min"], 0.5)
    assert math.isclose(signin.lr_multiplier(model)["0.weight"], (1.5 + 1.25 + 1.0) / 3, rel_tol=1e-6)


def test_zero_crossings_count_sign_changes_of_kept_weights_only():
    model = _one_layer([[0.5, 2.0], [-1.5, 7.0]], [[True, True], [True, False]])
    diag = signin.ResetDiagnostics(model)
    plist = model[0].parametrizations.weight
    with torch.no_grad():  # theta = m * w: flip 0.5 -> negative and -1.5 -> positive; 2.0 keeps its sign
        plist.original1.copy_(plist.original1 * torch.tensor([[-1.0, 1.0], [-1.0, -1.0]]))
    diag.before_reset(model, step=10)
    signin.rescale(model)
    out = diag.epoch_end(model)
    (reset,) = out["resets"]
    assert reset["step"] == 10 and reset["zero_crossings"] == {"0.weight": 2, "_all": 2}
    assert out["zero_crossings_since_reset"]["_all"] == 0
    assert diag.epoch_end(model)["resets"] == []  # the list starts afresh every epoch


# --------------------------------------------------------------------------- the final full-test evaluation


def test_final_evaluation_uses_the_full_test_set_and_the_record_says_so(tmp_path, monkeypatch):
    g = torch.Generator().manual_seed(0)

    def fake(root, split):
        n = 600 if split == "train" else 10_000
        y = torch.arange(n) % 10
        return torch.randint(0, 255, (n, 3, 32, 32), generator=g, dtype=torch.uint8), y

    monkeypatch.setattr(recipe, "_cifar10", fake)
    monkeypatch.setattr(recipe.data, "data_source", lambda root: "synthetic-test-fixture")
    monkeypatch.setattr(recipe.data, "resolve_root", lambda root: None)
    cfg = _cfg(epochs=1, train_per_class=20, test_per_class=10, final_test_per_class=None)
    splits = recipe.load_splits(cfg)
    assert len(splits.test[1]) == 100 and len(splits.final_test[1]) == 10_000
    record = _run(cfg, tmp_path, splits)
    final = record["final"]
    assert final["test_set"] == "final" and final["test_size"] == 10_000 and record["data"]["final_test_size"] == 10_000
    assert record["data"]["test_size"] == 100 and final["test_acc_last_epoch"] == record["history"][-1]["test_acc"]
    assert recipe.load_splits(_cfg(final_test_per_class=0)).final_test is None


def test_without_a_final_evaluation_the_record_names_the_per_epoch_set(tmp_path, tiny_splits):
    record = _run(_cfg(epochs=1), tmp_path, tiny_splits)
    assert record["final"]["test_set"] == "per-epoch" and record["final"]["test_size"] == 40
    assert record["data"]["final_test_size"] == 0 and "test_acc_last_epoch" not in record["final"]


def test_asking_for_a_final_evaluation_without_its_split_is_an_error(tmp_path, tiny_splits):
    with pytest.raises(ValueError, match="final_test_per_class=None asks for a final evaluation"):
        _run(_cfg(epochs=1, final_test_per_class=None), tmp_path, tiny_splits)


def test_partial_history_is_written_after_every_epoch(tmp_path, tiny_splits):
    cfg = _cfg(epochs=2)
    path = tmp_path / "runs" / cfg.name() / "partial.json"
    seen = []
    _run(cfg, tmp_path, tiny_splits, callbacks=(lambda m: seen.append(json.loads(path.read_text())),))
    assert [len(p["history"]) for p in seen] == [1, 2]  # on disk by the time each epoch's callbacks run
    assert seen[-1]["status"] == "partial" and seen[-1]["config"]["epochs"] == 2


# --------------------------------------------------------------------------- dense first/last, layer densities


def test_dense_first_last_keeps_conv1_and_fc_dense_at_the_asked_sparsity():
    model = _model(_cfg(dense_first_last=True, sparsity=0.9))
    mask = masks.current(model)
    names = masks.maskable_names(model)
    assert set(mask) == set(names[1:-1]) and names[0] == "conv1.weight" and names[-1] == "fc.weight"
    assert math.isclose(masks.sparsity(mask), 0.9, abs_tol=1e-3)
    assert bool((model.conv1.weight != 0).all()) and bool((model.fc.weight != 0).all())


def test_dense_first_last_under_gmp_never_prunes_them(tmp_path, tiny_splits):
    cfg = _cfg(pruning="gmp", dense_first_last=True, epochs=2, gmp_start=0.0, gmp_end=0.5)
    _run(cfg, tmp_path, tiny_splits)
    final = train.load_final(cfg.name(), tmp_path / "runs")
    assert "conv1.weight" not in final["mask"] and "fc.weight" not in final["mask"]
    assert math.isclose(masks.sparsity(final["mask"]), 0.8, abs_tol=2e-3)


@pytest.mark.parametrize("kind", ["er", "balanced"])
def test_er_and_balanced_masks_hit_the_sparsity_with_their_layer_densities(kind):
    model = models.resnet(8, 0.5)
    mask = pruning.make(model, kind, 0.9, seed=0)
    assert math.isclose(masks.sparsity(mask), 0.9, abs_tol=1e-4)
    kept = {n: int(m.sum()) for n, m in mask.items()}
    shapes = {n: tuple(m.shape) for n, m in mask.items()}
    if kind == "balanced":  # the same count in every layer that is not capped at dense
        sparse = [k for n, k in kept.items() if k < m_numel(shapes[n])]
        assert max(sparse) - min(sparse) <= 1
    else:  # ER: density proportional to (n_out + n_in) / (n_out * n_in), the kernel size left out
        dens = pruning.erk_densities(model, 0.1, kind="er")
        a, b = "layer1.0.conv1.weight", "layer3.0.conv1.weight"
        ratio = ((shapes[a][0] + shapes[a][1]) / (shapes[a][0] * shapes[a][1])) / (
            (shapes[b][0] + shapes[b][1]) / (shapes[b][0] * shapes[b][1]))
        assert math.isclose(dens[a] / dens[b], ratio, rel_tol=1e-9)
    assert not torch.equal(mask["layer1.0.conv1.weight"],
                           pruning.make(model, kind, 0.9, seed=1)["layer1.0.conv1.weight"])


def m_numel(shape):
    return math.prod(shape)


def test_unknown_density_kind_is_refused():
    with pytest.raises(ValueError, match="unknown density kind 'pyramid'"):
        pruning.erk_densities({"a": (4, 4)}, 0.5, kind="pyramid")


def test_splits_keep_their_old_positional_form():
    s = Splits((torch.zeros(1), torch.zeros(1)), (torch.zeros(1), torch.zeros(1)), None, "x")
    assert s.final_test is None
