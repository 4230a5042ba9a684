"""The two partitioning pictures of the "Language models" page, drawn from the batching
code."""

from __future__ import annotations

import pytest


def test_partition_diagrams():
    import matplotlib

    matplotlib.use("Agg")
    from rnnbook import partition_offsets, sequential_streams

    fig = partition_offsets("abcdefghijk", num_steps=3, offsets=(0, 2))
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("offset 0") == 1 and labels.count("offset 2") == 1
    # 11 tokens: offset 0 gives starts 0, 3, 6 (9 cells); offset 2 gives starts 2, 5
    # only,
    # since a start at 8 would need a target at position 11.
    colored = [
        p
        for p in fig.axes[0].patches
        if p.get_facecolor()[:3] != matplotlib.colors.to_rgb("#E6E6E6")
    ]
    assert len(colored) == 3 * 3 + 2 * 3
    fig = sequential_streams(length=35, batch_size=2, num_steps=5, offset=2)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert [lab for lab in labels if lab.startswith("minibatch")] == [
        "minibatch 1",
        "minibatch 2",
        "minibatch 3",
    ]
    with pytest.raises(
        ValueError, match=r"offsets\[0\] must satisfy 0 <= offsets\[0\] <= 2, got 3"
    ):
        partition_offsets("abcdef", num_steps=3, offsets=(3,))
    with pytest.raises(ValueError, match="offset must satisfy 0 <= offset <= 4, got 5"):
        sequential_streams(offset=5, num_steps=5)
