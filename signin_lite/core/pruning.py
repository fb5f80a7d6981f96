"""Pruning: make a mask for a model, at initialization or from trained weights.

``make(model, kind, sparsity)`` returns a :data:`signin_lite.core.masks.Mask` over the maskable weights; apply it
with :func:`signin_lite.core.masks.apply`::

    mask = pruning.make(model, "erk", 0.9, seed=0)
    masks.apply(model, mask)

Kinds (``config.MASK_KINDS``): ``random``, ``erk``, ``er`` and ``balanced`` draw at random per layer, with uniform,
Erdos-Renyi-Kernel, Erdos-Renyi or balanced (the same kept count in every layer) densities; ``snip`` and
``synflow`` score at initialization; ``magnitude`` and ``magnitude_layerwise`` keep the largest ``|weight|``
globally or per layer. Global kinds keep exactly ``round((1 - sparsity) * total)`` weights; ties break towards the
earlier entry. Each scorer is one function of a :class:`_Request`, registered in ``_SCORERS``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from copy import deepcopy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import parametrize, prune

from signin_lite.core import masks
from signin_lite.core.masks import Mask
from signin_lite.foundations import config


@dataclass
class _Request:
    """Everything a scorer may need."""

    model: nn.Module
    names: list[str]
    density: float
    generator: torch.Generator
    batch: tuple[Tensor, Tensor] | None
    current: Mask
    synflow_iterations: int
    input_shape: tuple[int, ...] | None


def _plain_copy(model: nn.Module) -> nn.Module:
    """A deep copy whose parametrized and prune-d tensors are plain Parameters
    equal to the effective ones.

    ``parametrize.remove_parametrizations`` is not used on purpose: a deep copy
    shares the injected ``Parametrized*`` class with the original, and removing
    the property from that class would break the original model.
    """
    copy = deepcopy(model)
    for module in list(copy.modules()):
        for hook in list(module._forward_pre_hooks.values()):
            if isinstance(hook, prune.BasePruningMethod):
                prune.remove(module, hook._tensor_name)
        if parametrize.is_parametrized(module):
            with torch.no_grad():
                values = {t: getattr(module, t).detach().clone() for t in module.parametrizations}
            module.__class__ = type(module).__bases__[0]  # the class before parametrization
            del module.parametrizations
            for t, value in values.items():
                module.register_parameter(t, nn.Parameter(value))
    return copy


def _rng_guard(model: nn.Module) -> AbstractContextManager:
    """Restore the global CPU (and used CUDA) RNG state on exit."""
    devices = sorted({p.device.index for p in model.parameters() if p.device.type == "cuda"})
    return torch.random.fork_rng(devices=devices)


def _score_random(req: _Request) -> dict[str, Tensor]:
    return {n: torch.rand(masks.effective_of(req.model, n).shape, generator=req.generator) for n in req.names}


def _score_magnitude(req: _Request) -> dict[str, Tensor]:
    return {n: masks.effective_of(req.model, n).detach().abs() for n in req.names}


def _score_snip(req: _Request) -> dict[str, Tensor]:
    """|g * w| from one batch and cross-entropy (Lee et al. 2019), on a copy in the model's mode."""
    if req.batch is None:
        raise ValueError("snip needs batch=(inputs, targets)")
    copy = _plain_copy(req.model)
    weights = [masks.owner(copy, n).weight for n in req.names]
    for w in weights:
        w.requires_grad_(True)
    device = weights[0].device
    x, y = (t.to(device) for t in req.batch)
    with _rng_guard(copy), torch.enable_grad():
        loss = F.cross_entropy(copy(x), y)
        grads = torch.autograd.grad(loss, weights, allow_unused=True)
    return {
        n: torch.zeros_like(w) if g is None else (g * w).detach().abs()
        for n, w, g in zip(req.names, weights, grads, strict=True)
    }


