"""Masks as parametrizations: apply a mask, keep off-mask weights exactly zero, read masks back.

A ``Mask`` maps a parameter name, as ``named_parameters()`` shows it on an
un-parametrized model (``"layer1.0.conv1.weight"``), to a bool tensor of the
same shape. By default (``include="conv_linear"``, what the trainer and the
pruning code use) the ``.weight`` of ``nn.Conv2d`` and ``nn.Linear`` is
maskable; ``include="weights"`` (what ``probe`` uses on a reader's model) adds
every convolution (1-D, 2-D, 3-D, transposed) and ``nn.MultiheadAttention``'s
packed ``in_proj_weight`` (or its separate q/k/v weights; ``out_proj`` is a
Linear), and ``"weights+embedding"`` also ``nn.Embedding``.
Masks are made by :mod:`signin_lite.core.pruning`::

    mask = pruning.make(model, "erk", 0.9, seed=0)
    masks.apply(model, mask)            # weight -> weight * mask, forever
    opt = torch.optim.SGD(model.parameters(), lr=0.1)  # build after apply
    masks.check(model)                  # off-mask effective weights are exactly 0

A mask made with ``torch.nn.utils.prune`` comes in through :func:`from_prune`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize


Mask = dict[str, Tensor]

INCLUDES: tuple[str, ...] = ("conv_linear", "conv", "weights", "weights+embedding")
CONVS: tuple[type, ...] = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
                           nn.ConvTranspose3d)
_MHA_PACKED, _MHA_SEPARATE = ("in_proj_weight",), ("q_proj_weight", "k_proj_weight", "v_proj_weight")


class MaskedWeight(nn.Module):
    """Parametrization ``weight -> weight * mask``; the mask is a bool buffer.

    Off-mask entries of the effective weight are exactly 0 and get exactly 0
    gradient, whatever the optimizer does to the stored weight.
    """

    def __init__(self, mask: Tensor) -> None:
        super().__init__()
        self.register_buffer("mask", mask.detach().to(torch.bool).clone())

    def forward(self, x: Tensor) -> Tensor:
        return torch.where(self.mask, x, 0.0)  # a Python 0: no zero tensor to allocate (or kernel to launch)


# --------------------------------------------------------------------------- names


def split_name(name: str) -> tuple[str, str]:
    """``"layer1.0.conv1.weight"`` -> ``("layer1.0.conv1", "weight")``; ``"attn.in_proj_weight"`` ->
    ``("attn", "in_proj_weight")``; ``"weight"`` -> ``("", "weight")``."""
    module, _, tensor = name.rpartition(".")
    return module, tensor


def _all_maskable(model: nn.Module, kinds: tuple[type, ...], attention: bool = False) -> list[str]:
    names = []
    for prefix, module in model.named_modules():
        if "parametrizations" in prefix.split("."):
            continue  # modules living inside a ParametrizationList
        dot = f"{prefix}." if prefix else ""
        if isinstance(module, kinds):
            names.append(f"{dot}weight")
        elif attention and isinstance(module, nn.MultiheadAttention):  # out_proj is a Linear child, found on its own
            names += [f"{dot}{t}" for t in (_MHA_PACKED if module._qkv_same_embed_dim else _MHA_SEPARATE)]
    return names


def _by_include(model: nn.Module, include: str) -> list[str]:
    if include == "conv_linear":
        return _all_maskable(model, (nn.Conv2d, nn.Linear))
    if include == "conv":
        return _all_maskable(model, (nn.Conv2d,))
    if include == "weights":
        return _all_maskable(model, CONVS + (nn.Linear,), attention=True)
    if include == "weights+embedding":
        return _all_maskable(model, CONVS + (nn.Linear, nn.Embedding, nn.EmbeddingBag), attention=True)
    raise ValueError(f"unknown include {include!r}; known: {INCLUDES} or a list of names")


def _known(model: nn.Module) -> list[str]:
    """Every name a mask may hold: the widest ``include``."""
    return _by_include(model, "weights+embedding")


def maskable_names(model: nn.Module, include: str | Sequence[str] = "conv_linear") -> list[str]:
    """Names of the maskable weights, in model order.

    ``include`` is ``"conv_linear"`` (every Conv2d and Linear weight: the trainer's and the pruning code's
    default), ``"conv"`` (Conv2d only), ``"weights"`` (every convolution, Linear and the attention projections of
    ``nn.MultiheadAttention``), ``"weights+embedding"`` (also embeddings) or an explicit list of names. Works on
    parametrized and ``torch.nn.utils.prune``-d models: names are ``"<module>.weight"`` (or
    ``"<attention>.in_proj_weight"``).
    """
    if isinstance(include, str):
        return _by_include(model, include)
    known = _known(model)
    unknown = [n for n in include if n not in known]
    if unknown:
        raise ValueError(f"not maskable: {unknown}; maskable names are {known}")
    wanted = set(include)
    return [n for n in known if n in wanted]


def owner(model: nn.Module, name: str) -> nn.Module:
    """The module that holds the weight ``name``."""
    layer = split_name(name)[0]
    return model.get_submodule(layer) if layer else model


def _is_pruned(module: nn.Module, tensor: str = "weight") -> bool:
    return hasattr(module, f"{tensor}_orig") and hasattr(module, f"{tensor}_mask")


def effective(module: nn.Module, tensor: str = "weight") -> Tensor:
    """The weight the forward pass uses (recomputed for torch prune, never stale)."""
    if _is_pruned(module, tensor):
        return getattr(module, f"{tensor}_orig") * getattr(module, f"{tensor}_mask")
    return getattr(module, tensor)


def effective_of(model: nn.Module, name: str) -> Tensor:
    """The effective weight called ``name`` (any maskable tensor, ``.weight`` or an attention projection)."""
    return effective(owner(model, name), split_name(name)[1])


# --------------------------------------------------------------------------- reading masks


def effective_weights(model: nn.Module, include: str | Sequence[str] = "conv_linear") -> dict[str, Tensor]:
    """Name -> effective (masked) weight, detached, for every maskable layer."""
    with torch.no_grad():
        return {n: effective_of(model, n).detach() for n in maskable_names(model, include)}


def validate_mask(model: nn.Module, mask: Mapping[str, Tensor], what: str = "mask") -> None:
    """A clear error unless every entry of ``mask`` is a bool tensor of a maskable weight's shape."""
    known = _known(model)
    for name, m in mask.items():
        if name not in known:
            raise ValueError(f"{what} key {name!r} is not maskable; maskable names are {known}")
        if not isinstance(m, Tensor) or m.dtype != torch.bool:
            kind = m.dtype if isinstance(m, Tensor) else type(m).__name__
            raise ValueError(f"{what} for {name} must be a bool tensor, got {kind}")
        with torch.no_grad():
            shape = effective_of(model, name).shape
        if m.shape != shape:
            raise ValueError(
                f"{what} for {name} has shape {tuple(m.shape)}, but the weight has shape {tuple(shape)}"
            )


