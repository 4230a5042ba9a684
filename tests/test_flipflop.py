"""The 3-bit flip-flop task and network of book/attractors.md."""

import pytest
import torch

from rnnbook import FlipFlopNet, fit_flipflop, flipflop_task, sign_accuracy


def test_targets_hold_the_sign_of_the_last_pulse():
    X, Y = flipflop_task(20, 60, num_bits=3, pulse_rate=0.1, seed=0)
    assert X.shape == Y.shape == (20, 60, 3)
    assert set(X.unique().tolist()) <= {-1.0, 0.0, 1.0}
    assert set(Y.unique().tolist()) == {-1.0, 1.0}
    assert (X[:, 0] != 0).all()  # every channel starts with a pulse
    for n in range(20):
        for i in range(3):
            last = None
            for t in range(60):
                if X[n, t, i] != 0:
                    last = X[n, t, i]
                assert Y[n, t, i] == last


def test_pulse_rate_and_seed():
    X, _ = flipflop_task(200, 200, pulse_rate=0.05, seed=1)
    rate = (X[:, 1:] != 0).float().mean().item()
    assert rate == pytest.approx(0.05, abs=0.005)
    X2, _ = flipflop_task(200, 200, pulse_rate=0.05, seed=1)
    X3, _ = flipflop_task(200, 200, pulse_rate=0.05, seed=2)
    assert torch.equal(X, X2) and not torch.equal(X, X3)


def test_task_bad_inputs():
    with pytest.raises(ValueError, match="pulse_rate"):
        flipflop_task(4, 10, pulse_rate=1.5)
    with pytest.raises(TypeError, match="num_steps must be an int"):
        flipflop_task(4, 10.0)


def test_net_shapes_and_autonomous_step():
    torch.manual_seed(0)
    for cell in ("gru", "rnn"):
        net = FlipFlopNet(cell, 8)
        X, _ = flipflop_task(5, 7, seed=0)
        out, state = net(X)
        assert out.shape == (5, 7, 3) and state.shape == (1, 5, 8)
        # F(h) is one step with no pulse
        H = torch.randn(5, 8)
        expected = net.rnn(torch.zeros(5, 1, 3), H[None])[1][0]
        torch.testing.assert_close(net.autonomous_step(H), expected)
    with pytest.raises(ValueError, match=r"X must be \(batch, steps, 3\)"):
        net(torch.zeros(5, 7))
    with pytest.raises(ValueError, match="unknown cell"):
        FlipFlopNet("lstm2", 8)


def test_training_learns_the_task():
    torch.manual_seed(0)
    net = FlipFlopNet("gru", 12)
    X, Y = flipflop_task(50, 30, seed=5)
    before = sign_accuracy(net, X, Y)
    losses = fit_flipflop(net, num_steps=150, seq_len=30, seed=0)
    assert len(losses) == 150
    assert sum(losses[-10:]) < 0.5 * sum(losses[:10])
    assert sign_accuracy(net, X, Y) > max(before, 0.9)
    with pytest.raises(ValueError, match="unknown loss"):
        fit_flipflop(net, num_steps=1, loss="hinge")
