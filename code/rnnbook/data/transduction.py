"""A sequence-to-sequence task that trains in seconds: reverse a string.

Explained in ``book/seq2seq.md``. A source is a string of ``length`` symbols
drawn uniformly from an alphabet of ``num_symbols``; its target is the same
string reversed, followed by the end-of-sequence token. Strings of different
lengths share one tensor by padding: every row is filled up to the longest
with ``PAD``, and the true lengths travel beside the tensor so that a model can
mask the padded positions out.

Token ids: ``PAD = 0``, ``BOS = 1`` (begin: the decoder's first input),
``EOS = 2`` (end: the decoder's last output), and the symbols from
``FIRST_SYMBOL = 3`` on, so a model's vocabulary has ``num_symbols + 3`` tokens.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..checks import check_int, check_positive_int

PAD, BOS, EOS, FIRST_SYMBOL = 0, 1, 2, 3

__all__ = ["PAD", "BOS", "EOS", "FIRST_SYMBOL", "reversal_batch", "pad",
           "decoder_io"]


def pad(strings: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, lengths)``: token lists padded with ``PAD`` into one tensor.

    ``X`` is int64, (batch, longest); ``lengths`` (batch,) holds each list's
    length. An empty list has nothing to encode and raises ``ValueError``.
    """
    if len(strings) == 0:
        raise ValueError("pad needs at least one string, got none")
    lengths = [len(s) for s in strings]
    if min(lengths) == 0:
        raise ValueError(f"string {lengths.index(0)} is empty: every source needs "
                         "at least one token")
    X = torch.full((len(strings), max(lengths)), PAD, dtype=torch.long)
    for i, s in enumerate(strings):
        X[i, :len(s)] = torch.as_tensor(list(s), dtype=torch.long)
    return X, torch.tensor(lengths)


def decoder_io(targets: torch.Tensor,
               lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(Y_in, Y_out)`` for teacher forcing, from padded targets and lengths.

    ``Y_out`` is each target followed by ``EOS``, then ``PAD``; ``Y_in`` is
    ``BOS`` followed by the target, so that at every step the decoder reads
    the true previous token and predicts the next. Both (batch, longest + 1).
    """
    batch, steps = targets.shape
    Y_out = torch.full((batch, steps + 1), PAD, dtype=torch.long)
    Y_out[:, :steps] = targets
    Y_out[torch.arange(batch), lengths] = EOS          # EOS right after the string
    Y_in = torch.full_like(Y_out, PAD)
    Y_in[:, 0] = BOS
    Y_in[:, 1:] = targets                                 # shifted right by one
    return Y_in, Y_out


def reversal_batch(batch_size: int, lengths: int | tuple[int, int],
                   num_symbols: int = 10,
                   generator: torch.Generator | None = None):
    """A padded batch of the reversal task: ``(X, X_len, Y_in, Y_out)``.

    ``lengths`` is one length, or a pair ``(low, high)``: each string's length
    is then drawn uniformly from ``low`` to ``high`` inclusive. ``X`` (batch,
    high) holds the sources padded with ``PAD`` (``high`` columns even when no
    string is that long) and ``X_len`` (batch,) their lengths; ``Y_in`` and
    ``Y_out`` (batch, high + 1) are the decoder's
    input and target (:func:`decoder_io`). Draws come from ``generator``.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    num_symbols = check_positive_int("num_symbols", num_symbols)
    low, high = (lengths, lengths) if not isinstance(lengths, tuple) else lengths
    low = check_positive_int("the shortest length", low)
    high = check_int("the longest length", high, minimum=low,
                     why="lengths=(low, high) needs low <= high")
    X_len = torch.randint(low, high + 1, (batch_size,), generator=generator)
    X = torch.randint(FIRST_SYMBOL, FIRST_SYMBOL + num_symbols,
                      (batch_size, high), generator=generator)
    positions = torch.arange(high)                        # (longest,)
    X[positions >= X_len[:, None]] = PAD                  # pad after each length
    # reverse the first X_len[i] tokens of row i: position j takes len - 1 - j
    index = (X_len[:, None] - 1 - positions).clamp(min=0)  # (batch, longest)
    Y = X.gather(1, index)
    Y[positions >= X_len[:, None]] = PAD
    Y_in, Y_out = decoder_io(Y, X_len)
    return X, X_len, Y_in, Y_out
