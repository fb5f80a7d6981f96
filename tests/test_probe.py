"""`probe`: train-step time, memory and file size of dense, masked and masked + Sign-In on the reader's model."""

import json

import pytest

from signin_lite import cli
from signin_lite.decision import poc_inputs, probe


@pytest.fixture(scope="module")
def resnet_record(tmp_path_factory):
    out = tmp_path_factory.mktemp("probe")
    rec, path = probe.run("torchvision:resnet18", [3, 32, 32], batch_size=2, sparsity=0.9, steps=2, out=out)
    return rec, path


def test_probe_record_on_a_small_torchvision_model(resnet_record):
    rec, path = resnet_record
    assert json.loads(path.read_text()) == json.loads(json.dumps(rec))         # written as returned
    assert probe.validate(rec) is rec and rec["schema"] == "signin_lite.probe/1"
    assert rec["input"] == {"shape": [3, 32, 32], "batch_size": 2, "synthetic": True, "note": probe.SYNTHETIC_NOTE}
    m = rec["measurements"]
    assert set(m) == set(probe.VARIANTS) and all(len(m[k]["step_times_s"]) == 2 for k in m)
    # Sign-In holds two tensors (m, w) per masked weight, with their gradients and momenta: more state than dense
    assert m["masked_signin"]["state_bytes"] > 1.5 * m["dense"]["state_bytes"]
    assert m["masked"]["state_bytes"] >= m["dense"]["state_bytes"]           # + the bool masks
    # merged Sign-In weights at 90% sparsity store in far fewer bytes than the dense model
    assert rec["storage"]["merged_sparse_bytes"] < 0.3 * rec["storage"]["dense_bytes"]
    assert rec["env"]["device"] == "cpu" and rec["date"] and rec["status"] == "complete"


def test_latest_probe_reads_it_back(resnet_record):
    rec, path = resnet_record
    assert poc_inputs.latest_probe(path.parent)["run_id"] == rec["run_id"]


def write_models(tmp_path, monkeypatch):
    (tmp_path / "probe_test_models.py").write_text(
        "import torch\n"
        "def no_layers():\n    return torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Flatten())\n"
        "def tiny():\n    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 4))\n"
        "def not_a_model():\n    return 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_probe_takes_package_module_function(tmp_path, monkeypatch):
    write_models(tmp_path, monkeypatch)
    rec = probe.probe("probe_test_models:tiny", [3, 2, 2], batch_size=4, sparsity=0.5, steps=1)
    assert rec["model"]["params"] == 12 * 4 + 4 and rec["objective"] == "cross_entropy"


@pytest.mark.parametrize("spec,shape,sparsity,match", [
    ("probe_test_models:no_layers", [3, 2, 2], 0.9, "no Conv2d or Linear layer"),
    ("no_such_package.models:build", [3, 2, 2], 0.9, "cannot import module 'no_such_package.models'"),
    ("probe_test_models:missing", [3, 2, 2], 0.9, "has no callable 'missing'"),
    ("probe_test_models:not_a_model", [3, 2, 2], 0.9, "not a torch.nn.Module"),
    ("resnet18", [3, 2, 2], 0.9, "expected torchvision:NAME or package.module:function"),
    ("torchvision:not_a_net", [3, 2, 2], 0.9, "torchvision has no model 'not_a_net'"),
    ("probe_test_models:tiny", [5, 5], 0.9, r"rejects inputs of shape \(2, 5, 5\)"),
    ("probe_test_models:tiny", [3, 2, 2], 1.0, r"--sparsity must be in \[0, 1\) \(got 1.0\)"),
    ("probe_test_models:tiny", [3, 2, 2], -0.1, r"--sparsity must be in \[0, 1\)"),
])
def test_probe_errors_are_clear(tmp_path, monkeypatch, spec, shape, sparsity, match):
    write_models(tmp_path, monkeypatch)
    with pytest.raises(ValueError, match=match):
        probe.probe(spec, shape, batch_size=2, sparsity=sparsity, steps=1)


def test_probe_cli_reports_bad_input_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "probe"
    code = cli.main(["probe", "--model", "no_such_package.x:f", "--input-shape", "3", "8", "8", "--out", str(out)])
    assert code == 2 and "cannot import module" in capsys.readouterr().err and not out.exists()
