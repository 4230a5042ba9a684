"""Keeping freed memory in the process: a C-allocator setting that speeds up training on a CPU.

Explained in ``book/fast_rnn.md`` (the appendix "Making the RNN fast"). A training step
of the book's models allocates a few tensors of several megabytes and frees them
again. glibc's ``malloc`` serves blocks that large with fresh ``mmap`` calls, or
trims them off the top of its heap once they are freed, so the operating system
takes the pages back and hands them out again at the next step, zeroed, one
4 KiB page fault at a time. How often depends on the process's history (glibc
raises its thresholds to the largest block freed so far); in a fresh process,
``bench/cpu_floor.py`` counted about 1,000 faults in a 13 ms step at the
reference configuration. ``bench/allocator.py`` measures what the setting saves
across fresh processes, alternating processes with and without it.
:func:`keep_freed_memory` tells ``malloc`` to keep that memory and reuse it.
The numbers computed do not change, only where their memory comes from.

The setting belongs to the whole process (it is the C library's, not
PyTorch's), which is why nothing in the package applies it behind the caller's
back: the appendix page and the benchmarks call it once, at the top.
"""

from __future__ import annotations

import ctypes
import platform
import sys

# Parameter numbers of mallopt(3), from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc ignores an mmap threshold above HEAP_MAX_SIZE / 2, which is 32 MiB on 64-bit systems.
MAX_MMAP_THRESHOLD = 32 * 2**20


def has_glibc() -> bool:
    """True on Linux with the GNU C library, the one allocator that :func:`keep_freed_memory` tunes."""
    return sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def keep_freed_memory(keep_bytes: int = 2**30) -> bool:
    """Make ``malloc`` keep freed memory for reuse instead of returning it to the operating system.

    Two ``mallopt`` calls: blocks below 32 MiB come from the heap rather than
    from their own ``mmap`` (``M_MMAP_THRESHOLD``), and up to ``keep_bytes``
    of free memory at the top of the heap stay in the process
    (``M_TRIM_THRESHOLD``). The price is that the process keeps its peak
    memory until it exits. Returns True when both settings were applied;
    False, changing nothing, where the C library is not glibc (macOS,
    Windows, musl). Calling it again is harmless.
    """
    if isinstance(keep_bytes, bool) or not isinstance(keep_bytes, int) or keep_bytes < 0:
        raise ValueError(f"keep_bytes must be a non-negative int (bytes of free memory to keep), got {keep_bytes!r}")
    if keep_bytes >= 2**31:
        raise ValueError(f"keep_bytes must be below 2**31, the largest value mallopt takes, got {keep_bytes}")
    if not has_glibc():
        return False
    libc = ctypes.CDLL(None)  # the symbols of the running process, glibc's among them
    ok_mmap = libc.mallopt(M_MMAP_THRESHOLD, MAX_MMAP_THRESHOLD)
    ok_trim = libc.mallopt(M_TRIM_THRESHOLD, keep_bytes)
    return bool(ok_mmap) and bool(ok_trim)


def minor_page_faults() -> int:
    """Page faults this process has taken so far that needed no disk read (``ru_minflt``).

    Counting them around a piece of code shows how often it touched memory that
    the operating system had to map in. Raises ``OSError`` where the count is
    not available (Windows).
    """
    try:
        import resource
    except ImportError as err:  # Windows has no resource module
        raise OSError("page-fault counts need the Unix resource module, which this platform lacks") from err
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
