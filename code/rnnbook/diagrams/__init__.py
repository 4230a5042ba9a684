"""Diagrams drawn by code, one module per figure family."""

from .bptt import computational_graph, truncation_strategies
from .charlm import char_lm
from .partition import partition_offsets, sequential_streams
from .unfolded import unfolded_rnn
# Recurrent networks that train in parallel over time (book/parallel_rnn.md).
from .scan import scan_tree

__all__ = ["unfolded_rnn", "partition_offsets", "sequential_streams",
           "computational_graph", "truncation_strategies", "char_lm"]
__all__ += ["scan_tree"]
