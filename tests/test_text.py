"""Preprocessing, tokenization, n-gram counts and Zipf's law, on toy text and on the novel."""

from __future__ import annotations

import math

import pytest

from rnnbook import Vocab, load_time_machine, ngram_counts, preprocess, tokenize, zipf_exponent


@pytest.fixture(scope="module")
def novel() -> str:
    return preprocess(load_time_machine())


@pytest.fixture(scope="module")
def words(novel) -> list[str]:
    return tokenize(novel, level="word")


# ----- preprocessing and tokenization on small inputs -------------------------

def test_preprocess_keeps_letters_and_collapses_runs():
    assert preprocess("The Time-Machine, by H. G. Wells [1898]\n") == "the time machine by h g wells "
    assert preprocess("--Hello!!") == " hello "         # runs at both ends -> one space each, kept
    assert preprocess("a\n\n\n b") == "a b"
    assert preprocess("café") == "caf "                 # accented letters are not ASCII letters


def test_tokenize_levels():
    text = "the time machine "
    assert tokenize(text, level="char") == list(text)
    assert "".join(tokenize(text, level="char")) == text  # char tokens round-trip exactly
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
    assert novel.endswith(" of man ")  # the final line break became one space, not stripped


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
    assert [w for w, _ in top] == ["the", "i", "and", "of", "a", "to", "was", "in", "that", "my"]


def test_top_bigram_and_trigram(words):
    assert ngram_counts(words, 2).most_common(1) == [(("of", "the"), 309)]
    assert ngram_counts(words, 3).most_common(1) == [(("the", "time", "traveller"), 59)]


# ----- n-gram counts ----------------------------------------------------------

def test_ngram_counts_small_case():
    c = ngram_counts(list("abab"), 2)
    assert c == {("a", "b"): 2, ("b", "a"): 1}
    assert sum(ngram_counts(list("abcde"), 3).values()) == 3  # T - n + 1 windows
    assert ngram_counts(["x"], 1) == {("x",): 1}


@pytest.mark.parametrize("n", [0, -1])
def test_ngram_counts_rejects_bad_n(n):
    with pytest.raises(ValueError, match="n must be at least 1"):
        ngram_counts(["a", "b"], n)


def test_ngram_counts_rejects_short_input():
    with pytest.raises(ValueError, match="a sequence of 2 tokens has no 3-grams"):
        ngram_counts(["a", "b"], 3)


# ----- Zipf's law -------------------------------------------------------------

def test_zipf_exponent_recovers_exact_power_law():
    counts = [1000.0 * i ** -1.5 for i in range(1, 201)]
    alpha, c = zipf_exponent(counts, ranks=(1, 200), with_intercept=True)
    assert alpha == pytest.approx(1.5, abs=1e-9)
    assert c == pytest.approx(math.log(1000.0), abs=1e-9)
    # The range is 1-based and inclusive: ranks (3, 4) fit exactly the 3rd and 4th counts.
    bent = [100, 90, 8, 4, 3, 1]
    assert zipf_exponent(bent, ranks=(3, 4)) == pytest.approx(math.log(2) / math.log(4 / 3))


def test_zipf_exponent_sorts_counter_values():
    assert zipf_exponent({"a": 1, "b": 4}, ranks=(1, 2)) == pytest.approx(2.0)


def test_zipf_exponents_of_novel_shrink_with_n(words):
    alphas = [zipf_exponent(ngram_counts(words, n), ranks=(10, 1000)) for n in (1, 2, 3)]
    assert alphas[0] > alphas[1] > alphas[2] > 0


@pytest.mark.parametrize("ranks, msg", [((0, 3), "not a valid range"), ((3, 3), "not a valid range"),
                                         ((1, 99), "not a valid range")])
def test_zipf_exponent_rejects_bad_ranks(ranks, msg):
    with pytest.raises(ValueError, match=msg):
        zipf_exponent([5, 4, 3, 2, 1], ranks=ranks)


def test_zipf_exponent_rejects_nonpositive_counts():
    with pytest.raises(ValueError, match="positive"):
        zipf_exponent([3, 0, 1])
    with pytest.raises(ValueError, match="counts is empty"):
        zipf_exponent([])


def test_table_renders_text_and_escaped_html():
    from rnnbook import table

    t = table([("the", 2261), ("<unk>", 0.5)], headers=["token", "count"], floatfmt=".1f")
    assert str(t).splitlines() == ["token  count", "-----  -----", "the    2,261", "<unk>    0.5"]
    html = t._repr_html_()
    assert "&lt;unk&gt;" in html and "<unk>" not in html
    assert 'style="text-align: right">2,261' in html
    with pytest.raises(ValueError, match="row 0 has 1 cells but there are 2 headers"):
        table([("x",)], headers=["a", "b"])


def test_table_right_aligns_numeric_text():
    from rnnbook import table

    t = table([("a", "7.3%", "1.2e-05"), ("bb", "12.0%", "3")], headers=["x", "share", "p"])
    assert t.numeric == [False, True, True]
