import math

import pytest
import torch

from signin_lite.foundations import config
from signin_lite.training import lottery, train
from signin_lite.core import masks


def _kw(tmp_path, splits):
    return dict(splits=splits, results_dir=tmp_path / "results", work_dir=tmp_path / "runs", device="cpu",
                progress=False)


def _cfg(**kw):
    return config.make_config("smoke", **{**dict(depth=8, width=0.25, epochs=2, batch_size=16, warmup_epochs=0.5),
                                          **kw})


def test_round_sparsity_reaches_target():
    assert lottery.round_sparsity(0.9, 3, 0) == 0
    assert lottery.round_sparsity(0.9, 3, 3) == pytest.approx(0.9)
    assert lottery.round_sparsity(0.9, 3, 1) == pytest.approx(1 - 0.1 ** (1 / 3))


@pytest.mark.parametrize("rewind", ["lr", "weight"])
def test_iterative_pruning_nests_masks_and_rewinds(tmp_path, tiny_splits, rewind):
    runs = lottery.iterative_pruning(_cfg(), 0.75, 2, rewind, **_kw(tmp_path, tiny_splits))
    assert [r["method"] for r in runs] == ["dense", "lrr" if rewind == "lr" else "imp",
                                           "lrr" if rewind == "lr" else "imp"]
    m1 = train.load_final(runs[1]["name"], tmp_path / "runs")["mask"]
    m2 = train.load_final(runs[2]["name"], tmp_path / "runs")["mask"]
    assert math.isclose(masks.sparsity(m2), 0.75, abs_tol=1e-3)
    assert all(not (m2[k] & ~m1[k]).any() for k in m1)  # each round prunes within the last mask


def test_weight_rewinding_needs_a_kept_epoch(tmp_path, tiny_splits):
    with pytest.raises(ValueError, match="epoch 7"):
        lottery.iterative_pruning(_cfg(), 0.5, 1, "weight", rewind_epoch=7, **_kw(tmp_path, tiny_splits))


def test_transplant_keeps_signs_or_magnitudes():
    g = torch.Generator().manual_seed(0)
    ref = {"w": torch.randn(100, generator=g)}
    fresh = {"w": torch.randn(100, generator=g), "b": torch.ones(3)}
    mask = {"w": torch.rand(100, generator=g) > 0.5}
    signs = lottery.transplant(ref, mask, fresh, "signs")
    assert torch.equal(torch.sign(signs["w"][mask["w"]]), torch.sign(ref["w"][mask["w"]]))
    assert torch.allclose(signs["w"][mask["w"]].abs(), fresh["w"][mask["w"]].abs())
    assert torch.count_nonzero(signs["w"][~mask["w"]]) == 0 and torch.equal(signs["b"], fresh["b"])
    mags = lottery.transplant(ref, mask, fresh, "magnitudes", seed=1)
    assert torch.allclose(mags["w"][mask["w"]].abs(), ref["w"][mask["w"]].abs())
    agree = (torch.sign(mags["w"][mask["w"]]) == torch.sign(ref["w"][mask["w"]])).float().mean()
    assert 0.2 < agree < 0.8  # random signs
    with pytest.raises(ValueError, match="keep"):
        lottery.transplant(ref, mask, fresh, "everything")


def test_sign_experiment_trains_three_starts_on_the_ticket_mask(tmp_path, tiny_splits):
    runs = lottery.iterative_pruning(_cfg(), 0.5, 1, "lr", **_kw(tmp_path, tiny_splits))
    out = lottery.sign_experiment(_cfg(), runs[-1]["name"], **_kw(tmp_path, tiny_splits))
    assert [r["method"] for r in out] == ["transplant_signs", "transplant_magnitudes", "transplant_mask"]
    ticket_mask = train.load_final(runs[-1]["name"], tmp_path / "runs")["mask"]
    for r in out:
        m = train.load_final(r["name"], tmp_path / "runs")["mask"]
        assert all(torch.equal(m[k], ticket_mask[k]) for k in m)


def test_sign_experiment_records_alignment_with_the_ticket(tmp_path, tiny_splits):
    runs = lottery.iterative_pruning(_cfg(), 0.5, 1, "lr", **_kw(tmp_path, tiny_splits))
    signs_run = lottery.sign_experiment(_cfg(), runs[-1]["name"], **_kw(tmp_path, tiny_splits))[0]
    first = signs_run["history"][0]["sign_alignment"]
    assert first is not None and 0 <= first["_all"] <= 1
