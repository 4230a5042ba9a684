"""Cutting one long token sequence into minibatches of subsequences.

Explained on the page "Language models" (``book/language_models.md``).

Every minibatch is a pair ``(X, Y)`` of LongTensors of shape
``(batch_size, num_steps)``, where each row of ``Y`` is the same row of ``X``
shifted one token to the right: a subsequence starting at position ``s`` is

    X = corpus[s : s + num_steps],    Y = corpus[s + 1 : s + num_steps + 1]

so it needs ``num_steps + 1`` tokens. Two strategies cover the corpus once per
epoch; both start at a random offset in ``[0, num_steps)`` so that the
boundaries between subsequences move from epoch to epoch:

* random partitioning: the subsequences are disjoint, shuffled, and grouped
  into minibatches; neighbouring rows have nothing to do with each other;
* sequential partitioning: the corpus is laid out as ``batch_size`` streams side
  by side, so row ``i`` of minibatch ``j + 1`` continues row ``i`` of minibatch
  ``j`` exactly, and a model may carry its hidden state across minibatches.

Tokens left over at the ends (before the offset, and after the last full
subsequence or minibatch) are not used in that epoch; the next epoch's offset
and shuffle pick different ones. See each function for exactly what is dropped.
"""

from __future__ import annotations

import torch

# Some models still import check_positive_int from here, where it used to live;
# new code imports it from rnnbook.checks.
from ..checks import check_int, check_positive_int
from ..seeding import offset_seed

Batch = tuple[torch.Tensor, torch.Tensor]


def as_corpus(corpus) -> torch.Tensor:
    """A 1-D LongTensor from a tensor, array or list of token indices (no copy if
    already one)."""
    tokens = torch.as_tensor(corpus)
    if (
        tokens.dtype.is_floating_point
        or tokens.dtype.is_complex
        or tokens.dtype == torch.bool
    ):
        raise TypeError(
            f"corpus must hold integer token indices, got dtype {tokens.dtype}"
        )
    if tokens.ndim != 1:
        raise ValueError(
            "corpus must be 1-D (one long sequence of token indices), got shape "
            f"{tuple(tokens.shape)}"
        )
    if tokens.numel() == 0:
        raise ValueError("corpus is empty: there is nothing to cut into minibatches")
    return tokens.long()


def min_corpus_length(batch_size: int, num_steps: int, drop_last: bool = True) -> int:
    """Shortest corpus that yields at least one minibatch whatever the random offset.

    The offset can be as large as ``num_steps - 1``; after it we need
    ``batch_size`` subsequences of ``num_steps`` tokens plus one more token for
    the last target: ``(num_steps - 1) + batch_size * num_steps + 1``. With
    ``drop_last=False`` one subsequence is enough for one (smaller) minibatch.
    """
    rows = batch_size if drop_last else 1
    return rows * num_steps + num_steps


def _check_length(
    corpus: torch.Tensor, batch_size: int, num_steps: int, drop_last: bool = True
) -> None:
    need = min_corpus_length(batch_size, num_steps, drop_last)
    if corpus.numel() < need:
        what = (
            f"batch_size={batch_size} subsequences of num_steps={num_steps}"
            if drop_last
            else f"one subsequence of num_steps={num_steps}"
        )
        raise ValueError(
            f"corpus is too short: it has {corpus.numel()} tokens, but one minibatch "
            f"of {what} tokens, after a random offset of up to {num_steps - 1} and "
            f"with one extra token for the targets, needs at least {need}; use a "
            "smaller batch_size or num_steps"
        )


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(offset_seed(check_int("seed", seed)))


def random_offset(num_steps: int, generator: torch.Generator) -> int:
    """A starting offset drawn uniformly from ``0, 1, ..., num_steps - 1``."""
    return int(torch.randint(num_steps, (1,), generator=generator))


