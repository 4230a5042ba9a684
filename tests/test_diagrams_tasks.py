"""The task-shapes figure of the opening page: the right boxes in the right places."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from rnnbook import task_shapes  # noqa: E402
from rnnbook.diagrams._draw import COLORS  # noqa: E402


def boxes(fig, role):
    """Centres of the boxes drawn in ``role``'s colour (the colour key excluded)."""
    out = []
    for p in fig.axes[0].patches:
        if (
            isinstance(p, FancyBboxPatch)
            and to_hex(p.get_facecolor()) == COLORS[role].lower()
        ):
            if p.get_width() > 0.5:  # the key's boxes are smaller
                out.append(
                    (
                        round(p.get_x() + p.get_width() / 2, 6),
                        round(p.get_y() + p.get_height() / 2, 6),
                    )
                )
    return out


@pytest.mark.parametrize("n", [1, 3, 4])
def test_task_shapes_counts(n):
    fig = task_shapes(num_steps=n)
    # Hidden states: n per task, 2n for the unaligned one.
    assert len(boxes(fig, "hidden")) == 5 * n
    # Inputs: 1 (one to many) + n + n + n.
    assert len(boxes(fig, "input")) == 1 + 3 * n
    # Outputs: n (one to many) + 1 + n + n.
    assert len(boxes(fig, "output")) == 1 + 3 * n
    titles = [t.get_text() for t in fig.axes[0].texts]
    for title in (
        "one to many",
        "many to one",
        "many to many, aligned",
        "many to many, not aligned",
    ):
        assert title in titles


def test_unaligned_task_reads_before_it_writes():
    n = 3
    fig = task_shapes(num_steps=n)
    # The unaligned task is the lower right panel: its inputs and outputs lie in
    # the lower half, at x beyond the left panels.
    lower = lambda pts: sorted(x for x, y in pts if y < 2.5)  # noqa: E731
    inputs_x, outputs_x = lower(boxes(fig, "input")), lower(boxes(fig, "output"))
    right_in = [x for x in inputs_x if x > n]
    right_out = [x for x in outputs_x if x > n]
    assert len(right_in) == len(right_out) == n
    assert max(right_in) < min(right_out)
    # The aligned task (lower left): one input and one output at each step.
    assert [x for x in inputs_x if x < n] == [x for x in outputs_x if x < n]


@pytest.mark.parametrize(
    "bad, err", [(0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_task_shapes_refuses_bad_steps(bad, err):
    with pytest.raises(err, match="num_steps"):
        task_shapes(num_steps=bad)
