"""rnnbook: the companion package of the executable book on recurrent neural networks.

Each public name is documented on the page that explains it; the pages call the
package, and the tests check it.
"""

from .bptt import (bptt, hidden_gradient_norms, random_problem, random_recurrent_weights,
                   randomized_weights, rnn_lm_loss)
from .data import CorpusError, load_time_machine
from .diagrams import computational_graph, truncation_strategies, unfolded_rnn
from .plotting import use_book_style

__version__ = "0.1.0"

__all__ = ["CorpusError", "load_time_machine", "unfolded_rnn", "use_book_style"]
__all__ += ["bptt", "hidden_gradient_norms", "random_problem", "random_recurrent_weights",
            "randomized_weights", "rnn_lm_loss"]
__all__ += ["computational_graph", "truncation_strategies"]
