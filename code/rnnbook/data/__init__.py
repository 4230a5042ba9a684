"""Data: the corpus, sequences, text, vocabulary and minibatches."""

from .corpus import CorpusError, load_time_machine

__all__ = ["CorpusError", "load_time_machine"]
