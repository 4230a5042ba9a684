"""The source chapter's computation, written plainly: the baseline that speed
ratios are measured against.

One-hot inputs multiplied inside the time loop, the output layer applied step
by step, outputs stacked batch-major, autograd for every gradient, clipping as
the source writes it. It leaves out the source package's data-loader worker
processes and its plotting, so it is faster than that package itself: a ratio
against it understates the speed-up over the source.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from reference_config import BATCH, CLIP, HIDDEN, LR, STEPS


class SourceStyleLM(nn.Module):
    """``tanh(x W_xh + h W_hh + b_h)`` step by step, then ``h W_hq + b_q`` step by
    step."""

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


class SourceStyleRun:
    """The baseline model and its optimizer, trained an epoch at a time (training
    and validation)."""

    def __init__(self, data, seed: int = 0) -> None:
        self.data, self.V = data, len(data.vocab)
        torch.manual_seed(seed)
        self.model = SourceStyleLM(self.V, HIDDEN)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.epoch = 0

    def run_epoch(self) -> None:
        model, V = self.model, self.V
        for X, Y in self.data.batches(
            "train", "overlapping", BATCH, STEPS, epoch=self.epoch
        ):
            logits, _ = model(X)
            loss = F.cross_entropy(logits.reshape(-1, V), Y.reshape(-1))
            self.opt.zero_grad()
            loss.backward()
            norm = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
            if norm > CLIP:
                for p in model.parameters():
                    p.grad[:] *= CLIP / norm
            self.opt.step()
        with torch.no_grad():
            for X, Y in self.data.batches("val", "overlapping", BATCH, STEPS):
                F.cross_entropy(model(X)[0].reshape(-1, V), Y.reshape(-1)).item()
        self.epoch += 1
