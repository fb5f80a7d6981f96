"""Measure sparse training on your own model: train-step time, training memory and file size.

    python -m signin_lite probe --model torchvision:resnet18 --input-shape 3 64 64 --batch-size 8 \\
        --sparsity 0.9 --steps 20                         # writes runs/probe/probe_resnet18_s0.9_<id>.json
    python -m signin_lite probe --model mypackage.models:build_model --input-shape 3 224 224 ...
    python -m signin_lite probe --model mypackage.models:build_lm --input-shape 128 --input-dtype long --vocab 32000

Builds the model three times (dense; masked with an ERK mask; masked + Sign-In) and times SGD training steps
on synthetic inputs, interleaved (dense, masked, Sign-In, dense, ...; the order rotates each round) after one
warm-up round, and reports medians; each variant's per-round times are kept in round order, so that
:mod:`signin_lite.decision.timing` can pair round ``r`` of a variant with round ``r`` of dense.

The mask covers every weight a reader would expect to be sparse (``masks.maskable_names(model, "weights")``):
convolutions of any dimension (transposed too), Linear layers and ``nn.MultiheadAttention``'s projections
(``in_proj_weight`` and ``out_proj``); embeddings only with ``mask_embeddings``. Sign-In reparameterizes the same
tensors. The record lists the weight tensors left dense and the effective sparsity over every weight tensor.

Training memory is counted from the tensors themselves: parameters, gradients, optimizer state and buffers, plus
the tensors autograd saves for the backward pass (on a GPU, the allocator's peak during the step is recorded as
well). The merged Sign-In model's file size is measured with
:mod:`signin_lite.decision.deploy`. Synthetic inputs: the probe measures time and memory only, never accuracy.
One record, schema ``signin_lite.probe/1`` (``results/SCHEMA.md``).
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

from signin_lite.decision import deploy
from signin_lite.core import masks, pruning, signin
from signin_lite.evidence import records
from signin_lite.training import hardware
from signin_lite.foundations import schema

VARIANTS = ("dense", "masked", "masked_signin")
DTYPES = ("float", "long")
SYNTHETIC_NOTE = ("Synthetic inputs (standard normal, or random token ids) and random targets: the probe measures "
                  "training time and memory only, not accuracy.")


# ----------------------------------------------------------------------------------------- the model
def load_model(spec: str) -> nn.Module:
    """``torchvision:NAME`` (untrained weights) or ``package.module:function`` called with no arguments."""
    if not isinstance(spec, str) or spec.count(":") != 1 or not all(spec.split(":")):
        raise ValueError(f"--model {spec!r}: expected torchvision:NAME or package.module:function "
                         "(e.g. torchvision:resnet18, mypackage.models:build_model)")
    module_name, attr = spec.split(":")
    if module_name == "torchvision":
        import torchvision  # deferred: only torchvision:NAME models need it (slow to import)
        try:
            return torchvision.models.get_model(attr, weights=None)
        except ValueError:
            known = ", ".join(sorted(torchvision.models.list_models())[:8])
            raise ValueError(f"--model {spec!r}: torchvision has no model {attr!r} (e.g. {known}, ...)") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"--model {spec!r}: cannot import module {module_name!r} ({e}); check the path and that "
                         "the package is installed or on PYTHONPATH") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise ValueError(f"--model {spec!r}: module {module_name!r} has no callable {attr!r}")
    model = factory()
    if not isinstance(model, nn.Module):
        raise ValueError(f"--model {spec!r}: {attr}() returned {type(model).__name__}, not a torch.nn.Module")
    return model


def check_args(sparsity: float, input_shape, batch_size: int, steps: int, input_dtype: str = "float",
               vocab: int | None = None) -> None:
    """Clear errors for values the probe cannot use."""
    if input_dtype not in DTYPES:
        raise ValueError(f"--input-dtype must be one of {', '.join(DTYPES)} (got {input_dtype!r})")
    if input_dtype == "long" and (isinstance(vocab, bool) or not isinstance(vocab, int) or vocab < 1):
        raise ValueError(f"--input-dtype long needs --vocab N, the number of token ids (got {vocab!r})")
    if isinstance(sparsity, bool) or not isinstance(sparsity, (int, float)) or not 0.0 <= sparsity < 1.0:
        raise ValueError(f"--sparsity must be in [0, 1) (got {sparsity!r}); 0.9 keeps 10% of the weights")
    if not input_shape or any(not isinstance(d, int) or d < 1 for d in input_shape):
        raise ValueError(f"--input-shape must be positive integers, one input without the batch (got {input_shape!r})")
    for name, v in (("--batch-size", batch_size), ("--steps", steps)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive integer (got {v!r})")


def _first_tensor(out: Any) -> torch.Tensor:
    if isinstance(out, torch.Tensor):
        return out
    values = out.values() if isinstance(out, dict) else out if isinstance(out, (list, tuple)) else []
    for v in values:
        if isinstance(v, torch.Tensor):
            return v
    raise ValueError(f"the model returned {type(out).__name__}; the probe needs a tensor (or a tuple/dict of them)")


def _objective(model: nn.Module, x: torch.Tensor, spec: str, num_classes: int | None) -> tuple[str, torch.Tensor]:
    """Run one forward pass to check the shape; return the objective and synthetic targets."""
    model.eval()
    try:
        with torch.no_grad():
            out = _first_tensor(model(x))
    except ValueError:
        raise
    except Exception as e:  # whatever the model raises for a wrong shape or dtype
        if x.is_floating_point() and any(isinstance(m, (nn.Embedding, nn.EmbeddingBag)) for m in model.modules()):
            raise ValueError(f"--model {spec!r} rejects float inputs ({type(e).__name__}: {e}); it has an embedding, "
                             "so it probably takes token ids: give --input-dtype long --vocab N (and --input-shape "
                             "as the sequence length, e.g. 128)") from None
        raise ValueError(f"--model {spec!r} rejects inputs of shape {tuple(x.shape)} (batch first): "
                         f"{type(e).__name__}: {e}. Give --input-shape as one input without the batch, "
                         "e.g. 3 224 224") from None
    model.train()
    g = torch.Generator().manual_seed(0)
    if out.dim() == 2 and out.shape[1] > 1:
        n = num_classes or out.shape[1]
        return "cross_entropy", torch.randint(0, n, (x.shape[0],), generator=g).to(x.device)
    return "mean_square", torch.zeros_like(out)


# ------------------------------------------------------------------------------------------ measuring
def variants(model: nn.Module, sparsity: float, beta: float, include: str) -> tuple[dict[str, nn.Module], dict]:
    if not masks.maskable_names(model, include):
        raise ValueError(f"the model ({type(model).__name__}) has no convolution, linear or attention weight: there "
                         "are no weights for a sparse mask (the probe measures sparse training of those)")
    mask = pruning.make(model, "erk", sparsity, seed=0, include=include)
    dense, masked, signed = (copy.deepcopy(model) for _ in range(3))
    masks.apply(masked, mask)
    masks.apply(signed, mask)
    signin.reparameterize(signed, beta=beta)
    return {"dense": dense, "masked": masked, "masked_signin": signed}, mask


def weight_coverage(model: nn.Module, mask: masks.Mask, include: str) -> dict:
    """What the mask covers: the masked tensors and their sparsity, the weight tensors (every parameter of two or
    more dimensions) left dense, and the effective sparsity over all of them."""
    weights = {n: p for n, p in model.named_parameters() if p.dim() >= 2}
    zeros = sum(int((~m).sum()) for m in mask.values())
    masked_total = sum(m.numel() for m in mask.values())
    total = sum(p.numel() for p in weights.values())
    dense = [{"name": n, "numel": p.numel()} for n, p in weights.items() if n not in mask]
    return {"include": include, "masked": list(mask), "masked_sparsity": zeros / masked_total if masked_total else 0.0,
            "left_dense": dense, "effective_sparsity": zeros / total if total else 0.0,
            "weight_params": total}


def _tensor_bytes(tensors) -> int:
    seen, total = set(), 0
    for t in tensors:
        if t is None:
            continue
        key = (t.untyped_storage().data_ptr(), t.device)
        if key not in seen:
            seen.add(key)
            total += t.untyped_storage().nbytes()
    return total


def _step(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, target: torch.Tensor,
          objective: str) -> tuple[float, int, int | None]:
    """One SGD step: seconds, bytes saved for backward, and the CUDA allocator's peak (None on a CPU)."""
    saved: list[torch.Tensor] = []
    cuda = x.device.type == "cuda"
    if cuda:
        torch.cuda.synchronize(x.device)
        torch.cuda.reset_peak_memory_stats(x.device)
    t0 = time.perf_counter()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        out = _first_tensor(model(x))
        loss = F.cross_entropy(out.float(), target) if objective == "cross_entropy" else F.mse_loss(out.float(), target)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if cuda:
        torch.cuda.synchronize(x.device)
    seconds = time.perf_counter() - t0
    return seconds, _tensor_bytes(saved), torch.cuda.max_memory_allocated(x.device) if cuda else None


