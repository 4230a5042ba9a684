"""The character-level language model: each step reads a character and predicts the
next.

Shown in ``book/rnn.md``.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..checks import check_str
from ._draw import COLORS, INK, arrow, new_canvas, node


def char_lm(text: str = "machine") -> Figure:
    """Draw an RNN language model reading ``text[:-1]`` and trained to predict
    ``text[1:]``.

    One column per time step: the input character at the bottom, the hidden
    state above it (chained to the previous step's), the output above that, and
    at the top the target, which is the *next* input character. With the
    default text the inputs are "machin" and the targets "achine".
    """
    check_str("text", text, min_length=2, why="one input and its target")
    inputs, targets = text[:-1], text[1:]
    n = len(inputs)
    dx = 1.55
    y_x, y_h, y_o, y_y = 0.0, 1.45, 2.9, 4.2
    left, right = -1.75, dx * (n - 1) + 0.75
    fig, ax = new_canvas(width=1.1 + 1.15 * n, height=4.0, xlim=(left, right),
                         ylim=(-0.8, 4.75))

    # Row names on the left.
    for y, name in ((y_x, "input"), (y_h, "hidden\nstate"), (y_o, "output"),
                    (y_y, "target")):
        ax.text(left + 0.05, y, name, ha="left", va="center", fontsize=11,
                color="#555555")

    for t, (x_char, y_char) in enumerate(zip(inputs, targets)):
        cx = dx * t
        node(ax, cx, y_x, f"'{x_char}'", "input", w=0.8, h=0.55, fontsize=14)
        node(ax, cx, y_h, rf"$H_{t + 1}$", "hidden", w=0.8, h=0.55, fontsize=14)
        node(ax, cx, y_o, rf"$O_{t + 1}$", "output", w=0.8, h=0.55, fontsize=14)
        node(ax, cx, y_y, f"'{y_char}'", "loss", w=0.8, h=0.55, fontsize=14)
        arrow(ax, (cx, y_x + 0.28), (cx, y_h - 0.28))
        arrow(ax, (cx, y_h + 0.28), (cx, y_o - 0.28))
        # The output is scored against the target: a dashed link, not a computation.
        arrow(ax, (cx, y_o + 0.28), (cx, y_y - 0.28), style="-", linestyle="--",
              color="#777777")
        if t > 0:
            arrow(ax, (cx - dx + 0.4, y_h), (cx - 0.4, y_h), color=COLORS["hidden"])
    ax.text((right + left + 1.0) / 2, -0.62, "time step →", ha="center", va="center",
            fontsize=11, color=INK)
    fig.tight_layout(pad=0.2)
    return fig
