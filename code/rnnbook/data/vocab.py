"""A vocabulary: the two-way map between tokens and integer indices.

Explained on the page "Converting raw text into sequence data"
(``book/text_preprocessing.md``).

Design choices, each one a fix for something that goes wrong otherwise:

* The order is deterministic: ``<unk>`` first (index 0, always), then the
  reserved tokens in the order given, then every other kept token by frequency,
  most frequent first, ties broken by the token itself. The same text therefore
  always gets the same indices, whatever order its tokens were counted in.
* ``to_tokens`` turns a single index (an ``int`` or a 0-d tensor) into a token
  and *any* sequence of indices (a list, a 1-D tensor, a nested list, even with
  one element) into a list of tokens of the same shape.
* Indices out of range are an error, not a silent wrap-around.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence
from typing import Union

import numpy as np
import torch

from ..checks import check_int

UNK = "<unk>"

IndexLike = Union[int, Sequence, torch.Tensor]


class Vocab:
    """Map tokens to indices and back.

    Parameters
    ----------
    tokens:
        A flat iterable of string tokens (e.g. the output of
        :func:`rnnbook.tokenize`). Its counts decide the order.
    min_freq:
        Tokens seen fewer than ``min_freq`` times get no index of their own;
        they map to ``<unk>``.
    reserved_tokens:
        Extra tokens that always get an index (right after ``<unk>``, in the
        order given), e.g. ``("<pad>", "<bos>", "<eos>")``, whether or not
        they occur in ``tokens``.
    """

    def __init__(
        self,
        tokens: Iterable[str] = (),
        min_freq: int = 0,
        reserved_tokens: Sequence[str] = (),
    ) -> None:
        if isinstance(tokens, str):
            raise TypeError(
                "tokens must be an iterable of tokens, not one str: pass "
                "rnnbook.tokenize(text) (a list of str)"
            )
        tokens = list(tokens)
        for tok in tokens:
            if not isinstance(tok, str):
                raise TypeError(
                    f"every token must be a str, got {type(tok).__name__} ({tok!r}); "
                    "flatten nested lists of tokens first"
                )
        min_freq = check_int("min_freq", min_freq, minimum=0)
        if isinstance(reserved_tokens, str):
            raise TypeError(
                "reserved_tokens must be a sequence of str, not one str: write "
                f"reserved_tokens=({reserved_tokens!r},)"
            )
        reserved = list(reserved_tokens)
        for tok in reserved:
            if not isinstance(tok, str):
                raise TypeError(
                    f"every reserved token must be a str, got {type(tok).__name__}"
                )
        if UNK in reserved:
            raise ValueError(
                f"{UNK!r} is always index 0 and cannot be a reserved token; remove it "
                "from reserved_tokens"
            )
        duplicates = sorted({t for t in reserved if reserved.count(t) > 1})
        if duplicates:
            raise ValueError(f"duplicate reserved tokens {duplicates}: list each once")

        counter = collections.Counter(tokens)
        # Most frequent first; ties broken by the token, so the order never
        # depends on the order in which tokens were first seen.
        self.token_freqs: list[tuple[str, int]] = sorted(
            counter.items(), key=lambda tc: (-tc[1], tc[0])
        )
        self.min_freq = min_freq
        self.reserved_tokens = tuple(reserved)

        self.idx_to_token: list[str] = [UNK, *reserved]
        taken = set(self.idx_to_token)
        for tok, freq in self.token_freqs:
            if freq >= min_freq and tok not in taken:
                self.idx_to_token.append(tok)
                taken.add(tok)
        self.token_to_idx: dict[str, int] = {
            tok: i for i, tok in enumerate(self.idx_to_token)
        }

    @property
    def unk(self) -> int:
        """The index of ``<unk>``: always 0."""
        return 0

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __contains__(self, token: object) -> bool:
        return token in self.token_to_idx

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.idx_to_token[:6])
        more = ", ..." if len(self) > 6 else ""
        return (
            f"Vocab(size={len(self)}, min_freq={self.min_freq}, first=[{head}{more}])"
        )

    def __getitem__(self, tokens: str | Sequence) -> int | list:
        """Index of one token, or a list of indices for a list/tuple of tokens.

        Tokens not in the vocabulary map to ``<unk>`` (index 0).
        """
        if isinstance(tokens, str):
            return self.token_to_idx.get(tokens, self.unk)
        if isinstance(tokens, (list, tuple)):
            return [self[t] for t in tokens]
        raise TypeError(
            f"look up a str or a list/tuple of str, got {type(tokens).__name__}"
        )

    def to_tokens(self, indices: IndexLike) -> str | list:
        """Token of one index, or tokens of a (possibly nested) sequence of indices.

        A Python int, a NumPy integer or a 0-d tensor is one index and gives one
        str. A list, tuple, array or tensor with at least one dimension gives a
        list of the same shape, even when it holds a single element.
        """
        if isinstance(indices, (torch.Tensor, np.ndarray, np.generic)):
            if isinstance(indices, torch.Tensor):
                is_int = not (
                    indices.dtype.is_floating_point
                    or indices.dtype.is_complex
                    or indices.dtype == torch.bool
                )
            else:
                is_int = np.issubdtype(indices.dtype, np.integer)
            if not is_int:
                raise TypeError(f"indices must be integers, got dtype {indices.dtype}")
            # 0-d gives an int, otherwise (nested) lists
            return self.to_tokens(indices.tolist())
        if isinstance(indices, (list, tuple)):
            return [self.to_tokens(i) for i in indices]
        index = check_int("an index", indices)
        if not 0 <= index < len(self):
            raise IndexError(
                f"index {index} is out of range for a vocabulary of {len(self)} tokens "
                f"(valid indices: 0 to {len(self) - 1})"
            )
        return self.idx_to_token[index]
