"""Clear the book's execution cache when the rnnbook package has changed.

Jupyter Book's cache keys each notebook on its cell sources only, so editing
``code/rnnbook`` would otherwise leave pages showing outputs of the old code.
We hash every file of the package and keep the hash beside the cache; when the
hash differs, the execution cache and Sphinx's saved environment (``.doctrees``,
without which Sphinx would not even re-read unchanged pages) are deleted, and
every page is executed again.

This module is a Sphinx extension (listed in ``_config.yml`` under
``sphinx.local_extensions``), so the check runs on every ``jupyter-book build``,
however it is started. It also runs as a script:
``python _ext/cache_guard.py BUILD_DIR``.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "code" / "rnnbook"


def package_hash(package: Path = PACKAGE) -> str:
    """SHA-1 over the relative paths and contents of the package's Python files."""
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def guard(build_dir: Path, package: Path = PACKAGE) -> bool:
    """Delete the cache under ``build_dir`` if ``package`` changed; return True if it did."""
    stamp = build_dir / ".rnnbook-package.sha1"
    stale = [build_dir / ".jupyter_cache", build_dir / ".doctrees"]
    current = package_hash(package)
    previous = stamp.read_text().strip() if stamp.is_file() else None
    changed = previous != current
    if changed:
        for path in stale:
            if path.exists():
                shutil.rmtree(path)
                print(f"rnnbook changed since the last build: cleared {path}")
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return changed


def _on_config_inited(app, config) -> None:
    # Runs before Sphinx loads its saved environment and before myst-nb opens the cache.
    guard(Path(app.doctreedir).parent)


def setup(app) -> dict:
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    guard(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build")
