"""Sphinx extension: what the reader's browser gets beyond the pages themselves.

- **Offline math.** MathJax is served from the site (``_static/mathjax/``), at
  the version Sphinx 7.4 would load from a CDN, so equations render without
  internet.
- **Live Code.** sphinx-thebe's launcher was written for thebe 0.8, which the
  npm registry no longer serves. We keep sphinx-thebe's page configuration and
  styles, but replace its launcher with ``static/rnnbook-live.js``, written for
  thebe 0.9, which the site serves from ``_static/thebe/``. It starts a kernel
  on Binder, or on a Jupyter server on the reader's computer (``make live``).
- **Notebooks.** Every page is offered as an executed ``.ipynb`` (Download menu),
  with one setup cell first that installs ``rnnbook`` where it is missing (Colab).
- **Colab.** The Colab button opens that notebook from the ``notebooks`` branch,
  which the publishing workflow fills; Colab cannot open a MyST ``.md`` file.

Explained for maintainers in the README ("In the reader's browser").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

import web_assets

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SETUP_TAG = "rnnbook-setup"


# --- configuration ---------------------------------------------------------------------

def _use_pinned_assets(app: Sphinx, config: Config) -> None:
    """Serve MathJax and Thebe from the site; fall back to a CDN only without npm."""
    config.html_static_path.append(str(HERE / "static"))
    try:
        static = web_assets.ensure()
    except web_assets.AssetError as err:
        # Not a warning: the strict build (-W) must still work for a reader without
        # Node.js; the site then needs internet for math and Live Code.
        logger.info(f"rnnbook_site: {err}. Falling back to CDN copies of MathJax and Thebe.")
        config.mathjax_path = web_assets.cdn_url(web_assets.MATHJAX, "tex-mml-chtml.js")
        config.rnnbook_thebe_js = web_assets.cdn_url(web_assets.THEBE, "lib/index.js")
        config.rnnbook_thebe_css = web_assets.cdn_url(web_assets.THEBE, "lib/thebe.css")
        return
    config.html_static_path.append(str(static))
    # Paths relative to _static/.
    config.mathjax_path = "mathjax/tex-mml-chtml.js"
    config.rnnbook_thebe_js = "thebe/lib/index.js"
    config.rnnbook_thebe_css = "thebe/lib/thebe.css"


def _theme_defaults(app: Sphinx, config: Config) -> None:
    # pydata-sphinx-theme reads the mode from html_context; without one its script
    # logs "Got invalid theme mode" as a console error on every page.
    config.html_context.setdefault("default_mode", "auto")


def _replace_thebe_launcher(app: Sphinx) -> None:
    """Drop sphinx-thebe's thebe-0.8 launcher (its scripts only); ours is added instead."""
    import sphinx_thebe

    for listener in list(app.events.listeners.get("env-before-read-docs", [])):
        if listener.handler is sphinx_thebe.init_thebe_core:
            app.disconnect(listener.id)


def _add_live_code_scripts(app: Sphinx, config: Config) -> None:
    # Added at config-inited, before the builder exists: a body script added later
    # reaches the page twice (Sphinx 7.4 files it once as None, once as '').
    settings = {"thebeJs": app.config.rnnbook_thebe_js, "thebeCss": app.config.rnnbook_thebe_css}
    app.add_js_file(None, body=f"window.rnnbookLive = {json.dumps(settings, sort_keys=True)};")
    app.add_js_file("rnnbook-live.js")
    app.add_css_file("rnnbook-live.css")


# --- per page: the notebook download and the Colab button -------------------------------

def _repo(app: Sphinx) -> tuple[str, str, str] | None:
    """(org, repo, branch) from ``repository.url`` / ``repository.branch`` in _config.yml."""
    options = app.config.html_theme_options
    match = re.match(r"https://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$",
                     options.get("repository_url", ""))
    if not match:
        return None
    return match.group(1), match.group(2), options.get("repository_branch") or "main"


def setup_cell_source(org: str, repo: str, branch: str) -> str:
    """The first cell of each downloadable notebook: install what the pages import."""
    return (
        "# Setup, for Colab or any Jupyter without the book's environment: install the\n"
        "# companion package (and myst-nb, whose `glue` the pages use) where missing.\n"
        "import importlib.util, subprocess, sys\n"
        "\n"
        "needed = {\n"
        f'    "rnnbook": "rnnbook @ git+https://github.com/{org}/{repo}@{branch}",\n'
        '    "myst_nb": "myst-nb",\n'
        "}\n"
        "missing = [spec for module, spec in needed.items() if importlib.util.find_spec(module) is None]\n"
        "if missing:\n"
        '    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *missing])'
    )


def add_setup_cell(notebook: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """Put the setup cell first (once), marked with the ``rnnbook-setup`` tag."""
    cells = [c for c in notebook.cells if SETUP_TAG not in c.get("metadata", {}).get("tags", [])]
    notebook.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]}), *cells]
    # myst-nb's map from cells to source lines means nothing outside the build.
    notebook.metadata.pop("source_map", None)
    return notebook


def _page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    repo = _repo(app)
    ipynb = context.get("ipynb_source")  # set by sphinx-book-theme, which copied the
    if ipynb and repo:                    # executed notebook to _sources/ just before
        path = Path(app.outdir) / "_sources" / ipynb
        notebook = nbformat.read(path, as_version=4)
        add_setup_cell(notebook, setup_cell_source(*repo))
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
    if repo:
        _point_colab_at_notebook(app, pagename, context, repo)


def colab_url(org: str, repo: str, notebooks_branch: str, pagename: str) -> str:
    return f"https://colab.research.google.com/github/{org}/{repo}/blob/{notebooks_branch}/{pagename}.ipynb"


def _point_colab_at_notebook(app: Sphinx, pagename: str, context: dict,
                             repo: tuple[str, str, str]) -> None:
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab":
                button["url"] = colab_url(repo[0], repo[1], app.config.rnnbook_notebooks_branch,
                                          pagename)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_thebe")
    app.add_config_value("rnnbook_notebooks_branch", "notebooks", "html")
    app.add_config_value("rnnbook_thebe_js", "", "html")
    app.add_config_value("rnnbook_thebe_css", "", "html")
    app.connect("config-inited", _use_pinned_assets)
    app.connect("config-inited", _theme_defaults)
    _replace_thebe_launcher(app)
    app.connect("config-inited", _add_live_code_scripts, priority=600)
    # After sphinx-book-theme's launch buttons (priority 500) have filled the context.
    app.connect("html-page-context", _page, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
