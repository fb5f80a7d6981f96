"""What a deployment would see: file size of the saved weights and inference latency.

Works on any ``nn.Module`` (or a state_dict). Models that still carry training-time reparameterizations are
merged on the fly: ``torch.nn.utils.parametrize`` (e.g. Sign-In's ``m * w``) is evaluated, and
``torch.nn.utils.prune``'s ``weight_orig * weight_mask`` is multiplied out.

Storage formats (``FORMATS``):

- ``dense``   plain ``torch.save(state_dict)``;
- ``csr``     every floating-point weight with >= 2 dims as a torch sparse CSR tensor of its 2-D reshape
              (rows = output units, int32 indices), everything else dense;
- ``bitmask`` the same weights as their nonzero values plus a ``numpy.packbits`` bit mask.

Example::

    rec = measure(dense_model, merged_sparse_model, dense_run_id="...", sparse_run_id="...", device="cuda")
    # -> {"schema": "signin_lite.deploy/1", "storage": ..., "latency": ..., "env": ..., "date": ...}
"""

from __future__ import annotations

import hashlib
import io
import json
import statistics
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize

from signin_lite.training import hardware
from signin_lite.foundations import schema

FORMATS = ("dense", "csr", "bitmask")


def _check_fmt(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown storage format {fmt!r}; known formats: {', '.join(FORMATS)}")


def deployable_state_dict(model_or_state_dict) -> dict[str, torch.Tensor]:
    """Plain tensors under their inference names, with parametrizations and prune masks merged."""
    if isinstance(model_or_state_dict, nn.Module):
        sd = dict(model_or_state_dict.state_dict())
        for mod_name, mod in model_or_state_dict.named_modules():
            if not parametrize.is_parametrized(mod):
                continue
            prefix = f"{mod_name}." if mod_name else ""
            for pname in list(mod.parametrizations.keys()):
                inner = f"{prefix}parametrizations.{pname}."
                for k in [k for k in sd if k.startswith(inner)]:
                    del sd[k]
                with torch.no_grad():
                    sd[prefix + pname] = getattr(mod, pname).detach().clone()
    elif isinstance(model_or_state_dict, dict):
        sd = dict(model_or_state_dict)
        odd = [k for k in sd if ".parametrizations." in f".{k}"]
        if odd:
            raise ValueError(f"state_dict holds parametrized weights ({odd[0]}, ...); pass the module instead so "
                             "the parametrization can be evaluated")
    else:
        raise TypeError(f"expected an nn.Module or a state_dict, got {type(model_or_state_dict).__name__}")
    for k in [k for k in sd if k.endswith("_orig")]:  # torch.nn.utils.prune
        base = k[: -len("_orig")]
        if base + "_mask" in sd:
            sd[base] = (sd.pop(k) * sd.pop(base + "_mask")).detach()
    return {k: v.detach() for k, v in sd.items()}


def _is_sparse_candidate(name: str, t: torch.Tensor) -> bool:
    return name.endswith("weight") and t.dim() >= 2 and t.is_floating_point()


def _encode(sd: dict[str, torch.Tensor], fmt: str) -> dict:
    """The object that torch.save writes for ``fmt``."""
    _check_fmt(fmt)
    if fmt == "dense":
        return sd
    tensors = {}
    for name, t in sd.items():
        t = t.detach().cpu()
        if not _is_sparse_candidate(name, t):
            tensors[name] = t
            continue
        flat = t.reshape(t.shape[0], -1)
        if fmt == "csr":
            idx = torch.int32 if flat.numel() < 2 ** 31 else torch.int64
            with warnings.catch_warnings():  # "CSR support is in beta state"
                warnings.filterwarnings("ignore", message=".*[Ss]parse.*")
                csr = flat.to_sparse_csr()
                csr = torch.sparse_csr_tensor(csr.crow_indices().to(idx), csr.col_indices().to(idx),
                                              csr.values(), size=flat.shape, check_invariants=True)
            tensors[name] = {"kind": "csr", "shape": list(t.shape), "csr": csr}
        else:
            nz = flat.reshape(-1) != 0
            bits = np.packbits(nz.numpy().astype(np.uint8))
            tensors[name] = {"kind": "bitmask", "shape": list(t.shape), "values": flat.reshape(-1)[nz].clone(),
                             "bits": torch.from_numpy(bits)}
    return {"format": schema.SPARSE_FILE, "fmt": fmt, "tensors": tensors}


def _decode(obj) -> dict[str, torch.Tensor]:
    if not (isinstance(obj, dict) and obj.get("format") == schema.SPARSE_FILE):
        return dict(obj)  # a plain dense state_dict
    out = {}
    for name, e in obj["tensors"].items():
        if isinstance(e, torch.Tensor):
            out[name] = e
        elif e["kind"] == "csr":
            out[name] = e["csr"].to_dense().reshape(e["shape"])
        elif e["kind"] == "bitmask":
            n = int(np.prod(e["shape"]))
            nz = torch.from_numpy(np.unpackbits(e["bits"].numpy(), count=n).astype(bool))
            flat = torch.zeros(n, dtype=e["values"].dtype)
            flat[nz] = e["values"]
            out[name] = flat.reshape(e["shape"])
        else:
            raise ValueError(f"{name}: unknown stored kind {e['kind']!r}")
    return out


def _save(obj, f) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ss]parse.*")
        torch.save(obj, f)


