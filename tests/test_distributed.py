"""One run on two processes: DDP under torchrun on CPU with gloo, smoke size (depth 8, 400 images, 2 epochs).

Tolerances, also stated in book/gpu.md:

- one DDP step in float64 (each rank half of a global batch of 64) gives the global batch's gradient: every
  tensor within GRAD_RTOL (relative, in norm) of the same gradient computed by one process in float64;
- a whole run equals the single-process run with the same global batch and seed within LOSS_ATOL (per-epoch
  training loss) and WEIGHT_RTOL (all final weights, relative difference in norm). These are loose because
  float32 rounding differs between the two (one process's BatchNorm is PyTorch's, the ranks' is
  SyncBatchNorm2d) and training amplifies such differences from step to step. A run with per-rank BatchNorm statistics
  (plain DDP without SyncBatchNorm) lands several times outside them;
- ranks agree bit for bit, and a killed and resumed torchrun run ends bit for bit like an uninterrupted one.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from signin_lite.foundations import config
from signin_lite.training import data, distributed, recipe, train
from signin_lite.core import masks

ROOT = Path(__file__).resolve().parents[1]
GRAD_RTOL = 1e-9
LOSS_ATOL = 0.015
WEIGHT_RTOL = 0.02
FLAGS = ["--profile", "smoke", "--signin", "--epochs", "2", "--device", "cpu", "--no-progress"]


def _env(image_folder: Path, cache: Path) -> dict:
    return {**os.environ, "SIGNIN_LITE_DATA": str(image_folder), "SIGNIN_LITE_CACHE": str(cache),
            "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT),
            "GLOO_SOCKET_IFNAME": os.environ.get("GLOO_SOCKET_IFNAME", "lo")}  # loopback: no network needed


def _torchrun(env: dict, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _dirs(where: Path) -> list[str]:
    return ["--results", str(where / "results"), "--work-dir", str(where / "runs")]


@pytest.fixture(scope="module")
def runs(image_folder, tmp_path_factory) -> dict:
    """The single-process run, the same run under torchrun, and a torchrun run killed after epoch 1."""
    tmp = tmp_path_factory.mktemp("ddp")
    env = _env(image_folder, tmp / "cache")
    cfg = config.make_config("smoke", signin=True, epochs=2)
    single = train.train(cfg, data_root=str(image_folder), results_dir=tmp / "single" / "results",
                         work_dir=tmp / "single" / "runs", device="cpu", progress=False)  # also fills the data cache
    ddp = _torchrun(env, "-m", "signin_lite", "train", *FLAGS, *_dirs(tmp / "ddp"))
    killed = _torchrun(env, "tests/ddp_worker.py", "train", str(tmp / "states"), "1", "train", *FLAGS,
                       *_dirs(tmp / "cut"))
    return {"cfg": cfg, "tmp": tmp, "env": env, "single": single, "ddp": ddp, "killed": killed}


def _weights_rel_diff(a: dict, b: dict) -> float:
    keys = [k for k in a if a[k].is_floating_point() and "running" not in k]
    num = sum(float((a[k] - b[k]).double().pow(2).sum()) for k in keys) ** 0.5
    return num / sum(float(a[k].double().pow(2).sum()) for k in keys) ** 0.5


def test_torchrun_writes_one_record_equal_to_the_single_process_run(runs):
    out, tmp, cfg = runs["ddp"], runs["tmp"], runs["cfg"]
    assert out.returncode == 0, out.stderr[-3000:]
    (path,) = (tmp / "ddp" / "results").glob("*.json")         # exactly one record, by rank 0
    assert out.stdout.count("test_acc=") == 1                   # only rank 0 reports
    record, single = json.loads(path.read_text()), runs["single"]
    assert record["name"] == single["name"] == cfg.name()       # the same run, in the same results layout
    assert record["distributed"] == {"world_size": 2, "backend": "gloo", "global_batch": 64, "per_device_batch": 32,
                                     "batchnorm": "global-batch statistics (SyncBatchNorm2d)",
                                     "evaluation": "sharded over ranks"}
    assert single["distributed"]["world_size"] == 1 and single["distributed"]["per_device_batch"] == 64
    for h_ddp, h_one in zip(record["history"], single["history"], strict=True):
        assert abs(h_ddp["loss"] - h_one["loss"]) <= LOSS_ATOL
        assert h_ddp["sparsity"] == h_one["sparsity"]
    final_ddp = train.load_final(cfg.name(), tmp / "ddp" / "runs")
    final_one = train.load_final(cfg.name(), tmp / "single" / "runs")
    assert _weights_rel_diff(final_one["state"], final_ddp["state"]) <= WEIGHT_RTOL
    for name, m in final_ddp["mask"].items():
        assert torch.equal(m, final_one["mask"][name]) and torch.count_nonzero(final_ddp["state"][name][~m]) == 0
    assert not list((tmp / "ddp").rglob("*.tmp"))


def test_every_rank_has_the_same_weights_exact_masks_and_signin_balance(runs):
    states = runs["tmp"] / "states"
    rank0, rank1 = (torch.load(states / f"rank{r}_epoch1.pt", weights_only=True) for r in (0, 1))
    assert rank0.keys() == rank1.keys()
    assert all(torch.equal(rank0[k], rank1[k]) for k in rank0)  # masks, m, w and BatchNorm statistics agree
    layers = [k[: -len(".original0")] for k in rank0 if k.endswith("parametrizations.weight.original0")]
    assert len(layers) == 8                                       # every conv and the fc layer use Sign-In
    for state in (rank0, rank1):
        for layer in layers:
            m, w, mask = state[f"{layer}.original0"], state[f"{layer}.original1"], state[f"{layer}.0.mask"]
            assert torch.count_nonzero((m * w)[~mask]) == 0       # off-mask weights are exactly 0
            # epoch 1 ended with a rescale (period 1 epoch): m^2 - w^2 = beta = 1 on every kept weight
            assert torch.allclose((m * m - w * w)[mask], torch.ones(()), rtol=0, atol=1e-5)


def test_killed_torchrun_run_resumes_to_the_uninterrupted_result(runs):
    tmp, cfg, killed = runs["tmp"], runs["cfg"], runs["killed"]
    assert killed.returncode != 0                                 # rank 0 was killed with SIGKILL
    assert not list((tmp / "cut" / "results").glob("*.json"))
    ckpt = torch.load(tmp / "cut" / "runs" / cfg.name() / "checkpoint.pt", weights_only=False)
    assert ckpt["epoch"] == 1
    out = _torchrun(runs["env"], "-m", "signin_lite", "train", *FLAGS, *_dirs(tmp / "cut"))
    assert out.returncode == 0, out.stderr[-3000:]
    resumed = json.loads((tmp / "cut" / "results" / f"{cfg.name()}.json").read_text())
    whole = json.loads((tmp / "ddp" / "results" / f"{cfg.name()}.json").read_text())
    for key in ("loss", "train_acc", "test_acc", "test_loss", "sign_flips"):
        assert [h[key] for h in resumed["history"]] == [h[key] for h in whole["history"]], key
    a = train.load_final(cfg.name(), tmp / "cut" / "runs")["state"]
    b = train.load_final(cfg.name(), tmp / "ddp" / "runs")["state"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_one_ddp_step_gives_the_global_batch_gradient(tmp_path, image_folder):
    out = _torchrun(_env(image_folder, tmp_path / "cache"), "tests/ddp_worker.py", "grad", str(tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    ddp = torch.load(tmp_path / "grads.pt", weights_only=True)
    sys.path.insert(0, str(ROOT / "tests"))
    from ddp_worker import global_batch
    model = recipe.build_model(config.make_config("smoke", signin=True), torch.device("cpu")).double()
    x, y = next(iter(data.DeviceLoader(*global_batch(), 64, train=True, seed=0, dtype=torch.float64)))
    F.cross_entropy(model(x), y).backward()
    for name, p in model.named_parameters():
        assert float((ddp[name] - p.grad).norm()) <= GRAD_RTOL * float(p.grad.norm()), name


def test_loader_shards_split_every_global_batch_exactly(tiny_splits):
    full = data.DeviceLoader(*tiny_splits.train, 16, train=True, seed=3)
    shards = [data.DeviceLoader(*tiny_splits.train, 16, train=True, seed=3).shard(r, 2) for r in (0, 1)]
    for (x, y), (x0, y0), (x1, y1) in zip(full, *shards, strict=True):
        assert len(y0) == len(y1) == 8
        assert torch.equal(x[0::2], x0) and torch.equal(x[1::2], x1) and torch.equal(y[1::2], y1)
    test = [data.DeviceLoader(*tiny_splits.test, 16, train=False).shard(r, 3) for r in range(3)]
    labels = torch.cat([y for loader in test for _, y in loader])
    assert torch.equal(labels, tiny_splits.test[1])               # every test image once, in order
    with pytest.raises(ValueError, match="16 is not divisible by the 3 processes"):
        data.DeviceLoader(*tiny_splits.train, 16, train=True).shard(0, 3)


def test_alone_nothing_is_distributed(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    ctx = distributed.init("cpu")
    assert ctx == distributed.Context() and ctx.is_main and not ctx.enabled
    model = recipe.build_model(config.make_config("smoke"), torch.device("cpu"))
    assert distributed.wrap(model, ctx, torch.device("cpu")) is model
    assert distributed.backend_for("cpu") == "gloo" and distributed.backend_for("cuda:1") == "nccl"
    monkeypatch.setenv("WORLD_SIZE", "two")
    with pytest.raises(ValueError, match="WORLD_SIZE='two'"):
        distributed.init("cpu")


def test_device_and_backend_must_match_under_torchrun():
    gloo = distributed.Context(rank=1, world_size=2, local_rank=1, backend="gloo")
    assert distributed.device_for("cpu", gloo) == torch.device("cpu")
    with pytest.raises(ValueError, match="does not go with the gloo backend"):
        distributed.device_for("cuda", gloo)
    nccl = distributed.Context(rank=1, world_size=2, local_rank=1, backend="nccl")
    with pytest.raises(ValueError, match="cuda:0 under torchrun.*cuda:1"):
        distributed.device_for("cuda:0", nccl)


def test_sync_batchnorm_keeps_parameters_and_is_plain_batchnorm_alone():
    model = recipe.build_model(config.make_config("smoke"), torch.device("cpu"))
    reference = recipe.build_model(config.make_config("smoke"), torch.device("cpu"))  # same seed, same weights
    params, keys = list(model.parameters()), list(model.state_dict())
    distributed.convert_batchnorm(model)
    assert sum(isinstance(m, distributed.SyncBatchNorm2d) for m in model.modules()) == 7
    assert list(model.parameters()) == params and list(model.state_dict()) == keys  # the optimizer stays valid
    x = torch.randn(8, 3, 32, 32)
    assert torch.equal(model(x), reference(x))                    # no process group: plain BatchNorm
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), reference.state_dict().values(),
                                                 strict=True))


def test_bf16_autocast_train_step_runs_on_cpu(tiny_splits):
    """The CUDA path of train_step (bf16 autocast, channels_last) exercised on the CPU."""
    cfg = config.make_config("smoke", signin=True, sparsity=0.9)
    model = recipe.build_model(cfg, torch.device("cpu")).to(memory_format=torch.channels_last)
    plain = recipe.build_model(cfg, torch.device("cpu")).to(memory_format=torch.channels_last)
    loader = data.DeviceLoader(*tiny_splits.train, 32, train=True, channels_last=True)
    x, y = next(iter(loader))
    loss, out = recipe.train_step(model, recipe.make_optimizer(model, cfg), x, y, autocast=True)
    loss32, _ = recipe.train_step(plain, recipe.make_optimizer(plain, cfg), x, y, autocast=False)
    assert out.dtype == torch.bfloat16 and loss.dtype == torch.float32 and torch.isfinite(loss)
    assert abs(loss.item() - loss32.item()) <= 0.05 * loss32.item()  # the same step, in bf16 precision
    assert all(p.dtype == torch.float32 and torch.isfinite(p).all() for p in model.parameters())
    masks.check(model)                                            # off-mask weights still exactly 0
    acc, test_loss = recipe.evaluate(model, data.DeviceLoader(*tiny_splits.test, 16, train=False), autocast=True)
    assert 0 <= acc <= 1 and test_loss > 0


def test_bf16_training_loop_on_cpu(tmp_path, tiny_splits):
    """train.train with bf16=True (its CUDA default) runs the whole loop on the CPU and keeps masks exact."""
    cfg = config.make_config("smoke", signin=True, sparsity=0.9, epochs=1, batch_size=16)
    record = train.train(cfg, splits=tiny_splits, results_dir=tmp_path / "results", work_dir=tmp_path / "runs",
                         device="cpu", progress=False, bf16=True)
    final = train.load_final(cfg.name(), tmp_path / "runs")
    assert record["history"][0]["loss"] > 0 and abs(record["history"][0]["sparsity"] - 0.9) < 2e-3
    assert all(torch.count_nonzero(final["state"][name][~m]) == 0 for name, m in final["mask"].items())
