"""Time the book's builds: clean, after a prose-only edit, and after a package edit.

Works on a throw-away copy of the repository, so the real sources are never
touched. Prints one line per build with wall time and the peak resident memory
of the whole process tree (jupyter-book plus its kernels), sampled every 0.1 s.

    python bench/build_time.py            # prints a table and a final key=value line

The budget is the book's: a clean strict build of the whole book within 10
minutes (``BUDGET_S``) on the 2-core machine it is built on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from machine import machine_info  # bench/ is on the path when run as a script

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 600  # the clean strict build of the whole book, in seconds
IGNORE = shutil.ignore_patterns(
    ".venv",
    "_build",
    ".git",
    "artifacts",
    "__pycache__",
    ".pytest_cache",
    "node_modules",
)


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def timed_build(src: Path) -> tuple[float, int, str]:
    """Run the strict build in ``src``; return (seconds, peak tree RSS, log tail)."""
    jb = Path(sys.executable).parent / "jupyter-book"
    # The copy's own package goes first on the path, so an edit to it is what the
    # kernels import
    # and what the cache guard (an extension run by the build) hashes.
    env = {**os.environ, "PYTHONPATH": str(src / "code")}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(jb), "build", str(src), "-W", "-n", "--keep-going"],
        cwd=src,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
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
        raise SystemExit(f"build failed:\n{out[-4000:]}")
    return seconds, peak, out


def executed(log: str) -> int:
    """How many notebooks a build executed (as opposed to taking from the cache)."""
    return log.count("Executing notebook")


def run() -> dict[str, float]:
    """Clean build, prose-only rebuild and package-change rebuild on a copy of the
    repo."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "book"
        shutil.copytree(ROOT, src, ignore=IGNORE)

        secs, peak, _ = timed_build(src)
        results["clean_build_s"], results["clean_build_peak_rss_gib"] = (
            secs,
            peak / 2**30,
        )
        results["pages"] = len(list((src / "book").glob("*.md")))

        intro = src / "book" / "intro.md"
        intro.write_text(
            intro.read_text() + "\nA sentence added by the build benchmark.\n"
        )
        secs, _, log = timed_build(src)
        results["prose_rebuild_s"] = secs
        results["prose_rebuild_executed"] = executed(log)

        pkg = src / "code" / "rnnbook" / "__init__.py"
        pkg.write_text(pkg.read_text() + "\n# touched by the build benchmark\n")
        secs, _, log = timed_build(src)
        results["package_change_rebuild_s"] = secs
        results["package_change_executed"] = executed(log)
    return results


if __name__ == "__main__":
    print(machine_info())
    r = run()
    print(
        f"clean build (all cells executed)   {r['clean_build_s']:7.1f} s   peak RSS "
        f"{r['clean_build_peak_rss_gib']:.2f} GiB"
    )
    print(
        f"within the budget of {BUDGET_S} s for a clean build: "
        f"{'yes' if r['clean_build_s'] <= BUDGET_S else 'NO'}"
    )
    print(
        f"rebuild after a prose-only edit     {r['prose_rebuild_s']:7.1f} s   "
        f"({r['prose_rebuild_executed']} notebooks executed)"
    )
    print(
        f"rebuild after a package change      {r['package_change_rebuild_s']:7.1f} s   "
        f"({r['package_change_executed']} of {r['pages']} notebooks executed)"
    )
    print(" ".join(f"{k}={v:.2f}" for k, v in r.items()))
