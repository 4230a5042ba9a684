"""Autoregressive forecasting: a linear AR model, k-step-ahead predictions and rollouts.

Explained in ``book/sequences.md``.

Every function here takes a model with one contract: it maps a batch of
windows, shape (n, tau), oldest value first, to one prediction per window,
shape (n,) (or (n, 1)). To look further ahead than one step, a prediction is
appended to its window and the oldest value dropped, so later steps rest on
earlier predictions instead of on data; that is how errors compound.
"""

from __future__ import annotations

import torch
from torch import nn

from .checks import check_int, check_positive_int, check_tensor
from .data.sequences import lagged_features


class LinearAutoregression(nn.Module):
    """``x_t ~ w_0 x_{t-tau} + ... + w_{tau-1} x_{t-1} + b``: linear regression on the
    last tau values.

    The weights start small (normal, std 0.01) and the bias at zero, so the
    untrained model predicts about 0 whatever the window: all it knows about the
    series is learned. Draws from PyTorch's global generator: seed before building.
    """

    def __init__(self, tau: int) -> None:
        super().__init__()
        self.tau = check_positive_int("tau", tau, why="it is the window length")
        self.linear = nn.Linear(tau, 1)
        nn.init.normal_(self.linear.weight, std=0.01)
        nn.init.zeros_(self.linear.bias)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        return self.linear(windows).squeeze(-1)  # (n, tau) -> (n,)


def companion_matrix(weights: torch.Tensor) -> torch.Tensor:
    """The (tau, tau) matrix ``A`` of the recurrence ``s_t = A s_{t-1} + b e_tau`` of a
    linear AR model.

    ``weights`` are the coefficients in window order (oldest value first), as in
    ``LinearAutoregression.linear.weight``; the state ``s_t`` is the window
    ``(x_{t-tau+1}, ..., x_t)``. Its rows shift the window by one and its last
    row applies the weights. The rollout forgets its start (and settles on a
    fixed point) exactly when every eigenvalue of ``A`` has modulus below 1.
    """
    w = torch.as_tensor(weights).detach().cpu().reshape(-1)
    tau = len(w)
    a = torch.zeros(tau, tau, dtype=w.dtype)
    # shift: the new window drops its oldest value
    a[:-1, 1:] = torch.eye(tau - 1, dtype=w.dtype)
    a[-1] = w  # the new last value is the prediction
    return a


def _predict(model: nn.Module, windows: torch.Tensor) -> torch.Tensor:
    out = model(windows)
    if out.shape == (len(windows), 1):
        out = out.squeeze(1)
    if out.shape != (len(windows),):
        raise ValueError(
            "the model must map windows of shape (n, tau) to predictions of shape "
            f"(n,) or (n, 1); got {tuple(out.shape)} from {tuple(windows.shape)}"
        )
    return out


@torch.no_grad()
def _feed_back(model: nn.Module, windows: torch.Tensor, num_steps: int) -> torch.Tensor:
    """``num_steps`` predictions after every window, each fed back: (n, num_steps)."""
    was_training = model.training
    model.eval()
    try:
        params = next(model.parameters(), None)
        device = params.device if params is not None else windows.device
        windows = windows.to(device)
        steps = []
        for _ in range(num_steps):  # one batched call per step
            pred = _predict(model, windows)  # (n,)
            steps.append(pred)
            windows = torch.cat(
                [windows[:, 1:], pred[:, None].to(windows.dtype)], dim=1
            )
        return torch.stack(steps, dim=1)  # (n, num_steps)
    finally:
        model.train(was_training)


def k_step_predictions(
    model: nn.Module, x: torch.Tensor, tau: int, k: int
) -> torch.Tensor:
    """Predictions 1, 2, ..., k steps ahead from every start: (T - tau - k + 1, k).

    Row ``i`` starts from the observed window ``x[i : i + tau]``; its column
    ``j`` (0-based) predicts ``x[i + tau + j]`` after ``j`` of the model's own
    predictions have been fed back in. Column 0 is therefore the ordinary
    one-step prediction, and column ``k - 1`` the k-step-ahead one. The rows
    stop where the k-th step would run past the end of ``x``; the matching true
    values are ``k_step_targets(x, tau, k)``. Runs ``k`` batched model calls.
    """
    k = check_positive_int("k", k)
    features, _ = lagged_features(x, tau)  # (T - tau, tau)
    n = len(x) - tau - k + 1
    if n < 1:
        raise ValueError(
            f"k = {k} is too large for a series of length {len(x)} with tau = {tau}: "
            f"need k <= len(x) - tau = {len(x) - tau}"
        )
    return _feed_back(model, features[:n], k).to(x.device)


def k_step_targets(x: torch.Tensor, tau: int, k: int) -> torch.Tensor:
    """The true values that ``k_step_predictions(model, x, tau, k)`` estimates, same
    shape."""
    k = check_positive_int("k", k)
    lagged_features(x, tau)  # same argument checks
    if len(x) - tau - k + 1 < 1:
        raise ValueError(
            f"k = {k} is too large: need k <= len(x) - tau = {len(x) - tau}"
        )
    return x.unfold(0, k, 1)[tau:].clone()  # row i: x[i + tau : i + tau + k]


def rollout(
    model: nn.Module, x: torch.Tensor, start: int, num_steps: int, tau: int
) -> torch.Tensor:
    """Predict ``x[start : start + num_steps]`` from ``x[start - tau : start]`` alone.

    A pure rollout: after the first step the model sees only its own
    predictions. ``start`` is a 0-based index (``tau <= start <= len(x)``); the
    prediction may run past the end of ``x``. Returns shape (num_steps,).
    """
    check_tensor("x", x, ndim=1, why="pass one series at a time")
    tau = check_positive_int("tau", tau)
    num_steps = check_positive_int("num_steps", num_steps)
    start = check_int(
        "start",
        start,
        minimum=tau,
        maximum=len(x),
        why="the first window is x[start - tau : start]",
    )
    window = x[start - tau : start][None, :]  # (1, tau)
    return _feed_back(model, window, num_steps)[0].to(x.device)
