"""A recurrent neural network written from scratch, and a character-level language model on it.

Explained in ``book/rnn.md`` (the equations) and ``book/rnn_scratch.md`` (this
code). The network is the tanh RNN

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)        (batch, hidden)
    O_t = H_t W_hq + b_q                             (batch, vocab)

with every weight an explicit ``nn.Parameter``. Two choices keep it fast on a
CPU without hiding anything:

* the input term ``X_t W_xh + b_h`` does not depend on the hidden state, so it is
  computed for all time steps at once, before the loop; the loop runs only the
  part that must be sequential, ``H_{t-1} W_hh``;
* for one-hot inputs, ``X_t W_xh`` is a row lookup in ``W_xh`` (row ``i`` for
  token ``i``), so the language model never builds the one-hot tensor.
"""

from __future__ import annotations

import numbers

import torch
from torch import nn

from ..data.batching import check_positive_int
from .base import LanguageModel
from .fused import chunked_cross_entropy, linear_cross_entropy, lookup_and_recur, scratch_lm_loss, tanh_recurrence


def tanh(z: torch.Tensor) -> torch.Tensor:
    """``tanh(z)``, computed as ``2 sigmoid(2z) - 1``: the same function, faster on a CPU.

    The identity is exact: ``2 / (1 + e^(-2z)) - 1 = (1 - e^(-2z)) / (1 + e^(-2z))``.
    PyTorch's CPU kernel for ``tanh`` computes one element at a time, while its
    ``sigmoid`` kernel uses vector instructions; ``book/rnn_scratch.md``
    measures the difference. Autograd differentiates the composition, so the
    gradient is ``1 - tanh(z)^2`` as it should be.
    """
    return 2 * torch.sigmoid(2 * z) - 1


def one_hot(X: torch.Tensor, vocab_size: int, dtype: torch.dtype) -> torch.Tensor:
    """Token indices (batch, num_steps) as one-hot vectors (num_steps, batch, vocab_size), time-major.

    The one-hot vector of token ``i`` is row ``i`` of the identity matrix, so
    the whole tensor is a row lookup in ``eye(vocab_size)``.
    """
    eye = torch.eye(vocab_size, dtype=dtype, device=X.device)
    return eye.index_select(0, X.T.reshape(-1)).view(X.shape[1], X.shape[0], vocab_size)


def check_tokens(X: object, vocab_size: int, name: str = "X") -> torch.Tensor:
    """``X`` if it is a (batch, num_steps) int64 tensor of indices below ``vocab_size``, else a clear error.

    ``name`` is the argument's name in the error messages (``"Y"`` for targets).
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"{name} must be a tensor of token indices, got {type(X).__name__}")
    if X.dtype != torch.long:
        raise TypeError(f"{name} must hold int64 token indices, got dtype {X.dtype}; convert with {name}.long()")
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must have shape (batch, num_steps) with both at least 1, got {tuple(X.shape)}; "
                         f"for one sequence write {name}[None]")
    low, high = (int(v) for v in torch.aminmax(X))
    if low < 0 or high >= vocab_size:
        raise ValueError(f"{name} holds token indices outside [0, {vocab_size}): min {low}, max {high}; "
                         "was it encoded with the model's vocabulary?")
    return X


def check_loss_inputs(X: object, Y: object, vocab_size: int) -> None:
    """Check the inputs of a model's ``loss(X, Y)``: token tensors of one shape, (batch, num_steps)."""
    check_tokens(X, vocab_size)
    check_tokens(Y, vocab_size, name="Y")
    if Y.shape != X.shape:
        raise ValueError(f"Y must have the shape of X, {tuple(X.shape)}, got {tuple(Y.shape)}")


def check_state(state: torch.Tensor | None, batch_size: int, num_hiddens: int,
                like: torch.Tensor) -> torch.Tensor:
    """The initial hidden state: zeros when ``state`` is None, else ``state`` after a shape check."""
    if state is None:
        return torch.zeros(batch_size, num_hiddens, dtype=like.dtype, device=like.device)
    if not isinstance(state, torch.Tensor):
        raise TypeError(f"state must be a tensor of shape (batch, num_hiddens) or None, got {type(state).__name__}")
    if tuple(state.shape) != (batch_size, num_hiddens):
        raise ValueError(f"state has shape {tuple(state.shape)}, expected (batch, num_hiddens) = "
                         f"({batch_size}, {num_hiddens}): pass the state returned for the previous "
                         "minibatch of the same size, or None to start from zeros")
    return state


