"""Time the book's builds: serial and parallel clean builds, and two rebuilds.

Works on a throw-away copy of the repository, so the real sources are never
touched. In one run, with no other build running, it measures:

* the clean build as ``jupyter-book build`` alone does it: every page executed
  one after another (serial);
* the clean build as ``make book`` does it: ``tools/execute_book.py`` executes
  the pages side by side (one per core, one thread each), then ``jupyter-book
  build`` renders from the cache (parallel), checking that the render executed
  nothing;
* the parallel pipeline again after a prose-only edit, and after a package edit.

For each it prints the wall time and the peak resident memory of the whole
process tree (the build, the executor's workers and their kernels), sampled
every 0.1 s, and the ratio parallel / serial::

    python bench/build_time.py                 # the whole book: about 15-20 minutes
    python bench/build_time.py --root DIR      # another book (tests use a tiny one)

The budgets are the book's (issue 26): a clean ``make book`` (the parallel
build) within ``BUDGET_S`` on the 2-core machine it is built on, peak memory
under ``MEMORY_GIB``, a prose-only rebuild within ``PROSE_S``, and the parallel
clean build at most ``TARGET_RATIO`` of the serial one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 720  # a clean `make book` of the whole book, new sections included
MEMORY_GIB = 4.0  # peak resident memory of the build's process tree
PROSE_S = 20.0  # a rebuild after a prose-only edit
TARGET_RATIO = 0.65  # parallel clean build / serial clean build, on 2 cores
IGNORE = shutil.ignore_patterns(
    ".venv",
    "_build",
    ".git",
    "artifacts",
    "__pycache__",
    ".pytest_cache",
    "node_modules",
)
STRICT = ["-W", "-n", "--keep-going"]


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    try:
        children = proc.children(recursive=True)
    except psutil.Error:  # it has just ended
        return 0
    for p in [proc, *children]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    """Run ``cmd``; return (seconds, peak tree RSS in bytes, output). Exits with the
    output's tail if the command fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    ps = psutil.Process(proc.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(ps))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{out[-4000:]}")
    return seconds, peak, out


def executed(log: str) -> int:
    """How many notebooks ``jupyter-book build`` executed itself (not from the
    cache)."""
    return log.count("Executing notebook")


def filled(log: str) -> int:
    """How many notebooks ``tools/execute_book.py`` executed."""
    return log.count("  executed ")


class Builds:
    """The two ways to build the copy ``src`` into output folders under ``out``."""

    def __init__(self, src: Path, out: Path, jobs: int | None = None) -> None:
        self.src, self.out, self.jobs = src, out, jobs
        jb = Path(sys.executable).parent / "jupyter-book"
        self.jb = str(jb)
        # The copy's own executor and package (their cache guard hashes the copy's
        # package); a book without them (a test's tiny book) uses this repository's.
        script = src / "tools" / "execute_book.py"
        fallback = ROOT / "tools" / "execute_book.py"
        self.executor = str(script if script.is_file() else fallback)
        # The copy's package first on the path: an edit to it is what the kernels
        # import and what the cache guard hashes.
        self.env = {**os.environ, "PYTHONPATH": str(src / "code")}

    def serial(self) -> tuple[float, int, str]:
        """``jupyter-book build`` alone, in a fresh folder: executes every page."""
        dest = self.out / "serial"
        cmd = [self.jb, "build", str(self.src), "--path-output", str(dest), *STRICT]
        return timed(cmd, self.src, self.env)

    def parallel(self) -> tuple[float, int, str, int, int]:
        """The executor, then the render, in the ``parallel`` folder (as ``make
        book``): (seconds, peak, log, pages the executor ran, pages the render
        ran)."""
        dest = self.out / "parallel"
        fill = [sys.executable, self.executor, "--root", str(self.src),
                "--build-dir", str(dest / "_build")]
        if self.jobs:
            fill += ["--jobs", str(self.jobs)]
        s1, p1, log1 = timed(fill, self.src, self.env)
        render = [self.jb, "build", str(self.src), "--path-output", str(dest), *STRICT]
        s2, p2, log2 = timed(render, self.src, self.env)
        return s1 + s2, max(p1, p2), log1 + log2, filled(log1), executed(log2)


