"""A language model on any one-layer recurrent layer: one-hot -> layer -> linear scores.

Explained in ``book/gated.md``, where it carries the LSTM and the GRU, each as
PyTorch's layer (``nn.LSTM``, ``nn.GRU``) or as the book's scratch cell
(:class:`rnnbook.LSTMScratch`, :class:`rnnbook.GRUScratch`). The layer is
time-major, ``layer(inputs, state) -> (outputs, state)``. PyTorch's layers keep
a leading axis for stacked layers in their state, (1, batch, hidden); this
class removes it, so the model's state is what the book's contract expects: a
tensor (batch, hidden), or for an LSTM the pair ``(H, C)`` of such tensors.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import (
    check_positive_int,
    check_sequence,
    check_sizes,
    check_torch_layer,
)
from .base import LanguageModel, State


def run_layer(
    layer: nn.Module, inputs: torch.Tensor, state: State | None
) -> tuple[torch.Tensor, State]:
    """``layer(inputs, state)``, the state in the book's form, for any one-layer layer.

    ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` take and return states with a
    leading layer axis, (1, batch, hidden); the book's scratch cells do not.
    """
    if isinstance(layer, nn.RNNBase):
        if state is not None:
            state = (
                tuple(s.unsqueeze(0) for s in state)
                if isinstance(state, tuple)
                else state.unsqueeze(0)
            )
        outputs, state = layer(inputs, state)
        return outputs, (
            tuple(s.squeeze(0) for s in state)
            if isinstance(state, tuple)
            else state.squeeze(0)
        )
    return layer(inputs, state)


def one_hot_layer(
    layer: type[nn.Module], num_hiddens: int, vocab_size: int
) -> nn.Module:
    """``layer(vocab_size, num_hiddens)``, after checking both sizes: a recurrent
    layer that reads one-hot tokens, such as ``nn.GRU`` or ``GRUScratch``."""
    check_sizes(num_hiddens=num_hiddens, vocab_size=vocab_size)
    return layer(vocab_size, num_hiddens)


class RecurrentLM(LanguageModel):
    """One-hot tokens -> a one-layer recurrent ``rnn`` -> ``nn.Linear`` scores.

    ``rnn`` takes ``vocab_size`` inputs and has ``num_hiddens`` units: an
    ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` (one layer, time-major), or a book
    cell such as :class:`rnnbook.LSTMScratch`. ``forward(X, state=None) ->
    (logits, state)``: X (batch, num_steps), logits (batch, num_steps, vocab_size).
    """

    def __init__(self, rnn: nn.Module, vocab_size: int) -> None:
        super().__init__()
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        num_inputs = getattr(rnn, "input_size", getattr(rnn, "num_inputs", None))
        num_hiddens = getattr(rnn, "hidden_size", getattr(rnn, "num_hiddens", None))
        if not isinstance(rnn, nn.Module) or num_inputs is None or num_hiddens is None:
            raise TypeError(
                f"rnn must be a recurrent layer (nn.RNN, nn.GRU, nn.LSTM or a book "
                f"cell), got {type(rnn).__name__}"
            )
        if isinstance(rnn, nn.RNNBase):
            check_torch_layer("rnn", rnn)
        if num_inputs != self.vocab_size:
            raise ValueError(
                f"rnn takes {num_inputs} inputs but the vocabulary has {vocab_size} "
                "tokens: a one-hot input has one entry per token"
            )
        self.rnn, self.num_hiddens = rnn, num_hiddens
        self.output = nn.Linear(num_hiddens, self.vocab_size)

    def forward(
        self, X: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State]:
        check_sequence(X, None, self.num_hiddens, vocab_size=self.vocab_size)
        inputs = nn.functional.one_hot(X.T, self.vocab_size).to(
            self.output.weight.dtype
        )
        outputs, state = run_layer(self.rnn, inputs, state)  # (steps, batch, hidden)
        return self.output(outputs).transpose(0, 1), state  # (batch, steps, vocab)
