"""The gated cells of ``book/long_memory.md`` and ``book/gated.md``, measured again.

Two measurements, the page's configurations by default:

1. the recall task: accuracy against lag for the tanh RNN, and for the GRU and
   the LSTM started remembering (forget/update bias 3, LSTM input bias -3),
   each at every lag and seed; prints, per cell, the longest lag where the mean
   accuracy over seeds is at least 0.95, the first lag at chance (within 0.05
   of 1/8), and the ratio of the gated cells' longest lag to the RNN's;
2. *The Time Machine*: RNNLM, GRULM and LSTMLM trained by the protocol
   ``rnnbook.NOVEL`` of ``book/rnn_concise.md`` (the same number of steps),
   validation perplexity per epoch and read as one stream, and the time per
   step of each cell as a ratio to the RNN's, measured in the same run.

    python bench/gated.py [--threads N] [--steps 300] [--seeds 3] [--lags 5,10,20,40,80]
                          [--epochs N] [--skip-novel]
                          [--skip-recall]
"""

from __future__ import annotations

import dataclasses
import time

import rnnbook
import torch
from machine import bench_parser, prepare
from rnnbook.models import tune_k

K, HIDDEN = 8, 16


def recall(steps: int, seeds: int, lags: list[int]) -> None:
    makers = {
        "rnn": lambda: rnnbook.SequenceClassifier("rnn", 2 * K, HIDDEN, K),
        "gru": lambda: rnnbook.start_remembering(
            rnnbook.SequenceClassifier("gru", 2 * K, HIDDEN, K)
        ),
        "lstm": lambda: rnnbook.start_remembering(
            rnnbook.SequenceClassifier("lstm", 2 * K, HIDDEN, K)
        ),
    }
    held = {}
    for name, make in makers.items():
        start = time.perf_counter()
        means = []
        for lag in lags:
            accs = []
            for seed in range(seeds):
                torch.manual_seed(seed)
                accs.append(
                    rnnbook.fit_recall(make(), lag, num_steps=steps, seed=seed)[0]
                )
            means.append(sum(accs) / len(accs))
            print(
                f"recall {name:4s} lag {lag:4d}: "
                + " ".join(f"{a:.2f}" for a in accs)
                + f"  mean {means[-1]:.2f}",
                flush=True,
            )
        held[name] = rnnbook.longest_lag_held(torch.tensor(means)[:, None], lags)
        chance = next((lag for lag, m in zip(lags, means) if m <= 1 / K + 0.05), None)
        print(
            f"recall {name}: longest lag at 0.95 = {held[name]}, "
            f"first lag at chance = {chance}, "
            f"{time.perf_counter() - start:.1f} s",
            flush=True,
        )
    for name in ("gru", "lstm"):
        print(f"recall_ratio_{name}={held[name] / max(held['rnn'], 1):.1f}")


def novel(epochs: int) -> None:
    """The RNN, the GRU and the LSTM trained by ``rnnbook.NOVEL``: the table of
    ``book/gated.md``."""
    protocol = dataclasses.replace(rnnbook.NOVEL, num_epochs=epochs)
    print(f"novel: {protocol}")
    data = rnnbook.TimeMachineData()
    V = len(data.vocab)
    for n in (3, 5):  # the page's counting baselines, tuned as on the page
        k, _ = tune_k(data.train_corpus, n, V, ks=(1.0, 0.3, 0.1, 0.03, 0.01))
        ngram = rnnbook.NGramLM(n, V, k=k).fit(data.train_corpus)
        print(f"novel {n}-gram (k = {k:g}): validation perplexity "
              f"{ngram.perplexity(data.val_corpus):.2f}", flush=True)
    per_step = {}
    for name, make in (
        ("rnn", rnnbook.RNNLM),
        ("gru", rnnbook.GRULM),
        ("lstm", rnnbook.LSTMLM),
    ):
        model, history = rnnbook.fit_on_novel(make, data, protocol, progress=False)
        steps = len(history.grad_norm)
        per_step[name] = history.total_seconds / steps
        ppl = rnnbook.stream_perplexity(model, data.val_corpus)
        params = sum(p.numel() for p in model.parameters())
        print(
            f"novel {name:4s}: {params} parameters, {steps} steps, "
            f"{history.total_seconds:.1f} s, validation perplexity "
            f"(per epoch) {history.val_perplexity[-1]:.2f}, (stream) {ppl:.2f}",
            flush=True,
        )
    for name in ("gru", "lstm"):
        print(f"novel_step_ratio_{name}_vs_rnn={per_step[name] / per_step['rnn']:.2f}")


def main() -> None:
    parser = bench_parser(__doc__, threads=1)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--lags", default="5,10,20,40,80")
    parser.add_argument("--epochs", type=int, default=rnnbook.NOVEL.num_epochs)
    parser.add_argument("--skip-novel", action="store_true")
    parser.add_argument("--skip-recall", action="store_true")
    args = parser.parse_args()
    prepare(args.threads)
    if not args.skip_recall:
        recall(args.steps, args.seeds, [int(v) for v in args.lags.split(",")])
    if not args.skip_novel:
        novel(args.epochs)


if __name__ == "__main__":
    main()