def from_prune(model: nn.Module) -> Mask:
    """Masks kept by ``torch.nn.utils.prune`` (``weight_mask`` buffers), as bool.

    Only maskable layers are read; prune masks on other modules are ignored.
    """
    out: Mask = {}
    for name in _known(model):
        module, tensor = owner(model, name), split_name(name)[1]
        if _is_pruned(module, tensor):
            out[name] = getattr(module, f"{tensor}_mask").detach().to(torch.bool).clone()
    return out


def current(model: nn.Module) -> Mask:
    """The mask in force: layers without any mask are left out.

    Reads every parametrization on a weight that has a ``mask`` buffer of the
    weight's shape (``MaskedWeight``, Sign-In) and torch prune's ``weight_mask``;
    several masks on one weight are combined with AND.
    """
    out: Mask = {}
    for name in _known(model):
        module, tensor = owner(model, name), split_name(name)[1]
        found = []
        if parametrize.is_parametrized(module, tensor):
            for p in module.parametrizations[tensor]:
                m = getattr(p, "mask", None)
                if isinstance(m, Tensor):
                    found.append(m)
        if _is_pruned(module, tensor):
            found.append(getattr(module, f"{tensor}_mask"))
        if not found:
            continue
        with torch.no_grad():
            shape = effective(module, tensor).shape
        found = [m for m in found if m.shape == shape]
        if found:
            combined = found[0].detach().to(torch.bool).clone()
            for m in found[1:]:
                combined &= m.detach().to(device=combined.device, dtype=torch.bool)
            out[name] = combined
    return out


def from_state_dict(state_dict: Mapping[str, Tensor]) -> Mask:
    """Masks stored in a state_dict (``...parametrizations.weight.<i>.mask`` and
    prune's ``...weight_mask``), so a fresh model can be masked before
    ``load_state_dict``: ``apply(fresh, from_state_dict(sd)); fresh.load_state_dict(sd)``.
    Several masks on one weight are combined with AND.
    """
    out: Mask = {}
    for key, value in state_dict.items():
        parts = key.split(".")
        if len(parts) >= 4 and parts[-4:-2] == ["parametrizations", "weight"] and parts[-1] == "mask":
            name = ".".join(parts[:-4] + ["weight"])
        elif parts[-1] == "weight_mask":
            name = ".".join(parts[:-1] + ["weight"])
        else:
            continue
        m = value.detach().to(torch.bool)
        out[name] = out[name] & m.to(out[name].device) if name in out else m.clone()
    return out


