"""Run by tests/test_distributed.py under torchrun, two modes:

    torchrun --standalone --nproc-per-node 2 tests/ddp_worker.py grad OUT
    torchrun --standalone --nproc-per-node 2 tests/ddp_worker.py train OUT KILL_AFTER train --profile smoke ...

``grad``: one DDP forward/backward, in float64, of a depth-8 Sign-In ResNet on one global batch of 64 (each rank
its half); rank 0 saves the averaged gradients to OUT/grads.pt.
``train``: ``python -m signin_lite ...`` in which, after each epoch's checkpoint, every rank saves its model's
state_dict (masks, Sign-In's m and w, BatchNorm statistics) to OUT/rank<R>_epoch<E>.pt. With KILL_AFTER > 0,
rank 0 then kills itself with SIGKILL after that epoch's checkpoint, as a preemption would; torchrun ends the rest.
"""

import os
import signal
import sys
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F

from signin_lite import cli
from signin_lite.foundations import config
from signin_lite.training import data, distributed, recipe, train


def global_batch() -> tuple[torch.Tensor, torch.Tensor]:
    """The test's one global batch (also built by the single-process reference in the test)."""
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (64, 3, 32, 32), generator=g, dtype=torch.uint8), torch.arange(64) % 10


def grad_mode(out: Path) -> None:
    ctx = distributed.init("cpu")
    model = recipe.build_model(config.make_config("smoke", signin=True), torch.device("cpu")).double()
    net = distributed.wrap(model, ctx, torch.device("cpu"))
    loader = data.DeviceLoader(*global_batch(), 64, train=True, seed=0, dtype=torch.float64)
    loader.shard(ctx.rank, ctx.world_size)
    x, y = next(iter(loader))
    F.cross_entropy(net(x), y).backward()
    if ctx.is_main:
        out.mkdir(parents=True, exist_ok=True)
        torch.save({n: p.grad for n, p in model.named_parameters()}, out / "grads.pt")
    distributed.shutdown()


def train_mode(out: Path, kill_after: int, argv: list[str]) -> int:
    real_save = train._save_checkpoint

    def save_and_watch(run) -> None:
        real_save(run)
        out.mkdir(parents=True, exist_ok=True)
        torch.save(run.model.state_dict(), out / f"rank{run.ctx.rank}_epoch{run.progress.epoch}.pt")
        if run.progress.epoch == kill_after:
            dist.barrier()  # every rank has saved its state
            if run.ctx.is_main:
                os.kill(os.getpid(), signal.SIGKILL)

    train._save_checkpoint = save_and_watch
    return cli.main(argv)


if __name__ == "__main__":
    if sys.argv[1] == "grad":
        grad_mode(Path(sys.argv[2]))
    else:
        sys.exit(train_mode(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]))
