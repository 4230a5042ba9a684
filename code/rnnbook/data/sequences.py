"""A synthetic time series and the lagged (autoregressive) view of a sequence.

Explained in ``book/sequences.md``.

The series is a slow sine wave plus Gaussian noise: simple enough that we know
what a good forecast looks like, noisy enough that errors show. ``lagged_features``
turns one long sequence into a regression data set: each row holds the ``tau``
values that precede a position, and the label is the value at that position.
"""

from __future__ import annotations

import torch

from ..checks import check_int, check_positive_int, check_real, check_tensor
from ..seeding import offset_seed


def synthetic_series(
    num_steps: int = 1000, noise: float = 0.2, seed: int = 0
) -> torch.Tensor:
    """Return ``x_t = sin(0.01 t) + noise * eps_t`` for ``t = 1..num_steps``, shape
    (num_steps,).

    ``eps_t`` are independent standard normal draws from a local generator seeded
    with ``seed``: the same seed gives the same series, and the global random
    state is neither read nor changed. Index ``i`` of the result holds ``x_{i+1}``.
    """
    num_steps = check_positive_int("num_steps", num_steps)
    noise = check_real("noise", noise, low=0, why="it is a standard deviation")
    generator = torch.Generator().manual_seed(offset_seed(check_int("seed", seed)))
    t = torch.arange(1, num_steps + 1, dtype=torch.float64)
    signal = torch.sin(0.01 * t).to(torch.float32)  # (num_steps,)
    eps = torch.randn(num_steps, generator=generator)  # (num_steps,)
    return signal + noise * eps


def lagged_features(x: torch.Tensor, tau: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a 1-D sequence into (features, labels) for an autoregressive model of order
    ``tau``.

    Row ``i`` of ``features`` is ``x[i : i + tau]`` and ``labels[i]`` is
    ``x[i + tau]``: the label is the value that follows its window. There are
    ``T - tau`` rows for a sequence of length ``T``; the first ``tau`` values of
    ``x`` appear only as features, because they have too little history to be
    labels. Shapes: features (T - tau, tau), labels (T - tau,); the dtype and
    device are those of ``x``, and both are fresh tensors (not views of ``x``).
    """
    check_tensor("x", x, ndim=1, why="pass one series at a time")
    tau = check_int(
        "tau",
        tau,
        minimum=1,
        maximum=len(x) - 1,
        why=f"each label needs tau earlier values, and x has {len(x)}",
    )
    windows = x.unfold(0, tau, 1)  # (T - tau + 1, tau), a view of x
    # (T - tau, tau); the last window has no label
    features = windows[:-1].clone(memory_format=torch.contiguous_format)
    labels = x[tau:].clone()  # (T - tau,)
    return features, labels
