"""Train the vanilla RNN of ``book/rnn_concise.md`` on the whole novel and report
time and perplexity.

Configuration (the same as the page): ``nn.RNN`` with tanh, 256 hidden units,
random partitioning of the first 90% of the novel into subsequences of 64
characters, minibatches of 32, Adam with learning rate 0.005, clipping at 1, 25
epochs, one intra-op thread. Validation perplexity is measured each epoch on
random subsequences of the last 10%; at the end the validation text is also
read as one stream with the state carried (``rnnbook.stream_perplexity``), the
number the page compares with the n-gram baselines.

    python bench/whole_novel.py [--threads N] [--epochs N]

The last line has exactly this form:
    whole_novel_seconds=<s> whole_novel_val_ppl=<p>
"""

from __future__ import annotations

import argparse

import torch

import rnnbook
from machine import prepare

HIDDEN, STEPS, BATCH, LR, CLIP, EPOCHS = 256, 64, 32, 0.005, 1.0, 25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch.set_num_threads (0 keeps torch's default)",
    )
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    prepare(args.threads)
    print(
        f"whole novel: nn.RNN tanh, {HIDDEN} hidden, random partitioning, {STEPS} "
        f"steps, batch {BATCH}, "
        f"Adam lr {LR}, clip {CLIP}, {args.epochs} epochs"
    )
    data = rnnbook.TimeMachineData()
    V = len(data.vocab)
    torch.manual_seed(0)
    model = rnnbook.RNNLM(HIDDEN, V)
    train = data.loader("train", "random", batch_size=BATCH, num_steps=STEPS)
    val = data.loader("val", "random", batch_size=256, num_steps=STEPS, drop_last=False)
    history = rnnbook.fit_language_model(
        model,
        train,
        val,
        args.epochs,
        optimizer="adam",
        lr=LR,
        clip=CLIP,
        progress=False,
    )
    stream = rnnbook.stream_perplexity(model, data.val_corpus)
    print(
        "validation perplexity per epoch:",
        " ".join(f"{p:.2f}" for p in history.val_perplexity),
    )
    print(
        f"{history.total_seconds:.1f} s "
        f"({history.total_seconds / args.epochs:.2f} s per epoch): "
        f"train ppl {history.train_perplexity[-1]:.2f}, val ppl "
        f"{history.val_perplexity[-1]:.2f}, "
        f"val ppl read as one stream {stream:.2f}"
    )
    print(
        f"whole_novel_seconds={history.total_seconds:.2f} "
        f"whole_novel_val_ppl={history.val_perplexity[-1]:.4f}"
    )


if __name__ == "__main__":
    main()
