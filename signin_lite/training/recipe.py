"""The pieces of one training run, each usable on its own: the config's data splits, the learning-rate and GMP
schedules, the model with its mask and Sign-In, the optimizer, one SGD step and an evaluation. The loop that puts
them together, with checkpoints and the run record, is :mod:`signin_lite.training.train`::

    splits = recipe.load_splits(cfg)
    model = recipe.build_model(cfg, device)
    optimizer = recipe.make_optimizer(model, cfg)
    loss, logits = recipe.train_step(model, optimizer, x, y)
"""

from __future__ import annotations

import math
import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize

from signin_lite.core import masks, models, pruning, signin
from signin_lite.foundations.config import TrainConfig
from signin_lite.training import data, distributed, stepmatch


@dataclass
class Splits:
    """Training, validation (optional) and test tensors (uint8 images, int64 labels) and where they came from."""

    train: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor] | None = None
    source: str = "unknown"
    final_test: tuple[torch.Tensor, torch.Tensor] | None = None  # the test set of the evaluation after training


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
        mask = pruning.make(model, cfg.mask, cfg.sparsity, seed=cfg.seed, batch=snip_batch,
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
    groups = (stepmatch.param_groups(model, cfg) if cfg.step_match_every else
              signin.weight_decay_groups(model, cfg.weight_decay, cfg.weight_decay_masked_factor))
    return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum, nesterov=cfg.nesterov and cfg.momentum > 0,
                           weight_decay=cfg.weight_decay)


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, *,
               autocast: bool = False, label_smoothing: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimizer step: forward (bf16 autocast on the batch's device, CUDA or CPU, if asked), cross-entropy,
    backward, step. ``model`` may be DDP-wrapped: then backward averages the gradients over the ranks.

    Returns the loss and the logits; the learning-rate schedule and Sign-In's rescaling are the caller's.
    """
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=autocast):
        out = model(x)
        loss = F.cross_entropy(out.float(), y, label_smoothing=label_smoothing)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss, out


@torch.no_grad()
def evaluate(model: nn.Module, loader: data.DeviceLoader, autocast: bool = False) -> tuple[float, float]:
    """(accuracy, mean loss) over a loader, in eval mode. A sharded loader (under torchrun) evaluates this rank's
    slice and sums over the ranks, so every rank returns the whole data set's numbers."""
    was_training = model.training
    model.eval()
    correct = loss_sum = 0.0
    # cached(): each parametrized weight (mask, Sign-In) is computed once per evaluation, not once per batch.
    with torch.autocast(loader.device.type, dtype=torch.bfloat16, enabled=autocast), parametrize.cached():
        for x, y in loader:
            out = model(x)
            loss_sum += F.cross_entropy(out.float(), y, reduction="sum")
            correct += (out.argmax(1) == y).sum()
    model.train(was_training)
    if loader.world_size > 1:
        totals = torch.tensor([float(correct), float(loss_sum)], dtype=torch.float64, device=loader.device)
        correct, loss_sum = distributed.all_reduce_sum(totals, distributed.current()).tolist()
    n = loader.num_examples
    return float(correct) / n, float(loss_sum) / n


def set_mask(model: nn.Module, mask: masks.Mask) -> None:
    if signin.signin_layers(model):
        signin.set_masks(model, mask)
    else:
        masks.apply(model, mask)


def gmp_step(model: nn.Module, cfg: TrainConfig, progress: float) -> None:
    """Prune by global magnitude to the cubic schedule's sparsity at this point of training."""
    target = gmp_sparsity(progress, cfg.sparsity, cfg.gmp_start, cfg.gmp_end)
    current = masks.current(model)
    if target > masks.sparsity(current) + 1e-9:
        set_mask(model, pruning.make(model, "magnitude", target, current=current, include=list(current)))


def peak_memory(device: torch.device) -> tuple[int, str]:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device), "cuda_max_memory_allocated"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "process_max_rss"
