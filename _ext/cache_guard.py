"""Clear the book's execution cache when the code the pages run has changed.

Jupyter Book's cache keys each notebook on its cell sources only, so editing
``code/rnnbook``, or upgrading torch or numpy, would otherwise leave pages
showing outputs of the old code. The key here covers the package's Python
files and the versions of Python and of the libraries whose results the pages
show (:data:`LIBRARIES`), and the two settings that change what the same code
computes (:func:`settings`): the seed offset ``RNNBOOK_SEED_OFFSET`` and the
set of kernels PyTorch runs (``ATEN_CPU_CAPABILITY``, or the CPU's best), so a
build on other seeds or other kernels executes again instead of showing the
cached outputs. It is kept beside the cache; when it differs, the
execution cache and Sphinx's saved environment (``.doctrees``, without which
Sphinx would not even re-read unchanged pages) are deleted, and every page is
executed again.

This module is a Sphinx extension (listed in ``_config.yml`` under
``sphinx.local_extensions``), so the check runs on every ``jupyter-book build``,
however it is started. It also runs as a script:
``python _ext/cache_guard.py BUILD_DIR``.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "code" / "rnnbook"
# What a page's outputs depend on besides its cells and the package.
LIBRARIES = ("torch", "numpy", "matplotlib", "myst-nb")
SEED_OFFSET_ENV = "RNNBOOK_SEED_OFFSET"  # rnnbook.seeding
KERNELS_ENV = "ATEN_CPU_CAPABILITY"  # PyTorch's choice of CPU kernels


def package_hash(package: Path = PACKAGE) -> str:
    """SHA-1 over the relative paths and contents of the package's Python files."""
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def versions(libraries: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """The Python version and the installed version of each library ("absent" if
    none)."""
    found = {"python": platform.python_version()}
    for name in libraries:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def settings() -> dict[str, str]:
    """The seed offset and the kernel set that this build's kernels will use.

    The kernels inherit this process's environment: the kernel set is
    ``ATEN_CPU_CAPABILITY`` where it is set, else the CPU's best, as PyTorch
    reports it (``avx2``, ``avx512``, ...). The offset is read as
    :mod:`rnnbook.seeding` reads it (a bad value fails here, with its message,
    before any page runs).
    """
    import torch
    from rnnbook.seeding import seed_offset

    kernels = os.environ.get(KERNELS_ENV, "").strip()
    return {
        SEED_OFFSET_ENV: str(seed_offset()),
        KERNELS_ENV: (kernels or torch.backends.cpu.get_cpu_capability()).lower(),
    }


def cache_key(
    package: Path = PACKAGE,
    installed: dict[str, str] | None = None,
    setting: dict[str, str] | None = None,
) -> str:
    """The stamp kept beside the cache: the package's hash, the versions and the
    settings (:func:`settings`), one per line."""
    installed = versions() if installed is None else installed
    setting = settings() if setting is None else setting
    lines = [f"rnnbook {package_hash(package)}"]
    lines += [f"{name} {version}" for name, version in sorted(installed.items())]
    lines += [f"{name} {value}" for name, value in sorted(setting.items())]
    return "\n".join(lines)


def guard(
    build_dir: Path,
    package: Path = PACKAGE,
    installed: dict[str, str] | None = None,
    setting: dict[str, str] | None = None,
) -> bool:
    """Delete the cache under ``build_dir`` if the key changed; return True if it
    did."""
    stamp = build_dir / ".rnnbook-cache-key"
    stale = [build_dir / ".jupyter_cache", build_dir / ".doctrees"]
    current = cache_key(package, installed, setting)
    previous = stamp.read_text().strip() if stamp.is_file() else None
    changed = previous != current
    if changed:
        what = _difference(previous, current)
        for path in stale:
            if path.exists():
                shutil.rmtree(path)
                print(f"{what} since the last build: cleared {path}")
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return changed


def _difference(previous: str | None, current: str) -> str:
    if previous is None:
        return "no record of the last build's code"
    old = dict(line.split(" ", 1) for line in previous.splitlines() if " " in line)
    new = dict(line.split(" ", 1) for line in current.splitlines() if " " in line)
    names = [name for name in new if old.get(name) != new[name]]
    return (
        ", ".join(f"{n} {old.get(n, '?')[:12]} -> {new[n][:12]}" for n in names)
        or "changed"
    )


def _on_config_inited(app, config) -> None:
    # Runs before Sphinx loads its saved environment and before myst-nb opens the cache.
    guard(Path(app.doctreedir).parent)


def setup(app) -> dict:
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    guard(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build")
