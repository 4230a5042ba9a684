"""What the built site offers beyond its pages: offline assets, notebooks, Colab, Binder.

Browser-level checks of the same site are in tests/test_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sys
import tarfile
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import publish_notebooks  # noqa: E402
import rnnbook_site  # noqa: E402
import web_assets  # noqa: E402

pytestmark = pytest.mark.book


def book_pages(html: Path) -> list[str]:
    """Page names (``book/intro``) of every notebook page of the built site."""
    return sorted(p.relative_to(html).with_suffix("").as_posix() for p in (html / "book").rglob("*.html"))


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
    assert (static / "mathjax" / "tex-mml-chtml.js").is_file(), \
        "MathJax was not vendored: is npm installed? (python _ext/web_assets.py says why)"
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
        assert not [s for s in scripts if "://" in s], f"{page} loads scripts from the internet"


def _fake_tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _fake_npm(tmp_path: Path, tarball: bytes) -> str:
    """An `npm` that 'packs' the given tarball, so fetch() runs without a network."""
    (tmp_path / "pkg.tgz").write_bytes(tarball)
    npm = tmp_path / "npm"
    npm.write_text(
        f"#!{sys.executable}\n"
        "import json, shutil, sys\n"
        "dest = sys.argv[sys.argv.index('--pack-destination') + 1]\n"
        f"shutil.copy({str(tmp_path / 'pkg.tgz')!r}, dest + '/pkg.tgz')\n"
        "print(json.dumps([{'filename': 'pkg.tgz'}]))\n"
    )
    npm.chmod(0o755)
    return str(npm)


def test_web_assets_unpacks_only_kept_files_of_a_verified_tarball(tmp_path):
    tarball = _fake_tarball({"package/es5/tex.js": b"math", "package/es5/other.js": b"x",
                             "package/README.md": b"doc"})
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    asset = web_assets.NpmAsset("demo", "1.0.0", digest, keep=("es5/tex.js",), strip="es5/")
    dest = web_assets.fetch(asset, tmp_path / "static", _fake_npm(tmp_path, tarball))
    assert sorted(p.name for p in dest.iterdir()) == [".pinned", "tex.js"]
    assert (dest / "tex.js").read_bytes() == b"math"
    assert web_assets.is_current(asset, tmp_path / "static")


def test_web_assets_refuses_a_tarball_whose_digest_differs(tmp_path):
    tarball = _fake_tarball({"package/es5/tex.js": b"tampered"})
    asset = web_assets.NpmAsset("demo", "1.0.0", "sha512-AAAA", keep=("es5/tex.js",))
    with pytest.raises(web_assets.AssetError, match="differs from the pinned"):
        web_assets.fetch(asset, tmp_path / "static", _fake_npm(tmp_path, tarball))
    assert not (tmp_path / "static" / "demo").exists()


# --- notebooks --------------------------------------------------------------------------

def code_cells(notebook) -> list[str]:
    return [c.source.strip() for c in notebook.cells if c.cell_type == "code"]


def test_every_page_offers_a_valid_notebook_with_the_pages_code(built_book):
    pages = book_pages(built_book)
    assert pages
    for page in pages:
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        assert f'href="../_sources/{page}.ipynb"' in html, f"{page}: no .ipynb download link"
        assert f'href="../_sources/{page}.md"' in html, f"{page}: no source download link"
        path = built_book / "_sources" / f"{page}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        setup, *rest = notebook.cells
        assert setup.cell_type == "code" and rnnbook_site.SETUP_TAG in setup.metadata["tags"], page
        assert notebook.metadata.kernelspec.name == "python3"
        source = jupytext.read(ROOT / f"{page}.md")
        book_code = code_cells(source)
        assert [c.source.strip() for c in rest if c.cell_type == "code"] == book_code, \
            f"{page}.ipynb's code cells differ from {page}.md's"


def test_a_downloaded_notebook_runs_in_jupyter(built_book, tmp_path):
    from nbclient import NotebookClient

    notebook = nbformat.read(built_book / "_sources" / "book" / "intro.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the figure was not drawn"
    assert any("2,876 parameters" in o.get("text", "") for o in outputs)


def test_setup_cell_installs_exactly_what_is_missing(monkeypatch):
    import importlib.util
    import subprocess

    source = rnnbook_site.setup_cell_source("someone", "somebook", "main")
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda cmd: calls.append(cmd))
    real_find_spec = importlib.util.find_spec

    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: None if name == "rnnbook" else real_find_spec(name))
    exec(source, {})
    assert len(calls) == 1
    assert calls[0][-1] == "rnnbook @ git+https://github.com/someone/somebook@main"
    assert calls[0][1:4] == ["-m", "pip", "install"]

    calls.clear()
    monkeypatch.setattr(importlib.util, "find_spec", real_find_spec)
    exec(source, {})  # everything importable: nothing is installed
    assert calls == []


# --- Colab ----------------------------------------------------------------------------------

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


# --- Binder ---------------------------------------------------------------------------------

def test_binder_environment_matches_the_pinned_requirements(built_book):
    binder = ROOT / "binder"
    reqs = (binder / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in reqs
    pins = requirement_pins(binder / "requirements.txt")
    root_pins = requirement_pins(ROOT / "requirements.txt")
    assert {"torch", "numpy", "matplotlib", "myst-nb", "jupytext", "ipykernel"} <= set(pins)
    for name, version in pins.items():
        assert root_pins.get(name, "").split("+")[0] == version.split("+")[0], \
            f"binder pins {name}=={version}, requirements.txt pins {root_pins.get(name)}"
    assert pins["torch"].endswith("+cpu")
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "pip install --no-deps -e ." in post_build.read_text()
    assert re.fullmatch(r"python-3\.\d+\s*", (binder / "runtime.txt").read_text())
    # Live Code asks Binder for the repository and branch named in _config.yml.
    org, repo, branch = repo_parts()
    html = (built_book / "book" / "intro.html").read_text(encoding="utf-8")
    assert re.search(rf'repo: "{org}/{repo}",\s*ref: "{branch}"', html)
