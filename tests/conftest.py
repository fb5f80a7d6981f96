import pytest
import torch

from signin_lite.train import Splits


@pytest.fixture(autouse=True)
def _few_threads():
    torch.set_num_threads(2)


@pytest.fixture
def tiny_splits() -> Splits:
    """A tiny learnable stand-in for CIFAR-10 (test fixture only): class k brightens channel k % 3."""
    g = torch.Generator().manual_seed(0)
    def make(n: int):
        y = torch.arange(n) % 10
        x = torch.randint(0, 120, (n, 3, 32, 32), generator=g, dtype=torch.uint8)
        x[torch.arange(n), y % 3] += (y * 12).to(torch.uint8)[:, None, None]
        return x, y
    return Splits(make(64), make(40), None, "synthetic-test-fixture")
