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


def render_in_a_fresh_process(hash_seed: str) -> list[bytes]:
    """The PNG bytes of every diagram, drawn by a new Python process."""
    child = RENDER + "".join(
        f"sys.stdout.buffer.write(png({call}).hex().encode() + b'\\n')\n"
        for call in DIAGRAMS.values()
    )
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-c", child],
        capture_output=True,
        env=env,
        check=True,
        timeout=300,
    )
    return [bytes.fromhex(line) for line in result.stdout.decode().split()]


def test_every_diagram_renders_identically_in_a_fresh_process():
    first, second = render_in_a_fresh_process("1"), render_in_a_fresh_process("2")
    assert len(first) == len(second) == len(DIAGRAMS)
    for name, a, b in zip(DIAGRAMS, first, second):
        assert a.startswith(b"\x89PNG") and len(a) > 1000, name  # a real picture
        assert a == b, f"{name} differs between two processes"
