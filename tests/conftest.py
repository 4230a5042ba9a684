"""Shared fixtures: the novel, the strictly built book, and a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import matplotlib
import pytest
import torch
from matplotlib.figure import Figure

from rnnbook import RNNLMScratch, RNNScratch, TimeMachineData
from rnnbook.data.corpus import CorpusError, load_time_machine

ROOT = Path(__file__).resolve().parent.parent
matplotlib.use("Agg")  # figures drawn by tests, in this process only: no window

# One PyTorch thread, as in the book build (_ext/batch_mode.py), unless the caller
# chose: the tests' tensors are tiny, and where the cores are busy with other work an
# operation split over two threads waits for the slower one. Processes that the
# tests start inherit the variable.
os.environ.setdefault("OMP_NUM_THREADS", "1")
torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

# Tests of the loader clear RNNBOOK_DATA_DIR; remember where the real novel is first.
if os.environ.get("RNNBOOK_DATA_DIR"):
    os.environ.setdefault("RNNBOOK_REAL_DATA_DIR", os.environ["RNNBOOK_DATA_DIR"])


def novel_or_skip(**kwargs) -> str:
    """The raw novel (``kwargs`` go to ``load_time_machine``), or a skip, or under CI a
    failure.

    Without the corpus (no ``RNNBOOK_DATA_DIR``, no cached copy, no network)
    the tests that need it are skipped with the reason, so a contributor can
    still run the rest; under ``CI=true`` they fail instead, so that a broken
    data folder on CI cannot pass as a green run with skipped tests.
    """
    try:
        return load_time_machine(**kwargs)
    except CorpusError as err:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and the corpus cannot be had: {err}", pytrace=False)
        pytest.skip(f"the corpus cannot be had (set RNNBOOK_DATA_DIR): {err}")


@pytest.fixture(scope="session")
def novel_text() -> str:
    """The raw text of *The Time Machine*, loaded once per test run (see
    :func:`novel_or_skip`)."""
    return novel_or_skip(data_dir=os.environ.get("RNNBOOK_REAL_DATA_DIR"), timeout=15.0)


@pytest.fixture(scope="session")
def novel_chars(novel_text) -> TimeMachineData:
    """The novel as character tokens, with the default split (shared: do not modify)."""
    return TimeMachineData(text=novel_text)


@pytest.fixture(scope="session")
def novel_words(novel_text) -> TimeMachineData:
    """The novel as word tokens, with the default split (shared: do not modify)."""
    return TimeMachineData(level="word", text=novel_text)


def figure_texts(fig: Figure) -> list[str]:
    """Every text drawn on the axes of ``fig`` (a diagram's labels), after checking
    that it is a figure."""
    assert isinstance(fig, Figure), type(fig)
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# A short text and a small model, for tests that train a language model in seconds
# (test_trainer.py, test_bptt_training.py).
SHORT_TEXT = (
    "the time traveller for so it will be convenient to speak of him "
    "was expounding a recondite matter to us " * 4
)


@pytest.fixture(scope="module")
def short_text() -> TimeMachineData:
    """``SHORT_TEXT`` as characters: 200 training and 100 validation windows."""
    return TimeMachineData(
        text=SHORT_TEXT, val_fraction=0.2, num_train_windows=200, num_val_windows=100
    )


def small_lm(
    vocab_size: int,
    seed: int = 0,
    hidden: int = 16,
    sigma: float = 0.1,
    dtype: torch.dtype = torch.float32,
) -> RNNLMScratch:
    """A small scratch RNN language model, its weights drawn from ``seed``."""
    torch.manual_seed(seed)
    rnn = RNNScratch(vocab_size, hidden, sigma=sigma)
    return RNNLMScratch(rnn, vocab_size).to(dtype)


def pytest_collection_modifyitems(config, items):
    """Every test that uses the built book is marked ``book``, and no other needs to be.

    So ``-m "not book"`` deselects exactly the tests that wait for the strict
    build, and a test of the site's code that needs no build is never skipped
    with them. (A test that runs jupyter-book on a tiny book of its own marks
    itself.)
    """
    for item in items:
        if "built_book" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.book)


def build_book(out: Path, root: Path = ROOT) -> subprocess.CompletedProcess:
    """Build the book at ``root`` strictly into ``out`` as ``make book`` does.

    First ``tools/execute_book.py`` executes the pages side by side and fills the
    build's cache; then ``jupyter-book build`` renders from it. Both logs go to
    ``out/build.log``. Returns the build's result (the executor's on its failure).
    """
    bin_dir = Path(sys.executable).parent
    fill = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "execute_book.py"), "--root", str(root),
         "--build-dir", str(out / "_build")],
        capture_output=True, text=True, cwd=root,
    )
    log = out / "build.log"
    log.write_text(fill.stdout + "\n--- stderr ---\n" + fill.stderr)
    if fill.returncode != 0:
        return fill
    cmd = [
        str(bin_dir / "jupyter-book"),
        "build",
        str(root),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    with log.open("a") as f:
        f.write("\n--- jupyter-book build ---\n" + result.stdout)
        f.write("\n--- stderr ---\n" + result.stderr)
    return result


def executed_by_the_build(log: str) -> list[str]:
    """The lines where ``jupyter-book build`` executed a page instead of taking it
    from the cache that ``tools/execute_book.py`` filled (there should be none)."""
    return [line for line in log.splitlines() if "Executing notebook" in line]


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the whole book strictly, from a clean state, into a temporary folder.

    A fresh output folder means a fresh execution cache, so every cell runs,
    the pages side by side (:func:`build_book`). The build fails on any
    warning (-W -n) and on any failing cell (``execute.raise_on_error`` in
    ``_config.yml``), and here also if the render executed a page itself (the
    parallel executor and myst-nb would disagree on a page's cache key).
    Returns the HTML folder.
    """
    out = tmp_path_factory.mktemp("book")
    result = build_book(out)
    log = out / "build.log"
    if result.returncode != 0:
        pytest.fail(
            f"strict book build failed (exit {result.returncode}); log: {log}\n"
            + result.stdout[-6000:]
            + result.stderr[-4000:]
        )
    again = executed_by_the_build(result.stdout + result.stderr)
    if again:
        pytest.fail(
            "the render executed pages that tools/execute_book.py had cached "
            f"(their cache keys differ); log: {log}\n" + "\n".join(again)
        )
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
# The robustness build's one-line count (tests/test_robust.py); printed at the end.
ROBUST_SUMMARY = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    robust = config.stash.get(ROBUST_SUMMARY, None)
    if robust is not None:
        terminalreporter.write_sep("-", "robustness build")
        terminalreporter.write_line(robust)
    folder = config.stash.get(SCREENSHOTS, None)
    if folder is not None and any(folder.glob("*.png")):
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(
            f"{len(list(folder.glob('*.png')))} screenshots in {folder}"
        )
