"""Models: counting baselines and recurrent networks."""

from .base import LanguageModel, State, detach_state
from .fast import FastRNNLMScratch
from .ngram import NGramLM, tune_k
from .rnn_concise import RNNLM
from .rnn_scratch import RNNLMScratch, RNNScratch
# Long memory and gated cells (book/long_memory.md, book/gated.md)
from .classifier import (SequenceClassifier, accuracy, first_state_gradient,
                         fit_recall, longest_lag_held, recall_sweep,
                         start_remembering)
from .gates import gate_trace
from .gru import GRULM, GRUScratch
from .lstm import LSTMLM, LSTMScratch
from .recurrent_lm import RecurrentLM
# Recurrent networks that train in parallel over time (book/parallel_rnn.md).
from .mingru import MinGRU, MinGRULM, MinLSTM, MinLSTMLM

__all__ = ["LanguageModel", "State", "detach_state", "NGramLM", "tune_k",
           "RNNScratch", "RNNLMScratch", "RNNLM", "FastRNNLMScratch"]
# Long memory and gated cells
__all__ += ["SequenceClassifier", "accuracy", "first_state_gradient", "fit_recall",
            "longest_lag_held", "recall_sweep", "start_remembering", "gate_trace",
            "GRULM",
            "GRUScratch", "LSTMLM", "LSTMScratch", "RecurrentLM"]

__all__ += ["MinGRU", "MinGRULM", "MinLSTM", "MinLSTMLM"]
# Memory as attractors: the 3-bit flip-flop (book/attractors.md).
from .flipflop import FlipFlopNet, fit_flipflop, sign_accuracy  # noqa: E402
__all__ += ["FlipFlopNet", "fit_flipflop", "sign_accuracy"]
# Deep and bidirectional RNNs (book/deep_birnn.md).
from .birnn import BiRNN, SequenceTagger  # noqa: E402
from .deep_rnn import DeepRNNLM  # noqa: E402
__all__ += ["BiRNN", "SequenceTagger", "DeepRNNLM"]
