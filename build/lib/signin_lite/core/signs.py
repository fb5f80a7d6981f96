"""Per-layer sign statistics: sign flips between two moments, and sign alignment with a reference network."""

from __future__ import annotations

import torch
import torch.nn as nn


@torch.no_grad()
def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    """The sign (-1, 0, +1, as int8) of every conv and linear effective weight, by weight name."""
    return {f"{name}.weight": torch.sign(module.weight.detach()).to(torch.int8)
            for name, module in model.named_modules() if isinstance(module, (nn.Conv2d, nn.Linear))}


def flips(before: dict[str, torch.Tensor], after: dict[str, torch.Tensor]) -> dict[str, int]:
    """Number of weights per layer whose sign went from + to - or - to + (zeros do not count)."""
    return {name: int(((before[name] * after[name]) < 0).sum().item()) for name in before}


def flip_fraction(flip_counts: dict[str, int], signs: dict[str, torch.Tensor]) -> float:
    """Flips as a fraction of the nonzero weights."""
    nonzero = sum(int((s != 0).sum().item()) for s in signs.values())
    return sum(flip_counts.values()) / max(nonzero, 1)


@torch.no_grad()
def alignment(model: nn.Module, reference: dict[str, torch.Tensor]) -> dict[str, float]:
    """Per layer, the fraction of unmasked (nonzero) weights whose sign matches the reference's; ``_all`` pools them.

    ``reference`` maps weight names to reference weights (or signs), e.g. a dense-to-sparse network's.
    """
    current = snapshot(model)
    out, hits, total = {}, 0, 0
    for name, ref in reference.items():
        if name not in current:
            continue
        s = current[name]
        on = s != 0
        n = int(on.sum().item())
        h = int((s[on] == torch.sign(ref.to(s.device)[on]).to(torch.int8)).sum().item())
        out[name] = h / n if n else float("nan")
        hits, total = hits + h, total + n
    out["_all"] = hits / total if total else float("nan")
    return out
