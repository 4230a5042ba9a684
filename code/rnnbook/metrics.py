"""Perplexity: how surprised a language model is, on average, per token.

Explained on the page "Language models" (``book/language_models.md``).
"""

from __future__ import annotations

import numbers

import torch
from torch.nn import functional as F

from .checks import check_positive_int, check_tensor


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

    Overflow gives ``inf``: a loss above ``log`` of the largest float (about 709.78
    nats in float64, 88.72 in float32) has a perplexity that no float can hold,
    and ``inf`` says so, where a capped value would be a made-up finite number
    that reads like a measurement. ``inf`` still orders right (worse than every
    finite perplexity), prints as ``inf`` and is left out of a plot. This is
    the package's one rule: ``History``, ``stream_perplexity`` and
    ``NGramLM.perplexity`` all call this function.
    """
    is_tensor = isinstance(mean_nll, torch.Tensor)
    if is_tensor:
        if mean_nll.dtype.is_complex or mean_nll.dtype == torch.bool:
            raise TypeError(
                f"mean_nll must be a real tensor, got dtype {mean_nll.dtype}"
            )
        values = mean_nll if mean_nll.dtype.is_floating_point else mean_nll.double()
    elif isinstance(mean_nll, bool) or not isinstance(mean_nll, numbers.Real):
        raise TypeError(
            f"mean_nll must be a float or a tensor, got {type(mean_nll).__name__}"
        )
    else:
        values = torch.tensor(float(mean_nll), dtype=torch.float64)
    if torch.isnan(values).any():
        raise ValueError(
            "mean_nll is NaN: the loss diverged or was averaged over no tokens"
        )
    if (values < 0).any():
        raise ValueError(
            "mean_nll must be >= 0 (it is a mean of -log p), got "
            f"{'min ' if values.ndim else ''}{values.min().item():.4g}; did you pass a "
            "log-likelihood instead of a negative log-likelihood?"
        )
    result = torch.exp(values)  # inf where it overflows (see above)
    return result if is_tensor else result.item()


def sequence_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``logits`` (batch, num_steps, vocab) against ``targets``
    (batch, num_steps).

    The mean runs over all ``batch * num_steps`` positions, so its exponential
    is the perplexity of the minibatch. A mean does not depend on the order of
    its terms, so positions are flattened in the order the logits lie in memory:
    a time-major tensor seen through a transposed view (what the book's RNN
    language models return) is read without copying it.
    Explained in ``book/rnn_scratch.md``.
    """
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(
            "logits must be (batch, num_steps, vocab) and targets (batch, num_steps); "
            f"got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    if targets.dtype != torch.long:
        raise TypeError(
            f"targets must hold int64 token indices, got dtype {targets.dtype}"
        )
    vocab_size = logits.shape[-1]
    if logits.transpose(
        0, 1
    ).is_contiguous():  # time-major in memory: read it step by step
        logits, targets = logits.transpose(0, 1), targets.T
    return F.cross_entropy(logits.reshape(-1, vocab_size), targets.reshape(-1))


@torch.no_grad()
def stream_perplexity(
    model: torch.nn.Module, corpus: torch.Tensor, chunk: int = 4096
) -> float:
    """Perplexity of a language model on one long token sequence, read once from start
    to end.

    Every token from the second on is predicted from *all* the tokens before
    it: the sequence goes through ``model(X, state) -> (logits, state)`` in
    chunks of ``chunk`` tokens with the hidden state carried from one chunk to
    the next, so the chunks only bound memory, not context. This is the number
    to compare with an n-gram model's :meth:`rnnbook.NGramLM.perplexity` on
    the same text. Explained in ``book/rnn_concise.md``.
    """
    corpus = check_tensor("corpus", torch.as_tensor(corpus), ndim=1, dtype=torch.long)
    if corpus.numel() < 2:
        raise ValueError(
            "corpus must hold at least 2 tokens (one input and its target), got "
            f"{corpus.numel()}"
        )
    chunk = check_positive_int("chunk", chunk)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        tokens = corpus.to(device)
        state, total = None, 0.0
        for start in range(0, tokens.numel() - 1, chunk):
            X = tokens[start : start + chunk][None]  # (1, steps)
            Y = tokens[start + 1 : start + 1 + chunk][None]
            X = X[:, : Y.shape[1]]
            logits, state = model(X, state)
            total += F.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), Y.reshape(-1), reduction="sum"
            ).item()
    finally:
        model.train(was_training)
    return perplexity(total / (tokens.numel() - 1))
