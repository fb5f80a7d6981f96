"""`probe`: train-step time, memory and file size of dense, masked and masked + Sign-In on the reader's model."""

import json

import pytest
import torch
import torchvision
from torch import nn

from signin_lite import cli
from signin_lite.core import masks, signin
from signin_lite.decision import poc_inputs, probe, timing


@pytest.fixture(scope="module")
def resnet_record(tmp_path_factory):
    out = tmp_path_factory.mktemp("probe")
    rec, path = probe.run("torchvision:resnet18", [3, 32, 32], batch_size=2, sparsity=0.9, steps=2, out=out)
    return rec, path


def test_probe_record_on_a_small_torchvision_model(resnet_record):
    rec, path = resnet_record
    assert json.loads(path.read_text()) == json.loads(json.dumps(rec))         # written as returned
    assert probe.validate(rec) is rec and rec["schema"] == "signin_lite.probe/1"
    assert rec["input"] == {"shape": [3, 32, 32], "batch_size": 2, "dtype": "float32", "vocab": None, "synthetic": True,
                            "note": probe.SYNTHETIC_NOTE}
    m = rec["measurements"]
    assert set(m) == set(probe.VARIANTS) and all(len(m[k]["step_times_s"]) == 2 for k in m)
    # Sign-In holds two tensors (m, w) per masked weight, with their gradients and momenta: more state than dense
    assert m["masked_signin"]["state_bytes"] > 1.5 * m["dense"]["state_bytes"]
    assert m["masked"]["state_bytes"] >= m["dense"]["state_bytes"]           # + the bool masks
    # merged Sign-In weights at 90% sparsity store in far fewer bytes than the dense model
    assert rec["storage"]["merged_sparse_bytes"] < 0.3 * rec["storage"]["dense_bytes"]
    assert rec["env"]["device"] == "cpu" and rec["date"] and rec["status"] == "complete"


def test_the_reference_folder_and_a_named_record_read_it_back(resnet_record):
    rec, path = resnet_record
    assert poc_inputs.reference_probe(path.parent)["run_id"] == rec["run_id"]
    assert poc_inputs.load_probe(path) == json.loads(path.read_text())
    t = timing.from_probe(rec, reader=True)        # interleaved rounds -> a ratio with an interval per variant
    assert t.time["masked_signin"].rounds == 2 and t.batch_size == 2 and t.left_dense == ()


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
    ("probe_test_models:no_layers", [3, 2, 2], 0.9, "no convolution, linear or attention weight"),
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


# ------------------------------------------------------------------------------ the models readers own
class Conv1dNet(nn.Module):
    """A small 1-D convolutional network (audio, sensors, sequences)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv1d(4, 32, 5), nn.ReLU(), nn.Conv1d(32, 64, 5), nn.ReLU(),
                                  nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.body(x))


class TokenEncoder(nn.Module):
    """Token ids -> embedding -> nn.TransformerEncoder -> classifier: packed attention projections inside."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 32)
        layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True, dropout=0.0)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(32, 5)

    def forward(self, x):
        return self.head(self.enc(self.emb(x)).mean(1))


def tiny_vit():
    return torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32,
                                                mlp_dim=64, num_classes=10)


MODELS = {  # name -> (factory, input shape, probe options, tensors that must be masked)
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), [3, 32, 32], {}, ["conv1.weight", "fc.weight"]),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(weights=None), [3, 32, 32], {},
                           ["features.0.0.weight", "classifier.3.weight"]),
    "vit": (tiny_vit, [3, 32, 32], {}, ["conv_proj.weight",
                                        "encoder.layers.encoder_layer_0.self_attention.in_proj_weight",
                                        "encoder.layers.encoder_layer_0.self_attention.out_proj.weight"]),
    "transformer_encoder": (TokenEncoder, [16], {"input_dtype": "long", "vocab": 100},
                            ["enc.layers.0.self_attn.in_proj_weight", "enc.layers.1.linear2.weight"]),
    "conv1d": (Conv1dNet, [4, 64], {}, ["body.0.weight", "body.2.weight", "head.weight"]),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_probe_masks_every_weight_a_reader_expects_and_merges_smaller(name):
    factory, shape, kw, must = MODELS[name]
    rec = probe.probe(f"test:{name}", shape, batch_size=2, sparsity=0.9, steps=1, model_factory=factory, **kw)
    w = rec["weights"]
    assert set(must) <= set(w["masked"]) and w["masked_sparsity"] == pytest.approx(0.9, abs=1e-3)
    # the record says what stayed dense and the sparsity over every weight tensor
    dense = {t["name"] for t in w["left_dense"]}
    assert not dense & set(w["masked"]) and 0 < w["effective_sparsity"] <= w["masked_sparsity"]
    if name == "transformer_encoder":
        assert dense == {"emb.weight"}                            # embeddings only behind --mask-embeddings
    if name == "vit":
        assert dense == {"class_token", "encoder.pos_embedding"}
    if name in ("resnet18", "mobilenet_v3_small", "conv1d"):
        assert dense == set() and w["effective_sparsity"] == pytest.approx(0.9, abs=1e-3)
    assert rec["storage"]["merged_sparse_bytes"] < rec["storage"]["dense_bytes"]
    assert rec["interleaved"] and all(len(rec["measurements"][v]["step_times_s"]) == 1 for v in probe.VARIANTS)


