"""Small experiments that need no data set: the single-neuron toy model and the planted ticket."""

__all__ = ["toy", "planted", "regime_test"]
