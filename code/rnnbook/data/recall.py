"""A task that needs memory: remember the first symbol of a sequence until its end.

Explained in ``book/long_memory.md``. Each example is a sequence of ``lag + 1``
tokens: the first is the symbol to remember, drawn from ``range(num_symbols)``;
the ``lag`` tokens after it are distractors drawn from a separate alphabet,
``range(num_symbols, 2 * num_symbols)``; the label is the first token. A model
that reads the sequence and answers after the last token must carry one symbol
across ``lag`` steps, and nothing in the distractors helps it: guessing is right
with probability ``1 / num_symbols``.
"""

from __future__ import annotations

import torch

from ..checks import check_int, check_positive_int
from ..seeding import offset_seed


def recall_task(
    num_examples: int, lag: int, num_symbols: int = 8, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, y)``: ``num_examples`` sequences of ``lag + 1`` tokens, first tokens.

    ``X`` is int64, (num_examples, lag + 1); ``X[:, 0]`` is uniform on
    ``range(num_symbols)`` and ``X[:, 1:]`` uniform on ``range(num_symbols,
    2 * num_symbols)``, so a model's vocabulary has ``2 * num_symbols`` tokens.
    ``y == X[:, 0]``, (num_examples,). The draws come from a generator seeded
    with ``seed``: the same arguments give the same tensors.
    """
    num_examples = check_positive_int("num_examples", num_examples)
    lag = check_int("lag", lag, minimum=0,
                    why="the number of distractors after the symbol")
    num_symbols = check_int(
        "num_symbols", num_symbols, minimum=2,
        why="with one symbol there is nothing to remember")
    seed = check_int("seed", seed)
    g = torch.Generator().manual_seed(offset_seed(seed))
    symbol = torch.randint(0, num_symbols, (num_examples, 1), generator=g)  # (n, 1)
    distractors = torch.randint(
        num_symbols, 2 * num_symbols, (num_examples, lag), generator=g
    )  # (n, lag)
    X = torch.cat([symbol, distractors], dim=1)  # (n, lag + 1)
    return X, X[:, 0].clone()
