"""The fast RNN language model of the appendix.

The same function as the lesson's, faster on a CPU.

Explained in ``book/fast_rnn.md`` ("Making the RNN fast"). The lesson model,
:class:`rnnbook.RNNLMScratch`, is plain PyTorch differentiated by autograd.
:class:`FastRNNLMScratch` subclasses it: same parameters, same ``forward``
(decoding and stream perplexity use it unchanged), and a ``loss`` that computes
the same number and the same gradients with fewer kernels and less memory
traffic. On a CPU with tensors this small, the time of a training step goes
into the number of kernels called, the memory they allocate and a few slow
elementwise kernels, not into arithmetic:

* :class:`ScratchLMLoss` is the whole training loss in one
  ``torch.autograd.Function``: row lookup, recurrence, output layer and
  cross-entropy. Its forward loop takes three in-place kernels a step, using
  ``tanh(z) = 2 sigmoid(2z) - 1`` (``sigmoid_`` works in place after the
  product; which of PyTorch's two kernels is faster depends on the CPU and
  the kernel set) with the doubling folded into the 28-row input table. It
  forms the gradient of the logits, ``(softmax - onehot) / (nT)`` for ``nT``
  positions, in the forward pass, in the memory of the
  exponentials, in base 2 (``exp2`` is the fastest exponential PyTorch has on
  a CPU), with the logits laid out (vocab, positions) so that reductions over
  the vocabulary read contiguous memory. Because it computes the gradient that
  reaches the hidden states itself, its backward pass carries that tensor back
  through time in place, two kernels a step, and forms the gradient of
  ``W_hh`` for all steps in one product.
* :func:`chunked_cross_entropy` is for evaluation, without autograd: it runs
  the model a few steps at a time and scores them before computing the next,
  so no tensor in flight outgrows the CPU's cache.

A two-kernel step exists (``2 z_t = (2 P_t - 2 c) + s_{t-1} (4 W_hh)`` with
``s = sigmoid(2z)`` and ``c`` the column sums of ``W_hh``); it is not used:
the product and the shift nearly cancel when states are near zero, so in
float32 it loses digits that the three-kernel step keeps, and one kernel
fewer is not worth less accurate gradients
(``test_fast_float32_gradients_are_as_accurate_as_the_plain_loop`` holds the
step kept to the plain loop's accuracy).

The tests (``tests/test_fast_model.py``) check the loss and every gradient against
the lesson model's autograd and the package's hand-written BPTT
(:func:`rnnbook.bptt_gradients`) in float64, and the chunked evaluation against the loss
over all steps at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..checks import check_positive_int
from ..checks import check_sequence
from .rnn_scratch import RNNLMScratch

LOG2_E = 1.0 / math.log(2.0)
LN_2 = math.log(2.0)


# ---- the recurrence ---------------------------------------------------------------
def run_recurrence(U: torch.Tensor, H0: torch.Tensor,
                   W_hh: torch.Tensor) -> torch.Tensor:
    """Overwrite ``U`` (steps, batch, hidden), holding ``2 P_t``, with h_t.

    With ``tanh(z) = 2 sigmoid(2z) - 1`` and
    ``2 z_t = 2 P_t + h_{t-1} (2 W_hh)``, a step is three in-place kernels:
    ``addmm_``, ``sigmoid_`` and one ``torch.add`` forming ``2 s - 1``.
    """
    h = H0                                          # (batch, hidden)
    two_W = W_hh.mul(2)
    minus_one = U.new_full((), -1.0)
    for U_t in U.unbind(0):                         # a view into U
        s = U_t.addmm_(h, two_W).sigmoid_()         # sigmoid(2 z_t)
        h = torch.add(minus_one, s, alpha=2, out=U_t)   # h_t = 2 s - 1
    return U


def lookup_and_recur(table: torch.Tensor, tokens: torch.Tensor,
                     H0: torch.Tensor, W_hh: torch.Tensor) -> torch.Tensor:
    """The hidden states of a language model's RNN, (steps, batch, hidden).

    No autograd.

    ``table`` (vocab, hidden) is ``W_xh + b_h``, ``tokens`` (steps * batch,)
    the time-major token indices, ``H0`` (batch, hidden). The table's 28 rows
    are doubled before the lookup, which doubles every position at once, and
    looked up straight into the tensor the loop works in.
    """
    batch, hidden = H0.shape
    # 2 P_t for every step
    U = table.mul(2).index_select(0, tokens).view(-1, batch, hidden)
    return run_recurrence(U, H0, W_hh)


def backward_through_time(dZ: torch.Tensor, H: torch.Tensor,
                          H0: torch.Tensor, W_hh: torch.Tensor,
                          need_dH0: bool):
    """Carry the gradient back through time in place; (dL/dW_hh, dL/dH_0).

    On entry ``dZ[t]`` is the gradient that reaches ``h_t`` from the output
    layer; going back, ``dL/dh_t`` also collects ``dL/dz_{t+1} W_hh^T``, and
    ``dL/dz_t = dL/dh_t * (1 - h_t^2)``, written over ``dZ[t]``. Two
    in-place kernels a step. ``dL/dH_0`` is None unless ``need_dH0``.
    """
    hidden = H.shape[-1]
    D = torch.addcmul(H.new_ones(()), H, H, value=-1)   # 1 - h_t^2, all t
    W_T = W_hh.T
    dZ_t, D_t = dZ.unbind(0), D.unbind(0)               # views, made once
    for t in range(H.shape[0] - 1, -1, -1):
        if t + 1 < H.shape[0]:
            dZ_t[t].addmm_(dZ_t[t + 1], W_T)            # dL/dh_t
        dZ_t[t].mul_(D_t[t])                            # dL/dz_t
    # W_hh's gradient sums h_{t-1}^T dZ[t] over all steps: one product.
    H_prev = H[:-1].reshape(-1, hidden)                 # h_1 .. h_{T-1}
    dW = torch.mm(H_prev.T, dZ[1:].reshape(-1, hidden)).addmm_(H0.T, dZ[0])
    return dW, (torch.mm(dZ[0], W_T) if need_dH0 else None)


# ---- the output layer and the loss ------------------------------------------------
def exp2_logits(H: torch.Tensor, W: torch.Tensor, b: torch.Tensor,
                targets: torch.Tensor):
    """The pieces of softmax and cross-entropy for the logits ``H @ W + b``.

    In base 2, laid out (vocab, positions).

    Returns ``(exps, total, top, target_logit)`` for ``L = log2(e) (H W + b)^T``:
    ``exps = 2^(L - top)`` (vocab, positions), its column sums, the largest
    entry of each column and the entry of each target. The loss of position
    ``i`` is ``ln 2 (log2(total[i]) + top[i] - target_logit[i])``.
    """
    # (vocab, positions): reductions over the vocabulary then run along contiguous
    # rows, which PyTorch's CPU kernels vectorise; over a last dimension of 28 they
    # do not. Scaling W and b by log2(e) (tiny tensors) turns exp into exp2,
    # PyTorch's fastest exponential on a CPU.
    # (vocab, positions)
    logits = torch.addmm(b.mul(LOG2_E)[:, None], W.mul(LOG2_E).T, H.T)
    target_logit = logits.gather(0, targets[None]).squeeze(0)   # (positions,)
    top = logits.amax(0)                                         # (positions,)
    exps = logits.sub_(top).exp2_()                              # in place
    return exps, exps.sum(0), top, target_logit


def mean_loss(total: torch.Tensor, top: torch.Tensor,
              target_logit: torch.Tensor) -> torch.Tensor:
    """The mean cross-entropy, in nats, from the pieces :func:`exp2_logits`
    returns."""
    return (total.log2().add_(top).sub_(target_logit)).mean() * LN_2


def logit_gradient_(exps: torch.Tensor, total: torch.Tensor,
                    targets: torch.Tensor) -> torch.Tensor:
    """``(softmax - onehot) / (nT)``, the gradient of the mean loss for the logits.

    Laid out (vocab, positions).

    Written in place into ``exps`` (from :func:`exp2_logits`) and returned.
    It is the gradient for ``dL/dloss = 1``; a backward pass scales what it
    computes from it by the gradient it actually receives, a single number.
    Forming it in the forward pass lets the softmax reuse the memory of
    ``exps`` instead of filling a second (vocab, positions) tensor.
    """
    n = exps.shape[1]  # positions, batch times steps (nT on the page)
    G = exps.mul_(total.mul(n).reciprocal_())                   # softmax / nT
    minus_onehot = G.new_full((), -1.0 / n).expand(1, n)        # - onehot / nT
    return G.scatter_add_(0, targets[None], minus_onehot)


# ---- the whole language model -----------------------------------------------------
class ScratchLMLoss(torch.autograd.Function):
    """The fast model's mean cross-entropy on a minibatch and last state.

    ``table`` (vocab, hidden) is ``W_xh + b_h``; ``H0`` (batch, hidden);
    ``W_hh`` (hidden, hidden); ``W_hq`` (hidden, vocab); ``b_q`` (vocab,);
    ``tokens``, ``targets`` (steps * batch,) int64, time-major.
    """

    @staticmethod
    def forward(ctx, table, H0, W_hh, W_hq, b_q, tokens, targets):
        hidden = H0.shape[1]
        H = lookup_and_recur(table, tokens, H0, W_hh)  # (steps, batch, h)
        exps, total, top, target = exp2_logits(H.view(-1, hidden), W_hq, b_q,
                                               targets)
        loss = mean_loss(total, top, target)
        G = logit_gradient_(exps, total, targets)      # (vocab, positions)
        ctx.save_for_backward(H0, W_hh, W_hq, H, G, tokens)
        ctx.vocab_size = table.shape[0]
        return loss, H[-1].clone()

    @staticmethod
    def backward(ctx, grad, grad_last):
        H0, W_hh, W_hq, H, G, tokens = ctx.saved_tensors
        hidden = H.shape[-1]
        dW_hq = torch.mm(G, H.view(-1, hidden)).T.mul_(grad)
        db_q = G.sum(1).mul_(grad)
        dZ = torch.mm(G.T, W_hq.T.mul(grad)).view_as(H)  # ours: in place
        dZ[-1] += grad_last                  # and from the returned state
        dW_hh, dH0 = backward_through_time(dZ, H, H0, W_hh,
                                           ctx.needs_input_grad[1])
        # Row v of d(W_xh + b_h) sums dL/dz over the positions of token v.
        dtable = dZ.new_zeros(ctx.vocab_size, hidden)
        dtable.index_add_(0, tokens, dZ.view(-1, hidden))
        return dtable, dH0, dW_hh, dW_hq, db_q, None, None


def scratch_lm_loss(table: torch.Tensor, H0: torch.Tensor, W_hh: torch.Tensor,
                    W_hq: torch.Tensor, b_q: torch.Tensor, tokens: torch.Tensor,
                    targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The scratch language model's ``(mean cross-entropy, last state)``.

    One autograd function. Equal (up to float rounding) to running
    :meth:`rnnbook.RNNLMScratch.forward` and :func:`rnnbook.sequence_cross_entropy`;
    see :class:`ScratchLMLoss` for the arguments, and
    :meth:`FastRNNLMScratch.loss`, which calls it.
    """
    return ScratchLMLoss.apply(table, H0, W_hh, W_hq, b_q, tokens, targets)