def partition_starts(length: int, num_steps: int, offset: int) -> torch.Tensor:
    """Start positions of the disjoint subsequences: ``offset + j * num_steps``.

    Only subsequences whose target fits are kept: a start ``s`` needs
    ``s + num_steps + 1 <= length``, so there are
    ``(length - offset - 1) // num_steps``.
    """
    count = max(0, (length - offset - 1) // num_steps)
    return offset + num_steps * torch.arange(count)


def random_partition_batches(
    corpus, batch_size: int, num_steps: int, seed: int = 0, drop_last: bool = True
) -> list[Batch]:
    """One epoch of random partitioning: disjoint, shuffled subsequences.

    1. Draw an offset ``o`` in ``[0, num_steps)`` (from ``seed``).
    2. Cut ``corpus[o:]`` into the subsequences starting at ``o, o + num_steps,
       o + 2 num_steps, ...`` (see :func:`partition_starts`); their ``X`` parts
       never overlap, so no position appears twice in an epoch.
    3. Shuffle them (same generator) and group them ``batch_size`` at a time.

    Returns the epoch's minibatches as a list of ``(X, Y)``, each ``(batch_size,
    num_steps)``. With ``drop_last=True`` (the default) the last
    ``num_subsequences % batch_size`` shuffled subsequences, too few for a full
    minibatch, are not used in this epoch (another epoch's shuffle drops
    others); with ``drop_last=False`` they form one smaller final minibatch.
    The same ``seed`` always gives the same minibatches; use a different seed
    per epoch (``rnnbook.TimeMachineData.batches`` does this for you).
    """
    corpus = as_corpus(corpus)
    batch_size = check_positive_int("batch_size", batch_size)
    num_steps = check_positive_int("num_steps", num_steps)
    _check_length(corpus, batch_size, num_steps, drop_last)
    gen = _generator(seed)
    starts = partition_starts(corpus.numel(), num_steps, random_offset(num_steps, gen))
    starts = starts[torch.randperm(starts.numel(), generator=gen)]  # (num_subseqs,)
    windows = corpus.unfold(0, num_steps + 1, 1)[starts]  # (num_subseqs, num_steps + 1)
    X, Y = windows[:, :-1], windows[:, 1:]
    stop = (starts.numel() // batch_size) * batch_size if drop_last else starts.numel()
    return [
        (X[i : i + batch_size], Y[i : i + batch_size])
        for i in range(0, stop, batch_size)
    ]


def sequential_partition_batches(
    corpus, batch_size: int, num_steps: int, seed: int = 0
) -> list[Batch]:
    """One epoch of sequential partitioning: ``batch_size`` streams laid side by side.

    1. Draw an offset ``o`` in ``[0, num_steps)`` (from ``seed``).
    2. Take the longest stretch ``corpus[o : o + L]`` with ``L`` a multiple of
       ``batch_size`` that still leaves one token for the last target, and
       reshape it (and its one-token shift) into ``batch_size`` rows: row ``i``
       is the ``i``-th consecutive stream of ``L / batch_size`` tokens.
    3. Cut the streams into column blocks of ``num_steps``: minibatch ``j`` is
       columns ``j * num_steps`` to ``(j + 1) * num_steps``.

    Row ``i`` of minibatch ``j + 1`` therefore starts exactly where row ``i`` of
    minibatch ``j`` ended. Every minibatch has shape ``(batch_size, num_steps)``;
    the final ``L / batch_size mod num_steps`` columns of every stream, too few
    for a full minibatch, are not used in this epoch (nor, as always, the tokens
    before the offset and the fewer than ``batch_size`` tokens at the very end).
    """
    corpus = as_corpus(corpus)
    batch_size = check_positive_int("batch_size", batch_size)
    num_steps = check_positive_int("num_steps", num_steps)
    _check_length(corpus, batch_size, num_steps)
    return sequential_batches_at(
        corpus, batch_size, num_steps, random_offset(num_steps, _generator(seed))
    )


def sequential_batches_at(
    corpus: torch.Tensor, batch_size: int, num_steps: int, offset: int
) -> list[Batch]:
    """Steps 2 and 3 of :func:`sequential_partition_batches` for a given ``offset`` (no
    checks)."""
    usable = ((corpus.numel() - offset - 1) // batch_size) * batch_size
    # (batch_size, usable / batch_size)
    Xs = corpus[offset : offset + usable].reshape(batch_size, -1)
    # same, shifted by one token
    Ys = corpus[offset + 1 : offset + 1 + usable].reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    return [
        (
            Xs[:, j * num_steps : (j + 1) * num_steps],
            Ys[:, j * num_steps : (j + 1) * num_steps],
        )
        for j in range(num_batches)
    ]


def overlapping_windows(corpus, num_steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every window of the corpus, as the source chapter cuts it.

    Window ``i`` is ``X_i = corpus[i:i+num_steps]``.

    Returns ``(X, Y)``, each ``(len(corpus) - num_steps, num_steps)``, with
    ``Y_i = corpus[i+1:i+num_steps+1]``. Neighbouring windows share all but one
    token. The tensors are views into ``corpus`` (built with ``unfold``, no copy).
    """
    corpus = as_corpus(corpus)
    num_steps = check_positive_int("num_steps", num_steps)
    if corpus.numel() < num_steps + 1:
        raise ValueError(
            f"corpus is too short: it has {corpus.numel()} tokens, but one window of "
            f"num_steps={num_steps} plus its shifted target needs at least "
            f"{num_steps + 1}"
        )
    windows = corpus.unfold(0, num_steps + 1, 1)  # (T - num_steps, num_steps + 1)
    return windows[:, :-1], windows[:, 1:]
