"""Minibatches of paired tensors (features, labels), optionally shuffled.

Explained in ``book/sequences.md``, where it feeds the autoregressive model to
``rnnbook.fit``. Any model whose examples sit in the rows of tensors can use it.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from ..checks import check_int, check_positive_int, check_tensor
from ..seeding import offset_seed


def _check(features: torch.Tensor, labels: torch.Tensor, batch_size: int) -> int:
    check_tensor("features", features)
    check_tensor("labels", labels)
    if features.dim() == 0 or labels.dim() == 0 or len(features) != len(labels):
        raise ValueError(
            "features and labels need one row per example and the same number of "
            f"rows, got shapes {tuple(features.shape)} and {tuple(labels.shape)}"
        )
    return check_positive_int("batch_size", batch_size)


def iterate_minibatches(
    features: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int,
    shuffle: bool = True,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield ``(features[idx], labels[idx])`` for consecutive blocks ``idx`` of
    ``batch_size`` rows.

    With ``shuffle`` the rows are visited in a random order drawn from
    ``generator`` (or from PyTorch's global generator when it is None). Every row
    is visited exactly once; the last batch is smaller when ``batch_size`` does
    not divide the number of rows (nothing is dropped).
    """
    batch_size = _check(features, labels, batch_size)
    n = len(features)
    if shuffle:
        order = torch.randperm(n, generator=generator)  # (n,)
    else:
        order = torch.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]  # (<= batch_size,)
        yield features[idx], labels[idx]


class TensorBatches:
    """A re-iterable set of minibatches: each ``for`` loop over it is one epoch.

    With ``shuffle=True`` every epoch draws a new order. Where that order comes
    from is set by ``seed``: ``None`` (the default) draws from PyTorch's global
    generator, which ``rnnbook.fit`` seeds, so one seed passed to ``fit`` fixes the
    whole run; an int gives this object its own generator, created once, so two
    objects built with the same seed produce the same sequence of epochs.
    """

    def __init__(
        self,
        features: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        shuffle: bool = True,
        seed: int | None = None,
    ) -> None:
        self.batch_size = _check(features, labels, batch_size)
        self.features, self.labels, self.shuffle = features, labels, shuffle
        self.generator = (
            None
            if seed is None
            else torch.Generator().manual_seed(offset_seed(check_int("seed", seed)))
        )

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return iterate_minibatches(
            self.features, self.labels, self.batch_size, self.shuffle, self.generator
        )

    def __len__(self) -> int:
        """The number of minibatches per epoch."""
        return -(-len(self.features) // self.batch_size)
