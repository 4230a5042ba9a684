"""Speed ratios at the reference configuration that the machine's changing speed cannot skew.

On the shared machine this book is built on, the same 100-epoch run can take
7 s one minute and 14 s a few minutes later, and a baseline timed after the
models (or before them) can land in a faster or a slower phase than they did.
This script alternates *single epochs* (training and validation) of three
contestants, in a rotating order, so that all three meet the same phases:

* ``baseline``: the source chapter's computation written plainly
  (``bench/source_style.py``);
* ``scratch``: ``rnnbook.RNNLMScratch`` on the package's trainer;
* ``concise``: ``rnnbook.RNNLM`` on ``torch.nn.RNN``, same trainer.

It then does the same, step against step, for one training minibatch of the
scratch model and for the ``torch.nn.RNN`` layer alone (forward and backward of
the recurrence on one-hot inputs, no output layer, no loss, no update), which
bounds how fast any model built on that layer can train here.

    python bench/same_phase.py [--threads N] [--rounds R]

``--threads`` as in ``reference_config.py`` (default 0: torch's default, one
per core). Ratios are of summed times; the last line has the form
    baseline_epoch_s=<s> scratch_epoch_s=<s> concise_epoch_s=<s> scratch_speedup=<x> concise_speedup=<x> rnn_layer_ms=<ms> scratch_step_ms=<ms>
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch

import rnnbook
from machine import prepare
from reference_config import BATCH, CLIP, HIDDEN, LR, reference_loaders
from source_style import SourceStyleRun


class PackageRun:
    """One of the package's models and its trainer, trained an epoch at a time."""

    def __init__(self, model: torch.nn.Module, data) -> None:
        self.trainer = rnnbook.LanguageModelTrainer(model, optimizer="sgd", lr=LR, clip=CLIP,
                                                    progress=False, live=False)
        self.train, self.val = reference_loaders(data)

    def run_epoch(self) -> None:
        """One epoch of training and validation, through the trainer's own ``fit``."""
        self.trainer.fit(self.train, self.val, 1)


def alternate(contestants: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Call every contestant once per round, in an order that rotates each round; seconds of every call."""
    names = list(contestants)
    for fn in contestants.values():             # warm-up, not timed
        fn()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.perf_counter()
            contestants[name]()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    parser.add_argument("--rounds", type=int, default=12, help="epochs of each contestant (default 12)")
    args = parser.parse_args()
    prepare(args.threads)
    data = rnnbook.TimeMachineData()
    V = len(data.vocab)

    torch.manual_seed(0)
    scratch = PackageRun(rnnbook.RNNLMScratch(rnnbook.RNNScratch(V, HIDDEN), V), data)
    torch.manual_seed(0)
    concise = PackageRun(rnnbook.RNNLM(HIDDEN, V), data)
    epochs = alternate({"baseline": SourceStyleRun(data).run_epoch,
                        "scratch": scratch.run_epoch, "concise": concise.run_epoch}, args.rounds)
    total = {name: sum(t) for name, t in epochs.items()}
    for name, t in epochs.items():
        print(f"{name:>8}: {total[name] / len(t):.3f} s an epoch (median {statistics.median(t):.3f}, "
              f"min {min(t):.3f}, max {max(t):.3f}) = {total[name] / len(t) * 100:.1f} s for 100 epochs")
    speedup = {name: total["baseline"] / total[name] for name in ("scratch", "concise")}
    print(f"speed-up over the source-style baseline: scratch {speedup['scratch']:.2f}x, "
          f"concise {speedup['concise']:.2f}x; concise / scratch time {total['concise'] / total['scratch']:.2f}")

    # One minibatch: the scratch model's whole training step (the trainer's own) against nn.RNN's layer alone.
    X, Y = next(iter(scratch.train(0)))
    layer, inputs = concise.trainer.model.rnn, concise.trainer.model.one_hot(X)   # inputs: (steps, batch, vocab)
    h0 = torch.zeros(1, BATCH, HIDDEN)

    def scratch_step() -> None:
        scratch.trainer.train_epoch([(X, Y)])                # zero_grad, loss, backward, clip, SGD update

    def rnn_layer() -> None:
        layer.zero_grad()
        outputs, _ = layer(inputs, h0)                       # (steps, batch, hidden)
        outputs.sum().backward()

    steps = alternate({"scratch_step": scratch_step, "rnn_layer": rnn_layer}, 20 * args.rounds)
    ms = {name: sum(t) / len(t) * 1e3 for name, t in steps.items()}
    print(f"one minibatch: scratch model's whole training step {ms['scratch_step']:.2f} ms; "
          f"nn.RNN layer alone, forward and backward {ms['rnn_layer']:.2f} ms "
          f"(ratio {ms['rnn_layer'] / ms['scratch_step']:.2f})")
    per_epoch = {name: total[name] / len(t) for name, t in epochs.items()}
    print(f"baseline_epoch_s={per_epoch['baseline']:.4f} scratch_epoch_s={per_epoch['scratch']:.4f} "
          f"concise_epoch_s={per_epoch['concise']:.4f} scratch_speedup={speedup['scratch']:.3f} "
          f"concise_speedup={speedup['concise']:.3f} rnn_layer_ms={ms['rnn_layer']:.3f} "
          f"scratch_step_ms={ms['scratch_step']:.3f}")


if __name__ == "__main__":
    main()
