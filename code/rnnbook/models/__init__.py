"""Models: counting baselines and recurrent networks."""

from .ngram import NGramLM, tune_k
from .rnn_concise import RNNLM
from .rnn_scratch import RNNLMScratch, RNNScratch

__all__ = ["NGramLM", "tune_k", "RNNScratch", "RNNLMScratch", "RNNLM"]
