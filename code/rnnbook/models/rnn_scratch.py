"""A recurrent neural network written from scratch, and a character-level
language model on it.

Explained in ``book/rnn.md`` (the equations) and ``book/rnn_scratch.md`` (this
code, shown whole). Tensors and automatic differentiation only:

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)        (batch, hidden)
    O_t = H_t W_hq + b_q                             (batch, vocab)

:func:`rnn_loop` is the time loop; the hand-written backpropagation through
time of ``book/bptt.md`` runs it too. The faster model of the appendix
(``book/fast_rnn.md``), :class:`rnnbook.FastRNNLMScratch`, computes the same
function with the same weights. Lines stay within 79 characters: the pages
show this code whole.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from .base import LanguageModel
from ..checks import check_instance, check_sequence, check_sizes


def rnn_loop(P: Tensor, H: Tensor, W_hh: Tensor,
             activation: Callable[[Tensor], Tensor] = torch.tanh,
             ) -> tuple[Tensor, Tensor]:
    """Run H_t = activation(P_t + H_{t-1} W_hh) over every step of ``P``.

    ``P`` (steps, batch, hidden) holds the input terms X_t W_xh + b_h,
    ``H`` (batch, hidden) the state before the first step. Returns the
    states of all steps and the last one. :class:`RNNScratch` runs its
    steps here, and so does the hand-written backpropagation through time
    of ``book/bptt.md``, which passes another ``activation`` to study the
    linear RNN: one loop for the lesson and for its gradients.
    """
    outputs = []
    for P_t in P:                       # the loop: what needs H_{t-1}
        H = activation(P_t + H @ W_hh)                   # (batch, hidden)
        outputs.append(H)
    return torch.stack(outputs), H      # (steps, batch, hidden), last


class RNNScratch(nn.Module):
    """A one-layer tanh RNN with parameters ``W_xh``, ``W_hh`` and ``b_h``.

    Weights are drawn from N(0, sigma^2), the bias starts at zero. Inputs are
    time-major, (steps, batch, num_inputs), so that step ``t`` is
    ``inputs[t]``. Returns the hidden states of all steps and the last one.
    """

    def __init__(self, num_inputs: int, num_hiddens: int,
                 sigma: float = 0.01) -> None:
        super().__init__()
        check_sizes(num_inputs=num_inputs, num_hiddens=num_hiddens,
                    sigma=sigma)
        self.num_inputs, self.num_hiddens = num_inputs, num_hiddens
        self.sigma = sigma
        W_xh = torch.randn(num_inputs, num_hiddens) * sigma
        self.W_xh = nn.Parameter(W_xh)
        W_hh = torch.randn(num_hiddens, num_hiddens) * sigma
        self.W_hh = nn.Parameter(W_hh)
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))

    def forward(self, inputs: Tensor,
                state: Tensor | None = None) -> tuple[Tensor, Tensor]:
        check_sequence(inputs, state, self.num_hiddens,
                       num_inputs=self.num_inputs)
        shape = (inputs.shape[1], self.num_hiddens)       # (batch, hidden)
        H = inputs.new_zeros(shape) if state is None else state
        P = inputs @ self.W_xh + self.b_h   # all steps: (steps, batch, h)
        return rnn_loop(P, H, self.W_hh)    # the steps, one after another


class RNNLMScratch(LanguageModel):
    """One-hot tokens -> :class:`RNNScratch` -> output layer: a character LM.

    ``forward(X, state=None) -> (logits, state)``: ``X`` (batch, steps) token
    indices, ``logits`` (batch, steps, vocab_size), ``state`` (batch,
    hidden). ``loss`` comes from :class:`rnnbook.LanguageModel`.
    """

    def __init__(self, rnn: RNNScratch, vocab_size: int) -> None:
        super().__init__()
        check_sizes(vocab_size=vocab_size)
        check_instance("rnn", rnn, RNNScratch, num_inputs=vocab_size)
        self.rnn, self.vocab_size = rnn, vocab_size
        self.num_hiddens = rnn.num_hiddens
        W_hq = torch.randn(rnn.num_hiddens, vocab_size) * rnn.sigma
        self.W_hq = nn.Parameter(W_hq)
        self.b_q = nn.Parameter(torch.zeros(vocab_size))

    def one_hot(self, X: Tensor) -> Tensor:
        """Token indices (batch, steps) -> one-hot (steps, batch, vocab)."""
        return F.one_hot(X.T, self.vocab_size).to(self.W_hq.dtype)

    def forward(self, X: Tensor,
                state: Tensor | None = None) -> tuple[Tensor, Tensor]:
        check_sequence(X, state, self.num_hiddens,
                       vocab_size=self.vocab_size)
        outputs, state = self.rnn(self.one_hot(X), state)  # (steps, b, h)
        logits = outputs @ self.W_hq + self.b_q       # (steps, batch, vocab)
        return logits.transpose(0, 1), state          # (batch, steps, vocab)
