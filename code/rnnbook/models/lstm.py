"""The long short-term memory (LSTM) cell, written with plain tensors.

Explained in ``book/gated.md``. At every step the cell computes three gates
and a candidate from the input ``X_t`` (batch, inputs) and the previous hidden
state ``H_{t-1}`` (batch, hidden):

    I_t = sigmoid(X_t W_xi + H_{t-1} W_hi + b_i)        input gate
    F_t = sigmoid(X_t W_xf + H_{t-1} W_hf + b_f)        forget gate
    O_t = sigmoid(X_t W_xo + H_{t-1} W_ho + b_o)        output gate
    C~_t = tanh(X_t W_xc + H_{t-1} W_hc + b_c)          candidate
    C_t = F_t * C_{t-1} + I_t * C~_t                    memory cell (additive)
    H_t = O_t * tanh(C_t)                               hidden state

and carries the pair ``(H_t, C_t)`` to the next step. The memory cell ``C_t``
is updated by addition, not by a matrix product: while the forget gate stays
near 1 its content, and its gradient, pass from step to step unshrunk.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_positive_int, check_sequence, check_torch_layer
from .recurrent_lm import RecurrentLM, one_hot_layer

GATES = (
    "i",
    "f",
    "c",
    "o",
)  # PyTorch's order in nn.LSTM's stacked weights: i, f, g (= c), o


class LSTMScratch(nn.Module):
    """A one-layer LSTM with an explicit weight matrix and bias for every gate.

    Weights start from N(0, sigma^2), biases at zero. ``forward(inputs, state)``
    takes time-major inputs (num_steps, batch, num_inputs) and an optional
    state ``(H, C)``, each (batch, num_hiddens); it returns the hidden states of
    every step, (num_steps, batch, num_hiddens), and the last pair ``(H, C)``.
    """

    def __init__(self, num_inputs: int, num_hiddens: int, sigma: float = 0.01) -> None:
        super().__init__()
        self.num_inputs = check_positive_int("num_inputs", num_inputs)
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)

        def triple() -> tuple[nn.Parameter, nn.Parameter, nn.Parameter]:
            return (
                nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma),
                nn.Parameter(torch.randn(num_hiddens, num_hiddens) * sigma),
                nn.Parameter(torch.zeros(num_hiddens)),
            )

        self.W_xi, self.W_hi, self.b_i = triple()  # input gate
        self.W_xf, self.W_hf, self.b_f = triple()  # forget gate
        self.W_xo, self.W_ho, self.b_o = triple()  # output gate
        self.W_xc, self.W_hc, self.b_c = triple()  # candidate

    def forward(
        self,
        inputs: torch.Tensor,
        state: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        check_sequence(inputs, state, self.num_hiddens,
                       num_inputs=self.num_inputs, pair=True)
        if state is None:
            zeros = inputs.new_zeros(inputs.shape[1], self.num_hiddens)
            state = (zeros, zeros)  # (batch, hidden) each
        H, C = state
        outputs = []
        for X in inputs:  # X: (batch, inputs)
            I = torch.sigmoid(X @ self.W_xi + H @ self.W_hi + self.b_i)
            F = torch.sigmoid(X @ self.W_xf + H @ self.W_hf + self.b_f)
            O = torch.sigmoid(X @ self.W_xo + H @ self.W_ho + self.b_o)
            C_tilde = torch.tanh(X @ self.W_xc + H @ self.W_hc + self.b_c)
            C = F * C + I * C_tilde  # the additive path
            H = O * torch.tanh(C)
            outputs.append(H)
        # (steps, batch, hidden), and the pair
        return torch.stack(outputs), (H, C)

    @classmethod
    @torch.no_grad()
    def from_torch(cls, module: nn.LSTM) -> LSTMScratch:
        """An ``LSTMScratch`` computing what a one-layer ``nn.LSTM`` computes.

        ``nn.LSTM`` stacks the four gates' weights in one matrix, in the order
        input, forget, candidate ("g"), output, stores them transposed,
        (4 * hidden, inputs), and has two biases that are always added. Each
        block goes to its own parameter here, transposed; the biases are summed.
        """
        check_torch_layer("module", module, nn.LSTM, bias=True)
        weight = module.weight_ih_l0
        cell = cls(module.input_size, module.hidden_size).to(
            dtype=weight.dtype, device=weight.device
        )
        W_x = module.weight_ih_l0.chunk(4)  # 4 x (hidden, inputs)
        W_h = module.weight_hh_l0.chunk(4)  # 4 x (hidden, hidden)
        b = (module.bias_ih_l0 + module.bias_hh_l0).chunk(4)  # 4 x (hidden,)
        for k, gate in enumerate(GATES):
            getattr(cell, f"W_x{gate}").copy_(W_x[k].T)
            getattr(cell, f"W_h{gate}").copy_(W_h[k].T)
            getattr(cell, f"b_{gate}").copy_(b[k])
        return cell


class LSTMLM(RecurrentLM):
    """A character-level language model on ``nn.LSTM``: state is the pair ``(H, C)``.

    ``forward(X, state=None) -> (logits, (H, C))`` with ``X`` (batch, num_steps)
    token indices, logits (batch, num_steps, vocab_size), ``H`` and ``C`` each
    (batch, num_hiddens). With ``scratch=True`` the layer is :class:`LSTMScratch`.
    """

    def __init__(
        self, num_hiddens: int, vocab_size: int, scratch: bool = False
    ) -> None:
        layer = LSTMScratch if scratch else nn.LSTM
        super().__init__(one_hot_layer(layer, num_hiddens, vocab_size), vocab_size)
