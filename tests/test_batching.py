"""Random and sequential partitioning, the overlapping-window split, and the data module."""

from __future__ import annotations

import pytest
import torch

from rnnbook import (TimeMachineData, overlapping_windows, random_partition_batches,
                     sequential_partition_batches)
from rnnbook.data.batching import min_corpus_length

CASES = [(100, 3, 5), (257, 4, 7), (1000, 8, 10), (64, 1, 1), (31, 2, 5)]


def corpus_of(length: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 50, (length,), generator=torch.Generator().manual_seed(seed))


def positions(length: int) -> torch.Tensor:
    """A corpus whose tokens are their own positions: batches then show where they come from."""
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
        assert torch.equal(PX - PX[:, :1], torch.arange(num_steps).expand_as(PX))  # contiguous rows
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
    corpus = positions(51)  # offsets 0..4 all give (50 - o) // 5 = 10 - (o > 0) subsequences
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
    assert len(offsets) > 1 and offsets <= set(range(6))  # different seeds, different offsets


# ----- sequential partitioning -------------------------------------------------

@pytest.mark.parametrize("length, batch_size, num_steps", CASES)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_sequential_rows_continue_across_minibatches(length, batch_size, num_steps, seed):
    corpus = corpus_of(length, seed)
    batches = sequential_partition_batches(corpus, batch_size, num_steps, seed=seed)
    pos = sequential_partition_batches(positions(length), batch_size, num_steps, seed=seed)
    assert batches and len(batches) == len(pos)
    for (X, Y), (PX, PY) in zip(batches, pos):
        assert X.shape == Y.shape == (batch_size, num_steps)
        assert torch.equal(PY, PX + 1)
        assert torch.equal(X, corpus[PX]) and torch.equal(Y, corpus[PY])
    for (PX, _), (QX, _) in zip(pos, pos[1:]):
        assert torch.equal(QX[:, 0], PX[:, -1] + 1)  # row i of batch j+1 continues row i of batch j
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
    firsts = {int(sequential_partition_batches(positions(200), 2, 7, seed=s)[0][0][0, 0]) for s in range(30)}
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
    with pytest.raises(ValueError, match=f"it has {need - 1} tokens.*needs at least {need}"):
        fn(corpus_of(need - 1), 4, 10)
    for seed in range(10):  # exactly long enough: at least one minibatch for every offset
        assert len(fn(corpus_of(need), 4, 10, seed=seed)) >= 1


# ----- the overlapping windows of the source chapter ------------------------------

def test_overlapping_windows():
    X, Y = overlapping_windows(positions(10), 3)
    assert X.shape == Y.shape == (7, 3)
    assert X[0].tolist() == [0, 1, 2] and Y[0].tolist() == [1, 2, 3]
    assert X[-1].tolist() == [6, 7, 8] and Y[-1].tolist() == [7, 8, 9]
    with pytest.raises(ValueError, match="it has 3 tokens.*needs at least 4"):
        overlapping_windows(positions(3), 3)


# ----- the data module on the novel -------------------------------------------------

@pytest.fixture(scope="module")
def data() -> TimeMachineData:
    return TimeMachineData()


def test_whole_novel_split(data):
    assert len(data.vocab) == 28
    assert data.corpus.shape == (173_428,)
    assert data.train_corpus.numel() == 156_085 and data.val_corpus.numel() == 17_343
    assert torch.equal(torch.cat([data.train_corpus, data.val_corpus]), data.corpus)
    assert "".join(data.vocab.to_tokens(data.corpus[:16])) == "the time machine"


def test_overlapping_split_as_in_source(data):
    split = data.overlapping_split(num_steps=32)
    (Xt, Yt), (Xv, Yv) = split["train"], split["val"]
    assert Xt.shape == Yt.shape == (10_000, 32)
    assert Xv.shape == Yv.shape == (5_000, 32)
    assert torch.equal(Xt[0], data.corpus[:32]) and torch.equal(Yt[0], data.corpus[1:33])
    assert torch.equal(Xv[0], data.corpus[10_000:10_032]) and torch.equal(Yv[-1], data.corpus[15_000:15_032])
    pos = data.overlapping_split(num_steps=32, positions=True)
    assert int(pos["val"][1].max()) == 15_031  # the last token read: under a tenth of the novel


def test_overlapping_batches(data):
    train = data.batches("train", "overlapping", batch_size=1024, num_steps=32, seed=0, epoch=0)
    assert [X.shape[0] for X, _ in train] == [1024] * 9 + [784]  # the source keeps the partial batch
    pos = data.batches("train", "overlapping", batch_size=1024, num_steps=32, epoch=0, positions=True)
    starts = torch.cat([X[:, 0] for X, _ in pos])
    assert sorted(starts.tolist()) == list(range(10_000))            # every window once, shuffled
    assert starts.tolist() != list(range(10_000))
    val = data.batches("val", "overlapping", batch_size=1024, num_steps=32, positions=True)
    assert torch.cat([X[:, 0] for X, _ in val]).tolist() == list(range(10_000, 15_000))  # in order
    dropped = data.batches("train", "overlapping", batch_size=1024, num_steps=32, drop_last=True)
    assert len(dropped) == 9


