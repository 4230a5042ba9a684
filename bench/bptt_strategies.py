"""Full, truncated and randomized BPTT training the character model: time per
epoch and perplexity.

The experiment of ``book/bptt_truncation.md`` ("The strategies compared by
training") in the configuration of the source chapter, run as a script: the
scratch RNN language model (32 hidden units) on the source chapter's split
(first 10,000 overlapping windows of 32 characters train, the next 5,000
validate), batch 1,024, Adam with learning rate 0.01, gradients clipped to norm
1, 20 epochs. Every strategy starts from the same initial weights and reads the
same minibatches; only the gradient differs (``rnnbook.BPTTTrainer``). Times
are wall-clock seconds per epoch (training and validation), measured one run
after the other in this process, so compare them as ratios to full BPTT; the
machine is shared.

    python bench/bptt_strategies.py [--epochs N] [--threads N]

The last line has exactly this form (seconds per epoch and final validation
perplexity of each strategy; k2/k4/k8 = regular truncation, r9/r7 =
randomized with keep probability 0.9/0.7):

    full_sec=<s> full_ppl=<p> k8_sec=<s> k8_ppl=<p> ... r7_sec=<s> r7_ppl=<p>
"""

from __future__ import annotations


import torch

import rnnbook
from machine import bench_parser, prepare

STRATEGIES = {
    "full": {},
    "k8": {"truncation": 8},
    "k4": {"truncation": 4},
    "k2": {"truncation": 2},
    "r9": {"truncation": "randomized", "keep_prob": 0.9},
    "r7": {"truncation": "randomized", "keep_prob": 0.7},
}


def main() -> None:
    parser = bench_parser(__doc__, threads=1)
    parser.add_argument(
        "--epochs",
        type=int,
        default=20,
        help="epochs per strategy (default 20, as on the page)",
    )
    args = parser.parse_args()
    prepare(args.threads)
    print(
        "character model, 32 hidden, batch 1024, 32 steps, Adam lr 0.01, clip 1, "
        f"{args.epochs} epochs"
    )

    data = rnnbook.TimeMachineData()
    V = len(data.vocab)
    train = data.loader("train", "overlapping", batch_size=1024, num_steps=32)
    val = data.loader("val", "overlapping", batch_size=5000, num_steps=32)
    torch.manual_seed(0)
    model = rnnbook.RNNLMScratch(rnnbook.RNNScratch(V, 32), V)
    runs = rnnbook.compare_strategies(
        model,
        STRATEGIES,
        train,
        val,
        args.epochs,
        optimizer="adam",
        lr=0.01,
        clip=1.0,
        seed=0,
        progress=False,
        live=False,
    )

    full = runs["full"].history.total_seconds
    print(f"{'strategy':>8}  {'s/epoch':>8}  {'vs full':>7}  {'val ppl':>7}")
    results = []
    for name, run in runs.items():
        h = run.history
        print(
            f"{name:>8}  {h.total_seconds / args.epochs:8.3f}  "
            f"{h.total_seconds / full:7.2f}  "
            f"{h.val_perplexity[-1]:7.3f}"
        )
        results.append(
            f"{name}_sec={h.total_seconds / args.epochs:.4f} "
            f"{name}_ppl={h.val_perplexity[-1]:.4f}"
        )
    print(" ".join(results))


if __name__ == "__main__":
    main()
