"""Execute the book's pages side by side and fill the build's execution cache.

``jupyter-book build`` executes the pages one after another, on one core. This
script executes them first, as many at once as the machine has cores (each
kernel on one thread), and stores every executed notebook in the build's
jupyter-cache exactly where myst-nb's cache mode looks for it. The build that
follows takes each page's outputs from the cache ("Using cached notebook") and
only renders::

    python tools/execute_book.py                 # fills _build/.jupyter_cache
    jupyter-book build . -W -n --keep-going      # renders; executes nothing

``make book`` runs both; ``jupyter-book build .`` alone still works, serially.
Pages already in the cache are not executed again, so a prose-only edit costs
only the render.

What makes the build find the outputs: a cached notebook is keyed on the hash
of its code cells (sources and metadata) and its kernelspec, so each page is
read here as myst-nb reads it in the build: the same reader, the Markdown
settings of ``_config.yml`` (via jupyter-book's own configuration), the same
kernel aliases. Execution is myst-nb's too: jupyter-cache's
``single_nb_execution`` with the page's folder as working directory, the
build's timeout per cell (``execute.timeout``; jupyter-cache's executors
default to 30 s) and ``allow_errors``; the environment that
``_ext/batch_mode.py`` gives the build's kernels (``RNNBOOK_BATCH=1``,
``OMP_NUM_THREADS=1``). The cache guard (``_ext/cache_guard.py``) runs first
and writes its stamp, so that the build's own guard finds the cache current and
keeps it.

A failing cell fails this script (``execute.raise_on_error``): after every
page has run, it names each failed page with the cell's number and line and the
error, writes the traceback to ``<build>/html/reports/<page>.err.log`` (where
the build would), and exits with status 1. Pages that succeeded stay cached.

The robustness build (``tools/robust.py``) uses the same functions with other
environment variables and another build folder.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

ROOT = Path(__file__).resolve().parent.parent
# What _ext/batch_mode.py sets in the build process (tests/test_execute_book.py checks
# that the names match): no live plots, and one PyTorch thread unless the caller chose.
BATCH_ENV = {"RNNBOOK_BATCH": "1"}
THREAD_DEFAULTS = {"OMP_NUM_THREADS": "1"}


def cores() -> int:
    """The number of cores this process may use (its CPU affinity, where known)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@dataclass(frozen=True)
class BookSettings:
    """The execution settings of a book, as ``jupyter-book build`` derives them from
    its ``_config.yml``."""

    mode: str
    timeout: int | None
    allow_errors: bool
    raise_on_error: bool
    in_temp: bool
    exclude: tuple[str, ...]
    kernel_aliases: Mapping[str, str]
    md_config: object = field(repr=False)  # myst_parser's MdParserConfig


def book_settings(root: Path = ROOT) -> BookSettings:
    """Read ``root/_config.yml`` through jupyter-book's configuration, as the build
    does, and keep what execution and the cache key depend on."""
    from jupyter_book.config import get_final_config
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig

    conf, _ = get_final_config(
        user_yaml=root / "_config.yml",
        cli_config={"latex_individualpages": False},
        sourcedir=root,
    )
    # myst_parser.sphinx_ext.main.create_myst_config: the myst_* values of the config
    md = {
        name: conf[f"myst_{name}"]
        for name, _, fld in MdParserConfig().as_triple()
        if "sphinx" not in fld.metadata.get("omit", []) and f"myst_{name}" in conf
    }
    nb = NbParserConfig()
    return BookSettings(
        mode=conf.get("nb_execution_mode", nb.execution_mode),
        timeout=conf.get("nb_execution_timeout", nb.execution_timeout),
        allow_errors=conf.get("nb_execution_allow_errors", nb.execution_allow_errors),
        raise_on_error=conf.get(
            "nb_execution_raise_on_error", nb.execution_raise_on_error
        ),
        in_temp=conf.get("nb_execution_in_temp", nb.execution_in_temp),
        exclude=tuple(
            conf.get("nb_execution_excludepatterns", nb.execution_excludepatterns)
        ),
        kernel_aliases=dict(conf.get("nb_kernel_rgx_aliases", None) or {}),
        md_config=MdParserConfig(**md),
    )


