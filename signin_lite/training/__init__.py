"""Training runs: the hardware a run uses, CIFAR-10 held on the device, the training loop and its records,
DDP under torchrun, lottery tickets (IMP, LRR) and sweeps."""

__all__ = ["hardware", "compiling", "data", "distributed", "stepmatch", "recipe", "train", "lottery", "sweep",
           "regime", "reference_runs"]