@torch.no_grad()
def chunked_cross_entropy(
        hidden_states: Callable[[torch.Tensor, torch.Tensor | None],
                                tuple[torch.Tensor, torch.Tensor]],
        W: torch.Tensor, b: torch.Tensor, X: torch.Tensor, Y: torch.Tensor,
        state: torch.Tensor | None = None,
        steps: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean cross-entropy of a language model on ``(X, Y)``.

    Computed ``steps`` time steps at a time. For evaluation, where nothing is
    kept for a backward pass: the hidden states of a few steps are computed,
    scored and dropped, with the last state carried into the next chunk, so the
    tensors in flight stay small enough to live in the CPU's cache instead of
    streaming tens of megabytes through memory. ``hidden_states(X_chunk, state)
    -> (outputs, state)`` runs the network (outputs time-major, (steps, batch,
    hidden)); ``W`` (hidden, vocab) and ``b`` (vocab,) are the output layer.
    Returns ``(loss, state)`` like the models' ``loss`` methods; the value
    equals the one computed over all steps at once, up to float rounding.
    ``steps`` trades the size of the tensors in flight (smaller with fewer
    steps) against the number of trips through the loop (fewer with more); the
    fast model uses the default, four.
    """
    check_positive_int("steps", steps)
    # summed in float64, on the device
    total = torch.zeros((), dtype=torch.float64, device=W.device)
    num_steps = X.shape[1]
    for start in range(0, num_steps, steps):
        # (steps, batch, hidden)
        outputs, state = hidden_states(X[:, start:start + steps], state)
        # time-major, like outputs
        targets = Y[:, start:start + steps].T.reshape(-1)
        _, sums, top, target_logit = exp2_logits(
            outputs.reshape(-1, outputs.shape[-1]), W, b, targets)
        # in bits
        total += (sums.log2_().add_(top).sub_(target_logit)).sum(
            dtype=torch.float64)
    return (total * (LN_2 / Y.numel())).to(W.dtype), state


# ---- the model --------------------------------------------------------------------

class FastRNNLMScratch(RNNLMScratch):
    """:class:`rnnbook.RNNLMScratch` with a faster ``loss``, same function.

    Built like the lesson model, ``FastRNNLMScratch(RNNScratch(V, h), V)``,
    and interchangeable with it through ``state_dict``. ``forward`` is
    inherited; ``loss`` returns what the base class's ``loss`` returns (the
    mean cross-entropy and the last state), through :func:`scratch_lm_loss`
    when autograd records, through :func:`chunked_cross_entropy` otherwise.
    """

    def loss(self, X, Y, state=None):
        check_sequence(X, state, self.num_hiddens,
                       vocab_size=self.vocab_size)
        check_sequence(Y, None, self.num_hiddens,
                       vocab_size=self.vocab_size)
        if Y.shape != X.shape:
            raise ValueError(f"Y must have the shape of X, {tuple(X.shape)},"
                             f" got {tuple(Y.shape)}")
        H0 = self.W_hq.new_zeros(X.shape[0], self.num_hiddens)
        H0 = H0 if state is None else state
        table = self.rnn.W_xh + self.rnn.b_h     # row i: token i's input
        if torch.is_grad_enabled():
            tokens, targets = X.T.reshape(-1), Y.T.reshape(-1)  # time-major
            return scratch_lm_loss(table, H0, self.rnn.W_hh, self.W_hq,
                                   self.b_q, tokens, targets)

        def hidden_states(X_chunk, H):
            states = lookup_and_recur(table, X_chunk.T.reshape(-1), H,
                                      self.rnn.W_hh)  # (steps, batch, h)
            return states, states[-1]
        return chunked_cross_entropy(hidden_states, self.W_hq, self.b_q,
                                     X, Y, H0)
