"""Where the trainer shows progress: any Jupyter kernel, a terminal, never the book
build.

The live plot redraws one output in place, which needs a kernel whose display
publisher takes ``display_id`` updates. Shells are told apart by that ability,
not by their class name (Colab's shell is not called ZMQInteractiveShell).
"""

from __future__ import annotations

import sys
import types

import pytest
from torch import nn

from rnnbook import training
from rnnbook.training import BATCH_MODE_ENV, Trainer, _in_notebook, _show_progress_bar


class KernelPublisher:
    """ipykernel's ZMQDisplayPublisher.publish signature."""

    def publish(self, data, metadata=None, transient=None, update=False):
        pass


class KwargsPublisher:
    def publish(self, data, metadata=None, **kwargs):
        pass


class OldPublisher:
    """A publisher that cannot update an output in place."""

    def publish(self, data, metadata=None):
        pass


def shell_class(name: str, kernel: bool, publisher: type | None) -> type:
    def init(self):
        self.kernel = object() if kernel else None
        if publisher is not None:
            self.display_pub = publisher()

    return type(name, (), {"__init__": init})


SHELLS = [
    # (class name, has a kernel, publisher, can redraw in place)
    (
        "ZMQInteractiveShell",
        True,
        KernelPublisher,
        True,
    ),  # JupyterLab, classic, VS Code, Thebe
    ("Shell", True, KernelPublisher, True),  # Colab's google.colab._shell.Shell
    ("SomeFutureShell", True, KwargsPublisher, True),
    (
        "TerminalInteractiveShell",
        False,
        KernelPublisher,
        False,
    ),  # IPython in a terminal
    (
        "ZMQInteractiveShell",
        False,
        KernelPublisher,
        False,
    ),  # the name alone is not enough
    ("ZMQInteractiveShell", True, OldPublisher, False),
    ("ZMQInteractiveShell", True, None, False),
]


@pytest.fixture
def fake_ipython(monkeypatch):
    """Install a fake IPython whose get_ipython() returns the shell we give it."""
    module = types.ModuleType("IPython")
    module.shell = None
    module.get_ipython = lambda: module.shell
    monkeypatch.setitem(sys.modules, "IPython", module)
    monkeypatch.delenv(BATCH_MODE_ENV, raising=False)
    return module


@pytest.mark.parametrize("name, kernel, publisher, expected", SHELLS)
def test_a_notebook_is_recognised_by_what_its_shell_can_do(
    fake_ipython, name, kernel, publisher, expected
):
    fake_ipython.shell = shell_class(name, kernel, publisher)()
    assert _in_notebook() is expected
    trainer = Trainer(nn.Linear(2, 1), nn.MSELoss(), lr=0.1, device="cpu")
    assert trainer.live is expected
    # The text bar shows in a kernel too (its stderr is not a terminal, as in Colab).
    assert trainer.progress is (expected or sys.stderr.isatty())


def test_no_ipython_means_no_notebook(fake_ipython):
    fake_ipython.shell = None
    assert _in_notebook() is False


def test_the_book_build_turns_both_off_even_in_a_kernel(fake_ipython, monkeypatch):
    fake_ipython.shell = shell_class("Shell", True, KernelPublisher)()
    # The same kernel without the variable is live, so what follows is its doing.
    assert _in_notebook() is True and _show_progress_bar() is True
    trainer = Trainer(nn.Linear(2, 1), nn.MSELoss(), lr=0.1, device="cpu")
    assert trainer.live is True and trainer.progress is True
    monkeypatch.setenv(BATCH_MODE_ENV, "1")
    assert _in_notebook() is False and _show_progress_bar() is False
    trainer = Trainer(nn.Linear(2, 1), nn.MSELoss(), lr=0.1, device="cpu")
    assert trainer.live is False and trainer.progress is False


def test_a_terminal_gets_the_text_bar_only(fake_ipython, monkeypatch):
    fake_ipython.shell = None
    monkeypatch.setattr(training.sys.stderr, "isatty", lambda: True)
    assert _show_progress_bar() is True and _in_notebook() is False


def test_a_real_jupyter_kernel_is_recognised():
    """An actual ipykernel (what JupyterLab, VS Code and Thebe run) says yes."""
    jupyter_client = pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        code = (
            "import os; os.environ.pop('RNNBOOK_BATCH', None)\n"
            "from rnnbook.training import _in_notebook, _show_progress_bar\n"
            "print(_in_notebook(), _show_progress_bar())"
        )
        lines = []
        client.execute_interactive(
            code,
            timeout=120,
            output_hook=lambda msg: (
                lines.append(msg["content"].get("text", ""))
                if msg["msg_type"] == "stream"
                else None
            ),
        )
        assert "".join(lines).strip() == "True True"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
