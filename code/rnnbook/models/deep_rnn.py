"""A character language model with stacked recurrent layers.

Explained in ``book/deep_birnn.md``: layer 1 reads the one-hot characters,
layer ``j`` reads the hidden states of layer ``j - 1``, and the output layer
reads the top layer. PyTorch's ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` stack
``num_layers`` layers in one object, so the model is one-hot -> layer ->
linear, as in ``book/rnn_concise.md``; only the state gains a leading axis,
one hidden state per layer.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..checks import check_choice, check_sequence, check_sizes
from .base import LanguageModel, State

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class DeepRNNLM(LanguageModel):
    """One-hot tokens -> ``num_layers`` recurrent layers -> ``nn.Linear``.

    ``cell`` is ``"rnn"`` (tanh), ``"gru"`` or ``"lstm"``. ``forward(X, state)
    -> (logits, state)``: X (batch, steps) token indices, logits (batch, steps,
    vocab). The state holds every layer's hidden state, (layers, batch,
    hidden), or for an LSTM the pair of such tensors; None starts from zeros.
    """

    def __init__(self, vocab_size: int, num_hiddens: int, num_layers: int,
                 cell: str = "rnn") -> None:
        super().__init__()
        check_sizes(vocab_size=vocab_size, num_hiddens=num_hiddens,
                    num_layers=num_layers)
        check_choice("cell", cell, tuple(CELLS))
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.num_layers, self.cell = num_layers, cell
        self.rnn = CELLS[cell](vocab_size, num_hiddens, num_layers,
                               batch_first=True)
        self.output = nn.Linear(num_hiddens, vocab_size)

    def forward(self, X: torch.Tensor,
                state: State | None = None) -> tuple[torch.Tensor, State]:
        check_sequence(X, None, self.num_hiddens, vocab_size=self.vocab_size)
        self._check_state(X, state)
        inputs = F.one_hot(X, self.vocab_size).to(self.output.weight.dtype)
        outputs, state = self.rnn(inputs, state)  # (batch, steps, hidden)
        return self.output(outputs), state        # (batch, steps, vocab)

    def _check_state(self, X: torch.Tensor, state: State | None) -> None:
        if state is None:
            return
        want = (self.num_layers, X.shape[0], self.num_hiddens)
        parts = state if isinstance(state, tuple) else (state,)
        if len(parts) != (2 if self.cell == "lstm" else 1):
            raise TypeError(f"a {self.cell} model's state is "
                            + ("a pair (H, C)" if self.cell == "lstm"
                               else "one tensor")
                            + f" of shape {want}, or None")
        for part in parts:
            if not isinstance(part, torch.Tensor) or part.shape != want:
                got = (tuple(part.shape) if isinstance(part, torch.Tensor)
                       else type(part).__name__)
                raise ValueError(
                    f"state has shape {got}, expected (layers, batch, hidden) "
                    f"= {want}: one hidden state per layer; pass the state "
                    "this model returned, or None to start from zeros")
