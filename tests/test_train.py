import json
import math

import pytest
import torch

from signin_lite.foundations import config, schema
from signin_lite.training import data, recipe, train
from signin_lite.core import masks
from signin_lite.evidence import records


def _cfg(**kw):
    base = dict(depth=8, width=0.25, epochs=2, batch_size=16, sparsity=0.8, lr=0.05, warmup_epochs=0.5)
    return config.make_config("smoke", **{**base, **kw})


def _run(cfg, tmp_path, splits, **kw):
    return train.train(cfg, splits=splits, results_dir=tmp_path / "results", work_dir=tmp_path / "runs",
                       device="cpu", progress=False, **kw)


def _final_state(tmp_path, cfg):
    return train.load_final(cfg.name(), tmp_path / "runs")["state"]


@pytest.mark.parametrize("kw", [dict(mask="erk"), dict(mask="random", signin=True), dict(mask="snip"),
                                dict(pruning="gmp", signin=True, epochs=3, gmp_start=0.0, gmp_end=0.67)])
def test_off_mask_weights_stay_exactly_zero_and_sparsity_is_exact(tmp_path, tiny_splits, kw):
    cfg = _cfg(weight_decay=5e-3, momentum=0.9, **kw)
    record = _run(cfg, tmp_path, tiny_splits)
    state = _final_state(tmp_path, cfg)
    final = train.load_final(cfg.name(), tmp_path / "runs")
    mask = final["mask"]
    for name, m in mask.items():
        assert torch.count_nonzero(state[name][~m]) == 0, name
    assert math.isclose(masks.sparsity(mask), 0.8, abs_tol=2e-3)
    assert math.isclose(record["history"][-1]["sparsity"], 0.8, abs_tol=2e-3)
    assert record["counts"]["params_effective"] < record["counts"]["params_dense"]


def test_record_contents_and_atomic_file(tmp_path, tiny_splits):
    cfg = _cfg(signin=True)
    record = _run(cfg, tmp_path, tiny_splits)
    path = tmp_path / "results" / f"{cfg.name()}.json"
    on_disk = json.loads(path.read_text())
    assert on_disk["schema"] == schema.RUN and on_disk["method"] == "pai_signin"
    assert on_disk["config"]["sparsity"] == 0.8 and len(on_disk["history"]) == 2
    for key in ("loss", "train_acc", "test_acc", "lr", "time_s", "sign_flips", "sparsity"):
        assert key in on_disk["history"][0]
    assert set(on_disk["counts"]) == {"params_dense", "params_effective", "flops_dense", "flops_effective"}
    assert on_disk["cost"]["wall_time_s"] > 0 and on_disk["cost"]["peak_memory_bytes"] > 0
    assert (on_disk["env"]["device"] == "cpu" and on_disk["date"]
            and on_disk["data"]["source"] == "synthetic-test-fixture")
    assert not list((tmp_path / "results").glob("*.tmp"))
    assert record["final"]["test_acc"] == on_disk["final"]["test_acc"]
    rows = records.table(records.load_records(tmp_path / "results"))
    assert rows[0]["method"] == "pai_signin" and rows[0]["sparsity"] == 0.8


def test_existing_record_is_loaded_not_retrained(tmp_path, tiny_splits):
    cfg = _cfg()
    first = _run(cfg, tmp_path, tiny_splits)
    calls = []
    second = _run(cfg, tmp_path, tiny_splits, callbacks=(calls.append,))
    assert calls == [] and second["date"] == first["date"]


def test_same_seed_gives_identical_results(tmp_path, tiny_splits):
    cfg = _cfg(signin=True)
    a = _run(cfg, tmp_path / "a", tiny_splits)
    b = _run(cfg, tmp_path / "b", tiny_splits)
    assert [h["loss"] for h in a["history"]] == [h["loss"] for h in b["history"]]
    sa, sb = _final_state(tmp_path / "a", cfg), _final_state(tmp_path / "b", cfg)
    assert all(torch.equal(sa[k], sb[k]) for k in sa)


def test_gmp_counts_the_flips_of_the_epoch_before_its_epoch_end_pruning(tmp_path, tiny_splits):
    # Epoch 1 of GMP trains the dense network exactly as dense training does and only then prunes: its flips
    # are the dense run's, not the few left among the large weights that pruning keeps.
    dense = _run(_cfg(mask="none", sparsity=0.0), tmp_path / "dense", tiny_splits)
    gmp = _run(_cfg(pruning="gmp", gmp_start=0.0, gmp_end=0.5), tmp_path / "gmp", tiny_splits)
    assert gmp["history"][0]["sparsity"] > 0.5
    assert gmp["history"][0]["sign_flips"] == dense["history"][0]["sign_flips"]
    assert sum(dense["history"][0]["sign_flips"].values()) > 0
    assert gmp["history"][0]["sign_flip_fraction"] == pytest.approx(dense["history"][0]["sign_flip_fraction"])


