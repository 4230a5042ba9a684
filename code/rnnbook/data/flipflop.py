"""The 3-bit flip-flop: hold the sign of each channel's last pulse.

Explained in ``book/attractors.md``, after Sussillo & Barak (2013). Each of
``num_bits`` input channels is silent (0) most of the time and carries, at
random steps, a pulse of +1 or -1. Output channel ``i`` must show the sign of
the last pulse on input channel ``i`` and hold it until the next pulse on that
channel, whatever the other channels do. A network that solves it must keep
``num_bits`` bits, so ``2 ** num_bits`` memories, for as long as no pulse comes.

Every sequence begins with a pulse on every channel, so the target is defined
from the first step on.
"""

from __future__ import annotations

import torch

from ..checks import check_int, check_positive_int, check_real
from ..seeding import generator


def flipflop_task(
    num_examples: int,
    num_steps: int,
    num_bits: int = 3,
    pulse_rate: float = 0.05,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, Y)``: pulses and the signs to hold, (num_examples, num_steps, num_bits).

    ``X[:, t, i]`` is +1 or -1 where channel ``i`` pulses at step ``t``, else 0;
    after the first step (a pulse on every channel) each channel pulses with
    probability ``pulse_rate`` per step, with a random sign. ``Y[:, t, i]`` is
    the sign of the last pulse on channel ``i`` up to and including step ``t``:
    always +1 or -1. The draws come from ``rnnbook.generator(seed)``, so the
    robustness build's seed offset applies.
    """
    num_examples = check_positive_int("num_examples", num_examples)
    num_steps = check_positive_int("num_steps", num_steps)
    num_bits = check_positive_int("num_bits", num_bits)
    pulse_rate = check_real("pulse_rate", pulse_rate, 0.0, 1.0)
    seed = check_int("seed", seed, minimum=0)
    g = generator(seed)
    shape = (num_examples, num_steps, num_bits)
    fires = torch.rand(shape, generator=g) < pulse_rate  # (n, T, bits)
    fires[:, 0] = True  # every channel starts with a pulse
    signs = torch.randint(0, 2, shape, generator=g) * 2 - 1  # (n, T, bits)
    X = torch.where(fires, signs, 0).float()  # (n, T, bits)
    # The last pulse so far: carry the previous target where nothing fires.
    Y = torch.empty_like(X)
    Y[:, 0] = X[:, 0]
    for t in range(1, num_steps):
        Y[:, t] = torch.where(fires[:, t], X[:, t], Y[:, t - 1])
    return X, Y
