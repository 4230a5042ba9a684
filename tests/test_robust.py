"""The robustness build (tools/robust.py): every page again on other seeds and
kernels, and the list of glued values that moved.

The comparison is checked on small notebooks with planted glue values; the
whole run on a tiny book of two pages (one of which fails off offset 0); and
``test_robust_build`` runs it on the whole book, against the strict build of
``built_book`` (so it is part of ``make test`` and deselected by ``make
test-fast``).
"""

from __future__ import annotations

import csv
import subprocess
import sys

import nbformat
import pytest
from conftest import ROBUST_SUMMARY, ROOT
from test_execute_book import tiny_book

import robust

GLUE = "application/papermill.record/"


def notebook(values: dict[str, str], hidden: bool = False) -> nbformat.NotebookNode:
    """A notebook whose one code cell glued ``values`` (as text/plain), as myst-nb's
    ``glue`` writes them (``display=False``: under the papermill prefix)."""
    prefix = GLUE if hidden else ""
    outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={prefix + "text/plain": text},
            metadata={"scrapbook": {"name": name, "mime_prefix": prefix}},
        )
        for name, text in values.items()
    ]
    outputs.append(nbformat.v4.new_output("stream", text="printed, not glued\n"))
    cell = nbformat.v4.new_code_cell("glue(...)", outputs=outputs)
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x"), cell])


def test_glued_reads_every_glued_value_shown_or_hidden():
    nb = notebook({"a": "0.93"})
    nb.cells[1].outputs += notebook({"b": "'text'"}, hidden=True).cells[1].outputs
    markdown = nbformat.v4.new_output(
        "display_data",
        data={
            "text/plain": "<IPython.core.display.Markdown object>",
            "text/markdown": "**4.1x**",
        },
        metadata={"scrapbook": {"name": "m", "mime_prefix": ""}},
    )
    nb.cells[1].outputs.append(markdown)
    assert robust.glued(nb) == {"a": "0.93", "b": "'text'", "m": "**4.1x**"}


@pytest.mark.parametrize(
    "main, other, expected",
    [
        ("1.00", "1.04", False),  # within 5%
        ("1.00", "1.06", True),
        ("-2.0", "-2.11", True),
        ("0", "0", False),
        ("0.0", "0.001", True),  # from zero, any change
        ("53,890", "13,903", True),  # thousands separators
        ("53,890", "54,100", False),
        ("2.5e38", "6.0e5", True),
        ("'4.1x'", "'2.8x'", True),  # a number inside a string
        ("np.float64(0.5)", "np.float64(0.51)", False),  # not the 64 of float64
        ("tensor(0.93)", "tensor(0.70)", True),
        ("'faster'", "'slower'", True),  # text
        ("'a 3-seed mean'", "'a 3-seed mean'", False),
        ("\u221214%", "\u221215%", True),  # typeset minus
        ("'0.38 and 0.62'", "'0.38 and 0.63'", False),
        ("'0.38 and 0.62'", "'0.38 and 0.72'", True),  # any one number
        ("[1, 2]", "[1, 2, 3]", True),  # another shape
    ],
)
def test_moved_means_more_than_5_percent_or_other_text(main, other, expected):
    assert robust.moved(main, other) is expected


def test_compare_lists_the_moved_values_with_page_and_name():
    main = {
        "book/a.md": {"loss": "2.00", "steady": "17", "verdict": "'holds'"},
        "book/b.md": {"x": "1"},
        "book/only_main.md": {"y": "1"},
    }
    other = {
        "book/a.md": {"loss": "2.30", "steady": "17", "verdict": "'fails'", "new": "3"},
        "book/b.md": {"x": "1.01"},
    }
    result = robust.compare(main, other)
    assert result.rows == [
        ("book/a.md", "loss", "2.00", "2.30"),
        ("book/a.md", "verdict", "'holds'", "'fails'"),
        ("book/a.md", "new", "(not glued)", "3"),
    ]
    assert result.compared == 5 and result.pages == 2
    line = result.summary(1000, "default", "moved.csv")
    assert "3 of 5 glued values on 2 pages" in line and "\n" not in line