class _Stop(Exception):
    pass


@pytest.mark.parametrize("kw", [dict(), dict(signin=True, rescale_every=0.5), dict(pruning="gmp", gmp_start=0.0)])
def test_resume_continues_to_the_same_result(tmp_path, tiny_splits, kw):
    cfg = _cfg(epochs=3, **kw)
    whole = _run(cfg, tmp_path / "whole", tiny_splits)

    def stop_after_first(metrics):
        if metrics["epoch"] == 1:
            raise _Stop
    with pytest.raises(_Stop):
        _run(cfg, tmp_path / "cut", tiny_splits, callbacks=(stop_after_first,))
    resumed = _run(cfg, tmp_path / "cut", tiny_splits)
    assert [h["loss"] for h in resumed["history"]] == [h["loss"] for h in whole["history"]]
    assert [h["test_acc"] for h in resumed["history"]] == [h["test_acc"] for h in whole["history"]]
    s1, s2 = _final_state(tmp_path / "whole", cfg), _final_state(tmp_path / "cut", cfg)
    assert all(torch.equal(s1[k], s2[k]) for k in s1)


def test_nan_loss_stops_with_clear_error_and_keeps_checkpoint(tmp_path, tiny_splits):
    cfg = _cfg(epochs=3)
    def poison(metrics):
        if metrics["epoch"] == 1:
            raise _Stop
    with pytest.raises(_Stop):
        _run(cfg, tmp_path, tiny_splits, callbacks=(poison,))
    ckpt_path = tmp_path / "runs" / cfg.name() / "checkpoint.pt"
    ckpt = torch.load(ckpt_path, weights_only=False)
    for key, value in ckpt["model"].items():
        if value.is_floating_point() and key.endswith("fc.bias"):
            value.fill_(float("nan"))
    torch.save(ckpt, ckpt_path)
    good_epoch = ckpt["epoch"]
    with pytest.raises(train.Divergence, match="loss became nan.*checkpoint"):
        _run(cfg, tmp_path, tiny_splits)
    assert torch.load(ckpt_path, weights_only=False)["epoch"] == good_epoch
    assert not (tmp_path / "results" / f"{cfg.name()}.json").exists()


def test_checkpoint_of_another_config_is_refused(tmp_path, tiny_splits):
    cfg = _cfg(epochs=2)
    with pytest.raises(_Stop):
        _run(cfg, tmp_path, tiny_splits, callbacks=(lambda m: (_ for _ in ()).throw(_Stop()),))
    ckpt_path = tmp_path / "runs" / cfg.name() / "checkpoint.pt"
    ckpt = torch.load(ckpt_path, weights_only=False)
    ckpt["config"]["lr"] = 123.0
    torch.save(ckpt, ckpt_path)
    with pytest.raises(ValueError, match="another config"):
        _run(cfg, tmp_path, tiny_splits)


def test_dense_run_and_reference_alignment(tmp_path, tiny_splits):
    dense = _cfg(mask="none", sparsity=0.0)
    _run(dense, tmp_path, tiny_splits)
    reference = train.load_final(dense.name(), tmp_path / "runs")["state"]
    record = _run(_cfg(signin=True), tmp_path, tiny_splits, reference=reference)
    alignment = record["history"][-1]["sign_alignment"]
    assert 0.0 <= alignment["_all"] <= 1.0 and "fc.weight" in alignment


def test_gmp_schedule_is_cubic():
    assert recipe.gmp_sparsity(0.05, 0.9, 0.1, 0.6) == 0.0
    assert recipe.gmp_sparsity(0.6, 0.9, 0.1, 0.6) == pytest.approx(0.9)
    assert recipe.gmp_sparsity(0.35, 0.9, 0.1, 0.6) == pytest.approx(0.9 * (1 - 0.5 ** 3))
    assert recipe.gmp_sparsity(1.0, 0.9, 0.1, 0.6) == pytest.approx(0.9)


def test_lr_schedule_warms_up_then_decays_to_zero():
    f = recipe.lr_lambda(10, 100)
    assert f(0) == pytest.approx(0.1) and f(9) == pytest.approx(1.0)
    assert f(10) == pytest.approx(1.0) and f(100) == pytest.approx(0.0, abs=1e-12)
    assert all(f(i) >= f(i + 1) for i in range(10, 100))


def test_evaluate_builds_no_autograd_graph_and_restores_the_mode(tiny_splits):
    grad_seen = []

    class Probe(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(3 * 32 * 32, 10)

        def forward(self, x):
            grad_seen.append(torch.is_grad_enabled())
            return self.fc(x.flatten(1))

    model = Probe().train()
    loader = data.DeviceLoader(*tiny_splits.test, 16, train=False, device="cpu")
    acc, loss = recipe.evaluate(model, loader)
    assert grad_seen and not any(grad_seen)        # no graph is built while evaluating
    assert model.training and 0.0 <= acc <= 1.0 and loss > 0
