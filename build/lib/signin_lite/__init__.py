"""signin_lite: sparse training, lottery tickets and Sign-In in small, readable PyTorch.

Sub-packages by concern, listed from the bottom up; each imports only from those above it in this list
(``tests/test_layout.py`` checks every import):

- ``foundations``  the method table, the record schemas, the typed run configuration (no torch).
- ``evidence``     run records, the one grouping into settings, statistics, summaries, the four-arm test (no torch).
- ``core``         masks, pruning at initialization, Sign-In, models, sign and parameter counts (PyTorch).
- ``training``     the device, CIFAR-10, the training loop, DDP, lottery tickets, sweeps.
- ``experiments``  the single-neuron toy model and the planted ticket.
- ``decision``     the cost/accuracy worksheet, probe and deployment measurements, the one-page report.
- ``views``        plotly figures and tables for the book.
- ``cli``          ``python -m signin_lite``: one command per task, each with ``--help``.

The three modules of a first sparse run are importable from the top (``from signin_lite import masks, pruning,
signin``); they load on first use, so reading records never imports torch.
"""

import importlib
from types import ModuleType

__version__ = "0.1.0"
_CORE = ("masks", "models", "pruning", "signin")
__all__ = ["__version__", *_CORE]


def __getattr__(name: str) -> ModuleType:
    if name in _CORE:
        return importlib.import_module(f"signin_lite.core.{name}")
    raise AttributeError(f"module 'signin_lite' has no attribute {name!r}")
