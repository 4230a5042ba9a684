"""Random and sequential partitioning, and the overlapping windows of the source
chapter."""

from __future__ import annotations

import pytest
import torch

from rnnbook import (
    overlapping_windows,
    random_partition_batches,
    sequential_partition_batches,
)
from rnnbook.data.batching import min_corpus_length

CASES = [(100, 3, 5), (257, 4, 7), (1000, 8, 10), (64, 1, 1), (31, 2, 5)]


def corpus_of(length: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(
        0, 50, (length,), generator=torch.Generator().manual_seed(seed)
    )


def positions(length: int) -> torch.Tensor:
    """A corpus whose tokens are their own positions: batches then show where they come
    from."""
    return torch.arange(length)


# ----- random partitioning ----------------------------------------------------


@pytest.mark.parametrize("length, batch_size, num_steps", CASES)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_random_shapes_shift_and_disjointness(length, batch_size, num_steps, seed):
    corpus = corpus_of(length, seed)
    batches = random_partition_batches(corpus, batch_size, num_steps, seed=seed)
    assert batches
    for X, Y in batches:
        assert X.shape == Y.shape == (batch_size, num_steps)
        assert X.dtype == Y.dtype == torch.long
    # The same run on positions: Y is X shifted by one, and no position repeats.
    pos = random_partition_batches(positions(length), batch_size, num_steps, seed=seed)
    for (X, Y), (PX, PY) in zip(batches, pos):
        assert torch.equal(PY, PX + 1)
        assert torch.equal(X, corpus[PX]) and torch.equal(Y, corpus[PY])
        # contiguous rows
        assert torch.equal(PX - PX[:, :1], torch.arange(num_steps).expand_as(PX))
    used = torch.cat([PX.reshape(-1) for PX, _ in pos])
    assert used.unique().numel() == used.numel()
    assert used.max() + 1 < length  # the last target still exists


def test_random_uses_every_full_subsequence_when_nothing_is_dropped():
    # length 101, num_steps 5: offset o gives (100 - o) // 5 subsequences.
    for seed in range(10):
        pos = random_partition_batches(positions(101), 1, 5, seed=seed)
        starts = sorted(int(X[0, 0]) for X, _ in pos)
        offset = starts[0]
        assert 0 <= offset < 5
        assert starts == list(range(offset, offset + 5 * ((100 - offset) // 5), 5))


def test_random_drop_last():
    # 10 subsequences in batches of 3: three full batches, the 10th is dropped or kept.
    # offsets 0..4 all give (50 - o) // 5 = 10 - (o > 0) subsequences
    corpus = positions(51)
    for seed in range(5):
        kept = random_partition_batches(corpus, 3, 5, seed=seed, drop_last=False)
        dropped = random_partition_batches(corpus, 3, 5, seed=seed)
        n_sub = sum(X.shape[0] for X, _ in kept)
        assert n_sub in (9, 10)
        assert len(dropped) == 3 and all(X.shape[0] == 3 for X, _ in dropped)
        assert [X.shape[0] for X, _ in kept] == [3, 3, 3] + ([1] if n_sub == 10 else [])


def test_random_seed_controls_everything():
    corpus = corpus_of(500)
    a = random_partition_batches(corpus, 4, 6, seed=3)
    b = random_partition_batches(corpus, 4, 6, seed=3)
    assert all(torch.equal(x, y) for (x, _), (y, _) in zip(a, b))
    offsets = set()
    for s in range(20):
        pos = random_partition_batches(positions(500), 4, 6, seed=s)
        offsets.add(int(min(X.min() for X, _ in pos)))
    # different seeds, different offsets
    assert len(offsets) > 1 and offsets <= set(range(6))


# ----- sequential partitioning -------------------------------------------------


@pytest.mark.parametrize("length, batch_size, num_steps", CASES)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_sequential_rows_continue_across_minibatches(
    length, batch_size, num_steps, seed
):
    corpus = corpus_of(length, seed)
    batches = sequential_partition_batches(corpus, batch_size, num_steps, seed=seed)
    pos = sequential_partition_batches(
        positions(length), batch_size, num_steps, seed=seed
    )
    assert batches and len(batches) == len(pos)
    for (X, Y), (PX, PY) in zip(batches, pos):
        assert X.shape == Y.shape == (batch_size, num_steps)
        assert torch.equal(PY, PX + 1)
        assert torch.equal(X, corpus[PX]) and torch.equal(Y, corpus[PY])
    for (PX, _), (QX, _) in zip(pos, pos[1:]):
        # row i of batch j+1 continues row i of batch j
        assert torch.equal(QX[:, 0], PX[:, -1] + 1)
    used = torch.cat([PX.reshape(-1) for PX, _ in pos])
    assert used.unique().numel() == used.numel()
    assert int(pos[0][0][0, 0]) < num_steps  # the first stream starts at the offset


def test_sequential_toy_case_exactly():
    # range(35), batch 2, 5 steps: with offset o, streams of (34 - o) // 2 tokens.
    for seed in range(20):
        pos = sequential_partition_batches(positions(35), 2, 5, seed=seed)
        o = int(pos[0][0][0, 0])
        stream = (34 - o) // 2
        assert len(pos) == stream // 5
        assert int(pos[0][0][1, 0]) == o + stream


def test_sequential_seed_controls_offset():
    firsts = {
        int(sequential_partition_batches(positions(200), 2, 7, seed=s)[0][0][0, 0])
        for s in range(30)
    }
    assert len(firsts) > 1 and firsts <= set(range(7))
    a = sequential_partition_batches(corpus_of(200), 2, 7, seed=5)
    b = sequential_partition_batches(corpus_of(200), 2, 7, seed=5)
    assert all(torch.equal(x, y) for (x, _), (y, _) in zip(a, b))


# ----- errors -------------------------------------------------------------------


@pytest.mark.parametrize("fn", [random_partition_batches, sequential_partition_batches])
def test_partition_errors(fn):
    with pytest.raises(ValueError, match="num_steps must be at least 1"):
        fn(corpus_of(100), 2, 0)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        fn(corpus_of(100), 0, 5)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        fn(corpus_of(100), 2.0, 5)
    with pytest.raises(ValueError, match="corpus is empty"):
        fn(torch.tensor([], dtype=torch.long), 2, 5)
    with pytest.raises(ValueError, match="corpus must be 1-D"):
        fn(torch.zeros(4, 5, dtype=torch.long), 2, 5)
    with pytest.raises(TypeError, match="integer token indices"):
        fn(torch.zeros(100), 2, 5)


@pytest.mark.parametrize("fn", [random_partition_batches, sequential_partition_batches])
def test_too_short_corpus_names_both_lengths(fn):
    need = min_corpus_length(4, 10)
    assert need == 4 * 10 + 10
    with pytest.raises(
        ValueError, match=f"it has {need - 1} tokens.*needs at least {need}"
    ):
        fn(corpus_of(need - 1), 4, 10)
    for seed in range(
        10
    ):  # exactly long enough: at least one minibatch for every offset
        assert len(fn(corpus_of(need), 4, 10, seed=seed)) >= 1


# ----- the overlapping windows of the source chapter ------------------------------


def test_overlapping_windows():
    X, Y = overlapping_windows(positions(10), 3)
    assert X.shape == Y.shape == (7, 3)
    assert X[0].tolist() == [0, 1, 2] and Y[0].tolist() == [1, 2, 3]
    assert X[-1].tolist() == [6, 7, 8] and Y[-1].tolist() == [7, 8, 9]
    with pytest.raises(ValueError, match="it has 3 tokens.*needs at least 4"):
        overlapping_windows(positions(3), 3)
