"""The same character-level language model on PyTorch's ``nn.RNN`` layer.

Explained in ``book/rnn_concise.md``. ``RNNLM`` has the contract of
:class:`rnnbook.RNNLMScratch`: ``forward(X, state=None) -> (logits, state)``,
``X`` (batch, num_steps) token indices, ``logits`` (batch, num_steps,
vocab_size), ``state`` (batch, num_hiddens). The layer runs its time loop in
C++; the mathematics is the same, with two differences of bookkeeping:

* ``nn.RNN`` stores weights transposed, ``weight_ih_l0`` is (hidden, inputs)
  and computes ``x @ weight_ih_l0.T``;
* it has two biases, ``bias_ih_l0`` and ``bias_hh_l0``, that are always added
  together, so only their sum plays the role of ``b_h``.

:meth:`RNNLM.load_from_scratch` copies a scratch model's weights across, which
is how the page checks that both compute the same function.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import LanguageModel
from .fused import chunked_cross_entropy, linear_cross_entropy
from ..data.batching import check_positive_int
from .rnn_scratch import RNNLMScratch, check_loss_inputs, check_state, check_tokens, one_hot


class RNNLM(LanguageModel):
    """One-hot tokens -> ``nn.RNN`` (tanh, one layer) -> ``nn.Linear`` output layer."""

    def __init__(self, num_hiddens: int, vocab_size: int) -> None:
        super().__init__()
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.rnn = nn.RNN(vocab_size, num_hiddens, nonlinearity="tanh")  # time-major
        self.output = nn.Linear(num_hiddens, vocab_size)

    def one_hot(self, X: torch.Tensor) -> torch.Tensor:
        """Token indices (batch, num_steps) as one-hot vectors (num_steps, batch, vocab_size)."""
        return one_hot(X, self.vocab_size, self.output.weight.dtype)

    def hidden_states(self, X: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The RNN's hidden state after every token of ``X``: (num_steps, batch, hidden), and the last one."""
        inputs = self.one_hot(X)                                       # (steps, batch, vocab)
        h0 = check_state(state, X.shape[0], self.num_hiddens, like=inputs).unsqueeze(0)  # (1, batch, hidden)
        outputs, h_n = self.rnn(inputs, h0)                            # (steps, batch, hidden), (1, batch, hidden)
        return outputs, h_n.squeeze(0)

    def forward(self, X: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        check_tokens(X, self.vocab_size)
        outputs, state = self.hidden_states(X, state)                  # (steps, batch, hidden)
        return self.output(outputs).transpose(0, 1), state             # (batch, steps, vocab), (batch, hidden)

    def loss(self, X: torch.Tensor, Y: torch.Tensor,
             state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(sequence_cross_entropy(logits, Y), state)`` for ``logits, state = self(X, state)``, faster.

        As :meth:`rnnbook.RNNLMScratch.loss`: the output layer and the loss run
        as one function, :func:`rnnbook.models.fused.linear_cross_entropy`, and
        without autograd a few steps at a time.
        """
        check_loss_inputs(X, Y, self.vocab_size)
        W = self.output.weight.T                                       # (hidden, vocab)
        if not torch.is_grad_enabled():
            return chunked_cross_entropy(self.hidden_states, W, self.output.bias, X, Y, state)
        outputs, state = self.hidden_states(X, state)                  # (steps, batch, hidden)
        return linear_cross_entropy(outputs.reshape(-1, self.num_hiddens), W, self.output.bias,
                                    Y.T.reshape(-1)), state

    @torch.no_grad()
    def load_from_scratch(self, scratch: RNNLMScratch) -> RNNLM:
        """Copy the weights of a :class:`RNNLMScratch` into this model; returns ``self``.

        ``W_xh``, ``W_hh`` and ``W_hq`` go in transposed; ``b_h`` goes into
        ``bias_ih_l0`` and ``bias_hh_l0`` is set to zero, so that their sum is
        ``b_h``. Values are converted to this model's dtype and device.
        """
        if not isinstance(scratch, RNNLMScratch):
            raise TypeError(f"scratch must be an RNNLMScratch, got {type(scratch).__name__}")
        if (scratch.num_hiddens, scratch.vocab_size) != (self.num_hiddens, self.vocab_size):
            raise ValueError(f"sizes differ: scratch model has num_hiddens={scratch.num_hiddens}, "
                             f"vocab_size={scratch.vocab_size}; this model has num_hiddens={self.num_hiddens}, "
                             f"vocab_size={self.vocab_size}")
        self.rnn.weight_ih_l0.copy_(scratch.rnn.W_xh.T)
        self.rnn.weight_hh_l0.copy_(scratch.rnn.W_hh.T)
        self.rnn.bias_ih_l0.copy_(scratch.rnn.b_h)
        self.rnn.bias_hh_l0.zero_()
        self.output.weight.copy_(scratch.W_hq.T)
        self.output.bias.copy_(scratch.b_q)
        return self
