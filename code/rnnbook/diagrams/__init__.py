"""Diagrams drawn by code, one module per figure family."""

from .bptt import computational_graph, truncation_strategies
from .charlm import char_lm
from .cells import gru_cell, lstm_cell  # book/gated.md
from .partition import partition_offsets, sequential_streams
from .unfolded import unfolded_rnn

__all__ = ["unfolded_rnn", "partition_offsets", "sequential_streams",
           "computational_graph", "truncation_strategies", "char_lm"]
__all__ += ["lstm_cell", "gru_cell"]  # book/gated.md
