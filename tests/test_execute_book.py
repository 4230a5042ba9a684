"""The parallel executor (tools/execute_book.py) fills the cache the build reads.

On a tiny book of its own: the pages run side by side with the build's
settings (working directory, timeout, environment), the build then takes every
page from the cache and executes nothing, and a failing cell fails the
executor with the page, the cell and the error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, build_book, executed_by_the_build

import execute_book
import robust

HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def tiny_book(folder: Path, pages: dict[str, list[str]]) -> Path:
    """A book of MyST notebook pages (name -> code cells) with the real book's
    execution and parsing settings."""
    config = (ROOT / "_config.yml").read_text()
    execute = config[config.index("execute:") : config.index("exclude_patterns:")]
    parse = config[config.index("parse:") : config.index("# Published")]
    (folder / "_config.yml").write_text(
        "title: Tiny\nauthor: tests\nonly_build_toc_files: true\n" + execute + parse
    )
    names = list(pages)
    (folder / "_toc.yml").write_text(
        f"format: jb-book\nroot: book/{names[0]}\nchapters:\n"
        + "".join(f"- file: book/{n}\n" for n in names[1:])
    )
    (folder / "book").mkdir()
    for name, cells in pages.items():
        body = "".join(
            f"\n```{{code-cell}}\n:tags: [remove-cell]\n{c}\n```\n" for c in cells
        )
        (folder / "book" / f"{name}.md").write_text(
            HEADER + f"\n# {name}\n\nSome prose about {{glue:text}}`{name}`.\n" + body
        )
    return folder


ENVIRONMENT = textwrap.dedent("""\
    import os
    from myst_nb import glue
    for key in ("RNNBOOK_BATCH", "OMP_NUM_THREADS", "RNNBOOK_SEED_OFFSET"):
        glue(key, os.environ.get(key, "unset"), display=False)
    glue("cwd", os.path.basename(os.getcwd()), display=False)
    glue("pid", os.getppid(), display=False)""")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A two-page book, filled by the executor and then built: (root, out, build
    result)."""
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "src").mkdir()
    root = tiny_book(
        folder / "src",
        {
            "one": [ENVIRONMENT + '\nglue("one", 1.5)'],
            "two": [ENVIRONMENT + '\nglue("two", "a text")'],
        },
    )
    out = folder / "out"  # outside the sources, as the tests' builds are
    return root, out, build_book(out, root)


@pytest.mark.book
def test_the_build_takes_every_page_from_the_filled_cache(tiny):
    root, out, result = tiny
    assert result.returncode == 0, (out / "build.log").read_text()[-4000:]
    log = (out / "build.log").read_text()
    assert "2 page(s) to execute, 0 cached" in log
    assert executed_by_the_build(result.stdout + result.stderr) == []
    for page in ("one", "two"):
        assert f"book/{page}.md: Using cached notebook" in result.stdout
    html = (out / "_build" / "html" / "book" / "two.html").read_text()
    assert "a text" in html


@pytest.mark.book
def test_pages_run_as_in_the_build_and_side_by_side(tiny):
    root, out, _ = tiny
    notebooks = execute_book.executed_notebooks(root, out / "_build")
    assert sorted(notebooks) == ["book/one.md", "book/two.md"]
    values = {page: robust.glued(nb) for page, nb in notebooks.items()}
    for page in values.values():
        assert page["cwd"] == "'book'"  # the page's folder, as myst-nb runs it
        assert page["RNNBOOK_BATCH"] == "'1'"  # _ext/batch_mode.py's setting
        assert page["OMP_NUM_THREADS"] == "'1'"
        assert page["RNNBOOK_SEED_OFFSET"] == "'unset'"
    # each kernel was started by its own worker process: two at once
    assert values["book/one.md"]["pid"] != values["book/two.md"]["pid"]