def test_the_csv_has_one_row_per_moved_value(tmp_path):
    rows = [("book/a.md", "loss", "2.00", "2,30 \"x\"")]
    path = tmp_path / "robust" / "moved.csv"
    robust.write_csv(rows, path)
    with path.open(newline="") as f:
        assert list(csv.reader(f)) == [list(robust.COLUMNS), list(rows[0])]


def test_artifacts_default_to_the_repository_and_follow_the_variable(monkeypatch):
    monkeypatch.delenv("RNNBOOK_ARTIFACTS", raising=False)
    assert robust.artifacts_dir() == ROOT / "artifacts"
    monkeypatch.setenv("RNNBOOK_ARTIFACTS", "/tmp/somewhere")
    assert str(robust.artifacts_dir()) == "/tmp/somewhere"


PLANTED = """\
import os, torch
from myst_nb import glue
offset = int(os.environ.get("RNNBOOK_SEED_OFFSET", "0"))
glue("steady", 42)
glue("nudged", 1.0 + offset / 100_000)
glue("shifted", 1.0 + offset / 1000)
glue("kernels", torch.backends.cpu.get_cpu_capability())"""


@pytest.mark.book
def test_the_robust_run_reports_moved_values_and_fails_on_a_failing_cell(tmp_path):
    (tmp_path / "src").mkdir()
    root = tiny_book(
        tmp_path / "src",
        {
            "steady": [PLANTED],
            "fragile": [
                'from myst_nb import glue\nglue("fragile", 1)',
                "import os\nassert os.environ.get('RNNBOOK_SEED_OFFSET', '0') == '0'",
            ],
        },
    )
    csv_path = tmp_path / "moved.csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "robust.py"), "--root", str(root),
         "--main", str(tmp_path / "main"), "--out", str(tmp_path / "robust"),
         "--csv", str(csv_path)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "book/fragile.md, code cell 2" in proc.stderr
    assert "AssertionError" in proc.stderr
    with csv_path.open(newline="") as f:
        rows = {row["name"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"shifted", "kernels"}  # not steady, not nudged (1%)
    assert rows["shifted"]["main"] == "1.0" and rows["shifted"]["robust"] == "2.0"
    assert rows["kernels"]["robust"] == "'DEFAULT'"  # the kernels got the setting
    assert rows["kernels"]["main"] != "'DEFAULT'"
    assert "2 of 4 glued values on 1 page moved" in proc.stdout


@pytest.mark.robust
def test_robust_build(built_book, tmp_path, request):
    """Every page executes with RNNBOOK_SEED_OFFSET=1000 and the default kernels;
    the moved values go to $RNNBOOK_ARTIFACTS/robust/moved.csv."""
    csv_path = robust.artifacts_dir() / "robust" / "moved.csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "robust.py"),
         "--main", str(built_book.parent), "--out", str(tmp_path / "robust"),
         "--csv", str(csv_path)],
        capture_output=True, text=True, cwd=ROOT,
    )
    log = tmp_path / "robust.log"
    log.write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    if proc.returncode != 0:
        pytest.fail(
            f"the robustness build failed; log: {log}\n" + proc.stderr[-6000:],
            pytrace=False,
        )
    # the strict build's cache was complete: the main pass executed nothing
    assert "execute_book: 0 page(s) to execute" in proc.stdout.split("robust: exec")[0]
    summary = [line for line in proc.stdout.splitlines() if "glued values" in line]
    request.config.stash[ROBUST_SUMMARY] = summary[0]  # printed at the end of the run
    with csv_path.open(newline="") as f:
        assert next(csv.reader(f)) == list(robust.COLUMNS)