def _input_shape(model: nn.Module) -> tuple[int, ...]:
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            return (module.in_channels, 32, 32)
        if isinstance(module, nn.Linear):
            return (module.in_features,)
    raise ValueError("cannot infer the input shape for synflow; pass input_shape=(C, H, W)")


def _score_synflow(req: _Request) -> dict[str, Tensor]:
    """Iterative SynFlow (Tanaka et al. 2020) in float64 on an absolute-valued copy in eval mode.

    Runs ``synflow_iterations - 1`` prune rounds on an exponential schedule and
    returns the last round's scores (``-inf`` off the running mask); ``make``
    takes the final global top-k.
    """
    copy = _plain_copy(req.model).double().eval()
    with torch.no_grad():
        for t in list(copy.parameters()) + list(copy.buffers()):
            if t.is_floating_point():
                t.abs_()
    weights = [masks.owner(copy, n).weight for n in req.names]
    for w in weights:
        w.requires_grad_(True)
    shape = req.input_shape or _input_shape(req.model)
    ones = torch.ones((1, *shape), dtype=torch.float64, device=weights[0].device)
    running = {n: req.current[n].to(w.device) if n in req.current else torch.ones_like(w, dtype=torch.bool)
               for n, w in zip(req.names, weights, strict=True)}
    total = sum(w.numel() for w in weights)
    rounds = req.synflow_iterations
    with _rng_guard(copy), torch.enable_grad():
        for k in range(1, rounds + 1):
            with torch.no_grad():
                for n, w in zip(req.names, weights, strict=True):
                    w.mul_(running[n])
            grads = torch.autograd.grad(copy(ones).sum(), weights, allow_unused=True)
            scores = {
                n: torch.where(running[n], (torch.zeros_like(w) if g is None else g * w).detach().abs(),
                               float("-inf"))
                for n, w, g in zip(req.names, weights, grads, strict=True)
            }
            if k == rounds:
                return scores
            keep = round(req.density ** (k / rounds) * total)
            running = _global_top_k(scores, keep)
    raise AssertionError("unreachable")


def _uniform_densities(req: _Request) -> dict[str, float]:
    return {n: req.density for n in req.names}


def _erk_layer_densities(req: _Request) -> dict[str, float]:
    return erk_densities(req.model, req.density, req.names)


def _er_layer_densities(req: _Request) -> dict[str, float]:
    return erk_densities(req.model, req.density, req.names, kind="er")


def _balanced_layer_densities(req: _Request) -> dict[str, float]:
    return erk_densities(req.model, req.density, req.names, kind="balanced")


# Scorer per method; methods in _LAYER_DENSITIES keep a fixed fraction per layer,
# the others rank all layers together.
_SCORERS: dict[str, Callable[[_Request], dict[str, Tensor]]] = {
    "random": _score_random,
    "erk": _score_random,
    "er": _score_random,
    "balanced": _score_random,
    "snip": _score_snip,
    "synflow": _score_synflow,
    "magnitude": _score_magnitude,
    "magnitude_layerwise": _score_magnitude,
}
_LAYER_DENSITIES: dict[str, Callable[[_Request], dict[str, float]]] = {
    "random": _uniform_densities,
    "erk": _erk_layer_densities,
    "er": _er_layer_densities,
    "balanced": _balanced_layer_densities,
    "magnitude_layerwise": _uniform_densities,
}
if tuple(_SCORERS) != config.MASK_KINDS:
    raise ImportError(f"mask scorers {tuple(_SCORERS)} differ from config.MASK_KINDS {config.MASK_KINDS}")


DENSITY_KINDS: tuple[str, ...] = ("erk", "er", "balanced")


