"""The gated recurrent unit (GRU), written with plain tensors in PyTorch's form.

Explained in ``book/gated.md``. From the input ``X_t`` (batch, inputs) and the
previous hidden state ``H_{t-1}`` (batch, hidden):

    R_t = sigmoid(X_t W_xr + H_{t-1} W_hr + b_r)                    reset gate
    Z_t = sigmoid(X_t W_xz + H_{t-1} W_hz + b_z)                    update gate
    H~_t = tanh(X_t W_xh + b_xh + R_t * (H_{t-1} W_hh + b_hh))      candidate
    H_t = Z_t * H_{t-1} + (1 - Z_t) * H~_t

This is the form of ``nn.GRU``: the reset gate multiplies the recurrent
product ``H_{t-1} W_hh`` after it is computed, and that product has a bias of
its own, ``b_hh``. Cho et al. (2014) apply the reset gate before the product,
``(R_t * H_{t-1}) W_hh``; the two forms are different functions, and the
scratch cell follows PyTorch's so that :meth:`GRUScratch.from_torch` gives the
same outputs. The new state is an interpolation: where ``Z_t`` is near 1 the
old state passes on unchanged, and so does its gradient.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_positive_int, check_sequence, check_torch_layer
from .recurrent_lm import RecurrentLM, one_hot_layer


class GRUScratch(nn.Module):
    """A one-layer GRU with an explicit weight matrix and bias for every gate.

    Weights start from N(0, sigma^2), biases at zero. ``forward(inputs, state)``
    takes time-major inputs (num_steps, batch, num_inputs) and an optional
    state (batch, num_hiddens); it returns the hidden states of every step,
    (num_steps, batch, num_hiddens), and the last one.
    """

    def __init__(self, num_inputs: int, num_hiddens: int, sigma: float = 0.01) -> None:
        super().__init__()
        self.num_inputs = check_positive_int("num_inputs", num_inputs)
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)

        def init(*shape: int) -> nn.Parameter:
            return nn.Parameter(torch.randn(*shape) * sigma)

        h, d = num_hiddens, num_inputs
        self.W_xr, self.W_hr, self.b_r = (
            init(d, h),
            init(h, h),
            nn.Parameter(torch.zeros(h)),
        )
        self.W_xz, self.W_hz, self.b_z = (
            init(d, h),
            init(h, h),
            nn.Parameter(torch.zeros(h)),
        )
        self.W_xh, self.W_hh = init(d, h), init(h, h)
        self.b_xh, self.b_hh = (
            nn.Parameter(torch.zeros(h)),
            nn.Parameter(torch.zeros(h)),
        )

    def forward(
        self, inputs: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        check_sequence(inputs, state, self.num_hiddens,
                       num_inputs=self.num_inputs)
        if state is None:
            state = inputs.new_zeros(inputs.shape[1], self.num_hiddens)
        H = state  # (batch, hidden)
        outputs = []
        for X in inputs:  # X: (batch, inputs)
            R = torch.sigmoid(X @ self.W_xr + H @ self.W_hr + self.b_r)
            Z = torch.sigmoid(X @ self.W_xz + H @ self.W_hz + self.b_z)
            H_tilde = torch.tanh(
                X @ self.W_xh + self.b_xh + R * (H @ self.W_hh + self.b_hh)
            )
            H = Z * H + (1 - Z) * H_tilde  # interpolation
            outputs.append(H)
        # (steps, batch, hidden), (batch, hidden)
        return torch.stack(outputs), H

    @classmethod
    @torch.no_grad()
    def from_torch(cls, module: nn.GRU) -> GRUScratch:
        """A ``GRUScratch`` computing what the one-layer ``nn.GRU`` ``module`` computes.

        ``nn.GRU`` stacks the weights of the reset gate, the update gate and the
        candidate ("n") in that order, transposed, (3 * hidden, inputs). Its two
        biases are summed for the gates; for the candidate they stay apart,
        because only ``bias_hh`` sits inside the reset gate's product.
        """
        check_torch_layer("module", module, nn.GRU, bias=True)
        weight = module.weight_ih_l0
        cell = cls(module.input_size, module.hidden_size).to(
            dtype=weight.dtype, device=weight.device
        )
        W_xr, W_xz, W_xh = module.weight_ih_l0.chunk(3)  # 3 x (hidden, inputs)
        W_hr, W_hz, W_hh = module.weight_hh_l0.chunk(3)  # 3 x (hidden, hidden)
        b_ir, b_iz, b_in = module.bias_ih_l0.chunk(3)
        b_hr, b_hz, b_hn = module.bias_hh_l0.chunk(3)
        for name, value in (
            ("W_xr", W_xr.T),
            ("W_hr", W_hr.T),
            ("b_r", b_ir + b_hr),
            ("W_xz", W_xz.T),
            ("W_hz", W_hz.T),
            ("b_z", b_iz + b_hz),
            ("W_xh", W_xh.T),
            ("W_hh", W_hh.T),
            ("b_xh", b_in),
            ("b_hh", b_hn),
        ):
            getattr(cell, name).copy_(value)
        return cell


class GRULM(RecurrentLM):
    """A character-level language model on ``nn.GRU`` or :class:`GRUScratch`.

    ``forward(X, state=None) -> (logits, state)`` with ``X`` (batch, num_steps)
    token indices, logits (batch, num_steps, vocab_size), state (batch, num_hiddens).
    """

    def __init__(
        self, num_hiddens: int, vocab_size: int, scratch: bool = False
    ) -> None:
        layer = GRUScratch if scratch else nn.GRU
        super().__init__(one_hot_layer(layer, num_hiddens, vocab_size), vocab_size)
