"""What machine a timing was measured on.

A time or a speed ratio describes the machine that built the page, not the
reader's: pages that show one glue :func:`describe_machine` beside it
(``book/parallel_rnn.md``, ``book/fast_rnn.md``), and ``bench/`` prints it
above every table.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

__all__ = ["cpu_model", "describe_machine"]


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "an unnamed CPU"


def describe_machine() -> str:
    """One phrase for a page: CPU model, cores, PyTorch threads and kernel set,
    e.g. ``"AMD EPYC 7B13 (2 cores), 1 PyTorch thread, AVX2 kernels"``."""
    threads = torch.get_num_threads()
    kernels = torch.backends.cpu.get_cpu_capability()  # what ATen dispatches to
    return (
        f"{cpu_model()} ({os.cpu_count()} cores), {threads} PyTorch "
        f"thread{'s' if threads != 1 else ''}, {kernels} kernels"
    )