def test_signin_reparameterizes_the_same_tensors_and_merges_back():
    model = TokenEncoder()
    models, mask = probe.variants(model, 0.8, 1.0, "weights")
    assert set(masks.current(models["masked"])) == set(mask) == set(signin.signin_layers(models["masked_signin"]))
    x = torch.randint(0, 100, (2, 16))
    models["masked_signin"].eval(), models["masked"].eval()
    with torch.no_grad():
        before = models["masked_signin"](x)
    merged = signin.merge(models["masked_signin"])
    with torch.no_grad():
        assert torch.allclose(merged(x), before, atol=1e-5)
        assert torch.allclose(models["masked"](x), before, atol=1e-4)   # the same masked function
    attn = merged.enc.layers[0].self_attn
    assert isinstance(attn.in_proj_weight, nn.Parameter)                 # a plain weight again
    zeros = (attn.in_proj_weight == 0).float().mean().item()
    assert zeros == pytest.approx(1 - mask["enc.layers.0.self_attn.in_proj_weight"].float().mean().item())


def test_embeddings_are_masked_only_behind_the_flag_and_token_models_get_a_clear_error():
    rec = probe.probe("test:te", [16], batch_size=2, sparsity=0.9, steps=1, model_factory=TokenEncoder,
                      input_dtype="long", vocab=100, mask_embeddings=True)
    assert "emb.weight" in rec["weights"]["masked"] and rec["weights"]["left_dense"] == []
    assert rec["input"]["dtype"] == "int64" and rec["input"]["vocab"] == 100
    with pytest.raises(ValueError, match="--input-dtype long --vocab N"):
        probe.probe("test:te", [16], batch_size=2, sparsity=0.9, steps=1, model_factory=TokenEncoder)
    with pytest.raises(ValueError, match="needs --vocab N"):
        probe.probe("test:te", [16], batch_size=2, sparsity=0.9, steps=1, model_factory=TokenEncoder,
                    input_dtype="long")


def test_resnet_masks_are_unchanged_by_the_wider_include():
    # the trainer and the pruning code keep Conv2d + Linear .weight; probe's "weights" adds nothing to a ResNet
    from signin_lite.core import models as zoo
    net = zoo.resnet(20)
    assert masks.maskable_names(net) == masks.maskable_names(net, "weights") == masks.maskable_names(net, "conv_linear")
    seq = nn.Sequential(nn.Conv1d(2, 4, 3), nn.Conv2d(4, 4, 3), nn.Linear(4, 2))
    assert masks.maskable_names(seq) == ["1.weight", "2.weight"] and masks.maskable_names(seq, "weights") == \
        ["0.weight", "1.weight", "2.weight"]


def test_probe_cli_default_output_is_runs_probe():
    parser = cli.build_parser()
    args = parser.parse_args(["probe", "--model", "torchvision:resnet18", "--input-shape", "3", "8", "8"])
    assert args.out == "runs/probe" and args.input_dtype == "float" and not args.mask_embeddings


def test_the_example_reader_model_loads_and_takes_token_ids():
    model = probe.load_model("examples.my_model:build")
    names = masks.maskable_names(model, "weights")
    assert "enc.layers.0.self_attn.in_proj_weight" in names and "emb.weight" not in names
    assert model(torch.randint(0, 8000, (2, 8))).shape == (2, 5)
