"""Diagrams drawn by code, one module per figure family."""

from .partition import partition_offsets, sequential_streams
from .unfolded import unfolded_rnn

__all__ = ["unfolded_rnn", "partition_offsets", "sequential_streams"]
