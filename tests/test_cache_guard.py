"""The execution-cache guard (_ext/cache_guard.py) keys on the code the pages run.

A page's outputs change with the package and with the libraries under it, so an
upgrade of torch (or numpy, matplotlib, myst-nb, Python) must clear the cache
just as an edit of ``code/rnnbook`` does. (The package edit is checked in
tests/test_layout.py.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import cache_guard

ROOT = Path(__file__).resolve().parent.parent

INSTALLED = {
    "python": "3.11.7",
    "torch": "2.13.0",
    "numpy": "2.4.6",
    "matplotlib": "3.11.2",
    "myst-nb": "1.4.0",
}


@pytest.fixture
def package(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    return pkg


def test_the_key_names_python_and_every_library_the_outputs_depend_on():
    assert set(cache_guard.versions()) == {
        "python",
        "torch",
        "numpy",
        "matplotlib",
        "myst-nb",
    }
    key = cache_guard.cache_key()
    assert key.splitlines()[0] == f"rnnbook {cache_guard.package_hash()}"
    assert f"python {sys.version.split()[0]}" in key.splitlines()


@pytest.mark.parametrize("name", sorted(INSTALLED))
def test_the_key_changes_when_a_version_changes(package, name):
    before = cache_guard.cache_key(package, INSTALLED)
    assert cache_guard.cache_key(package, dict(INSTALLED)) == before
    assert cache_guard.cache_key(package, {**INSTALLED, name: "9.9.9"}) != before


def test_an_upgrade_clears_the_cache_and_nothing_else_does(package, tmp_path, capsys):
    build = tmp_path / "_build"
    cache, doctrees = build / ".jupyter_cache", build / ".doctrees"
    assert cache_guard.guard(build, package, INSTALLED) is True  # no key yet
    cache.mkdir(parents=True)
    doctrees.mkdir()
    # same code, same versions
    assert cache_guard.guard(build, package, INSTALLED) is False
    assert cache.exists() and doctrees.exists()
    capsys.readouterr()
    assert cache_guard.guard(build, package, {**INSTALLED, "torch": "2.14.0"}) is True
    assert not cache.exists() and not doctrees.exists()
    assert "torch 2.13.0 -> 2.14.0" in capsys.readouterr().out
