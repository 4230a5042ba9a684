"""Two ways to grow an RNN, unrolled: stacked layers, and both directions.

Shown on the page "Deep and bidirectional RNNs" (``book/deep_birnn.md``).
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..checks import check_positive_int
from ._draw import COLORS, arrow, new_canvas, node

_WHY = "an RNN unrolled over no steps has nothing to draw"


def deep_rnn(num_steps: int = 3, num_layers: int = 2) -> Figure:
    """A deep RNN unrolled: inputs at the bottom, ``num_layers`` rows of
    states, outputs on top. Each state reads the state to its left (same
    layer, previous step) and the one below it (layer below, same step)."""
    num_steps = check_positive_int("num_steps", num_steps, why=_WHY)
    num_layers = check_positive_int("num_layers", num_layers)
    dx, dy = 1.9, 1.25
    top = dy * (num_layers + 1)
    fig, ax = new_canvas(width=1.2 + 1.45 * num_steps,
                         height=1.0 + 1.05 * (num_layers + 1),
                         xlim=(-0.9, dx * (num_steps - 1) + 0.6),
                         ylim=(-0.45, top + 0.45))
    for i in range(num_steps):
        t, cx = i + 1, dx * i
        node(ax, cx, 0, rf"$x_{t}$", "input")
        for j in range(1, num_layers + 1):
            node(ax, cx, dy * j, rf"$h_{t}^{{({j})}}$", "hidden")
            arrow(ax, (cx, dy * (j - 1) + 0.3), (cx, dy * j - 0.3))
            start = cx - dx + 0.45 if i > 0 else cx - 0.85
            arrow(ax, (start, dy * j), (cx - 0.45, dy * j),
                  color=COLORS["hidden"])
        node(ax, cx, top, rf"$o_{t}$", "output")
        arrow(ax, (cx, dy * num_layers + 0.3), (cx, top - 0.3))
    fig.tight_layout(pad=0.2)
    return fig


def bidirectional_rnn(num_steps: int = 3) -> Figure:
    """A bidirectional RNN unrolled: a forward row of states chained to the
    right, a backward row chained to the left, both reading the inputs, and
    each output reading the two states of its step."""
    num_steps = check_positive_int("num_steps", num_steps, why=_WHY)
    dx = 1.9
    y_x, y_f, y_b, y_o = 0.0, 1.25, 2.5, 3.75
    last = dx * (num_steps - 1)
    fig, ax = new_canvas(width=1.2 + 1.45 * num_steps, height=4.2,
                         xlim=(-0.9, last + 0.9), ylim=(-0.45, y_o + 0.45))
    for i in range(num_steps):
        t, cx = i + 1, dx * i
        node(ax, cx, y_x, rf"$x_{t}$", "input")
        node(ax, cx, y_f, rf"$\overrightarrow{{h}}_{t}$", "hidden")
        node(ax, cx, y_b, rf"$\overleftarrow{{h}}_{t}$", "hidden")
        node(ax, cx, y_o, rf"$o_{t}$", "output")
        arrow(ax, (cx, y_x + 0.3), (cx, y_f - 0.3))
        # the input also reaches the backward row, past the forward state
        arrow(ax, (cx - 0.3, y_x + 0.3), (cx - 0.3, y_b - 0.3),
              connectionstyle="arc3,rad=-0.35")
        arrow(ax, (cx + 0.3, y_f + 0.3), (cx + 0.3, y_o - 0.3),
              connectionstyle="arc3,rad=0.35")
        arrow(ax, (cx, y_b + 0.3), (cx, y_o - 0.3))
        start = cx - dx + 0.45 if i > 0 else cx - 0.85
        arrow(ax, (start, y_f), (cx - 0.45, y_f), color=COLORS["hidden"])
        start = cx + dx - 0.45 if i < num_steps - 1 else cx + 0.85
        arrow(ax, (start, y_b), (cx + 0.45, y_b), color=COLORS["hidden"])
    fig.tight_layout(pad=0.2)
    return fig
