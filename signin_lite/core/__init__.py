"""The math of sparse networks in PyTorch: masks as parametrizations, pruning (making masks), Sign-In,
the models, sign statistics and parameter/FLOP counts."""

__all__ = ["masks", "pruning", "signin", "models", "signs", "counting"]
