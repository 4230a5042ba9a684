"""rnnbook.cpu: keeping freed memory in the process, and counting page faults."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import torch

import rnnbook
from rnnbook.cpu import has_glibc, keep_freed_memory, minor_page_faults

needs_glibc = pytest.mark.skipif(not has_glibc(), reason="mallopt is glibc's; elsewhere the call changes nothing")


def test_minor_page_faults_counts_memory_touched_for_the_first_time():
    before = minor_page_faults()
    x = torch.ones(16 * 2**20 // 4)          # 16 MiB written: thousands of 4 KiB pages, or 8 huge pages
    after = minor_page_faults()
    assert isinstance(before, int) and after > before
    del x


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1G", 2**31])
def test_keep_freed_memory_rejects_a_bad_size_by_name(bad):
    with pytest.raises(ValueError, match="keep_bytes"):
        keep_freed_memory(bad)


@needs_glibc
def test_keep_freed_memory_applies_on_glibc_and_can_be_called_twice():
    assert keep_freed_memory() is True
    assert keep_freed_memory() is True
    assert rnnbook.keep_freed_memory is keep_freed_memory


@needs_glibc
def test_after_keep_freed_memory_a_loop_of_large_tensors_stops_faulting():
    # In a fresh process whose malloc starts at glibc's documented default thresholds (128 KiB),
    # fixed through the environment: left alone, glibc raises them as blocks are freed, at times
    # enough to hide the effect, so "before" would depend on the order of earlier allocations.
    script = textwrap.dedent("""
        import torch
        from rnnbook.cpu import keep_freed_memory, minor_page_faults

        def one_round():                            # like a training step: several 4 MiB tensors
            blocks = [torch.full((2**20,), 1.0) for _ in range(6)]   # alive at once, then all freed
            return sum(b[-1].item() for b in blocks)

        def faults_per_round(rounds=20):
            for _ in range(3):                      # warm up
                one_round()
            start = minor_page_faults()
            for _ in range(rounds):
                one_round()
            return (minor_page_faults() - start) / rounds

        before = faults_per_round()
        assert keep_freed_memory()
        faults_per_round()                          # the heap grows to hold the block once
        print(before, faults_per_round())
    """)
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    before, after = map(float, out.stdout.split())
    assert before > 1000     # 24 MiB handed back to the system and mapped in again each round
    assert after < 5         # the same blocks reused, already mapped
