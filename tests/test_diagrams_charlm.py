"""The character-level language-model diagram: one column per step, targets shifted by
one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from conftest import figure_texts
from rnnbook import char_lm


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_machine_columns():
    labels = figure_texts(char_lm("machine"))
    boxes = [s for s in labels if s.startswith("'")]
    # each column: input, H, O, target; only chars are quoted
    inputs, targets = (
        boxes[0::2],
        boxes[1::2],
    )
    assert "".join(s.strip("'") for s in inputs) == "machin"
    assert "".join(s.strip("'") for s in targets) == "achine"
    for t in range(1, 7):
        assert labels.count(f"$H_{t}$") == 1 and labels.count(f"$O_{t}$") == 1
    assert "$H_7$" not in labels
    for row in ("input", "hidden\nstate", "output", "target"):
        assert row in labels


def test_hidden_states_are_chained():
    fig = char_lm("abcd")
    # 3 columns: 3 x (input->H, H->O, O..target) arrows + 2 arrows between hidden states
    assert len(fig.axes[0].patches) == 3 * 4 + 3 * 3 + 2


def test_refuses_bad_text():
    with pytest.raises(ValueError, match="at least 2 characters"):
        char_lm("a")
    with pytest.raises(TypeError, match="must be a str"):
        char_lm(["a", "b"])
