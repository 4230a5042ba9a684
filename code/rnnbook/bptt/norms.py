"""How the gradient of the last step's loss fades, or grows, on its way back in time.

Explained in ``book/bptt.md`` (vanishing and exploding gradients): the page
plots ||d l_T / d H_t|| against the distance T - t for the linear and the tanh
RNN. The measurement runs the package's one forward pass and one backward loop
(:mod:`rnnbook.bptt.core`) with only the last loss term switched on.
"""

from __future__ import annotations

import torch

from .core import activation_derivative, backward_loop, forward_states, output_layer
from .problem import check_problem


def hidden_gradient_norms(params: dict, X: torch.Tensor, Y: torch.Tensor,
                          state: torch.Tensor | None = None,
                          linear: bool = False) -> torch.Tensor:
    """Norms of the gradient of the last step's loss with respect to every hidden state.

    Returns a tensor of length num_steps whose entry d is ||d l_T / d H_{T-d}||
    (Frobenius norm over batch and hidden units), for d = 0, ..., T-1: the
    gradient reaching d steps into the past from the loss l_T at the last step
    (the batch mean of the cross-entropy at step T). ``linear=True`` uses the
    linear RNN H_t = X_t W_xh + H_{t-1} W_hh + b_h (no tanh), where the gradient
    is multiplied by W_hh^T at every step back. Computed by hand, without
    autograd. Explained in ``book/bptt.md``.
    """
    check_problem(params, X, Y, state)
    W_hh = params["W_hh"]
    with torch.no_grad():
        H = forward_states(params, X, state, linear)       # (steps+1, batch, hidden)
        # only l_T: the output layer at the last step, H_T against Y_T
        _, _, _, dH_last = output_layer(params, H[-2:], Y[:, -1:])
        dH_out = torch.zeros_like(H[1:])                     # (steps, batch, hidden)
        dH_out[-1] = dH_last[0]                              # d l_T / d H_T
        dA, _ = backward_loop(W_hh, activation_derivative(H, linear), dH_out)
        # d l_T / d H_t for t < T: the route through A_{t+1}
        dH = torch.cat([dA[1:] @ W_hh.T, dH_out[-1:]])       # (steps, batch, hidden)
    return torch.linalg.vector_norm(dH, dim=(1, 2)).flip(0)