class RNNScratch(nn.Module):
    """A one-layer tanh RNN with explicit parameters ``W_xh``, ``W_hh`` and ``b_h``.

    Weights are drawn from N(0, sigma^2), the bias starts at zero. Inputs are
    time-major, ``(num_steps, batch, num_inputs)``, so that step ``t`` is the
    contiguous slice ``inputs[t]``. ``fused=True`` runs the same recurrence
    through :func:`rnnbook.models.fused.tanh_recurrence`, which has a
    hand-written backward pass and is faster; ``fused=False`` the plain loop
    below, differentiated by autograd.
    """

    def __init__(self, num_inputs: int, num_hiddens: int, sigma: float = 0.01, fused: bool = True) -> None:
        super().__init__()
        self.num_inputs = check_positive_int("num_inputs", num_inputs)
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or not sigma > 0:
            raise ValueError(f"sigma must be a positive number (the std of the initial weights), got {sigma!r}")
        self.sigma = float(sigma)
        self.W_xh = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.W_hh = nn.Parameter(torch.randn(num_hiddens, num_hiddens) * sigma)
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))
        self.fused = bool(fused)

    def forward(self, inputs: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the RNN over ``inputs`` (num_steps, batch, num_inputs).

        Returns ``(outputs, state)``: the hidden state of every step,
        (num_steps, batch, num_hiddens), and the last one, (batch, num_hiddens).
        """
        if not isinstance(inputs, torch.Tensor) or inputs.ndim != 3 or inputs.shape[-1] != self.num_inputs:
            shape = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
            raise ValueError(f"inputs must be a tensor of shape (num_steps, batch, num_inputs={self.num_inputs}), "
                             f"got {shape}")
        projected = inputs @ self.W_xh + self.b_h          # (steps, batch, hidden): one matmul for all steps
        return self.recur(projected, state)

    def recur(self, projected: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The recurrence alone, given ``projected[t] = X_t W_xh + b_h`` for every step.

        This is the only part of the network that must run step by step.
        """
        num_steps, batch_size, _ = projected.shape
        H = check_state(state, batch_size, self.num_hiddens, like=projected)  # (batch, hidden)
        if self.fused:
            outputs = tanh_recurrence(projected, H, self.W_hh)  # the same loop, hand-written backward
            return outputs, outputs[-1]
        outputs = []
        for P_t in projected.unbind(0):                     # P_t: (batch, hidden)
            H = tanh(torch.addmm(P_t, H, self.W_hh))        # P_t + H @ W_hh, in one kernel
            outputs.append(H)
        return torch.stack(outputs), H                      # (steps, batch, hidden), (batch, hidden)


class RNNLMScratch(LanguageModel):
    """A character-level language model: one-hot tokens -> :class:`RNNScratch` -> output layer.

    ``forward(X, state=None) -> (logits, state)`` with ``X`` of token indices,
    (batch, num_steps), ``logits`` (batch, num_steps, vocab_size) and ``state``
    (batch, num_hiddens). :class:`rnnbook.RNNLM` has the same contract.
    """

    def __init__(self, rnn: RNNScratch, vocab_size: int) -> None:
        super().__init__()
        if not isinstance(rnn, RNNScratch):
            raise TypeError(f"rnn must be an RNNScratch, got {type(rnn).__name__}")
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        if rnn.num_inputs != vocab_size:
            raise ValueError(f"the RNN takes {rnn.num_inputs} inputs but the vocabulary has {vocab_size} tokens: "
                             "a one-hot input has one entry per token, so build RNNScratch(vocab_size, ...)")
        self.rnn = rnn
        self.num_hiddens = rnn.num_hiddens
        self.W_hq = nn.Parameter(torch.randn(rnn.num_hiddens, vocab_size) * rnn.sigma)
        self.b_q = nn.Parameter(torch.zeros(vocab_size))

    def one_hot(self, X: torch.Tensor) -> torch.Tensor:
        """Token indices (batch, num_steps) as one-hot vectors (num_steps, batch, vocab_size), time-major.

        Only for explanations and checks: :meth:`forward` uses :meth:`input_projection`.
        """
        return one_hot(X, self.vocab_size, self.W_hq.dtype)

    def input_table(self) -> torch.Tensor:
        """``W_xh + b_h`` (vocab, hidden): row ``i`` is the input term of token ``i``, bias included."""
        return self.rnn.W_xh + self.rnn.b_h

    def input_projection(self, X: torch.Tensor) -> torch.Tensor:
        """``one_hot(X) @ W_xh + b_h`` for every step, (num_steps, batch, num_hiddens), by row lookup.

        Row ``i`` of the one-hot matrix has a single 1 in column ``X_i``, so its
        product with ``W_xh`` is row ``X_i`` of ``W_xh``. Adding ``b_h`` to the
        28 rows of the table before the lookup adds it to every step at once.
        """
        num_steps, batch_size = X.shape[1], X.shape[0]
        rows = self.input_table().index_select(0, X.T.reshape(-1))         # (steps * batch, hidden)
        return rows.view(num_steps, batch_size, self.num_hiddens)

    def output_layer(self, outputs: torch.Tensor) -> torch.Tensor:
        """Hidden states (num_steps, batch, hidden) -> logits (batch, num_steps, vocab_size).

        One matrix product for all steps. The result is a transposed *view* of a
        time-major tensor: no copy is made; :func:`rnnbook.sequence_cross_entropy` reads it
        in memory order.
        """
        num_steps, batch_size, _ = outputs.shape
        logits = torch.addmm(self.b_q, outputs.reshape(-1, self.num_hiddens), self.W_hq)  # (steps * batch, vocab)
        return logits.view(num_steps, batch_size, self.vocab_size).transpose(0, 1)    # (batch, steps, vocab)

    def hidden_states(self, X: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The RNN's hidden state after every token of ``X``: (num_steps, batch, hidden), and the last one."""
        return self.rnn.recur(self.input_projection(X), state)

    def _states_without_autograd(self, X: torch.Tensor, state: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`hidden_states` for evaluation: the same values, the input lookup folded into the loop's."""
        H0 = check_state(state, X.shape[0], self.num_hiddens, like=self.W_hq)
        H = lookup_and_recur(self.input_table(), X.T.reshape(-1), H0, self.rnn.W_hh)
        return H, H[-1]

    def forward(self, X: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        check_tokens(X, self.vocab_size)
        outputs, state = self.hidden_states(X, state)                     # (steps, batch, hidden)
        return self.output_layer(outputs), state

    def loss(self, X: torch.Tensor, Y: torch.Tensor,
             state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(sequence_cross_entropy(logits, Y), state)`` for ``logits, state = self(X, state)``, faster.

        With ``fused`` (the default), the whole model and the loss run as one
        function, :func:`rnnbook.models.fused.scratch_lm_loss`; otherwise the
        plain recurrence feeds :func:`rnnbook.models.fused.linear_cross_entropy`,
        which fuses the output layer with the loss. Neither keeps the logits.
        Without autograd (under ``torch.no_grad()``, as in evaluation) the loss
        is computed a few steps at a time by
        :func:`rnnbook.models.fused.chunked_cross_entropy`.
        ``LanguageModelTrainer`` uses this method when a model has it.
        """
        check_loss_inputs(X, Y, self.vocab_size)
        if not torch.is_grad_enabled():
            states = self._states_without_autograd if self.rnn.fused else self.hidden_states
            return chunked_cross_entropy(states, self.W_hq, self.b_q, X, Y, state)
        if self.rnn.fused:                                                 # the whole model, one function
            H0 = check_state(state, X.shape[0], self.num_hiddens, like=self.W_hq)
            return scratch_lm_loss(self.input_table(), H0, self.rnn.W_hh, self.W_hq, self.b_q,
                                   X.T.reshape(-1), Y.T.reshape(-1))
        outputs, state = self.hidden_states(X, state)                     # (steps, batch, hidden)
        targets = Y.T.reshape(-1)                                          # time-major, like outputs
        return linear_cross_entropy(outputs.view(-1, self.num_hiddens), self.W_hq, self.b_q, targets), state
