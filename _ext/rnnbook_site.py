"""Sphinx extension: what the reader's browser gets beyond the pages themselves.

- **Offline math.** MathJax is served from the site (``_static/mathjax/``), at
  the version Sphinx 7.4 would load from a CDN, so equations render without
  internet.
- **Live Code.** sphinx-thebe's launcher was written for thebe 0.8, which the
  npm registry no longer serves. We keep sphinx-thebe's page configuration and
  styles, but replace its launcher with ``static/rnnbook-live.js``, written for
  thebe 0.9, which the site serves from ``_static/thebe/``. It starts a kernel
  on Binder, or on a Jupyter server on the reader's computer (``make live``).
- **Notebooks.** Every page is offered as an executed ``.ipynb`` (Download menu)
  that reads like the page in plain Jupyter (``readable_notebook.py`` rewrites its
  MyST with what this build knows), with one setup cell first that installs
  ``rnnbook``, at the commit that built it, where it is missing (Colab).
- **Link check.** ``jupyter-book build . --builder linkcheck`` also checks each
  page's launch links (repository, Binder, the Colab notebook's file).
- **Colab.** The Colab button opens that notebook from the ``notebooks`` branch,
  which the publishing workflow fills; Colab cannot open a MyST ``.md`` file.

Explained for maintainers in the README ("In the reader's browser").
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

import readable_notebook
import web_assets

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SETUP_TAG = "rnnbook-setup"


# --- configuration
# ---------------------------------------------------------------------


def _use_pinned_assets(app: Sphinx, config: Config) -> None:
    """Serve MathJax and Thebe from the site; fall back to a CDN only without npm."""
    config.html_static_path.append(str(HERE / "static"))
    try:
        static = web_assets.ensure()
    except web_assets.AssetError as err:
        # Not a warning: the strict build (-W) must still work for a reader without
        # Node.js; the site then needs internet for math and Live Code.
        logger.info(
            f"rnnbook_site: {err}. Falling back to CDN copies of MathJax and Thebe."
        )
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
    """Drop sphinx-thebe's thebe-0.8 launcher (its scripts only); ours is added
    instead."""
    import sphinx_thebe

    for listener in list(app.events.listeners.get("env-before-read-docs", [])):
        if listener.handler is sphinx_thebe.init_thebe_core:
            app.disconnect(listener.id)


def _add_live_code_scripts(app: Sphinx, config: Config) -> None:
    # Added at config-inited, before the builder exists: a body script added later
    # reaches the page twice (Sphinx 7.4 files it once as None, once as '').
    settings = {
        "thebeJs": app.config.rnnbook_thebe_js,
        "thebeCss": app.config.rnnbook_thebe_css,
    }
    app.add_js_file(
        None, body=f"window.rnnbookLive = {json.dumps(settings, sort_keys=True)};"
    )
    app.add_js_file("rnnbook-live.js")
    app.add_css_file("rnnbook-live.css")
    app.add_css_file("rnnbook.css")  # the book's own: code areas fit 80 columns


# --- per page: the notebook download and the Colab button
# -------------------------------


def _repo(app: Sphinx) -> tuple[str, str, str] | None:
    """(org, repo, branch) from ``repository.url`` / ``repository.branch`` in
    _config.yml."""
    options = app.config.html_theme_options
    match = re.match(
        r"https://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$",
        options.get("repository_url", ""),
    )
    if not match:
        return None
    return match.group(1), match.group(2), options.get("repository_branch") or "main"


def setup_cell_source(org: str, repo: str, ref: str) -> str:
    """The first cell of each downloadable notebook: install ``rnnbook`` where it is
    missing.

    ``ref`` is the commit the notebook was built from (see :func:`source_ref`), so
    the package matches the notebook's code. The package's own dependencies
    (torch, numpy, matplotlib, tqdm) come with it; Colab has most of them already.
    Nothing else is needed: ``rnnbook.glue`` works without the book's tools.
    """
    spec = f"rnnbook @ git+https://github.com/{org}/{repo}@{ref}"
    version = (
        f"commit {ref[:12]}" if re.fullmatch(r"[0-9a-f]{40}", ref) else f"branch {ref}"
    )
    return (
        "# Setup, for Colab or any Jupyter without the book's environment: install "
        "the\n"
        f"# companion package rnnbook ({version}, which this notebook was built\n"
        "# with) unless it is already installed. Elsewhere this does nothing.\n"
        "import importlib.util, subprocess, sys\n"
        "\n"
        'if importlib.util.find_spec("rnnbook") is None:\n'
        '    subprocess.check_call([sys.executable, "-m", "pip", "install",\n'
        f'                           "--quiet", {spec!r}])'
    )


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=root, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def source_ref(fallback: str, root: Path = ROOT) -> str:
    """The git ref the setup cell installs ``rnnbook`` from.

    The publishing workflow's commit (``GITHUB_SHA``); else this checkout's commit
    when the tree has no uncommitted changes; else its branch (a local build of
    work in progress); else ``fallback`` (``repository.branch``).
    """
    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    head = _git(root, "rev-parse", "HEAD")
    if head and _git(root, "status", "--porcelain") == "":
        return head
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    return branch if branch and branch != "HEAD" else fallback


def add_setup_cell(
    notebook: nbformat.NotebookNode, source: str
) -> nbformat.NotebookNode:
    """Put the setup cell first (once), marked with the ``rnnbook-setup`` tag."""
    cells = [
        c
        for c in notebook.cells
        if SETUP_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    notebook.cells = [
        nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]}),
        *cells,
    ]
    # myst-nb's map from cells to source lines means nothing outside the build.
    notebook.metadata.pop("source_map", None)
    return notebook


# --- what the converter needs to know from the build (readable_notebook.Context)
# ----------


class _IncludeConfig:
    source_encoding = "utf-8-sig"


def read_include(path: Path, options: dict[str, str]) -> str:
    """The text a ``literalinclude`` of ``path`` with ``options`` shows (Sphinx's own
    reader)."""
    from sphinx.directives.code import LiteralIncludeReader

    known = {
        k: v
        for k, v in options.items()
        if k
        in (
            "pyobject",
            "lines",
            "start-after",
            "end-before",
            "start-at",
            "end-at",
            "encoding",
            "prepend",
            "append",
        )
    }
    if "dedent" in options:
        known["dedent"] = int(options["dedent"]) if options["dedent"] else None
    text, _ = LiteralIncludeReader(str(path), known, _IncludeConfig()).read()
    return text


def site_url(app: Sphinx) -> str:
    """Where the book is published: ``html_baseurl``, else GitHub Pages of the
    repository."""
    base = app.config.html_baseurl
    if not base and (repo := _repo(app)):
        base = f"https://{repo[0]}.github.io/{repo[1]}/"
    return base if not base or base.endswith("/") else base + "/"


@functools.lru_cache(maxsize=4)
def bibliography(bibfiles: tuple[Path, ...]) -> dict[str, readable_notebook.Reference]:
    """Every entry of the BibTeX files: author-year label and the entry as plain
    text."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "plain")()
    refs: dict[str, readable_notebook.Reference] = {}
    for bibfile in bibfiles:
        data = parse_file(str(bibfile))
        formatted = {e.key: e for e in style.format_entries(data.entries.values())}
        for key, entry in data.entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            last = [
                " ".join(p.last_names).replace("{", "").replace("}", "") for p in people
            ]
            if len(last) > 2:
                authors = f"{last[0]} et al."
            elif last:
                authors = " and ".join(last)
            else:
                authors = (
                    entry.fields.get("title", key).replace("{", "").replace("}", "")
                )
            text = formatted[key].text.render_as("text") if key in formatted else key
            text = " ".join(text.split())
            refs[key] = readable_notebook.Reference(
                authors, entry.fields.get("year", "n.d."), text
            )
    return refs


