"""The forward pass and the one backward recursion of hand-written BPTT.

Explained in ``book/bptt.md``. The model is the tanh RNN language model of the
chapter, with its parameters in a dict (see :mod:`rnnbook.bptt.problem`)::

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)     (batch, hidden)
    O_t = H_t W_hq + b_q                          (batch, vocab)
    L   = mean cross-entropy of O_t against Y_t over all batch * num_steps positions

The inputs X_t are one-hot vectors, so ``X_t W_xh`` is a row lookup ``W_xh[X_t]``
and its gradient a scatter-add of rows: the code never builds the one-hot matrix.
The steps run in the lesson model's own loop
(:func:`rnnbook.models.rnn_scratch.rnn_loop`), and every backward pass of the
package's BPTT, full, truncated or randomized, runs in :func:`backward_loop`.
Nothing here records an autograd graph.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..models.rnn_scratch import rnn_loop
from .problem import check_problem


def identity(A: torch.Tensor) -> torch.Tensor:
    """The activation of the linear RNN H_t = A_t (``book/bptt.md``)."""
    return A


def activation(linear: bool = False) -> Callable[[torch.Tensor], torch.Tensor]:
    """tanh, or the identity for the linear RNN that ``book/bptt.md`` compares."""
    return identity if linear else torch.tanh


def activation_derivative(H: torch.Tensor, linear: bool = False) -> torch.Tensor:
    """The activation's derivative at every step, from the states H_0, ..., H_T.

    ``D[t - 1]`` = tanh'(A_t) = 1 - H_t^2 (no need to keep A_t), or ones for
    the linear RNN; shape (steps, batch, hidden), as :func:`backward_loop`
    takes it (``book/bptt.md``, the table beside the loop).
    """
    H = H[1:]
    return torch.ones_like(H) if linear else 1.0 - H * H


def forward_states(params: dict, X: torch.Tensor, state: torch.Tensor | None,
                   linear: bool = False) -> torch.Tensor:
    """Every state H_0, ..., H_T, time-major: (num_steps + 1, batch, hidden).

    ``H[0]`` is the initial state (zeros when ``state`` is None). The backward
    pass needs H_0 too (it multiplies the first step's gradient), so it is kept
    with the others. ``linear=True`` drops the tanh (``book/bptt.md``).
    """
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    P = W_xh[X.T] + b_h                     # X_t W_xh + b_h: (steps, batch, hidden)
    H0 = P.new_zeros(P.shape[1:]) if state is None else state
    outputs, _ = rnn_loop(P, H0, W_hh, activation(linear))
    return torch.cat([H0[None], outputs])   # (steps + 1, batch, hidden)


def hidden_states(params: dict, X: torch.Tensor,
                  state: torch.Tensor | None = None) -> torch.Tensor:
    """The hidden states H_1, ..., H_T of the tanh RNN for inputs ``X``, time-major.

    Shape (num_steps, batch, hidden); ``params`` and ``X`` as for
    :func:`rnnbook.bptt_gradients`. Computed without autograd. ``book/bptt.md``
    uses it to measure tanh's derivative 1 - H_t^2 along real sequences.
    """
    check_problem(params, X, X, state)
    with torch.no_grad():
        return forward_states(params, X, state)[1:]


def output_layer(params: dict, H: torch.Tensor, Y: torch.Tensor):
    """Loss and output-layer gradients for all steps at once.

    ``H`` is (steps + 1, batch, hidden) as :func:`forward_states` returns it.
    Returns (loss, dW_hq, db_q, dH_out) where dH_out[t - 1] = (dL/dO_t) W_hq^T
    is the *partial* derivative of L with respect to H_t through O_t only, shape
    (steps, batch, hidden). The output layer does not depend on earlier steps,
    so one matrix product serves every step (``book/bptt.md``).
    """
    W_hq, b_q = params["W_hq"], params["b_q"]
    steps, batch, hidden = H.shape[0] - 1, H.shape[1], H.shape[2]
    n = steps * batch
    Hs = H[1:].reshape(n, hidden)                            # (steps*batch, hidden)
    y = Y.T.reshape(n)                                       # time-major, like Hs
    # (steps*batch, vocab): every O_t in one matmul
    O = torch.addmm(b_q, Hs, W_hq)
    logp = torch.log_softmax(O, dim=1)
    loss = -logp[torch.arange(n, device=y.device), y].mean()
    dO = logp.exp_()                                         # softmax, in place
    dO[torch.arange(n, device=y.device), y] -= 1.0
    # dL/dO: (softmax - one_hot) / (batch*steps)
    dO /= n
    # (hidden, vocab): all steps in one matmul
    dW_hq = Hs.T @ dO
    db_q = dO.sum(0)
    dH_out = (dO @ W_hq.T).view(steps, batch, hidden)
    return loss, dW_hq, db_q, dH_out


def backward_loop(W_hh: torch.Tensor, D: torch.Tensor, dH_out: torch.Tensor,
                  xi: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The backward recursion of BPTT, from the last step to the first.

    ``dH_out[t - 1]`` = (dL/dO_t) W_hq^T is the route from H_t through the
    output O_t, shape (T, batch, hidden); ``D[t - 1]`` is the derivative of the
    activation at step t, 1 - H_t^2 for tanh (ones for the linear RNN).
    Returns ``dA`` with ``dA[t - 1]`` = dL/dA_t, and dL/dH_0 (batch, hidden).
    With weights ``xi`` (xi[t - 1] = xi_t), the route from H_t back to H_{t-1}
    is scaled by xi_t: randomized truncation, or, with a leading lane
    dimension that every tensor here broadcasts over, the regular truncation of
    :func:`rnnbook.bptt.truncation.truncated_backward`. The package has this
    one backward loop; ``book/bptt.md`` shows it line by line beside the
    equations it implements, and ``book/bptt_truncation.md`` the randomized
    line.
    """
    T = dH_out.shape[0]
    dA = torch.empty_like(dH_out)          # dA[t - 1] = dL/dA_t
    carry = torch.zeros_like(dH_out[0])    # nothing comes back from T + 1
    for t in range(T, 0, -1):              # t = T, T - 1, ..., 1
        dH = dH_out[t - 1] + carry         # dL/dH_t: both routes
        dA[t - 1] = dH * D[t - 1]          # times tanh'(A_t) = 1 - H_t^2
        carry = dA[t - 1] @ W_hh.T         # the route into H_{t-1}
        if xi is not None:
            carry = xi[t - 1] * carry      # randomized: cut or scale up
    return dA, carry                       # carry is now dL/dH_0


def recurrent_gradients(params: dict, X: torch.Tensor, H: torch.Tensor,
                        dA: torch.Tensor, dH0: torch.Tensor) -> dict:
    """Gradients of W_xh, W_hh, b_h from the pre-activation adjoints, plus the state's.

    ``dA`` (steps, batch, hidden) as :func:`backward_loop` returns it. Each
    parameter's gradient is a sum over steps (the weights are shared across
    time), so each is one product or one scatter-add over all steps at once
    (``book/bptt.md``, the parameter sums).
    """
    steps, batch, hidden = dA.shape
    vocab = params["W_xh"].shape[0]
    dA2 = dA.reshape(steps * batch, hidden)
    # sum_t H_{t-1}^T dA_t in one matmul
    dW_hh = H[:-1].reshape(steps * batch, hidden).T @ dA2
    db_h = dA2.sum(0)
    dW_xh = torch.zeros(vocab, hidden, dtype=dA.dtype, device=dA.device)
    # row lookup backwards: scatter-add rows
    dW_xh.index_add_(0, X.T.reshape(-1), dA2)
    return {"W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h, "state": dH0}
