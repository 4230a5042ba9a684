"""The unfolded RNN: a recurrent network drawn as a loop and as a chain.

Shown on the opening page (``book/intro.md``).
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..checks import check_positive_int
from ._draw import COLORS, INK, arrow, new_canvas, node


def unfolded_rnn(num_steps: int = 3) -> Figure:
    """Draw an RNN folded (left) and unrolled over ``num_steps`` time steps (right).

    The same three weight matrices label every step of the unrolled chain, which
    is the point of the picture: the unrolled network is a deep feed-forward
    network whose layers share their parameters. Vectors and matrices are bold,
    as on the notation page.
    """
    num_steps = check_positive_int(
        "num_steps", num_steps, why="an RNN unrolled over no steps has nothing to draw")

    y_x, y_h, y_o = 0.0, 1.6, 3.2
    dx = 2.0
    x0 = 4.2  # first unrolled column
    right = x0 + dx * (num_steps - 1) + 1.4
    fig, ax = new_canvas(width=1.6 + 1.4 * (num_steps + 1.3), height=3.4,
                         xlim=(-1.2, right), ylim=(-0.75, 3.85))

    # Folded network: one column with a loop on the hidden state.
    node(ax, 0, y_x, r"$\mathbf{x}_t$", "input", fontsize=16)
    node(ax, 0, y_h, r"$\mathbf{h}_t$", "hidden", fontsize=16)
    node(ax, 0, y_o, r"$\mathbf{o}_t$", "output", fontsize=16)
    arrow(ax, (0, y_x + 0.3), (0, y_h - 0.3), r"$\mathbf{W}_{xh}$",
          label_offset=(-0.55, 0), fontsize=14)
    arrow(ax, (0, y_h + 0.3), (0, y_o - 0.3), r"$\mathbf{W}_{hq}$",
          label_offset=(-0.55, 0), fontsize=14)
    arrow(ax, (0.45, y_h + 0.22), (0.45, y_h - 0.22), color=COLORS["hidden"],
          connectionstyle="arc3,rad=-1.9")
    # Just above the loop and in its colour, away from the "unfold" arrow.
    ax.text(0.75, y_h + 0.3, r"$\mathbf{W}_{hh}$", ha="center", va="bottom",
            fontsize=14, color=COLORS["hidden"])

    # The "unfold" sign between the two halves.
    arrow(ax, (1.95, y_h), (2.95, y_h), style="simple", color=COLORS["muted"])
    ax.text(2.45, y_h + 0.45, "unfold", ha="center", va="bottom", fontsize=13,
            color="#555555")

    # Unrolled network: one column per time step, hidden states chained.
    for i in range(num_steps):
        t = i + 1
        cx = x0 + dx * i
        node(ax, cx, y_x, rf"$\mathbf{{x}}_{t}$", fontsize=16, role="input")
        node(ax, cx, y_h, rf"$\mathbf{{h}}_{t}$", fontsize=16, role="hidden")
        node(ax, cx, y_o, rf"$\mathbf{{o}}_{t}$", fontsize=16, role="output")
        arrow(ax, (cx, y_x + 0.3), (cx, y_h - 0.3), r"$\mathbf{W}_{xh}$",
              label_offset=(-0.5, 0), fontsize=12)
        arrow(ax, (cx, y_h + 0.3), (cx, y_o - 0.3), r"$\mathbf{W}_{hq}$",
              label_offset=(-0.5, 0), fontsize=12)
        start = (cx - dx + 0.45, y_h) if i > 0 else (cx - 1.05, y_h)
        arrow(ax, start, (cx - 0.45, y_h), r"$\mathbf{W}_{hh}$",
              label_offset=(0, 0.32), color=COLORS["hidden"], fontsize=12)
    ax.text(x0 - 1.15, y_h - 0.3, r"$\mathbf{h}_0$", ha="center", va="top",
            fontsize=13, color=INK)
    ax.text((x0 + right - 1.4) / 2, -0.62,
            "time step " + r"$t = 1, \dots, %d$" % num_steps,
            ha="center", va="center", fontsize=13, color="#555555")
    fig.tight_layout(pad=0.2)
    return fig
