"""Speed ratios at the reference configuration that the machine's changing speed
cannot skew.

On a shared machine the same 100-epoch run can take twice as long a few
minutes later, and a baseline timed before or after the models can land in a
faster or slower phase than they did. This script alternates *single epochs*
(training and validation, through the package's trainer) of four contestants,
in a rotating order, so that all of them meet the same phases:

* ``baseline``: the source chapter's computation written plainly
  (``bench/source_style.py``);
* ``scratch``: ``rnnbook.RNNLMScratch``, the plain lesson model;
* ``concise``: ``rnnbook.RNNLM`` on ``torch.nn.RNN``;
* ``fast``: ``rnnbook.FastRNNLMScratch``, the appendix's model.

Targets (issue 15): scratch and concise each faster than the baseline; fast
at least 2x faster than the baseline and at least 1.3x faster than scratch.

    python bench/same_phase.py [--threads N] [--rounds R]

``--threads`` defaults to 0, torch's default of one intra-op thread per core,
as the source chapter's package ran; ``--threads 1`` is how the book is built.
The ratios differ between the two (the baseline's many small operations pay
more for a second thread), so quote the thread count with them. Ratios are of
summed times; the last line has the form (one line, shown wrapped)
    baseline_epoch_s=<s> scratch_epoch_s=<s> concise_epoch_s=<s> fast_epoch_s=<s>
    scratch_speedup=<x> concise_speedup=<x> fast_speedup=<x> fast_over_scratch=<x>
where ``*_speedup`` is baseline time / model time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch

import rnnbook
from machine import bench_parser, prepare
from reference_config import CLIP, LR, MODELS, make_model, reference_loaders
from source_style import SourceStyleRun


class PackageRun:
    """One of the package's models and its trainer, trained an epoch at a time."""

    def __init__(self, name: str, data) -> None:
        torch.manual_seed(0)
        self.trainer = rnnbook.LanguageModelTrainer(
            make_model(name, len(data.vocab)),
            optimizer="sgd",
            lr=LR,
            clip=CLIP,
            progress=False,
            live=False,
        )
        self.train, self.val = reference_loaders(data)
        self.epoch = 0

    def run_epoch(self) -> None:
        """One epoch of training and validation, through the trainer's own ``fit``."""
        epoch = self.epoch
        self.trainer.fit(lambda _: self.train(epoch), self.val, 1)
        self.epoch += 1


def alternate(
    contestants: dict[str, Callable[[], object]], rounds: int
) -> dict[str, list[float]]:
    """Call every contestant once per round, in an order that rotates each round;
    seconds of every call."""
    names = list(contestants)
    for fn in contestants.values():  # warm-up, not timed
        fn()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            contestants[name]()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = bench_parser(__doc__, threads=0)
    parser.add_argument(
        "--rounds", type=int, default=12, help="epochs of each contestant (default 12)"
    )
    args = parser.parse_args()
    prepare(args.threads)
    data = rnnbook.TimeMachineData()
    contestants = {"baseline": SourceStyleRun(data).run_epoch}
    contestants.update({name: PackageRun(name, data).run_epoch for name in MODELS})
    epochs = alternate(contestants, args.rounds)
    total = {name: sum(t) for name, t in epochs.items()}
    per_epoch = {name: total[name] / len(t) for name, t in epochs.items()}
    for name, t in epochs.items():
        print(
            f"{name:>8}: {per_epoch[name]:.3f} s an epoch "
            f"(median {statistics.median(t):.3f}, "
            f"min {min(t):.3f}, max {max(t):.3f}) = "
            f"{per_epoch[name] * 100:.1f} s for 100 epochs"
        )
    speedup = {name: total["baseline"] / total[name] for name in MODELS}
    fast_over_scratch = total["scratch"] / total["fast"]
    checks = [
        ("scratch faster than the baseline", speedup["scratch"] > 1),
        ("concise faster than the baseline", speedup["concise"] > 1),
        ("fast >= 2x the baseline", speedup["fast"] >= 2),
        ("fast >= 1.3x scratch", fast_over_scratch >= 1.3),
    ]
    print(
        "speed-up over the source-style baseline: "
        + ", ".join(f"{name} {speedup[name]:.2f}x" for name in MODELS)
        + f"; fast over scratch {fast_over_scratch:.2f}x"
    )
    print(
        "targets: "
        + "; ".join(f"{text}: {'yes' if ok else 'NO'}" for text, ok in checks)
    )
    print(
        " ".join(f"{name}_epoch_s={per_epoch[name]:.4f}" for name in epochs)
        + " "
        + " ".join(f"{name}_speedup={speedup[name]:.3f}" for name in MODELS)
        + f" fast_over_scratch={fast_over_scratch:.3f}"
    )


if __name__ == "__main__":
    main()
