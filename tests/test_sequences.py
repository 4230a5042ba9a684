"""The synthetic series and the lagged features of a sequence."""

from __future__ import annotations

import math

import pytest
import torch

import rnnbook
from rnnbook import lagged_features, synthetic_series


# ---- synthetic_series
# --------------------------------------------------------------------
def test_series_same_seed_equal_different_seeds_differ():
    a, b, c = (
        synthetic_series(seed=3),
        synthetic_series(seed=3),
        synthetic_series(seed=4),
    )
    assert a.shape == (1000,) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_series_does_not_touch_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    synthetic_series(num_steps=50, seed=7)
    assert torch.equal(torch.rand(3), expected)


def test_series_without_noise_is_the_sine_at_t_from_1():
    x = synthetic_series(num_steps=5, noise=0.0)
    expected = torch.tensor([math.sin(0.01 * t) for t in range(1, 6)])
    torch.testing.assert_close(x, expected)


def test_series_noise_has_the_requested_scale():
    x = synthetic_series(num_steps=20_000, noise=0.2, seed=1)
    residual = x - synthetic_series(num_steps=20_000, noise=0.0)
    assert abs(residual.std().item() - 0.2) < 0.005
    assert abs(residual.mean().item()) < 0.005


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"num_steps": 0}, ValueError),
        ({"num_steps": 2.5}, TypeError),
        ({"noise": -0.1}, ValueError),
        ({"noise": float("nan")}, ValueError),
        ({"noise": "0.2"}, TypeError),
        ({"seed": 1.0}, TypeError),
    ],
)
def test_series_bad_arguments(kwargs, error):
    with pytest.raises(error):
        synthetic_series(**kwargs)


# ---- lagged_features
# ---------------------------------------------------------------------
def test_lagged_features_hand_computed():
    x = torch.arange(6.0)
    features, labels = lagged_features(x, tau=2)
    assert torch.equal(
        features, torch.tensor([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0], [3.0, 4.0]])
    )
    assert torch.equal(labels, torch.tensor([2.0, 3.0, 4.0, 5.0]))


def test_lagged_features_shapes_dtype_and_no_aliasing():
    x = synthetic_series(num_steps=1000)
    features, labels = lagged_features(x, 4)
    assert features.shape == (996, 4) and labels.shape == (996,)
    assert features.dtype == labels.dtype == x.dtype
    assert features.is_contiguous()
    for i in (0, 17, 995):
        assert torch.equal(features[i], x[i : i + 4]) and labels[i] == x[i + 4]
    x_int = torch.arange(5)
    f, y = lagged_features(x_int, 1)
    assert (
        f.dtype == torch.int64
        and torch.equal(f[:, 0], x_int[:-1])
        and torch.equal(y, x_int[1:])
    )
    f[0, 0] = 99  # a fresh tensor: x is untouched
    assert x_int[0] == 0


@pytest.mark.parametrize("tau", [0, -1, 6, 7])
def test_lagged_features_bad_tau(tau):
    with pytest.raises(ValueError, match="tau"):
        lagged_features(torch.arange(6.0), tau)


def test_lagged_features_bad_input():
    with pytest.raises(ValueError, match="1-D"):
        lagged_features(torch.zeros(3, 4), 2)
    with pytest.raises(TypeError):
        lagged_features([1.0, 2.0, 3.0], 1)
    with pytest.raises(TypeError):
        lagged_features(torch.arange(6.0), 2.0)


def test_public_names_are_exported():
    for name in (
        "synthetic_series",
        "lagged_features",
        "k_step_predictions",
        "rollout",
        "fit",
        "Trainer",
        "History",
        "TensorBatches",
    ):
        assert name in rnnbook.__all__ and hasattr(rnnbook, name)
