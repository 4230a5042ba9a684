"""Diagrams drawn by code, one module per figure family."""

from .bptt import computational_graph, truncation_strategies
from .unfolded import unfolded_rnn

__all__ = ["unfolded_rnn"]
__all__ += ["computational_graph", "truncation_strategies"]