def _state_bytes(model: nn.Module, opt: torch.optim.Optimizer) -> int:
    params = list(model.parameters())
    state = [v for s in opt.state.values() for v in s.values() if isinstance(v, torch.Tensor)]
    return _tensor_bytes(params + [p.grad for p in params] + state + list(model.buffers()))


def measure(models: dict[str, nn.Module], x: torch.Tensor, target: torch.Tensor, objective: str,
            steps: int) -> dict[str, dict]:
    """Interleaved training steps (one warm-up round, then ``steps`` rounds, order rotating): medians."""
    opts = {k: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9) for k, m in models.items()}
    log: dict[str, list[tuple]] = {k: [] for k in models}
    order = list(models)
    for r in range(steps + 1):
        for k in order[r % len(order):] + order[:r % len(order)]:
            result = _step(models[k], opts[k], x, target, objective)
            if r > 0:
                log[k].append(result)
    out = {}
    for k, rows in log.items():
        times = [t for t, _, _ in rows]
        q = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else [times[0]] * 3
        state, saved = _state_bytes(models[k], opts[k]), int(statistics.median(s for _, s, _ in rows))
        cuda = [c for _, _, c in rows if c is not None]
        out[k] = {"step_time_s": statistics.median(times), "step_time_iqr_s": q[2] - q[0], "step_times_s": times,
                  "state_bytes": state, "saved_for_backward_bytes": saved, "peak_memory_bytes": state + saved,
                  "memory_kind": "tensor_bytes", "cuda_max_memory_allocated": max(cuda) if cuda else None}
    return out


