"""Perplexity: exp of a mean negative log-likelihood, for floats and tensors alike."""

from __future__ import annotations

import math

import pytest
import torch

import rnnbook
from rnnbook import History, NGramLM, perplexity, stream_perplexity


def test_perplexity_values():
    assert perplexity(0.0) == 1.0
    assert perplexity(math.log(28)) == pytest.approx(28.0)
    assert perplexity(2) == pytest.approx(math.e**2)
    t = perplexity(torch.tensor([0.0, math.log(5.0)]))
    assert isinstance(t, torch.Tensor) and torch.allclose(t, torch.tensor([1.0, 5.0]))
    assert perplexity(float("inf")) == math.inf


def test_uniform_model_has_perplexity_equal_to_vocabulary_size():
    V = 28
    tokens = torch.randint(0, V, (1000,), generator=torch.Generator().manual_seed(0))
    logits = torch.zeros(len(tokens), V, dtype=torch.float64)  # a uniform guess
    nll = torch.nn.functional.cross_entropy(logits, tokens)
    assert perplexity(nll).item() == pytest.approx(28.0, rel=1e-12)
    # An n-gram model that never saw any of the contexts it is asked about is uniform
    # too.
    m = NGramLM(2, V, k=1.0).fit([0, 1, 0, 1])
    assert m.perplexity(torch.arange(2, V)) == pytest.approx(V, rel=1e-12)


@pytest.mark.parametrize("bad", [-0.1, -1])
def test_perplexity_rejects_negative(bad):
    with pytest.raises(ValueError, match="mean_nll must be >= 0"):
        perplexity(bad)
    with pytest.raises(ValueError, match="mean_nll must be >= 0"):
        perplexity(torch.tensor([0.5, float(bad)]))


def test_perplexity_rejects_nan_and_non_numbers():
    with pytest.raises(ValueError, match="mean_nll is NaN"):
        perplexity(float("nan"))
    with pytest.raises(ValueError, match="mean_nll is NaN"):
        perplexity(torch.tensor(float("nan")))
    with pytest.raises(TypeError, match="mean_nll must be a float or a tensor"):
        perplexity("2.0")


# ---- overflow: one rule, in rnnbook.perplexity, for every caller ---------------------
OVERFLOWING = 710.0  # exp(710) > the largest float64, about exp(709.78)


def test_an_overflowing_loss_has_infinite_perplexity_for_floats_and_tensors():
    assert perplexity(709.0) == pytest.approx(math.exp(709.0), rel=1e-15)  # finite
    assert perplexity(OVERFLOWING) == math.inf
    as_tensor = torch.tensor([OVERFLOWING], dtype=torch.float64)
    assert perplexity(as_tensor).item() == math.inf
    # float32 overflows sooner, at about 88.72 nats
    assert perplexity(torch.tensor([88.0, 89.0])).tolist() == [
        pytest.approx(math.exp(88.0), rel=1e-6),
        math.inf,
    ]


def test_history_perplexities_follow_the_one_rule():
    history = History(
        train_loss=[0.0, 2.0, OVERFLOWING], val_loss=[math.log(5.0), 1e4]
    )
    assert history.train_perplexity == [
        1.0,
        pytest.approx(math.exp(2.0), rel=1e-15),
        math.inf,  # not exp(709) or any other made-up finite number
    ]
    assert history.val_perplexity == [pytest.approx(5.0, rel=1e-15), math.inf]
    with pytest.raises(ValueError, match="mean_nll is NaN"):
        History(val_loss=[float("nan")]).val_perplexity


class Certain(rnnbook.LanguageModel):
    """Puts a logit of ``margin`` on token 0 and 0 on the others, whatever it reads."""

    def __init__(self, vocab_size: int, margin: float) -> None:
        super().__init__()
        self.vocab_size, self.margin = vocab_size, margin
        self.unused = torch.nn.Parameter(torch.zeros(()))  # gives the model a device

    def forward(self, X, state=None):
        logits = torch.zeros(*X.shape, self.vocab_size, dtype=torch.float64)
        logits[..., 0] = self.margin
        return logits, state


def test_stream_and_ngram_perplexities_follow_the_one_rule():
    # Every target is token 1, to which the model gives a logit `margin` below
    # token 0's: the loss per token is log(e^margin + V - 1), the perplexity its exp.
    V, corpus = 3, torch.ones(9, dtype=torch.long)
    assert stream_perplexity(Certain(V, 2.0), corpus) == pytest.approx(
        math.exp(2.0) + V - 1, rel=1e-12
    )
    assert stream_perplexity(Certain(V, 1000.0), corpus) == math.inf  # no OverflowError
    unseen = NGramLM(1, V, k=1e-310).fit([0] * 50)  # p(1) = 1e-310 / 50: loss > 709.78
    assert unseen.perplexity([1, 1, 1]) == math.inf
