"""Train both RNN language models at the source chapter's reference configuration.

Configuration (``book/rnn_scratch.md``): batch 1,024, 32 steps, 32 hidden units,
SGD with learning rate 1, 100 epochs, gradients clipped to norm 1, the source
chapter's split (the first 10,000 overlapping windows train, the next 5,000
validate). Times are wall-clock seconds of ``fit`` (training and the validation
pass of every epoch), on the CPU unless a GPU is present.

For a ratio that does not depend on how busy the machine is, ``--baseline-epochs
N`` (default 10) also times N epochs of a plain re-implementation in the source
chapter's style, in this same process: one-hot inputs multiplied inside the time
loop, the output layer applied step by step, outputs stacked batch-major. (It
leaves out the source package's data-loader worker processes and plotting, so
it is faster than the source package itself.)

    python bench/reference_config.py [--threads N] [--baseline-epochs N]

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
import time

import torch
from torch import nn
from torch.nn import functional as F

import rnnbook
from machine import prepare

BATCH, STEPS, HIDDEN, LR, EPOCHS, CLIP = 1024, 32, 32, 1.0, 100, 1.0


class SourceStyleLM(nn.Module):
    """The source chapter's computation, written plainly: the baseline for the speed ratio."""

    def __init__(self, vocab_size: int, num_hiddens: int, sigma: float = 0.01) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.W_xh = nn.Parameter(torch.randn(vocab_size, num_hiddens) * sigma)
        self.W_hh = nn.Parameter(torch.randn(num_hiddens, num_hiddens) * sigma)
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))
        self.W_hq = nn.Parameter(torch.randn(num_hiddens, vocab_size) * sigma)
        self.b_q = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, X, state=None):
        inputs = F.one_hot(X.T, self.vocab_size).float()
        state = torch.zeros(X.shape[0], self.W_hh.shape[0]) if state is None else state
        outputs = []
        for x in inputs:
            state = torch.tanh(x @ self.W_xh + state @ self.W_hh + self.b_h)
            outputs.append(state)
        return torch.stack([h @ self.W_hq + self.b_q for h in outputs], 1), state


def source_style_epochs(data, num_epochs: int) -> float:
    """Seconds per epoch of the source-style baseline (training and validation)."""
    V = len(data.vocab)
    torch.manual_seed(0)
    model = SourceStyleLM(V, HIDDEN)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    start = time.perf_counter()
    for epoch in range(num_epochs):
        for X, Y in data.batches("train", "overlapping", BATCH, STEPS, epoch=epoch):
            logits, _ = model(X)
            loss = F.cross_entropy(logits.reshape(-1, V), Y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            norm = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))
            if norm > CLIP:
                for p in model.parameters():
                    p.grad[:] *= CLIP / norm
            opt.step()
        with torch.no_grad():
            for X, Y in data.batches("val", "overlapping", BATCH, STEPS):
                F.cross_entropy(model(X)[0].reshape(-1, V), Y.reshape(-1)).item()
    return (time.perf_counter() - start) / num_epochs


def run(name: str, data, device: str | None = None) -> rnnbook.History:
    """Train model ``name`` ("scratch" or "concise") at the reference configuration on ``device``
    (default: CUDA when available, else the CPU)."""
    V = len(data.vocab)
    torch.manual_seed(0)
    model = rnnbook.RNNLMScratch(rnnbook.RNNScratch(V, HIDDEN), V) if name == "scratch" else rnnbook.RNNLM(HIDDEN, V)
    train = data.loader("train", "overlapping", batch_size=BATCH, num_steps=STEPS)
    val = data.loader("val", "overlapping", batch_size=5000, num_steps=STEPS)
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
    parser.add_argument("--baseline-epochs", type=int, default=10, help="epochs of the source-style baseline (0: skip)")
    args = parser.parse_args()
    prepare(args.threads)
    print(f"reference configuration: batch {BATCH}, {STEPS} steps, {HIDDEN} hidden, SGD lr {LR}, "
          f"{EPOCHS} epochs, clip {CLIP}, overlapping-window split")
    data = rnnbook.TimeMachineData()
    scratch = run("scratch", data)
    concise = run("concise", data)
    per_epoch = {"scratch": scratch.total_seconds / EPOCHS, "concise": concise.total_seconds / EPOCHS}
    print(f"concise / scratch time: {concise.total_seconds / scratch.total_seconds:.2f}")
    if args.baseline_epochs > 0:
        base = source_style_epochs(data, args.baseline_epochs)
        print(f"source-style baseline: {base:.3f} s per epoch ({base * EPOCHS:.1f} s for {EPOCHS} epochs, "
              f"extrapolated from {args.baseline_epochs}); speed-up scratch {base / per_epoch['scratch']:.2f}x, "
              f"concise {base / per_epoch['concise']:.2f}x")
    print(f"scratch_seconds={scratch.total_seconds:.2f} scratch_val_ppl={scratch.val_perplexity[-1]:.4f} "
          f"concise_seconds={concise.total_seconds:.2f} concise_val_ppl={concise.val_perplexity[-1]:.4f}")


if __name__ == "__main__":
    main()
