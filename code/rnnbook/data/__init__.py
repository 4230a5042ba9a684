"""Data: the corpus, sequences, text, vocabulary and minibatches."""

from .batching import (
    overlapping_windows,
    random_partition_batches,
    sequential_partition_batches,
)
# A task that needs memory (book/long_memory.md)
from .recall import recall_task
from .corpus import CorpusError, load_time_machine
from .sequences import lagged_features, synthetic_series
from .stats import ngram_counts, zipf_exponent
from .tensor_batches import TensorBatches, iterate_minibatches
from .text import preprocess, tokenize
from .timemachine import TimeMachineData
from .vocab import Vocab

__all__ = [
    "CorpusError", "load_time_machine",
    "lagged_features", "synthetic_series", "TensorBatches", "iterate_minibatches",
    "preprocess", "tokenize", "Vocab", "ngram_counts", "zipf_exponent",
    "random_partition_batches", "sequential_partition_batches", "overlapping_windows",
    "TimeMachineData",
]
__all__ += ["recall_task"]  # book/long_memory.md
# The 3-bit flip-flop (book/attractors.md)
from .flipflop import flipflop_task  # noqa: E402
__all__ += ["flipflop_task"]
# A tagging task where the future helps (book/deep_birnn.md)
from .word_ends import WordEnds, tag_error_rate, word_end_tags  # noqa: E402
__all__ += ["WordEnds", "tag_error_rate", "word_end_tags"]
