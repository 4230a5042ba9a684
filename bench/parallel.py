"""One training step of minGRU against the GRU, at long sequence lengths, in one run.

    python bench/parallel.py [--lengths 512 4096] [--repeats 7] [--threads 0]
                             [--batch 32] [--device cpu|cuda]

For each sequence length, builds the one-layer language models of
``book/parallel_rnn.md`` (256 hidden units, batch 32, the novel's 28
characters as one-hot inputs) and times one training step of each (forward,
backward, Adam update) on the same minibatch, *alternating* the models step by
step so that all of them meet the same moments of a shared machine. Rows:

* ``mingru``: :class:`rnnbook.MinGRULM` with the method the package picks
  for the device (``"fused"`` on a CPU, ``"parallel"`` on a GPU);
* ``mingru-parallel``, ``mingru-sequential``: the same model with the tree
  scan and with the plain loop differentiated by autograd;
* ``gru``: :class:`rnnbook.GRULM`, on ``nn.GRU``;
* ``gru-scratch``: the book's GRU written from scratch, when the package has
  one (``rnnbook.GRUScratch``, from the gated-cells section); skipped otherwise.

It prints the median step time of each, the ratio ``gru / model`` (how many
times faster than ``nn.GRU``), and the peak memory of each model's run: on a
GPU ``torch.cuda.max_memory_allocated``; on a CPU the peak resident memory
(VmHWM) of a fresh process that runs only that model, and its increase over
the same process before the model was built. The last line is
machine-readable: ``<model>_<length>_ratio=<gru/model>``, ``<model>_<length>_ms``
and ``<model>_<length>_peak_mib`` for each model and length.

``--threads 0`` (the default) keeps torch's default number of threads.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

import rnnbook
from machine import bench_parser, prepare

V, H = 28, 256


def make_model(name: str) -> rnnbook.LanguageModel:
    if name == "mingru":
        return rnnbook.MinGRULM(H, V)
    if name.startswith("mingru-"):
        return rnnbook.MinGRULM(H, V, method=name.split("-", 1)[1])
    if name == "gru":
        return rnnbook.GRULM(H, V)
    if name == "gru-scratch":
        return rnnbook.GRULM(H, V, scratch=True)
    raise ValueError(f"unknown model {name!r}")


def model_names() -> list[str]:
    names = ["gru", "mingru", "mingru-parallel", "mingru-sequential"]
    if hasattr(rnnbook, "GRUScratch") and hasattr(rnnbook, "GRULM"):
        names.append("gru-scratch")
    return names


def trainer_step(model: rnnbook.LanguageModel, X: torch.Tensor, Y: torch.Tensor):
    """One training step, as the book's trainer takes it: loss, backward, update."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> None:
        opt.zero_grad()
        loss, _ = model.loss(X, Y)
        loss.backward()
        opt.step()

    return step


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def batch(
    size: int, length: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(length)
    XY = torch.randint(0, V, (size, length + 1), generator=g)
    return XY[:, :-1].to(device), XY[:, 1:].to(device)


def vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def one_model_memory(name: str, length: int, size: int) -> None:
    """Child process: one model, three steps; prints the peak and the baseline (MiB)."""
    before = vm_kib("VmRSS")
    torch.manual_seed(0)
    model = make_model(name)
    step = trainer_step(model, *batch(size, length, torch.device("cpu")))
    for _ in range(3):
        step()
    print(f"{vm_kib('VmHWM') / 1024:.0f} {before / 1024:.0f}")


def cpu_peak_mib(
    name: str, length: int, size: int, threads: int
) -> tuple[float, float]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--memory-of",
            name,
            str(length),
            "--threads",
            str(threads),
            "--batch",
            str(size),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    peak, before = float(out[-2]), float(out[-1])
    return peak, peak - before


def main() -> None:
    parser = bench_parser(__doc__, threads=0)
    parser.add_argument("--lengths", type=int, nargs="+", default=[512, 4096])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch", type=int, default=32, help="sequences per batch")
    parser.add_argument(
        "--device", default=None, help="cpu or cuda (default: cuda if there is one)"
    )
    parser.add_argument(
        "--skip-sequential",
        action="store_true",
        help="leave out the autograd loop (slow at long lengths)",
    )
    parser.add_argument(
        "--memory-of", nargs=2, metavar=("MODEL", "LENGTH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.memory_of:
        one_model_memory(args.memory_of[0], int(args.memory_of[1]), args.batch)
        return
    prepare(args.threads)
    device = torch.device(args.device) if args.device else rnnbook.default_device()
    names = [
        n
        for n in model_names()
        if not (args.skip_sequential and n == "mingru-sequential")
    ]
    print(
        f"device: {device}; models: {', '.join(names)}; 'mingru' uses method "
        f"{rnnbook.scan.fastest_method(device)!r}; "
        f"batch {args.batch}, hidden {H}, vocab {V}; "
        f"{args.repeats} alternating rounds, medians"
    )
    result = {}
    for length in args.lengths:
        X, Y = batch(args.batch, length, device)
        steps = {}
        for name in names:
            torch.manual_seed(0)
            steps[name] = trainer_step(make_model(name).to(device), X, Y)
            steps[name]()  # warm-up
        times = {name: [] for name in names}
        for _ in range(args.repeats):
            for name in names:  # alternate: same moments of the machine
                synchronize(device)
                start = time.perf_counter()
                steps[name]()
                synchronize(device)
                times[name].append(time.perf_counter() - start)
        print(f"\nsequence length {length}")
        print(
            f"{'model':20s} {'step (ms)':>10s} {'gru / model':>12s} "
            f"{'peak memory (MiB)':>18s}"
        )
        gru = statistics.median(times["gru"])
        for name in names:
            med = statistics.median(times[name])
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
                torch.manual_seed(0)
                trainer_step(make_model(name).to(device), X, Y)()
                peak = torch.cuda.max_memory_allocated() / 2**20
                memory = f"{peak:18.0f}"
            else:
                peak, grown = cpu_peak_mib(name, length, args.batch, args.threads)
                memory = f"{peak:9.0f} (+{grown:.0f})"
            print(f"{name:20s} {med * 1e3:10.1f} {gru / med:12.2f} {memory:>18s}")
            result[f"{name}_{length}_ratio"] = gru / med
            result[f"{name}_{length}_ms"] = med * 1e3
            result[f"{name}_{length}_peak_mib"] = peak
    print(" ".join(f"{k}={v:.2f}" for k, v in result.items()))


if __name__ == "__main__":
    main()
