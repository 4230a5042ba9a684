"""Every diagram drawn by code comes out byte for byte the same in a fresh process.

The book's execution cache and the published images depend on it: a figure that
changed with the process (a set iterated in hash order, a random colour) would
make every build differ. So each figure is rendered by two fresh processes with
different hash seeds (and the default style), and the PNG bytes are compared.
"""

from __future__ import annotations

import os
import subprocess
import sys

# One call per diagram, as a page would make it (add new diagrams here).
DIAGRAMS = {
    "unfolded_rnn": "rnnbook.unfolded_rnn(3)",
    "char_lm": "rnnbook.char_lm()",
    "task_shapes": "rnnbook.task_shapes()",
    "partition_offsets": "rnnbook.partition_offsets()",
    "sequential_streams": "rnnbook.sequential_streams()",
    "computational_graph": "rnnbook.computational_graph(3)",
    "truncation_strategies": "rnnbook.truncation_strategies(8, 2, 0.6, 1)",
    "lstm_cell": "rnnbook.lstm_cell()",
    "gru_cell": "rnnbook.gru_cell()",
    "scan_tree": "rnnbook.scan_tree(8)",
}

RENDER = """
import io, sys
import matplotlib
matplotlib.use("Agg")
import rnnbook

def png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40, metadata={"Software": None})
    return buf.getvalue()
"""


def start_rendering(hash_seed: str) -> subprocess.Popen:
    """A new Python process that writes the PNG bytes of every diagram, one per
    line in hex."""
    child = RENDER + "".join(
        f"sys.stdout.buffer.write(png({call}).hex().encode() + b'\\n')\n"
        for call in DIAGRAMS.values()
    )
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, MPLBACKEND="Agg")
    return subprocess.Popen(
        [sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def pngs_of(process: subprocess.Popen) -> list[bytes]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()[-2000:]
    return [bytes.fromhex(line) for line in out.decode().split()]


def test_every_diagram_renders_identically_in_a_fresh_process():
    # Two processes at once, with different hash seeds.
    processes = [start_rendering("1"), start_rendering("2")]
    first, second = (pngs_of(p) for p in processes)
    assert len(first) == len(second) == len(DIAGRAMS)
    for name, a, b in zip(DIAGRAMS, first, second):
        assert a.startswith(b"\x89PNG") and len(a) > 1000, name  # a real picture
        assert a == b, f"{name} differs between two processes"
