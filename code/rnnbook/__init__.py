"""rnnbook: the companion package of the executable book on recurrent neural
networks.

Each public name is documented on the page that explains it; the pages call the
package, and the tests check it.
"""

# Data: the corpus, sequences, text, vocabulary, minibatches.
from .data import (CorpusError, TensorBatches, TimeMachineData, Vocab,
                   iterate_minibatches, lagged_features, load_time_machine,
                   ngram_counts, overlapping_windows, preprocess,
                   random_partition_batches, sequential_partition_batches,
                   synthetic_series, tokenize, zipf_exponent)
# Diagrams drawn by code, and the book's plotting style and tables.
from .diagrams import (char_lm, computational_graph, partition_offsets,
                       sequential_streams, truncation_strategies, unfolded_rnn)
from .diagrams import task_shapes  # the opening page's task shapes (issue 16)
from .plotting import plot_grad_norms, plot_history, use_book_style
from .tables import table
from .pages import glue
# One way to seed (RNNBOOK_SEED_OFFSET shifts every seed: the robustness build).
from .seeding import generator, offset_seed, seed, seed_offset
# The machine a page's timings describe.
from .machine import describe_machine
# Models, metrics, training, forecasting.
from .forecasting import (LinearAutoregression, companion_matrix,
                          k_step_predictions, k_step_targets, rollout)
from .metrics import perplexity, sequence_cross_entropy, stream_perplexity
from .models import (RNNLM, LanguageModel, NGramLM, RNNLMScratch, RNNScratch,
                     detach_state)
# The appendix's fast model (book/fast_rnn.md).
from .models.fast import FastRNNLMScratch
from .training import (History, LanguageModelTrainer, Trainer, clip_gradients,
                       default_device, fit, fit_language_model, gradient_norm)
from .decoding import predict
# Backpropagation through time, by hand.
from .bptt import (BPTTTrainer, bptt_gradients, compare_strategies, flat_gradient,
                   hidden_gradient_norms, hidden_states, random_problem,
                   random_recurrent_weights, randomized_weights, rnn_lm_loss,
                   scratch_params)
# Long memory and gated cells (book/long_memory.md, book/gated.md).
from .data import recall_task
from .diagrams.cells import gru_cell, lstm_cell
from .models import (GRULM, LSTMLM, GRUScratch, LSTMScratch, RecurrentLM,
                     SequenceClassifier, accuracy, first_state_gradient,
                     fit_recall, gate_trace, longest_lag_held, recall_sweep,
                     start_remembering)

# Recurrent networks that train in parallel over time (book/parallel_rnn.md).
from .models import MinGRU, MinGRULM, MinLSTM, MinLSTMLM
from .scan import linear_recurrence, scan_schedule, work_and_depth
from .diagrams import scan_tree
# One protocol for the whole-novel language models (book/rnn_concise.md, book/gated.md).
from .novel import NOVEL, NovelProtocol, fit_on_novel

# Looking inside a trained network (book/inside.md).
from .data.as_written import NovelAsWritten
from .models.char_lm import CharLM, sample_chars, train_char_lm
from . import interpret

__version__ = "0.1.0"

__all__ = [
    # data
    "CorpusError", "load_time_machine", "lagged_features", "synthetic_series",
    "TensorBatches", "iterate_minibatches", "preprocess", "tokenize", "Vocab",
    "ngram_counts", "zipf_exponent", "TimeMachineData", "random_partition_batches",
    "sequential_partition_batches", "overlapping_windows",
    # diagrams, plotting, tables
    "unfolded_rnn", "partition_offsets", "sequential_streams", "computational_graph",
    "truncation_strategies", "use_book_style", "table", "glue",
    # models, metrics, training, forecasting
    "LinearAutoregression", "companion_matrix", "k_step_predictions", "k_step_targets",
    "rollout", "perplexity", "NGramLM", "History", "Trainer", "default_device", "fit",
    # backpropagation through time
    "bptt_gradients", "hidden_gradient_norms", "hidden_states", "random_problem",
    "random_recurrent_weights", "randomized_weights", "rnn_lm_loss", "BPTTTrainer",
    "compare_strategies", "flat_gradient", "scratch_params",
    # recurrent language models: models, training, decoding, figures
    "LanguageModel", "detach_state", "RNNScratch", "RNNLMScratch", "RNNLM",
    "sequence_cross_entropy", "stream_perplexity", "clip_gradients", "gradient_norm",
    "LanguageModelTrainer", "fit_language_model", "predict", "char_lm",
    "plot_history", "plot_grad_norms",
    # the opening page's task shapes (issue 16)
    "task_shapes",
    # the appendix's fast model
    "FastRNNLMScratch",
]
# Long memory and gated cells
__all__ += ["recall_task", "gru_cell", "lstm_cell", "GRULM", "LSTMLM", "GRUScratch",
            "LSTMScratch", "RecurrentLM", "SequenceClassifier", "accuracy",
            "first_state_gradient", "gate_trace",

            "fit_recall", "longest_lag_held", "recall_sweep", "start_remembering"]
# Recurrent networks that train in parallel over time (book/parallel_rnn.md).
__all__ += ["MinGRU", "MinGRULM", "MinLSTM", "MinLSTMLM", "linear_recurrence",
            "scan_schedule", "work_and_depth", "scan_tree"]
# One protocol for the whole-novel language models (book/rnn_concise.md, book/gated.md).
__all__ += ["NOVEL", "NovelProtocol", "fit_on_novel"]
# One way to seed (book-wide seed offset for the robustness build).
__all__ += ["seed", "generator", "offset_seed", "seed_offset", "describe_machine"]
# Looking inside a trained network (book/inside.md).
__all__ += ["NovelAsWritten", "CharLM", "sample_chars", "train_char_lm",
            "interpret"]
# Memory as attractors (book/attractors.md).
from .data import flipflop_task  # noqa: E402
from .models import FlipFlopNet, fit_flipflop, sign_accuracy  # noqa: E402
from .fixed_points import (FixedPoints, find_fixed_points,  # noqa: E402
                           iterate, leading_direction, perturbation_decay,
                           scalar_fixed_points, state_gradient_norm)
__all__ += ["flipflop_task", "FlipFlopNet", "fit_flipflop", "sign_accuracy",
            "FixedPoints", "find_fixed_points", "iterate", "leading_direction",
            "perturbation_decay", "scalar_fixed_points", "state_gradient_norm"]
# Deep and bidirectional RNNs (book/deep_birnn.md).
from .data import WordEnds, tag_error_rate, word_end_tags  # noqa: E402
from .models import BiRNN, DeepRNNLM, SequenceTagger  # noqa: E402
from .diagrams import bidirectional_rnn, deep_rnn  # noqa: E402
__all__ += ["WordEnds", "tag_error_rate", "word_end_tags", "BiRNN",
            "DeepRNNLM", "SequenceTagger", "deep_rnn", "bidirectional_rnn"]
