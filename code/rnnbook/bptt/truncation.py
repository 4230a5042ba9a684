"""Truncated BPTT: regular truncation at k steps, and randomized truncation.

Explained in ``book/bptt_truncation.md``. Both are the one backward loop of
:func:`rnnbook.bptt.core.backward_loop` with weights on the route from each H_t
back to H_{t-1}: random weights xi_t (randomized truncation), or cuts placed
so that each loss term's gradient crosses at most k steps (regular truncation).
This module also checks the ``truncation`` and ``keep_prob`` arguments, once,
for :func:`rnnbook.bptt_gradients` and :class:`rnnbook.BPTTTrainer`.
"""

from __future__ import annotations

import torch

from ..checks import check_int, check_positive_int, check_real
from ..seeding import offset_seed
from .core import backward_loop

DEFAULT_KEEP_PROB = 0.9
"""The continuation probability pi of randomized truncation when none is given."""


def check_keep_prob(keep_prob: object) -> float:
    """``keep_prob`` as a float in (0, 1]: the probability of crossing one more step.

    The one check of it, for :func:`randomized_weights` and
    :func:`check_truncation` (``book/bptt_truncation.md``).
    """
    return check_real("keep_prob", keep_prob, 0, 1, low_open=True,
                      why="it is the probability of continuing the backward "
                          "pass across one step")


def randomized_weights(num_steps: int, keep_prob: float = DEFAULT_KEEP_PROB,
                       seed: int | None = None) -> torch.Tensor:
    """The random weights xi_1, ..., xi_T of randomized truncation, as a float64 tensor.

    xi_t multiplies the gradient carried back across the recurrent edge from H_t to
    H_{t-1}: with probability ``keep_prob`` (pi) it is 1/pi, otherwise 0 (the chain
    is cut there). E[xi_t] = pi * (1/pi) = 1, and the xi_t are independent, so every
    product of them also has expectation 1: the gradient estimate is unbiased.
    Seen from a given step, the number of steps crossed before the first cut is
    geometric with mean pi/(1 - pi). Entry ``t - 1`` holds xi_t. The same ``seed``
    gives the same weights (a local generator; the global RNG is untouched);
    ``seed=None`` draws fresh ones. Explained in ``book/bptt_truncation.md``.
    """
    num_steps = check_positive_int("num_steps", num_steps)
    keep_prob = check_keep_prob(keep_prob)
    gen = torch.Generator()
    if seed is None:
        gen.seed()
    else:
        gen.manual_seed(offset_seed(check_int("seed", seed)))
    keep = torch.rand(num_steps, generator=gen, dtype=torch.float64) < keep_prob
    return keep.to(torch.float64) / keep_prob


def check_truncation(truncation: object, keep_prob: object = None,
                     num_steps: int | None = None, seed: object = None) -> None:
    """Check ``truncation``, ``keep_prob`` and ``seed`` as
    :func:`rnnbook.bptt_gradients` takes them.

    ``keep_prob`` and ``seed`` belong to randomized truncation only. Without
    ``num_steps`` only what can be checked before seeing the data is checked
    (``BPTTTrainer`` does this when it is built); with it, also that k fits the
    sequence. ``book/bptt_truncation.md`` explains the strategies.
    """
    if truncation is None or truncation == "randomized":
        pass
    elif isinstance(truncation, bool) or not isinstance(truncation, (int, str)):
        raise TypeError("truncation must be None, an int k or 'randomized', "
                        f"got {type(truncation).__name__}")
    elif isinstance(truncation, str):
        raise ValueError(f"unknown truncation {truncation!r}: "
                         "use None (full), an int k, or 'randomized'")
    elif num_steps is None and truncation < 1:
        raise ValueError(f"truncation k must be at least 1, got {truncation}: "
                         "k is how many steps each "
                         "loss term's gradient passes back through")
    elif num_steps is not None and not 1 <= truncation <= num_steps:
        raise ValueError("truncation k must satisfy 1 <= k <= num_steps = "
                         f"{num_steps}, got {truncation}; "
                         "use k = num_steps (or None) for full BPTT")
    if (keep_prob is not None or seed is not None) and truncation != "randomized":
        raise ValueError("seed and keep_prob only apply to truncation='randomized'; "
                         f"drop them for truncation={truncation!r}")
    if keep_prob is not None:
        check_keep_prob(keep_prob)


def truncated_backward(W_hh: torch.Tensor, D: torch.Tensor, dH_out: torch.Tensor,
                       k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Regular truncation: each loss term's gradient crosses at most k steps.

    Arguments and results as for :func:`rnnbook.bptt.core.backward_loop`. The
    loss terms are dealt round k lanes: the term of step t goes to lane
    (t - 1) mod k, so a lane receives a new term every k steps, just as its
    previous term has crossed its k steps. The lane is cut there (weight 0 on
    the route into the next state back), so each lane holds one term at a time.
    A term whose k steps reach back to step 1 also reaches H_0: no cut into H_0.
    All lanes run through ``backward_loop`` together, as a leading dimension,
    and their adjoints are summed: O(steps * k) work. Explained in
    ``book/bptt_truncation.md``.
    """
    T = dH_out.shape[0]
    steps = torch.arange(T, device=dH_out.device)
    lanes = torch.arange(k, device=dH_out.device)
    # (steps, lanes, batch, hidden): the route through O_t, in lane (t - 1) mod k
    dH_lanes = dH_out.new_zeros(T, k, *dH_out.shape[1:])
    dH_lanes[steps, steps % k] = dH_out
    # xi[j, r] scales lane r on its way back into H_j. A new term joins lane r
    # at every H_j with j = r + 1 (mod k), where the lane's previous term has
    # crossed its k steps: it is cut there (never on the way into H_0).
    cut = ((steps[:, None] - lanes[None, :] - 1) % k == 0) & (steps[:, None] > 0)
    xi = (~cut).to(dH_out.dtype)[:, :, None, None]         # (steps, lanes, 1, 1)
    dA, dH0 = backward_loop(W_hh, D[:, None], dH_lanes, xi)
    return dA.sum(1), dH0.sum(0)
