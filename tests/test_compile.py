"""torch.compile in training: the auto rule, the flags, the record, and exactness under compile.

The compiled tests share one tiny Sign-In model (ResNet-8 at width 0.25, batch 16, tiny_splits), so a cold run
compiles a handful of graphs (about a minute on 2 cores); a warm inductor cache makes them seconds.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn as nn

from signin_lite import cli
from signin_lite.core import masks, signin
from signin_lite.foundations import config
from signin_lite.training import compiling, data, recipe, train

# Compiled and eager steps sum in different orders (fused kernels). Over the 8 steps and 4 Sign-In resets below
# (sparsity 0.5) the epoch losses agreed to 1.2e-7 relative and every weight and BatchNorm statistic to 1.6e-6; the
# tolerances leave a factor of about 10. (At sparsity 0.8 this tiny net is chaotic: even two eager runs, on 1 and on
# 2 threads, end 1e-2 apart. So the comparison uses 0.5.)
LOSS_RTOL = 1e-5
WEIGHT_ATOL = 1e-5


def _cfg(**kw):
    base = dict(depth=8, width=0.25, epochs=2, batch_size=16, sparsity=0.5, lr=0.05, warmup_epochs=0.5,
                mask="random", signin=True, rescale_every=0.5)
    return config.make_config("smoke", **{**base, **kw})


# ----------------------------------------------------------------------------- the rule (nothing compiles here)

def test_auto_compiles_only_long_enough_runs_on_supported_setups(monkeypatch):
    cpu, need = torch.device("cpu"), compiling.BREAK_EVEN_STEPS["cpu"]
    monkeypatch.setattr(compiling, "c_compiler", lambda: "/usr/bin/g++")
    short = compiling.decide("auto", cpu, need - 1)
    assert not short.compiled and f"{need - 1} steps < {need}" in short.reason and "bench/README.md" in short.reason
    assert compiling.decide("auto", cpu, need).compiled
    assert not compiling.decide("auto", torch.device("mps"), 10**6).compiled
    ddp = compiling.decide("auto", cpu, 10**6, distributed=True)
    assert not ddp.compiled and "DDP" in ddp.reason
    assert compiling.decide("on", cpu, 1).compiled and not compiling.decide("off", cpu, 10**6).compiled
    assert compiling.decide("off", cpu, 1).note.startswith("compile: off (")
    monkeypatch.setattr(compiling, "c_compiler", lambda: None)
    no_cc = compiling.decide("auto", cpu, 10**6)
    assert not no_cc.compiled and "C++ compiler" in no_cc.reason
    with pytest.raises(ValueError, match="compile='yes' is unknown"):
        compiling.decide("yes", cpu, 1)


def test_compile_flags_on_train_and_sweep_and_the_default_keeps_run_ids():
    parser = cli.build_parser()
    for command in (["train"], ["sweep"]):
        for flags, want in ((["--compile"], "on"), (["--no-compile"], "off"), (["--compile", "auto"], "auto")):
            assert config.overrides_from_args(parser.parse_args([*command, *flags]))["compile"] == want
        assert "compile" not in config.overrides_from_args(parser.parse_args(command))
    cfg = config.make_config("smoke")
    assert cfg.compile == "auto" and config.LATER_FIELDS["compile"] == "auto"
    assert config.make_config("smoke", compile="on").run_id() != cfg.run_id()
    with pytest.raises(ValueError, match="compile='fast' is invalid"):
        config.make_config("smoke", compile="fast")


class _Broken(nn.Module):
    def forward(self, x):
        raise RuntimeError("inductor is broken here")


def test_auto_falls_back_to_eager_when_compiling_fails_and_on_does_not(tmp_path, tiny_splits, monkeypatch):
    monkeypatch.setattr(compiling, "compile_model", lambda model: _Broken())
    monkeypatch.setattr(compiling, "BREAK_EVEN_STEPS", {"cpu": 1, "cuda": 1})
    monkeypatch.setattr(compiling, "c_compiler", lambda: "/usr/bin/g++")
    kw = dict(splits=tiny_splits, results_dir=tmp_path / "results", work_dir=tmp_path / "runs", device="cpu",
              progress=False)
    record = train.train(_cfg(epochs=1), **kw)
    assert record["env"]["compiled"] is False and "compiling failed (RuntimeError" in record["env"]["compile_note"]
    with pytest.raises(RuntimeError, match="inductor is broken"):
        train.train(_cfg(epochs=1, compile="on"), **kw)


# ----------------------------------------------------------------------------- compiled for real

@pytest.fixture(scope="module")
def eager_and_compiled(tmp_path_factory, tiny_splits_module):
    """The same short Sign-In run (8 steps, a reset every 2) trained eagerly and compiled."""
    splits = tiny_splits_module
    torch.set_num_threads(2)
    out = {}
    for mode in ("off", "on"):
        cfg = _cfg(compile=mode)
        where = tmp_path_factory.mktemp(mode)
        record = train.train(cfg, splits=splits, results_dir=where / "results", work_dir=where / "runs", device="cpu",
                             progress=False)
        out[mode] = (record, train.load_final(cfg.name(), where / "runs"))
    return out


def test_compiled_run_says_so_and_keeps_off_mask_weights_exactly_zero(eager_and_compiled):
    record, final = eager_and_compiled["on"]
    assert record["env"]["compiled"] is True and record["env"]["compile_note"] == "asked for (--compile)"
    assert eager_and_compiled["off"][0]["env"]["compiled"] is False
    for name, m in final["mask"].items():
        assert torch.count_nonzero(final["state"][name][~m]) == 0, name
    assert math.isclose(record["history"][-1]["sparsity"], 0.5, abs_tol=2e-3)


def test_compiled_and_eager_runs_from_one_seed_agree(eager_and_compiled):
    (rec_e, fin_e), (rec_c, fin_c) = eager_and_compiled["off"], eager_and_compiled["on"]
    for he, hc in zip(rec_e["history"], rec_c["history"], strict=True):
        assert math.isclose(he["loss"], hc["loss"], rel_tol=LOSS_RTOL), (he["loss"], hc["loss"])
    for name, value in fin_e["state"].items():
        if value.is_floating_point():
            assert torch.allclose(value, fin_c["state"][name], atol=WEIGHT_ATOL, rtol=0), name


def test_reset_and_merge_stay_exact_under_compile(tiny_splits):
    cfg = _cfg()
    model = recipe.build_model(cfg, torch.device("cpu"))
    optimizer = recipe.make_optimizer(model, cfg)
    net = compiling.compile_model(model)
    x, y = next(iter(data.DeviceLoader(*tiny_splits.train, 16, train=True, device="cpu", seed=0)))
    for _ in range(3):
        recipe.train_step(net, optimizer, x, y)
    masks.check(model)  # off-mask zeros after compiled steps
    signin.rescale(model)
    for name, imb in signin.imbalance(model).items():
        assert torch.allclose(imb, torch.full_like(imb, cfg.beta), atol=1e-4), name
    # the compiled forward reads the reset (m, w): it equals the eager forward of the same weights
    compiled_out = net(x).detach()
    assert torch.allclose(compiled_out, model(x).detach(), atol=1e-5)
    signin.merge(model)
    assert not signin.signin_layers(model)
    assert torch.allclose(model(x).detach(), compiled_out, atol=1e-5)