def _raw_density(shape: tuple[int, ...], kind: str) -> float:
    """The unnormalized density of one layer: ERK sum(shape)/prod(shape), ER (n_out + n_in)/(n_out * n_in),
    balanced 1/prod(shape) (every layer then keeps the same number of weights)."""
    if kind == "erk":
        return sum(shape) / math.prod(shape)
    if kind == "er":
        return (shape[0] + shape[1]) / (shape[0] * shape[1])
    if kind == "balanced":
        return 1.0 / math.prod(shape)
    raise ValueError(f"unknown density kind {kind!r}; known: {DENSITY_KINDS}")


def erk_densities(
    model_or_shapes: nn.Module | Mapping[str, Sequence[int]],
    density: float,
    names: Sequence[str] | None = None,
    kind: str = "erk",
) -> dict[str, float]:
    """Layer densities of Erdos-Renyi-Kernel (``kind="erk"``, Evci et al. 2020, RigL), Erdos-Renyi (``"er"``,
    Mocanu et al. 2018: the kernel size left out) or ``"balanced"`` (the same number of kept weights in every
    layer, Gadhikar et al. 2023).

    ``density_l = eps * raw_l``, with ``eps`` chosen so the kept count totals ``density * total``; layers
    that would exceed 1 are made dense and the rest is redistributed. ``names`` defaults to every maskable
    weight (or every key of a shapes mapping).
    """
    if not 0.0 < density <= 1.0:
        raise ValueError(f"density must be in (0, 1], got {density!r}")
    if kind not in DENSITY_KINDS:
        raise ValueError(f"unknown density kind {kind!r}; known: {DENSITY_KINDS}")
    if isinstance(model_or_shapes, nn.Module):
        names = masks.maskable_names(model_or_shapes) if names is None else list(names)
        with torch.no_grad():
            shapes = {n: tuple(masks.effective_of(model_or_shapes, n).shape) for n in names}
    else:
        names = list(model_or_shapes) if names is None else list(names)
        shapes = {n: tuple(model_or_shapes[n]) for n in names}
    size = {n: math.prod(s) for n, s in shapes.items()}
    raw = {n: _raw_density(s, kind) for n, s in shapes.items()}
    total = sum(size.values())
    dense: set[str] = set()
    while True:
        sparse = [n for n in names if n not in dense]
        if not sparse:
            break
        budget = density * total - sum(size[n] for n in dense)
        eps = budget / sum(raw[n] * size[n] for n in sparse)
        top = max(raw[n] for n in sparse)
        if top * eps <= 1.0 + 1e-12:
            break
        dense |= {n for n in sparse if raw[n] == top}
    return {n: 1.0 if n in dense else min(1.0, eps * raw[n]) for n in names}


def _exact_counts(densities: Mapping[str, float], sizes: Mapping[str, int], target: int) -> dict[str, int]:
    """Per-layer counts near ``density * size`` summing to ``target`` (largest remainder)."""
    ideal = {n: densities[n] * sizes[n] for n in densities}
    counts = {n: min(sizes[n], math.floor(ideal[n])) for n in densities}
    order = sorted(densities, key=lambda n: counts[n] - ideal[n])  # largest remainder first
    missing = target - sum(counts.values())
    while missing > 0:
        grown = False
        for n in order:
            if missing and counts[n] < sizes[n]:
                counts[n] += 1
                missing -= 1
                grown = True
        if not grown:
            break
    return counts


def _top_k(scores: Tensor, k: int) -> Tensor:
    """Bool mask of the k largest entries of a flat tensor; ties go to the earlier entry."""
    scores = torch.where(torch.isnan(scores), float("-inf"), scores)
    keep = torch.zeros(scores.numel(), dtype=torch.bool, device=scores.device)
    if k > 0:
        order = torch.sort(scores, descending=True, stable=True).indices[:k]
        keep[order] = True
    return keep


def _global_top_k(scores: Mapping[str, Tensor], k: int) -> Mask:
    names = list(scores)
    device = scores[names[0]].device
    flat = torch.cat([scores[n].detach().reshape(-1).to(device, torch.float64) for n in names])
    keep = _top_k(flat, k)
    out, start = {}, 0
    for n in names:
        s = scores[n]
        out[n] = keep[start : start + s.numel()].view(s.shape).to(s.device)
        start += s.numel()
    return out


