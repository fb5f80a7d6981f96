import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from signin_lite.core import counting, masks, models, pruning

ROOT = Path(__file__).resolve().parent.parent
OFFLINE_ZIP = ROOT.parent / "shared" / "data" / "cifar10-jpeg.zip"


@pytest.mark.parametrize("depth,params", [(8, 75290), (14, 172506), (20, 269722), (32, 464154)])
def test_resnet_parameter_counts(depth, params):
    model = models.resnet(depth)
    assert models.count_parameters(model) == params
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_resnet_width_and_bad_depth():
    assert models.count_parameters(models.resnet(20, width=2.0)) > 3 * models.count_parameters(models.resnet(20))
    with pytest.raises(ValueError, match="depth"):
        models.resnet(21)
    with pytest.raises(ValueError, match="width"):
        models.resnet(20, width=0)


def test_flop_counts_resnet20_and_sparse_scaling():
    model = models.resnet(20)
    c = counting.count(model)
    assert c["params_dense"] == c["params_effective"] == 269722
    assert 80e6 < c["flops_dense"] < 82e6  # about 41M multiply-accumulates
    mask = pruning.make(model, "random", 0.9, seed=0)
    masks.apply(model, mask)
    s = counting.count(model)
    assert s["flops_dense"] == c["flops_dense"]
    assert s["flops_effective"] == pytest.approx(0.1 * c["flops_dense"], rel=0.01)
    maskable = sum(m.numel() for m in mask.values())
    assert s["params_effective"] == 269722 - maskable + sum(int(m.sum()) for m in mask.values())


def test_toy_neuron_and_teacher():
    model = models.ToyNeuron(dim=2, a0=-0.5, w0=[0.5, 0.0])
    x, y = models.teacher_data(100, dim=2)
    assert torch.equal(y, torch.relu(x[:, 0])) and x.abs().max() <= 1
    assert torch.allclose(model(x), -0.5 * torch.relu(0.5 * x[:, 0]))
    with pytest.raises(ValueError):
        models.teacher_data(0)


@pytest.mark.slow
@pytest.mark.skipif(not OFFLINE_ZIP.exists(), reason=f"the offline CIFAR-10 copy {OFFLINE_ZIP} is not here")
def test_cli_smoke_run_on_the_offline_copy(tmp_path):
    env = {**os.environ, "SIGNIN_LITE_DATA": str(OFFLINE_ZIP)}
    out = subprocess.run([sys.executable, "-m", "signin_lite", "train", "--profile", "smoke", "--signin",
                          "--results", str(tmp_path / "results"), "--work-dir", str(tmp_path / "runs"),
                          "--no-progress"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    (record_path,) = (tmp_path / "results").glob("*.json")
    record = json.loads(record_path.read_text())
    assert record["data"]["source"] == "offline-jpeg" and record["method"] == "pai_signin"
    assert record["data"]["train_size"] == 400 and abs(record["history"][-1]["sparsity"] - 0.9) < 1e-3


def test_cli_missing_data_folder_is_a_clear_error(tmp_path):
    env = {**os.environ, "SIGNIN_LITE_DATA": str(tmp_path / "missing")}
    out = subprocess.run([sys.executable, "-m", "signin_lite", "train", "--profile", "smoke",
                          "--results", str(tmp_path / "r"), "--work-dir", str(tmp_path / "w"), "--no-progress"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode != 0
    assert "CIFAR-10 not found" in out.stderr and str(tmp_path / "missing") in out.stderr