def read_glue(build_dir: Path, docname: str) -> dict[str, dict[str, Any]]:
    """The values page ``docname`` glued, as myst-nb saved them: name -> mime bundle."""
    path = build_dir / "jupyter_execute" / f"{docname}.glue.json"
    if not path.is_file():
        return {}
    return {k: v.get("data", {}) for k, v in json.loads(path.read_text()).items()}


def notebook_context(app: Sphinx, docname: str) -> readable_notebook.Context:
    """A converter context for page ``docname``, filled from the finished build
    environment."""
    env = app.env
    config = app.config
    std = env.get_domain("std")
    numbers, sections, exercises = {}, {}, {}
    for label, (doc, labelid, sectname) in std.labels.items():
        if sectname:
            sections[label] = readable_notebook.Target(sectname, doc, labelid)
        for figtype, ids in env.toc_fignumbers.get(doc, {}).items():
            if labelid in ids:
                number = ".".join(map(str, ids[labelid]))
                fmt = config.numfig_format.get(figtype, figtype.capitalize() + " %s")
                numbers[label] = readable_notebook.Target(fmt % number, doc, labelid)
                if figtype == "exercise" and doc == docname:
                    exercises[label] = number
    equations = {}
    for label, (doc, number) in env.get_domain("math").equations.items():
        node_id = "equation-" + label
        shown = ".".join(
            map(
                str,
                env.toc_fignumbers.get(doc, {}).get("displaymath", {}).get(node_id, ()),
            )
        ) or str(number)
        equations[label] = readable_notebook.Target(shown, doc, node_id)
    glue = read_glue(Path(app.outdir).parent, docname)
    return readable_notebook.Context(
        docname=docname,
        glue=glue,
        numbers=numbers,
        equations=equations,
        sections=sections,
        exercise_numbers=exercises,
        titles={doc: title.astext() for doc, title in env.titles.items()},
        bibliography=bibliography(
            tuple(Path(app.srcdir) / f for f in config.bibtex_bibfiles)
        ),
        site_url=site_url(app),
        source_dir=Path(env.doc2path(docname)).parent,
        read_include=read_include,
    )


