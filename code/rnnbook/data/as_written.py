"""The novel as written: every character kept, case, punctuation and line breaks.

Explained on the page "Looking inside a trained network" (``book/inside.md``).
The other pages read the novel through :func:`rnnbook.preprocess` (letters only,
lower case), which is right for a first language model and wrong for this page:
the line breaks, the quotes and the parentheses are the structure a trained
network's units can be seen to track. The text comes from the same checked
file (:func:`rnnbook.load_time_machine`) and is split the same way: the first
``1 - val_fraction`` of the characters train, the rest validate.
"""

from __future__ import annotations

import torch

from ..checks import check_positive_int, check_real, check_str
from .corpus import load_time_machine


class NovelAsWritten:
    """Characters of the novel (or of ``text``), a vocabulary and the 90/10 split.

    Attributes: ``text`` (str); ``chars``, the sorted distinct characters (the
    vocabulary, ``"\\n"`` included); ``corpus``, all character indices, a
    LongTensor ``(T,)``; ``num_train``; ``train_corpus``, ``val_corpus`` (views)
    and ``train_text``, ``val_text`` (the same two parts as str).
    """

    def __init__(self, val_fraction: float = 0.1, text: str | None = None) -> None:
        val_fraction = check_real(
            "val_fraction", val_fraction, 0, 1, low_open=True, high_open=True
        )
        text = load_time_machine() if text is None else text
        self.text = check_str("text", text, min_length=2,
                              why="it must hold a training and a validation part")
        self.chars = sorted(set(self.text))
        self._index = {ch: i for i, ch in enumerate(self.chars)}
        self.corpus = self.encode(self.text)  # (T,)
        T = self.corpus.numel()
        num_val = round(T * val_fraction)
        if not 1 <= num_val < T:
            raise ValueError(
                f"val_fraction={val_fraction} leaves {num_val} validation characters "
                f"out of {T}: both parts must be non-empty"
            )
        self.num_train = T - num_val
        self.train_corpus = self.corpus[: self.num_train]
        self.val_corpus = self.corpus[self.num_train :]
        self.train_text = self.text[: self.num_train]
        self.val_text = self.text[self.num_train :]

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return (f"NovelAsWritten({self.corpus.numel():,} characters, vocab "
                f"{self.vocab_size}, train {self.num_train:,}, val "
                f"{self.val_corpus.numel():,})")

    def encode(self, text: str) -> torch.Tensor:
        """Character indices of ``text``: a LongTensor ``(len(text),)``."""
        missing = sorted(set(text) - set(self._index))
        if missing:
            raise ValueError(f"characters not in the vocabulary: {missing}; the "
                             "model can only read characters of its training text")
        return torch.tensor([self._index[ch] for ch in text], dtype=torch.long)

    def decode(self, indices) -> str:
        """The text of a sequence of character indices."""
        return "".join(self.chars[int(i)] for i in indices)

    def random_windows(self, batch_size: int, num_steps: int,
                       generator: torch.Generator, line_starts: bool = False
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        """``batch_size`` windows of the training corpus at random offsets.

        Returns ``X, Y``, each ``(batch_size, num_steps)``, with ``Y`` the
        one-character shift of ``X``. The offsets come from ``generator``.
        With ``line_starts=True`` every window starts at the beginning of a
        line (just after a line break), so a model that reads it from a zero
        state starts at position 0 of the line (``book/inside.md``).
        """
        batch_size = check_positive_int("batch_size", batch_size)
        num_steps = check_positive_int("num_steps", num_steps)
        if num_steps + 1 > self.num_train:
            raise ValueError(f"num_steps={num_steps} does not fit in the "
                             f"{self.num_train} training characters")
        if line_starts:
            begins = self.line_starts(num_steps)  # (lines,)
            if begins.numel() == 0:
                raise ValueError(f"no line of the training text starts "
                                 f"{num_steps + 1} characters before its end: "
                                 "lower num_steps, or use line_starts=False")
            starts = begins[torch.randint(0, begins.numel(), (batch_size,),
                                          generator=generator)]  # (batch,)
        else:
            starts = torch.randint(0, self.num_train - num_steps,
                                   (batch_size,), generator=generator)
        offsets = starts[:, None] + torch.arange(num_steps + 1)  # (batch, steps+1)
        windows = self.train_corpus[offsets]
        return windows[:, :-1], windows[:, 1:]

    def line_starts(self, num_steps: int = 0) -> torch.Tensor:
        """Positions in the training corpus just after a line break, at which
        a window of ``num_steps`` characters and its target still fit."""
        if "\n" not in self._index:
            return torch.zeros(0, dtype=torch.long)
        breaks = self.train_corpus == self._index["\n"]  # (num_train,)
        begins = torch.nonzero(breaks)[:, 0] + 1
        return begins[begins + num_steps + 1 <= self.num_train]
