"""The scan as a picture: which pairs are combined, in which round.

Shown on ``book/parallel_rnn.md``. The figure is drawn from
:func:`rnnbook.scan_schedule`, the same schedule that the tests carry out and
compare with the loop, so the picture cannot drift from the algorithm.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..checks import check_positive_int
from ..scan import scan_schedule
from ._draw import COLORS, INK, arrow, new_canvas, node


def scan_tree(num_steps: int = 8, method: str = "parallel") -> Figure:
    """Draw a scan's combinations over ``num_steps`` pairs, one row per round.

    The top row holds the pairs of the steps (blue). A box in a lower row is
    the combination of the two boxes its arrows come from; it is labelled
    with the steps it spans, ``s:t``, and drawn orange once it spans every
    step from the first, because its ``b`` is then the state ``h_t``.
    Columns with nothing new in a round keep their box from above.
    """
    T = check_positive_int("num_steps", num_steps)
    schedule = scan_schedule(T, method)
    rounds = schedule[-1][0] if schedule else 0
    dx, dy = 1.25, 1.05
    fig, ax = new_canvas(
        width=1.0 + 1.05 * T,
        height=1.1 + 0.8 * (rounds + 1),
        xlim=(-2.0, dx * (T - 1) + 0.7),
        ylim=(-dy * rounds - 0.55, 0.75),
    )
    span = [(t, t) for t in range(1, T + 1)]  # steps covered by each column's pair
    last_y = [0.0] * T  # where each column's latest box sits
    for t in range(T):
        node(
            ax,
            dx * t,
            0.0,
            rf"$a_{{{t + 1}}}, b_{{{t + 1}}}$",
            "input",
            w=1.1,
            h=0.55,
            fontsize=11,
        )
    ax.text(-1.95, 0.0, "steps", ha="left", va="center", fontsize=11, color="#555555")
    for r in range(1, rounds + 1):
        y = -dy * r
        ax.text(
            -1.95, y, f"round {r}", ha="left", va="center", fontsize=11, color="#555555"
        )
        span_before, y_before = (
            list(span),
            list(last_y),
        )  # a round reads what was there before it
        for _, source, target in (s for s in schedule if s[0] == r):
            xs, xt = dx * source, dx * target
            arrow(
                ax,
                (xs, y_before[source] - 0.3),
                (xt - 0.25, y + 0.28),
                color=COLORS["hidden"],
            )
            arrow(ax, (xt, y_before[target] - 0.3), (xt, y + 0.28), color=INK)
            span[target] = (span_before[source][0], span_before[target][1])
            first, end = span[target]
            role = "hidden" if first == 1 else "muted"
            node(ax, xt, y, f"{first}:{end}", role, w=0.95, h=0.5, fontsize=11)
            last_y[target] = y
    for t in range(T):  # a column's box below its last one: h_t
        if span[t][0] != 1:
            raise AssertionError(f"the schedule left step {t + 1} without its state")
    fig.tight_layout(pad=0.2)
    return fig
