"""minGRU (Feng et al. 2024): a GRU whose gates read the input only; trained by a scan.

Explained in ``book/parallel_rnn.md``. One step of minGRU is

    z_t  = sigmoid(x_t W_z + b_z)                 update gate     (batch, hidden)
    h~_t = x_t W_h + b_h                          candidate state (batch, hidden)
    h_t  = (1 - z_t) * h_{t-1} + z_t * h~_t

Neither ``z_t`` nor ``h~_t`` depends on ``h_{t-1}``, so both are computed for
all steps at once, with one matrix product, and what is left is the linear
recurrence ``h_t = a_t * h_{t-1} + b_t`` with ``a_t = 1 - z_t`` and
``b_t = z_t * h~_t``, which :func:`rnnbook.linear_recurrence` computes by a
loop or by a parallel scan. Generation still runs one step at a time
(:meth:`MinGRU.step`) with a state of fixed size.

:class:`MinLSTM`, the paper's minimal LSTM, has a forget gate ``f_t`` and an
input gate ``i_t``, both reading the input only, normalised to sum to one:
``a_t = f_t / (f_t + i_t)`` and ``b_t = i_t / (f_t + i_t) * h~_t``. It is the
same linear recurrence, so it inherits everything else from :class:`MinGRU`.

:class:`MinGRULM` is a character-level language model on a stack of minGRU
layers, in the book's contract (:class:`rnnbook.LanguageModel`); the same model
on ``nn.GRU``, for comparison, is :class:`rnnbook.GRULM` (``book/gated.md``).
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_positive_int
from ..scan import METHODS, fastest_method, linear_recurrence
from .base import LanguageModel
from ..checks import check_sequence


class MinGRU(nn.Module):
    """One minGRU layer: inputs (steps, batch, inputs) -> all states.

    The states are (steps, batch, hidden). ``method`` picks how
    :func:`rnnbook.linear_recurrence` runs the recurrence; None (the
    default) means :func:`rnnbook.scan.fastest_method` for the device the
    inputs are on (``"fused"`` on a CPU, ``"parallel"`` on a GPU), and
    :meth:`method_for` says which.
    """

    def __init__(
        self, num_inputs: int, num_hiddens: int, method: str | None = None
    ) -> None:
        super().__init__()
        self.num_inputs = check_positive_int("num_inputs", num_inputs)
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        if method is not None and method not in METHODS:
            raise ValueError(
                f"unknown method {method!r}: use one of {METHODS}, "
                "or None for the fastest on the device"
            )
        self.method = method
        # [W_z | W_h] side by side ([W_f | W_i | W_h] in MinLSTM)
        self.linear = nn.Linear(num_inputs, self.num_blocks * num_hiddens)

    num_blocks = 2  # gate, candidate

    def method_for(self, device: torch.device) -> str:
        """The scan method used for inputs on ``device``."""
        if self.method is not None:
            return self.method
        return fastest_method(device)

    def coefficients(
        self,
        inputs: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(a, b) = (1 - z, z * h~)``, each (steps, batch, hidden)."""
        gate, candidate = self.linear(inputs).chunk(2, dim=-1)
        z = torch.sigmoid(gate)
        return 1 - z, z * candidate

    def start_remembering(self, keep: float = 3.0) -> None:
        """Bias the gate so that every ``a_t`` starts near ``sigmoid(keep)``."""
        with torch.no_grad():
            self.linear.bias[: self.num_hiddens].fill_(-keep)  # z near 0

    def forward(
        self, inputs: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """All states (steps, batch, hidden), and the last one."""
        check_sequence(inputs, state, self.num_hiddens,
                       num_inputs=self.num_inputs)
        a, b = self.coefficients(inputs)  # (steps, batch, hidden) each
        # "fused" on a CPU, "parallel" on a GPU
        method = self.method_for(inputs.device)
        outputs = linear_recurrence(a, b, state, method=method)
        return outputs, outputs[-1]

    def step(
        self,
        x: torch.Tensor,
        h: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """One step: ``x`` (batch, inputs), state ``h`` (batch, hidden)."""
        a, b = self.coefficients(x)  # (batch, hidden) each
        return b if h is None else a * h + b


class MinLSTM(MinGRU):
    """One minLSTM layer (Feng et al. 2024): ``MinGRU`` with a forget and an input gate.

    ``a_t = f_t / (f_t + i_t)``, ``b_t = i_t / (f_t + i_t) * h~_t``: the two
    gates, normalised, share the state between the past and the candidate.
    """

    num_blocks = 3  # forget gate, input gate, candidate

    def coefficients(
        self,
        inputs: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(a, b) = (f, i * h~) / (f + i)``, each (steps, batch, hidden)."""
        forget, write, candidate = self.linear(inputs).chunk(3, dim=-1)
        f, i = torch.sigmoid(forget), torch.sigmoid(write)
        return f / (f + i), i / (f + i) * candidate

    def start_remembering(self, keep: float = 3.0) -> None:
        """Forget bias ``keep``, input bias ``-keep``: ``a_t`` starts at ``sigmoid(k)``.

        ``sigmoid(k) / (sigmoid(k) + sigmoid(-k)) = sigmoid(k)``, with ``k = keep``.
        """
        h = self.num_hiddens
        with torch.no_grad():
            self.linear.bias[:h].fill_(keep)
            self.linear.bias[h : 2 * h].fill_(-keep)


class MinGRULM(LanguageModel):
    """One-hot tokens -> ``num_layers`` stacked :class:`MinGRU` layers -> ``nn.Linear``.

    (:class:`MinLSTMLM`: the same on :class:`MinLSTM` layers.)

    ``forward(X, state=None) -> (logits, state)``: ``X`` (batch, steps) token
    indices, ``logits`` (batch, steps, vocab_size). The state is the last
    hidden state, (batch, hidden), with one layer, and a tuple of one such
    tensor per layer with several. Layers after the first read the states of
    the layer below: their gates are then nonlinear functions of the whole
    history, which a single layer's are not.
    """

    layer_class: type[MinGRU] = MinGRU

    def __init__(
        self,
        num_hiddens: int,
        vocab_size: int,
        num_layers: int = 1,
        method: str | None = None,
    ) -> None:
        super().__init__()
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.layers = nn.ModuleList(
            [
                self.layer_class(
                    vocab_size if i == 0 else num_hiddens, num_hiddens, method
                )
                for i in range(num_layers)
            ]
        )
        self.output = nn.Linear(num_hiddens, vocab_size)

    def _layer_states(self, state: torch.Tensor | tuple | None) -> tuple:
        """The state as one entry per layer (None: zeros), after checking its form."""
        if state is None:
            return (None,) * self.num_layers
        if self.num_layers == 1:
            return (state,)
        if not isinstance(state, tuple) or len(state) != self.num_layers:
            raise TypeError(
                f"with {self.num_layers} layers the state must be a tuple of "
                f"{self.num_layers} tensors (batch, num_hiddens), got "
                f"{type(state).__name__}"
            )
        return state

    def forward(
        self, X: torch.Tensor, state: torch.Tensor | tuple | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | tuple]:
        check_sequence(X, None, self.num_hiddens, vocab_size=self.vocab_size)
        dtype = self.output.weight.dtype
        outputs = nn.functional.one_hot(X.T, self.vocab_size).to(dtype)  # (steps, b, V)
        last = []
        for layer, h0 in zip(self.layers, self._layer_states(state)):
            outputs, h = layer(outputs, h0)  # (steps, batch, hidden)
            last.append(h)
        logits = self.output(outputs).transpose(0, 1)  # (batch, steps, vocab)
        return logits, (last[0] if self.num_layers == 1 else tuple(last))


class MinLSTMLM(MinGRULM):
    """:class:`MinGRULM` on :class:`MinLSTM` layers."""

    layer_class = MinLSTM
