"""Tests for signin_lite.decision.deploy on a small CNN defined here (independent of the library's models)."""

import json

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize, prune

from signin_lite.decision.deploy import (FORMATS, deployable_state_dict, inference_latency, load_sparse, measure,
                                save_sparse, storage_bytes, weight_sparsity)


def small_cnn(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))


def sparsify(model, sparsity=0.9, seed=0):
    """Zero the smallest-magnitude |sparsity| fraction of every >= 2-D weight."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _name, p in model.named_parameters():
            if p.dim() >= 2:
                keep = torch.rand(p.shape, generator=g) >= sparsity
                p.mul_(keep)
    return model


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_is_exact(tmp_path, fmt):
    model = sparsify(small_cnn())
    model(torch.randn(2, 3, 8, 8))          # update BN running stats so buffers are not trivial
    path = save_sparse(model, tmp_path / f"m.{fmt}.pt", fmt)
    loaded = load_sparse(path)
    ref = model.state_dict()
    assert set(loaded) == set(ref)
    for k, v in ref.items():
        assert loaded[k].dtype == v.dtype and loaded[k].shape == v.shape, k
        assert torch.equal(loaded[k], v), k
    fresh = small_cnn(seed=1)
    fresh.load_state_dict(loaded)           # loads into a plain model


def test_sparse_formats_smaller_only_when_sparse():
    dense, sparse = small_cnn(), sparsify(small_cnn(), 0.9)
    d = {f: storage_bytes(dense, f) for f in FORMATS}
    s = {f: storage_bytes(sparse, f) for f in FORMATS}
    assert s["csr"] < s["dense"] and s["bitmask"] < s["dense"]
    assert s["bitmask"] < s["csr"]          # 1 bit per entry beats a 4-byte column index at 90 %
    assert d["csr"] >= d["dense"] and d["bitmask"] >= d["dense"]
    assert storage_bytes(dense.state_dict(), "dense") == d["dense"]


def test_merges_parametrizations_and_prune_masks():
    class MW(nn.Module):                     # Sign-In-like: weight = m * w from two tensors
        def forward(self, m, w):
            return m * w

        def right_inverse(self, theta):
            return torch.ones_like(theta), theta

    model = small_cnn()
    parametrize.register_parametrization(model[0], "weight", MW())
    prune.l1_unstructured(model[3], "weight", amount=0.9)
    sd = deployable_state_dict(model)
    assert "0.weight" in sd and not any("parametrizations" in k or k.endswith(("_orig", "_mask")) for k in sd)
    assert torch.equal(sd["3.weight"], model[3].weight)
    assert weight_sparsity(model) > 0.5
    with pytest.raises(ValueError, match="pass the module"):
        deployable_state_dict(model.state_dict())


def test_unknown_format_and_bad_inputs():
    with pytest.raises(ValueError, match="known formats: dense, csr, bitmask"):
        storage_bytes(small_cnn(), "coo")
    with pytest.raises(ValueError, match="known formats"):
        save_sparse(small_cnn(), "unused.pt", "zip")
    with pytest.raises(TypeError):
        storage_bytes([1, 2, 3], "dense")
    with pytest.raises(ValueError, match="repeats"):
        inference_latency(small_cnn(), repeats=0)


def test_inference_latency_shape_and_mode():
    model = small_cnn().train()
    out = inference_latency(model, batch_size=4, repeats=5, warmup=1, input_shape=(3, 8, 8))
    assert out["median_s"] > 0 and out["iqr_s"] >= 0 and out["q1_s"] <= out["median_s"] <= out["q3_s"]
    assert out["timer"] == "perf_counter" and out["batch_size"] == 4
    assert model.training                    # mode restored


def test_measure_record_is_json_and_complete():
    rec = measure(small_cnn(), sparsify(small_cnn()), dense_run_id="d", sparse_run_id="s", repeats=3, warmup=1,
                  input_shape=(3, 8, 8))
    json.dumps(rec)
    assert rec["schema"] == "signin_lite.deploy/1" and len(rec["run_id"]) == 12
    assert set(rec["storage"]["sparse_model"]) == set(FORMATS)
    assert rec["storage"]["sparse_model"]["bitmask"] < rec["storage"]["dense_model"]["dense"]
    assert 0.85 < rec["sparsity"] < 0.95 and rec["dense_sparsity"] == 0.0
    assert rec["latency"]["ratio"] > 0 and rec["env"]["device"] == "cpu"
    assert rec["source"] == {"dense_run_id": "d", "sparse_run_id": "s"}
