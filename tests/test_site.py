"""What the built site offers beyond its pages: offline assets, notebooks, Colab,
Binder.

Tests marked ``book`` use the strictly built book; the others run in the fast suite.
Browser-level checks of the same site are in tests/test_browser.py; the notebook
converter is tested construct by construct in tests/test_readable_notebook.py.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

import publish_notebooks
import readable_notebook
import rnnbook_site

ROOT = Path(__file__).resolve().parent.parent


def book_pages(html: Path) -> list[str]:
    """Page names (``book/intro``) of every notebook page of the built site."""
    return sorted(
        p.relative_to(html).with_suffix("").as_posix()
        for p in (html / "book").rglob("*.html")
    )


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def repo_parts() -> tuple[str, str, str]:
    repo = config()["repository"]
    org, name = re.match(r"https://github\.com/([^/]+)/([^/]+)", repo["url"]).groups()
    return org, name, repo["branch"]


def requirement_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


# --- offline assets -------------------------------------------------------------------


def test_mathjax_and_thebe_are_served_by_the_site(built_book):
    static = built_book / "_static"
    assert (static / "mathjax" / "tex-mml-chtml.js").is_file(), (
        "MathJax was not vendored: is npm installed? (python _ext/web_assets.py says "
        "why)"
    )
    assert (static / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    assert (static / "thebe" / "lib" / "index.js").is_file()
    assert (static / "rnnbook-live.js").is_file()
    for page in book_pages(built_book):
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        assert 'src="../_static/mathjax/tex-mml-chtml.js' in html, page
        assert "rnnbook-live.js" in html, page
        # sphinx-thebe's own launcher (thebe 0.8 from unpkg) is replaced by ours.
        assert "unpkg.com" not in html and "sphinx-thebe.js" not in html, page
        scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
        assert not [s for s in scripts if "://" in s], (
            f"{page} loads scripts from the internet"
        )


# --- notebooks
# --------------------------------------------------------------------------


def code_cells(notebook) -> list[str]:
    return [c.source.strip() for c in notebook.cells if c.cell_type == "code"]


def test_every_page_offers_a_valid_notebook_with_the_pages_code(built_book):
    pages = book_pages(built_book)
    assert pages
    for page in pages:
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        assert f'href="../_sources/{page}.ipynb"' in html, (
            f"{page}: no .ipynb download link"
        )
        assert f'href="../_sources/{page}.md"' in html, (
            f"{page}: no source download link"
        )
        path = built_book / "_sources" / f"{page}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        setup, *rest = notebook.cells
        assert (
            setup.cell_type == "code"
            and rnnbook_site.SETUP_TAG in setup.metadata["tags"]
        ), page
        assert notebook.metadata.kernelspec.name == "python3"
        source = jupytext.read(ROOT / f"{page}.md")
        book_code = code_cells(source)
        assert [c.source.strip() for c in rest if c.cell_type == "code"] == book_code, (
            f"{page}.ipynb's code cells differ from {page}.md's"
        )


def md_roles(page: str, role: str) -> list[str]:
    """The contents of every ``{role}`...``` in a page's MyST source."""
    return re.findall(
        r"\{" + re.escape(role) + r"\}`([^`]*)`", (ROOT / f"{page}.md").read_text()
    )


def test_every_notebook_reads_like_the_page(built_book):
    """No MyST left in Markdown; every glued number written in; every listing
    included."""
    for page in book_pages(built_book):
        notebook = nbformat.read(
            built_book / "_sources" / f"{page}.ipynb", as_version=4
        )
        assert readable_notebook.leftovers(notebook) == [], page
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        glue = rnnbook_site.read_glue(built_book.parent, page)
        ctx = readable_notebook.Context(docname=page, glue=glue)
        for content in md_roles(page, "glue:text"):
            value = readable_notebook.glue_text(ctx, content, "glue:text")
            assert value.strip(), f"{page}: {{glue:text}}`{content}` is empty"
            assert value in text, (
                f"{page}: {{glue:text}}`{content}` ({value!r}) missing"
            )
        source = (ROOT / f"{page}.md").read_text()
        for arg, options in re.findall(
            r"```\{literalinclude\} (\S+)\n((?::[\w-]+:.*\n)*)", source
        ):
            opts = dict(re.findall(r":([\w-]+):\s*(.*)", options))
            code = rnnbook_site.read_include((ROOT / page).parent / arg, opts).strip()
            assert code and code in text, (
                f"{page}: the listing of {arg} {opts} is missing"
            )
        if md_roles(page, "cite:p") or md_roles(page, "cite:t"):
            assert re.search(r"^- .+\d{4}", text, flags=re.M), (
                f"{page}: no bibliography"
            )


