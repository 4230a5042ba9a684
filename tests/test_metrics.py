"""Perplexity: exp of a mean negative log-likelihood, for floats and tensors alike."""

from __future__ import annotations

import math

import pytest
import torch

from rnnbook import NGramLM, perplexity


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
