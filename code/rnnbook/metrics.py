"""Perplexity: how surprised a language model is, on average, per token.

Explained on the page "Language models" (``book/language_models.md``).
"""

from __future__ import annotations

import math
import numbers

import torch
from torch.nn import functional as F


def perplexity(mean_nll: float | torch.Tensor) -> float | torch.Tensor:
    """Return ``exp(mean_nll)``, the perplexity of a mean negative log-likelihood.

    ``mean_nll`` is the average over predicted tokens of ``-log p(token | context)``
    in nats (natural logarithm), as returned by cross-entropy losses. Perplexity
    is then the reciprocal of the geometric mean of the probabilities the model
    gave to the tokens that actually came: 1 for a perfect model, the
    vocabulary size for a uniform guess, unbounded for a bad one.

    A float (or int) gives a float; a tensor gives a tensor of the same shape
    (e.g. one perplexity per epoch). A negative or NaN input is an error: a mean
    of ``-log p`` with ``0 < p <= 1`` is never negative, so such a value means
    the caller passed something else (a log-likelihood without the minus sign,
    a loss that diverged).
    """
    if isinstance(mean_nll, torch.Tensor):
        if mean_nll.dtype.is_complex or mean_nll.dtype == torch.bool:
            raise TypeError(f"mean_nll must be a real tensor, got dtype {mean_nll.dtype}")
        if torch.isnan(mean_nll).any():
            raise ValueError("mean_nll is NaN: the loss diverged or was averaged over no tokens")
        if (mean_nll < 0).any():
            raise ValueError(f"mean_nll must be >= 0 (it is a mean of -log p), got min {mean_nll.min().item():.4g}; "
                             "did you pass a log-likelihood instead of a negative log-likelihood?")
        if not mean_nll.dtype.is_floating_point:
            mean_nll = mean_nll.double()  # integer tensors: exp needs a float dtype
        return torch.exp(mean_nll)
    if isinstance(mean_nll, bool) or not isinstance(mean_nll, numbers.Real):
        raise TypeError(f"mean_nll must be a float or a tensor, got {type(mean_nll).__name__}")
    value = float(mean_nll)
    if math.isnan(value):
        raise ValueError("mean_nll is NaN: the loss diverged or was averaged over no tokens")
    if value < 0:
        raise ValueError(f"mean_nll must be >= 0 (it is a mean of -log p), got {value:.4g}; "
                         "did you pass a log-likelihood instead of a negative log-likelihood?")
    return math.exp(value) if value < 709.0 else math.inf


def sequence_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``logits`` (batch, num_steps, vocab) against ``targets`` (batch, num_steps).

    The mean runs over all ``batch * num_steps`` positions, so its exponential
    is the perplexity of the minibatch. A mean does not depend on the order of
    its terms, so positions are flattened in the order the logits lie in memory:
    a time-major tensor seen through a transposed view (what the book's RNN
    language models return) is read without copying it.
    Explained in ``book/rnn_scratch.md``.
    """
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(f"logits must be (batch, num_steps, vocab) and targets (batch, num_steps); "
                         f"got {tuple(logits.shape)} and {tuple(targets.shape)}")
    if targets.dtype != torch.long:
        raise TypeError(f"targets must hold int64 token indices, got dtype {targets.dtype}")
    vocab_size = logits.shape[-1]
    if logits.transpose(0, 1).is_contiguous():  # time-major in memory: read it step by step
        logits, targets = logits.transpose(0, 1), targets.T
    return F.cross_entropy(logits.reshape(-1, vocab_size), targets.reshape(-1))
