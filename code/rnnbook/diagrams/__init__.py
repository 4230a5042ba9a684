"""Diagrams drawn by code, one module per figure family."""

from .gradient_paths import computational_graph, truncation_strategies
from .charlm import char_lm
from .cells import gru_cell, lstm_cell
from .partition import partition_offsets, sequential_streams
from .tasks import task_shapes
from .unfolded import unfolded_rnn
# Recurrent networks that train in parallel over time (book/parallel_rnn.md).
from .scan import scan_tree

__all__ = ["unfolded_rnn", "partition_offsets", "sequential_streams",
           "computational_graph", "truncation_strategies", "char_lm",
           "task_shapes", "lstm_cell", "gru_cell", "scan_tree"]
# Deep and bidirectional RNNs (book/deep_birnn.md).
from .deep_birnn import bidirectional_rnn, deep_rnn  # noqa: E402
__all__ += ["deep_rnn", "bidirectional_rnn"]
