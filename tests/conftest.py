import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from signin_lite.training.recipe import Splits


@pytest.fixture(autouse=True)
def _few_threads():
    torch.set_num_threads(2)


def make_tiny_splits() -> Splits:
    """A tiny learnable stand-in for CIFAR-10 (test fixture only): class k brightens channel k % 3."""
    g = torch.Generator().manual_seed(0)
    def make(n: int):
        y = torch.arange(n) % 10
        x = torch.randint(0, 120, (n, 3, 32, 32), generator=g, dtype=torch.uint8)
        x[torch.arange(n), y % 3] += (y * 12).to(torch.uint8)[:, None, None]
        return x, y
    return Splits(make(64), make(40), None, "synthetic-test-fixture")


@pytest.fixture
def tiny_splits() -> Splits:
    """:func:`make_tiny_splits`, fresh for each test."""
    return make_tiny_splits()


@pytest.fixture(scope="module")
def tiny_splits_module() -> Splits:
    """:func:`make_tiny_splits`, once per test module (for module-scoped runs)."""
    return make_tiny_splits()


@pytest.fixture(scope="session")
def image_folder(tmp_path_factory) -> Path:
    """A CIFAR-10-shaped image folder (PNG; 40 training and 20 test images per class, enough for the smoke
    profile) for command-line runs in subprocesses; same learnable pattern as ``tiny_splits``."""
    from signin_lite.training.data import CLASSES
    folder = tmp_path_factory.mktemp("image_folder")
    rng = np.random.default_rng(0)
    for split, n in (("train", 40), ("test", 20)):
        for k, name in enumerate(CLASSES):
            (folder / split / name).mkdir(parents=True)
            for i in range(n):
                x = rng.integers(0, 120, (32, 32, 3), dtype=np.uint8)
                x[:, :, k % 3] += np.uint8(k * 12)
                Image.fromarray(x).save(folder / split / name / f"{i}.png")
    return folder


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Name the browser the browser tests run on, so that a failure report says which versions it met."""
    lines = []
    for name in ("chromium", "chromedriver"):
        exe = shutil.which(name)
        if exe is None:
            lines.append(f"{name}: not installed")
            continue
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        lines.append(f"{name}: {out.splitlines()[0] if out else 'unknown version'}")
    return lines
