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

from ..checks import check_int, check_positive_int, check_str
from ..data.batching import partition_starts, sequential_batches_at
from ._draw import COLORS, INK, new_canvas

# Colours of consecutive subsequences (or minibatches); unused tokens are muted.
CYCLE = [COLORS["input"], COLORS["hidden"], COLORS["output"], COLORS["loss"],
         COLORS["param"]]
UNUSED = "#E6E6E6"
CELL_W, CELL_H = 0.5, 0.62
# inches: close to the book's column, so fonts keep their size on the page
FIG_WIDTH = 7.2


def _cell(ax: Axes, x: float, y: float, label: str, color: str, fontsize: float = 12,
          ink: str = INK) -> None:
    ax.add_patch(Rectangle((x, y), CELL_W, CELL_H, facecolor=color, edgecolor="white",
                           linewidth=1.5, zorder=2))
    ax.text(x + CELL_W / 2, y + CELL_H / 2, label, ha="center", va="center",
            fontsize=fontsize,
            color=ink, zorder=3, family="DejaVu Sans Mono")


def _show(ch: str) -> str:
    return "\u2423" if ch == " " else ch  # an open box, so that spaces are visible


def partition_offsets(text: str = "the time machine by h g wells", num_steps: int = 5,
                      offsets: Sequence[int] = (0, 1, 2, 3, 4)) -> Figure:
    """Draw how ``text`` is cut into subsequences of ``num_steps`` tokens for each
    starting offset.

    One row per offset. Coloured runs are the subsequences' inputs ``X``;
    grey tokens are unused in that epoch: those before the offset, and those at
    the end that cannot fill a subsequence plus its one-token-later target.
    """
    check_str("text", text, min_length=2, why="one input and its target")
    num_steps = check_positive_int("num_steps", num_steps)
    if not offsets:
        raise ValueError("offsets is empty: give at least one offset to draw")
    offsets = [check_int(f"offsets[{i}]", o, minimum=0, maximum=num_steps - 1)
               for i, o in enumerate(offsets)]
    T = len(text)
    left = 2.3
    width = left + T * CELL_W + 0.2
    row_h = CELL_H + 0.38
    height = len(offsets) * row_h + 0.7
    scale = FIG_WIDTH / width
    fig, ax = new_canvas(width=FIG_WIDTH, height=(height + 0.05) * scale,
                         xlim=(0, width),
                         ylim=(-height + 0.7, 0.8))
    for c in range(T):  # position numbers above the first row
        if c % 5 == 0:
            ax.text(left + c * CELL_W + CELL_W / 2, 0.38, str(c), ha="center",
                    va="center", fontsize=10,
                    color="#555555")
    for r, offset in enumerate(offsets):
        y = -r * row_h - CELL_H + 0.1
        colour = [UNUSED] * T
        for j, s in enumerate(partition_starts(T, num_steps, offset).tolist()):
            for p in range(s, s + num_steps):
                colour[p] = CYCLE[j % 2]
        ax.text(left - 0.2, y + CELL_H / 2, f"offset {offset}", ha="right",
                va="center", fontsize=11, color=INK)
        for c, ch in enumerate(text):
            _cell(ax, left + c * CELL_W, y, _show(ch), colour[c],
                  ink=INK if colour[c] != UNUSED else "#777777")
    fig.tight_layout(pad=0.1)
    return fig


def sequential_streams(length: int = 35, batch_size: int = 2, num_steps: int = 5,
                       offset: int = 2) -> Figure:
    """Draw sequential partitioning of the positions ``0 .. length-1``.

    The used stretch of the sequence is cut into ``batch_size`` consecutive
    streams, drawn one above the other: the first stream is row 0, the next
    row 1, and so on. Each position is coloured by the minibatch it falls in,
    and minibatch ``j`` is the ``j``-th block of ``num_steps`` columns, so row
    ``i`` of each minibatch continues row ``i`` of the one before. Grey cells
    are unused: positions before the offset (left of row 0), the columns that
    do not fill a whole block, and what is left at the end (right of the last
    row).
    """
    length = check_positive_int("length", length)
    batch_size = check_positive_int("batch_size", batch_size)
    num_steps = check_positive_int("num_steps", num_steps)
    offset = check_int("offset", offset, minimum=0, maximum=num_steps - 1)
    batches = sequential_batches_at(torch.arange(length), batch_size, num_steps, offset)
    if not batches:
        raise ValueError(f"length={length} is too short for one minibatch of "
                         f"{batch_size} x {num_steps}")
    batch_of = {int(p): j for j, (X, _) in enumerate(batches) for p in X.reshape(-1)}
    stream_len = (length - offset - 1) // batch_size
    # positions after the last stream
    tail = length - (offset + batch_size * stream_len)

    cols = offset + stream_len + tail
    left = 1.6
    width = left + cols * CELL_W + 0.1
    row_gap = CELL_H + 0.14
    top = 0.75
    bottom = -(batch_size - 1) * row_gap - 0.1
    scale = min(FIG_WIDTH / width, 0.62)
    fig, ax = new_canvas(width=width * scale, height=(top - bottom) * scale,
                         xlim=(0, width), ylim=(bottom, top))

    def draw(col: int, y: float, p: int) -> None:
        j = batch_of.get(p)
        color = UNUSED if j is None else CYCLE[j % len(CYCLE)]
        _cell(ax, left + col * CELL_W, y, str(p), color, fontsize=10,
              ink=INK if j is not None else "#777777")

    for i in range(batch_size):
        y = -i * row_gap
        ax.text(left - 0.2, y + CELL_H / 2, f"row {i}", ha="right", va="center",
                fontsize=11, color=INK)
        start = offset + i * stream_len
        for c in range(stream_len):
            draw(offset + c, y, start + c)
        if i == 0:
            for p in range(offset):          # before the offset
                draw(p, y, p)
        if i == batch_size - 1:
            for t in range(tail):            # after the last stream
                draw(offset + stream_len + t, y, start + stream_len + t)
    for j in range(len(batches)):
        a = left + (offset + j * num_steps) * CELL_W
        b = a + num_steps * CELL_W
        ax.plot([a + 0.12, a + 0.12, b - 0.12, b - 0.12],
                [CELL_H + 0.06, CELL_H + 0.16, CELL_H + 0.16, CELL_H + 0.06],
                color=INK, linewidth=1.0)
        ax.text((a + b) / 2, CELL_H + 0.38, f"minibatch {j + 1}", ha="center",
                va="center", fontsize=11, color=INK)
    fig.tight_layout(pad=0.1)
    return fig
