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
    # Vectors and matrices are bold, as on the notation page.
    for folded in (r"$\mathbf{x}_t$", r"$\mathbf{h}_t$", r"$\mathbf{o}_t$"):
        assert labels.count(folded) == 1
    # One input, hidden state and output per unrolled step, and no more.
    for t in range(1, steps + 1):
        for name in "xho":
            assert labels.count(f"$\\mathbf{{{name}}}_{t}$") == 1
    assert f"$\\mathbf{{x}}_{steps + 1}$" not in labels
    assert not any(label.startswith("$W") for label in labels)   # no italic W
    # The same weights label every step: once on the left, once per step on the right.
    for weight in (r"$\mathbf{W}_{xh}$", r"$\mathbf{W}_{hh}$",
                   r"$\mathbf{W}_{hq}$"):
        assert labels.count(weight) == steps + 1
    assert "unfold" in labels


@pytest.mark.parametrize("bad", [0, -2])
def test_unfolded_rnn_refuses_no_steps(bad):
    with pytest.raises(ValueError, match="num_steps must be at least 1"):
        unfolded_rnn(num_steps=bad)


def test_unfolded_rnn_refuses_non_integers():
    with pytest.raises(TypeError, match="num_steps must be an int"):
        unfolded_rnn(num_steps=2.5)