def _storage(models: dict[str, nn.Module]) -> dict:
    merged = signin.merge(copy.deepcopy(models["masked_signin"]))
    by_format = {f: deploy.storage_bytes(merged, f) for f in deploy.FORMATS}
    best = min(by_format, key=by_format.get)
    return {"dense_bytes": deploy.storage_bytes(models["dense"], "dense"), "merged_sparse_bytes": by_format[best],
            "format": best, "merged_by_format": by_format}


# ------------------------------------------------------------------------------------------- the record
def probe(spec: str, input_shape, *, batch_size: int = 8, sparsity: float = 0.9, steps: int = 5,
          num_classes: int | None = None, device: str = "cpu", beta: float = 1.0,
          model_factory: Callable[[], nn.Module] | None = None, input_dtype: str = "float",
          vocab: int | None = None, mask_embeddings: bool = False) -> dict:
    """Build, check and measure; return the record (nothing written)."""
    input_shape = [int(d) if isinstance(d, int) else d for d in input_shape]
    check_args(sparsity, input_shape, batch_size, steps, input_dtype, vocab)
    dev = torch.device(device)
    torch.manual_seed(0)
    model = (model_factory or (lambda: load_model(spec)))().to(dev)
    gen = torch.Generator().manual_seed(0)
    x = (torch.randint(0, vocab, (batch_size, *input_shape), generator=gen) if input_dtype == "long"
         else torch.randn(batch_size, *input_shape, generator=gen)).to(dev)
    include = "weights+embedding" if mask_embeddings else "weights"
    models, mask = variants(model, sparsity, beta, include)
    objective, target = _objective(models["dense"], x, spec, num_classes)
    load_before = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    meas = measure(models, x, target, objective, steps)
    load_after = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    d = meas["dense"]
    rec = {"schema": schema.PROBE, "model": {"spec": spec, "class": type(model).__name__,
                                       "params": sum(p.numel() for p in model.parameters()),
                                       "masked_layers": len(mask)},
           "input": {"shape": input_shape, "batch_size": batch_size, "dtype": "int64" if input_dtype == "long"
                     else "float32", "vocab": vocab if input_dtype == "long" else None, "synthetic": True,
                     "note": SYNTHETIC_NOTE},
           "weights": weight_coverage(model, mask, include), "interleaved": True,
           "load_average": {"before": load_before, "after": load_after, "cpu_count": os.cpu_count()},
           "objective": objective, "sparsity": float(sparsity), "mask": "erk", "signin": {"beta": beta},
           "optimizer": "SGD, lr 0.01, momentum 0.9", "steps": steps, "warmup_rounds": 1,
           "measurements": meas, "storage": _storage(models),
           "ratios": {f"{k}_vs_dense": {"step_time": meas[k]["step_time_s"] / d["step_time_s"],
                                        "memory": meas[k]["peak_memory_bytes"] / d["peak_memory_bytes"]}
                      for k in VARIANTS[1:]},
           "env": hardware.environment(dev), "date": records.now(), "status": "complete"}
    key = json.dumps([spec, input_shape, batch_size, sparsity, steps, device, rec["date"]])
    rec["run_id"] = hashlib.sha1(key.encode()).hexdigest()[:12]
    slug = "".join(c if c.isalnum() else "_" for c in spec.split(":")[-1])
    rec["name"] = f"probe_{slug}_s{sparsity:g}_{rec['run_id']}"
    validate(rec)
    return rec


