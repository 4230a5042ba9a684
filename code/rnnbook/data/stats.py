"""Token statistics: n-gram counts and the exponent of Zipf's law.

Explained on the page "Converting raw text into sequence data"
(``book/text_preprocessing.md``).
"""

from __future__ import annotations

import collections
import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from ..checks import check_int, check_positive_int


def ngram_counts(tokens: Sequence, n: int) -> collections.Counter:
    """Count the n-grams of ``tokens``: a Counter mapping n-tuples to counts.

    Every window of ``n`` consecutive tokens is one n-gram, so a sequence of
    ``T`` tokens has ``T - n + 1`` of them. Unigrams are 1-tuples, e.g.
    ``("the",)``, so that keys have the same form for every ``n``.
    """
    n = check_positive_int("n", n, why="1 counts single tokens")
    if isinstance(tokens, str):
        raise TypeError(
            "tokens must be a sequence of tokens, not one str: pass "
            "rnnbook.tokenize(text, level=...)"
        )
    tokens = list(tokens)
    if len(tokens) < n:
        raise ValueError(
            f"a sequence of {len(tokens)} tokens has no {n}-grams: it needs at least "
            f"{n} tokens"
        )
    return collections.Counter(zip(*(tokens[i:] for i in range(n))))


def zipf_exponent(
    counts: Mapping | Sequence[int],
    ranks: tuple[int, int] | None = None,
    with_intercept: bool = False,
) -> float | tuple[float, float]:
    """Fit Zipf's law ``log n_i = -alpha * log i + c`` and return ``alpha``.

    ``counts`` is a Counter (its values are used) or a sequence of counts; they
    are sorted in decreasing order so that ``n_1`` is the largest and the rank
    ``i`` of a count is its 1-based position. The line is fitted by ordinary
    least squares to the points ``(log i, log n_i)`` (natural logarithms) for
    the ranks ``lo <= i <= hi`` of ``ranks=(lo, hi)``, both ends included;
    ``ranks=None`` uses every rank. Returns ``alpha``, or ``(alpha, c)`` when
    ``with_intercept`` is true.
    """
    values = list(counts.values()) if isinstance(counts, Mapping) else list(counts)
    if not values:
        raise ValueError("counts is empty: there is nothing to fit")
    if any(
        isinstance(v, bool) or not isinstance(v, numbers.Real) or not v > 0
        for v in values
    ):
        raise ValueError("every count must be a positive number (log 0 is undefined)")
    n = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    lo, hi = (1, len(n)) if ranks is None else ranks
    lo, hi = check_int("ranks[0]", lo), check_int("ranks[1]", hi)
    if not 1 <= lo < hi <= len(n):
        raise ValueError(
            f"ranks=({lo}, {hi}) is not a valid range: need 1 <= lo < hi <= {len(n)} "
            "(ranks are 1-based and both ends are included; a line needs two points)"
        )
    i = np.arange(lo, hi + 1, dtype=np.float64)
    slope, intercept = np.polyfit(np.log(i), np.log(n[lo - 1 : hi]), deg=1)
    alpha = float(-slope)
    if not math.isfinite(alpha):
        raise ValueError("the fit did not converge to a finite exponent")
    return (alpha, float(intercept)) if with_intercept else alpha
