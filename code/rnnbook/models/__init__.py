"""Models: counting baselines and recurrent networks."""

from .ngram import NGramLM, tune_k

__all__ = ["NGramLM", "tune_k"]
