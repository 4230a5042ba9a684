"""Collect the built site's notebooks into a folder laid out like the book.

Every page of the built site is offered as an executed notebook at
``_build/html/_sources/PAGE.ipynb``, written in plain Markdown by
``_ext/readable_notebook.py``, with a setup cell that installs ``rnnbook`` (at the
commit that built it) where it is missing (``_ext/rnnbook_site.py``). Colab opens
notebooks only from
GitHub, so the publishing workflow (.github/workflows/book.yml) pushes this
folder to the ``notebooks`` branch, where each page's Colab button points:
``https://colab.research.google.com/github/ORG/REPO/blob/notebooks/PAGE.ipynb``.

Usage: ``python tools/publish_notebooks.py _build/html OUT_DIR``
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

README = """# Executed notebooks of the book

This branch is written by the publishing workflow on every push to the main
branch; do not edit it. Each `PAGE.ipynb` is the page `PAGE.md` of the main
branch, executed, in plain Markdown (numbers, listings, references and exercises
written in), with a first cell that installs the `rnnbook` package, at the
commit that built it, where it is missing. The book's Colab buttons open these files.
"""


def collect(html_dir: Path, out_dir: Path) -> list[Path]:
    """Copy ``html_dir/_sources/**/*.ipynb`` to ``out_dir`` (same relative paths)."""
    sources = html_dir / "_sources"
    notebooks = sorted(sources.rglob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks under {sources}: build the book first")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in notebooks:
        target = out_dir / notebook.relative_to(sources)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        written.append(target)
    (out_dir / "README.md").write_text(README)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    for path in collect(Path(sys.argv[1]), Path(sys.argv[2])):
        print(path)
