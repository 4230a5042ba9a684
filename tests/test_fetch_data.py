"""``python -m rnnbook fetch-data``: what ``make book`` runs before the build.

Without the corpus and without network it must stop with a short message that
names RNNBOOK_DATA_DIR and the URL (no traceback); with a good copy it prints
where the copy is. The network is cut by pointing the HTTP proxy at a closed
port, so the tests say the same on machines that have internet.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from rnnbook.data.corpus import TIME_MACHINE_FILE, TIME_MACHINE_URL


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def run_fetch(tmp_path: Path, data_dir: Path | None) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
    }
    proxy = f"http://127.0.0.1:{closed_port()}"
    env.update(
        http_proxy=proxy, https_proxy=proxy, RNNBOOK_CACHE_DIR=str(tmp_path / "cache")
    )
    env.pop("RNNBOOK_DATA_DIR", None)
    if data_dir is not None:
        env["RNNBOOK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "rnnbook", "fetch-data"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_no_corpus_and_no_network_stops_with_the_short_message(tmp_path):
    empty = tmp_path / "data"
    empty.mkdir()
    result = run_fetch(tmp_path, empty)
    assert result.returncode != 0
    err = result.stderr.strip()
    assert "RNNBOOK_DATA_DIR" in err and TIME_MACHINE_URL in err
    assert "Traceback" not in err and len(err.splitlines()) <= 3, err
    assert result.stdout == ""
    assert not (tmp_path / "cache" / TIME_MACHINE_FILE).exists()


def test_a_wrong_copy_is_refused_with_its_checksum(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / TIME_MACHINE_FILE).write_text("not the novel")
    result = run_fetch(tmp_path, data)
    assert result.returncode != 0
    assert "SHA-1" in result.stderr and "Traceback" not in result.stderr


def test_a_good_copy_is_found_without_network(tmp_path):
    real = os.environ.get("RNNBOOK_REAL_DATA_DIR") or os.environ.get("RNNBOOK_DATA_DIR")
    if not real or not (Path(real) / TIME_MACHINE_FILE).is_file():
        pytest.skip("needs the corpus in RNNBOOK_DATA_DIR")
    result = run_fetch(tmp_path, Path(real))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"corpus: {Path(real) / TIME_MACHINE_FILE}"
