"""The same character-level language model on PyTorch's ``nn.RNN`` layer.

Explained in ``book/rnn_concise.md``. ``RNNLM`` has the contract of every
:class:`rnnbook.LanguageModel`: it writes ``forward`` and inherits ``loss``
(``torch.nn.functional.cross_entropy`` of the logits). The layer runs the
time loop in C++; the mathematics is that of :class:`rnnbook.RNNLMScratch`,
with two differences of bookkeeping: ``nn.RNN`` stores its weights
transposed, and it has two hidden biases that are always added together.
Lines stay within 79 characters: the page shows the class whole.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from .base import LanguageModel
from ..checks import check_instance, check_sequence, check_sizes
from .rnn_scratch import RNNLMScratch


class RNNLM(LanguageModel):
    """One-hot tokens -> ``nn.RNN`` (tanh, one layer) -> ``nn.Linear``."""

    def __init__(self, num_hiddens: int, vocab_size: int) -> None:
        super().__init__()
        check_sizes(num_hiddens=num_hiddens, vocab_size=vocab_size)
        self.num_hiddens, self.vocab_size = num_hiddens, vocab_size
        self.rnn = nn.RNN(vocab_size, num_hiddens)        # tanh; time-major
        self.output = nn.Linear(num_hiddens, vocab_size)

    def forward(self, X: Tensor,
                state: Tensor | None = None) -> tuple[Tensor, Tensor]:
        check_sequence(X, state, self.num_hiddens,
                       vocab_size=self.vocab_size)
        inputs = F.one_hot(X.T, self.vocab_size).to(self.output.weight.dtype)
        h0 = None if state is None else state[None]       # (1, batch, h)
        outputs, h_n = self.rnn(inputs, h0)               # (steps, batch, h)
        logits = self.output(outputs)                     # (steps, batch, V)
        return logits.transpose(0, 1), h_n[0]             # (batch, steps, V)

    @torch.no_grad()
    def load_from_scratch(self, scratch: RNNLMScratch) -> RNNLM:
        """Copy a scratch model's weights in (transposed; ``b_h`` into one
        bias, zero into the other); returns ``self``."""
        check_instance("scratch", scratch, RNNLMScratch,
                       num_hiddens=self.num_hiddens,
                       vocab_size=self.vocab_size)
        self.rnn.weight_ih_l0.copy_(scratch.rnn.W_xh.T)
        self.rnn.weight_hh_l0.copy_(scratch.rnn.W_hh.T)
        self.rnn.bias_ih_l0.copy_(scratch.rnn.b_h)
        self.rnn.bias_hh_l0.zero_()
        self.output.weight.copy_(scratch.W_hq.T)
        self.output.bias.copy_(scratch.b_q)
        return self
