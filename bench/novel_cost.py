"""Cost of one training step of the whole-novel language models, by cell and size.

Chooses the protocol of ``rnnbook.NOVEL`` (``book/rnn_concise.md``, reused by
``book/gated.md``): the gated page trains an RNN, a GRU and an LSTM with it, so its
cost is the sum of the three cells' costs per step times the number of steps.
Each configuration trains ``--steps`` minibatches of the protocol's shape (32
subsequences of 64 characters, Adam, clipping at 1) with the book's trainer;
configurations take turns for ``--rounds`` rounds, so that the machine's slow and
fast phases fall on all of them alike, and the median of the rounds is reported,
in milliseconds per step and as a ratio to the RNN with 256 hidden units.

    python bench/novel_cost.py [--threads 1] [--sizes 64,128,192,256] [--steps 10]
                               [--rounds 3]

The last line has the form ``novel_cost_<cell>_<size>=<ratio> ...``.
"""

from __future__ import annotations

import statistics
import time

import rnnbook
import torch
from machine import bench_parser, prepare

CELLS = {"rnn": rnnbook.RNNLM, "gru": rnnbook.GRULM, "lstm": rnnbook.LSTMLM}


def main() -> None:
    parser = bench_parser(__doc__, threads=1)
    parser.add_argument("--sizes", default="64,128,192,256")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    prepare(args.threads)
    protocol = rnnbook.NOVEL
    data = rnnbook.TimeMachineData()
    V = len(data.vocab)
    batches = protocol.train_loader(data)(0)[: args.steps]
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [(cell, h) for h in sizes for cell in CELLS]
    times: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    for cell in CELLS:  # warm-up, untimed: the first call of each layer pays set-up
        rnnbook.fit_language_model(CELLS[cell](8, V), batches[:1], None, 1,
                                   optimizer="adam", lr=protocol.lr,
                                   progress=False, live=False)
    for _ in range(args.rounds):
        for cell, h in configs:
            torch.manual_seed(0)
            model = CELLS[cell](h, V)
            start = time.perf_counter()
            rnnbook.fit_language_model(model, batches, None, 1, optimizer="adam",
                                       lr=protocol.lr, clip=protocol.clip,
                                       progress=False, live=False)
            times[cell, h].append((time.perf_counter() - start) / len(batches))
    base = statistics.median(times.get(("rnn", 256)) or times[configs[0]])
    steps_per_epoch = len(protocol.train_loader(data)(0))
    print(f"{steps_per_epoch} steps per epoch; ms per step (median of "
          f"{args.rounds} rounds), ratio to the reference")
    for h in sizes:
        row = [f"h={h:4d}"]
        for cell in CELLS:
            t = statistics.median(times[cell, h])
            row.append(f"{cell} {1e3 * t:7.1f} ms ({t / base:4.2f})")
        three = sum(statistics.median(times[c, h]) for c in CELLS)
        row.append(f"all three, one epoch: {three * steps_per_epoch:5.1f} s")
        print("  ".join(row), flush=True)
    print(" ".join(f"novel_cost_{c}_{h}={statistics.median(times[c, h]) / base:.3f}"
                   for c, h in configs))


if __name__ == "__main__":
    main()
