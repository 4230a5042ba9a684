"""A counting n-gram language model with add-k (Laplace) smoothing.

Explained on the page "Language models" (``book/language_models.md``), where
its validation perplexities are the baselines that neural models must beat.

An n-gram model predicts token ``x_t`` from the ``n - 1`` tokens before it:

    P(x_t = w | c) = (N(c, w) + k) / (N(c) + k * V)

where ``c`` is the context (the previous ``n - 1`` tokens), ``N(c, w)`` counts
how often the n-gram ``(c, w)`` occurs in the training corpus,
``N(c) = sum_w N(c, w)`` counts the context as the start of an n-gram, and ``V``
is the vocabulary size. With ``k > 0`` every context, seen or not, gets a proper
distribution over the ``V`` tokens: the numerators add up to the denominator.
An unseen context gets the uniform distribution ``1 / V``.

Counting is vectorised: each n-gram of token indices is encoded as one integer
in base ``V`` (``c_1 V^(n-1) + ... + c_n``), and the codes are sorted and
counted (``np.unique``). Counts are stored sparsely (sorted codes plus counts)
and looked up by binary search (``np.searchsorted``), so memory grows with the
number of *distinct* n-grams in the text, not with ``V ** n``. The arithmetic
runs in NumPy on purpose: its sort, ``unique`` and ``searchsorted`` work on one
thread, while PyTorch would split these many small integer operations over its
thread pool, whose start-up and contention cost more than they save on a
machine with few cores. Inputs and outputs are tensors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ..checks import check_positive_int, check_real
from ..metrics import perplexity


def _as_indices(corpus, vocab_size: int, name: str = "corpus") -> np.ndarray:
    """A 1-D int64 array of token indices in ``[0, vocab_size)`` from a tensor, array
    or list."""
    tokens = corpus.numpy() if isinstance(corpus, torch.Tensor) else np.asarray(corpus)
    if tokens.size == 0 and tokens.dtype.kind == "f":
        tokens = tokens.astype(np.int64)  # an empty list arrives as float64
    if tokens.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must hold integer token indices, got dtype {tokens.dtype}"
        )
    if tokens.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one long sequence of token indices), got shape "
            f"{tokens.shape}"
        )
    tokens = tokens.astype(np.int64, copy=False)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise ValueError(
            f"{name} holds indices outside [0, {vocab_size}): min {tokens.min()}, max "
            f"{tokens.max()}; is vocab_size right?"
        )
    return tokens


def _lookup(keys: np.ndarray, counts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Counts of ``queries`` in the sorted ``keys`` (0 where a query is absent)."""
    if keys.size == 0:
        return np.zeros(queries.shape, dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys, queries), keys.size - 1)
    return np.where(keys[pos] == queries, counts[pos], 0)


