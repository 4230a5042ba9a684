"""rnnbook: the companion package of the executable book on recurrent neural networks.

Each public name is documented on the page that explains it; the pages call the
package, and the tests check it.
"""

from .data import CorpusError, load_time_machine
from .diagrams import unfolded_rnn
from .plotting import use_book_style
from .data import TensorBatches, iterate_minibatches, lagged_features, synthetic_series
from .forecasting import (LinearAutoregression, companion_matrix, k_step_predictions,
                          k_step_targets, rollout)
from .training import History, Trainer, default_device, fit

__version__ = "0.1.0"

__all__ = ["CorpusError", "load_time_machine", "unfolded_rnn", "use_book_style"]
__all__ += ["TensorBatches", "iterate_minibatches", "lagged_features", "synthetic_series",
            "LinearAutoregression", "companion_matrix", "k_step_predictions", "k_step_targets",
            "rollout", "History", "Trainer", "default_device", "fit"]
