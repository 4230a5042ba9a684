"""What machine a benchmark ran on: printed above every table, since timings mean
nothing without it."""

from __future__ import annotations

import argparse
import os
import platform

import torch

from rnnbook.machine import cpu_model


def machine_info() -> str:
    """One line per fact: CPU, cores, load, torch, GPU."""
    lines = [
        f"CPU: {cpu_model()}; cores visible: {os.cpu_count()}; torch threads: "
        f"{torch.get_num_threads()}"
    ]
    if hasattr(os, "getloadavg"):  # other work on the machine slows every side alike
        lines.append(
            "load average (1, 5, 15 min): "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        )
    lines.append(
        f"torch {torch.__version__}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}"
    )
    lines.append(
        "GPU: "
        + (torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")
    )
    return "\n".join(lines)


def prepare(threads: int) -> None:
    """Set a benchmark's threads and print what it runs on.

    ``threads``: ``torch.set_num_threads(threads)``, or 0 to keep torch's
    default (one thread per core).
    """
    if threads:
        torch.set_num_threads(threads)
    print(machine_info())


def bench_parser(doc: str, threads: int = 1) -> argparse.ArgumentParser:
    """The argument parser every benchmark starts from: described by the first
    line of its docstring ``doc``, with ``--threads`` for :func:`prepare`
    (default ``threads``)."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument(
        "--threads",
        type=int,
        default=threads,
        help=f"torch.set_num_threads (default {threads}; 0 keeps torch's "
        "default, one thread per core; 1 is how the book is built)",
    )
    return parser


def parse_result_line(output: str) -> dict[str, float]:
    """The last line of a benchmark's output, ``key=value key=value ...``, as a dict."""
    last = output.strip().splitlines()[-1]
    return {k: float(v) for k, v in (item.split("=", 1) for item in last.split())}
