"""The shapes of sequence tasks: where the sequence sits, at the input, the output or
both.

Shown on the opening page (``book/intro.md``).
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..checks import check_positive_int
from ._draw import COLORS, INK, arrow, new_canvas, node

def _panel(ax: Axes, x0: float, y0: float, reads: list[bool], writes: list[bool],
           title: str, example: str) -> None:
    """One task with its lower left corner at (x0, y0): a row of hidden states,
    inputs below the steps that read one, outputs above the steps that write one."""
    dx, y_x, y_h, y_o = 1.0, y0, y0 + 1.2, y0 + 2.4
    for i, (r, w) in enumerate(zip(reads, writes)):
        cx = x0 + dx * i
        node(ax, cx, y_h, "", "hidden", w=0.6, h=0.45)
        if r:
            node(ax, cx, y_x, "", "input", w=0.6, h=0.45)
            arrow(ax, (cx, y_x + 0.23), (cx, y_h - 0.23))
        if w:
            node(ax, cx, y_o, "", "output", w=0.6, h=0.45)
            arrow(ax, (cx, y_h + 0.23), (cx, y_o - 0.23))
        if i > 0:
            arrow(ax, (cx - dx + 0.3, y_h), (cx - 0.3, y_h), color=COLORS["hidden"])
    middle = x0 + dx * (len(reads) - 1) / 2
    ax.text(middle, y0 + 3.05, title, ha="center", va="center", fontsize=12, color=INK,
            fontweight="bold")
    ax.text(middle, y0 - 0.65, example, ha="center", va="center", fontsize=11,
            color="#444444")


def task_shapes(num_steps: int = 3) -> Figure:
    """Draw the four shapes of sequence task, each as one row of RNN steps.

    Inputs (blue) sit below the steps that read one, outputs (green) above the
    steps that write one, and the hidden state (orange) runs left to right
    through every step. ``num_steps`` is the length of each sequence; the
    unaligned many-to-many task reads ``num_steps`` inputs and then writes
    ``num_steps`` outputs, so its row is twice as long. Two tasks per row.
    """
    n = check_positive_int("num_steps", num_steps)
    panels = [
        ("one to many", [True] + [False] * (n - 1), [True] * n,
         "a pen stroke for a letter"),
        ("many to one", [True] * n, [False] * (n - 1) + [True],
         "is a review positive?"),
        ("many to many, aligned", [True] * n, [True] * n,
         "next character at each step"),
        ("many to many, not aligned", [True] * n + [False] * n,
         [False] * n + [True] * n, "speech to written words"),
    ]
    gap, row_height = 1.6, 4.6
    width = max(n + gap + n, n + gap + 2 * n) - 0.4
    fig, ax = new_canvas(width=0.62 * (width + 0.6),
                         height=0.62 * (2 * row_height + 0.6),
                         xlim=(-0.6, width), ylim=(-1.1, 2 * row_height - 0.5))
    for i, (title, reads, writes, example) in enumerate(panels):
        x0 = 0.0 if i % 2 == 0 else n + gap
        y0 = row_height if i < 2 else 0.0
        _panel(ax, x0, y0, reads, writes, title, example)
    # A key to the colours, top right.
    for j, (role, name) in enumerate([("input", "input"), ("hidden", "hidden state"),
                                      ("output", "output")]):
        y = 2 * row_height - 1.0 - 0.55 * j
        node(ax, 2 * n + gap + 0.4, y, "", role, w=0.4, h=0.3)
        ax.text(2 * n + gap + 0.75, y, name, ha="left", va="center", fontsize=11,
                color=INK)
    fig.tight_layout(pad=0.2)
    return fig