def test_data_module_batches(data):
    for strategy in ("random", "sequential"):
        train = data.batches("train", strategy, batch_size=1024, num_steps=32, seed=0, epoch=3)
        assert len(train) == 4 and all(X.shape == (1024, 32) for X, _ in train)
        pos = data.batches("train", strategy, batch_size=1024, num_steps=32, seed=0, epoch=3, positions=True)
        assert int(max(Y.max() for _, Y in pos)) < data.num_train  # training never reads validation tokens
        val = data.batches("val", strategy, batch_size=64, num_steps=32, positions=True)
        assert int(min(X.min() for X, _ in val)) >= data.num_train
        e0 = data.batches("train", strategy, batch_size=1024, num_steps=32, seed=0, epoch=0, positions=True)
        again = data.batches("train", strategy, batch_size=1024, num_steps=32, seed=0, epoch=0, positions=True)
        assert all(torch.equal(a, b) for (a, _), (b, _) in zip(e0, again))  # same (seed, epoch), same batches
        firsts = {tuple(data.batches("train", strategy, batch_size=1024, num_steps=32, seed=0, epoch=e,
                                     positions=True)[0][0][0].tolist()) for e in range(6)}
        assert len(firsts) > 1  # epochs differ
    # The validation corpus (17,343 tokens) is shorter than one 1024 x 32 minibatch.
    with pytest.raises(ValueError, match="it has 17343 tokens.*needs at least 32800"):
        data.batches("val", "random", batch_size=1024, num_steps=32)
    last = data.batches("val", "random", batch_size=1024, num_steps=32, drop_last=False)
    assert len(last) == 1 and last[0][0].shape[1] == 32 and 500 < last[0][0].shape[0] < 1024


def test_data_module_errors(data):
    with pytest.raises(ValueError, match="unknown split 'test'"):
        data.batches("test")
    with pytest.raises(ValueError, match="unknown strategy 'shuffled'"):
        data.batches("train", "shuffled")
    with pytest.raises(ValueError, match="always drops the incomplete last minibatch"):
        data.batches("train", "sequential", drop_last=False)
    with pytest.raises(ValueError, match="num_steps must be at least 1"):
        data.batches("train", "overlapping", num_steps=0)
    with pytest.raises(ValueError, match="val_fraction must satisfy 0 < val_fraction < 1"):
        TimeMachineData(val_fraction=1.0)
    with pytest.raises(ValueError, match="text is empty"):
        TimeMachineData(text="")
    small = TimeMachineData(text="abc " * 100, num_train_windows=300, num_val_windows=200)
    with pytest.raises(ValueError, match="fewer than num_train_windows \\+ num_val_windows = 500"):
        small.overlapping_split(num_steps=5)


def test_word_level_data_module():
    words = TimeMachineData(level="word")
    assert words.corpus.numel() == 32_775
    assert words.vocab.to_tokens(int(words.corpus[0])) == "the"


# ----- the diagrams are drawn from the same layout code ------------------------------

def test_partition_diagrams():
    import matplotlib
    matplotlib.use("Agg")
    from rnnbook import partition_offsets, sequential_streams

    fig = partition_offsets("abcdefghijk", num_steps=3, offsets=(0, 2))
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("offset 0") == 1 and labels.count("offset 2") == 1
    # 11 tokens: offset 0 gives starts 0, 3, 6 (9 cells); offset 2 gives starts 2, 5 only,
    # since a start at 8 would need a target at position 11.
    colored = [p for p in fig.axes[0].patches if p.get_facecolor()[:3] != matplotlib.colors.to_rgb("#E6E6E6")]
    assert len(colored) == 3 * 3 + 2 * 3
    fig = sequential_streams(length=35, batch_size=2, num_steps=5, offset=2)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert [lab for lab in labels if lab.startswith("minibatch")] == ["minibatch 1", "minibatch 2", "minibatch 3"]
    with pytest.raises(ValueError, match=r"offsets\[0\] must satisfy 0 <= offsets\[0\] <= 2, got 3"):
        partition_offsets("abcdef", num_steps=3, offsets=(3,))
    with pytest.raises(ValueError, match="offset must satisfy 0 <= offset <= 4, got 5"):
        sequential_streams(offset=5, num_steps=5)


def test_positions_read(data):
    overlap = data.positions_read("train", "overlapping", batch_size=1024, num_steps=32)
    assert overlap.tolist() == list(range(10_032))  # 10,000 windows of 33 tokens from position 0
    val = data.positions_read("val", "overlapping", batch_size=1024, num_steps=32)
    assert val.tolist() == list(range(10_000, 15_032))
    one = data.positions_read("train", "random", batch_size=1024, num_steps=32, epochs=1)
    many = data.positions_read("train", "random", batch_size=1024, num_steps=32, epochs=5)
    assert 4 * 1024 * 32 <= one.numel() <= 4 * 1024 * 33  # 4 minibatches, inputs plus their targets
    assert one.numel() < many.numel() <= data.num_train
    assert bool((many[1:] > many[:-1]).all())           # sorted and distinct
