"""signin_lite: sparse training, lottery tickets and Sign-In in small, readable PyTorch.

The public modules, one idea each:

- ``data``      CIFAR-10 from the official release or an offline image-folder copy, held on the device.
- ``models``    the CIFAR ResNets of He et al. (2016) and the single-neuron toy model.
- ``masks``     pruning at initialization (random, ERK, SNIP, SynFlow, magnitude) and masked weights.
- ``signin``    Sign-In: reparameterize, rescale and merge.
- ``toy``       the single-neuron sign-dynamics experiments of the theory chapter.
- ``train``     the training loop, checkpoints and per-epoch metrics.
- ``records``   run records (one JSON per run) and tables over them.
"""

__version__ = "0.1.0"
