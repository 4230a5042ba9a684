"""The robustness build: every page executed again on other seeds and other kernels.

A claim in the book must hold on every reader's machine, not only for the seeds
and the CPU that built it. This build executes every page a second time with
``RNNBOOK_SEED_OFFSET=1000`` (every seed shifted, :mod:`rnnbook.seeding`) and
``ATEN_CPU_CAPABILITY=default`` (PyTorch's plain kernels, as on a CPU without
AVX2), in its own build folder, side by side like ``tools/execute_book.py``
(execution only: no HTML). Then:

* it fails if any cell fails, a hidden assertion included, naming the page, the
  cell and the error;
* it compares every glued value (myst-nb's ``glue``: the outputs whose metadata
  holds ``scrapbook``) with the main build's, and writes
  ``$RNNBOOK_ARTIFACTS/robust/moved.csv`` (default ``artifacts/robust/``): each
  number that moved by more than 5% of its main value, and each text that
  changed, as ``page, name, main, robust``; it prints a one-line count.

A moved value is not an error: a loss on other seeds is another loss. It is a
list to read: no sentence around a moved value may change its meaning.

    python tools/robust.py                 # `make robust`: against _build
    python tools/robust.py --main OUT/_build --out DIR

The main build's cache (``_build``) is filled first where it lacks a page
(native kernels, the caller's offset), so ``make robust`` works on a fresh
clone. In ``make test`` the test ``tests/test_robust.py::test_robust_build``
runs this against the strict build's cache.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import execute_book  # noqa: E402  (tools/ is not a package)

ROOT = execute_book.ROOT
OFFSET = 1000
KERNELS = "default"
TOLERANCE = 0.05  # relative change of a glued number that counts as moved
COLUMNS = ("page", "name", "main", "robust")

# A number as the pages print it: 0.93, -1.2e-05, 53,890, 2.5e38, −14 (U+2212),
# not the digits inside a name such as float64 or W_hh2.
_NUMBER = re.compile(
    r"(?<![A-Za-z_\d.])[-+\u2212]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
    r"(?:[eE][-+]?\d+)?"
)
_OBJECT_REPR = re.compile(r"<[\w.]+ object(?: at 0x[0-9a-f]+)?>")


def glued(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Every value glued in an executed notebook, by name, as the text the pages
    show (``text/plain``; for a Markdown or HTML object its Markdown or HTML)."""
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = out.get("metadata", {}).get("scrapbook")
            if not meta or "name" not in meta:
                continue
            prefix, data = meta.get("mime_prefix", ""), out.get("data", {})
            text = data.get(prefix + "text/plain")
            if text is None or _OBJECT_REPR.fullmatch(text.strip()):
                text = data.get(prefix + "text/markdown")
                text = data.get(prefix + "text/html") if text is None else text
            if text is not None:
                found[meta["name"]] = text if isinstance(text, str) else "".join(text)
    return found


def _numbers(text: str) -> tuple[str, list[float]]:
    """The text with each number replaced by ``#``, and the numbers."""
    values = [
        float(m.group().replace(",", "").replace("\u2212", "-"))
        for m in _NUMBER.finditer(text)
    ]
    return _NUMBER.sub("#", text), values


def moved(main: str, robust: str, tolerance: float = TOLERANCE) -> bool:
    """Whether a glued text changed: other words, or a number that moved by more
    than ``tolerance`` of its main value (a main value of 0: any change)."""
    if main == robust:
        return False
    shape_main, a = _numbers(main)
    shape_robust, b = _numbers(robust)
    if shape_main != shape_robust:
        return True
    return any(abs(y - x) > tolerance * abs(x) for x, y in zip(a, b))


@dataclass(frozen=True)
class Comparison:
    """The glued values of the two builds, and the ones that moved."""

    rows: list[tuple[str, str, str, str]]  # page, name, main, robust
    compared: int
    pages: int

    def summary(self, offset: int, kernels: str, path: Path | str) -> str:
        return (
            f"robust build (RNNBOOK_SEED_OFFSET={offset}, ATEN_CPU_CAPABILITY="
            f"{kernels}): {len(self.rows)} of {self.compared} glued values on "
            f"{self.pages} page{'s' * (self.pages != 1)} moved by more than "
            f"{TOLERANCE:.0%} or changed "
            f"text; list in {path}"
        )


def compare(
    main: Mapping[str, Mapping[str, str]], robust: Mapping[str, Mapping[str, str]]
) -> Comparison:
    """Compare the glued values of each page present in both builds (``page ->
    name -> text``). A name glued in one build only counts as changed text."""
    rows, compared = [], 0
    pages = sorted(set(main) & set(robust))
    for page in pages:
        a, b = main[page], robust[page]
        for name in list(a) + [n for n in b if n not in a]:
            compared += 1
            x, y = a.get(name, "(not glued)"), b.get(name, "(not glued)")
            if name not in a or name not in b or moved(x, y):
                rows.append((page, name, x, y))
    return Comparison(rows, compared, len(pages))


def write_csv(rows, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def artifacts_dir(root: Path = ROOT) -> Path:
    """``$RNNBOOK_ARTIFACTS``, or ``artifacts/`` in the repository."""
    return Path(os.environ.get("RNNBOOK_ARTIFACTS") or root / "artifacts")


def run(
    root: Path = ROOT,
    main_build: Path | None = None,
    out: Path | None = None,
    offset: int = OFFSET,
    kernels: str = KERNELS,
    jobs: int | None = None,
    csv_path: Path | None = None,
) -> Comparison:
    """Fill the main cache if it lacks pages, execute the robust build, compare, and
    write the CSV. Raises ``execute_book.ExecutionFailed`` (after writing the CSV
    for the pages that ran) if a cell failed."""
    root = Path(root).resolve()
    main_build = Path(main_build) if main_build else root / "_build"
    out = Path(out) if out else main_build / "robust"
    csv_path = csv_path or artifacts_dir(root) / "robust" / "moved.csv"
    print(f"robust: the main build's cache ({main_build})")
    execute_book.fill_cache(root, main_build, jobs)
    print(f"robust: executing every page again in {out}")
    failed = None
    env = {"RNNBOOK_SEED_OFFSET": str(offset), "ATEN_CPU_CAPABILITY": kernels}
    try:
        execute_book.fill_cache(root, out, jobs, env=env)
    except execute_book.ExecutionFailed as err:
        failed = err
    texts = {
        build: {
            page: glued(nb)
            for page, nb in execute_book.executed_notebooks(root, folder).items()
        }
        for build, folder in (("main", main_build), ("robust", out))
    }
    result = compare(texts["main"], texts["robust"])
    write_csv(result.rows, csv_path)
    print(result.summary(offset, kernels, csv_path))
    if failed is not None:
        raise failed
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder")
    parser.add_argument(
        "--main", type=Path, help="the main build's _build folder (default ROOT/_build)"
    )
    parser.add_argument(
        "--out", type=Path, help="this build's folder (default MAIN/robust)"
    )
    parser.add_argument("--offset", type=int, default=OFFSET)
    parser.add_argument("--kernels", default=KERNELS, help="ATEN_CPU_CAPABILITY")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--csv", type=Path, help="default $RNNBOOK_ARTIFACTS/robust/")
    args = parser.parse_args(argv)
    if args.offset <= 0:
        parser.error("--offset must be positive: the robust build runs other seeds")
    try:
        run(args.root, args.main, args.out, args.offset, args.kernels, args.jobs,
            args.csv)
    except execute_book.ExecutionFailed as err:
        print(f"robust: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
