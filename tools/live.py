"""Read the built book with Live Code running on this computer, not on Binder.

Starts a Jupyter server on 127.0.0.1 (a random token; requests accepted only from
the book's own address) and serves ``_build/html``, then prints the link that
points the book's Live Code button at that server. Ctrl-C stops both.

Usage: ``make live`` or ``python tools/live.py [--port 8000] [--jupyter-port 8888]``

The browser tests (tests/test_browser.py) start their servers with the same
functions, on free ports.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve_site(html_dir: Path, port: int = 0) -> Iterator[str]:
    """Serve ``html_dir`` on 127.0.0.1; yields the base URL (no trailing slash)."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def jupyter_server(
    root_dir: Path,
    allow_origin: str,
    port: int = 0,
    token: str | None = None,
    log_path: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[tuple[str, str]]:
    """Run a Jupyter server on 127.0.0.1 that accepts requests from ``allow_origin``.

    Yields ``(base_url, token)``. The kernels it starts run this Python, so they
    import the same ``rnnbook``. Stops the server on exit.
    """
    port = port or free_port()
    token = token or secrets.token_hex(16)
    runtime = Path(os.environ.get("TMPDIR", "/tmp")) / f"rnnbook-jupyter-{port}"
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_CONFIG_DIR=str(runtime / "config"),  # ignore the user's config
        PYTHONUNBUFFERED="1",
    )
    cmd = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.allow_origin={allow_origin}",
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.open_browser=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        cmd.append("--ServerApp.allow_root=True")
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"the Jupyter server exited with code {proc.returncode}"
                    + (f"; log: {log_path}" if log_path else "")
                )
            try:
                with urllib.request.urlopen(
                    f"{base_url}api/status?token={token}", timeout=2
                ):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the Jupyter server did not answer within {timeout:.0f} s"
                    )
                time.sleep(0.25)
        yield base_url, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not subprocess.DEVNULL:
            log.close()


def live_link(site_url: str, page: str, jupyter_url: str, token: str) -> str:
    """The address that opens ``page`` with Live Code pointed at the given server."""
    return f"{site_url}/{page}?jupyter={jupyter_url}&token={token}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port", type=int, default=8000, help="port of the book (default 8000)"
    )
    parser.add_argument(
        "--jupyter-port", type=int, default=8888, help="port of Jupyter (default 8888)"
    )
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        sys.exit(f"Nothing to serve in {args.html}: run 'make book' first.")
    site = f"http://127.0.0.1:{args.port}"
    with (
        serve_site(args.html, args.port) as site_url,
        jupyter_server(ROOT, allow_origin=site, port=args.jupyter_port) as (
            jupyter_url,
            token,
        ),
    ):
        print("The book is served with Live Code on a Jupyter server on this computer.")
        print("Open this link once; Live Code then uses that server on every page:\n")
        print(f"    {live_link(site_url, 'book/intro.html', jupyter_url, token)}\n")
        print(
            "(Open any page with ?jupyter=binder to go back to Binder.) Ctrl-C stops "
            "both servers."
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nStopped.")


if __name__ == "__main__":
    main()
