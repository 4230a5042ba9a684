"""_ext/batch_mode.py: the build's notebooks run without live output, on one thread."""

from __future__ import annotations

import os
import subprocess
import sys

import batch_mode


def test_setup_sets_batch_mode_and_one_thread_unless_the_caller_chose(monkeypatch):
    monkeypatch.delenv(batch_mode.ENV, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    batch_mode.setup(app=None)
    assert os.environ[batch_mode.ENV] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "1"
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    batch_mode.setup(app=None)
    assert os.environ["OMP_NUM_THREADS"] == "2"          # the caller's choice is kept


def test_a_kernel_started_after_setup_runs_torch_on_one_thread(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    batch_mode.setup(app=None)
    code = "import torch; print(torch.get_num_threads())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "1"