class NGramLM:
    """An order-``n`` Markov model over token indices, smoothed by adding ``k``.

    ``n = 1`` is a unigram model (no context), ``n = 2`` a bigram model, and so
    on. Call :meth:`fit` on a training corpus, then :meth:`mean_nll` (or
    :meth:`perplexity`) on held-out text.
    """

    def __init__(self, n: int, vocab_size: int, k: float = 1.0) -> None:
        n = check_positive_int("n", n, why="1 is the unigram model")
        vocab_size = check_positive_int("vocab_size", vocab_size)
        if vocab_size**n >= 2**63:
            raise ValueError(
                f"vocab_size ** n = {vocab_size}**{n} does not fit the int64 codes of "
                "n-grams; use a smaller n"
            )
        k = check_real(
            "k",
            k,
            low=0,
            low_open=True,
            why="k = 0 gives unseen n-grams probability 0 and unseen contexts 0/0",
        )
        self.n, self.vocab_size, self.k = n, vocab_size, k
        self._fitted = False

    def __repr__(self) -> str:
        return f"NGramLM(n={self.n}, vocab_size={self.vocab_size}, k={self.k:g})"

    # ----- encoding ---------------------------------------------------------
    def _encode(self, windows: np.ndarray) -> np.ndarray:
        """Integer code of each row of ``windows`` (m, L): base-V digits, first token
        most significant."""
        code = np.zeros(windows.shape[0], dtype=np.int64)
        for j in range(windows.shape[1]):  # L <= n steps, each vectorised over all rows
            code = code * self.vocab_size + windows[:, j]
        return code

    def _windows(self, tokens: np.ndarray) -> np.ndarray:
        """All n-grams of ``tokens`` as rows: (T - n + 1, n), a view."""
        if tokens.size < self.n:
            raise ValueError(
                f"a corpus of {tokens.size} tokens has no {self.n}-grams: it needs at "
                f"least {self.n} tokens"
            )
        return np.lib.stride_tricks.sliding_window_view(tokens, self.n)

    # ----- fitting ----------------------------------------------------------
    def fit(self, corpus) -> NGramLM:
        """Count every n-gram (and its context) of ``corpus``, a 1-D sequence of token
        indices."""
        windows = self._windows(_as_indices(corpus, self.vocab_size))  # (m, n)
        self._ngram_keys, self._ngram_counts = np.unique(
            self._encode(windows), return_counts=True
        )
        self._ctx_keys, self._ctx_counts = np.unique(
            self._encode(windows[:, :-1]), return_counts=True
        )
        self.num_train_ngrams = windows.shape[0]
        self._fitted = True
        return self

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise RuntimeError(
                "this NGramLM has not been fitted: call .fit(train_corpus) first"
            )

    @property
    def num_distinct_ngrams(self) -> int:
        """How many different n-grams the training corpus holds."""
        self._check_fitted()
        return int(self._ngram_keys.size)

    # ----- probabilities ----------------------------------------------------
    def _probs_of(self, ctx_codes: np.ndarray, ngram_codes: np.ndarray) -> np.ndarray:
        num = _lookup(self._ngram_keys, self._ngram_counts, ngram_codes) + self.k
        den = (
            _lookup(self._ctx_keys, self._ctx_counts, ctx_codes)
            + self.k * self.vocab_size
        )
        if den.ndim < num.ndim:
            den = den[:, None]
        return num / den

    def probs(self, contexts: Sequence | torch.Tensor) -> torch.Tensor:
        """Next-token distributions for a batch of contexts: (m, n-1) -> (m, V), rows
        sum to 1.

        A single context may be given as a 1-D sequence of ``n - 1`` indices,
        which gives a 1-D tensor of ``V`` probabilities. For ``n = 1`` pass an
        empty context (``[]``).
        """
        self._check_fitted()
        ctx = (
            contexts.numpy()
            if isinstance(contexts, torch.Tensor)
            else np.asarray(contexts, dtype=np.int64)
        )
        single = ctx.ndim == 1
        if single:
            ctx = ctx[None, :]  # (1, n-1)
        if ctx.ndim != 2 or ctx.shape[1] != self.n - 1:
            raise ValueError(
                f"a context of an order-{self.n} model holds {self.n - 1} tokens; got "
                f"shape {np.shape(contexts)}"
            )
        ctx = _as_indices(ctx.reshape(-1), self.vocab_size, "contexts").reshape(
            ctx.shape
        )
        ctx_codes = self._encode(ctx)  # (m,)
        # (m, V)
        full = ctx_codes[:, None] * self.vocab_size + np.arange(self.vocab_size)
        p = torch.from_numpy(self._probs_of(ctx_codes, full))  # (m, V)
        return p[0] if single else p

    def _scored(self, corpus) -> np.ndarray:
        self._check_fitted()
        return self._windows(_as_indices(corpus, self.vocab_size))  # (T - n + 1, n)

    def token_log_probs(self, corpus) -> torch.Tensor:
        """``log P(x_t | previous n-1 tokens)`` for every ``t >= n - 1`` of ``corpus``:
        (T - n + 1,).

        The first ``n - 1`` tokens are not scored: inside ``corpus`` they have no
        full context.
        """
        windows = self._scored(corpus)
        return torch.from_numpy(
            np.log(self._probs_of(self._encode(windows[:, :-1]), self._encode(windows)))
        )

    def mean_nll(self, corpus) -> float:
        """Mean negative log-likelihood per predicted token (nats), over
        ``token_log_probs``."""
        return float(-self.token_log_probs(corpus).mean())

    def perplexity(self, corpus) -> float:
        """``exp(mean_nll(corpus))``, by :func:`rnnbook.perplexity`."""
        return perplexity(self.mean_nll(corpus))

    def unseen_fraction(self, corpus) -> tuple[float, float]:
        """Fractions of the n-grams of ``corpus`` whose n-gram, and whose context,
        never occur in training.

        Returns ``(unseen_ngrams, unseen_contexts)``. For an unseen n-gram the
        model has nothing but the smoothing constant to go on; for an unseen
        context it falls back to the uniform distribution.
        """
        windows = self._scored(corpus)
        seen_ngram = (
            _lookup(self._ngram_keys, self._ngram_counts, self._encode(windows)) > 0
        )
        seen_ctx = (
            _lookup(self._ctx_keys, self._ctx_counts, self._encode(windows[:, :-1])) > 0
        )
        return 1.0 - float(seen_ngram.mean()), 1.0 - float(seen_ctx.mean())


def tune_k(
    corpus,
    n: int,
    vocab_size: int,
    ks: Sequence[float] = (1.0, 0.3, 0.1, 0.03, 0.01),
    dev_fraction: float = 0.1,
) -> tuple[float, dict[float, float]]:
    """Pick the smoothing constant without looking at the validation corpus.

    Fits an order-``n`` model on the first ``1 - dev_fraction`` of ``corpus`` (the
    training corpus) for each ``k`` in ``ks``, scores it on the rest, and returns
    ``(best_k, {k: dev_perplexity})``. Refit on the whole training corpus with
    ``best_k`` before measuring the validation perplexity.
    """
    tokens = _as_indices(corpus, vocab_size)
    dev_fraction = check_real(
        "dev_fraction", dev_fraction, 0, 1, low_open=True, high_open=True
    )
    cut = tokens.size - round(tokens.size * dev_fraction)
    if not ks:
        raise ValueError("ks is empty: give at least one smoothing constant to try")
    dev_ppl = {
        float(k): NGramLM(n, vocab_size, k).fit(tokens[:cut]).perplexity(tokens[cut:])
        for k in ks
    }
    best = min(dev_ppl, key=dev_ppl.get)
    return best, dev_ppl
