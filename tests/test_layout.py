"""The repository layout keeps Python's standard library visible."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_code_folder_does_not_shadow_stdlib_code_module():
    # Run from the repo root, where a package named `code` would win the import.
    out = subprocess.run(
        [sys.executable, "-c", "import code; print(code.__file__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(out).parent == Path(sysconfig.get_paths()["stdlib"])
    assert not (ROOT / "code" / "__init__.py").exists()


def test_rnnbook_imports_from_code_folder():
    import rnnbook

    assert Path(rnnbook.__file__).resolve().parent == ROOT / "code" / "rnnbook"


def test_cache_guard_clears_cache_when_package_changes(tmp_path):
    from cache_guard import guard

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    build = tmp_path / "_build"
    cache, doctrees = build / ".jupyter_cache", build / ".doctrees"
    cache.mkdir(parents=True)
    doctrees.mkdir()
    assert guard(build, pkg) is True  # first build: no stamp yet, cache cleared
    assert not cache.exists() and not doctrees.exists()
    cache.mkdir()
    doctrees.mkdir()
    assert guard(build, pkg) is False  # unchanged package: cache kept
    assert cache.exists() and doctrees.exists()
    (pkg / "a.py").write_text("x = 2\n")
    assert guard(build, pkg) is True  # changed package: cache and environment cleared
    assert not cache.exists() and not doctrees.exists()
