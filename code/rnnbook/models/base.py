"""The one contract every trainable language model in the book follows.

Explained in ``book/rnn_concise.md``, where a reader writes a model of their own
by subclassing :class:`LanguageModel` and writing ``forward`` alone.

* ``forward(X, state=None) -> (logits, state)``: ``X`` holds token indices,
  (batch, steps); ``logits`` is (batch, steps, vocab). ``state`` is whatever the
  model carries from one step to the next: a tensor (the RNN's hidden state,
  (batch, hidden)) or a tuple of tensors (the LSTM's pair ``(H, C)``).
* ``loss(X, Y, state=None) -> (loss, state)``: the mean cross-entropy of the
  logits against the targets ``Y`` (batch, steps). The base class computes it
  from ``forward``; a model may override it with a cheaper computation of the
  same number.

The trainer (:class:`rnnbook.LanguageModelTrainer`) calls ``loss`` and nothing
else, and :func:`detach_state` cuts a carried state from its graph whatever its
form. The n-gram models are counted, not trained, and stand outside this class.
"""

from __future__ import annotations

from typing import Union

import torch
from torch import nn

from ..metrics import sequence_cross_entropy

State = Union[torch.Tensor, tuple[torch.Tensor, ...]]


def detach_state(state: State | None) -> State | None:
    """``state`` cut from the graph that made it: a tensor, a tuple of them, or None.

    Carrying state across minibatches keeps the values and drops the history,
    so that gradients stop at the minibatch boundary (``book/rnn_scratch.md``).
    """
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    if isinstance(state, tuple):
        return tuple(detach_state(s) for s in state)
    raise TypeError(f"a model's state must be a tensor, a tuple of tensors or None, "
                    f"got {type(state).__name__}")


class LanguageModel(nn.Module):
    """Base class of the book's language models: write ``forward``, inherit ``loss``."""

    def forward(self, X: torch.Tensor,
                state: State | None = None) -> tuple[torch.Tensor, State]:
        """Logits (batch, steps, vocab) for token indices ``X`` (batch, steps)."""
        name = type(self).__name__
        raise NotImplementedError(f"{name} must define forward(X, state)")

    def loss(self, X: torch.Tensor, Y: torch.Tensor,
             state: State | None = None) -> tuple[torch.Tensor, State]:
        """Cross-entropy of ``self(X, state)`` against ``Y``; the state."""
        logits, state = self(X, state)            # (batch, steps, vocab)
        return sequence_cross_entropy(logits, Y), state
