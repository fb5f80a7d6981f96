"""Sign-In (Gadhikar, Jacobs, Zhou, Burkholz 2025): sparse training that keeps sign flips possible.

Each masked weight is written as theta = mask * m * w with two trainable tensors. They start at
m * w = theta and m^2 - w^2 = beta (:func:`balanced_factors`). Gradient flow conserves m^2 - w^2;
weight decay and SGD noise shrink it, and where it reaches 0 a weight can no longer change sign.
Every p epochs :func:`rescale` resets m^2 - w^2 = beta without changing theta. :func:`merge` folds
the pair back into one plain weight after training.

The reparameterization is a ``torch.nn.utils.parametrize`` parametrization, so a Sign-In layer has
``parametrizations.weight.original0`` (m) and ``.original1`` (w) (an attention layer's packed projection:
``parametrizations.in_proj_weight...``; every tensor :func:`signin_lite.core.masks.apply` can mask can use
Sign-In). Build the optimizer after
:func:`reparameterize`; :func:`rescale` changes m and w in place and keeps the optimizer valid.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import torch
import torch.nn as nn
from torch.nn.utils import parametrize

from signin_lite.core import masks

Beta = float | Mapping[str, float] | Callable[[str, int, int], float]


def balanced_factors(theta: torch.Tensor, beta: float | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Split theta into (m, w) with m * w = theta, m^2 - w^2 = beta and m > 0.

    m = sqrt((beta + sqrt(beta^2 + 4 theta^2)) / 2) and w = theta / m, computed in float64.
    """
    t = theta.detach().double()
    b = torch.as_tensor(beta, dtype=torch.float64, device=t.device)
    m = torch.sqrt((b + torch.sqrt(b * b + 4 * t * t)) / 2)
    return m.to(theta.dtype), (t / m).to(theta.dtype)


class SignInWeight(nn.Module):
    """Parametrization weight = mask * m * w, with a fixed per-layer beta for (re)initialization."""

    def __init__(self, mask: torch.Tensor, beta: float) -> None:
        super().__init__()
        _check_beta(beta, "beta")
        self.register_buffer("mask", mask.bool())
        self.beta = float(beta)

    def forward(self, m: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        # where, not a multiply by mask.to(dtype): the same values (an off-mask zero is always +0.0), but no float
        # copy of the mask per forward, and autograd saves only the mask, not m * w and a float mask.
        return torch.where(self.mask, m * w, 0.0)

    def right_inverse(self, theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return balanced_factors(theta * self.mask.to(theta.dtype), self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta:g}, density={self.mask.float().mean().item():.4f}"


def _check_beta(beta: float, where: str) -> None:
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not math.isfinite(beta) or beta <= 0:
        raise ValueError(f"{where} must be a positive number (the target m^2 - w^2), got {beta!r}")


def _targets(model: nn.Module) -> dict[str, tuple[nn.Module, str]]:
    """Every tensor a mask may hold (:func:`signin_lite.core.masks.maskable_names`, widest include), by name: its
    module and the tensor's attribute name (``weight``, ``in_proj_weight``, ...)."""
    return {n: (masks.owner(model, n), masks.split_name(n)[1])
            for n in masks.maskable_names(model, "weights+embedding")}


def layer_betas(names: list[str], beta: Beta) -> dict[str, float]:
    """Resolve beta (a number, a dict name -> beta, or a callable(name, index, count)) to one value per layer."""
    if callable(beta):
        betas = {n: beta(n, i, len(names)) for i, n in enumerate(names)}
    elif isinstance(beta, Mapping):
        unknown = sorted(set(beta) - set(names))
        if unknown:
            raise ValueError(f"beta names unknown layers {unknown}; Sign-In layers are {names}")
        missing = [n for n in names if n not in beta]
        if missing:
            raise ValueError(f"beta dict has no value for {missing}; give every Sign-In layer a beta")
        betas = dict(beta)
    else:
        betas = {n: beta for n in names}
    for n, b in betas.items():
        _check_beta(b, f"beta for {n}")
    return {n: float(b) for n, b in betas.items()}


def output_beta(beta: float, beta_output: float, output_layer: str = "fc.weight") -> Callable[[str, int, int], float]:
    """A beta callable giving ``beta_output`` to the output layer and ``beta`` to every other layer."""
    return lambda name, index, count: beta_output if name == output_layer else beta


def reparameterize(model: nn.Module, beta: Beta = 1.0, include: list[str] | None = None) -> nn.Module:
    """Turn every masked (or every listed) weight into mask * m * w with m * w = theta and m^2 - w^2 = beta.

    By default the layers with a mask (see :func:`signin_lite.core.masks.apply`) are reparameterized, or
    every conv and linear weight of an unmasked model. Returns the model; build the optimizer afterwards.
    """
    current = masks.current(model)
    names = include if include is not None else target_names(model)
    targets = _targets(model)
    unknown = [n for n in names if n not in targets]
    if unknown:
        raise ValueError(f"cannot reparameterize {unknown}: not conv, linear or attention weights of this model")
    betas = layer_betas(names, beta)
    for name in names:
        module, tensor = targets[name]
        if is_reparameterized(module, tensor):
            raise ValueError(f"{name} already uses Sign-In; call merge() first")
        with torch.no_grad():
            theta = getattr(module, tensor).detach().clone()
        mask = current.get(name, torch.ones_like(theta, dtype=torch.bool)).to(theta.device)
        if parametrize.is_parametrized(module, tensor):
            parametrize.remove_parametrizations(module, tensor, leave_parametrized=True)
        with torch.no_grad():
            getattr(module, tensor).copy_(theta)
        parametrize.register_parametrization(module, tensor, SignInWeight(mask, betas[name]))
    return model


def target_names(model: nn.Module) -> list[str]:
    """The weights :func:`reparameterize` turns into m * w by default: the masked ones, else every conv/linear weight.

    On a Sign-In model these are its Sign-In layers; on a plain masked model, the layers Sign-In would take.
    """
    return list(masks.current(model)) or masks.maskable_names(model)


def target_parameters(model: nn.Module, names: list[str] | None = None) -> list[nn.Parameter]:
    """The trainable tensors behind the target weights: m and w under Sign-In, else the stored (masked) weight."""
    targets = _targets(model)
    out = []
    for name in target_names(model) if names is None else names:
        module, tensor = targets[name]
        if parametrize.is_parametrized(module, tensor):
            out += list(module.parametrizations[tensor].parameters())
        else:
            out.append(getattr(module, tensor))
    return out


def weight_decay_groups(model: nn.Module, weight_decay: float, masked_factor: float = 1.0) -> list[dict]:
    """Optimizer parameter groups: ``masked_factor * weight_decay`` on exactly the tensors Sign-In reparameterizes
    (:func:`target_parameters`), ``weight_decay`` on every other parameter (BatchNorm, biases, dense layers).

    ``masked_factor=2`` without Sign-In is the matching control of Sign-In, whose m and w each carry the decay.
    """
    targets = {id(p) for p in target_parameters(model)}
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if id(p) in targets], "weight_decay": masked_factor * weight_decay},
              {"params": [p for p in params if id(p) not in targets], "weight_decay": weight_decay}]
    return [g for g in groups if g["params"]]


