"""Shared fixtures: the strictly built book, and a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Tests of the loader clear RNNBOOK_DATA_DIR; remember where the real novel is first.
if os.environ.get("RNNBOOK_DATA_DIR"):
    os.environ.setdefault("RNNBOOK_REAL_DATA_DIR", os.environ["RNNBOOK_DATA_DIR"])


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the whole book strictly, from a clean state, into a temporary folder.

    A fresh output folder means a fresh execution cache, so every cell runs. The
    build fails on any warning (-W -n) and on any failing cell
    (``execute.raise_on_error`` in ``_config.yml``). Returns the HTML folder.
    """
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    log = out / "build.log"
    log.write_text(result.stdout + "\n--- stderr ---\n" + result.stderr)
    if result.returncode != 0:
        pytest.fail(f"strict book build failed (exit {result.returncode}); log: {log}\n"
                    + result.stdout[-6000:] + result.stderr[-4000:])
    html = out / "_build" / "html"
    artifacts = os.environ.get("RNNBOOK_ARTIFACTS")
    if artifacts:  # keep the built site for inspection after the run
        shutil.copytree(html, Path(artifacts) / "html", dirs_exist_ok=True)
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def http_dir(tmp_path):
    """Serve a temporary folder on 127.0.0.1; yields (folder, base_url)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Where tests/test_browser.py saved its screenshots; printed at the end of the run.
SCREENSHOTS = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folder = config.stash.get(SCREENSHOTS, None)
    if folder is not None and any(folder.glob("*.png")):
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(list(folder.glob('*.png')))} screenshots in {folder}")
