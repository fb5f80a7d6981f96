"""The training loop: SGD with a warm-up + cosine schedule, masks kept exact, Sign-In rescaling, per-epoch
metrics and sign statistics, a checkpoint every epoch (resume gives the same result), and one run record.

    from signin_lite import config, train
    record = train.train(config.make_config("smoke", sparsity=0.9, signin=True))
"""

from __future__ import annotations

import math
import os
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize
from tqdm.auto import tqdm

from . import counting, data, masks, models, records, signin, signs
from .config import TrainConfig


class Divergence(RuntimeError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""


@dataclass
class Splits:
    """Training, validation (optional) and test tensors (uint8 images, int64 labels) and where they came from."""

    train: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor] | None = None
    source: str = "unknown"
    final_test: tuple[torch.Tensor, torch.Tensor] | None = None  # the test set of the evaluation after training


def pick_device(name: str = "auto") -> torch.device:
    """cuda, then mps, then cpu for "auto"; otherwise the named device."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@lru_cache(maxsize=4)
def _cifar10(root: str | None, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    return data.load_cifar10(root, split)


def load_splits(cfg: TrainConfig, root: str | os.PathLike | None = None) -> Splits:
    """The config's CIFAR-10 subsets. The subsets use data seed 0 for every run seed, so seeds differ only in
    initialization, mask and data order; the validation split is carved out of the training set."""
    root = data.resolve_root(root)
    key = str(root) if root is not None else None
    x, y = _cifar10(key, "train")
    tx, ty = _cifar10(key, "test")
    pool = torch.arange(len(y))
    val = None
    if cfg.val_per_class:
        pool, val_idx = data.train_val_split(y, cfg.val_per_class, seed=0)
        val = (x[val_idx], y[val_idx])
    if cfg.train_per_class is not None:
        pool = pool[data.per_class_subset(y[pool], cfg.train_per_class, seed=0)]
    test_idx = data.per_class_subset(ty, cfg.test_per_class, seed=0) if cfg.test_per_class else torch.arange(len(ty))
    final = None
    if cfg.final_test_per_class != 0:
        n = cfg.final_test_per_class
        final_idx = data.per_class_subset(ty, n, seed=0) if n else torch.arange(len(ty))
        final = (tx[final_idx], ty[final_idx])
    return Splits((x[pool], y[pool]), (tx[test_idx], ty[test_idx]), val, data.data_source(root), final)


def lr_lambda(warmup_steps: int, total_steps: int) -> Callable[[int], float]:
    """Linear warm-up to 1, then cosine decay to 0 at ``total_steps``."""
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return factor


def gmp_sparsity(progress: float, final: float, start: float, end: float) -> float:
    """Zhu & Gupta's cubic schedule: 0 before ``start``, ``final`` after ``end`` (both fractions of training)."""
    if progress <= start:
        return 0.0
    t = min(1.0, (progress - start) / (end - start))
    return final * (1 - (1 - t) ** 3)


def build_model(cfg: TrainConfig, device: torch.device, *, init_state: dict | None = None,
                mask: masks.Mask | None = None, snip_batch: tuple | None = None) -> nn.Module:
    """The config's ResNet, masked (made here at init, or given), with Sign-In if asked; seeded by cfg.seed."""
    torch.manual_seed(cfg.seed)
    model = models.resnet(cfg.depth, cfg.width).to(device)
    if init_state is not None:
        model.load_state_dict(init_state)
    if cfg.pruning == "gmp":
        mask = {n: torch.ones_like(p, dtype=torch.bool) for n, p in model.named_parameters()
                if n in mask_layers(model, cfg)}
    elif mask is None and not cfg.is_dense:
        mask = masks.make(model, cfg.mask, cfg.sparsity, seed=cfg.seed, batch=snip_batch,
                          include=mask_layers(model, cfg))
    if mask is not None:
        masks.apply(model, mask)
    if cfg.signin:
        beta = signin.output_beta(cfg.beta, cfg.beta_output) if cfg.beta_output else cfg.beta
        signin.reparameterize(model, beta=beta)
    return model


