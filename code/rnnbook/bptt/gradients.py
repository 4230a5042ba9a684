"""Loss and gradients of the tanh RNN language model by hand, full or truncated.

Explained in ``book/bptt.md`` (full BPTT, checked against autograd) and
``book/bptt_truncation.md`` (the truncated strategies). :func:`bptt_gradients`
is the entry point; it checks its arguments and runs four stages: the forward
pass, the output layer for all steps at once, the backward loop, and the
parameter sums (:mod:`rnnbook.bptt.core`).
"""

from __future__ import annotations

import torch

from .core import (activation_derivative, backward_loop, forward_states, output_layer,
                   recurrent_gradients)
from .problem import PARAM_NAMES, check_problem
from .truncation import (DEFAULT_KEEP_PROB, check_truncation, randomized_weights,
                         truncated_backward)


def bptt_gradients(params: dict, X: torch.Tensor, Y: torch.Tensor,
                   state: torch.Tensor | None = None,
                   truncation: int | str | None = None, seed: int | None = None,
                   keep_prob: float | None = None) -> tuple[torch.Tensor, dict]:
    """Loss and gradients of the tanh RNN language model, by hand (no autograd).

    ``params``: dict with ``W_xh`` (vocab, hidden), ``W_hh`` (hidden, hidden),
    ``b_h`` (hidden,), ``W_hq`` (hidden, vocab), ``b_q`` (vocab,). ``X``, ``Y``:
    integer token indices, (batch, num_steps). The inputs are one-hot, so
    ``X_t W_xh`` is computed as the row lookup ``W_xh[X_t]``, and its gradient as a
    scatter-add of rows (``index_add_``). ``state``: the initial hidden state
    H_0, (batch, hidden); zeros when None. The loss is the mean cross-entropy over
    all batch * num_steps positions, L = (1/T) sum_t l_t with l_t the batch mean
    at step t.

    Returns ``(loss, grads)``: ``loss`` a 0-d tensor, ``grads`` a dict with the
    keys of ``params`` (same shapes) plus ``"state"``, the gradient with respect
    to H_0 (also when H_0 defaulted to zeros).

    ``truncation`` chooses how far back the gradient of each loss term flows:

    * ``None``: full BPTT, the exact gradient (equal to autograd up to rounding).
    * an int ``k`` in [1, num_steps]: regular truncation *per loss term*. The
      gradient of l_t passes back through the k steps t, t-1, ..., t-k+1 only:
      it reaches H_t, ..., H_{t-k+1} and the parameters used in those k steps
      (step t-k+1 still sees H_{t-k} as an input value), exactly as if H_{t-k}
      were detached for that one term. Every term gets the same reach k, except
      the first ones, whose window hits the start of the sequence; a term whose
      window covers step 1 also reaches H_0 (so ``grads["state"]`` collects
      l_1, ..., l_k), which makes k = num_steps exactly full BPTT. This is not
      the common "detach the state every k steps" scheme, where the reach of l_t
      depends on where t falls in its chunk (1 to k steps; see
      ``rnn_lm_loss(detach_every=k)``). Cost O(num_steps * k).
    * ``"randomized"``: randomized truncation (Tallec and Ollivier, 2017). Each
      crossing from H_t back to H_{t-1} multiplies the carried gradient by
      xi_t, which is 1/keep_prob with probability ``keep_prob`` and 0 otherwise
      (see :func:`rnnbook.randomized_weights`; default keep_prob 0.9). Every
      term of the full gradient is thus kept with some probability and scaled up
      by its inverse, so the expectation of the estimate is exactly the full
      gradient. ``seed`` makes the draw reproducible.

    Runs under ``torch.no_grad()``. Explained and checked in ``book/bptt.md``.
    """
    loss, grads, _ = bptt_with_state(params, X, Y, state, truncation, seed, keep_prob)
    return loss, grads


def bptt_with_state(params: dict, X: torch.Tensor, Y: torch.Tensor,
                    state: torch.Tensor | None,
                    truncation: int | str | None, seed: int | None,
                    keep_prob: float | None
                    ) -> tuple[torch.Tensor, dict, torch.Tensor]:
    """:func:`bptt_gradients` plus the last hidden state H_T (batch, hidden).

    A trainer carries H_T on to the next minibatch (``book/bptt_truncation.md``).
    """
    check_problem(params, X, Y, state)
    num_steps = X.shape[1]
    check_truncation(truncation, keep_prob, num_steps, seed)
    xi = None
    if truncation == "randomized":
        xi = randomized_weights(
            num_steps, DEFAULT_KEEP_PROB if keep_prob is None else keep_prob, seed)
    k = truncation if isinstance(truncation, int) else None
    return bptt_core(params, X, Y, state, k=k, xi=xi)


def bptt_core(params: dict, X: torch.Tensor, Y: torch.Tensor,
              state: torch.Tensor | None, k: int | None = None,
              xi: torch.Tensor | None = None,
              ) -> tuple[torch.Tensor, dict, torch.Tensor]:
    """The computation behind :func:`bptt_gradients`, on checked inputs.

    Truncates each loss term at ``k`` steps, or weights the route from each
    H_t back to H_{t-1} by ``xi[t - 1]`` (any weights, e.g. one fixed pattern
    of cuts, which is how the tests take the exact expectation of randomized
    truncation); both None is full BPTT. Returns (loss, grads, H_T). The four
    stages are explained in ``book/bptt.md``.
    """
    with torch.no_grad():
        H = forward_states(params, X, state)                 # (steps+1, batch, hidden)
        loss, dW_hq, db_q, dH_out = output_layer(params, H, Y)
        D = activation_derivative(H)                         # 1 - H_t^2, all t
        if k is not None:
            dA, dH0 = truncated_backward(params["W_hh"], D, dH_out, k)
        else:
            dA, dH0 = backward_loop(params["W_hh"], D, dH_out,
                                    None if xi is None else xi.to(H))
        grads = recurrent_gradients(params, X, H, dA, dH0)
        grads.update(W_hq=dW_hq, b_q=db_q)
    grads = {name: grads[name] for name in (*PARAM_NAMES, "state")}
    return loss, grads, H[-1].clone()
