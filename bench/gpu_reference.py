"""The reference configuration on the GPU beside the CPU, in one run.

    python bench/gpu_reference.py

Trains the scratch, the concise and the fast RNN language models at the reference
configuration (``bench/reference_config.py``) once on the CPU and once on the
first CUDA device, with the same code: the package chooses the device once,
creates its tensors there and moves each minibatch once, never inside the
time loop. Without a CUDA device it says so and exits cleanly: nothing in the
book needs a GPU. The last line is machine-readable (one line, shown wrapped):

    scratch_cpu_seconds=<s> scratch_gpu_seconds=<s> concise_cpu_seconds=<s>
    concise_gpu_seconds=<s> fast_cpu_seconds=<s> fast_gpu_seconds=<s>
"""

from __future__ import annotations

import torch

import rnnbook
from machine import machine_info, prepare
from reference_config import run


def main() -> None:
    if not torch.cuda.is_available():
        print(machine_info())
        print(
            "no CUDA device here: nothing to compare (the book and its tests run on "
            "the CPU)"
        )
        return
    prepare(1)  # one thread, as on the book's pages
    data = rnnbook.TimeMachineData()
    results = {}
    for name in ("scratch", "concise", "fast"):
        for device in ("cpu", "cuda"):
            history = run(name, data, device=device)
            if device == "cuda":
                torch.cuda.synchronize()
            results[f"{name}_{'gpu' if device == 'cuda' else 'cpu'}_seconds"] = (
                history.total_seconds
            )
        print(
            f"{name}: CPU / GPU time = "
            f"{results[f'{name}_cpu_seconds'] / results[f'{name}_gpu_seconds']:.2f}"
        )
    print(" ".join(f"{k}={v:.2f}" for k, v in results.items()))


if __name__ == "__main__":
    main()