def is_reparameterized(module: nn.Module, tensor: str = "weight") -> bool:
    """Whether this module's weight (or its tensor called ``tensor``) is a Sign-In parametrization."""
    return parametrize.is_parametrized(module, tensor) and any(
        isinstance(p, SignInWeight) for p in module.parametrizations[tensor])


def _signin_targets(model: nn.Module) -> dict[str, tuple[nn.Module, str]]:
    return {n: (m, t) for n, (m, t) in _targets(model).items() if is_reparameterized(m, t)}


def signin_layers(model: nn.Module) -> dict[str, nn.Module]:
    """The modules whose weight uses Sign-In, by weight name."""
    return {n: m for n, (m, _) in _signin_targets(model).items()}


def _factors(module: nn.Module, tensor: str = "weight") -> tuple[nn.Parameter, nn.Parameter, SignInWeight]:
    plist = module.parametrizations[tensor]
    return plist.original0, plist.original1, plist[0]


@torch.no_grad()
def rescale(model: nn.Module, beta: Beta | None = None) -> nn.Module:
    """Reset every Sign-In pair to m^2 - w^2 = beta without changing theta = mask * m * w.

    ``beta`` defaults to each layer's own beta from :func:`reparameterize`. m and w change in
    place, so the optimizer and its momentum buffers stay attached.
    """
    layers = _signin_targets(model)
    if not layers:
        raise ValueError("the model has no Sign-In layers; call reparameterize() first")
    betas = layer_betas(list(layers), beta) if beta is not None else None
    for name, (module, tensor) in layers.items():
        m, w, p = _factors(module, tensor)
        if betas is not None:
            p.beta = betas[name]
        new_m, new_w = balanced_factors(m * w * p.mask.to(m.dtype), p.beta)
        m.copy_(new_m)
        w.copy_(new_w)
    return model


@torch.no_grad()
def imbalance(model: nn.Module) -> dict[str, torch.Tensor]:
    """m^2 - w^2 of every unmasked weight, per Sign-In layer (beta right after a rescale)."""
    out = {}
    for name, (module, tensor) in _signin_targets(model).items():
        m, w, p = _factors(module, tensor)
        out[name] = (m * m - w * w)[p.mask]
    return out


