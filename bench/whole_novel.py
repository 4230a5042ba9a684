"""Train the vanilla RNN of ``book/rnn_concise.md`` on the whole novel and report
time and perplexity.

Configuration: ``rnnbook.NOVEL``, the protocol the page trains with (and
``book/gated.md`` reuses for the GRU and the LSTM): ``nn.RNN`` with tanh, random
partitioning of the first 90% of the novel, Adam, clipping, one intra-op thread;
the settings are printed. Validation perplexity is measured each epoch on
random subsequences of the last 10%; at the end the validation text is also
read as one stream with the state carried (``rnnbook.stream_perplexity``), the
number the page compares with the n-gram baselines.

    python bench/whole_novel.py [--threads N] [--epochs N]

The last line has exactly this form:
    whole_novel_seconds=<s> whole_novel_val_ppl=<p>
"""

from __future__ import annotations

import dataclasses

import rnnbook
from machine import bench_parser, prepare


def main() -> None:
    parser = bench_parser(__doc__, threads=1)
    parser.add_argument("--epochs", type=int, default=rnnbook.NOVEL.num_epochs)
    args = parser.parse_args()
    prepare(args.threads)
    protocol = dataclasses.replace(rnnbook.NOVEL, num_epochs=args.epochs)
    print(f"whole novel: nn.RNN tanh, {protocol}")
    data = rnnbook.TimeMachineData()
    model, history = rnnbook.fit_on_novel(
        rnnbook.RNNLM, data, protocol, progress=False
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
