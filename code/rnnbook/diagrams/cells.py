"""The LSTM and GRU cells, drawn as one step of computation.

Shown in ``book/gated.md``. Both drawings share one layout: the carried state
runs along the top from left to right, the step's inputs ``H_{t-1}`` and
``X_t`` enter at the bottom left and feed the gates, drawn as boxes with their
nonlinearity, and element-wise operations are circles. The LSTM's memory cell
``C`` runs along a straight line on which only a product with the forget gate
and a sum touch it: the additive path.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ._draw import COLORS, INK, arrow, new_canvas, node

GATE = "#DDDDDD"


def _op(ax, x: float, y: float, symbol: str, r: float = 0.24) -> None:
    """An element-wise operation: a small white circle holding ``symbol``."""
    ax.add_patch(
        Circle((x, y), r, facecolor="white", edgecolor=INK, linewidth=1.2, zorder=2)
    )
    size = 13 if len(symbol) == 1 else 10
    ax.text(x, y, symbol, ha="center", va="center", fontsize=size, color=INK, zorder=3)


def _gate(ax, x: float, y: float, fn: str, name: str) -> None:
    """A gate: a grey box with its nonlinearity, and its name underneath."""
    node(ax, x, y, fn, "muted", w=0.75, h=0.5, fontsize=13)
    ax.text(x + 0.45, y - 0.42, name, ha="left", va="center", fontsize=11, color=INK)


def _inputs(ax, x_end: float, y_bus: float) -> None:
    """``H_{t-1}`` and ``X_t`` joined into the bus that feeds every gate."""
    node(ax, -0.4, y_bus, r"$H_{t-1}$", "hidden", w=1.0)
    node(ax, 0.9, -0.5, r"$X_t$", "input", w=0.8)
    arrow(ax, (0.1, y_bus), (x_end, y_bus), style="-")
    arrow(ax, (0.9, -0.2), (0.9, y_bus), style="-")


def lstm_cell() -> Figure:
    """One LSTM step: forget, input, output gates, candidate, memory cell ``C``."""
    fig, ax = new_canvas(width=8.0, height=5.0, xlim=(-1.1, 10.4), ylim=(-1.0, 6.0))
    y_c, y_gate, y_bus = 5.0, 2.3, 1.0
    xf, xi, xc, xo = 2.2, 3.9, 5.4, 7.0
    _inputs(ax, xo, y_bus)
    # The memory cell's line: C_{t-1} -> (x F) -> (+ I C~) -> C_t.
    node(ax, -0.4, y_c, r"$C_{t-1}$", "hidden", w=1.0)
    node(ax, 9.7, y_c, r"$C_t$", "hidden", w=0.9)
    arrow(ax, (0.1, y_c), (xf - 0.24, y_c), color=COLORS["hidden"])
    _op(ax, xf, y_c, "×")
    arrow(ax, (xf + 0.24, y_c), (xc - 0.24, y_c), color=COLORS["hidden"])
    _op(ax, xc, y_c, "+")
    arrow(ax, (xc + 0.24, y_c), (9.25, y_c), color=COLORS["hidden"])
    ax.text(
        4.0,
        y_c + 0.45,
        "additive path: no matrix product",
        ha="center",
        fontsize=11,
        color="#555555",
    )
    # Gates, each reading the bus.
    for x, fn, name in (
        (xf, r"$\sigma$", r"$F_t$"),
        (xi, r"$\sigma$", r"$I_t$"),
        (xc, "tanh", r"$\tilde C_t$"),
        (xo, r"$\sigma$", r"$O_t$"),
    ):
        arrow(ax, (x, y_bus), (x, y_gate - 0.25))
        _gate(ax, x, y_gate, fn, name)
    arrow(ax, (xf, y_gate + 0.25), (xf, y_c - 0.24))  # F_t * C_{t-1}
    _op(ax, xc, 3.7, "×")  # I_t * C~_t
    arrow(ax, (xi, y_gate + 0.25), (xc - 0.22, 3.62), connectionstyle="arc3,rad=-0.25")
    arrow(ax, (xc, y_gate + 0.25), (xc, 3.46))
    arrow(ax, (xc, 3.94), (xc, y_c - 0.24))
    # Output: H_t = O_t * tanh(C_t).
    x_out = 8.4
    _op(ax, x_out, 3.9, "tanh", r=0.34)
    arrow(ax, (x_out, y_c), (x_out, 4.24), color=COLORS["hidden"])
    _op(ax, x_out, 2.3, "×")
    arrow(ax, (x_out, 3.56), (x_out, 2.54))
    arrow(ax, (xo + 0.38, y_gate), (x_out - 0.24, 2.3))
    node(ax, 9.7, 1.0, r"$H_t$", "hidden", w=0.9)
    arrow(ax, (x_out, 2.06), (9.3, 1.15), connectionstyle="arc3,rad=0.2")
    fig.tight_layout(pad=0.2)
    return fig


def gru_cell() -> Figure:
    """One step of a GRU in PyTorch's form: reset, update gate, candidate, mix."""
    fig, ax = new_canvas(width=8.0, height=5.0, xlim=(-1.1, 10.4), ylim=(-1.0, 6.0))
    y_h, y_gate, y_bus = 5.0, 2.3, 1.0
    xz, xr, xc = 2.4, 4.4, 6.2
    # H_{t-1} also runs along the top: the path the update gate can keep open.
    node(ax, -0.4, y_h, r"$H_{t-1}$", "hidden", w=1.0)
    arrow(ax, (0.1, y_h), (7.8 - 0.34, y_h), color=COLORS["hidden"])
    arrow(ax, (-0.4, y_h - 0.3), (-0.4, y_bus + 0.3), style="-", color=COLORS["hidden"])
    node(ax, -0.4, y_bus, r"$H_{t-1}$", "hidden", w=1.0)
    _inputs(ax, xr, y_bus)  # the joined bus feeds the two gates only
    for x, fn, name in ((xr, r"$\sigma$", r"$R_t$"), (xz, r"$\sigma$", r"$Z_t$")):
        arrow(ax, (x, y_bus), (x, y_gate - 0.25))
        _gate(ax, x, y_gate, fn, name)
    # Candidate: tanh(X W_xh + b_xh + R * (H W_hh + b_hh)). The reset gate scales
    # the recurrent product only; the input's term joins after it, unreset.
    y_prod, y_sum, y_cand = 1.55, 2.2, 3.05
    _op(ax, xc, y_prod, "×")
    arrow(
        ax,
        (xr + 0.38, y_gate),
        (xc - 0.22, y_prod + 0.1),
        connectionstyle="arc3,rad=-0.15",
    )
    # H_{t-1} alone, through W_hh, into the reset product (X_t does not join).
    y_hh = 0.3
    arrow(ax, (-0.4, y_bus - 0.3), (-0.4, y_hh), style="-", color=COLORS["hidden"])
    arrow(ax, (-0.4, y_hh), (xc - 0.4, y_hh), style="-", color=COLORS["hidden"])
    node(ax, xc, y_hh, r"$W_{hh}$", "muted", w=0.8, h=0.45, fontsize=11)
    arrow(ax, (xc, y_hh + 0.23), (xc, y_prod - 0.24))
    ax.text(
        xc + 0.35,
        y_prod - 0.35,
        r"$R_t \odot (H_{t-1}W_{hh}+b_{hh})$",
        ha="left",
        va="center",
        fontsize=10,
        color="#555555",
    )
    _op(ax, xc, y_sum, "+")
    arrow(ax, (xc, y_prod + 0.24), (xc, y_sum - 0.24))
    x_in = 9.6  # X_t's own line to the sum, around the reset gate
    arrow(ax, (1.3, -0.5), (x_in, -0.5), style="-")
    arrow(ax, (x_in, -0.5), (x_in, y_sum), style="-")
    arrow(ax, (x_in, y_sum), (xc + 0.24, y_sum))
    ax.text(
        5.2,
        -0.25,
        r"$X_tW_{xh}+b_{xh}$, not reset",
        ha="center",
        va="center",
        fontsize=10,
        color="#555555",
    )
    arrow(ax, (xc, y_sum + 0.24), (xc, y_cand - 0.25))
    _gate(ax, xc, y_cand, "tanh", r"$\tilde H_t$")
    # H_t = Z * H_{t-1} + (1 - Z) * H~.
    x_mix = 7.8
    _op(ax, x_mix, y_h, "mix", r=0.34)
    arrow(
        ax,
        (xz, y_gate + 0.25),
        (x_mix - 0.3, y_h - 0.2),
        connectionstyle="arc3,rad=-0.2",
    )
    arrow(
        ax,
        (xc, y_cand + 0.25),
        (x_mix - 0.1, y_h - 0.34),
        connectionstyle="arc3,rad=-0.2",
    )
    ax.text(
        x_mix,
        y_h + 0.55,
        r"$Z_t \odot H_{t-1} + (1-Z_t)\odot\tilde H_t$",
        ha="center",
        fontsize=10,
        color="#555555",
    )
    node(ax, 9.7, y_h, r"$H_t$", "hidden", w=0.9)
    arrow(ax, (x_mix + 0.34, y_h), (9.25, y_h), color=COLORS["hidden"])
    fig.tight_layout(pad=0.2)
    return fig
