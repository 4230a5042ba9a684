"""The unfolded RNN of the opening page: labelled, and strict about its input."""

from __future__ import annotations

import pytest
from conftest import figure_texts
from rnnbook import unfolded_rnn


@pytest.mark.parametrize("steps", [1, 3, 5])
def test_unfolded_rnn_labels(steps):
    fig = unfolded_rnn(num_steps=steps)
    labels = figure_texts(fig)
    # The folded network on the left.
    for folded in (r"$x_t$", r"$h_t$", r"$o_t$"):
        assert labels.count(folded) == 1
    # One input, hidden state and output per unrolled step, and no more.
    for t in range(1, steps + 1):
        for name in "xho":
            assert labels.count(f"${name}_{t}$") == 1
    assert f"$x_{steps + 1}$" not in labels
    # The same weights label every step: once on the left, once per step on the right.
    for weight in (r"$W_{xh}$", r"$W_{hh}$", r"$W_{hq}$"):
        assert labels.count(weight) == steps + 1
    assert "unfold" in labels


@pytest.mark.parametrize("bad", [0, -2])
def test_unfolded_rnn_refuses_no_steps(bad):
    with pytest.raises(ValueError, match="num_steps must be at least 1"):
        unfolded_rnn(num_steps=bad)


def test_unfolded_rnn_refuses_non_integers():
    with pytest.raises(TypeError, match="num_steps must be an int"):
        unfolded_rnn(num_steps=2.5)
