"""Hand-written autograd functions, and a chunked evaluation, that make the RNN language models fast on a CPU.

Explained in ``book/rnn_scratch.md`` (section "A faster path"). All three compute
exactly what the plain code computes; they only decide *how*, because on a CPU
with small tensors the time goes into the number of kernels called, the
memory they allocate and a few slow elementwise kernels, not into arithmetic.

* :func:`tanh_recurrence` runs ``H_t = tanh(P_t + H_{t-1} W_hh)`` over all
  steps, writing every state into one preallocated tensor. Its backward pass
  carries the gradient back through time with one matrix product per step and
  then forms the gradient of ``W_hh`` for *all* steps in a single product,
  where autograd would compute one small product per step and add them up.
* :func:`linear_cross_entropy` fuses the output layer with the mean
  cross-entropy. It lays the logits out as (vocab, positions), so that the
  max, the exponential and the sum over the vocabulary run along contiguous
  memory, computes the softmax once in the forward pass and reuses it in the
  backward pass, where the gradient of the logits is simply
  ``(softmax - onehot) / N``.
* :func:`chunked_cross_entropy` is for evaluation, without autograd: it runs
  a model a few steps at a time and scores them before computing the next
  ones, so no tensor in flight is larger than the CPU's cache.

The tests (``tests/test_fused.py``) check the two autograd functions against
plain autograd code and with ``torch.autograd.gradcheck`` in float64, and the
chunked evaluation against the loss over all steps at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..data.batching import check_positive_int

LOG2_E = 1.0 / math.log(2.0)


class TanhRecurrence(torch.autograd.Function):
    """``outputs[t] = tanh(projected[t] + outputs[t-1] @ W_hh)``, ``outputs[-1]`` read as ``H0``.

    ``projected`` (steps, batch, hidden), ``H0`` (batch, hidden), ``W_hh``
    (hidden, hidden); returns the states of all steps, (steps, batch, hidden).
    """

    @staticmethod
    def forward(ctx, projected: torch.Tensor, H0: torch.Tensor, W_hh: torch.Tensor) -> torch.Tensor:
        # tanh(z) = 2 sigmoid(2z) - 1 (see rnn_scratch.tanh): with the inputs and W_hh doubled,
        # each step's product is already 2z, and the activation runs in place on it.
        outputs = projected.mul(2)                          # (steps, batch, hidden): 2 P_t, then h_t
        twice_W = W_hh.mul(2)
        H = H0
        for t in range(outputs.shape[0]):
            H = outputs[t].addmm_(H, twice_W).sigmoid_().mul_(2).sub_(1)   # h_t, written in place
        ctx.save_for_backward(H0, W_hh, outputs)
        return outputs

    @staticmethod
    def backward(ctx, grad_outputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        H0, W_hh, outputs = ctx.saved_tensors
        hidden = outputs.shape[-1]
        # dZ[t] = dL/dz_t, the gradient of the pre-activation of step t. Going back in time:
        # dL/dh_t = grad_outputs[t] + dZ[t+1] @ W_hh^T, and dz_t = dh_t * tanh'(z_t) = dh_t * (1 - h_t^2).
        # Every step works on one (batch, hidden) slice, which stays in the CPU's cache; a pass over
        # all steps at once (to form 1 - h^2, say) would stream megabytes through memory instead.
        dZ = torch.empty_like(outputs, memory_format=torch.contiguous_format)  # (steps, batch, hidden)
        scratch = torch.empty_like(dZ[0])                                        # (batch, hidden)
        W_T = W_hh.T
        for t in range(outputs.shape[0] - 1, -1, -1):
            if t == outputs.shape[0] - 1:
                dZ[t].copy_(grad_outputs[t])
            else:
                torch.addmm(grad_outputs[t], dZ[t + 1], W_T, out=dZ[t])           # dL/dh_t
            h = outputs[t]
            dZ[t].addcmul_(torch.mul(dZ[t], h, out=scratch), h, value=-1)        # dh - dh h h = dh (1 - h^2)
        # z_t = P_t + h_{t-1} W_hh: W_hh's gradient sums h_{t-1}^T dZ[t] over all steps, one product.
        dW = torch.mm(outputs[:-1].reshape(-1, hidden).T, dZ[1:].reshape(-1, hidden))
        dW.addmm_(H0.T, dZ[0])
        dH0 = torch.mm(dZ[0], W_T) if ctx.needs_input_grad[1] else None
        return dZ, dH0, dW


def tanh_recurrence(projected: torch.Tensor, H0: torch.Tensor, W_hh: torch.Tensor) -> torch.Tensor:
    """The tanh recurrence over all steps with a hand-written backward pass; (steps, batch, hidden).

    Equal (up to float rounding) to the plain loop in :meth:`rnnbook.RNNScratch.recur`.
    """
    return TanhRecurrence.apply(projected, H0, W_hh)


def _exp_logits(H: torch.Tensor, W: torch.Tensor, b: torch.Tensor, targets: torch.Tensor):
    """The pieces of softmax and cross-entropy for the logits ``H @ W + b``, laid out (vocab, positions).

    Returns ``(exps, total, top, target_logit, flat)``: ``exp(logit - top)``
    (vocab, positions), its column sums, the largest logit of each position,
    the logit of each target and where the targets lie in ``exps.view(-1)``.
    The loss of position ``i`` is ``log(total[i]) + top[i] - target_logit[i]``.
    """
    n = H.shape[0]
    # (vocab, positions): reductions over the vocabulary then run along contiguous rows,
    # which PyTorch's CPU kernels vectorise; over a last dimension of 28 they do not.
    logits = torch.mm(W.T, H.T).add_(b[:, None])
    flat = targets * n + torch.arange(n, device=H.device)             # where logit[target_i, i] lies
    target_logit = logits.view(-1).take(flat)                         # (positions,)
    top = logits.amax(0)                                              # (positions,)
    # exp(x) as exp2(x log2 e): the same number, and PyTorch's CPU exp2 kernel is ~3x faster than exp.
    exps = logits.sub_(top).mul_(LOG2_E).exp2_()                      # exp(logit - max), in place
    return exps, exps.sum(0), top, target_logit, flat


class LinearCrossEntropy(torch.autograd.Function):
    """Mean cross-entropy of the logits ``H @ W + b`` against ``targets``, without keeping the logits.

    ``H`` (positions, hidden), ``W`` (hidden, vocab), ``b`` (vocab,), ``targets``
    (positions,) int64; returns a scalar.
    """

    @staticmethod
    def forward(ctx, H: torch.Tensor, W: torch.Tensor, b: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        exps, total, top, target_logit, flat = _exp_logits(H, W, b, targets)
        ctx.save_for_backward(H, W, exps, total, flat)                    # softmax = exps / total
        return (total.log() + top - target_logit).mean()                  # mean of logsumexp - target logit

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, None]:
        H, W, exps, total, flat = ctx.saved_tensors
        scale = grad / H.shape[0]
        G = exps * (scale / total)                                        # softmax * grad / N, (vocab, positions)
        G.view(-1).index_put_((flat,), -scale, accumulate=True)           # (softmax - onehot) * grad / N
        dH = torch.mm(G.T, W.T)                                           # (positions, hidden)
        dW = torch.mm(G, H).T                                             # (hidden, vocab); this order is faster
        return dH, dW, G.sum(1), None


def linear_cross_entropy(H: torch.Tensor, W: torch.Tensor, b: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``F.cross_entropy(H @ W + b, targets)`` fused into one autograd function; a scalar.

    ``H`` (positions, hidden), ``W`` (hidden, vocab), ``b`` (vocab,),
    ``targets`` (positions,) token indices.
    """
    return LinearCrossEntropy.apply(H, W, b, targets)


