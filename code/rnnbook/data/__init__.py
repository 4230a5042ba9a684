"""Data: the corpus, sequences, text, vocabulary and minibatches."""

from .batching import overlapping_windows, random_partition_batches, sequential_partition_batches
from .corpus import CorpusError, load_time_machine
from .stats import ngram_counts, zipf_exponent
from .text import preprocess, tokenize
from .timemachine import TimeMachineData
from .vocab import Vocab

__all__ = [
    "CorpusError", "load_time_machine",
    "preprocess", "tokenize", "Vocab", "ngram_counts", "zipf_exponent",
    "random_partition_batches", "sequential_partition_batches", "overlapping_windows",
    "TimeMachineData",
]