@pytest.mark.book
def test_a_second_fill_executes_nothing(tiny):
    root, out, _ = tiny
    report = execute_book.fill_cache(root, out / "_build", log=lambda *a: None)
    assert report.executed == {} and sorted(report.cached) == [
        "book/one.md",
        "book/two.md",
    ]


@pytest.mark.book
def test_a_failing_cell_fails_the_executor_naming_page_cell_and_error(tmp_path):
    root = tiny_book(
        tmp_path,
        {
            "fine": ['from myst_nb import glue\nglue("fine", 1)'],
            "broken": [
                'from myst_nb import glue\nglue("broken", 2)',
                "x = 1\nassert x == 2, 'the margin does not hold'",
            ],
        },
    )
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "execute_book.py"), "--root", str(root)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    lines = (root / "book" / "broken.md").read_text().splitlines()
    fences = [i + 1 for i, text in enumerate(lines) if text == "```{code-cell}"]
    line = fences[1]  # the second code cell, counted from 1 like an editor
    assert (
        f"book/broken.md, code cell 2 (line {line}): AssertionError: the margin "
        "does not hold" in proc.stderr
    )
    report = root / "_build" / "html" / "reports" / "book" / "broken.err.log"
    assert "the margin does not hold" in report.read_text()
    # the page that ran is cached; the broken one is not
    cached = execute_book.executed_notebooks(root, root / "_build")
    assert list(cached) == ["book/fine.md"]


def test_the_executor_uses_the_builds_settings():
    settings = execute_book.book_settings(ROOT)
    assert settings.mode == "cache"
    assert settings.timeout == 600  # not jupyter-cache's 30 s
    assert settings.raise_on_error is True and settings.allow_errors is False
    assert settings.in_temp is False
    assert "colon_fence" in settings.md_config.enable_extensions
    pages = execute_book.book_pages(ROOT)
    assert pages[0] == ROOT / "book" / "intro.md"
    assert ROOT / "book" / "gated.md" in pages


def test_the_kernels_get_the_environment_of_batch_mode(monkeypatch):
    from rnnbook.training import BATCH_MODE_ENV

    assert execute_book.BATCH_ENV == {BATCH_MODE_ENV: "1"}
    import batch_mode

    class App:
        pass

    for name in (BATCH_MODE_ENV, "OMP_NUM_THREADS"):  # restored after the test
        monkeypatch.setenv(name, "0")
        monkeypatch.delenv(name)
    batch_mode.setup(App())
    assert {k: os.environ[k] for k in execute_book.BATCH_ENV} == execute_book.BATCH_ENV
    assert all(os.environ[k] == v for k, v in execute_book.THREAD_DEFAULTS.items())


def test_longest_known_pages_start_first_and_new_pages_before_them(tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "page_seconds.txt").write_text(
        "# comment\nbook/a.md 10\nbook/b.md 90\nbook/c.md 40  # trailing\n"
    )
    jobs = [
        execute_book.Job(tmp_path / "book" / f"{n}.md", None, 600, False, False)
        for n in "abcd"
    ]
    order = execute_book.order_jobs(jobs, tmp_path)
    assert [j.path.stem for j in order] == ["d", "b", "c", "a"]


def test_record_merges_measured_seconds(tmp_path):
    path = tmp_path / "page_seconds.txt"
    execute_book.record({"book/a.md": 12.4, "book/b.md": 3.0}, path)
    execute_book.record({"book/a.md": 20.0}, path)
    assert execute_book.page_seconds(path) == {"book/a.md": 20.0, "book/b.md": 3.0}


def test_the_page_order_file_names_pages_of_the_book():
    path = ROOT / "tools" / "page_seconds.txt"
    assert path.is_file(), "regenerate it: python tools/execute_book.py --record"
    known = execute_book.page_seconds(path)
    assert known
    pages = {p.relative_to(ROOT).as_posix() for p in execute_book.book_pages(ROOT)}
    assert set(known) <= pages | {"book/intro.md"}, set(known) - pages
