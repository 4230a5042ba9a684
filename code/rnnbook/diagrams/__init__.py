"""Diagrams drawn by code, one module per figure family."""

from .unfolded import unfolded_rnn

__all__ = ["unfolded_rnn"]