def book_pages(root: Path = ROOT) -> list[Path]:
    """The notebook pages of the table of contents, in its order: ``.ipynb`` files,
    and ``.md`` files that are MyST notebooks (a ``jupytext`` or ``file_format:
    mystnb`` top matter)."""
    from myst_nb.core.read import is_myst_markdown_notebook
    from sphinx_external_toc.parsing import parse_toc_yaml

    pages = []
    for docname in parse_toc_yaml(root / "_toc.yml"):
        for suffix in (".md", ".ipynb"):
            path = root / f"{docname}{suffix}"
            if path.is_file() and (
                suffix == ".ipynb" or is_myst_markdown_notebook(path.read_text("utf8"))
            ):
                pages.append(path)
    return pages


def read_page(path: Path, settings: BookSettings) -> nbformat.NotebookNode:
    """The notebook of ``path`` as myst-nb reads it in the build (so its cache key is
    the build's)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    text = path.read_text("utf-8-sig")  # Sphinx's source encoding
    if path.suffix == ".ipynb":
        nb = nbformat.reads(text, as_version=4)
    else:
        nb = read_myst_markdown_notebook(
            text, config=settings.md_config, add_source_map=True, path=str(path)
        )
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    for pattern, alias in settings.kernel_aliases.items():
        if kernel is not None and re.fullmatch(pattern, kernel):
            nb.metadata["kernelspec"]["name"] = alias
            break
    return nb


@dataclass
class Job:
    """One page to execute, with the settings that apply to it."""

    path: Path
    notebook: nbformat.NotebookNode
    timeout: int | None
    allow_errors: bool
    in_temp: bool


@dataclass
class Outcome:
    """What executing one page gave: the executed notebook, or where it failed."""

    path: Path
    notebook: nbformat.NotebookNode
    seconds: float
    error: str | None = None  # one line: the exception's type and message
    cell: int | None = None  # index of the failing cell among all cells
    traceback: str | None = None


def execute(job: Job) -> Outcome:
    """Execute one notebook as myst-nb's cache mode does (in a worker process)."""
    import traceback

    from jupyter_cache.executors.utils import single_nb_execution

    start = time.perf_counter()
    folder = nullcontext(job.path.parent)  # as myst-nb: the page's own folder
    where = tempfile.TemporaryDirectory() if job.in_temp else folder
    try:
        with where as cwd:
            result = single_nb_execution(
                job.notebook,
                cwd=str(cwd),
                timeout=job.timeout,
                allow_errors=job.allow_errors,
                meta_override=True,
            )
    except Exception as err:  # the kernel died, or could not start
        return Outcome(
            job.path,
            job.notebook,
            time.perf_counter() - start,
            error=f"{type(err).__name__}: {err}",
            cell=failed_cell(job.notebook),
            traceback=traceback.format_exc(),
        )
    if result.err is None:
        return Outcome(job.path, result.nb, result.time)
    return Outcome(
        job.path,
        result.nb,
        result.time,
        error=_one_line(result.err),
        cell=failed_cell(result.nb),
        traceback=result.exc_string,
    )


def _one_line(err: BaseException) -> str:
    ename = getattr(err, "ename", None) or type(err).__name__
    evalue = getattr(err, "evalue", None)
    if evalue is None:  # a timeout: the message is the whole story
        evalue = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{ename}: {evalue}"


