"""Preprocessing and tokenization, on toy text and on the novel."""

from __future__ import annotations

import pytest

from rnnbook import Vocab, preprocess, tokenize


@pytest.fixture(scope="module")
def novel(novel_text) -> str:
    return preprocess(novel_text)


@pytest.fixture(scope="module")
def words(novel_words) -> list[str]:
    return novel_words.tokens


# ----- preprocessing and tokenization on small inputs -------------------------


def test_preprocess_keeps_letters_and_collapses_runs():
    assert (
        preprocess("The Time-Machine, by H. G. Wells [1898]\n")
        == "the time machine by h g wells "
    )
    # runs at both ends -> one space each, kept
    assert preprocess("--Hello!!") == " hello "
    assert preprocess("a\n\n\n b") == "a b"
    assert preprocess("café") == "caf "  # accented letters are not ASCII letters


def test_tokenize_levels():
    text = "the time machine "
    assert tokenize(text, level="char") == list(text)
    # char tokens round-trip exactly
    assert "".join(tokenize(text, level="char")) == text
    assert tokenize(text, level="word") == ["the", "time", "machine"]
    assert tokenize(" a  b ", level="word") == ["a", "b"]  # no empty word tokens


def test_tokenize_rejects_unknown_level():
    with pytest.raises(ValueError, match="unknown token level 'sentence'"):
        tokenize("abc", level="sentence")


@pytest.mark.parametrize("fn", [preprocess, lambda t: tokenize(t, "word")])
def test_empty_text_is_an_error(fn):
    with pytest.raises(ValueError, match="text is empty"):
        fn("")


def test_non_str_text_is_an_error():
    with pytest.raises(TypeError, match="text must be a str"):
        preprocess(b"bytes")


# ----- the novel --------------------------------------------------------------


def test_novel_length_after_preprocessing(novel):
    assert len(novel) == 173_428
    assert novel.startswith("the time machine by h g wells ")
    # the final line break became one space, not stripped
    assert novel.endswith(" of man ")


def test_character_vocabulary_of_novel(novel):
    vocab = Vocab(tokenize(novel, "char"))
    assert len(vocab) == 28
    assert set(vocab.idx_to_token) == set("abcdefghijklmnopqrstuvwxyz ") | {"<unk>"}
    assert vocab.idx_to_token[1] == " "  # the space is the most frequent character


def test_top_words(words):
    assert len(words) == 32_775
    vocab = Vocab(words)
    top = vocab.token_freqs[:10]
    assert top[0] == ("the", 2261)
    assert top[9] == ("my", 440)
    assert [w for w, _ in top] == [
        "the",
        "i",
        "and",
        "of",
        "a",
        "to",
        "was",
        "in",
        "that",
        "my",
    ]


# ----- Zipf's law -------------------------------------------------------------
