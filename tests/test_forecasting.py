"""Forecasting: the linear AR model, k-step-ahead predictions and rollouts."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from rnnbook import (
    LinearAutoregression,
    companion_matrix,
    k_step_predictions,
    k_step_targets,
    lagged_features,
    rollout,
    synthetic_series,
)


def hand_model(weights: list[float], bias: float) -> LinearAutoregression:
    model = LinearAutoregression(len(weights))
    with torch.no_grad():
        model.linear.weight.copy_(torch.tensor([weights]))
        model.linear.bias.fill_(bias)
    return model


def loop_predictions(weights, bias, window, num_steps):
    """Feed predictions back by hand, one start position, plain Python floats."""
    window, out = list(window), []
    for _ in range(num_steps):
        pred = sum(w * v for w, v in zip(weights, window)) + bias
        out.append(pred)
        window = window[1:] + [pred]
    return out


def test_k_step_k1_equals_one_step_predictions():
    torch.manual_seed(0)
    model = LinearAutoregression(4)
    x = synthetic_series(num_steps=60)
    features, _ = lagged_features(x, 4)
    preds = k_step_predictions(model, x, 4, 1)
    assert preds.shape == (56, 1)
    with torch.no_grad():
        torch.testing.assert_close(preds[:, 0], model(features))


def test_k_step_matches_python_loop_for_a_known_linear_model():
    weights, bias, tau, k = [0.5, -0.25, 1.0], 0.1, 3, 5
    model = hand_model(weights, bias)
    x = synthetic_series(num_steps=30, seed=2).double()
    model.double()
    preds = k_step_predictions(model, x, tau, k)
    assert preds.shape == (30 - tau - k + 1, k)
    for i in range(len(preds)):
        expected = loop_predictions(weights, bias, x[i : i + tau].tolist(), k)
        torch.testing.assert_close(
            preds[i], torch.tensor(expected, dtype=torch.float64)
        )


def test_k_step_makes_k_batched_calls():
    calls = []

    class Spy(nn.Module):
        def forward(self, windows):
            calls.append(windows.shape)
            return windows.mean(dim=1)

    x = torch.arange(20.0)
    k_step_predictions(Spy(), x, tau=2, k=4)
    assert calls == [(15, 2)] * 4


def test_k_step_targets_align_with_predictions():
    x = torch.arange(10.0)
    targets = k_step_targets(x, tau=3, k=2)
    # row i, column j is x[i + tau + j]
    assert torch.equal(
        targets,
        torch.tensor(
            [[3.0, 4.0], [4.0, 5.0], [5.0, 6.0], [6.0, 7.0], [7.0, 8.0], [8.0, 9.0]]
        ),
    )
    # an exact model (x_t = x_{t-1} + 1) hits every target
    preds = k_step_predictions(hand_model([0.0, 0.0, 1.0], 1.0), x, 3, 2)
    torch.testing.assert_close(preds, targets)


def test_k_step_bad_arguments():
    model, x = LinearAutoregression(2), torch.arange(10.0)
    with pytest.raises(ValueError, match="too large"):
        k_step_predictions(model, x, 2, 9)
    with pytest.raises(ValueError, match="k must be at least 1"):
        k_step_predictions(model, x, 2, 0)
    with pytest.raises(ValueError, match="too large"):
        k_step_targets(x, 2, 9)


def test_k_step_rejects_a_model_with_the_wrong_output_shape():
    with pytest.raises(ValueError, match="shape"):
        k_step_predictions(nn.Linear(2, 3), torch.arange(10.0), 2, 1)


def test_rollout_matches_python_loop_and_restores_training_mode():
    weights, bias, tau = [0.3, 0.6], -0.05, 2
    model = hand_model(weights, bias).double()
    model.train()
    x = synthetic_series(num_steps=40, seed=5).double()
    out = rollout(model, x, start=25, num_steps=30, tau=tau)  # runs past the end of x
    expected = loop_predictions(weights, bias, x[23:25].tolist(), 30)
    torch.testing.assert_close(out, torch.tensor(expected, dtype=torch.float64))
    assert model.training


def test_rollout_first_step_is_the_one_step_prediction():
    torch.manual_seed(1)
    model = LinearAutoregression(4)
    x = synthetic_series(num_steps=50)
    features, _ = lagged_features(x, 4)
    with torch.no_grad():
        torch.testing.assert_close(rollout(model, x, 10, 1, 4), model(features[6:7]))


@pytest.mark.parametrize("start", [1, 41, -3])
def test_rollout_bad_start(start):
    with pytest.raises(ValueError, match="start"):
        rollout(LinearAutoregression(2), torch.arange(40.0), start, 5, 2)


def test_companion_matrix_and_fixed_point():
    # exact in binary: fixed point 0.5 / 0.125 = 4
    weights, bias = (
        [0.25, 0.25, 0.375],
        0.5,
    )
    a = companion_matrix(torch.tensor([weights]))
    assert torch.equal(
        a, torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.25, 0.25, 0.375]])
    )
    # spectral radius below 1: the rollout converges to b / (1 - sum(w)) whatever the
    # start
    assert torch.linalg.eigvals(a).abs().max() < 1
    model = hand_model(weights, bias).double()
    out = rollout(model, torch.tensor([5.0, -3.0, 2.0], dtype=torch.float64), 3, 400, 3)
    assert out[-1].item() == pytest.approx(4.0, abs=1e-9)
