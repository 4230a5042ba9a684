"""The loss of the tanh RNN language model for autograd: the reference of the checks.

Explained in ``book/bptt.md``: the hand-written gradients of
:func:`rnnbook.bptt_gradients` are checked against ``torch.autograd`` applied to
:func:`rnn_lm_loss`, in float64, by the page and by the tests.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..checks import check_positive_int
from ..models.rnn_scratch import rnn_loop
from .core import activation
from .problem import check_problem


def rnn_lm_loss(params: dict, X: torch.Tensor, Y: torch.Tensor,
                state: torch.Tensor | None = None,
                detach_every: int | None = None, linear: bool = False) -> torch.Tensor:
    """The loss of :func:`rnnbook.bptt_gradients`, for autograd to differentiate.

    Written the plain way the lesson model computes it (``book/rnn_scratch.md``):
    one-hot inputs multiplied by W_xh, the steps in the lesson's own loop
    (:func:`rnnbook.models.rnn_scratch.rnn_loop`), one output layer and the
    mean cross-entropy over all positions. ``detach_every=k`` detaches the
    hidden state after every k steps (the common "chunked" truncation, for
    comparison with the per-term truncation of ``bptt_gradients``, in
    ``book/bptt_truncation.md``). ``linear=True`` drops the tanh.
    """
    batch, num_steps, vocab, hidden = check_problem(params, X, Y, state)
    if detach_every is not None:
        check_positive_int("detach_every", detach_every)
    X_onehot = F.one_hot(X.T, vocab).to(params["W_xh"].dtype)  # (steps, batch, vocab)
    P = X_onehot @ params["W_xh"] + params["b_h"]            # (steps, batch, hidden)
    h = P.new_zeros(batch, hidden) if state is None else state
    chunks = []
    for P_chunk in P.split(detach_every or num_steps):       # k steps at a time
        H_chunk, h = rnn_loop(P_chunk, h, params["W_hh"], activation(linear))
        chunks.append(H_chunk)
        h = h.detach()                      # no gradient into the previous chunk
    O = torch.cat(chunks) @ params["W_hq"] + params["b_q"]  # (steps, batch, vocab)
    return F.cross_entropy(O.reshape(-1, vocab), Y.T.reshape(-1))
