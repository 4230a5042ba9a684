"""rnnbook: the companion package of the executable book on recurrent neural networks.

Each public name is documented on the page that explains it; the pages call the
package, and the tests check it.
"""

from .data import CorpusError, load_time_machine
from .data import (TimeMachineData, Vocab, ngram_counts, overlapping_windows, preprocess,
                   random_partition_batches, sequential_partition_batches, tokenize, zipf_exponent)
from .diagrams import partition_offsets, sequential_streams
from .metrics import perplexity
from .models import NGramLM
from .tables import table
from .diagrams import unfolded_rnn
from .plotting import use_book_style

__version__ = "0.1.0"

__all__ = ["CorpusError", "load_time_machine", "unfolded_rnn", "use_book_style"]
__all__ += [  # text pipeline, n-gram baselines, perplexity and minibatches (text helper)
    "preprocess", "tokenize", "Vocab", "ngram_counts", "zipf_exponent", "TimeMachineData",
    "random_partition_batches", "sequential_partition_batches", "overlapping_windows",
    "NGramLM", "perplexity", "table", "partition_offsets", "sequential_streams",
]