def _check_sparsity(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= float(value) < 1.0:
        raise ValueError(f"sparsity must be in [0, 1), got {value!r}")
    return float(value)


def make(
    model: nn.Module,
    method: str,
    sparsity: float,
    *,
    seed: int = 0,
    batch: tuple[Tensor, Tensor] | None = None,
    include: str | Sequence[str] = "conv_linear",
    current: Mask | None = None,
    synflow_iterations: int = 100,
    input_shape: tuple[int, ...] | None = None,
) -> Mask:
    """A new mask of the given total ``sparsity`` over ``masks.maskable_names(model, include)``.

    The model (parameters, buffers, .grad, train/eval mode) and the global RNG
    are left untouched. With ``current``, only weights already kept there can be
    kept (iterative pruning); ``sparsity`` is then the new total and must not be
    below the current one. Layerwise methods cap each layer at its current count.
    ``input_shape`` (without batch dim) overrides synflow's inferred input.
    """
    s = _check_sparsity(sparsity)
    if method not in _SCORERS:
        raise ValueError(f"unknown mask method {method!r}; known: {config.MASK_KINDS}")
    if isinstance(synflow_iterations, bool) or not isinstance(synflow_iterations, int) or synflow_iterations < 1:
        raise ValueError(f"synflow_iterations must be a positive int, got {synflow_iterations!r}")
    names = masks.maskable_names(model, include)
    if not names:
        raise ValueError(f"no maskable weights for include={include!r}")
    with torch.no_grad():
        weights = {n: masks.effective_of(model, n) for n in names}
    sizes = {n: w.numel() for n, w in weights.items()}
    prior = _prior(model, current, names, sizes, s)
    density = 1.0 - s
    generator = torch.Generator().manual_seed(seed)
    req = _Request(model, names, density, generator, batch, prior, synflow_iterations, input_shape)
    scores = _SCORERS[method](req)
    scores = {
        n: torch.where(prior[n].to(scores[n].device), scores[n], float("-inf")) if n in prior else scores[n]
        for n in names
    }
    out = _keep(method, req, scores, sizes)
    return {n: out[n].to(weights[n].device) for n in names}


def _prior(model: nn.Module, current: Mask | None, names: list[str], sizes: dict[str, int], s: float) -> Mask:
    """The part of ``current`` over ``names`` (empty without one); an error if ``s`` is below its sparsity."""
    if current is None:
        return {}
    masks.validate_mask(model, current, "current")
    prior = {n: current[n] for n in names if n in current}
    kept_before = sum(int(m.sum()) for m in prior.values()) + sum(sizes[n] for n in names if n not in prior)
    before = 1.0 - kept_before / sum(sizes.values())
    if s < before - 1e-12:
        raise ValueError(f"sparsity {s} is below the current sparsity {before:.6f} over the same layers")
    return prior


def _keep(method: str, req: _Request, scores: dict[str, Tensor], sizes: dict[str, int]) -> Mask:
    """The highest scores: per layer for methods with layer-wise densities, else globally."""
    names, prior, total = req.names, req.current, sum(sizes.values())
    if method not in _LAYER_DENSITIES:
        kept_before = sum(int(prior[n].sum()) if n in prior else sizes[n] for n in names)
        return _global_top_k(scores, min(round(req.density * total), kept_before))
    densities = _LAYER_DENSITIES[method](req)
    if method in DENSITY_KINDS:
        counts = _exact_counts(densities, sizes, round(req.density * total))
    else:
        counts = {n: round(densities[n] * sizes[n]) for n in names}
    out = {}
    for n in names:
        k = min(counts[n], int(prior[n].sum())) if n in prior else counts[n]
        out[n] = _top_k(scores[n].reshape(-1), k).view(scores[n].shape)
    return out
