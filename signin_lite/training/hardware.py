"""Where a run runs: the device it trains on, and the environment its record names (device, threads, versions,
commit)."""

from __future__ import annotations

import os
import platform

import torch

from signin_lite import __version__
from signin_lite.evidence.records import cpu_name, git_commit


def pick_device(name: str = "auto") -> torch.device:
    """cuda, then mps, then cpu for "auto"; otherwise the named device."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def environment(device: torch.device) -> dict:
    """Where a run ran: device and its name, library versions, commit."""
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        cores, threads = os.cpu_count() or 1, torch.get_num_threads()
        name = cpu_name() + f" ({cores} core{'s' * (cores != 1)}, {threads} thread{'s' * (threads != 1)})"
    return {"device": device.type, "device_name": name, "torch": torch.__version__,
            "python": platform.python_version(), "library_version": __version__, "git_commit": git_commit(),
            "hostname": platform.node()}