@torch.no_grad()
def chunked_cross_entropy(hidden_states: Callable[[torch.Tensor, torch.Tensor | None], tuple[torch.Tensor, torch.Tensor]],
                          W: torch.Tensor, b: torch.Tensor, X: torch.Tensor, Y: torch.Tensor,
                          state: torch.Tensor | None = None, steps: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean cross-entropy of a language model on ``(X, Y)``, computed ``steps`` time steps at a time.

    For evaluation, where nothing is kept for a backward pass: the hidden
    states of a few steps are computed, scored and dropped, with the last state
    carried into the next chunk, so the tensors in flight stay small enough to
    live in the CPU's cache instead of streaming tens of megabytes through
    memory. ``hidden_states(X_chunk, state) -> (outputs, state)`` runs the
    network (outputs time-major, (steps, batch, hidden)); ``W`` (hidden,
    vocab) and ``b`` (vocab,) are the output layer. Returns ``(loss, state)``
    like the models' ``loss`` methods; the value equals the one computed over
    all steps at once, up to float rounding.
    """
    check_positive_int("steps", steps)
    total = torch.zeros((), dtype=torch.float64, device=W.device)       # summed in float64, on the device
    num_steps = X.shape[1]
    for start in range(0, num_steps, steps):
        outputs, state = hidden_states(X[:, start:start + steps], state)    # (steps, batch, hidden)
        targets = Y[:, start:start + steps].T.reshape(-1)                   # time-major, like outputs
        _, sums, top, target_logit, _ = _exp_logits(outputs.reshape(-1, outputs.shape[-1]), W, b, targets)
        total += (sums.log_().add_(top).sub_(target_logit)).sum(dtype=torch.float64)
    return (total / Y.numel()).to(W.dtype), state
