"""Linear recurrences ``h_t = a_t * h_{t-1} + b_t``, by a loop or by a parallel scan.

Explained in ``book/parallel_rnn.md``. A recurrence whose coefficients ``a_t``
and ``b_t`` do not depend on the state (minGRU's gates read the input only) can
be computed without walking the sequence one step at a time, because the map
``h -> a * h + b`` composes with another map of the same form:

    (a1, b1) then (a2, b2)  =  (a1 * a2, a2 * b1 + b2)               :func:`combine`

and composition is associative. Every ``h_t`` is then a *prefix* of the
sequence of pairs, and all prefixes can be formed in a number of rounds that
grows with ``log2(steps)`` (a *scan*, Blelloch 1990).

:func:`linear_recurrence` offers three methods with one contract:

* ``"sequential"``: the plain loop, differentiated by autograd; the reference.
* ``"parallel"``: the tree of combinations (Blelloch's work-efficient scan,
  written recursively): combine neighbouring pairs, scan the half-length
  sequence of combined pairs, then fill in the remaining positions with one
  more combination each. About ``2 * steps`` combinations in ``2 * log2(steps)``
  rounds. This is the method for a GPU, where a round over many elements costs
  about as much as a round over few.
* ``"fused"``: the loop again, with every state written in place into one
  tensor and a hand-written backward pass. The gradient of a linear
  recurrence is a linear recurrence run backwards in time,
  ``g_t = dL/dh_t + a_{t+1} * g_{t+1}``, so the backward pass is one loop too.
  It does the least work of the three, each step one small elementwise
  operation, so it is the default on a CPU with a few cores (which method
  wins a timing there depends on the batch and the machine).

:func:`fastest_method` says which one the book uses on a device. Two closed
forms that avoid the loop are here as well, for the page to compare:
:func:`cumulative_product_form` (which divides, and so fails in float32 over
long sequences) and Heinsen's :func:`log_space_recurrence` (which works with
logarithms; in real arithmetic that needs positive coefficients, and
Heinsen handles signs with complex logarithms).
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from .checks import check_positive_int

METHODS = ("sequential", "parallel", "fused")


def combine(
    first: tuple[torch.Tensor, torch.Tensor], second: tuple[torch.Tensor, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """The map ``h -> a2 * (a1 * h + b1) + b2`` (``first``, then ``second``) as a pair.

    ``(a1, b1) then (a2, b2) = (a1 * a2, a2 * b1 + b2)``. The operator is
    associative, which is all a scan needs; it is not commutative.
    Works on tensors and on plain numbers alike.
    """
    (a1, b1), (a2, b2) = first, second
    return a1 * a2, a2 * b1 + b2


def check_like_a(name: str, value: torch.Tensor, a: torch.Tensor) -> None:
    """A TypeError unless ``value`` has the dtype and device of ``a``."""
    if value.dtype != a.dtype or value.device != a.device:
        raise TypeError(
            f"{name} must have the dtype and device of a ({a.dtype} on {a.device}), "
            f"got {value.dtype} on {value.device}"
        )


def check_recurrence_inputs(a: object, b: object, h0: object = None) -> None:
    """A TypeError or ValueError unless ``a``, ``b`` are float tensors of one shape.

    ``h0``, when given, must have the shape of one step, ``a.shape[1:]``.
    """
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{name} must be a tensor of shape (steps, batch, hidden), "
                f"got {type(value).__name__}"
            )
        if not value.is_floating_point():
            raise TypeError(
                f"{name} must hold floating-point numbers, got dtype {value.dtype}; "
                f"convert with {name}.float()"
            )
        if value.ndim < 1 or value.shape[0] == 0:
            raise ValueError(
                f"{name} must have a leading axis of steps with at least one step, "
                f"got shape {tuple(value.shape)}"
            )
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape (steps, batch, hidden), got "
            f"a {tuple(a.shape)} and b {tuple(b.shape)}"
        )
    check_like_a("b", b, a)
    if h0 is None:
        return
    if not isinstance(h0, torch.Tensor):
        raise TypeError(
            "h0 must be a tensor of shape (batch, hidden) or None, "
            f"got {type(h0).__name__}"
        )
    if h0.shape != a.shape[1:]:
        raise ValueError(
            f"h0 must have the shape of one step of a, {tuple(a.shape[1:])}, "
            f"got h0 {tuple(h0.shape)} for a {tuple(a.shape)}"
        )
    check_like_a("h0", h0, a)


def linear_recurrence(
    a: torch.Tensor,
    b: torch.Tensor,
    h0: torch.Tensor | None = None,
    method: str = "parallel",
) -> torch.Tensor:
    """Every state of ``h_t = a_t * h_{t-1} + b_t``: (steps, batch, hidden).

    ``a`` and ``b`` are (steps, batch, hidden), time-major like the book's
    other models (any shape with a leading axis of steps works); ``h0`` is the
    state before the first step, (batch, hidden), zeros when None. Any real
    ``a`` is allowed, zeros and negatives included. ``method`` is one of
    ``"sequential"``, ``"parallel"`` and ``"fused"`` (see the module's
    docstring); all three give the same numbers up to rounding and are
    differentiable.
    """
    check_recurrence_inputs(a, b, h0)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {METHODS}")
    if method == "fused":
        return _FusedRecurrence.apply(a, b, h0)
    if h0 is not None:  # fold h0 into the first step: h_1 = a_1 h0 + b_1
        b = torch.cat([(a[0] * h0 + b[0]).unsqueeze(0), b[1:]])
    if method == "sequential":
        return _sequential(a, b)
    return _parallel(a, b)


def _sequential(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The loop ``h_t = a_t * h_{t-1} + b_t`` from ``h_1 = b_1`` (``h0`` folded in)."""
    a_steps, b_steps = (
        a.unbind(0),
        b.unbind(0),
    )  # one view per step, (batch, hidden) each
    h = b_steps[0]
    states = [h]
    for a_t, b_t in zip(a_steps[1:], b_steps[1:]):
        h = a_t * h + b_t
        states.append(h)
    return torch.stack(states)


