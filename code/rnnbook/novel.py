"""How the book trains a language model on the novel: one protocol, two pages.

``book/rnn_concise.md`` trains the tanh RNN on the first 90% of *The Time
Machine* (the rest validates) with this protocol; ``book/gated.md`` trains the
GRU and the LSTM with the same one, and the same RNN again, so that the three
validation perplexities in its table come from the same data, the same
optimiser and the same number of steps.
Defining the protocol once, here, is what makes the comparison fair: a page
cannot quietly train one model longer than the other.

The protocol is sized so that the gated page, which trains three models, builds
in reasonable time on a laptop's CPU; ``bench/novel_cost.py`` measures the cost of
a step for each cell and size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from .checks import check_int, check_positive_int, check_real
from .data import TimeMachineData
from .models.base import LanguageModel
from .seeding import offset_seed
from .training import History, fit_language_model


@dataclass(frozen=True)
class NovelProtocol:
    """Settings for training a character-level language model on the novel.

    The first 90% of the novel is cut at random offsets into subsequences of
    ``num_steps`` characters, ``batch_size`` to a minibatch (``"random"``
    partitioning, ``book/language_models.md``); Adam at learning rate ``lr``
    with the gradient clipped to norm ``clip``; ``num_epochs`` passes. Every
    epoch is validated on random subsequences of the last 10%, ``val_batch_size``
    to a minibatch. ``seed`` seeds the initial weights and the training run.
    """

    num_hiddens: int
    num_epochs: int
    batch_size: int = 32
    num_steps: int = 64
    lr: float = 0.005
    clip: float = 1.0
    val_batch_size: int = 256
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("num_hiddens", "num_epochs", "batch_size", "num_steps",
                     "val_batch_size"):
            check_positive_int(name, getattr(self, name))
        check_real("lr", self.lr, 0, low_open=True)
        check_real("clip", self.clip, 0, low_open=True)
        check_int("seed", self.seed, minimum=0)

    def train_loader(self, data: TimeMachineData) -> Callable[[int], list]:
        """The training minibatches of each epoch: ``loader(epoch)``."""
        return data.loader("train", "random", batch_size=self.batch_size,
                           num_steps=self.num_steps, seed=self.seed)

    def val_loader(self, data: TimeMachineData) -> Callable[[int], list]:
        """The validation minibatches (every subsequence of the last 10% once)."""
        return data.loader("val", "random", batch_size=self.val_batch_size,
                           num_steps=self.num_steps, seed=self.seed,
                           drop_last=False)


# The protocol of book/rnn_concise.md's larger model, reused by book/gated.md.
NOVEL = NovelProtocol(num_hiddens=128, num_epochs=10)


def fit_on_novel(
    make_model: Callable[[int, int], LanguageModel],
    data: TimeMachineData,
    protocol: NovelProtocol = NOVEL,
    *,
    device: str | torch.device | None = None,
    progress: bool | None = None,
) -> tuple[LanguageModel, History]:
    """Build ``make_model(protocol.num_hiddens, vocab_size)``; train it by ``protocol``.

    ``make_model`` is a language model class such as :class:`rnnbook.RNNLM`,
    :class:`rnnbook.GRULM` or :class:`rnnbook.LSTMLM` (or any callable taking
    the number of hidden units and the vocabulary size). PyTorch's generator is
    seeded with ``protocol.seed`` just before the model is built, so the same
    class, data and protocol give the same model on every page that calls this.
    Returns the trained model and its :class:`rnnbook.History`. ``device`` and
    ``progress`` are passed to the trainer; they change where and how visibly
    the run goes, not what it computes. Explained in
    ``book/rnn_concise.md``; ``book/gated.md`` calls it for each cell.
    """
    if not isinstance(protocol, NovelProtocol):
        raise TypeError(f"protocol must be a NovelProtocol, got "
                        f"{type(protocol).__name__}: use rnnbook.NOVEL or "
                        "rnnbook.NovelProtocol(...)")
    if not isinstance(data, TimeMachineData):
        raise TypeError(f"data must be a TimeMachineData, got "
                        f"{type(data).__name__}")
    torch.manual_seed(offset_seed(protocol.seed))
    model = make_model(protocol.num_hiddens, len(data.vocab))
    history = fit_language_model(
        model, protocol.train_loader(data), protocol.val_loader(data),
        protocol.num_epochs, optimizer="adam", lr=protocol.lr,
        clip=protocol.clip, seed=protocol.seed, device=device, progress=progress)
    return model, history