def failed_cell(nb: nbformat.NotebookNode) -> int | None:
    """The index of the cell that stopped the run: the one with an error output, else
    (a timeout) the first code cell that never finished."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for i in code:
        if any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", [])):
            return i
    for i in code:
        if nb.cells[i].get("execution_count") is None:
            return i
    return None


def describe_failure(outcome: Outcome, root: Path) -> str:
    """``book/page.md, cell 12 (line 240): ValueError: ...``: page, cell and error."""
    where = _relative(outcome.path, root)
    if outcome.cell is not None:
        lines = outcome.notebook.metadata.get("source_map") or []
        code_number = sum(
            c.cell_type == "code" for c in outcome.notebook.cells[: outcome.cell + 1]
        )
        where += f", code cell {code_number}"
        if outcome.cell < len(lines):
            where += f" (line {lines[outcome.cell]})"
    return f"{where}: {outcome.error}"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


class ExecutionFailed(RuntimeError):
    """One or more pages had a failing cell; the message names each (page, cell,
    error)."""


@dataclass
class FillReport:
    """What :func:`fill_cache` did: pages executed (with seconds), and pages found in
    the cache."""

    executed: dict[str, float]
    cached: list[str]
    failed: list[str]
    seconds: float


def _pending(
    pages: list[Path], settings: BookSettings, cache
) -> Iterator[tuple[Path, Job | None]]:
    for path in pages:
        nb = read_page(path, settings)
        own = nb.metadata.get("mystnb", {})  # myst-nb's per-page overrides
        mode = own.get("execution_mode", settings.mode)
        posix = PurePosixPath(path.as_posix())
        if mode != "cache" or any(posix.match(p) for p in settings.exclude):
            continue  # the build does not take this page from the cache
        try:
            cache.match_cache_notebook(nb)
        except KeyError:
            yield path, Job(
                path,
                nb,
                own.get("execution_timeout", settings.timeout),
                own.get("execution_allow_errors", settings.allow_errors),
                own.get("execution_in_temp", settings.in_temp),
            )
        else:
            yield path, None


def fill_cache(
    root: Path = ROOT,
    build_dir: Path | None = None,
    jobs: int | None = None,
    env: Mapping[str, str] | None = None,
    log=None,
) -> FillReport:
    """Execute every page of ``root``'s book that ``build_dir``'s cache lacks,
    ``jobs`` at a time (default: one per core), and cache the results.

    ``build_dir`` is the build's ``_build`` folder (default ``root/_build``; with
    ``jupyter-book build --path-output OUT`` it is ``OUT/_build``). ``env`` is
    set in this process's environment first, so that the cache guard and the
    kernels see it (the robustness build passes its seed offset and kernel set).
    Raises :class:`ExecutionFailed` if a cell failed and the book's
    ``raise_on_error`` is set.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    log = log or _say
    start = time.perf_counter()
    root = Path(root).resolve()
    build_dir = Path(build_dir).resolve() if build_dir else root / "_build"
    os.environ.update(BATCH_ENV)
    for name, value in THREAD_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.update(env or {})
    settings = book_settings(root)
    if settings.mode != "cache":
        raise SystemExit(
            f"execute.execute_notebooks is {settings.mode!r} in {root / '_config.yml'}"
            ": the build would not read the cache; set it to 'cache'"
        )
    _guard(build_dir)  # first: on a new key it clears the cache and the doctrees
    cache = get_cache(str(build_dir / ".jupyter_cache"))
    todo, cached = [], []
    for path, job in _pending(book_pages(root), settings, cache):
        (todo if job else cached).append(job or path)
    jobs = max(1, min(jobs or cores(), len(todo) or 1))
    log(
        f"execute_book: {len(todo)} page(s) to execute, {len(cached)} cached; "
        f"{jobs} at a time, one thread each, timeout {settings.timeout} s per cell"
    )
    executed, failures = {}, []
    # Fresh worker processes ("spawn"), not copies of this one: it holds torch (the
    # cache guard imported it), which each copy would count in its memory again.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
        running = [pool.submit(execute, job) for job in order_jobs(todo, root)]
        for done in as_completed(running):
            outcome = done.result()
            page = _relative(outcome.path, root)
            if outcome.error is None:
                cache.cache_notebook_bundle(
                    CacheBundleIn(
                        outcome.notebook,
                        str(outcome.path),
                        data={"execution_seconds": outcome.seconds},
                    ),
                    check_validity=False,
                    overwrite=True,
                )
                executed[page] = outcome.seconds
                log(f"  executed {page} in {outcome.seconds:.1f} s")
            else:
                failures.append(outcome)
                _report(outcome, root, build_dir)
                log(f"  FAILED {describe_failure(outcome, root)}")
    report = FillReport(
        executed,
        [_relative(p, root) for p in cached],
        [_relative(o.path, root) for o in failures],
        time.perf_counter() - start,
    )
    log(
        f"execute_book: {len(executed)} executed, {len(cached)} cached, "
        f"{len(failures)} failed, in {report.seconds:.1f} s"
    )
    if failures and settings.raise_on_error:
        err = ExecutionFailed(
            "a cell failed in "
            + "; ".join(describe_failure(o, root) for o in failures)
            + f" (tracebacks in {build_dir / 'html' / 'reports'})"
        )
        err.report = report  # what did run
        raise err
    return report


