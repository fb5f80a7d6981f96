"""One run on many processes: DistributedDataParallel under ``torchrun``, NCCL on GPUs and gloo on CPUs.

    torchrun --standalone --nproc-per-node 2 -m signin_lite train --profile smoke --device cpu

The command line calls :func:`init` (it reads torchrun's ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``); the
training loop asks :func:`current` for the group and, with more than one process:

- shards every global batch: rank r takes examples r, r + N, r + 2N, ... of it (``DeviceLoader.shard``), so the
  per-device batch is the global batch / N and the gradient DDP averages is the global batch's gradient;
- converts BatchNorm to :class:`SyncBatchNorm2d`, which normalizes with the statistics of the whole global batch
  (on CPUs too, where ``torch.nn.SyncBatchNorm`` refuses to run), so a run means the same on 1 or N processes;
- runs masks, Sign-In's rescaling and the GMP pruning steps on every rank: they are deterministic functions of
  weights that DDP keeps identical, so no rank waits for another;
- shards evaluation (each rank a contiguous slice of the test set, the sums all-reduced);
- lets only rank 0 write checkpoints, final weights and the record; on resume rank 0 reads the checkpoint and
  sends it to the others, so the ranks of a multi-node run need no shared file system for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
import torch.nn as nn

from signin_lite.training import hardware


@dataclass(frozen=True)
class Context:
    """This process's place in the run: rank, number of processes, local rank and backend (None when alone)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    backend: str | None = None

    @property
    def enabled(self) -> bool:
        """Whether more than one process trains this run."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes files and shows progress."""
        return self.rank == 0


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a whole number; it is set by torchrun, unset it or fix it") from None


def backend_for(device: str) -> str:
    """``nccl`` for CUDA devices (and "auto" when CUDA is available), ``gloo`` otherwise."""
    if device.startswith("cuda") or (device == "auto" and torch.cuda.is_available()):
        return "nccl"
    return "gloo"


def init(device: str = "auto") -> Context:
    """Join the process group that torchrun set up (``WORLD_SIZE`` > 1); alone, do nothing. Returns the context."""
    world_size = _env_int("WORLD_SIZE", 1)
    if world_size <= 1 or dist.is_initialized():
        return current()
    if device.startswith("mps"):
        raise ValueError(f"--device {device} cannot run under torchrun; use cuda (NCCL) or cpu (gloo)")
    backend = backend_for(device)
    if backend == "nccl":
        torch.cuda.set_device(_env_int("LOCAL_RANK", 0))
    dist.init_process_group(backend)
    return current()


def shutdown() -> None:
    """Leave the process group, if any."""
    if dist.is_initialized():
        dist.destroy_process_group()


def current() -> Context:
    """The context of the initialized process group, or a single-process context."""
    if not (dist.is_available() and dist.is_initialized()):
        return Context()
    return Context(dist.get_rank(), dist.get_world_size(), _env_int("LOCAL_RANK", 0), str(dist.get_backend()))


def device_for(name: str | torch.device, ctx: Context) -> torch.device:
    """The device this rank trains on: under DDP, "auto" and "cuda" mean ``cuda:LOCAL_RANK``, which becomes the
    current CUDA device (NCCL's collectives use it)."""
    device = hardware.pick_device(name) if isinstance(name, str) else name
    if not ctx.enabled:
        return device
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", ctx.local_rank)
    elif device.type == "cuda" and device.index != ctx.local_rank:
        raise ValueError(f"device {device} under torchrun: give --device cuda, and each process uses "
                         f"cuda:LOCAL_RANK (here cuda:{ctx.local_rank}); choose GPUs with CUDA_VISIBLE_DEVICES")
    if (device.type == "cuda") != (ctx.backend == "nccl"):
        raise ValueError(f"device {device} does not go with the {ctx.backend} backend: use --device cuda with "
                         "NCCL, --device cpu with gloo")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    return device


def all_reduce_sum(tensor: torch.Tensor, ctx: Context) -> torch.Tensor:
    """Sum ``tensor`` over the ranks, in place (a no-op alone); returns it."""
    if ctx.enabled:
        dist.all_reduce(tensor)
    return tensor


def broadcast(obj: Any, ctx: Context) -> Any:
    """Rank 0's ``obj`` on every rank (tensors in it must be on the CPU)."""
    if not ctx.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


class _AllReduceSum(torch.autograd.Function):
    """Sum over the ranks; its gradient is the sum of the ranks' gradients (each rank's loss uses the total)."""

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        out = tensor.clone()
        dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        out = grad.clone()
        dist.all_reduce(out)
        return out


class SyncBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm2d whose training statistics are those of the global batch, on any device and backend.

    The per-channel sum, then the sum of squared deviations from the global mean, are all-reduced (the backward
    pass all-reduces their gradients too), so every rank normalizes with the global batch's mean and variance.
    ``torch.nn.SyncBatchNorm`` does the same on GPUs only. The state_dict keys are BatchNorm2d's: checkpoints
    load either way.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (self.training and dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(x)
        xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # statistics in float32 or better
        count = x.numel() / x.shape[1] * dist.get_world_size()
        mean = _AllReduceSum.apply(xf.sum((0, 2, 3))) / count  # two passes: no E[x^2] - E[x]^2 cancellation
        centered = xf - mean.view(1, -1, 1, 1)
        var = _AllReduceSum.apply((centered * centered).sum((0, 2, 3))) / count
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                m = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                self.running_mean.lerp_(mean.detach(), m)
                self.running_var.lerp_(var.detach() * count / (count - 1), m)
        shape = (1, self.num_features, 1, 1)
        out = centered * torch.rsqrt(var.view(shape) + self.eps)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out.to(x.dtype)


def convert_batchnorm(model: nn.Module) -> nn.Module:
    """Turn every BatchNorm2d into :class:`SyncBatchNorm2d` in place, keeping its Parameter and buffer objects."""
    for module in list(model.modules()):
        for child_name, child in module.named_children():
            if type(child) is nn.BatchNorm2d:
                sync = SyncBatchNorm2d(child.num_features, child.eps, child.momentum, child.affine,
                                       child.track_running_stats)
                sync._parameters, sync._buffers = child._parameters, child._buffers
                sync.train(child.training)
                setattr(module, child_name, sync)
    return model


def wrap(model: nn.Module, ctx: Context, device: torch.device) -> nn.Module:
    """The module to call in training: the model itself alone, else DDP around it (BatchNorm made global first).

    ``forward_sync_buffers=False``: masks and BatchNorm statistics are kept identical by construction, not by
    copying rank 0's every step (a test checks that the ranks agree); DDP still copies them from rank 0 once.
    """
    if not ctx.enabled:
        return model
    convert_batchnorm(model)
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids, forward_sync_buffers=False)

