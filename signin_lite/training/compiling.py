"""``torch.compile`` where it pays: the rule that decides whether a run compiles its model, and the wrapper.

``TrainConfig.compile`` asks for ``"on"``, ``"off"`` or ``"auto"`` (the default). Under ``"auto"`` a run compiles
only when it can pay the compile time back: on a CPU or CUDA device, outside DDP, with a C++ compiler for inductor,
and with at least :data:`BREAK_EVEN_STEPS` training steps still to run. The numbers below are the one place this
rule lives; ``bench/README.md`` ("torch.compile in training") shows the measurement behind them::

    decision = compiling.decide(cfg.compile, device, steps=cfg.epochs * steps_per_epoch)
    net = compiling.compile_model(model) if decision.compiled else model
    print(decision.note)                     # "compile: off (auto: 24 steps < 500, the break-even on cpu ...)"

What is compiled is the model's forward and, through AOTAutograd, its backward: the mask and Sign-In
parametrizations are traced into the graph, and masks and (m, w) are graph inputs, so
:func:`signin_lite.core.signin.rescale` and in-place mask updates change them without a recompile. The optimizer
step, the resets and the evaluations run eagerly on the same parameters.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import torch
import torch.nn as nn

MODES = ("auto", "on", "off")

# Training steps a run must have left for "auto" to compile: the compile time divided by the time compiling saves
# per step, rounded up. CPU: bench/compile_vs_eager.py through this module (bench/README.md, "torch.compile in
# training"; 2-core Xeon, 1 torch thread, CPU seconds, batch 128, ResNet-20, 2026-12-03): a cold compile (empty
# inductor cache) costs 35 to 44 s and saves 0.080 to 0.100 s per step (1.22x to 1.28x), so it breaks even after
# 429 to 439 steps; 500 is that rounded up with a margin, since a run just above break-even gains nothing one can
# measure. A cpu-profile run (12 epochs x 39 steps = 468) stays eager; a 20-epoch one (780) compiles. With a warm
# cache (any later run of the same model on the same machine) the compile is 1 to 2 s and breaks even after 10 to
# 20 steps; "auto" does not count on that. CUDA: an estimate, not measured (bench/gpu_all.sh measures it): about 60 s
# of cold compile against a few ms saved per step gives about 10,000 steps, which a gpu-profile run (62,400 steps)
# passes and a cpu-profile run on a GPU does not.
BREAK_EVEN_STEPS: dict[str, int] = {"cpu": 500, "cuda": 10_000}
BREAK_EVEN_SOURCE = "bench/README.md, torch.compile in training"


@dataclass(frozen=True)
class Decision:
    """Whether a run compiles, and why (the ``env.compile_note`` of its record)."""

    compiled: bool
    reason: str

    @property
    def note(self) -> str:
        """The one line a run prints: ``compile: on|off (<reason>)``."""
        return f"compile: {'on' if self.compiled else 'off'} ({self.reason})"


def c_compiler() -> str | None:
    """The C++ compiler inductor would use on a CPU ($CXX, else g++, c++ or clang++ on the PATH), or None."""
    for name in (os.environ.get("CXX"), "g++", "c++", "clang++"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def unsupported(device: torch.device, distributed: bool = False) -> str | None:
    """Why compiling cannot pay on this device or setup, or None when it can."""
    if device.type not in BREAK_EVEN_STEPS:
        return f"torch.compile is not measured on {device.type}"
    if distributed:
        return "not measured under DDP (torchrun)"
    if device.type == "cpu" and c_compiler() is None:
        return "no C++ compiler for inductor (install g++ or set CXX)"
    if not getattr(torch._dynamo, "is_dynamo_supported", lambda: True)():
        return "torch.compile does not support this Python"
    return None


def decide(mode: str, device: torch.device, steps: int, distributed: bool = False) -> Decision:
    """The decision for a run with ``steps`` training steps left: ``"on"`` and ``"off"`` are obeyed, ``"auto"``
    compiles only where :func:`unsupported` finds nothing and ``steps`` reaches :data:`BREAK_EVEN_STEPS`."""
    if mode not in MODES:
        raise ValueError(f"compile={mode!r} is unknown; choose one of {list(MODES)}")
    if mode == "on":
        return Decision(True, "asked for (--compile)")
    if mode == "off":
        return Decision(False, "asked for (--no-compile)")
    why_not = unsupported(device, distributed)
    if why_not is not None:
        return Decision(False, f"auto: {why_not}")
    need = BREAK_EVEN_STEPS[device.type]
    if steps < need:
        return Decision(False, f"auto: {steps} steps < {need}, the break-even on {device.type} ({BREAK_EVEN_SOURCE})")
    return Decision(True, f"auto: {steps} steps >= {need}, the break-even on {device.type} ({BREAK_EVEN_SOURCE})")


def compile_model(model: nn.Module) -> nn.Module:
    """``torch.compile(model)``: a module that shares ``model``'s parameters and buffers (save ``model``'s
    state_dict, not this one's). Compilation happens at its first call."""
    return torch.compile(model)
