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

from ..data.batching import check_positive_int
from .base import LanguageModel, State


def check_inputs(
    inputs: object, state: object, num_inputs: int, num_hiddens: int, pair: bool
) -> None:
    """Check a recurrent layer's time-major ``inputs`` and its initial ``state``.

    ``inputs`` must be (num_steps, batch, num_inputs); ``state`` None, or for
    ``pair=True`` a pair ``(H, C)`` and otherwise one tensor ``H``, each
    (batch, num_hiddens). Raises a TypeError or ValueError that says what to pass.
    """
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(
            f"inputs must be a tensor (num_steps, batch, num_inputs), "
            f"got {type(inputs).__name__}"
        )
    if inputs.ndim != 3 or inputs.shape[-1] != num_inputs or inputs.shape[0] == 0:
        raise ValueError(
            f"inputs must have shape (num_steps >= 1, batch, num_inputs={num_inputs}), "
            f"got {tuple(inputs.shape)}; inputs are time-major"
        )
    if state is None:
        return
    expected = (inputs.shape[1], num_hiddens)
    parts = state if pair and isinstance(state, tuple) else (state,)
    if pair and not (isinstance(state, tuple) and len(state) == 2):
        raise TypeError(
            "an LSTM's state must be the pair (H, C) of tensors (batch, num_hiddens), "
            f"or None; got {type(state).__name__}"
        )
    for part in parts:
        if not isinstance(part, torch.Tensor):
            raise TypeError(
                f"state must hold tensors (batch, num_hiddens), "
                f"got {type(part).__name__}"
            )
        if tuple(part.shape) != expected:
            raise ValueError(
                f"state has shape {tuple(part.shape)}, expected (batch, num_hiddens) = "
                f"{expected}: pass the state returned for the previous minibatch of "
                "the same size, or None to start from zeros"
            )


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
        if isinstance(rnn, nn.RNNBase) and (
            rnn.num_layers != 1 or rnn.bidirectional or rnn.batch_first
        ):
            raise ValueError(
                "rnn must have one layer, one direction and batch_first=False"
            )
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
        if not isinstance(X, torch.Tensor) or X.dtype != torch.long or X.ndim != 2:
            raise TypeError(
                "X must be an int64 tensor of token indices (batch, num_steps), got "
                f"{type(X).__name__}"
                + (
                    f" {X.dtype} {tuple(X.shape)}"
                    if isinstance(X, torch.Tensor)
                    else ""
                )
            )
        inputs = nn.functional.one_hot(X.T, self.vocab_size).to(
            self.output.weight.dtype
        )
        outputs, state = run_layer(self.rnn, inputs, state)  # (steps, batch, hidden)
        return self.output(outputs).transpose(0, 1), state  # (batch, steps, vocab)
