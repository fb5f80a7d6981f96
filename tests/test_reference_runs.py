"""Exists → load for the chapters: a run equal to a reference record is loaded, not trained; a changed config,
SIGNIN_LITE_RETRAIN=1 and the smoke profile train. Tiny runs (ResNet-8 at width 0.25, the tiny_splits fixture)
stand in for the committed reference sweeps, in a temporary results/ folder."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from signin_lite.foundations import config
from signin_lite.training import lottery, reference_runs, train

TINY = dict(depth=8, width=0.25, epochs=1, batch_size=16, sparsity=0.8, lr=0.05, warmup_epochs=0.5,
            train_per_class=None, val_per_class=0, test_per_class=None, compile="off")


def _cfg(profile: str = "cpu", **kw) -> config.TrainConfig:
    return config.make_config(profile, **{**TINY, **kw})


@pytest.fixture(scope="module")
def reference_root(tmp_path_factory, tiny_splits_module):
    """A results/ folder with a cpu-profile run, a smoke-profile run and a two-round LRR chain with its transplants,
    checkpoints of the chain written as the committed ones are."""
    root = tmp_path_factory.mktemp("results")
    kw = dict(splits=tiny_splits_module, work_dir=root.parent / "ref_runs", device="cpu", progress=False)
    for cfg in (_cfg(), _cfg("smoke")):
        train.train(cfg, results_dir=root / "cpu/runs", **kw)
    chain = lottery.iterative_pruning(_cfg(), 0.8, 2, rewind="lr", results_dir=root / "cpu/lottery", **kw)
    lottery.sign_experiment(_cfg(), chain[-1]["name"], results_dir=root / "cpu/lottery", **kw)
    for i, rec in enumerate(chain[1:], 1):
        final = train.load_final(rec["name"], kw["work_dir"])
        rec["path"] = str(root / "cpu/lottery" / f"{rec['name']}.json")
        reference_runs.save_checkpoint(final, reference_runs.checkpoint_path(rec), weights=i == len(chain) - 1)
    return root


@pytest.fixture
def live(reference_root, tmp_path, tiny_splits, monkeypatch):
    """Run kwargs of a chapter's live run, with the temporary folder as the reference results; epochs run are
    counted by a callback spy."""
    monkeypatch.setattr(reference_runs, "RESULTS", reference_root)
    monkeypatch.delenv(reference_runs.RETRAIN_ENV, raising=False)
    reference_runs._index.cache_clear()
    epochs: list[dict] = []
    kw = dict(splits=tiny_splits, results_dir=tmp_path / "live/results", work_dir=tmp_path / "live", device="cpu",
              progress=False, callbacks=(epochs.append,))
    return kw, epochs


def test_same_config_loads_the_reference_record_without_training(live, capsys):
    kw, epochs = live
    cfg = _cfg()
    record = train.train(cfg, reuse=True, **kw)
    assert epochs == [] and record["run_id"] == cfg.run_id() and "cpu/runs" in record["path"]
    expected = f"loaded reference run {cfg.name()}; set SIGNIN_LITE_RETRAIN=1 to train it yourself"
    assert expected in capsys.readouterr().out
    assert not (kw["results_dir"] / f"{cfg.name()}.json").exists()  # the reference stays where it is


def test_a_changed_field_or_no_reuse_trains(live):
    kw, epochs = live
    train.train(_cfg(lr=0.04), reuse=True, **kw)
    assert len(epochs) == 1
    train.train(_cfg(), **kw)  # reuse defaults to False: a plain train() call trains as before
    assert len(epochs) == 2


def test_retrain_variable_forces_training(live, monkeypatch):
    kw, epochs = live
    monkeypatch.setenv(reference_runs.RETRAIN_ENV, "1")
    record = train.train(_cfg(), reuse=True, **kw)
    assert len(epochs) == 1 and "ref_runs" not in str(record.get("path", ""))


def test_smoke_runs_always_train(live, reference_root):
    kw, epochs = live
    cfg = _cfg("smoke")
    assert (reference_root / "cpu/runs" / f"{cfg.name()}.json").exists()
    assert reference_runs.find(cfg) is None
    train.train(cfg, reuse=True, **kw)
    assert len(epochs) == 1


def test_lottery_chain_and_transplants_load_with_their_checkpoints(live, reference_root):
    kw, epochs = live
    ref_ticket = train.load_final(reference_root.parent / "ref_runs" / _ticket_name())
    chain = lottery.iterative_pruning(_cfg(), 0.8, 2, rewind="lr", reuse=True, **kw)
    assert epochs == [] and [r["method"] for r in chain] == ["dense", "lrr", "lrr"]
    ticket = train.load_final(chain[-1]["name"], kw["work_dir"])  # installed from the reference checkpoint
    for name, m in ref_ticket["mask"].items():
        assert torch.equal(ticket["mask"][name], m) and torch.equal(ticket["state"][name], ref_ticket["state"][name])
    assert train.load_final(chain[1]["name"], kw["work_dir"])["state"] is None  # earlier rounds: mask only
    weights = {n: ticket["state"][n] for n in ticket["mask"]}
    transplants = lottery.sign_experiment(_cfg(), chain[-1]["name"], reuse=True, reference=weights, **kw)
    assert epochs == [] and {r["method"] for r in transplants} == {f"transplant_{k}" for k in lottery.TRANSPLANTS}


def test_a_chain_without_checkpoints_trains(live, reference_root):
    kw, epochs = live
    chain = lottery.iterative_pruning(_cfg(), 0.8, 2, rewind="weight", reuse=True, **kw)  # no IMP references
    assert len(epochs) == 3 and [r["method"] for r in chain] == ["dense", "imp", "imp"]  # dense too: no checkpoint


def _ticket_name() -> str:
    dense = replace(_cfg(), mask="none", sparsity=0.0, tag="")
    return lottery._round(_cfg(), 2, 2, 0.8, "lr", 1, dense.name())[0].name()