def mask_layers(model: nn.Module, cfg: TrainConfig) -> list[str]:
    """The weights a mask covers: every conv and linear weight, or all but the first and the last with
    ``cfg.dense_first_last``."""
    names = masks.maskable_names(model)
    return names[1:-1] if cfg.dense_first_last else names


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.SGD:
    """SGD with (Nesterov) momentum and weight decay as ``cfg`` sets them; build it after masks and Sign-In.

    ``cfg.weight_decay_masked_factor`` multiplies the decay of exactly the tensors Sign-In reparameterizes
    (:func:`signin.weight_decay_groups`): 2 without Sign-In is the matching control.
    """
    groups = signin.weight_decay_groups(model, cfg.weight_decay, cfg.weight_decay_masked_factor)
    return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum, nesterov=cfg.nesterov and cfg.momentum > 0,
                           weight_decay=cfg.weight_decay)


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, *,
               autocast: bool = False, label_smoothing: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimizer step: forward (bf16 autocast on CUDA if asked), cross-entropy, backward, step.

    Returns the loss and the logits; the learning-rate schedule and Sign-In's rescaling are the caller's.
    """
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
        out = model(x)
        loss = F.cross_entropy(out.float(), y, label_smoothing=label_smoothing)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss, out


@torch.no_grad()
def evaluate(model: nn.Module, loader: data.DeviceLoader, autocast: bool = False) -> tuple[float, float]:
    """(accuracy, mean loss) over a loader, in eval mode."""
    was_training = model.training
    model.eval()
    correct = loss_sum = 0.0
    # cached(): each parametrized weight (mask, Sign-In) is computed once per evaluation, not once per batch.
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast), parametrize.cached():
        for x, y in loader:
            out = model(x)
            loss_sum += F.cross_entropy(out.float(), y, reduction="sum")
            correct += (out.argmax(1) == y).sum()
    model.train(was_training)
    n = loader.num_examples
    return float(correct) / n, float(loss_sum) / n


def _save_atomic(obj: dict, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _set_mask(model: nn.Module, mask: masks.Mask) -> None:
    if signin.signin_layers(model):
        signin.set_masks(model, mask)
    else:
        masks.apply(model, mask)


def _gmp_step(model: nn.Module, cfg: TrainConfig, progress: float) -> None:
    """Prune by global magnitude to the cubic schedule's sparsity at this point of training."""
    target = gmp_sparsity(progress, cfg.sparsity, cfg.gmp_start, cfg.gmp_end)
    current = masks.current(model)
    if target > masks.sparsity(current) + 1e-9:
        _set_mask(model, masks.make(model, "magnitude", target, current=current, include=list(current)))


def _peak_memory(device: torch.device) -> tuple[int, str]:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device), "cuda_max_memory_allocated"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "process_max_rss"