def storage_bytes(model_or_state_dict, fmt: str = "dense") -> int:
    """Size in bytes of the merged weights saved with torch.save in ``fmt`` (to memory, nothing on disk)."""
    _check_fmt(fmt)
    buf = io.BytesIO()
    _save(_encode(deployable_state_dict(model_or_state_dict), fmt), buf)
    return buf.getbuffer().nbytes


def save_sparse(model_or_state_dict, path, fmt: str = "csr") -> Path:
    """Write the merged weights to ``path`` in ``fmt``; :func:`load_sparse` reads them back exactly."""
    _check_fmt(fmt)
    path = Path(path)
    _save(_encode(deployable_state_dict(model_or_state_dict), fmt), path)
    return path


def load_sparse(path) -> dict[str, torch.Tensor]:
    """A dense state_dict from a file written by :func:`save_sparse` (any format)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ss]parse.*")
        return _decode(torch.load(Path(path), map_location="cpu", weights_only=True))


def weight_sparsity(model_or_state_dict) -> float:
    """Fraction of zeros among the weights that the sparse formats compress (floating, >= 2-D)."""
    sd = deployable_state_dict(model_or_state_dict)
    ws = [t for k, t in sd.items() if _is_sparse_candidate(k, t)]
    total = sum(t.numel() for t in ws)
    return 0.0 if total == 0 else sum(int((t == 0).sum()) for t in ws) / total


# ----------------------------------------------------------------------------------------------- latency
def inference_latency(model: nn.Module, batch_size: int = 1, repeats: int = 50, warmup: int = 10,
                      device: str | torch.device = "cpu", input_shape=(3, 32, 32)) -> dict:
    """Median and IQR of the seconds per forward pass of one batch of random inputs.

    Runs under ``torch.inference_mode`` in eval mode, timed with CUDA events on a GPU and
    ``time.perf_counter`` on the CPU. The model is moved to ``device`` (and its train/eval mode restored).
    """
    if batch_size < 1 or repeats < 1 or warmup < 0:
        raise ValueError(f"need batch_size >= 1, repeats >= 1, warmup >= 0 "
                         f"(got batch_size={batch_size}, repeats={repeats}, warmup={warmup})")
    device = torch.device(device)
    was_training = model.training
    model.to(device).eval()
    x = torch.randn(batch_size, *input_shape, device=device)
    cuda = device.type == "cuda"
    times = []
    try:
        with torch.inference_mode():
            for _ in range(warmup):
                model(x)
            if cuda:
                torch.cuda.synchronize(device)
            for _ in range(repeats):
                if cuda:
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    model(x)
                    end.record()
                    end.synchronize()
                    times.append(start.elapsed_time(end) / 1000.0)
                else:
                    t0 = time.perf_counter()
                    model(x)
                    times.append(time.perf_counter() - t0)
    finally:
        model.train(was_training)
    q1, median, q3 = (statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1
                      else (times[0],) * 3)
    return {"median_s": median, "iqr_s": q3 - q1, "q1_s": q1, "q3_s": q3, "per_item_median_s": median / batch_size,
            "batch_size": batch_size, "repeats": repeats, "warmup": warmup, "device": str(device),
            "timer": "cuda_event" if cuda else "perf_counter"}


def _env(device: torch.device) -> dict:
    """Where the measurement ran, as every record says it (hardware.environment), plus the thread count."""
    return {**hardware.environment(device), "num_threads": torch.get_num_threads(), "platform": sys.platform}


def measure(model_dense: nn.Module, model_sparse: nn.Module, *, dense_run_id: str | None = None,
            sparse_run_id: str | None = None, batch_size: int = 1, repeats: int = 50, warmup: int = 10,
            device: str = "cpu", input_shape=(3, 32, 32), formats=FORMATS) -> dict:
    """Storage (bytes per format, both models) and latency (dense vs merged sparse) as one record.

    ``latency.ratio`` = dense median / sparse median (> 1 means the sparse model is faster).
    The record is JSON-serializable; ``run_id`` hashes the inputs and the date.
    """
    for f in formats:
        _check_fmt(f)
    device = torch.device(device)
    storage = {"dense_model": {f: storage_bytes(model_dense, f) for f in formats},
               "sparse_model": {f: storage_bytes(model_sparse, f) for f in formats}}
    lat_d = inference_latency(model_dense, batch_size, repeats, warmup, device, input_shape)
    lat_s = inference_latency(model_sparse, batch_size, repeats, warmup, device, input_shape)
    date = datetime.now(timezone.utc).isoformat(timespec="seconds")
    source = {"dense_run_id": dense_run_id, "sparse_run_id": sparse_run_id}
    key = json.dumps([source, batch_size, str(device), list(input_shape), date], sort_keys=True)
    return {
        "schema": schema.DEPLOY, "run_id": hashlib.sha1(key.encode()).hexdigest()[:12], "source": source,
        "sparsity": weight_sparsity(model_sparse), "dense_sparsity": weight_sparsity(model_dense),
        "storage": storage,
        "latency": {"batch_size": batch_size, "input_shape": list(input_shape), "dense": lat_d, "sparse": lat_s,
                    "ratio": lat_d["median_s"] / lat_s["median_s"]},
        "env": _env(device), "date": date,
    }
