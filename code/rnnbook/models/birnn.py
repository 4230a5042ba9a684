"""The bidirectional RNN, and a model that tags every position of a sequence.

Explained in ``book/deep_birnn.md``. :class:`BiRNN` runs two independent
one-layer RNNs over the same inputs, one from the first step to the last and
one from the last to the first, and concatenates their states step by step:
the state at step ``t`` summarises the inputs before ``t`` (forward half) and
after ``t`` (backward half), both including ``t``. It computes what
``nn.RNN(..., bidirectional=True)`` computes, written so that the two passes
can be seen.

:class:`SequenceTagger` puts one score vector on every position: one-hot
tokens -> an RNN in one or both directions -> ``nn.Linear``. It follows the
contract of :class:`rnnbook.LanguageModel` (``forward(X, state) -> (logits,
state)`` and the shared cross-entropy), so the book's trainer trains it; only
the targets are tags. With ``num_tags = vocab_size`` and the next token as the
tag it *is* a language model, and the page shows why the bidirectional one
cheats.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..checks import check_choice, check_sequence, check_sizes
from .base import LanguageModel

CELLS = {"rnn": nn.RNN, "gru": nn.GRU}


class BiRNN(nn.Module):
    """Two one-layer RNNs over the same inputs, in opposite directions.

    ``forward(inputs) -> states``: inputs (batch, steps, num_inputs) floats,
    states (batch, steps, 2 * num_hiddens); ``states[:, t, :num_hiddens]`` is
    the forward pass after reading steps ``0..t``,
    ``states[:, t, num_hiddens:]`` the backward pass after reading steps
    ``t..steps-1``. Both start from zeros.
    """

    def __init__(self, num_inputs: int, num_hiddens: int,
                 cell: str = "rnn") -> None:
        super().__init__()
        check_sizes(num_inputs=num_inputs, num_hiddens=num_hiddens)
        check_choice("cell", cell, tuple(CELLS))
        self.num_inputs, self.num_hiddens = num_inputs, num_hiddens
        layer = CELLS[cell]
        self.forward_rnn = layer(num_inputs, num_hiddens, batch_first=True)
        self.backward_rnn = layer(num_inputs, num_hiddens, batch_first=True)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if (not isinstance(inputs, torch.Tensor) or inputs.ndim != 3
                or inputs.shape[-1] != self.num_inputs or 0 in inputs.shape):
            got = (tuple(inputs.shape) if isinstance(inputs, torch.Tensor)
                   else type(inputs).__name__)
            raise ValueError(f"inputs must be (batch, steps, num_inputs="
                             f"{self.num_inputs}) floats, batch first, got "
                             f"{got}")
        H_fwd, _ = self.forward_rnn(inputs)              # (batch, steps, h)
        H_bwd, _ = self.backward_rnn(inputs.flip(1))     # reads last to first
        H_bwd = H_bwd.flip(1)                            # back in input order
        return torch.cat([H_fwd, H_bwd], dim=-1)         # (batch, steps, 2h)

    @torch.no_grad()
    def load_from_torch(self, layer: nn.RNNBase) -> BiRNN:
        """Copy the weights of ``nn.RNN(..., bidirectional=True)`` (or GRU) in.

        PyTorch names the backward direction's weights with a ``_reverse``
        suffix; returns ``self``.
        """
        if not (isinstance(layer, nn.RNNBase) and layer.bidirectional
                and layer.num_layers == 1
                and type(layer) is type(self.forward_rnn)
                and layer.hidden_size == self.num_hiddens
                and layer.input_size == self.num_inputs):
            raise ValueError(
                f"layer must be a one-layer bidirectional "
                f"nn.{type(self.forward_rnn).__name__}({self.num_inputs}, "
                f"{self.num_hiddens}, bidirectional=True), got {layer!r}")
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(self.forward_rnn, f"{name}_l0").copy_(
                getattr(layer, f"{name}_l0"))
            getattr(self.backward_rnn, f"{name}_l0").copy_(
                getattr(layer, f"{name}_l0_reverse"))
        return self


class SequenceTagger(LanguageModel):
    """One-hot tokens -> an RNN, one or both directions -> a score per tag.

    ``forward(X, state=None) -> (logits, None)``: X (batch, steps) token
    indices, logits (batch, steps, num_tags). Every window is read whole, from
    zero states: a bidirectional model cannot continue from a state, because
    its backward pass starts at the window's end, so ``state`` must be None.
    ``read(inputs)`` takes float inputs (batch, steps, vocab_size) instead of
    indices, for gradients with respect to the inputs.
    """

    def __init__(self, vocab_size: int, num_hiddens: int, num_tags: int,
                 bidirectional: bool, cell: str = "rnn") -> None:
        super().__init__()
        check_sizes(vocab_size=vocab_size, num_hiddens=num_hiddens,
                    num_tags=num_tags)
        check_choice("cell", cell, tuple(CELLS))
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.bidirectional = bool(bidirectional)
        if self.bidirectional:
            self.rnn = BiRNN(vocab_size, num_hiddens, cell)
        else:
            self.rnn = CELLS[cell](vocab_size, num_hiddens, batch_first=True)
        width = 2 * num_hiddens if self.bidirectional else num_hiddens
        self.output = nn.Linear(width, num_tags)

    def read(self, inputs: torch.Tensor) -> torch.Tensor:
        """Logits (batch, steps, num_tags) for inputs (batch, steps, vocab)."""
        if self.bidirectional:
            states = self.rnn(inputs)                    # (batch, steps, 2h)
        else:
            states, _ = self.rnn(inputs)                 # (batch, steps, h)
        return self.output(states)

    def forward(self, X: torch.Tensor,
                state: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, None]:
        check_sequence(X, None, self.num_hiddens, vocab_size=self.vocab_size)
        if state is not None:
            raise ValueError(
                "SequenceTagger reads every window whole from zero states "
                "(a backward pass starts at the window's end), so it takes "
                "no state: pass state=None")
        inputs = F.one_hot(X, self.vocab_size).to(self.output.weight.dtype)
        return self.read(inputs), None