def train(cfg: TrainConfig, *, splits: Splits | None = None, data_root: str | None = None,
          results_dir: str | os.PathLike | None = "results/runs", work_dir: str | os.PathLike = "runs",
          device: str | torch.device = "auto", progress: bool = True, resume: bool = True,
          init_state: dict | None = None, mask: masks.Mask | None = None, reference: dict | None = None,
          save_state_at: tuple[int, ...] = (0, 1), callbacks: tuple[Callable[[dict], None], ...] = (),
          extra: dict | None = None, channels_last: bool = True, bf16: bool | None = None) -> dict:
    """Train one configured run and return its record (also written to ``results_dir`` unless it is None).

    A finished run whose record exists is loaded, not retrained. An interrupted run resumes from its
    checkpoint in ``work_dir/<name>/`` and ends with the same result as an uninterrupted one.
    ``init_state``/``mask`` start from given weights and mask (lottery tickets, transplants);
    ``reference`` (weight name -> tensor) adds per-epoch sign alignment; ``save_state_at`` keeps the
    weights after those epochs (0 = initialization; default 0 and 1) for rewinding; ``callbacks`` get each epoch's metrics.
    """
    name = cfg.name()
    record_path = Path(results_dir) / f"{name}.json" if results_dir is not None else None
    if resume and record_path is not None and record_path.exists():
        return records.load_records(record_path)[0]
    device = pick_device(device) if isinstance(device, str) else device
    autocast = device.type == "cuda" if bf16 is None else bf16
    run_dir = Path(work_dir) / name
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = run_dir / "checkpoint.pt"
    t_start = time.perf_counter()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)

    splits = splits or load_splits(cfg, data_root)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    train_loader = data.DeviceLoader(*splits.train, cfg.batch_size, train=True, device=device, seed=cfg.seed,
                                     channels_last=channels_last)
    test_loader = data.DeviceLoader(*splits.test, 500, train=False, device=device, channels_last=channels_last)
    val_loader = (data.DeviceLoader(*splits.val, 500, train=False, device=device, channels_last=channels_last)
                  if splits.val is not None else None)
    if len(train_loader) == 0:
        raise ValueError(f"batch_size={cfg.batch_size} is larger than the {train_loader.num_examples} training images")

    snip_batch = next(iter(train_loader)) if cfg.mask == "snip" and mask is None and cfg.pruning == "init" else None
    model = build_model(cfg, device, init_state=init_state, mask=mask, snip_batch=snip_batch)
    model = model.to(memory_format=memory_format)
    optimizer = make_optimizer(model, cfg)
    steps_per_epoch = len(train_loader)
    total_steps = cfg.epochs * steps_per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda(round(cfg.warmup_epochs * steps_per_epoch), total_steps))
    rescale_steps = max(1, round(cfg.rescale_every * steps_per_epoch)) if cfg.rescale_every else None  # None: never

    history: list[dict] = []
    saved_states: dict[int, dict] = {}
    start_epoch, train_time, earlier_wall = 0, 0.0, 0.0  # earlier_wall: wall time of the sessions before a resume
    if 0 in save_state_at:
        saved_states[0] = _plain_state(model)
    if resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
        if ckpt["config"] != asdict(cfg):
            raise ValueError(f"checkpoint {ckpt_path} belongs to another config; move it away to start afresh")
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        start_epoch, history, train_time = ckpt["epoch"], ckpt["history"], ckpt["train_time"]
        earlier_wall = ckpt.get("wall_time", 0.0)
        saved_states = ckpt["saved_states"]

    diagnostics = signin.ResetDiagnostics(model) if cfg.signin else None
    partial = {"schema": "signin_lite.partial/1", "name": name, "config": asdict(cfg), "status": "partial",
               "env": records.environment(device)}  # the history so far, in the run folder after every epoch
    bar = tqdm(total=total_steps, initial=start_epoch * steps_per_epoch, disable=not progress,
               desc=name[:40], unit="step", dynamic_ncols=True)
    for epoch in range(start_epoch, cfg.epochs):
        t0 = time.perf_counter()
        before = signs.snapshot(model)
        model.train()
        train_loader.set_epoch(epoch)
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        for i, (x, y) in enumerate(train_loader):
            step = epoch * steps_per_epoch + i
            loss, out = train_step(model, optimizer, x, y, autocast=autocast, label_smoothing=cfg.label_smoothing)
            scheduler.step()
            loss_sum += loss.detach() * len(y)
            correct += (out.argmax(1) == y).sum()
            if diagnostics is not None and rescale_steps and (step + 1) % rescale_steps == 0:
                diagnostics.before_reset(model, step + 1)
                signin.rescale(model)
            bar.update(1)
        n_seen = steps_per_epoch * cfg.batch_size
        epoch_loss = float(loss_sum) / n_seen
        if not math.isfinite(epoch_loss):
            bar.close()
            kept = f"the last good checkpoint (epoch {start_epoch if not history else history[-1]['epoch']}) is kept at {ckpt_path}" \
                if ckpt_path.exists() else "no checkpoint had been written yet"
            raise Divergence(f"the training loss became {epoch_loss} in epoch {epoch + 1} of {name}; {kept}. "
                             f"Lower --lr (now {cfg.lr}) or check the data.")
        if cfg.pruning == "gmp":
            _gmp_step(model, cfg, (epoch + 1) / cfg.epochs)
        train_time += time.perf_counter() - t0
        masks.check(model)
        after = signs.snapshot(model)
        flips = signs.flips(before, after)
        nonzero, total = masks.count_nonzero(model)
        test_acc, test_loss = evaluate(model, test_loader, autocast)
        metrics = {"epoch": epoch + 1, "loss": epoch_loss, "train_acc": float(correct) / n_seen,
                   "test_acc": test_acc, "test_loss": test_loss,
                   "val_acc": evaluate(model, val_loader, autocast)[0] if val_loader else None,
                   "lr": optimizer.param_groups[0]["lr"], "time_s": time.perf_counter() - t0,
                   "sparsity": 1 - nonzero / total, "sign_flips": flips,
                   "sign_flip_fraction": signs.flip_fraction(flips, after),
                   "sign_alignment": signs.alignment(model, reference) if reference is not None else None,
                   "signin": diagnostics.epoch_end(model) if diagnostics is not None else None}
        history.append(metrics)
        if epoch + 1 in save_state_at:
            saved_states[epoch + 1] = _plain_state(model)
        _save_atomic({"config": asdict(cfg), "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                      "scheduler": scheduler.state_dict(), "epoch": epoch + 1, "history": history,
                      "train_time": train_time, "wall_time": earlier_wall + time.perf_counter() - t_start,
                      "saved_states": saved_states}, ckpt_path)
        records.write_json_atomic({**partial, "history": history, "date": records.now()}, run_dir / "partial.json")
        bar.set_postfix(loss=f"{epoch_loss:.3f}", test=f"{test_acc:.3f}")
        for callback in callbacks:
            callback(metrics)
    bar.close()

    final_eval = _final_evaluation(model, cfg, splits, device, channels_last, autocast)
    if cfg.signin:
        signin.merge(model, keep_mask=True)
    final_state = _plain_state(model)
    torch.save({"config": asdict(cfg), "state": final_state, "mask": masks.current(model),
                "saved_states": saved_states}, run_dir / "final.pt")
    peak, peak_kind = _peak_memory(device)
    last = history[-1]
    record = {
        "schema": records.SCHEMA, "name": name, "run_id": cfg.run_id(), "method": cfg.method,
        "config": asdict(cfg), "history": history,
        "final": {"test_acc": last["test_acc"], "train_acc": last["train_acc"], "val_acc": last["val_acc"],
                  "loss": last["loss"], "test_loss": last["test_loss"], "test_size": len(splits.test[1]),
                  "test_set": "per-epoch", **final_eval,
                  **({"test_acc_last_epoch": last["test_acc"], "test_loss_last_epoch": last["test_loss"]}
                     if final_eval else {})},
        "counts": counting.count(model),
        "cost": {"wall_time_s": earlier_wall + time.perf_counter() - t_start, "train_time_s": train_time,
                 "epoch_time_s_median": sorted(h["time_s"] for h in history)[len(history) // 2],
                 "peak_memory_bytes": peak, "peak_memory_kind": peak_kind},
        "env": records.environment(device),
        "data": {"source": splits.source, "train_size": len(splits.train[1]),
                 "val_size": len(splits.val[1]) if splits.val is not None else 0, "test_size": len(splits.test[1]),
                 "final_test_size": final_eval.get("test_size", 0)},
        "date": records.now(), "status": "complete", **(extra or {}),
    }
    if record_path is not None:
        records.write_record(record, record_path.parent, name)
    return record


def _final_evaluation(model: nn.Module, cfg: TrainConfig, splits: Splits, device: torch.device,
                      channels_last: bool, autocast: bool) -> dict:
    """The evaluation after training on ``splits.final_test`` when ``cfg.final_test_per_class`` asks for it:
    the record's final test accuracy and loss then come from it (``test_set: "final"``, with its size), and
    the last epoch's (per-epoch test set) values are kept as ``test_acc_last_epoch``/``test_loss_last_epoch``."""
    if cfg.final_test_per_class == 0:
        return {}
    if splits.final_test is None:
        raise ValueError(f"final_test_per_class={cfg.final_test_per_class!r} asks for a final evaluation, but the "
                         "given splits have no final_test; build them with load_splits(cfg) or set Splits.final_test")
    loader = data.DeviceLoader(*splits.final_test, 500, train=False, device=device, channels_last=channels_last)
    acc, loss = evaluate(model, loader, autocast)
    return {"test_acc": acc, "test_loss": loss, "test_size": loader.num_examples, "test_set": "final"}


def _plain_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's effective weights as a plain ResNet state_dict (masks applied, Sign-In pairs multiplied out)."""
    out = {}
    for key, value in model.state_dict().items():
        if ".parametrizations." in key:
            continue
        out[key] = value.detach().clone()
    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            out[f"{name}.weight"] = module.weight.detach().clone().contiguous()
    return out


def load_final(name_or_dir: str | os.PathLike, work_dir: str | os.PathLike = "runs") -> dict:
    """The saved end state of a finished run: config, plain weights, mask and any saved (rewind) states."""
    path = Path(name_or_dir)
    path = path if path.suffix == ".pt" else (path if path.is_dir() else Path(work_dir) / str(name_or_dir)) / "final.pt"
    if not path.exists():
        raise FileNotFoundError(f"no final state at {path}: the run has not finished (train it first)")
    return torch.load(path, map_location="cpu", weights_only=False)