def test_a_downloaded_notebook_runs_in_a_fresh_kernel_offline(
    built_book, tmp_path, monkeypatch
):
    """From its setup cell on, with rnnbook installed, no network and no myst-nb."""
    from nbclient import NotebookClient

    # No network: pip and urllib go through a proxy on a closed port; no index.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    # a reader's kernel, not the build
    monkeypatch.delenv("RNNBOOK_BATCH", raising=False)
    # No myst-nb: a reader's Jupyter does not have it; rnnbook.glue must not need it.
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "myst_nb.py").write_text(
        "raise ImportError('myst-nb is not installed here')\n"
    )
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join(
            [str(blocker)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
        ),
    )

    notebook = nbformat.read(
        built_book / "_sources" / "book" / "intro.ipynb", as_version=4
    )
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    setup = notebook.cells[0]
    assert rnnbook_site.SETUP_TAG in setup.metadata["tags"]
    assert setup.outputs == [], (
        "the setup cell did something although rnnbook is installed"
    )
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), (
        "the figure was not drawn"
    )
    assert any("2,876 parameters" in o.get("text", "") for o in outputs)


def test_setup_cell_installs_rnnbook_from_the_given_commit_only_when_missing(
    monkeypatch,
):
    import importlib.util
    import subprocess

    source = rnnbook_site.setup_cell_source("someone", "somebook", "0123456789abcdef")
    assert "myst" not in source
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda cmd: calls.append(cmd))
    real_find_spec = importlib.util.find_spec

    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name: None if name == "rnnbook" else real_find_spec(name),
    )
    exec(source, {})
    assert len(calls) == 1
    assert (
        calls[0][-1]
        == "rnnbook @ git+https://github.com/someone/somebook@0123456789abcdef"
    )
    assert calls[0][1:4] == ["-m", "pip", "install"]

    calls.clear()
    monkeypatch.setattr(importlib.util, "find_spec", real_find_spec)
    exec(source, {})  # everything importable: nothing is installed
    assert calls == []


def test_the_setup_cell_names_the_commit_that_built_the_notebook(tmp_path, monkeypatch):
    import subprocess

    def git(*args):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q", "-b", "work")
    (tmp_path / "a.txt").write_text("a")
    git("add", "a.txt")
    git("commit", "-q", "-m", "one")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.strip()
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    assert rnnbook_site.source_ref("main", tmp_path) == head  # a clean tree: its commit
    (tmp_path / "a.txt").write_text("b")
    # uncommitted work: branch
    assert rnnbook_site.source_ref("main", tmp_path) == "work"
    monkeypatch.setenv("GITHUB_SHA", "f" * 40)
    # the publishing workflow
    assert rnnbook_site.source_ref("main", tmp_path) == "f" * 40
    monkeypatch.delenv("GITHUB_SHA")
    # no git at all
    assert rnnbook_site.source_ref("main", tmp_path / "nowhere") == "main"


# --- Colab
# ----------------------------------------------------------------------------------


def test_colab_button_opens_the_notebook_the_workflow_publishes(built_book, tmp_path):
    org, repo, _ = repo_parts()
    branch = config()["sphinx"]["config"]["rnnbook_notebooks_branch"]
    published = tmp_path / "notebooks"
    publish_notebooks.collect(built_book, published)
    for page in book_pages(built_book):
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        hrefs = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', html)
        expected = f"https://colab.research.google.com/github/{org}/{repo}/blob/{branch}/{page}.ipynb"
        assert hrefs == [expected], f"{page}: Colab links to {hrefs}"
        # The file at that path of the branch is this page's notebook.
        notebook = nbformat.read(published / f"{page}.ipynb", as_version=4)
        nbformat.validate(notebook)
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    publish = [s for s in steps if "publish_notebooks.py" in s.get("run", "")]
    assert publish and publish[0]["env"]["NOTEBOOKS_BRANCH"] == branch
    assert workflow["jobs"]["build"]["permissions"]["contents"] == "write"


