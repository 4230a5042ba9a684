"""The Time Machine as data: tokens, a vocabulary, a train/validation split and
minibatches.

Explained on the pages "Converting raw text into sequence data"
(``book/text_preprocessing.md``) and "Language models"
(``book/language_models.md``).

Two ways to split the novel are offered, so that the book can compare them:

* the whole-novel split (the default for ``strategy="random"`` and
  ``"sequential"``): the first ``1 - val_fraction`` of the token sequence is
  the training corpus and the rest the validation corpus, cut by position;
* the source chapter's overlapping-window split (``strategy="overlapping"``):
  windows ``X_i = corpus[i:i+num_steps]``, ``Y_i = corpus[i+1:i+num_steps+1]``
  for every position ``i``; the first ``num_train_windows`` (10,000) windows are
  the training set and the next ``num_val_windows`` (5,000) the validation set.
  With 32 steps this reads only tokens 0 to 15,031 of the 173,428, and the first
  validation windows share tokens with the last training windows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..checks import check_choice, check_int, check_positive_int, check_real
from ..seeding import offset_seed
from .batching import (
    Batch,
    overlapping_windows,
    random_partition_batches,
    sequential_partition_batches,
)
from .corpus import load_time_machine
from .text import preprocess, tokenize
from .vocab import Vocab

SPLITS = ("train", "val")
STRATEGIES = ("random", "sequential", "overlapping")


def epoch_seed(seed: int, epoch: int) -> int:
    """A seed for one epoch, mixed from the run's ``seed`` and the ``epoch`` number.

    Mixing (rather than ``seed + epoch``) keeps the runs for seeds 0 and 1 from
    sharing all but one epoch.
    """
    seed = check_int("seed", seed, minimum=0)
    epoch = check_int("epoch", epoch, minimum=0)
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0])


class TimeMachineData:
    """Tokens, vocabulary, corpus and minibatches of *The Time Machine*.

    Parameters
    ----------
    level: ``"char"`` or ``"word"`` tokens.
    val_fraction: the share of the token sequence, taken from its end, that
        forms the validation corpus (``0 < val_fraction < 1``). The number of
        validation tokens is ``round(len(corpus) * val_fraction)``.
    min_freq: passed to :class:`rnnbook.Vocab`.
    num_train_windows, num_val_windows: sizes of the overlapping-window split.
    text: raw text to use instead of the novel (for tests and experiments).

    Attributes
    ----------
    text: the preprocessed text (a str); tokens: its tokens (a list of str);
    vocab: a :class:`rnnbook.Vocab`; corpus: all token indices, a LongTensor
    ``(T,)``; train_corpus, val_corpus: its two parts (views), ``(num_train,)``
    and ``(T - num_train,)``.
    """

    def __init__(
        self,
        level: str = "char",
        val_fraction: float = 0.1,
        min_freq: int = 0,
        num_train_windows: int = 10_000,
        num_val_windows: int = 5_000,
        text: str | None = None,
    ) -> None:
        val_fraction = check_real(
            "val_fraction", val_fraction, 0, 1, low_open=True, high_open=True
        )
        self.level = level
        self.text = preprocess(load_time_machine() if text is None else text)
        self.tokens = tokenize(self.text, level)
        self.vocab = Vocab(self.tokens, min_freq=min_freq)
        self.corpus = torch.tensor(self.vocab[self.tokens], dtype=torch.long)  # (T,)
        T = self.corpus.numel()
        num_val = round(T * val_fraction)
        if num_val < 1 or num_val >= T:
            raise ValueError(
                f"val_fraction={val_fraction} leaves {T - num_val} training and "
                f"{num_val} validation tokens out of {T}: both parts must be non-empty"
            )
        self.val_fraction = val_fraction
        self.num_train = T - num_val
        self.train_corpus = self.corpus[: self.num_train]
        self.val_corpus = self.corpus[self.num_train :]
        self.num_train_windows = check_positive_int(
            "num_train_windows", num_train_windows
        )
        self.num_val_windows = check_positive_int("num_val_windows", num_val_windows)

    def __repr__(self) -> str:
        return (
            f"TimeMachineData({self.level}: {self.corpus.numel():,} tokens, vocab "
            f"{len(self.vocab)}, train {self.train_corpus.numel():,}, val "
            f"{self.val_corpus.numel():,})"
        )

    def overlapping_split(
        self, num_steps: int, positions: bool = False
    ) -> dict[str, Batch]:
        """The source chapter's split: ``{"train": (X, Y), "val": (X, Y)}``, unshuffled.

        ``X`` and ``Y`` are ``(num_train_windows, num_steps)`` and
        ``(num_val_windows, num_steps)``; window ``i`` is ``corpus[i:i+num_steps]``
        and its target ``corpus[i+1:i+num_steps+1]``, over the whole corpus.
        ``positions=True`` returns the corpus positions instead of the tokens.
        """
        corpus = torch.arange(self.corpus.numel()) if positions else self.corpus
        num_steps = check_positive_int("num_steps", num_steps)
        need = self.num_train_windows + self.num_val_windows
        available = corpus.numel() - num_steps
        if available < need:
            raise ValueError(
                f"the corpus has {corpus.numel()} tokens, so {available} windows of "
                f"num_steps={num_steps}, fewer than num_train_windows + "
                f"num_val_windows = {need}"
            )
        X, Y = overlapping_windows(corpus, num_steps)  # (T - num_steps, num_steps) each
        tr, va = slice(0, self.num_train_windows), slice(self.num_train_windows, need)
        return {"train": (X[tr], Y[tr]), "val": (X[va], Y[va])}

    def batches(self, split: str = "train", strategy: str = "random",
                batch_size: int = 1024, num_steps: int = 32, seed: int = 0,
                epoch: int = 0, drop_last: bool | None = None,
                positions: bool = False) -> list[Batch]:
        """The minibatches ``(X, Y)`` of one epoch, as a list.

        ``X`` and ``Y`` are LongTensors of token indices, ``(batch_size,
        num_steps)``, with ``Y`` the one-token shift of ``X``. The epoch's
        randomness (offset, shuffle) comes from ``(seed, epoch)`` only: the same
        pair gives the same minibatches, and a training loop passes
        ``epoch=0, 1, 2, ...``.

        ``strategy``:

        * ``"random"``: :func:`rnnbook.random_partition_batches` over the
          ``split``'s corpus (``train_corpus`` or ``val_corpus``);
        * ``"sequential"``: :func:`rnnbook.sequential_partition_batches` over it
          (row ``i`` continues from one minibatch to the next);
        * ``"overlapping"``: the source chapter's windows
          (:meth:`overlapping_split`); training windows are shuffled per epoch,
          validation windows keep their order.

        ``drop_last``: whether a final minibatch with fewer than ``batch_size``
        rows is dropped. ``None`` picks each strategy's default: ``True`` for
        ``"random"``; ``False`` for ``"overlapping"``, as in the source
        chapter's data loader; ``"sequential"`` always uses full minibatches
        (its rows must continue each other) and refuses ``drop_last=False``.

        ``positions=True`` returns the corpus positions of the tokens instead of
        the tokens, to see which parts of the novel an epoch reads.
        """
        check_choice("split", split, SPLITS)
        check_choice("strategy", strategy, STRATEGIES)
        gen_seed = epoch_seed(seed, epoch)
        batch_size = check_positive_int("batch_size", batch_size)

        if strategy == "overlapping":
            X, Y = self.overlapping_split(num_steps, positions=positions)[split]
            if split == "train":
                gen = torch.Generator().manual_seed(offset_seed(gen_seed))
                order = torch.randperm(X.shape[0], generator=gen)
                X, Y = X[order], Y[order]
            drop = False if drop_last is None else drop_last
            stop = (X.shape[0] // batch_size) * batch_size if drop else X.shape[0]
            return [
                (X[i : i + batch_size], Y[i : i + batch_size])
                for i in range(0, stop, batch_size)
            ]

        if split == "train":
            corpus, start = self.train_corpus, 0
        else:
            corpus, start = self.val_corpus, self.num_train
        if positions:
            corpus = torch.arange(start, start + corpus.numel())
        if strategy == "random":
            drop = True if drop_last is None else drop_last
            return random_partition_batches(corpus, batch_size, num_steps,
                                            seed=gen_seed, drop_last=drop)
        if drop_last is False:
            raise ValueError(
                "strategy='sequential' always drops the incomplete last minibatch: "
                "its rows must continue each other, so they must all have the same "
                "length; leave drop_last=None"
            )
        return sequential_partition_batches(
            corpus, batch_size, num_steps, seed=gen_seed
        )

    def loader(self, split: str = "train", strategy: str = "random",
               batch_size: int = 1024, num_steps: int = 32, seed: int = 0,
               drop_last: bool | None = None) -> Callable[[int], list[Batch]]:
        """A function of the epoch number that returns that epoch's minibatches.

        ``loader(...)(epoch)`` is ``batches(..., epoch=epoch)``: the form in
        which :meth:`rnnbook.Trainer.fit` takes data that change from epoch to
        epoch. The arguments are checked now, by building epoch 0 once.
        """
        self.batches(split, strategy, batch_size, num_steps, seed, 0, drop_last)

        def batches_of(epoch: int) -> list[Batch]:
            return self.batches(
                split, strategy, batch_size, num_steps, seed, epoch, drop_last
            )

        return batches_of

    def positions_read(self, split: str = "train", strategy: str = "random",
                       batch_size: int = 1024, num_steps: int = 32, epochs: int = 1,
                       seed: int = 0, drop_last: bool | None = None) -> torch.Tensor:
        """Sorted corpus positions that ``epochs`` epochs of :meth:`batches` read, as
        inputs or targets.

        Takes the same arguments as :meth:`batches` (epochs ``0 .. epochs-1``);
        returns a 1-D LongTensor of distinct positions. Used on the page to
        compare how much of the novel each split and strategy covers.
        """
        epochs = check_positive_int("epochs", epochs)
        seen = torch.zeros(self.corpus.numel(), dtype=torch.bool)
        for epoch in range(epochs):
            for X, Y in self.batches(
                split,
                strategy,
                batch_size,
                num_steps,
                seed=seed,
                epoch=epoch,
                drop_last=drop_last,
                positions=True,
            ):
                seen[X.reshape(-1)] = True
                seen[Y.reshape(-1)] = True
        return seen.nonzero().squeeze(1)