def _parallel(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The tree scan, recursively; ``h0`` is already folded into ``b[0]``.

    Position 0 needs nothing before it.

    1. Combine each pair of neighbours (0, 1), (2, 3), ...: the combined
       pair maps the state before the even position to the state at the
       odd one.
    2. Scan that sequence of half the length: this gives the states at the
       odd positions 1, 3, 5, ...
    3. Every even position 2, 4, ... is one step after a known odd one.
    """
    steps = a.shape[0]
    if steps == 1:
        return b
    a_even, b_even = a[0::2], b[0::2]  # positions 0, 2, 4, ...
    a_odd, b_odd = a[1::2], b[1::2]  # positions 1, 3, 5, ...
    pairs = a_odd.shape[0]  # steps // 2
    A, B = combine((a_even[:pairs], b_even[:pairs]), (a_odd, b_odd))
    h_odd = _parallel(A, B)  # states at 1, 3, 5, ...
    h_even = torch.cat(
        [
            b_even[:1],  # state 0 is b_0
            a_even[1:] * h_odd[: a_even.shape[0] - 1] + b_even[1:],
        ]
    )
    both = torch.stack([h_even[:pairs], h_odd], dim=1)  # (pairs, 2, ...)
    h = both.reshape((2 * pairs,) + b.shape[1:])
    return h if steps % 2 == 0 else torch.cat([h, h_even[-1:]])


class _FusedRecurrence(torch.autograd.Function):
    """The loop with its states written in place and a hand-written backward pass.

    Backward: with ``g_t = dL/dh_t`` summed over every path (the incoming
    gradient plus what flows back from ``h_{t+1}``),

        g_t = gH_t + a_{t+1} * g_{t+1},   dL/db_t = g_t,
        dL/da_t = g_t * h_{t-1},          dL/dh0 = a_1 * g_1,

    a linear recurrence in reverse time, run by the same kind of loop.
    """

    @staticmethod
    def forward(
        ctx, a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None
    ) -> torch.Tensor:
        H = torch.empty_like(
            b, memory_format=torch.contiguous_format
        )  # (steps, batch, hidden)
        h = h0
        for a_t, b_t, H_t in zip(a.unbind(0), b.unbind(0), H.unbind(0)):
            if h is None:
                H_t.copy_(b_t)
            else:
                torch.addcmul(b_t, a_t, h, out=H_t)
            h = H_t
        ctx.save_for_backward(a, H, h0)
        return H

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_H: torch.Tensor):
        a, H, h0 = ctx.saved_tensors
        G = grad_H.clone(memory_format=torch.contiguous_format)  # becomes g_t, in place
        for t in range(a.shape[0] - 2, -1, -1):
            G[t].addcmul_(a[t + 1], G[t + 1])
        grad_a = grad_h0 = None
        if ctx.needs_input_grad[0]:
            grad_a = torch.empty_like(G)
            torch.mul(G[1:], H[:-1], out=grad_a[1:])
            if h0 is None:
                grad_a[0].zero_()
            else:
                torch.mul(G[0], h0, out=grad_a[0])
        if h0 is not None and ctx.needs_input_grad[2]:
            grad_h0 = a[0] * G[0]
        return grad_a, G, grad_h0


def fastest_method(device: torch.device | str) -> str:
    """The method :class:`rnnbook.MinGRU` uses on ``device``.

    ``"fused"`` on a CPU, ``"parallel"`` on a GPU.

    On a CPU with few cores the loop does the least work and each step is tiny
    (the matrix products were taken out of it), so it is the default there;
    book/parallel_rnn.md times both, and which wins depends on the batch and
    the machine. On a GPU the scan's ``2 log2(steps)`` rounds beat ``steps``
    rounds of a loop.
    ``bench/parallel.py`` measures both.
    """
    return "fused" if torch.device(device).type == "cpu" else "parallel"


# ---- the shape of the computation: which pairs are combined, in which round ----
def scan_schedule(
    num_steps: int, method: str = "parallel"
) -> list[tuple[int, int, int]]:
    """The combinations of a scan over ``num_steps`` pairs: ``(round, source, target)``.

    Each entry says: in round ``round`` (counted from 1), replace the pair at
    position ``target`` by ``combine(pair[source], pair[target])``, both as
    they were before the round: the combinations of a round are independent
    and could run at once (:func:`run_schedule`). Carried out on the pairs
    ``(a_t, b_t)``, the schedule leaves the state ``h_t`` (with ``h0 = 0``) in
    ``b`` at every position ``t``.

    * ``"parallel"``: the tree of :func:`linear_recurrence`'s parallel method
      (up the tree with strides 1, 2, 4, ..., then down again);
    * ``"sequential"``: the loop, one combination per round;
    * ``"hillis-steele"``: Hillis and Steele's scan, every position in every
      round, strides 1, 2, 4, ...: fewer rounds, more combinations.

    ``len(schedule)`` is the method's *work*, its last round its *depth*.
    The page's figure is drawn from this schedule.
    """
    T = check_positive_int("num_steps", num_steps)
    if method == "sequential":
        return [(t, t - 1, t) for t in range(1, T)]
    if method == "hillis-steele":
        schedule, stride, rnd = [], 1, 0
        while stride < T:
            rnd += 1
            schedule += [(rnd, t - stride, t) for t in range(T - 1, stride - 1, -1)]
            stride *= 2
        return schedule
    if method != "parallel":
        raise ValueError(
            f"unknown method {method!r}: use 'parallel', 'sequential' "
            "or 'hillis-steele'"
        )
    schedule, rnd, stride = [], 0, 1
    while 2 * stride <= T:  # up: combine neighbours at ever larger strides
        rnd += 1
        schedule += [(rnd, t - stride, t) for t in range(2 * stride - 1, T, 2 * stride)]
        stride *= 2
    stride //= 2
    while stride >= 1:  # down: fill the positions skipped on the way up
        targets = range(3 * stride - 1, T, 2 * stride)
        if len(targets):
            rnd += 1
            schedule += [(rnd, t - stride, t) for t in targets]
        stride //= 2
    return schedule


def run_schedule(
    schedule: list[tuple[int, int, int]], a: list[float], b: list[float]
) -> list[float]:
    """Carry out a :func:`scan_schedule` on numbers: the states ``h_t`` (``h0 = 0``).

    The combinations of a round all read the pairs as they were before the
    round, as they would if they ran at the same time.
    """
    pairs = list(zip(a, b))
    rounds = sorted({r for r, _, _ in schedule})
    for rnd in rounds:
        before = list(pairs)
        for r, source, target in schedule:
            if r == rnd:
                pairs[target] = combine(before[source], before[target])
    return [h for _, h in pairs]


def work_and_depth(num_steps: int, method: str) -> tuple[int, int]:
    """``(work, depth)`` of a scan: how many combinations, in how many rounds.

    Both are read off :func:`scan_schedule`.
    """
    schedule = scan_schedule(num_steps, method)
    return len(schedule), (schedule[-1][0] if schedule else 0)


# ---- closed forms, for comparison on the page ----
def cumulative_product_form(
    a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None
) -> torch.Tensor:
    """``h_t = A_t (h0 + sum_{s<=t} b_s / A_s)``, ``A_t = a_1 ... a_t``: a division.

    Exact in real arithmetic when no ``a_t`` is zero. In floating point it
    fails once ``A_t`` gets small (with gates in (0, 1), ``A_t`` shrinks
    geometrically): ``b_s / A_s`` and their running sum overflow, long before
    ``A_t`` itself underflows to zero, and the result becomes inf or NaN.
    ``book/parallel_rnn.md`` shows where (there ``A_t`` is written a_{1:t}).
    """
    check_recurrence_inputs(a, b, h0)
    A = torch.cumprod(a, dim=0)  # (steps, batch, hidden)
    total = torch.cumsum(b / A, dim=0)
    return A * (total if h0 is None else h0 + total)


def log_space_recurrence(
    log_a: torch.Tensor, log_b: torch.Tensor, log_h0: torch.Tensor | None = None
) -> torch.Tensor:
    """``log h_t`` for ``h_t = a_t h_{t-1} + b_t`` from ``log a``, ``log b`` (Heinsen).

    ``log h_t = log A_t + logcumsumexp_s(log b_s - log A_s)`` with
    ``log A_t = sum_{s<=t} log a_s``: the division of
    :func:`cumulative_product_form` becomes a subtraction of logarithms, which
    cannot overflow. In real arithmetic, as here, it needs ``a_t > 0`` and
    ``b_t > 0`` (``h0 > 0`` if given), which is why minGRU's log-space version
    makes its candidate state positive. Heinsen's own code also takes negative
    values, by casting to complex numbers before the logarithm (the sign rides
    in the imaginary part) and keeping the real part at the end.
    """
    check_recurrence_inputs(log_a, log_b, log_h0)
    log_A = torch.cumsum(log_a, dim=0)  # (steps, batch, hidden)
    terms = log_b - log_A
    if log_h0 is not None:
        terms = torch.cat([log_h0.unsqueeze(0), terms])
        return log_A + torch.logcumsumexp(terms, dim=0)[1:]
    return log_A + torch.logcumsumexp(terms, dim=0)
