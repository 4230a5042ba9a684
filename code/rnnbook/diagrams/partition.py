"""Partitioning a long sequence into subsequences: the two pictures of the page.

Shown on the page "Language models" (``book/language_models.md``). The layouts
are computed by the same functions that make the minibatches
(:func:`rnnbook.data.batching.partition_starts` and
:func:`rnnbook.data.batching.sequential_batches_at`), so the pictures cannot
drift from the code.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..data.batching import check_positive_int, partition_starts, sequential_batches_at
from ._draw import COLORS, INK, new_canvas

# Colours of consecutive subsequences (or minibatches); unused tokens are muted.
CYCLE = [COLORS["input"], COLORS["hidden"], COLORS["output"], COLORS["loss"], COLORS["param"]]
UNUSED = "#E6E6E6"
CELL_W, CELL_H = 0.5, 0.62


def _cell(ax: Axes, x: float, y: float, label: str, color: str, fontsize: float = 13, ink: str = INK) -> None:
    ax.add_patch(Rectangle((x, y), CELL_W, CELL_H, facecolor=color, edgecolor="white", linewidth=1.5, zorder=2))
    ax.text(x + CELL_W / 2, y + CELL_H / 2, label, ha="center", va="center", fontsize=fontsize,
            color=ink, zorder=3, family="DejaVu Sans Mono")


def _show(ch: str) -> str:
    return "\u2423" if ch == " " else ch  # an open box, so that spaces are visible


def partition_offsets(text: str = "the time machine by h g wells", num_steps: int = 5,
                      offsets: Sequence[int] = (0, 1, 2, 3, 4)) -> Figure:
    """Draw how ``text`` is cut into subsequences of ``num_steps`` tokens for each starting offset.

    One row per offset. Coloured runs are the subsequences' inputs ``X``;
    grey tokens are unused in that epoch: those before the offset, and those at
    the end that cannot fill a subsequence plus its one-token-later target.
    """
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError("text must be a str of at least 2 characters")
    num_steps = check_positive_int("num_steps", num_steps)
    offsets = list(offsets)
    if not offsets or any(not isinstance(o, int) or not 0 <= o < num_steps for o in offsets):
        raise ValueError(f"offsets must be a non-empty list of ints in [0, {num_steps}), got {offsets}")
    T = len(text)
    left = 2.3
    width = left + T * CELL_W + 0.2
    row_h = CELL_H + 0.38
    height = len(offsets) * row_h + 0.7
    fig, ax = new_canvas(width=width * 0.62, height=height * 0.62, xlim=(0, width), ylim=(-height + 0.7, 0.75))
    for c in range(T):  # position numbers above the first row
        if c % 5 == 0:
            ax.text(left + c * CELL_W + CELL_W / 2, 0.35, str(c), ha="center", va="center", fontsize=10, color="#555555")
    for r, offset in enumerate(offsets):
        y = -r * row_h - CELL_H + 0.1
        colour = [UNUSED] * T
        for j, s in enumerate(partition_starts(T, num_steps, offset).tolist()):
            for p in range(s, s + num_steps):
                colour[p] = CYCLE[j % 2]
        ax.text(left - 0.25, y + CELL_H / 2, f"offset {offset}", ha="right", va="center", fontsize=12, color=INK)
        for c, ch in enumerate(text):
            _cell(ax, left + c * CELL_W, y, _show(ch), colour[c], ink=INK if colour[c] != UNUSED else "#777777")
    fig.tight_layout(pad=0.1)
    return fig


def sequential_streams(length: int = 35, batch_size: int = 2, num_steps: int = 5, offset: int = 2) -> Figure:
    """Draw sequential partitioning of positions ``0 .. length-1``.

    Top: the sequence, each used position coloured by the minibatch it falls in;
    the first half of the used stretch feeds row 0, the second half row 1 (for
    ``batch_size=2``). Bottom: the same positions arranged as the
    ``batch_size`` rows that the minibatches are cut from, column block by
    column block, so row ``i`` of each minibatch continues row ``i`` of the one
    before.
    """
    length = check_positive_int("length", length)
    batch_size = check_positive_int("batch_size", batch_size)
    num_steps = check_positive_int("num_steps", num_steps)
    if not isinstance(offset, int) or not 0 <= offset < num_steps:
        raise ValueError(f"offset must be an int in [0, {num_steps}), got {offset!r}")
    batches = sequential_batches_at(torch.arange(length), batch_size, num_steps, offset)
    if not batches:
        raise ValueError(f"length={length} is too short for one minibatch of {batch_size} x {num_steps}")
    batch_of = {}   # position -> (minibatch, row, column within the streams)
    for j, (X, _) in enumerate(batches):
        for i in range(batch_size):
            for t, p in enumerate(X[i].tolist()):
                batch_of[p] = (j, i, j * num_steps + t)
    stream_len = ((length - offset - 1) // batch_size)

    left = 1.9
    cols = max(length, stream_len)
    width = left + cols * CELL_W + 0.3
    y_top = 0.0
    y_grid = -1.9
    height_bottom = y_grid - (batch_size - 1) * (CELL_H + 0.12) - 0.15
    fig, ax = new_canvas(width=width * 0.62, height=(1.35 - height_bottom) * 0.62, xlim=(0, width),
                         ylim=(height_bottom, 1.35))

    # Top: the sequence of positions.
    ax.text(left - 0.2, y_top + CELL_H / 2, "sequence", ha="right", va="center", fontsize=12, color=INK)
    for p in range(length):
        j = batch_of.get(p, (None,))[0]
        color = UNUSED if j is None else CYCLE[j % len(CYCLE)]
        _cell(ax, left + p * CELL_W, y_top, str(p), color, fontsize=10, ink=INK if j is not None else "#777777")
    for i in range(batch_size):  # brackets over each stream
        a = left + (offset + i * stream_len) * CELL_W
        b = left + (offset + (i + 1) * stream_len) * CELL_W
        ax.plot([a + 0.04, a + 0.04, b - 0.04, b - 0.04], [y_top + CELL_H + 0.08, y_top + CELL_H + 0.22,
                                                          y_top + CELL_H + 0.22, y_top + CELL_H + 0.08],
                color=INK, linewidth=1.2)
        ax.text((a + b) / 2, y_top + CELL_H + 0.4, f"stream for row {i}", ha="center", va="center",
                fontsize=11, color=INK)

    # Bottom: the streams side by side, cut into minibatches by column blocks.
    for i in range(batch_size):
        y = y_grid - i * (CELL_H + 0.12)
        ax.text(left - 0.2, y + CELL_H / 2, f"row {i}", ha="right", va="center", fontsize=12, color=INK)
        for c in range(stream_len):
            p = offset + i * stream_len + c
            j = batch_of.get(p, (None,))[0]
            color = UNUSED if j is None else CYCLE[j % len(CYCLE)]
            _cell(ax, left + c * CELL_W, y, str(p), color, fontsize=10, ink=INK if j is not None else "#777777")
    for j in range(len(batches)):
        a = left + j * num_steps * CELL_W
        b = a + num_steps * CELL_W
        ax.text((a + b) / 2, y_grid + CELL_H + 0.3, f"minibatch {j + 1}", ha="center", va="center",
                fontsize=11, color=INK)
    fig.tight_layout(pad=0.1)
    return fig
