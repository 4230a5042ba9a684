"""One way to seed: every experiment of the book takes its seeds from here.

A training run's outcome depends on its seed, and on another CPU the same seed
gives another run. So a claim about an outcome must hold over several seeds,
and the book must be able to run on *other* seeds to show that it does. Every
seed a page or the package uses goes through :func:`seed`, :func:`generator`
or :func:`offset_seed`, which add the integer in the environment variable
``RNNBOOK_SEED_OFFSET`` (default 0). The published book uses offset 0; the
robustness build (``make robust``) runs every page again at another offset,
and the claims in the prose must survive it.

Every function of the package that takes a ``seed`` applies the offset
itself, once, where the seed becomes a generator (``offset_seed`` there), and
passes the caller's plain seed on to the functions it calls. So pages pass
plain 0, 1, 2 to the package, and at offset ``o`` a call with seed ``s`` gives
what the same call with ``s + o`` gives at offset 0 (where a seed is mixed with
an epoch number, as in ``TimeMachineData.batches``, the offset is added to the
mixed seed instead). At offset 0 nothing changes.

A page that names a seed in its prose glues the value these functions return,
so that the text names the seed that was actually used::

    used = seed(0)          # torch's generator seeded with 0 + offset
    glue("sample_seed", used)
"""

from __future__ import annotations

import numbers
import os
import random

import torch

SEED_OFFSET_ENV = "RNNBOOK_SEED_OFFSET"

__all__ = ["SEED_OFFSET_ENV", "seed_offset", "offset_seed", "seed", "generator"]


def seed_offset() -> int:
    """The integer in ``RNNBOOK_SEED_OFFSET`` (0 when unset or empty).

    ``ValueError`` names the variable and the fix when it is not a
    non-negative whole number.
    """
    raw = os.environ.get(SEED_OFFSET_ENV, "").strip()
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{SEED_OFFSET_ENV} must be a whole number such as 0 or 1000, got "
            f"{raw!r}: set it to an integer, or unset it for the book's own seeds"
        ) from None
    if value < 0:
        raise ValueError(
            f"{SEED_OFFSET_ENV} must be 0 or more, got {value}: seeds are "
            "non-negative, so use a positive offset (or unset it)"
        )
    return value


def offset_seed(s: int) -> int:
    """``s`` plus the seed offset: the seed an experiment asked for as ``s`` uses."""
    if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
        raise TypeError(f"a seed must be a non-negative int, got {s!r}")
    return int(s) + seed_offset()


def seed(s: int = 0) -> int:
    """Seed PyTorch's global generator (and Python's ``random``) with
    ``offset_seed(s)``; return that seed, for the page to glue."""
    used = offset_seed(s)
    torch.manual_seed(used)
    random.seed(used)
    return used


def generator(s: int = 0) -> torch.Generator:
    """A new ``torch.Generator`` seeded with ``offset_seed(s)``, for code that must
    not touch the global generator."""
    return torch.Generator().manual_seed(offset_seed(s))
