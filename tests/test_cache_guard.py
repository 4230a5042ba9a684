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


# --- Another seed offset or another kernel set executes the pages again -----------

SETTING = {"RNNBOOK_SEED_OFFSET": "0", "ATEN_CPU_CAPABILITY": "avx2"}


def _key_in_a_fresh_process(**env: str) -> list[str]:
    """The key as a build started with ``env`` computes it (torch picks its kernels
    once per process, so the setting is read in a new one)."""
    import os
    import subprocess

    code = "import cache_guard; print(cache_guard.cache_key())"
    full = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "_ext"), str(ROOT / "code"), os.environ.get("PYTHONPATH", "")])}
    full.pop("ATEN_CPU_CAPABILITY", None)
    full.pop("RNNBOOK_SEED_OFFSET", None)
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                         text=True, check=True).stdout
    return out.splitlines()


def test_the_key_holds_the_seed_offset_and_the_kernels_of_the_build():
    import torch

    native = torch.backends.cpu.get_cpu_capability().lower()
    plain = _key_in_a_fresh_process()
    assert "RNNBOOK_SEED_OFFSET 0" in plain
    assert f"ATEN_CPU_CAPABILITY {native}" in plain
    robust = _key_in_a_fresh_process(
        RNNBOOK_SEED_OFFSET="1000", ATEN_CPU_CAPABILITY="default")
    assert "RNNBOOK_SEED_OFFSET 1000" in robust
    assert "ATEN_CPU_CAPABILITY default" in robust
    # everything else is the same key
    assert [line for line in plain if not line.startswith(("RNNBOOK_SEED", "ATEN"))] \
        == [line for line in robust if not line.startswith(("RNNBOOK_SEED", "ATEN"))]


def test_a_bad_seed_offset_stops_the_build_with_its_name(monkeypatch):
    monkeypatch.setenv("RNNBOOK_SEED_OFFSET", "ten")
    with pytest.raises(ValueError, match="RNNBOOK_SEED_OFFSET"):
        cache_guard.settings()


@pytest.mark.parametrize(
    "changed", [{"RNNBOOK_SEED_OFFSET": "1000"}, {"ATEN_CPU_CAPABILITY": "default"}]
)
def test_another_offset_or_kernel_set_clears_the_cache(
    package, tmp_path, capsys, changed
):
    build = tmp_path / "_build"
    cache = build / ".jupyter_cache"
    cache_guard.guard(build, package, INSTALLED, SETTING)
    cache.mkdir(parents=True)
    assert cache_guard.guard(build, package, INSTALLED, dict(SETTING)) is False
    assert cache.exists()
    capsys.readouterr()
    assert cache_guard.guard(build, package, INSTALLED, {**SETTING, **changed}) is True
    assert not cache.exists()
    (name, value), = changed.items()
    assert f"{name} {SETTING[name]} -> {value}" in capsys.readouterr().out
