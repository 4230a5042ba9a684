"""Diagrams of the paths a gradient takes through time: the graph and truncation.

Shown in ``book/bptt.md`` (the graph) and ``book/bptt_truncation.md`` (truncation).
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..bptt.truncation import randomized_weights
from ._draw import COLORS, INK, arrow, new_canvas, node

PARAM_EDGE = "#777777"


def _check_steps(num_steps: object, minimum: int) -> None:
    if not isinstance(num_steps, int) or isinstance(num_steps, bool):
        raise TypeError(f"num_steps must be an int, got {type(num_steps).__name__}")
    if num_steps < minimum:
        raise ValueError(f"num_steps must be at least {minimum}, got {num_steps}")


def computational_graph(num_steps: int = 3) -> Figure:
    """The computational graph of an RNN language model, unrolled over ``num_steps``.

    Values are boxes, dependencies are arrows: inputs x_t and the previous state
    give h_t, h_t gives o_t, o_t and the target y_t give the loss l_t, and the
    losses average into L. Each of the three weight matrices is one node whose
    arrows reach every step that uses it (grey): that fan-out is why its
    gradient is a sum over time steps. Biases are left out to keep it readable.
    """
    _check_steps(num_steps, 1)
    y_x, y_h, y_o, y_l, y_L = 0.0, 1.7, 3.4, 5.1, 6.6
    dx = 2.6
    x0 = 3.0                                     # centre of the first step's column
    xs = [x0 + dx * i for i in range(num_steps)]
    right = xs[-1] + 1.75
    fig, ax = new_canvas(width=1.25 + 1.5 * (num_steps + 0.9), height=4.6,
                         xlim=(-0.2, right), ylim=(-0.55, 7.05))

    # Shared parameters, one node each, in the left margin.
    px = 0.55
    node(ax, px, 0.85, r"$W_{xh}$", "param", w=0.95)
    node(ax, px, 2.55, r"$W_{hh}$", "param", w=0.95)
    node(ax, px, 4.25, r"$W_{hq}$", "param", w=0.95)
    node(ax, x0 - 1.45, y_h, r"$h_0$", "hidden", w=0.7)

    for i, cx in enumerate(xs):
        t = i + 1
        node(ax, cx, y_x, rf"$x_{t}$", "input")
        node(ax, cx, y_h, rf"$h_{t}$", "hidden")
        node(ax, cx, y_o, rf"$o_{t}$", "output")
        node(ax, cx, y_l, rf"$l_{t}$", "loss")
        node(ax, cx + 1.25, y_l, rf"$y_{t}$", "input", w=0.7, h=0.5, fontsize=12)
        arrow(ax, (cx, y_x + 0.3), (cx, y_h - 0.3))
        arrow(ax, (cx, y_h + 0.3), (cx, y_o - 0.3))
        arrow(ax, (cx, y_o + 0.3), (cx, y_l - 0.3))
        arrow(ax, (cx + 0.9, y_l), (cx + 0.45, y_l))
        prev = xs[i - 1] + 0.45 if i > 0 else x0 - 1.1
        arrow(ax, (prev, y_h), (cx - 0.45, y_h), color=COLORS["hidden"])
        # Where each weight matrix is used: dashed grey arrows into the step's nodes.
        arrow(ax, (px + 0.48, 0.85), (cx - 0.45, y_h - 0.2), color=PARAM_EDGE,
              linestyle="--", connectionstyle="arc3,rad=0.08")
        arrow(ax, (px + 0.48, 2.55), (cx - 0.45, y_h + 0.2), color=PARAM_EDGE,
              linestyle="--", connectionstyle="arc3,rad=-0.08")
        arrow(ax, (px + 0.48, 4.25), (cx - 0.4, y_o + 0.25), color=PARAM_EDGE,
              linestyle="--", connectionstyle="arc3,rad=-0.06")
        # Every per-step loss feeds the total.
        to_x = (xs[0] + xs[-1]) / 2 + 0.25 * (i - (num_steps - 1) / 2)
        arrow(ax, (cx, y_l + 0.3), (to_x, y_L - 0.3), color=COLORS["loss"])
    node(ax, (xs[0] + xs[-1]) / 2, y_L, r"$L$", "loss", w=1.2, h=0.6)
    fig.tight_layout(pad=0.2)
    return fig


def truncation_strategies(num_steps: int = 8, k: int = 3, keep_prob: float = 0.7,
                          seed: int = 2) -> Figure:
    """How far back the gradient of the last step's loss travels, three ways.

    One row per strategy, time running left to right. Arrows point backwards in
    time from the last hidden state h_T; filled boxes are the states the
    gradient reaches, grey ones get nothing from this loss term.

    * full: every step back to h_1;
    * regular truncation: the k most recent steps (h_T, ..., h_{T-k+1});
    * randomized: one draw of :func:`rnnbook.randomized_weights` for the given
      ``seed`` and ``keep_prob``: the gradient crosses each step with weight
      1/keep_prob until the first zero weight cuts it.
    """
    _check_steps(num_steps, 2)
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if not 1 <= k <= num_steps:
        raise ValueError(f"k must satisfy 1 <= k <= num_steps = {num_steps}, got {k}")
    # randomized_weights validates keep_prob and seed
    xi = randomized_weights(num_steps, keep_prob, seed).tolist()
    # Randomized reach: from h_T down to h_t, where t is the latest step whose
    # weight xi_t (entry t - 1) cuts the crossing into h_{t-1}; h_1 if none does.
    cut_at = max((t for t in range(2, num_steps + 1) if xi[t - 1] == 0.0), default=1)
    reach_random = num_steps - cut_at + 1
    rows = [
        ("full", num_steps, None),
        (f"regular, $k = {k}$", k, None),
        (f"randomized, $\\pi = {keep_prob:g}$", reach_random, r"$\times 1/\pi$"),
    ]
    dx, dy = 1.2, 1.55
    x_first = 0.45
    right = x_first + dx * (num_steps - 1) + 0.5
    fig, ax = new_canvas(width=0.95 * (right + 0.1), height=4.4,
                         xlim=(-0.1, right), ylim=(-0.75, 2 * dy + 0.95))
    for r, (title, reach, weight_label) in enumerate(rows):
        y = (2 - r) * dy
        ax.text(-0.05, y + 0.62, title, ha="left", va="center", fontsize=13,
                color=INK)
        for i in range(num_steps):
            t = i + 1
            reached = t > num_steps - reach
            node(ax, x_first + dx * i, y, rf"$h_{{{t}}}$",
                 "hidden" if reached else "muted", w=0.8, h=0.5, fontsize=14)
            if i > 0:
                # The backward edge from h_t to h_{t-1}.
                crossed = reached and t - 1 > num_steps - reach
                start = (x_first + dx * i - 0.42, y)
                end = (x_first + dx * (i - 1) + 0.42, y)
                if crossed:
                    arrow(ax, start, end, label=weight_label, label_offset=(0, 0.42),
                          color=COLORS["loss"], fontsize=11)
                else:
                    arrow(ax, start, end, color=COLORS["muted"], style="-",
                          linestyle=":")
                    if reached:
                        ax.text((start[0] + end[0]) / 2, y + 0.42, "cut", ha="center",
                                va="center", fontsize=11, color=INK)
    ax.text(x_first + dx * (num_steps - 1), -0.6, r"$l_T$ starts here", ha="right",
            va="center", fontsize=11, color="#555555")
    fig.tight_layout(pad=0.2)
    return fig
