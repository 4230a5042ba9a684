"""The vocabulary: deterministic indices, unknown tokens, and to_tokens on any shape."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from rnnbook import Vocab


@pytest.fixture
def vocab() -> Vocab:
    return Vocab(list("hello world"))


def test_order_is_unk_then_frequency_then_token(vocab):
    # l x3, o x2, then ' ', d, e, h, r, w once each (ties sorted by the token).
    assert vocab.idx_to_token == ["<unk>", "l", "o", " ", "d", "e", "h", "r", "w"]
    assert vocab.token_freqs[:2] == [("l", 3), ("o", 2)]
    assert vocab.unk == 0 and vocab["<unk>"] == 0
    assert len(vocab) == 9


def test_same_text_same_indices_whatever_the_order():
    tokens = "the cat and the dog and a bird".split()
    reference = Vocab(tokens).token_to_idx
    rng = random.Random(0)
    for _ in range(5):
        shuffled = tokens[:]
        rng.shuffle(shuffled)
        assert Vocab(shuffled).token_to_idx == reference


def test_lookup_of_one_token_and_of_a_sequence(vocab):
    assert vocab["l"] == 1
    assert vocab[["h", "e", "l", "l", "o"]] == [6, 5, 1, 1, 2]
    assert vocab[("o",)] == [2]
    assert vocab["Z"] == 0 and vocab[["Z", "l"]] == [0, 1]  # unknown -> <unk>


def test_min_freq_and_reserved_tokens():
    v = Vocab(list("aaabbc"), min_freq=2, reserved_tokens=("<pad>", "<eos>"))
    assert v.idx_to_token == ["<unk>", "<pad>", "<eos>", "a", "b"]
    assert v["c"] == v.unk
    assert ("c", 1) in v.token_freqs  # counted, though it got no index of its own
    # A reserved token that also occurs in the text is not listed twice.
    assert Vocab(["x", "x", "<pad>"], reserved_tokens=["<pad>"]).idx_to_token == [
        "<unk>",
        "<pad>",
        "x",
    ]


def test_to_tokens_of_one_index_gives_a_str(vocab):
    assert vocab.to_tokens(1) == "l"
    assert vocab.to_tokens(np.int64(2)) == "o"
    assert vocab.to_tokens(torch.tensor(3)) == " "  # 0-d tensor


def test_to_tokens_of_sequences_gives_lists_even_with_one_element(vocab):
    assert vocab.to_tokens([1]) == ["l"]  # 1-element list
    assert vocab.to_tokens(torch.tensor([1])) == ["l"]  # 1-element tensor
    assert vocab.to_tokens(np.array([2])) == ["o"]
    assert vocab.to_tokens([]) == []
    assert vocab.to_tokens(torch.tensor([[6, 5], [1, 2]])) == [["h", "e"], ["l", "o"]]
    assert vocab.to_tokens(vocab[list("hello")]) == list("hello")


@pytest.mark.parametrize("bad", [9, -1, 100])
def test_to_tokens_out_of_range_is_an_error(vocab, bad):
    with pytest.raises(
        IndexError, match=f"index {bad} is out of range for a vocabulary of 9 tokens"
    ):
        vocab.to_tokens(bad)
    with pytest.raises(IndexError, match="out of range"):
        vocab.to_tokens(torch.tensor([1, bad]))


def test_to_tokens_rejects_floats(vocab):
    with pytest.raises(TypeError, match="must be integers"):
        vocab.to_tokens(torch.tensor([1.0]))
    with pytest.raises(TypeError, match="an index must be an int"):
        vocab.to_tokens(1.0)


def test_reserved_unk_is_an_error():
    with pytest.raises(
        ValueError, match="'<unk>' is always index 0 and cannot be a reserved token"
    ):
        Vocab(["a"], reserved_tokens=["<unk>"])


def test_duplicate_reserved_tokens_are_an_error():
    with pytest.raises(ValueError, match=r"duplicate reserved tokens \['<pad>'\]"):
        Vocab(["a"], reserved_tokens=["<pad>", "<bos>", "<pad>"])


def test_bad_arguments_are_errors():
    with pytest.raises(TypeError, match="not one str"):
        Vocab("hello")
    with pytest.raises(TypeError, match="every token must be a str"):
        Vocab([["a", "b"]])
    with pytest.raises(ValueError, match="min_freq must be at least 0"):
        Vocab(["a"], min_freq=-1)
    with pytest.raises(TypeError, match="look up a str or a list/tuple"):
        Vocab(["a"])[3]