def merge(model: nn.Module, keep_mask: bool = False) -> nn.Module:
    """Fold every Sign-In pair back into one plain weight mask * m * w; the outputs stay the same.

    With ``keep_mask`` the mask stays in force (see :func:`signin_lite.core.masks.apply`), for training on.
    """
    for name, (module, tensor) in _signin_targets(model).items():
        mask = module.parametrizations[tensor][0].mask.clone()
        parametrize.remove_parametrizations(module, tensor, leave_parametrized=True)
        if keep_mask:
            masks.apply(model, {name: mask})
    return model


@torch.no_grad()
def set_masks(model: nn.Module, new_masks: masks.Mask) -> None:
    """Replace the masks of Sign-In layers (for pruning during training), zeroing pruned weights."""
    layers = _signin_targets(model)
    for name, mask in new_masks.items():
        if name not in layers:
            raise ValueError(f"{name} is not a Sign-In layer; Sign-In layers are {list(layers)}")
        m, w, p = _factors(*layers[name])
        if mask.shape != p.mask.shape:
            raise ValueError(f"mask for {name} has shape {tuple(mask.shape)}, the weight has {tuple(p.mask.shape)}")
        p.mask.copy_(mask.to(p.mask.device).bool())
        w.mul_(p.mask.to(w.dtype))


# --------------------------------------------------------------------------- diagnostics


@torch.no_grad()
def imbalance_stats(model: nn.Module) -> dict[str, dict[str, float]]:
    """Per Sign-In layer, the mean and the minimum of m^2 - w^2 over its kept weights (beta right after a reset)."""
    return {name: {"mean": float(d.double().mean()), "min": float(d.min())} if d.numel() else
            {"mean": float("nan"), "min": float("nan")} for name, d in imbalance(model).items()}


@torch.no_grad()
def lr_multiplier(model: nn.Module) -> dict[str, float]:
    """Mean of m^2 + w^2 over kept weights, per Sign-In layer and over all of them (``"_all"``).

    A step of size eta on (m, w) moves theta by about -eta (m^2 + w^2) g, and
    m^2 + w^2 = sqrt((m^2 - w^2)^2 + 4 theta^2): sqrt(beta^2 + 4 theta^2) right after a reset. So beta is a
    learning-rate multiplier for the small weights (|theta| << beta), and about 2 |theta| for the large ones.
    """
    out, total, count = {}, 0.0, 0
    for name, (module, tensor) in _signin_targets(model).items():
        m, w, p = _factors(module, tensor)
        s = (m.double() ** 2 + w.double() ** 2)[p.mask]
        out[name] = float(s.mean()) if s.numel() else float("nan")
        total, count = total + float(s.sum()), count + s.numel()
    out["_all"] = total / count if count else float("nan")
    return out


@torch.no_grad()
def kept_signs(model: nn.Module) -> dict[str, torch.Tensor]:
    """The sign (-1, 0, +1, int8) of theta = mask * m * w of every Sign-In layer, zero off the mask."""
    out = {}
    for name, (module, tensor) in _signin_targets(model).items():
        m, w, p = _factors(module, tensor)
        out[name] = torch.where(p.mask, torch.sign(m * w), 0).to(torch.int8)
    return out


def zero_crossings(before: dict[str, torch.Tensor], after: dict[str, torch.Tensor]) -> dict[str, int]:
    """Kept weights whose sign went from + to - or from - to + between two :func:`kept_signs` snapshots.

    A weight that is 0 in either snapshot (off the mask, or exactly zero) does not count. ``"_all"`` sums the layers.
    """
    out = {name: int(((before[name] * after[name].to(before[name].device)) < 0).sum()) for name in after
           if name in before}
    out["_all"] = sum(out.values())
    return out


class ResetDiagnostics:
    """What Sign-In's resets find, measured just before each reset, summed up once per epoch.

    Call :meth:`before_reset` right before :func:`rescale` and :meth:`epoch_end` after each epoch. The first
    snapshot is taken at construction (after a resume: at the resumed epoch's start, exact when resets fall on
    epoch ends).
    """

    def __init__(self, model: nn.Module) -> None:
        self._signs = kept_signs(model)
        self._resets: list[dict] = []

    def before_reset(self, model: nn.Module, step: int) -> None:
        """Record m^2 - w^2 (mean, min per layer) and the zero crossings since the previous reset."""
        now = kept_signs(model)
        self._resets.append({"step": step, "imbalance": imbalance_stats(model),
                             "zero_crossings": zero_crossings(self._signs, now)})
        self._signs = now

    def epoch_end(self, model: nn.Module) -> dict:
        """This epoch's resets, m^2 - w^2 and the learning-rate multiplier now, and the zero crossings since
        the last reset (all of them in a run that never resets); then start the next epoch's list."""
        out = {"resets": self._resets, "imbalance_end": imbalance_stats(model), "lr_multiplier": lr_multiplier(model),
               "zero_crossings_since_reset": zero_crossings(self._signs, kept_signs(model))}
        self._resets = []
        return out
