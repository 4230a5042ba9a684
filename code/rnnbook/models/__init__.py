"""Models: counting baselines and recurrent networks."""

from .base import LanguageModel, State, detach_state
from .fast import FastRNNLMScratch
from .ngram import NGramLM, tune_k
from .rnn_concise import RNNLM
from .rnn_scratch import RNNLMScratch, RNNScratch

__all__ = ["LanguageModel", "State", "detach_state", "NGramLM", "tune_k", "RNNScratch", "RNNLMScratch", "RNNLM",
           "FastRNNLMScratch"]
