"""The BPTT diagrams: labelled as promised, strict about their input.

That they are deterministic across processes is checked in ``test_diagrams.py``.
"""

from __future__ import annotations

import pytest
from conftest import figure_texts
from rnnbook import computational_graph, randomized_weights, truncation_strategies


@pytest.mark.parametrize("steps", [1, 3, 4])
def test_computational_graph_labels(steps):
    fig = computational_graph(num_steps=steps)
    labels = figure_texts(fig)
    for t in range(1, steps + 1):
        for name in "xhoyl":
            assert labels.count(f"${name}_{t}$") == 1, (name, t)
    assert f"$h_{steps + 1}$" not in labels
    # One node per shared parameter, one initial state, one total loss.
    for single in (r"$W_{xh}$", r"$W_{hh}$", r"$W_{hq}$", "$h_0$", "$L$"):
        assert labels.count(single) == 1, single


def test_computational_graph_draws_one_arrow_per_parameter_use():
    steps = 3
    fig = computational_graph(num_steps=steps)
    dashed = [p for p in fig.axes[0].patches if p.get_linestyle() in ("--", "dashed")]
    assert len(dashed) == 3 * steps  # W_xh, W_hh and W_hq each reach every step


def test_truncation_strategies_rows_and_reach():
    steps, k, keep_prob, seed = 10, 3, 0.7, 0
    fig = truncation_strategies(num_steps=steps, k=k, keep_prob=keep_prob, seed=seed)
    labels = figure_texts(fig)
    assert (
        "full" in labels
        and "regular, $k = 3$" in labels
        and r"randomized, $\pi = 0.7$" in labels
    )
    for t in range(1, steps + 1):
        assert labels.count(f"$h_{{{t}}}$") == 3
    # The randomized row follows the same draw as rnnbook.randomized_weights.
    xi = randomized_weights(steps, keep_prob, seed).tolist()
    crossings = 0
    for t in range(steps, 1, -1):
        if xi[t - 1] == 0.0:
            break
        crossings += 1
    assert labels.count(r"$\times 1/\pi$") == crossings
    # A cut is marked in the regular row, and in the randomized row unless it reached
    # h_1.
    assert labels.count("cut") == 1 + (crossings < steps - 1)


@pytest.mark.parametrize(
    "fn,kw,err,match",
    [
        (computational_graph, dict(num_steps=0), ValueError, "at least 1"),
        (
            computational_graph,
            dict(num_steps=2.0),
            TypeError,
            "num_steps must be an int",
        ),
        (truncation_strategies, dict(num_steps=1), ValueError, "at least 2"),
        (
            truncation_strategies,
            dict(num_steps="5"),
            TypeError,
            "num_steps must be an int",
        ),
        (
            truncation_strategies,
            dict(num_steps=5, k=0),
            ValueError,
            "1 <= k <= num_steps",
        ),
        (
            truncation_strategies,
            dict(num_steps=5, k=6),
            ValueError,
            "1 <= k <= num_steps",
        ),
        (
            truncation_strategies,
            dict(num_steps=5, k=2.0),
            TypeError,
            "k must be an int",
        ),
        (truncation_strategies, dict(keep_prob=0.0), ValueError, "keep_prob"),
        (truncation_strategies, dict(seed="a"), TypeError, "seed must be an int"),
    ],
)
def test_diagrams_refuse_bad_arguments(fn, kw, err, match):
    with pytest.raises(err, match=match):
        fn(**kw)
