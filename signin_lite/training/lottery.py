"""Lottery tickets on the shared mask machinery: iterative magnitude pruning with weight rewinding (IMP) or
learning-rate rewinding (LRR), and the sign-transplant experiments.

Each round is an ordinary :func:`signin_lite.training.train.train` run that starts from given weights and a given mask,
so every round writes its own record. Round r prunes to ``1 - (1 - sparsity) ** (r / rounds)`` by global magnitude.

    python -m signin_lite lottery --profile cpu --sparsity 0.9 --rounds 3
"""

from __future__ import annotations

from dataclasses import replace

import torch

from signin_lite.core import masks, models, pruning
from signin_lite.foundations.config import TrainConfig
from signin_lite.training import reference_runs
from signin_lite.training.train import load_final, train

REWINDS = ("weight", "lr")
TRANSPLANTS = ("signs", "magnitudes", "mask")


def round_sparsity(sparsity: float, rounds: int, r: int) -> float:
    """Sparsity after round r of ``rounds`` equal-ratio pruning rounds towards ``sparsity``."""
    if rounds < 1 or not 0 <= r <= rounds:
        raise ValueError(f"need rounds >= 1 and 0 <= r <= rounds, got rounds={rounds}, r={r}")
    return 1 - (1 - sparsity) ** (r / rounds)


def _prune(cfg: TrainConfig, state: dict, current: masks.Mask | None, sparsity: float) -> masks.Mask:
    model = models.resnet(cfg.depth, cfg.width)
    model.load_state_dict(state)
    return pruning.make(model, "magnitude", sparsity, current=current)


def _round(cfg: TrainConfig, r: int, rounds: int, sparsity: float, rewind: str, rewind_epoch: int,
           dense_run: str) -> tuple[TrainConfig, dict]:
    """Round r's config and the record fields that say which chain it belongs to."""
    name = "imp" if rewind == "weight" else "lrr"
    s = round(round_sparsity(sparsity, rounds, r), 6)
    round_cfg = replace(cfg, mask="magnitude", sparsity=s, signin=False, pruning="init", tag=f"{name}-r{r}")
    return round_cfg, {"method": name, "lottery": {"round": r, "rounds": rounds, "rewind": rewind,
                                                   "rewind_epoch": rewind_epoch, "dense_run": dense_run}}


def iterative_pruning(cfg: TrainConfig, sparsity: float, rounds: int, rewind: str = "lr", rewind_epoch: int = 1,
                      reuse: bool = False, **train_kwargs) -> list[dict]:
    """IMP (``rewind="weight"``: restart each round from the dense run's weights after ``rewind_epoch``) or LRR
    (``rewind="lr"``: restart from the last round's trained weights with the full learning-rate schedule).

    Returns the records of the dense round 0 and of rounds 1..rounds; the last one is the ticket. With ``reuse``
    (the chapters), a chain whose every round has a reference record and checkpoint
    (:mod:`signin_lite.training.reference_runs`) is loaded, not trained; otherwise the rounds train, and the dense
    run is loaded only where its checkpoint is committed too.
    """
    if rewind not in REWINDS:
        raise ValueError(f"rewind={rewind!r} is unknown; choose one of {list(REWINDS)}")
    if not 0 < sparsity < 1:
        raise ValueError(f"sparsity must be in (0, 1) for a lottery ticket, got {sparsity!r}")
    work_dir = train_kwargs.get("work_dir", "runs")
    dense_cfg = replace(cfg, mask="none", sparsity=0.0, signin=False, pruning="init", tag="")
    plan = [_round(cfg, r, rounds, sparsity, rewind, rewind_epoch, dense_cfg.name()) for r in range(1, rounds + 1)]
    loaded = reuse and all(reference_runs.find(c, extra=e, need_checkpoint=True) for c, e in plan)
    if loaded:  # nothing is pruned or trained: each round's record and mask (the ticket's weights) are committed
        return [train(dense_cfg, reuse=True, **train_kwargs)] + [
            train(c, reuse="checkpoint", extra=e, **train_kwargs) for c, e in plan]
    out = [train(dense_cfg, reuse="checkpoint" if reuse else False, **train_kwargs)]
    final = load_final(dense_cfg.name(), work_dir)
    if rewind == "weight" and rewind_epoch not in final["saved_states"]:
        raise ValueError(f"the dense run kept no weights from epoch {rewind_epoch} (it kept "
                         f"{sorted(final['saved_states'])}); choose one of those")
    state, mask = final["state"], None
    for round_cfg, extra in plan:
        mask = _prune(cfg, state, mask, round_cfg.sparsity)
        start = final["saved_states"][rewind_epoch] if rewind == "weight" else state
        out.append(train(round_cfg, init_state=start, mask=mask, extra=extra, **train_kwargs))
        state = load_final(round_cfg.name(), work_dir)["state"]
    return out


def transplant(reference: dict[str, torch.Tensor], mask: masks.Mask, fresh: dict[str, torch.Tensor], keep: str,
               seed: int = 0) -> dict[str, torch.Tensor]:
    """A starting state for the sign experiment, on ``mask``'s weights (other tensors come from ``fresh``).

    keep="signs": the reference's signs with fresh random magnitudes; keep="magnitudes": the reference's
    magnitudes with random signs; keep="mask": the fresh initialization (only the mask is transplanted).
    """
    if keep not in TRANSPLANTS:
        raise ValueError(f"keep={keep!r} is unknown; choose one of {list(TRANSPLANTS)}")
    g = torch.Generator().manual_seed(seed)
    out = {k: v.clone() for k, v in fresh.items()}
    for name, m in mask.items():
        ref, new = reference[name], fresh[name]
        if keep == "signs":
            theta = new.abs() * torch.where(ref >= 0, 1.0, -1.0)
        elif keep == "magnitudes":
            theta = ref.abs() * (torch.randint(0, 2, ref.shape, generator=g) * 2 - 1).to(ref.dtype)
        else:
            theta = new.clone()
        out[name] = theta * m.to(theta.dtype)
    return out


def sign_experiment(cfg: TrainConfig, ticket_run: str, reuse: bool = False, **train_kwargs) -> list[dict]:
    """Train the ticket's mask from three starts: its signs + fresh magnitudes, its magnitudes + random signs,
    and a fresh initialization. ``ticket_run`` names the finished run whose trained weights and mask are used;
    every run records its per-epoch sign alignment with ``reference`` (default: the ticket). With ``reuse`` (the
    chapters), a run whose reference record names the same ticket is loaded, not trained."""
    work_dir = train_kwargs.get("work_dir", "runs")
    ticket = load_final(ticket_run, work_dir)
    mask = ticket["mask"]
    torch.manual_seed(cfg.seed + 1000)  # a fresh draw, different from the ticket's own initialization
    fresh = models.resnet(cfg.depth, cfg.width).state_dict()
    sparsity = round(masks.sparsity(mask), 6)
    reference = train_kwargs.pop("reference", ticket["state"])
    out = []
    for keep in TRANSPLANTS:
        start = transplant(ticket["state"], mask, fresh, keep, seed=cfg.seed)
        run_cfg = replace(cfg, mask="magnitude", sparsity=sparsity, signin=False, pruning="init",
                          tag=f"transplant-{keep}")
        out.append(train(run_cfg, init_state=start, mask=mask, reference=reference, reuse=reuse, **train_kwargs,
                         extra={"method": f"transplant_{keep}", "transplant": {"ticket": ticket_run, "keep": keep}}))
    return out