def _say(message: str) -> None:
    print(message, flush=True)  # at once, also when the output is a pipe (make, CI)


def order_jobs(todo: list[Job], root: Path) -> list[Job]:
    """Longest first, so that no long page starts last while the other cores idle.

    The lengths are last known execution times from ``tools/page_seconds.txt``
    (``page seconds`` per line; written by ``--record``); a page not listed there
    (a new page) goes first.
    """
    known = page_seconds(root / "tools" / "page_seconds.txt")

    def key(job: Job) -> float:
        return -known.get(_relative(job.path, root), float("inf"))

    return sorted(todo, key=key)


def page_seconds(path: Path) -> dict[str, float]:
    """``page seconds`` lines (``#`` comments) as a dict; empty if there is no file."""
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text().splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) == 2:
            found[parts[0]] = float(parts[1])
    return found


def _report(outcome: Outcome, root: Path, build_dir: Path) -> None:
    # where myst-nb keeps the traceback of a page that failed in the build
    page = _relative(outcome.path, root)
    name = PurePosixPath(page).with_suffix(".err.log")
    path = build_dir / "html" / "reports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(outcome.traceback or outcome.error or "", encoding="utf8")


def _guard(build_dir: Path) -> None:
    # this repository's guard: it keys on this repository's package
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import cache_guard
    finally:
        sys.path.pop(0)
    cache_guard.guard(build_dir)


def executed_notebooks(
    root: Path = ROOT, build_dir: Path | None = None
) -> dict[str, nbformat.NotebookNode]:
    """Each page's executed notebook from ``build_dir``'s cache, by page path
    (``book/gated.md``); a page the cache lacks is left out."""
    from jupyter_cache import get_cache

    root = Path(root).resolve()
    build_dir = Path(build_dir) if build_dir else root / "_build"
    cache = get_cache(str(build_dir / ".jupyter_cache"))
    settings = book_settings(root)
    found = {}
    for path in book_pages(root):
        try:
            record = cache.match_cache_notebook(read_page(path, settings))
        except KeyError:
            continue
        found[_relative(path, root)] = cache.get_cache_bundle(record.pk).nb
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder")
    parser.add_argument(
        "--build-dir",
        type=Path,
        help="the build's _build folder (default ROOT/_build; for jupyter-book "
        "build --path-output OUT, OUT/_build)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help=f"pages at once (default {cores()})"
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the pages' execution times to tools/page_seconds.txt",
    )
    args = parser.parse_args(argv)
    status = 0
    try:
        report = fill_cache(args.root, args.build_dir, args.jobs)
    except ExecutionFailed as err:
        print(f"execute_book: {err}", file=sys.stderr)
        report, status = err.report, 1
    if args.record and report.executed:
        record(report.executed, args.root / "tools" / "page_seconds.txt")
    return status


def record(seconds: dict[str, float], path: Path) -> None:
    """Merge ``seconds`` into the ``page seconds`` file that orders the pages."""
    known = {**page_seconds(path), **seconds}
    lines = [
        "# Last measured wall time of each page, in seconds (only the order matters).",
        "# tools/execute_book.py starts the longest first; regenerate with --record.",
    ]
    lines += [f"{page} {s:.0f}" for page, s in sorted(known.items())]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
