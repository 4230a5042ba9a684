"""Train both RNN language models at the source chapter's reference configuration.

Configuration (``book/rnn_scratch.md``): batch 1,024, 32 steps, 32 hidden units,
SGD with learning rate 1, 100 epochs, gradients clipped to norm 1, the source
chapter's split (the first 10,000 overlapping windows train, the next 5,000
validate). Times are wall-clock seconds of ``fit`` (training and the validation
pass of every epoch), on the CPU unless a GPU is present.

This script reports wall-clock seconds, which on a shared machine swing with
its load from one minute to the next. For ratios that do not,
``bench/same_phase.py`` alternates single epochs of both models with a plain
re-implementation in the source chapter's style, so that all three meet the
same phases of the machine.

    python bench/reference_config.py [--threads N]

By default it keeps torch's default thread count (one intra-op thread per core),
because that is how the source chapter's package ran when it took the 32 s this
run is compared with. The pages use one thread, so that the times they print do
not depend on the build machine's second core: ``--threads 1`` does the same,
and ``bench/run_all.py`` times both. Like the pages, the script keeps freed
memory in the process (``rnnbook.keep_freed_memory``).

The last line has exactly this form:
    scratch_seconds=<s> scratch_val_ppl=<p> concise_seconds=<s> concise_val_ppl=<p>
"""

from __future__ import annotations

import argparse

import torch

import rnnbook
from machine import prepare

BATCH, STEPS, HIDDEN, LR, EPOCHS, CLIP = 1024, 32, 32, 1.0, 100, 1.0
VAL_BATCH = 5000                   # the whole validation split in one batch


def reference_loaders(data: rnnbook.TimeMachineData):
    """The training and validation loaders of the reference configuration (functions of the epoch)."""
    return (data.loader("train", "overlapping", batch_size=BATCH, num_steps=STEPS),
            data.loader("val", "overlapping", batch_size=VAL_BATCH, num_steps=STEPS))


def run(name: str, data, device: str | None = None) -> rnnbook.History:
    """Train model ``name`` ("scratch" or "concise") at the reference configuration on ``device``
    (default: CUDA when available, else the CPU)."""
    V = len(data.vocab)
    torch.manual_seed(0)
    model = rnnbook.RNNLMScratch(rnnbook.RNNScratch(V, HIDDEN), V) if name == "scratch" else rnnbook.RNNLM(HIDDEN, V)
    train, val = reference_loaders(data)
    history = rnnbook.fit_language_model(model, train, val, EPOCHS, lr=LR, clip=CLIP, progress=False,
                                          device=device)
    print(f"{name:>8} on {history_device(model)}: {history.total_seconds:6.1f} s   train ppl {history.train_perplexity[-1]:.2f}   "
          f"val ppl {history.val_perplexity[-1]:.2f}   greedy: {rnnbook.predict(model, data.vocab, 'it has', 20)!r}")
    return history


def history_device(model: torch.nn.Module) -> str:
    return str(next(model.parameters()).device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0,
                        help="torch.set_num_threads (default 0: keep torch's default, one per core; "
                             "1 as on the book's pages)")
    args = parser.parse_args()
    prepare(args.threads)
    print(f"reference configuration: batch {BATCH}, {STEPS} steps, {HIDDEN} hidden, SGD lr {LR}, "
          f"{EPOCHS} epochs, clip {CLIP}, overlapping-window split")
    data = rnnbook.TimeMachineData()
    scratch = run("scratch", data)
    concise = run("concise", data)
    print(f"concise / scratch time: {concise.total_seconds / scratch.total_seconds:.2f}")
    print(f"scratch_seconds={scratch.total_seconds:.2f} scratch_val_ppl={scratch.val_perplexity[-1]:.4f} "
          f"concise_seconds={concise.total_seconds:.2f} concise_val_ppl={concise.val_perplexity[-1]:.4f}")


if __name__ == "__main__":
    main()