def run(root: Path = ROOT, jobs: int | None = None) -> dict[str, float]:
    """Serial and parallel clean builds, then the prose-only and package-change
    rebuilds of the parallel pipeline, on a copy of ``root``."""
    r: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "book"
        shutil.copytree(root, src, ignore=IGNORE)
        builds = Builds(src, Path(tmp) / "out", jobs)
        r["pages"] = len(list((src / "book").glob("*.md")))

        secs, peak, log = builds.serial()
        r["serial_clean_s"], r["serial_peak_gib"] = secs, peak / 2**30
        r["serial_executed"] = executed(log)

        secs, peak, _, ran, again = builds.parallel()
        r["parallel_clean_s"], r["parallel_peak_gib"] = secs, peak / 2**30
        r["parallel_executed"], r["parallel_render_executed"] = ran, again
        r["parallel_over_serial"] = r["parallel_clean_s"] / r["serial_clean_s"]

        pages = sorted((src / "book").glob("*.md"))
        intro = src / "book" / "intro.md" if (src / "book" / "intro.md").is_file() \
            else pages[0]
        intro.write_text(
            intro.read_text() + "\nA sentence added by the build benchmark.\n"
        )
        secs, _, _, ran, again = builds.parallel()
        r["prose_rebuild_s"], r["prose_rebuild_executed"] = secs, ran + again

        pkg = src / "code" / "rnnbook" / "__init__.py"
        if pkg.is_file():
            pkg.write_text(pkg.read_text() + "\n# touched by the build benchmark\n")
            secs, _, _, ran, again = builds.parallel()
            r["package_change_rebuild_s"] = secs
            r["package_change_executed"] = ran + again
    return r


def report(r: dict[str, float], jobs: int) -> list[str]:
    """The lines the benchmark prints for the results ``r`` of :func:`run`."""
    yes = {True: "yes", False: "NO"}
    peak = max(r["serial_peak_gib"], r["parallel_peak_gib"])
    lines = [
        f"serial clean build (jupyter-book alone)   {r['serial_clean_s']:7.1f} s   "
        f"peak RSS {r['serial_peak_gib']:.2f} GiB",
        f"parallel clean build ({jobs} at a time)   {r['parallel_clean_s']:7.1f} s   "
        f"peak RSS {r['parallel_peak_gib']:.2f} GiB   "
        f"(render executed {r['parallel_render_executed']:.0f} pages)",
        f"parallel / serial {r['parallel_over_serial']:.2f}   "
        f"(target <= {TARGET_RATIO}: {yes[r['parallel_over_serial'] <= TARGET_RATIO]})",
        f"clean make book within {BUDGET_S} s: "
        f"{yes[r['parallel_clean_s'] <= BUDGET_S]}   "
        f"peak memory under {MEMORY_GIB:g} GiB: {yes[peak < MEMORY_GIB]}",
        f"rebuild after a prose-only edit        {r['prose_rebuild_s']:7.1f} s   "
        f"({r['prose_rebuild_executed']:.0f} notebooks executed; within {PROSE_S:g} s: "
        f"{yes[r['prose_rebuild_s'] <= PROSE_S]})",
    ]
    if "package_change_rebuild_s" in r:
        lines.append(
            f"rebuild after a package change         "
            f"{r['package_change_rebuild_s']:7.1f} s   "
            f"({r['package_change_executed']:.0f} of {r['pages']:.0f} notebooks "
            "executed)"
        )
    lines.append(" ".join(f"{k}={v:.2f}" for k, v in r.items()))
    return lines


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    from execute_book import cores
    from machine import machine_info  # bench/ is on the path when run as a script

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book to copy")
    parser.add_argument("--jobs", type=int, default=None,
                        help=f"pages at once in the parallel build (default {cores()})")
    args = parser.parse_args(argv)
    print(machine_info())
    for line in report(run(args.root, args.jobs), args.jobs or cores()):
        print(line)


if __name__ == "__main__":
    main()
