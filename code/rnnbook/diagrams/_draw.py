"""Small drawing primitives shared by the book's diagrams.

Every diagram in the book is drawn by code with these helpers, so the figures
share one visual language: rounded boxes for values, arrows for computations,
and a colour per kind of value (input, hidden state, output).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

# One colour per role, chosen to stay distinct for colour-blind readers
# (Okabe-Ito palette) and readable on both light and dark page themes.
COLORS = {
    "input": "#56B4E9",   # sky blue
    "hidden": "#E69F00",  # orange
    "output": "#009E73",  # green
    "loss": "#CC79A7",    # purple
    "param": "#F0E442",   # yellow
    "muted": "#BBBBBB",
}
INK = "#222222"


def new_canvas(width: float, height: float, xlim: tuple[float, float],
               ylim: tuple[float, float]) -> tuple[Figure, Axes]:
    """A figure with an opaque white background and a bare, equal-aspect axes."""
    fig, ax = plt.subplots(figsize=(width, height))
    fig.patch.set_facecolor("white")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def node(ax: Axes, x: float, y: float, label: str, role: str, w: float = 0.9,
         h: float = 0.6, fontsize: float = 14) -> None:
    """A rounded box centred at (x, y) holding ``label``, coloured by ``role``."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=COLORS[role], edgecolor=INK, linewidth=1.2, zorder=2,
        )
    )
    ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, color=INK,
            zorder=3)


def arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    label: str | None = None,
    label_offset: tuple[float, float] = (0.0, 0.0),
    color: str = INK,
    style: str = "-|>",
    connectionstyle: str = "arc3",
    linestyle: str = "-",
    fontsize: float = 12,
) -> None:
    """An arrow from ``start`` to ``end`` with an optional label at its midpoint."""
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle=style, mutation_scale=16, color=color, linewidth=1.6,
            connectionstyle=connectionstyle, linestyle=linestyle, zorder=1,
        )
    )
    if label:
        mx = (start[0] + end[0]) / 2 + label_offset[0]
        my = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=fontsize, color=color,
                bbox=dict(facecolor="white", edgecolor="none", pad=1.0), zorder=3)
