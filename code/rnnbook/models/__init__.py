"""Models: counting baselines and recurrent networks."""

from .base import LanguageModel, State, detach_state
from .ngram import NGramLM, tune_k
from .rnn_concise import RNNLM
from .rnn_scratch import RNNLMScratch, RNNScratch
# Recurrent networks that train in parallel over time (book/parallel_rnn.md).
from .mingru import MinGRU, MinGRULM, TorchGRULM

__all__ = ["LanguageModel", "State", "detach_state", "NGramLM", "tune_k", "RNNScratch", "RNNLMScratch", "RNNLM"]
# Recurrent networks that train in parallel over time (book/parallel_rnn.md).
__all__ += ["MinGRU", "MinGRULM", "TorchGRULM"]
