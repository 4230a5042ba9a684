"""bench/build_time.py measures the serial and the parallel clean build in one run.

Checked on a tiny book of two pages: both clean builds execute every page (the
parallel one in the executor, none in the render), the prose-only rebuild
executes nothing, and the report states each budget.
"""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT
from test_execute_book import ENVIRONMENT, tiny_book

sys.path.insert(0, str(ROOT / "bench"))
import build_time  # noqa: E402


@pytest.mark.book
def test_serial_and_parallel_builds_of_a_tiny_book(tmp_path):
    pages = {
        "one": [ENVIRONMENT + '\nglue("one", 1)'],
        "two": ['from myst_nb import glue\nglue("two", 2)'],
    }
    root = tiny_book(tmp_path, pages)
    r = build_time.run(root)
    assert r["pages"] == 2
    assert r["serial_executed"] == 2  # jupyter-book alone runs every page
    assert r["parallel_executed"] == 2 and r["parallel_render_executed"] == 0
    assert r["prose_rebuild_executed"] == 0
    assert "package_change_rebuild_s" not in r  # the tiny book has no package
    assert r["parallel_over_serial"] == r["parallel_clean_s"] / r["serial_clean_s"]
    lines = build_time.report(r, 2)
    text = "\n".join(lines)
    for budget in ("target <= 0.65", "within 720 s", "under 4 GiB", "within 20 s"):
        assert budget in text
    assert lines[-1].startswith("pages=2.00 serial_clean_s=")


def test_the_budgets_are_the_books():
    assert build_time.BUDGET_S == 720
    assert build_time.MEMORY_GIB == 4.0
    assert build_time.PROSE_S == 20.0
    assert build_time.TARGET_RATIO == 0.65