def sparsity(mask: Mask) -> float:
    """Fraction of zeros over all entries (0.0 for an empty mask)."""
    total = sum(m.numel() for m in mask.values())
    kept = sum(int(m.sum()) for m in mask.values())
    return 1.0 - kept / total if total else 0.0


def layer_sparsities(mask: Mask) -> dict[str, float]:
    """Name -> fraction of zeros in that layer."""
    return {n: 1.0 - int(m.sum()) / m.numel() for n, m in mask.items()}


def count_nonzero(model: nn.Module, include: str | Sequence[str] = "conv_linear") -> tuple[int, int]:
    """(nonzero, total) over the effective maskable weights."""
    weights = effective_weights(model, include).values()
    return sum(int((w != 0).sum()) for w in weights), sum(w.numel() for w in weights)


def check(model: nn.Module, mask: Mask | None = None) -> None:
    """Raise RuntimeError if an off-mask effective weight is nonzero.

    ``mask`` defaults to ``current(model)``.
    """
    mask = current(model) if mask is None else mask
    validate_mask(model, mask)
    bad = []
    with torch.no_grad():
        for name, m in mask.items():
            w = effective_of(model, name)
            n = int(((w != 0) & ~m.to(w.device)).sum())
            if n:
                bad.append(f"{name} ({n} of {int((~m).sum())} off-mask weights)")
    if bad:
        raise RuntimeError("nonzero off-mask weights in " + ", ".join(bad))


# --------------------------------------------------------------------------- applying masks


def _masked_weights(module: nn.Module, tensor: str = "weight") -> list[MaskedWeight]:
    if not parametrize.is_parametrized(module, tensor):
        return []
    return [p for p in module.parametrizations[tensor] if isinstance(p, MaskedWeight)]


def apply(model: nn.Module, mask: Mask) -> nn.Module:
    """Mask the named weights with a ``MaskedWeight`` parametrization; returns model.

    Off-mask entries of the stored weight are zeroed in place. A weight that
    already carries a ``MaskedWeight`` gets its mask buffer replaced (no
    stacking). On a weight with another parametrization (e.g. Sign-In) the
    ``MaskedWeight`` is appended to its list and the stored tensors are left
    alone. Weights not in ``mask`` stay as they are. Modules pruned with
    ``torch.nn.utils.prune`` are refused (read them with ``from_prune``).
    """
    validate_mask(model, mask)
    for name in mask:
        if _is_pruned(owner(model, name), split_name(name)[1]):
            raise ValueError(
                f"{name} is managed by torch.nn.utils.prune; call prune.remove on it "
                "or apply the mask (masks.from_prune) to a fresh copy"
            )
    with torch.no_grad():
        for name, m in mask.items():
            module, tensor = owner(model, name), split_name(name)[1]
            existing = _masked_weights(module, tensor)
            if existing:
                plist = module.parametrizations[tensor]
                m = m.to(existing[0].mask.device)
                existing[0].mask.copy_(m)
                for extra in existing[1:]:  # should not happen, but keep one truth
                    extra.mask.fill_(True)
                if plist.is_tensor and plist[0] is existing[0]:
                    plist.original.masked_fill_(~m.to(plist.original.device), 0)
            elif parametrize.is_parametrized(module, tensor):
                device = getattr(module, tensor).device
                parametrize.register_parametrization(module, tensor, MaskedWeight(m.to(device)))
            else:
                weight = getattr(module, tensor)
                m = m.to(weight.device)
                weight.masked_fill_(~m, 0)
                parametrize.register_parametrization(module, tensor, MaskedWeight(m))
    return model


def remove(model: nn.Module) -> nn.Module:
    """Remove ``MaskedWeight`` parametrizations, leaving plain weights with exact
    zeros off-mask. The Parameter object is kept (torch ``set_``s it in place).

    Raises ValueError for a weight whose parametrization list also holds other
    parametrizations (remove those with their own module first).
    """
    targets = []
    for name in _known(model):
        module, tensor = owner(model, name), split_name(name)[1]
        if not _masked_weights(module, tensor):
            continue
        if len(_masked_weights(module, tensor)) != len(module.parametrizations[tensor]):
            others = [type(p).__name__ for p in module.parametrizations[tensor]]
            raise ValueError(f"{name} has other parametrizations {others}; remove them first")
        targets.append((module, tensor))
    for module, tensor in targets:
        parametrize.remove_parametrizations(module, tensor, leave_parametrized=True)
    return model
