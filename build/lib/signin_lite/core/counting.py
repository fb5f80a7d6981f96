"""Parameter and FLOP counts, dense and effective (sparse), for one forward pass of one image."""

from __future__ import annotations

import torch
import torch.nn as nn


@torch.no_grad()
def count(model: nn.Module, input_shape: tuple[int, ...] = (3, 32, 32)) -> dict[str, int]:
    """Dense and effective parameter and FLOP counts (FLOPs = 2 x multiply-accumulates of conv and linear layers).

    Effective counts skip weights that are exactly zero in the effective (masked) weight.
    """
    macs_dense, macs_effective, handles = [0], [0], []

    def hook(module: nn.Module, inputs, output) -> None:
        w = module.weight
        per_output = w[0].numel() if isinstance(module, nn.Conv2d) else w.shape[1]
        positions = output.numel() // output.shape[1]  # batch 1: spatial positions per output channel
        density = (w != 0).sum().item() / w.numel()
        macs_dense[0] += positions * output.shape[1] * per_output
        macs_effective[0] += round(positions * output.shape[1] * per_output * density)

    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            handles.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        model(torch.zeros(1, *input_shape, device=device))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()

    weights = {f"{n}.weight": m.weight for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))}
    others = sum(p.numel() for n, p in model.named_parameters()
                 if n not in weights and ".parametrizations." not in f".{n}")
    params_dense = others + sum(w.numel() for w in weights.values())
    params_effective = others + sum(int((w != 0).sum().item()) for w in weights.values())
    return {"params_dense": params_dense, "params_effective": params_effective,
            "flops_dense": 2 * macs_dense[0], "flops_effective": 2 * macs_effective[0]}
