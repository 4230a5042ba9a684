"""Data: the corpus, sequences, text, vocabulary and minibatches."""

from .corpus import CorpusError, load_time_machine
from .sequences import lagged_features, synthetic_series
from .tensor_batches import TensorBatches, iterate_minibatches

__all__ = ["CorpusError", "load_time_machine"]
__all__ += ["TensorBatches", "iterate_minibatches", "lagged_features", "synthetic_series"]
