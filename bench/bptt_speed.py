"""Speed of the hand-written BPTT against autograd on the same problem.

Run from the repository root:  python bench/bptt_speed.py

Problem: float32, batch 64, 32 steps, 128 hidden units, vocabulary 28 (the
character vocabulary). Both sides compute the loss and every gradient (forward
and backward): ``rnnbook.bptt_gradients`` by hand, ``rnnbook.rnn_lm_loss``
followed by
``torch.autograd.grad``. Repetitions of the two alternate, so that any drift of
the machine's speed hits both equally; the medians are compared. The last line
is machine-readable:

    bptt_seconds=<s> autograd_seconds=<s> ratio=<r>

where ratio = bptt / autograd (the target is at most 2). Explained in
``book/bptt.md``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "code"))

import torch  # noqa: E402

import rnnbook  # noqa: E402
from machine import machine_info  # noqa: E402  (bench/ is on the path when run as a script)

BATCH, STEPS, HIDDEN, VOCAB = 64, 32, 128, 28
REPEATS = 60
WARMUP = 5


def main() -> None:
    problem = rnnbook.random_problem(
        batch_size=BATCH,
        num_steps=STEPS,
        vocab_size=VOCAB,
        num_hiddens=HIDDEN,
        spectral_radius=1.0,
        seed=0,
        dtype=torch.float32,
    )
    params, X, Y = problem.params, problem.X, problem.Y
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}

    def hand() -> None:
        rnnbook.bptt_gradients(params, X, Y)

    def autograd() -> None:
        loss = rnnbook.rnn_lm_loss(leaves, X, Y)
        torch.autograd.grad(loss, list(leaves.values()))

    variants = {
        "bptt (full)": hand,
        "autograd": autograd,
        "bptt (truncation=4)": lambda: rnnbook.bptt_gradients(
            params, X, Y, truncation=4
        ),
        f"bptt (truncation={STEPS})": lambda: rnnbook.bptt_gradients(
            params, X, Y, truncation=STEPS
        ),
        "bptt (randomized, keep_prob=0.9)": lambda: rnnbook.bptt_gradients(
            params, X, Y, truncation="randomized", seed=1
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(WARMUP):
        for fn in variants.values():
            fn()
    for _ in range(REPEATS):  # interleaved: each round runs every variant once
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)

    print(machine_info())
    print(
        f"problem: float32, batch {BATCH}, {STEPS} steps, {HIDDEN} hidden units, "
        f"vocabulary {VOCAB}; "
        f"{REPEATS} interleaved repetitions, medians"
    )
    for name, ts in times.items():
        q = statistics.quantiles(ts, n=4)
        print(
            f"  {name:<34} median {statistics.median(ts) * 1e3:8.2f} ms   (quartiles "
            f"{q[0] * 1e3:.2f} to {q[2] * 1e3:.2f})"
        )
    b = statistics.median(times["bptt (full)"])
    a = statistics.median(times["autograd"])
    print(f"bptt_seconds={b:.6f} autograd_seconds={a:.6f} ratio={b / a:.3f}")


if __name__ == "__main__":
    main()
