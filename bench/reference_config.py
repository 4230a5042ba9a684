"""Train the three RNN language models at the source chapter's reference configuration.

Configuration (Zhang et al., *Dive into Deep Learning*, the RNN chapter): batch
1,024, 32 steps, 32 hidden units, SGD with learning rate 1, 100 epochs,
gradients clipped to norm 1, and that chapter's split (the first 10,000
overlapping windows train, the next 5,000 validate). Times are wall-clock
seconds of ``fit`` (training and the validation pass of every epoch), seed 0.
The three models:

* ``scratch``: ``rnnbook.RNNLMScratch``, the plain model of ``book/rnn_scratch.md``;
* ``concise``: ``rnnbook.RNNLM`` on ``torch.nn.RNN`` (``book/rnn_concise.md``);
* ``fast``: ``rnnbook.FastRNNLMScratch``, the appendix's model (``book/fast_rnn.md``).

Wall-clock seconds swing with a shared machine's load; ``bench/same_phase.py``
gives ratios that do not.

    python bench/reference_config.py [--threads N]

``--threads`` defaults to 1, as the book is built. The last line has exactly this
form (one line, shown wrapped):
    scratch_seconds=<s> scratch_val_ppl=<p> concise_seconds=<s> concise_val_ppl=<p>
    fast_seconds=<s> fast_val_ppl=<p>
"""

from __future__ import annotations


import torch

import rnnbook
from machine import bench_parser, prepare

BATCH, STEPS, HIDDEN, LR, EPOCHS, CLIP = 1024, 32, 32, 1.0, 100, 1.0
VAL_BATCH = 5000  # the whole validation split in one batch (the baseline: 1,024)
MODELS = ("scratch", "concise", "fast")


def make_model(name: str, vocab_size: int) -> rnnbook.LanguageModel:
    """A fresh model ``name`` (one of ``MODELS``) at the reference size; seed before
    calling."""
    if name == "scratch":
        return rnnbook.RNNLMScratch(rnnbook.RNNScratch(vocab_size, HIDDEN), vocab_size)
    if name == "fast":
        return rnnbook.FastRNNLMScratch(
            rnnbook.RNNScratch(vocab_size, HIDDEN), vocab_size
        )
    if name == "concise":
        return rnnbook.RNNLM(HIDDEN, vocab_size)
    raise ValueError(f"unknown model {name!r}: use one of {MODELS}")


def reference_loaders(data: rnnbook.TimeMachineData, seed: int = 0):
    """The training and validation loaders of the reference configuration
    (functions of the epoch)."""
    return (
        data.loader(
            "train", "overlapping", batch_size=BATCH, num_steps=STEPS, seed=seed
        ),
        data.loader("val", "overlapping", batch_size=VAL_BATCH, num_steps=STEPS),
    )


def run(name: str, data, seed: int = 0, device: str | None = None) -> rnnbook.History:
    """Train model ``name`` at the reference configuration with ``seed`` on ``device``
    (default: CUDA when available, else the CPU)."""
    torch.manual_seed(seed)
    model = make_model(name, len(data.vocab))
    train, val = reference_loaders(data, seed)
    history = rnnbook.fit_language_model(
        model,
        train,
        val,
        EPOCHS,
        lr=LR,
        clip=CLIP,
        seed=seed,
        progress=False,
        device=device,
    )
    where = next(model.parameters()).device
    print(
        f"{name:>8} on {where}, seed {seed}: {history.total_seconds:6.1f} s   "
        f"train ppl {history.train_perplexity[-1]:.2f}   val ppl "
        f"{history.val_perplexity[-1]:.2f}   "
        f"greedy: {rnnbook.predict(model, data.vocab, 'it has', 20)!r}",
        flush=True,
    )
    return history


def main() -> None:
    parser = bench_parser(__doc__, threads=1)
    args = parser.parse_args()
    prepare(args.threads)
    print(
        f"reference configuration: batch {BATCH}, {STEPS} steps, {HIDDEN} hidden, SGD "
        f"lr {LR}, "
        f"{EPOCHS} epochs, clip {CLIP}, overlapping-window split"
    )
    data = rnnbook.TimeMachineData()
    results = {name: run(name, data) for name in MODELS}
    print(
        " ".join(
            f"{name}_seconds={h.total_seconds:.2f} "
            f"{name}_val_ppl={h.val_perplexity[-1]:.4f}"
            for name, h in results.items()
        )
    )


if __name__ == "__main__":
    main()
