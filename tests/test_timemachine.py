"""The Time Machine as data: the whole-novel split, the source chapter's split,
minibatches per epoch."""

from __future__ import annotations

import pytest
import torch

from rnnbook import TimeMachineData


@pytest.fixture(scope="module")
def data(novel_chars) -> TimeMachineData:
    return novel_chars


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
    assert torch.equal(Xt[0], data.corpus[:32]) and torch.equal(
        Yt[0], data.corpus[1:33]
    )
    assert torch.equal(Xv[0], data.corpus[10_000:10_032]) and torch.equal(
        Yv[-1], data.corpus[15_000:15_032]
    )
    pos = data.overlapping_split(num_steps=32, positions=True)
    # the last token read: under a tenth of the novel
    assert int(pos["val"][1].max()) == 15_031


def test_overlapping_batches(data):
    train = data.batches(
        "train", "overlapping", batch_size=1024, num_steps=32, seed=0, epoch=0
    )
    # the source keeps the partial batch
    assert [X.shape[0] for X, _ in train] == [1024] * 9 + [784]
    pos = data.batches(
        "train", "overlapping", batch_size=1024, num_steps=32, epoch=0, positions=True
    )
    starts = torch.cat([X[:, 0] for X, _ in pos])
    assert sorted(starts.tolist()) == list(range(10_000))  # every window once, shuffled
    assert starts.tolist() != list(range(10_000))
    val = data.batches(
        "val", "overlapping", batch_size=1024, num_steps=32, positions=True
    )
    # in order
    assert torch.cat([X[:, 0] for X, _ in val]).tolist() == list(range(10_000, 15_000))
    dropped = data.batches(
        "train", "overlapping", batch_size=1024, num_steps=32, drop_last=True
    )
    assert len(dropped) == 9


def test_data_module_batches(data):
    for strategy in ("random", "sequential"):
        def positions(epoch: int, split: str = "train", batch_size: int = 1024):
            return data.batches(split, strategy, batch_size=batch_size, num_steps=32,
                                seed=0, epoch=epoch, positions=True)

        train = data.batches("train", strategy, batch_size=1024, num_steps=32, seed=0,
                             epoch=3)
        assert len(train) == 4 and all(X.shape == (1024, 32) for X, _ in train)
        # training never reads validation tokens
        assert int(max(Y.max() for _, Y in positions(3))) < data.num_train
        val = positions(0, "val", batch_size=64)
        assert int(min(X.min() for X, _ in val)) >= data.num_train
        # same (seed, epoch), same batches
        e0, again = positions(0), positions(0)
        assert all(torch.equal(a, b) for (a, _), (b, _) in zip(e0, again))
        firsts = {tuple(positions(e)[0][0][0].tolist()) for e in range(6)}
        assert len(firsts) > 1  # epochs differ
    # The validation corpus (17,343 tokens) is shorter than one 1024 x 32 minibatch.
    with pytest.raises(ValueError, match="it has 17343 tokens.*needs at least 32800"):
        data.batches("val", "random", batch_size=1024, num_steps=32)
    last = data.batches("val", "random", batch_size=1024, num_steps=32, drop_last=False)
    assert (
        len(last) == 1
        and last[0][0].shape[1] == 32
        and 500 < last[0][0].shape[0] < 1024
    )


def test_data_module_errors(data):
    with pytest.raises(ValueError, match="unknown split 'test'"):
        data.batches("test")
    with pytest.raises(ValueError, match="unknown strategy 'shuffled'"):
        data.batches("train", "shuffled")
    with pytest.raises(ValueError, match="always drops the incomplete last minibatch"):
        data.batches("train", "sequential", drop_last=False)
    with pytest.raises(ValueError, match="num_steps must be at least 1"):
        data.batches("train", "overlapping", num_steps=0)
    with pytest.raises(
        ValueError, match="val_fraction must satisfy 0 < val_fraction < 1"
    ):
        TimeMachineData(val_fraction=1.0)
    with pytest.raises(ValueError, match="text is empty"):
        TimeMachineData(text="")
    small = TimeMachineData(
        text="abc " * 100, num_train_windows=300, num_val_windows=200
    )
    with pytest.raises(
        ValueError, match="fewer than num_train_windows \\+ num_val_windows = 500"
    ):
        small.overlapping_split(num_steps=5)


def test_word_level_data_module(novel_words):
    words = novel_words
    assert words.corpus.numel() == 32_775
    assert words.vocab.to_tokens(int(words.corpus[0])) == "the"


def test_positions_read(data):
    overlap = data.positions_read("train", "overlapping", batch_size=1024, num_steps=32)
    # 10,000 windows of 33 tokens from position 0
    assert overlap.tolist() == list(range(10_032))
    val = data.positions_read("val", "overlapping", batch_size=1024, num_steps=32)
    assert val.tolist() == list(range(10_000, 15_032))
    one = data.positions_read(
        "train", "random", batch_size=1024, num_steps=32, epochs=1
    )
    many = data.positions_read(
        "train", "random", batch_size=1024, num_steps=32, epochs=5
    )
    # 4 minibatches, inputs plus their targets
    assert 4 * 1024 * 32 <= one.numel() <= 4 * 1024 * 33
    assert one.numel() < many.numel() <= data.num_train
    assert bool((many[1:] > many[:-1]).all())  # sorted and distinct
