"""The smoothed n-gram model, on hand-checked cases and on the novel."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from rnnbook import NGramLM, TimeMachineData
from rnnbook.models import tune_k


# ----- the n-gram model on small, hand-checked cases -------------------------------


def test_bigram_probabilities_by_hand():
    # corpus a b a b a c over V = 3 tokens (a=0, b=1, c=2); bigrams ab ba ab ba ac.
    m = NGramLM(2, 3, k=1.0).fit([0, 1, 0, 1, 0, 2])
    # context a: N(a,a)=0, N(a,b)=2, N(a,c)=1, N(a)=3 -> (1, 3, 2) / 6
    assert m.probs([0]).tolist() == pytest.approx([1 / 6, 3 / 6, 2 / 6])
    # context b: N(b,a)=2 -> (3, 1, 1) / 5; context c never starts a bigram -> uniform
    assert m.probs([1]).tolist() == pytest.approx([3 / 5, 1 / 5, 1 / 5])
    assert m.probs([2]).tolist() == pytest.approx([1 / 3] * 3)
    # Scoring a b c: log P(b|a) + log P(c|b), averaged over 2 predicted tokens.
    assert m.mean_nll([0, 1, 2]) == pytest.approx(
        -(math.log(3 / 6) + math.log(1 / 5)) / 2
    )
    assert m.unseen_fraction([0, 1, 2]) == pytest.approx((0.5, 0.0))


def test_unigram_is_add_k_relative_frequency():
    m = NGramLM(1, 4, k=0.5).fit([0, 0, 0, 1])
    assert m.probs([]).tolist() == pytest.approx([3.5 / 6, 1.5 / 6, 0.5 / 6, 0.5 / 6])


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("k", [1.0, 0.1, 1e-3])
def test_every_context_gets_a_proper_distribution(n, k):
    V = 5
    corpus = torch.randint(0, V, (60,), generator=torch.Generator().manual_seed(n))
    m = NGramLM(n, V, k=k).fit(corpus)
    contexts = torch.tensor(
        list(itertools.product(range(V), repeat=n - 1)), dtype=torch.long
    )
    contexts = contexts.reshape(V ** (n - 1), n - 1)  # for n = 1: one empty context
    p = m.probs(contexts)  # every context, seen or not
    assert p.shape == (V ** (n - 1), V)
    assert torch.all(p > 0)
    assert torch.allclose(
        p.sum(dim=1), torch.ones(len(contexts), dtype=p.dtype), atol=1e-12
    )
    if (
        n > 1
    ):  # 60 tokens cannot hold all V**(n-1) contexts for n = 4: unseen ones are uniform
        seen = set(map(tuple, corpus.unfold(0, n - 1, 1)[:-1].tolist()))
        for ctx, row in zip(contexts.tolist(), p):
            if tuple(ctx) not in seen:
                assert torch.allclose(row, torch.full((V,), 1 / V, dtype=p.dtype))


def test_scores_agree_with_probs():
    V = 6
    corpus = torch.randint(0, V, (300,), generator=torch.Generator().manual_seed(1))
    m = NGramLM(3, V, k=0.2).fit(corpus[:200])
    held = corpus[200:]
    lp = m.token_log_probs(held)
    assert lp.shape == (len(held) - 2,)
    expected = [
        math.log(m.probs(held[t - 2 : t])[held[t]]) for t in range(2, len(held))
    ]
    assert lp.tolist() == pytest.approx(expected)


# ----- the novel ----------------------------------------------------------------


@pytest.fixture(scope="module")
def data(novel_chars) -> TimeMachineData:
    return novel_chars


def test_baselines_on_the_novel(data):
    V = len(data.vocab)
    ppl = {
        n: NGramLM(n, V, k=0.1).fit(data.train_corpus).perplexity(data.val_corpus)
        for n in range(1, 9)
    }
    assert ppl[1] < V  # even counting letters beats a uniform guess
    assert ppl[1] > ppl[2] > ppl[3] > ppl[4]  # more context helps at first...
    best = min(ppl, key=ppl.get)
    assert 4 <= best <= 6 and ppl[8] > ppl[best] + 1  # ...then long n-grams over-fit
    # Training perplexity keeps falling as n grows: the gap is over-fitting.
    train = [
        NGramLM(n, V, k=0.01).fit(data.train_corpus).perplexity(data.train_corpus)
        for n in (4, 6, 8)
    ]
    assert train[0] > train[1] > train[2]


@pytest.mark.parametrize("n", [1, 3, 5])
def test_agrees_with_plain_python_counting_on_the_novel(data, n):
    import collections

    V, k = len(data.vocab), 0.1
    train, val = data.train_corpus.tolist(), data.val_corpus.tolist()
    grams = collections.Counter(
        tuple(train[i : i + n]) for i in range(len(train) - n + 1)
    )
    ctx = collections.Counter(
        tuple(train[i : i + n - 1]) for i in range(len(train) - n + 1)
    )
    nll = [
        -math.log(
            (grams[tuple(val[i : i + n])] + k)
            / (ctx[tuple(val[i : i + n - 1])] + k * V)
        )
        for i in range(len(val) - n + 1)
    ]
    model = NGramLM(n, V, k=k).fit(data.train_corpus)
    assert model.mean_nll(data.val_corpus) == pytest.approx(
        sum(nll) / len(nll), rel=1e-12
    )
    assert model.num_distinct_ngrams == len(grams)


def test_unseen_fraction_grows_with_n(data):
    fractions = [
        NGramLM(n, len(data.vocab))
        .fit(data.train_corpus)
        .unseen_fraction(data.val_corpus)[0]
        for n in range(1, 8)
    ]
    assert fractions[0] == 0.0
    assert all(a <= b for a, b in zip(fractions, fractions[1:])) and fractions[-1] > 0.3


def test_tune_k_uses_only_the_training_corpus(data):
    best, dev = tune_k(data.train_corpus, 5, len(data.vocab), ks=(1.0, 0.1, 0.01))
    assert set(dev) == {1.0, 0.1, 0.01} and best == min(dev, key=dev.get)
    # add-one smoothing is far too strong for 5-grams of 28 characters
    assert best < 1.0


# ----- errors ------------------------------------------------------------------------


def test_ngram_errors():
    with pytest.raises(ValueError, match="n must be at least 1"):
        NGramLM(0, 5)
    with pytest.raises(
        ValueError, match="k must be > 0, got 0: k = 0 gives unseen n-grams"
    ):
        NGramLM(2, 5, k=0)
    with pytest.raises(ValueError, match="k must be finite"):
        NGramLM(2, 5, k=float("inf"))
    with pytest.raises(ValueError, match="does not fit the int64 codes"):
        NGramLM(20, 28)
    with pytest.raises(RuntimeError, match="has not been fitted"):
        NGramLM(2, 5).perplexity([1, 2, 3])
    with pytest.raises(ValueError, match="a corpus of 2 tokens has no 3-grams"):
        NGramLM(3, 5).fit([1, 2])
    with pytest.raises(ValueError, match=r"indices outside \[0, 5\)"):
        NGramLM(2, 5).fit([1, 2, 7])
    with pytest.raises(TypeError, match="integer token indices"):
        NGramLM(2, 5).fit(np.array([1.0, 2.0]))
    m = NGramLM(3, 5).fit([1, 2, 3, 4])
    with pytest.raises(
        ValueError, match="a context of an order-3 model holds 2 tokens"
    ):
        m.probs([1])
