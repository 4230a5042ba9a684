"""The LSTM and GRU cell diagrams of book/gated.md: every gate, state and operation
the page's equations name is drawn and labelled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from rnnbook import gru_cell, lstm_cell  # noqa: E402


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def operations(fig: Figure) -> list[str]:
    """The symbols written in the circles (element-wise operations)."""
    ax = fig.axes[0]
    centres = [p.center for p in ax.patches if isinstance(p, Circle)]
    return [t.get_text() for t in ax.texts if t.get_position() in centres]


def test_lstm_cell_draws_its_gates_states_and_additive_path():
    fig = lstm_cell()
    labels = texts(fig)
    for name in (r"$F_t$", r"$I_t$", r"$O_t$", r"$\tilde C_t$"):
        assert labels.count(name) == 1, name  # each gate once
    for state in (r"$C_{t-1}$", r"$C_t$", r"$H_{t-1}$", r"$H_t$", r"$X_t$"):
        assert labels.count(state) == 1, state
    assert labels.count(r"$\sigma$") == 3 and labels.count("tanh") == 2
    # F * C_{t-1}, I * C~, O * tanh(C): three products and one sum.
    assert sorted(operations(fig)) == sorted(["×", "×", "×", "+", "tanh"])
    assert any("additive path" in label for label in labels)
    plt.close(fig)


def test_gru_cell_draws_pytorchs_form():
    fig = gru_cell()
    labels = texts(fig)
    for name in (r"$R_t$", r"$Z_t$", r"$\tilde H_t$", r"$X_t$", r"$H_t$"):
        assert labels.count(name) == 1, name
    assert labels.count(r"$\sigma$") == 2 and labels.count("tanh") == 1
    # The reset gate scales the recurrent product with its bias (PyTorch's form).
    assert r"$R_t \odot (H_{t-1}W_{hh}+b_{hh})$" in labels
    assert r"$Z_t \odot H_{t-1} + (1-Z_t)\odot\tilde H_t$" in labels
    # The input's term joins the candidate after the reset gate, untouched by it.
    assert any(label.startswith(r"$X_tW_{xh}+b_{xh}$") for label in labels)
    assert sorted(operations(fig)) == sorted(["mix", "×", "+"])
    plt.close(fig)