# --- Binder
# ---------------------------------------------------------------------------------


def package_imports() -> set[str]:
    """Top-level names of the third-party modules that code/rnnbook imports."""
    import ast

    names = set()
    for path in (ROOT / "code" / "rnnbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "rnnbook"}


def test_binder_installs_what_the_package_imports_at_the_pinned_versions():
    binder = ROOT / "binder"
    reqs = (binder / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in reqs
    pins = requirement_pins(binder / "requirements.txt")
    root_pins = requirement_pins(ROOT / "requirements.txt")
    # myst_nb is optional (rnnbook.glue works without it); the rest must be there.
    needed = {
        re.sub(r"[-_.]+", "-", n).lower() for n in package_imports() - {"myst_nb"}
    }
    assert needed == {"torch", "numpy", "matplotlib", "tqdm", "ipython"}
    assert needed | {"jupytext", "ipykernel"} <= set(pins)
    for name, version in pins.items():
        assert root_pins.get(name, "").split("+")[0] == version.split("+")[0], (
            f"binder pins {name}=={version}, requirements.txt pins "
            f"{root_pins.get(name)}"
        )
    assert pins["torch"].endswith("+cpu")
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "pip install --no-deps -e ." in post_build.read_text()
    assert re.fullmatch(r"python-3\.\d+\s*", (binder / "runtime.txt").read_text())


def test_live_code_asks_binder_for_the_configured_repository(built_book):
    org, repo, branch = repo_parts()
    html = (built_book / "book" / "intro.html").read_text(encoding="utf-8")
    assert re.search(rf'repo: "{org}/{repo}",\s*ref: "{branch}"', html)


# --- install
# ---------------------------------------------------------------------------------


def test_reader_and_test_requirements_are_pinned_and_split():
    reader = requirement_pins(ROOT / "requirements.txt")
    tests = requirement_pins(ROOT / "requirements-test.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-test.txt").read_text()
    assert {"pytest", "playwright"} <= set(tests) and not {
        "pytest",
        "playwright",
    } & set(reader)
    assert {"torch", "jupyter-book", "myst-nb", "sphinx-exercise", "setuptools"} <= set(
        reader
    )
    assert reader["sphinx-exercise"] == "1.2.1"
    assert "ruff" in tests and "ruff check code tests bench _ext tools" in (
        ROOT / "Makefile"
    ).read_text()
    for path in ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / path).read_text().splitlines():
            if line and not line.startswith(("#", "-r ", "-e ")):
                assert re.match(r"^[A-Za-z0-9_.\-]+==\S+$", line), (
                    f"{path}: unpinned {line!r}"
                )
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in pyproject
    assert f'"setuptools=={reader["setuptools"]}"' in pyproject


def test_make_book_installs_the_cpu_torch_on_linux_unless_told_otherwise():
    import platform
    import subprocess

    if platform.system() != "Linux" or not shutil.which("make"):
        pytest.skip("the CPU index is chosen on Linux, with make")

    def dry_run(*args):
        return subprocess.run(
            ["make", "-n", "-B", "VENV=/nonexistent-venv", *args, "venv"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    version = requirement_pins(ROOT / "requirements.txt")["torch"]
    cpu = dry_run()
    assert (
        "pip install --quiet --no-deps --index-url "
        f"https://download.pytorch.org/whl/cpu torch=={version}"
    ) in cpu
    cuda = dry_run("TORCH=cuda")
    assert "download.pytorch.org" not in cuda and f"torch=={version}" in cuda
    book = subprocess.run(
        ["make", "-n", "VENV=/nonexistent-venv", "book"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert book.index("rnnbook fetch-data") < book.index("jupyter-book build")
