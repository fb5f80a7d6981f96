"""Step-size-matched controls of Sign-In (issue 21): scale each masked layer's learning rate, at every step, so that
its mean learning-rate multiplier equals Sign-In's for weights much smaller than β.

Under Sign-In a step moves θ by about −η (m² + w²) g, with m² + w² = √(I² + 4θ²) and I = m² − w². A reset sets
I = β; between resets weight decay λ (on m and on w) shrinks it by exp(−2λη_t/(1 − μ)) per step. A plain weight moves
by −η g (multiplier 1). With ``cfg.step_match_every`` = p, the reset period (epochs) of the Sign-In run being matched,
each masked layer's learning rate at every step is ``cfg.lr`` times the schedule's factor times

    s = I_t / mean (current multiplier)     (the mean over the layer's kept weights)

where I_t is Sign-In's imbalance predicted from weight decay alone (β right after each of its resets, then shrinking),
and the current multiplier is 1 for a plain weight and m² + w² for a Sign-In weight that is never reset. I_t is
Sign-In's multiplier for weights much smaller than β (2|θ| ≪ β), the regime of issue 21's test (its first pilot:
Sign-In's mean multiplier 0.101 at β = 0.1). The target leaves θ out on purpose: with the arm's own θ in it, the
no-reset arm's few large weights, whose steps s multiplies, grew and raised the target with them (the first pilots,
``results/README.md``). The records' multipliers show whether the match held
(:func:`signin_lite.evidence.drift.steps_matched`).
The layer's weight decay is divided by s, so the decay per step (learning rate × decay) is not scaled: under Sign-In
the decay of θ is 2λη whatever the multiplier. What stays different is how the step is spread over the weights. ::

    python -m signin_lite train --profile cpu --mask random --weight-decay-masked-factor 2 --step-match-every 1
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn as nn

from signin_lite.core import masks, signin
from signin_lite.foundations.config import TrainConfig


def _module(model: nn.Module, name: str) -> nn.Module:
    return model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model


def param_groups(model: nn.Module, cfg: TrainConfig) -> list[dict]:
    """Optimizer groups: every parameter that is not a Sign-In target first (so a record's ``lr`` is the schedule's),
    then one group per target layer (its weight, or m and w; named ``layer``, with its ``kept`` weights), with the
    decay of :func:`signin_lite.core.signin.weight_decay_groups`."""
    kept = masks.current(model)
    layers = [{"params": signin.target_parameters(model, [n]), "layer": n,
               "kept": int(kept[n].sum()) if n in kept else _module(model, n).weight.numel(),
               "weight_decay": cfg.weight_decay_masked_factor * cfg.weight_decay} for n in signin.target_names(model)]
    taken = {id(p) for g in layers for p in g["params"]}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in taken]
    return ([{"params": rest, "weight_decay": cfg.weight_decay}] if rest else []) + layers


@torch.no_grad()
def _kept_theta_and_multiplier(module: nn.Module, keep: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """θ of the kept weights and their current multiplier (m² + w² under Sign-In, 1 for a plain weight)."""
    if signin.is_reparameterized(module):
        plist = module.parametrizations.weight
        m, w, mask = plist.original0.double(), plist.original1.double(), plist[0].mask
        return (m * w)[mask], (m * m + w * w)[mask]
    theta = module.weight.detach().double()
    theta = theta[keep] if keep is not None else theta.flatten()
    return theta, torch.ones_like(theta)


def imbalance_factor(cfg: TrainConfig, step: int, period: int, factor: Callable[[int], float]) -> float:
    """I/β that the matched Sign-In run has before SGD step ``step`` (0-based): 1 right after a reset (it resets after
    every ``period`` steps), times exp(−2λη_s/(1 − μ)) for each step s since, η_s = ``cfg.lr * factor(s)``."""
    since = range(step - step % period, step)
    return math.exp(-sum(2 * cfg.weight_decay * cfg.lr * factor(s) / (1 - cfg.momentum) for s in since))


@torch.no_grad()
def scales(model: nn.Module, cfg: TrainConfig, imbalance: float = 1.0) -> dict[str, float]:
    """Per target layer: imbalance·β over the mean of its kept weights' current multiplier."""
    kept = masks.current(model)
    names = list(kept) or masks.maskable_names(model)  # signin.target_names, without reading the masks twice
    beta = signin.output_beta(cfg.beta, cfg.beta_output) if cfg.beta_output else cfg.beta
    betas = signin.layer_betas(names, beta)
    out = {}
    for name in names:
        _, now = _kept_theta_and_multiplier(_module(model, name), kept.get(name))
        out[name] = float(imbalance * betas[name] / now.mean()) if now.numel() else 1.0
    return out


def apply(optimizer: torch.optim.Optimizer, scheduler: torch.optim.lr_scheduler.LambdaLR, model: nn.Module,
          cfg: TrainConfig, period: int) -> dict[str, float]:
    """Before the scheduler's next step: set each target layer's base learning rate to ``cfg.lr`` times its
    :func:`scales` at the matched run's :func:`imbalance_factor` (and its learning rate to match the schedule's
    factor now), and divide its weight decay by the same scale, so that the decay per step (learning rate × decay)
    stays the unscaled one, as under Sign-In, whose decay does not grow or shrink with its multiplier; returns the
    scales."""
    imbalance = imbalance_factor(cfg, scheduler.last_epoch, period, scheduler.lr_lambdas[0])
    s = scales(model, cfg, imbalance)
    decay = cfg.weight_decay_masked_factor * cfg.weight_decay
    for i, group in enumerate(optimizer.param_groups):
        if "layer" in group:
            scale = s[group["layer"]]
            factor = group["lr"] / scheduler.base_lrs[i] if scheduler.base_lrs[i] else 0.0
            scheduler.base_lrs[i] = cfg.lr * scale
            group["initial_lr"] = scheduler.base_lrs[i]
            group["lr"] = scheduler.base_lrs[i] * factor
            group["weight_decay"] = decay / scale if scale > 0 else decay
    return s


@torch.no_grad()
def current(optimizer: torch.optim.Optimizer, scheduler: torch.optim.lr_scheduler.LambdaLR, model: nn.Module,
            cfg: TrainConfig) -> dict[str, float]:
    """The scales in force per layer (read back from the scheduler's base learning rates), and ``_effective``: the
    mean over all kept weights of scale × current multiplier, comparable to Sign-In's ``lr_multiplier["_all"]``."""
    out, total, count = {}, 0.0, 0
    kept = masks.current(model)
    for i, group in enumerate(optimizer.param_groups):
        if "layer" in group:
            name = group["layer"]
            out[name] = scheduler.base_lrs[i] / cfg.lr
            _, now = _kept_theta_and_multiplier(_module(model, name), kept.get(name))
            total, count = total + out[name] * float(now.sum()), count + now.numel()
    out["_effective"] = total / count if count else 1.0
    return out
