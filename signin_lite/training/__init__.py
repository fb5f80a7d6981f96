"""Training runs: the device, CIFAR-10 on the device, the training loop and its records, DDP under
torchrun, lottery tickets (IMP, LRR) and sweeps."""

__all__ = ["data", "distributed", "train", "lottery", "sweep"]
