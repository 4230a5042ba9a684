"""Fixed points of a recurrent map, found by minimising its speed, and their stability.

Explained in ``book/attractors.md``, after Sussillo & Barak (2013). A network
that receives no input applies the same map at every step, ``h <- F(h)``. Its
fixed points, ``F(h*) = h*``, are the states it can stay in forever. Near one,
a small displacement ``u`` evolves as ``u <- J u`` with ``J`` the Jacobian of
``F`` at ``h*``, so the eigenvalues of ``J`` decide its fate: all of modulus
below 1, every displacement dies out (a stable point, an attractor: a memory);
some above 1, the state leaves along those directions (a saddle).

To find fixed points we minimise ``K(h) = 1/2 ||F(h) - h||^2``, half the squared
speed (how far one step moves the state; Sussillo & Barak write q), by
gradient descent from many starting states (states the network visits). Its
minima with ``K = 0`` are exactly the fixed points, stable or not: descent
on ``K`` finds saddles of ``F`` as readily as attractors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from .checks import check_int, check_positive_int, check_real

Map = Callable[[torch.Tensor], torch.Tensor]  # (n, hidden) -> (n, hidden)


def speed(F: Map, H: torch.Tensor) -> torch.Tensor:
    """``K(h) = 1/2 ||F(h) - h||^2`` for every row of H (n, hidden) -> (n,).

    Half the squared speed ``||F(h) - h||``: the name is short for what
    :func:`minimise_speed` descends and ``max_speed`` bounds.
    """
    return 0.5 * (F(H) - H).pow(2).sum(dim=1)


def _check_starts(starts: object) -> torch.Tensor:
    if not isinstance(starts, torch.Tensor) or starts.ndim != 2 or not len(starts):
        raise ValueError(
            "starts must be a (num_starts, hidden) tensor of states, got "
            f"{getattr(starts, 'shape', type(starts).__name__)}: stack the states "
            "to start from into one row each"
        )
    if not starts.is_floating_point():
        raise TypeError(f"starts must be a float tensor, got {starts.dtype}")
    return starts


def minimise_speed(
    F: Map, starts: torch.Tensor, num_iters: int = 500, lr: float = 0.01
) -> tuple[torch.Tensor, torch.Tensor]:
    """Descend ``K`` from every row of ``starts`` (n, hidden) with Adam.

    Returns the end points (n, hidden) and their ``K`` (n,). The rows move
    independently (``K`` sums over rows, so each row's gradient is its own).
    """
    starts = _check_starts(starts)
    num_iters = check_positive_int("num_iters", num_iters)
    lr = check_real("lr", lr, 0.0, low_open=True)
    H = starts.detach().clone().requires_grad_()  # (n, hidden)
    optimizer = torch.optim.Adam([H], lr=lr)
    for _ in range(num_iters):
        K = speed(F, H)  # (n,)
        optimizer.zero_grad()
        K.sum().backward()
        optimizer.step()
    H = H.detach()
    with torch.no_grad():
        return H, speed(F, H)


def jacobian(F: Map, h: torch.Tensor) -> torch.Tensor:
    """The Jacobian ``dF/dh`` at one state h (hidden,): (hidden, hidden).

    Row i holds the derivatives of output i.
    """
    if not isinstance(h, torch.Tensor) or h.ndim != 1:
        raise ValueError(
            f"h must be one state of shape (hidden,), got "
            f"{getattr(h, 'shape', type(h).__name__)}: pass H[i], not H"
        )
    return torch.autograd.functional.jacobian(lambda x: F(x[None])[0], h)


def jacobians(F: Map, H: torch.Tensor) -> torch.Tensor:
    """The Jacobian ``dF/dh`` at every row of H (n, hidden): (n, hidden, hidden).

    F must act on each row alone, as a network's step does on a minibatch.
    Then output j of row i depends on row i only, so one backward pass of
    ``F(H)[:, j].sum()`` gives row j of all n Jacobians at once: ``hidden``
    passes in all, instead of ``hidden`` per state.
    """
    H = _check_starts(H).detach().requires_grad_()  # (n, hidden)
    out = F(H)  # (n, hidden)
    rows = [torch.autograd.grad(out[:, j].sum(), H, retain_graph=True)[0]
            for j in range(out.shape[1])]  # hidden x (n, hidden)
    return torch.stack(rows, dim=1)  # (n, out, in)


def newton_refine(F: Map, H: torch.Tensor, num_iters: int = 5) -> torch.Tensor:
    """Polish approximate fixed points H (n, hidden) with Newton steps on F(h) - h = 0.

    All rows take their steps together (:func:`jacobians`). Each step solves
    ``(J - I) d = -(F(h) - h)``: near a fixed point whose
    Jacobian has no eigenvalue 1 (stable or saddle alike) the error squares
    at every step, down to the precision of the dtype.
    """
    H = _check_starts(H).detach().clone()
    num_iters = check_int("num_iters", num_iters, minimum=0)
    eye = torch.eye(H.shape[1], dtype=H.dtype)
    for _ in range(num_iters):
        J = jacobians(F, H)  # (n, hidden, hidden)
        with torch.no_grad():
            residual = F(H) - H  # (n, hidden)
            step = torch.linalg.pinv(J - eye, rtol=1e-9) @ residual[..., None]
            H = H - step[..., 0]
    return H


def unique_points(H: torch.Tensor, tol: float = 1e-3) -> torch.Tensor:
    """The distinct rows of H (n, hidden).

    A row within ``tol`` of a row kept earlier is dropped.
    """
    H = _check_starts(H)
    tol = check_real("tol", tol, 0.0, low_open=True)
    D = torch.cdist(H, H, compute_mode="donot_use_mm_for_euclid_dist")  # (n, n)
    kept: list[int] = []
    for i in range(len(H)):
        if not kept or bool((D[i, kept] > tol).all()):
            kept.append(i)
    return H[kept]


def num_unstable(eigenvalues: torch.Tensor) -> int:
    """How many eigenvalues lie outside the unit circle: 0 for a stable point."""
    return int((eigenvalues.abs() > 1).sum())


@dataclass
class FixedPoints:
    """Fixed points and their linearisation, one row or entry per point.

    ``points`` (k, hidden); ``speeds`` (k,), the ``K`` of each point;
    ``eigenvalues`` (k, hidden), complex; ``unstable`` (k,) the number of
    eigenvalues of modulus above 1; ``stable`` (k,) bool, ``unstable == 0``.
    """

    points: torch.Tensor
    speeds: torch.Tensor
    eigenvalues: torch.Tensor
    unstable: torch.Tensor

    @property
    def stable(self) -> torch.Tensor:
        return self.unstable == 0

    def __len__(self) -> int:
        return len(self.points)

    def jacobians(self, F: Map) -> torch.Tensor:
        """The Jacobian at every point: (k, hidden, hidden)."""
        return jacobians(F, self.points)


def find_fixed_points(
    F: Map,
    starts: torch.Tensor,
    num_iters: int = 500,
    lr: float = 0.01,
    max_speed: float = 1e-10,
    tol: float = 1e-3,
    newton_iters: int = 5,
) -> FixedPoints:
    """The fixed points of F reached from ``starts`` (n, hidden), classified.

    Descend ``K`` from every start (:func:`minimise_speed`), merge end
    points closer than ``tol``, polish with Newton steps
    (:func:`newton_refine`), keep the end points whose ``K`` is
    below ``max_speed``, a bound on ``K``, half the squared speed (slow
    points that are not fixed are dropped), merge those closer than ``tol``
    (:func:`unique_points`), and count the unstable eigenvalues of the
    Jacobian at each. Use float64 for a ``max_speed`` far
    below float32's precision.
    """
    max_speed = check_real("max_speed", max_speed, 0.0, low_open=True)
    H, _ = minimise_speed(F, starts, num_iters, lr)
    H = unique_points(H, tol)  # fewer points to polish
    H = newton_refine(F, H, newton_iters)
    with torch.no_grad():
        q = speed(F, H)
    H = H[q < max_speed]
    if not len(H):
        raise ValueError(
            f"no start reached K below max_speed={max_speed:g}: use more "
            "num_iters, more starts, or a larger max_speed (float32 cannot go "
            "much below 1e-12)"
        )
    H = unique_points(H, tol)
    with torch.no_grad():
        q = speed(F, H)
    eig = torch.linalg.eigvals(jacobians(F, H))  # (k, hidden)
    unstable = torch.tensor([num_unstable(e) for e in eig])
    return FixedPoints(H, q, eig, unstable)


def perturbation_decay(
    F: Map, h: torch.Tensor, delta: torch.Tensor, num_steps: int
) -> torch.Tensor:
    """``||F^t(h + delta) - F^t(h)||`` for t = 0..num_steps: (num_steps + 1,).

    Runs the map from ``h`` (hidden,) and from ``h + delta`` side by side. Near
    a stable fixed point the distance shrinks, late in the run, by the largest
    eigenvalue modulus of the Jacobian per step: the rate at which the network
    forgets a nudge, and at which a gradient fades going back in time.
    """
    if not isinstance(h, torch.Tensor) or h.ndim != 1 or delta.shape != h.shape:
        raise ValueError(
            "h and delta must be two states of the same shape (hidden,), got "
            f"{tuple(getattr(h, 'shape', ()))} and "
            f"{tuple(getattr(delta, 'shape', ()))}"
        )
    num_steps = check_positive_int("num_steps", num_steps)
    H = torch.stack([h, h + delta])  # (2, hidden)
    gaps = [delta.norm()]
    with torch.no_grad():
        for _ in range(num_steps):
            H = F(H)
            gaps.append((H[1] - H[0]).norm())
    return torch.stack(gaps)


def scalar_fixed_points(
    w: float, b: float = 0.0, num_grid: int = 2001, num_bisections: int = 60
) -> torch.Tensor:
    """Every solution of ``h = tanh(w h + b)``, sorted: one unit's fixed points.

    All of them lie in [-1, 1] (tanh's range). ``g(h) = tanh(w h + b) - h``
    changes sign across each simple root, so the roots are bracketed on a grid
    of ``num_grid`` points (one more if even) and polished by bisection
    (float64). A double root (the fold of a bifurcation, where g only
    touches 0) can be missed: it exists for one value of w only.
    """
    w = check_real("w", w)
    b = check_real("b", b)
    num_grid = check_int("num_grid", num_grid, minimum=3)

    def g(h: torch.Tensor) -> torch.Tensor:
        return torch.tanh(w * h + b) - h

    m = num_grid // 2  # a symmetric grid that holds 0 exactly
    grid = torch.arange(-m, m + 1, dtype=torch.float64) / m  # (2m + 1,)
    values = g(grid)
    exact = grid[values == 0]
    crossing = (values[:-1] * values[1:] < 0).nonzero().flatten()
    lo, hi = grid[crossing], grid[crossing + 1]  # brackets, (roots,)
    for _ in range(num_bisections):
        mid = (lo + hi) / 2
        same = g(mid) * g(lo) > 0
        lo, hi = torch.where(same, mid, lo), torch.where(same, hi, mid)
    return torch.cat([exact, (lo + hi) / 2]).sort().values


def iterate(F: Map, H: torch.Tensor, num_steps: int) -> torch.Tensor:
    """Apply F ``num_steps`` times to every row of H (n, hidden) -> (n, hidden)."""
    num_steps = check_int("num_steps", num_steps, minimum=0)
    with torch.no_grad():
        for _ in range(num_steps):
            H = F(H)
    return H


def leading_direction(F: Map, h: torch.Tensor) -> tuple[complex, torch.Tensor]:
    """The eigenvalue of largest modulus of the Jacobian at h, and its eigenvector.

    The eigenvector (hidden,) is the real part, scaled to unit length: at a
    saddle with one unstable direction the eigenvalue is real, and the vector
    points along the way out.
    """
    values, vectors = torch.linalg.eig(jacobian(F, h))
    k = int(values.abs().argmax())
    v = vectors[:, k].real
    return complex(values[k]), v / v.norm()


def state_gradient_norm(
    F: Map, h: torch.Tensor, u: torch.Tensor, num_steps: int
) -> float:
    """``|| d (u . F^k(h)) / d h ||`` for k = ``num_steps``, by autograd.

    The gradient that a loss with slope ``u`` on the state k steps later sends
    back to ``h``: backpropagation through time over k steps of the network
    with no input (``book/bptt.md``). At a fixed point it is ``(J^T)^k u``,
    so it shrinks per step like the largest eigenvalue modulus of ``J``.
    """
    num_steps = check_int("num_steps", num_steps, minimum=0)
    h0 = h.detach().clone()[None].requires_grad_()  # (1, hidden)
    H = h0
    for _ in range(num_steps):
        H = F(H)
    (grad,) = torch.autograd.grad((H[0] * u).sum(), h0)
    return float(grad.norm())
