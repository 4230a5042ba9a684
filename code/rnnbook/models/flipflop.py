"""A recurrent network for the 3-bit flip-flop, and its training loop.

Explained in ``book/attractors.md``. The network reads the pulses of
:func:`rnnbook.data.flipflop.flipflop_task` one step at a time and a linear
readout turns every hidden state into one output per bit; it is trained to put
each output at the bit's sign, +1 or -1, with a squared error. After training,
:meth:`FlipFlopNet.autonomous_step` is the map ``h -> F(h)`` that the network
applies when no pulse comes: the map whose fixed points
(:mod:`rnnbook.fixed_points`) are its memories.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_choice, check_int, check_positive_int, check_real
from ..data.flipflop import flipflop_task
from ..seeding import seed as seed_torch

CELLS = {"gru": nn.GRU, "rnn": nn.RNN}
# "mse": put each output at its sign; "logistic": only push it past 0 on the
# right side (the outputs are logits of P(bit = +1)).
LOSSES = {
    "mse": nn.functional.mse_loss,
    "logistic": lambda out, Y: nn.functional.binary_cross_entropy_with_logits(
        out, (Y + 1) / 2),
}


class FlipFlopNet(nn.Module):
    """Pulses -> a one-layer ``nn.GRU`` or tanh ``nn.RNN`` -> a linear readout.

    ``forward(X, state) -> (outputs, state)``: X (batch, steps, num_bits),
    outputs (batch, steps, num_bits), state (1, batch, num_hiddens) as PyTorch's
    layers keep it (None: zeros).
    """

    def __init__(self, cell: str, num_hiddens: int, num_bits: int = 3) -> None:
        super().__init__()
        self.cell = check_choice("cell", cell, tuple(CELLS))
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        self.num_bits = check_positive_int("num_bits", num_bits)
        self.rnn = CELLS[cell](num_bits, num_hiddens, batch_first=True)
        self.readout = nn.Linear(num_hiddens, num_bits)

    def forward(
        self, X: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if X.ndim != 3 or X.shape[-1] != self.num_bits:
            raise ValueError(
                f"X must be (batch, steps, {self.num_bits}), got {tuple(X.shape)}"
            )
        H, state = self.rnn(X, state)  # H: (batch, steps, hidden)
        return self.readout(H), state  # (batch, steps, bits)

    def states(self, X: torch.Tensor) -> torch.Tensor:
        """The hidden states visited while reading X: (batch, steps, hidden)."""
        H, _ = self.rnn(X)
        return H

    def autonomous_step(self, H: torch.Tensor) -> torch.Tensor:
        """``F(h)``: one step with no pulse on any channel.

        H (n, hidden) -> (n, hidden).
        """
        zeros = H.new_zeros(H.shape[0], 1, self.num_bits)  # (n, 1, bits)
        _, state = self.rnn(zeros, H[None].contiguous())
        return state[0]  # (n, hidden)


def sign_accuracy(model: FlipFlopNet, X: torch.Tensor, Y: torch.Tensor) -> float:
    """The fraction of (sequence, step, bit) outputs whose sign matches ``Y``."""
    with torch.no_grad():
        outputs, _ = model(X)
    return float((outputs.sign() == Y).float().mean())


def fit_flipflop(
    model: FlipFlopNet,
    num_steps: int = 600,
    batch_size: int = 32,
    seq_len: int = 50,
    pulse_rate: float = 0.05,
    input_noise: float = 0.0,
    lr: float = 0.01,
    seed: int = 0,
    loss: str = "mse",
) -> list[float]:
    """Train ``model`` on fresh flip-flop sequences; return the loss of every step.

    Every step draws ``batch_size`` new sequences of ``seq_len`` steps, adds
    Gaussian noise of standard deviation ``input_noise`` to the pulses (the
    targets stay clean), and takes one Adam step (learning rate ``lr``,
    gradients clipped at norm 1) on the squared error between outputs and
    signs. ``seed`` goes through ``rnnbook.seed``: it fixes the data and noise.
    """
    num_steps = check_positive_int("num_steps", num_steps)
    batch_size = check_positive_int("batch_size", batch_size)
    seq_len = check_positive_int("seq_len", seq_len)
    input_noise = check_real("input_noise", input_noise, 0.0)
    lr = check_real("lr", lr, 0.0, low_open=True)
    seed = check_int("seed", seed, minimum=0)
    criterion = LOSSES[check_choice("loss", loss, tuple(LOSSES))]
    seed_torch(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(num_steps):
        # data seeds 10**6 + ...: apart from the evaluation sets of the page
        X, Y = flipflop_task(batch_size, seq_len, model.num_bits, pulse_rate,
                             seed=10**6 * (seed + 1) + step)
        X = X + input_noise * torch.randn_like(X)
        outputs, _ = model(X)
        value = criterion(outputs, Y)
        optimizer.zero_grad()
        value.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(value.item())
    return losses
