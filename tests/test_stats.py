"""Token statistics: n-gram counts and the exponent of Zipf's law, on toy counts and on
the novel."""

from __future__ import annotations

import math

import pytest

from rnnbook import ngram_counts, zipf_exponent


@pytest.fixture(scope="module")
def words(novel_words) -> list[str]:
    return novel_words.tokens


def test_top_bigram_and_trigram(words):
    assert ngram_counts(words, 2).most_common(1) == [(("of", "the"), 309)]
    assert ngram_counts(words, 3).most_common(1) == [(("the", "time", "traveller"), 59)]


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


def test_zipf_exponent_recovers_exact_power_law():
    counts = [1000.0 * i**-1.5 for i in range(1, 201)]
    alpha, c = zipf_exponent(counts, ranks=(1, 200), with_intercept=True)
    assert alpha == pytest.approx(1.5, abs=1e-9)
    assert c == pytest.approx(math.log(1000.0), abs=1e-9)
    # The range is 1-based and inclusive: ranks (3, 4) fit exactly the 3rd and 4th
    # counts.
    bent = [100, 90, 8, 4, 3, 1]
    assert zipf_exponent(bent, ranks=(3, 4)) == pytest.approx(
        math.log(2) / math.log(4 / 3)
    )


def test_zipf_exponent_sorts_counter_values():
    assert zipf_exponent({"a": 1, "b": 4}, ranks=(1, 2)) == pytest.approx(2.0)


def test_zipf_exponents_of_novel_shrink_with_n(words):
    alphas = [
        zipf_exponent(ngram_counts(words, n), ranks=(10, 1000)) for n in (1, 2, 3)
    ]
    assert alphas[0] > alphas[1] > alphas[2] > 0


@pytest.mark.parametrize(
    "ranks, msg",
    [
        ((0, 3), "not a valid range"),
        ((3, 3), "not a valid range"),
        ((1, 99), "not a valid range"),
    ],
)
def test_zipf_exponent_rejects_bad_ranks(ranks, msg):
    with pytest.raises(ValueError, match=msg):
        zipf_exponent([5, 4, 3, 2, 1], ranks=ranks)


def test_zipf_exponent_rejects_nonpositive_counts():
    with pytest.raises(ValueError, match="positive"):
        zipf_exponent([3, 0, 1])
    with pytest.raises(ValueError, match="counts is empty"):
        zipf_exponent([])
