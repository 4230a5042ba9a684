"""How fast could one training step at the reference configuration be on this CPU?

Measured in one run and on one thread, per training minibatch (batch 1,024,
32 steps, 32 hidden units, 28 tokens), so that the ratios can be trusted on a
noisy machine (explained in ``book/fast_rnn.md``):

* ``fast``: the trainer's step for the appendix's ``rnnbook.FastRNNLMScratch``:
  ``model.loss`` (``rnnbook.models.fast.scratch_lm_loss``), ``backward``,
  clipping and the SGD update;
* ``plain``: the same step for the lesson's ``rnnbook.RNNLMScratch``;
* ``bare``: the fast model's arithmetic with the same PyTorch kernels and no
  autograd, no checks, no clipping and no update: the model's own time loops
  (``rnnbook.models.fast.run_recurrence`` and ``backward_through_time``), and
  the output layer as one straight sequence of calls into buffers allocated
  once: a floor for eager PyTorch;
* ``products``: only the matrix products of that sequence (4 over all 32,768
  positions, 64 small ones inside the time loop): a floor for anything that
  does them in float32 with PyTorch's BLAS.

``products_bf16`` repeats the four large products in bfloat16 (with the
conversions), to show what mixed precision would change; the package does not
use it. (Whether the C allocator's settings matter is measured across fresh
processes by ``bench/allocator.py``.)

    python bench/cpu_floor.py [--repeats N]

Each variant is timed ``N`` times after three warm-up calls, and the median is
kept. The last line has the form (one line, shown wrapped)
    fast_ms=<ms> plain_ms=<ms> bare_ms=<ms> products_ms=<ms> products_bf16_ms=<ms>
    bare_100_epochs_s=<s>
where ``bare_100_epochs_s`` is ``bare_ms`` times the 1,000 training steps of the
reference run, validation not included.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch

import rnnbook
from machine import machine_info
from rnnbook.models.fast import backward_through_time, run_recurrence

T, B, HID, V = 32, 1024, 32, 28
N = T * B
STEPS_PER_RUN = 100 * 10  # 100 epochs of 10 training minibatches


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median of ``repeats`` timed calls after three warm-up calls, in milliseconds."""
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=30,
        help="timed calls of each variant (the median is kept)",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(machine_info())

    data = rnnbook.TimeMachineData()
    assert len(data.vocab) == V
    X, Y = next(iter(data.loader("train", "overlapping", batch_size=B, num_steps=T)(0)))

    def trainer_step(cls):
        torch.manual_seed(0)
        model = cls(rnnbook.RNNScratch(V, HID), V)
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        params = list(model.parameters())

        def step() -> None:
            opt.zero_grad()
            loss, _ = model.loss(X, Y)
            loss.backward()
            rnnbook.clip_gradients(params, 1.0)
            opt.step()

        return step

    package_step = trainer_step(rnnbook.FastRNNLMScratch)
    plain_step = trainer_step(rnnbook.RNNLMScratch)

    # The same arithmetic as rnnbook.models.fast.ScratchLMLoss: its time loops,
    # and the output layer straight-line, into buffers allocated once.
    gen = torch.Generator().manual_seed(0)
    idx, tgt = X.T.reshape(-1), Y.T.reshape(-1)  # time-major token indices
    table = torch.randn(V, HID, generator=gen) * 0.3  # 2 (W_xh + b_h)
    W_hh = torch.randn(HID, HID, generator=gen) * 0.15
    W2 = W_hh * 2  # 2 W_hh, for the products alone below
    H0 = torch.zeros(B, HID)
    WqT = torch.randn(V, HID, generator=gen) * 0.3  # log2(e) W_hq^T
    bq = torch.zeros(V, 1)  # log2(e) b_q
    S, dZ = torch.empty(T, B, HID), torch.empty(T, B, HID)
    logits = torch.empty(V, N)
    dW, dWq, dtab = torch.empty(HID, HID), torch.empty(V, HID), torch.empty(V, HID)
    minus = torch.tensor(-1.0 / N)

    def bare_step() -> None:
        torch.index_select(table, 0, idx, out=S.view(N, HID))  # input lookup: 2 P_t
        run_recurrence(S, H0, W_hh)  # h_t = 2 sigmoid(2 z_t) - 1, in place
        torch.addmm(bq, WqT, S.view(N, HID).T, out=logits)  # (vocab, positions), base 2
        logits.gather(0, tgt[None])
        top = logits.amax(0)
        total = logits.sub_(top).exp2_().sum(0)
        total.log2()
        logits.mul_(total.mul(N).reciprocal_())  # softmax / N
        logits.scatter_add_(0, tgt[None], minus.expand(1, N))  # - onehot / N
        torch.mm(logits, S.view(N, HID), out=dWq)  # dL/dW_hq^T
        logits.sum(1)  # dL/db_q
        torch.mm(logits.T, WqT, out=dZ.view(N, HID))  # dL/dh_t
        backward_through_time(dZ, S, H0, W_hh, need_dH0=False)  # and dL/dW_hh
        dtab.zero_().index_add_(0, idx, dZ.view(N, HID))  # dL/dW_xh

    Hs, Hsmall, out_small = S.view(N, HID), torch.zeros(B, HID), torch.empty(B, HID)
    dH = torch.empty(N, HID)

    def products() -> None:
        torch.mm(WqT, Hs.T, out=logits)
        torch.mm(logits.T, WqT, out=dH)
        torch.mm(logits, Hs, out=dWq)
        torch.mm(Hs.T, dZ.view(N, HID), out=dW)
        for _ in range(2 * T):
            torch.mm(Hsmall, W2, out=out_small)

    def products_bf16() -> None:
        Hb, Wb, Zb = Hs.bfloat16(), WqT.bfloat16(), dZ.view(N, HID).bfloat16()
        # The logits go to float32 for the softmax and come back as bfloat16 for
        # the two gradient products: both conversions are part of what mixed
        # precision would cost.
        Lb = torch.mm(Wb, Hb.T).float().bfloat16()
        torch.mm(Lb.T, Wb)
        torch.mm(Lb, Hb)
        torch.mm(Hb.T, Zb)
        for _ in range(2 * T):
            torch.mm(Hsmall, W2, out=out_small)

    r = args.repeats
    package = median_ms(package_step, r)
    plain = median_ms(plain_step, r)
    bare = median_ms(bare_step, r)
    prod = median_ms(products, r)
    prod_bf16 = median_ms(products_bf16, r)
    print(
        f"one training step at the reference configuration, median of {r}, one thread:"
    )
    print(f"  fast model (FastRNNLMScratch)                  {package:6.2f} ms")
    print(
        f"  lesson model (plain autograd)                  {plain:6.2f} ms  "
        f"({plain / package:.0%} of the fast step)"
    )
    print(
        f"  bare arithmetic, no autograd                   {bare:6.2f} ms  "
        f"({bare / package:.0%})"
    )
    print(
        f"  matrix products alone (float32)                {prod:6.2f} ms  "
        f"({prod / package:.0%})"
    )
    print(
        f"  matrix products, large ones in bfloat16        {prod_bf16:6.2f} ms  "
        f"({prod_bf16 / package:.0%})"
    )
    print(
        "1,000 training steps (100 epochs, validation not included): fast "
        f"{package:.1f} s, plain {plain:.1f} s, "
        f"bare {bare:.1f} s, products alone {prod:.1f} s"
    )
    print(
        f"fast_ms={package:.3f} plain_ms={plain:.3f} bare_ms={bare:.3f} "
        f"products_ms={prod:.3f} "
        f"products_bf16_ms={prod_bf16:.3f} "
        f"bare_100_epochs_s={bare * STEPS_PER_RUN / 1e3:.2f}"
    )


if __name__ == "__main__":
    main()
