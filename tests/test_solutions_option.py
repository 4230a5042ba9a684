"""The build option that leaves the exercises' solutions out (_ext/solutions.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from solutions import solutions_choice

pytest.importorskip("sphinx_exercise")
EXT = Path(__file__).resolve().parents[1] / "_ext"

PAGE = """\
Page
====

.. exercise:: A question
   :label: ex-one

   QUESTION-TEXT

.. solution-start:: ex-one
   :class: dropdown

ANSWER-TEXT

.. code-block:: python

   ANSWER_CODE = 1

.. solution-end::

AFTER-TEXT
"""


def build(tmp_path: Path, value: str | None) -> str:
    """Build a one-page Sphinx project strictly, in its own process, and return its
    HTML."""
    env = {k: v for k, v in os.environ.items() if k != "RNNBOOK_SOLUTIONS"}
    if value is not None:
        env["RNNBOOK_SOLUTIONS"] = value
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXT)!r})\n"
        "extensions = ['sphinx_exercise', 'solutions']\n"
    )
    (src / "index.rst").write_text(PAGE)
    out = tmp_path / "html"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(out)],
        check=True,
        env=env,
    )
    return (out / "index.html").read_text()


@pytest.mark.parametrize("value", [None, "show", "SHOW"])
def test_solutions_shown_by_default(tmp_path, value):
    html = build(tmp_path, value)
    for text in ("QUESTION-TEXT", "ANSWER-TEXT", "ANSWER_CODE", "AFTER-TEXT"):
        assert text in html
    assert "Solution to" in html


def test_solutions_left_out_when_hidden(tmp_path):
    html = build(tmp_path, "hide")
    assert "QUESTION-TEXT" in html and "AFTER-TEXT" in html
    for text in ("ANSWER-TEXT", "ANSWER_CODE", "Solution to"):
        assert text not in html


def test_bad_value_is_refused():
    assert solutions_choice(" Hide ") == "hide"
    with pytest.raises(ValueError, match="RNNBOOK_SOLUTIONS must be 'show' or 'hide'"):
        solutions_choice("no")
