"""A tagging task where the future helps: find the word ends in unspaced text.

Explained in ``book/deep_birnn.md``. The novel (preprocessed: lower-case
letters and single spaces) loses its spaces, and every letter gets a tag: 1 if
it is the last letter of a word, 0 if not. Reading ``thetimetraveller``, a
model must put a 1 under the ``e`` of ``the``; whether ``the`` ends there or
goes on into ``then`` or ``there`` is decided by the letters that come *after*
it, which a left-to-right network has not read yet.

The split is the book's: the first ``1 - val_fraction`` of the letters train,
the rest validate. Minibatches are random windows cut as the language models'
are (:func:`rnnbook.random_partition_batches`), tokens and tags side by side.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..checks import check_choice, check_positive_int, check_real
from .batching import Batch, random_partition_batches
from .timemachine import SPLITS, TimeMachineData, epoch_seed


def word_end_tags(text: str) -> tuple[str, list[int]]:
    """``text`` without its spaces, and a tag per letter: 1 where a word ends.

    ``word_end_tags("the time")`` is ``("thetime", [0, 0, 1, 0, 0, 0, 1])``.
    Words are what :func:`str.split` finds between spaces.
    """
    words = text.split()
    if not words:
        raise ValueError("text holds no words: nothing to tag")
    tags = [int(i == len(w) - 1) for w in words for i in range(len(w))]
    return "".join(words), tags


class WordEnds:
    """The novel's letters without spaces (``letters``), their tags (``tags``).

    ``data`` is a :class:`rnnbook.TimeMachineData` at character level; its
    vocabulary encodes the letters (the space token is never used). Attributes:
    ``vocab``; ``text`` (the letters, a str); ``letters`` and ``tags``, both
    LongTensors ``(T,)``; ``num_train``, the length of the training part.
    """

    def __init__(self, data: TimeMachineData,
                 val_fraction: float = 0.1) -> None:
        if not isinstance(data, TimeMachineData) or data.level != "char":
            raise TypeError("data must be a character-level "
                            "rnnbook.TimeMachineData")
        val_fraction = check_real("val_fraction", val_fraction, 0, 1,
                                  low_open=True, high_open=True)
        self.vocab = data.vocab
        self.text, tags = word_end_tags(data.text)
        self.letters = torch.tensor(self.vocab[list(self.text)])  # (T,)
        self.tags = torch.tensor(tags)                              # (T,)
        self.num_train = self.letters.numel() - round(
            self.letters.numel() * val_fraction)

    def __repr__(self) -> str:
        return (f"WordEnds({self.letters.numel():,} letters, "
                f"{int(self.tags.sum()):,} word ends, "
                f"train {self.num_train:,})")

    def batches(self, split: str = "train", batch_size: int = 64,
                num_steps: int = 32, seed: int = 0, epoch: int = 0,
                drop_last: bool = True) -> list[Batch]:
        """One epoch of minibatches ``(X, Y)``: letters and their tags.

        Both are (batch_size, num_steps); row ``i`` of ``Y`` tags row ``i`` of
        ``X`` position by position (no shift). The windows are the disjoint,
        shuffled subsequences of :func:`rnnbook.random_partition_batches`,
        drawn from ``(seed, epoch)``.
        """
        check_choice("split", split, SPLITS)
        batch_size = check_positive_int("batch_size", batch_size)
        start, stop = ((0, self.num_train) if split == "train"
                       else (self.num_train, self.letters.numel()))
        positions = torch.arange(start, stop)
        windows = random_partition_batches(positions, batch_size, num_steps,
                                           seed=epoch_seed(seed, epoch),
                                           drop_last=drop_last)
        # windows: (positions X, positions shifted by one); keep X's
        return [(self.letters[P], self.tags[P]) for P, _ in windows]

    def loader(self, split: str = "train", batch_size: int = 64,
               num_steps: int = 32, seed: int = 0,
               drop_last: bool = True) -> Callable[[int], list[Batch]]:
        """``batches(...)`` as a function of the epoch, as
        :meth:`rnnbook.Trainer.fit` takes data."""
        self.batches(split, batch_size, num_steps, seed, 0, drop_last)

        def batches_of(epoch: int) -> list[Batch]:
            return self.batches(split, batch_size, num_steps, seed, epoch,
                                drop_last)

        return batches_of


@torch.no_grad()
def tag_error_rate(model: torch.nn.Module,
                   batches: list[Batch]) -> float:
    """The share of positions whose highest-scoring tag is wrong.

    ``model(X) -> (logits, state)`` with logits (batch, steps, tags), as for
    :class:`rnnbook.models.birnn.SequenceTagger`.
    """
    was_training = model.training
    model.eval()
    wrong = total = 0
    for X, Y in batches:
        logits, _ = model(X)                         # (batch, steps, tags)
        wrong += int((logits.argmax(-1) != Y).sum())
        total += Y.numel()
    model.train(was_training)
    if total == 0:
        raise ValueError("no batches: nothing to score")
    return wrong / total