def _page(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    repo = _repo(app)
    ipynb = context.get("ipynb_source")  # set by sphinx-book-theme, which copied the
    if ipynb and repo:  # executed notebook to _sources/ just before
        path = Path(app.outdir) / "_sources" / ipynb
        notebook = nbformat.read(path, as_version=4)
        try:
            notebook = readable_notebook.convert(
                notebook, notebook_context(app, pagename)
            )
        except readable_notebook.ConversionError as err:
            logger.warning(f"rnnbook_site: {err}", location=pagename)
        add_setup_cell(
            notebook, setup_cell_source(repo[0], repo[1], app.config.rnnbook_source_ref)
        )
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
    if repo:
        _point_colab_at_notebook(app, pagename, context, repo)


def accessible_body(body: str) -> str:
    """The page body with docutils' bibliography roles made valid ARIA.

    docutils marks each entry of a citation list ``role="doc-biblioentry"``, a
    role that DPUB-ARIA 1.1 deprecates; inside the list's ``role="list"`` that
    leaves a list without list items, which screen readers and axe-core's WCAG
    rules reject. ``listitem`` says what the entry is.
    """
    return body.replace('role="doc-biblioentry"', 'role="listitem"')


def _accessible_page(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if "body" in context:
        context["body"] = accessible_body(context["body"])


def colab_url(org: str, repo: str, notebooks_branch: str, pagename: str) -> str:
    return f"https://colab.research.google.com/github/{org}/{repo}/blob/{notebooks_branch}/{pagename}.ipynb"


def _point_colab_at_notebook(
    app: Sphinx, pagename: str, context: dict, repo: tuple[str, str, str]
) -> None:
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab":
                button["url"] = colab_url(
                    repo[0], repo[1], app.config.rnnbook_notebooks_branch, pagename
                )


# --- linkcheck: the launch links too
# ------------------------------------------------------


def launch_links(app: Sphinx, docname: str) -> list[str]:
    """The links a page's buttons open: the repository, Binder, the Colab notebook's
    file."""
    repo = _repo(app)
    if repo is None:
        return []
    org, name, branch = repo
    binder = app.config.html_theme_options.get("launch_buttons", {}).get(
        "binderhub_url"
    )
    links = [
        f"https://github.com/{org}/{name}",
        f"https://github.com/{org}/{name}/blob/{app.config.rnnbook_notebooks_branch}/"
        f"{docname}.ipynb",
    ]
    if binder:
        links.append(
            f"{binder.rstrip('/')}/v2/gh/{org}/{name}/{branch}?urlpath=tree/{docname}.md"
        )
    return links


class LaunchLinks(SphinxPostTransform):
    """For ``linkcheck`` only: add each page's launch links, which live in the theme's
    header (not in the page's text), so the scheduled link check covers them."""

    builders = ("linkcheck",)
    default_priority = 700  # before linkcheck's HyperlinkCollector (800)

    def run(self, **kwargs: Any) -> None:
        for uri in launch_links(self.app, self.env.docname):
            self.document += nodes.paragraph(
                "", "", nodes.reference(uri, uri, refuri=uri)
            )


def _choose_source_ref(app: Sphinx) -> None:
    if not app.config.rnnbook_source_ref and (repo := _repo(app)):
        app.config.rnnbook_source_ref = source_ref(repo[2])


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(LaunchLinks)
    # The git ref the notebooks' setup cells install rnnbook from; empty: see
    # source_ref.
    app.add_config_value("rnnbook_source_ref", "", "")
    app.connect("builder-inited", _choose_source_ref)
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
    app.connect("html-page-context", _accessible_page)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
