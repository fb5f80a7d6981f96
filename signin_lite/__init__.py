"""signin_lite: sparse training, lottery tickets and Sign-In in small, readable PyTorch.

One idea per module (import the ones you need, e.g. ``from signin_lite import masks, signin``):

- ``data``      CIFAR-10 from the official release or an offline image-folder copy, held on the device.
- ``models``    the CIFAR ResNets of He et al. (2016) and the single-neuron toy model.
- ``masks``     pruning at initialization (random, ERK, SNIP, SynFlow, magnitude) and masked weights.
- ``signin``    Sign-In: reparameterize, rescale and merge.
- ``toy``       the single-neuron sign-dynamics experiments of the theory chapter.
- ``planted``   the planted-ticket experiment: a sparse teacher, students on its mask, can they find its signs?
- ``config``    the typed run configuration and its profiles (smoke, cpu, gpu).
- ``train``     the training loop, checkpoints and per-epoch metrics.
- ``lottery``   iterative magnitude pruning (weight and learning-rate rewinding) and sign transplants.
- ``distributed``   one run on many processes under torchrun (DDP; NCCL on GPUs, gloo on CPUs).
- ``sweep``     grids of runs, in turn, several at once, or one by index for a cluster's job array.
- ``records``   run records (one JSON per run) and tables over them.
- ``summary``   mean ± std over seeds, Sign-In gains with confidence intervals, the paper's numbers.
- ``counting``  dense and effective parameter and FLOP counts; ``signs``: sign flips and alignment.
- ``poc``, ``poc_plots``, ``deploy``   the cost/accuracy worksheet and deployment measurements.
- ``poc_inputs``, ``report``, ``report_text``   the worksheet inputs file and the one-page report (JA/EN).
- ``probe``    train-step time, memory and file size of sparse training on the reader's own model.
- ``bottom_line``   the executive summaries' numbers, computed from the records.
- ``plotting``, ``figures``   plotly helpers that render offline in the book, and the chapters' figures.
- ``display``   conclusions as tables and sentences that wrap; smoke-check labels for live runs.
"""

__version__ = "0.1.0"
