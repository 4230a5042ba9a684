"""A small, general training loop: minibatch gradient descent with a loss history.

Explained in ``book/sequences.md``, where it fits a linear autoregressive model.
Later pages reuse it for recurrent models by subclassing ``Trainer`` and
overriding its hooks (``batch_loss`` to carry extra state through a batch,
``after_backward`` to clip gradients) rather than by copying the loop.

Reproducibility: ``Trainer.fit`` seeds PyTorch's global generator with ``seed``
inside ``torch.random.fork_rng``, so everything random during training
(shuffling by ``TensorBatches``, dropout, random offsets drawn by a batch
factory) is fixed by that one seed, and the caller's random state is left as it
was. On a CPU, the same model, data and seed give bitwise-identical losses and
weights. (The initial weights are the caller's: seed before building the model.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn

Batch = tuple[torch.Tensor, ...]
Batches = Iterable[Batch] | Callable[[], Iterable[Batch]]
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


@dataclass
class History:
    """Mean training and validation loss of each epoch (validation empty if none was given)."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list, compare=False)  # wall time per epoch


def default_device() -> torch.device:
    """The first CUDA GPU when one is available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Trainer:
    """Train ``model`` on minibatches with ``loss_fn`` and an optimizer.

    ``loss_fn(predictions, targets)`` must return the *mean* loss over the
    elements of ``targets``; epoch losses are then weighted by ``targets.numel()``,
    so a smaller last batch counts for what it holds. ``optimizer`` is a name
    (``"sgd"`` or ``"adam"``, with ``lr`` required) or a factory called with the
    model's parameters (``lr`` must then be left out). The model is moved to
    ``device`` (default: ``default_device()``) and stays there.
    """

    def __init__(self, model: nn.Module, loss_fn: Callable[..., torch.Tensor],
                 optimizer: str | Callable[..., torch.optim.Optimizer] = "sgd",
                 lr: float | None = None, seed: int = 0,
                 device: str | torch.device | None = None) -> None:
        self.device = torch.device(device) if device is not None else default_device()
        self.model = model.to(self.device)
        self.loss_fn, self.seed = loss_fn, seed
        if isinstance(optimizer, str):
            if optimizer not in OPTIMIZERS:
                raise ValueError(f"unknown optimizer {optimizer!r}; use one of {sorted(OPTIMIZERS)} "
                                 "or pass a factory such as lambda p: torch.optim.SGD(p, lr=0.1)")
            if lr is None or not lr > 0:
                raise ValueError(f"optimizer {optimizer!r} needs a learning rate lr > 0, got {lr}")
            self.optimizer = OPTIMIZERS[optimizer](self.model.parameters(), lr=lr)
        elif callable(optimizer):
            if lr is not None:
                raise ValueError("lr is set inside an optimizer factory; leave lr=None")
            self.optimizer = optimizer(self.model.parameters())
        else:
            raise TypeError(f"optimizer must be a name or a factory, got {type(optimizer).__name__}")

    # ---- hooks that subclasses override -------------------------------------------------
    def batch_loss(self, batch: Batch) -> tuple[torch.Tensor, int]:
        """Mean loss on one batch ``(inputs, targets)`` and how many elements it averages."""
        inputs, targets = batch
        return self.loss_fn(self.model(inputs), targets), targets.numel()

    def after_backward(self) -> None:
        """Called between ``backward()`` and ``optimizer.step()``: the place to clip gradients."""

    def to_device(self, batch: Batch) -> Batch:
        """Move every tensor of a batch to ``self.device`` (override for other batch types)."""
        return tuple(t.to(self.device) for t in batch)

    # ---- the loop -----------------------------------------------------------------------
    def _batches(self, batches: Batches) -> Iterable[Batch]:
        for batch in (batches() if callable(batches) else batches):
            yield self.to_device(batch)

    def train_epoch(self, batches: Batches) -> float:
        """One pass of gradient steps over ``batches``; returns the mean training loss."""
        self.model.train()
        total, count = 0.0, 0
        for batch in self._batches(batches):
            loss, n = self.batch_loss(batch)
            self.optimizer.zero_grad()
            loss.backward()
            self.after_backward()
            self.optimizer.step()
            total, count = total + loss.item() * n, count + n
        if count == 0:
            raise ValueError("the training batches were empty: nothing to train on")
        return total / count

    @torch.no_grad()
    def evaluate(self, batches: Batches) -> float:
        """Mean loss over ``batches`` without updating the model."""
        self.model.eval()
        total, count = 0.0, 0
        for batch in self._batches(batches):
            loss, n = self.batch_loss(batch)
            total, count = total + loss.item() * n, count + n
        if count == 0:
            raise ValueError("the validation batches were empty: nothing to evaluate")
        return total / count

    def fit(self, train_batches: Batches, val_batches: Batches | None = None,
            num_epochs: int = 1) -> History:
        """Train for ``num_epochs`` epochs; returns the per-epoch loss history.

        ``train_batches`` and ``val_batches`` are iterated once per epoch: pass a
        re-iterable (such as ``TensorBatches``) or a function that returns a
        fresh iterable of batches.
        """
        if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
            raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}")
        history = History()
        cuda = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(self.seed)
            for _ in range(num_epochs):
                start = time.perf_counter()
                history.train_loss.append(self.train_epoch(train_batches))
                if val_batches is not None:
                    history.val_loss.append(self.evaluate(val_batches))
                history.seconds.append(time.perf_counter() - start)
        return history


def fit(model: nn.Module, train_batches: Batches, val_batches: Batches | None,
        loss_fn: Callable[..., torch.Tensor], num_epochs: int, *,
        optimizer: str | Callable[..., torch.optim.Optimizer] = "sgd", lr: float | None = None,
        seed: int = 0, device: str | torch.device | None = None) -> History:
    """Train ``model`` in place and return its ``History``: ``Trainer(...).fit(...)`` in one call."""
    trainer = Trainer(model, loss_fn, optimizer=optimizer, lr=lr, seed=seed, device=device)
    return trainer.fit(train_batches, val_batches, num_epochs)