_REQUIRED = {"schema": str, "run_id": str, "name": str, "model": dict, "input": dict, "sparsity": float,
             "steps": int, "measurements": dict, "storage": dict, "env": dict, "date": str, "status": str}


def validate(rec: dict) -> dict:
    """Check a probe record's shape (raises ValueError naming the field); returns it."""
    for key, kind in _REQUIRED.items():
        if not isinstance(rec.get(key), kind):
            raise ValueError(f"probe record {rec.get('name', '?')}: field {key!r} must be {kind.__name__} "
                             f"(got {type(rec.get(key)).__name__})")
    if rec["schema"] != schema.PROBE:
        raise ValueError(f"probe record {rec['name']}: schema {rec['schema']!r}, expected {schema.PROBE!r}")
    for v in VARIANTS:
        m = rec["measurements"].get(v)
        if not isinstance(m, dict) or not m.get("step_time_s", 0) > 0 or not m.get("peak_memory_bytes", 0) > 0:
            raise ValueError(f"probe record {rec['name']}: measurements.{v} needs step_time_s and "
                             "peak_memory_bytes > 0")
    if rec["input"].get("synthetic") is not True:
        raise ValueError(f"probe record {rec['name']}: input.synthetic must be true (the probe uses synthetic inputs)")
    return rec


def run(spec: str, input_shape, *, out: str | Path = "runs/probe", **kw) -> tuple[dict, Path]:
    """:func:`probe`, then write the record to ``out/<name>.json`` (atomically)."""
    rec = probe(spec, input_shape, **kw)
    return rec, records.write_record(rec, out)


def describe(rec: dict) -> str:
    """A few lines: medians and ratios against dense."""
    lines = [f"{rec['model']['spec']} ({rec['model']['params']:,} parameters), input {rec['input']['shape']} x "
             f"batch {rec['input']['batch_size']} (synthetic), sparsity {rec['sparsity']:g}, {rec['steps']} steps"]
    w = rec.get("weights")
    if w:
        dense = ", ".join(t["name"] for t in w["left_dense"][:6]) + (", ..." if len(w["left_dense"]) > 6 else "")
        lines.append(f"  masked {len(w['masked'])} tensors at {w['masked_sparsity']:.3f}; effective sparsity over "
                     f"all weights {w['effective_sparsity']:.3f}; left dense: {dense or 'none'}")
    d = rec["measurements"]["dense"]
    for k in VARIANTS:
        m = rec["measurements"][k]
        lines.append(f"  {k:14s} step {1e3 * m['step_time_s']:8.1f} ms (x{m['step_time_s'] / d['step_time_s']:.2f})"
                     f"  memory {m['peak_memory_bytes'] / 2 ** 20:8.1f} MiB "
                     f"(x{m['peak_memory_bytes'] / d['peak_memory_bytes']:.2f})")
    s = rec["storage"]
    lines.append(f"  file size: dense {s['dense_bytes']:,} B, merged sparse {s['merged_sparse_bytes']:,} B "
                 f"({s['format']})")
    return "\n".join(lines)
