"""Turn an executed MyST notebook into one that reads like the page in plain Jupyter.

The book's pages are MyST notebooks: their Markdown holds roles and directives
that only the book's build understands (``{glue:text}``, ``{numref}``,
``{cite:p}``, ``{literalinclude}``, ``:::{admonition}``, exercises...). Jupyter,
VS Code and Colab show those as literal text, so a downloaded notebook would
miss its numbers, its model listings and its references. This module rewrites
the Markdown cells of the notebook that the build executed, using what the
build knows (glued values, figure and equation numbers, section titles, the
bibliography), into plain Markdown:

- glue roles and directives: the glued value, formatted with the role's format
  spec exactly as the page formats it (myst-nb's own ``format_plain_text``);
- ``literalinclude``: a fenced code block holding the included code;
- ``numref``, ``eq``, ``ref``, ``doc``: the number or title as text, a link to the
  published page when the target is on another page;
- ``cite:p`` / ``cite:t``: author-year text; the ``bibliography`` directive, or
  the end of the notebook, gets the list of works cited;
- admonitions (fenced and colon-fenced): block quotes with a bold title;
- labelled equations ``$$ ... $$ (label)``: plain display math, numbered with
  ``\\tag`` as on the page;
- sphinx-exercise's ``exercise`` and gated ``solution-start`` / ``solution-end``:
  numbered exercise sections, and all solutions (with their code cells) in a
  "Solutions" section after the exercises;
- a caption cell after each code cell whose figure the page numbers.

Code cells are never changed, and stay in their order, so the notebook still
runs top to bottom. Pure functions of the notebook and a :class:`Context`: the
Sphinx side that fills the context from the build lives in ``rnnbook_site.py``;
``tests/test_readable_notebook.py`` exercises every construct on small notebooks.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

GLUE_PREFIX = "application/papermill.record/"
ADMONITIONS = {"admonition", "note", "warning", "tip", "important", "hint",
               "caution", "attention", "danger", "error", "seealso", "dropdown",
               "topic", "sidebar", "margin", "card", "div", "epigraph", "pull-quote",
               "highlights"}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}


@dataclass(frozen=True)
class Target:
    """Where a label points: the text that stands for it, and its page and anchor."""

    text: str
    docname: str | None = None
    anchor: str | None = None


@dataclass
class Reference:
    """One bibliography entry: the author-year label parts and the formatted entry."""

    authors: str  # "Zhang et al."
    year: str
    text: str  # the full entry, plain Markdown


@dataclass
class Context:
    """What the build knows that the notebook's Markdown refers to."""

    docname: str = "page"
    glue: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> mime bundle
    numbers: dict[str, Target] = field(default_factory=dict)  # numref: "Fig. 7.3"
    equations: dict[str, Target] = field(default_factory=dict)  # eq: "7.3"
    sections: dict[str, Target] = field(default_factory=dict)  # ref: section titles
    titles: dict[str, str] = field(default_factory=dict)  # docname -> page title
    exercise_numbers: dict[str, str] = field(default_factory=dict)  # label -> "7.1"
    bibliography: dict[str, Reference] = field(default_factory=dict)
    site_url: str = ""  # the published book, ending in "/"; "" for text without links
    source_dir: Path = Path(".")  # folder of the page's source (literalinclude paths)
    read_include: Callable[[Path, dict[str, str]], str] | None = None

    def url(self, docname: str | None, anchor: str | None = None) -> str | None:
        if not self.site_url or docname is None:
            return None
        return f"{self.site_url}{docname}.html" + (f"#{anchor}" if anchor else "")


class ConversionError(ValueError):
    """The Markdown refers to something the context does not know (a typo in a
    label)."""


# --- glue
# ----------------------------------------------------------------------------------


def glue_from_outputs(notebook: nbformat.NotebookNode) -> dict[str, dict[str, Any]]:
    """Glued values recorded in a notebook's outputs (myst-nb's ``scrapbook``
    metadata)."""
    found = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = output.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            prefix = meta.get("mime_prefix", "")
            found[meta["name"]] = {
                k[len(prefix) :] if k.startswith(prefix) else k: v
                for k, v in output.get("data", {}).items()
            }
    return found


def format_plain_text(text: str, fmt_spec: str) -> str:
    """myst-nb's formatting of a glued ``text/plain`` value
    (``{glue:text}`name:.2f```)."""
    from myst_nb.core.variables import format_plain_text as myst_format

    return myst_format(text, fmt_spec)


def _glue_bundle(ctx: Context, key: str) -> dict[str, Any]:
    if key not in ctx.glue:
        raise ConversionError(f"{ctx.docname}: no glued value named {key!r}")
    return ctx.glue[key]


def _as_text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def glue_text(ctx: Context, content: str, role: str) -> str:
    """The text that a glue role shows on the page."""
    key, sep, fmt = content.rpartition(":")  # "name:.2f" (myst-nb splits the same way)
    if not sep:
        key, fmt = content, ""
    if role == "glue:md":
        bundle = _glue_bundle(ctx, key)
        return _as_text(bundle.get("text/markdown", bundle.get("text/plain", "")))
    if role == "glue:text" and not fmt:
        fmt = "s"
    bundle = _glue_bundle(ctx, key)
    if role != "glue:text" and "text/markdown" in bundle:
        return _as_text(bundle["text/markdown"]).strip()
    if "text/plain" not in bundle:
        raise ConversionError(f"{ctx.docname}: glued value {key!r} has no text form")
    return format_plain_text(_as_text(bundle["text/plain"]), fmt)


# --- citations
# -----------------------------------------------------------------------------


def _split_target(content: str) -> tuple[str | None, str]:
    """``Text <target>`` -> ("Text", "target"); ``target`` -> (None, "target")."""
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content.strip(), flags=re.S)
    if match and match.group(1):
        return match.group(1), match.group(2).strip()
    return None, content.strip()


class _Citations:
    """Resolves the page's citation keys (with the page's ``:keyprefix:``) and
    remembers them."""

    def __init__(self, ctx: Context, prefixes: list[str]) -> None:
        self.ctx = ctx
        self.prefixes = sorted(set(prefixes), key=len, reverse=True)
        self.cited: list[str] = []

    def lookup(self, key: str) -> tuple[str, Reference]:
        candidates = [key] + [
            key[len(p) :] for p in self.prefixes if p and key.startswith(p)
        ]
        for bibkey in candidates:
            if bibkey in self.ctx.bibliography:
                if bibkey not in self.cited:
                    self.cited.append(bibkey)
                return bibkey, self.ctx.bibliography[bibkey]
        raise ConversionError(f"{self.ctx.docname}: unknown citation key {key!r}")

    def cite(self, role: str, content: str) -> str:
        refs = [self.lookup(k.strip())[1] for k in content.split(",") if k.strip()]
        if role in ("cite:t", "cite:ts"):
            return "; ".join(f"{r.authors} ({r.year})" for r in refs)
        if role == "cite:author":
            return "; ".join(r.authors for r in refs)
        if role == "cite:year":
            return "; ".join(r.year for r in refs)
        return "(" + "; ".join(f"{r.authors}, {r.year}" for r in refs) + ")"

    def bibliography(self) -> str:
        if not self.cited:
            return ""
        entries = sorted(
            (self.ctx.bibliography[k] for k in self.cited),
            key=lambda r: (r.authors.lower(), r.year),
        )
        return "\n".join(f"- {r.text}" for r in entries)


# --- inline roles
# -------------------------------------------------------------------------

ROLE = re.compile(r"\{([A-Za-z][\w:+.-]*)\}`([^`]*)`")


def _link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


class _Renderer:
    def __init__(self, ctx: Context, citations: _Citations) -> None:
        self.ctx = ctx
        self.citations = citations

    def _target_link(self, text: str, target: Target) -> str:
        if target.docname in (None, self.ctx.docname):
            return text
        return _link(text, self.ctx.url(target.docname, target.anchor))

    def role(self, match: re.Match) -> str:
        name, content = match.group(1), match.group(2)
        ctx = self.ctx
        if name in ("glue", "glue:", "glue:any", "glue:text", "glue:md"):
            return glue_text(ctx, content, name)
        if name.startswith("cite"):
            return self.citations.cite(name, content)
        if name == "numref":
            text, label = _split_target(content)
            target = ctx.numbers.get(label)
            if target is None:
                raise ConversionError(f"{ctx.docname}: unknown numref label {label!r}")
            if text:
                number = target.text.split()[-1]
                shown = text.replace("%s", number).replace("{number}", number)
            else:
                shown = target.text
            return self._target_link(shown, target)
        if name == "eq":
            text, label = _split_target(content)
            target = ctx.equations.get(label)
            if target is None:
                raise ConversionError(
                    f"{ctx.docname}: unknown equation label {label!r}"
                )
            return self._target_link(text or f"({target.text})", target)
        if name == "ref":
            text, label = _split_target(content)
            target = ctx.sections.get(label)
            if target is None:
                raise ConversionError(f"{ctx.docname}: unknown ref label {label!r}")
            return self._target_link(text or target.text, target)
        if name == "doc":
            text, path = _split_target(content)
            docname = _resolve_doc(ctx.docname, path)
            title = text or ctx.titles.get(docname)
            if title is None:
                raise ConversionError(f"{ctx.docname}: unknown page {path!r}")
            if docname == ctx.docname:
                return title
            return _link(title, ctx.url(docname))
        if name == "math":
            return f"${content}$"
        if name == "sub":
            return f"<sub>{content}</sub>"
        if name == "sup":
            return f"<sup>{content}</sup>"
        if name in ("kbd", "samp", "file", "command", "program", "code"):
            return f"`{content}`"
        # term, abbr, download, any, ...: the text the page shows.
        text, target = _split_target(content)
        return text or target

    def inline(self, text: str) -> str:
        return ROLE.sub(self.role, text)


def _resolve_doc(current: str, path: str) -> str:
    path = re.sub(r"\.(md|ipynb|rst)$", "", path)
    if path.startswith("/"):
        return path.lstrip("/")
    base = current.rsplit("/", 1)[0] if "/" in current else ""
    parts = (base.split("/") if base else []) + path.split("/")
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        elif part and part != ".":
            out.append(part)
    return "/".join(out)


# --- blocks
# -------------------------------------------------------------------------------


@dataclass
class Exercise:
    label: str
    title: str
    body: str


@dataclass
class SolutionStart:
    label: str


@dataclass
class SolutionEnd:
    pass


OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<rest>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*)$")
DISPLAY_MATH = re.compile(
    r"\$\$(?P<body>(?:(?!\$\$).)+)\$\$[ \t]*\((?P<label>[^()\s]+)\)", re.S
)


def _parse_options(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """MyST directive options: ``:key: value`` lines, or a ``---`` YAML block, then the
    body."""
    options: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            import yaml

            loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
            return {str(k): str(v) for k, v in loaded.items()}, lines[end + 1 :]
    i = 0
    while i < len(lines):
        match = re.match(r"^:([\w-]+):\s*(.*)$", lines[i])
        if not match:
            break
        options[match.group(1)] = match.group(2).strip()
        i += 1
    return options, lines[i:]


def _quote(text: str) -> str:
    return "\n".join(
        f"> {line}" if line.strip() else ">" for line in text.strip("\n").split("\n")
    )


class _Blocks:
    """Split one Markdown cell into text and exercise/solution markers, rendering
    directives."""

    def __init__(self, renderer: _Renderer, state: dict) -> None:
        self.r = renderer
        self.ctx = renderer.ctx
        self.state = state

    def parse(self, text: str) -> list[Any]:
        lines = text.split("\n")
        items: list[Any] = []
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                items.append(self._text("\n".join(buffer)))
                buffer.clear()

        i = 0
        while i < len(lines):
            match = OPEN.match(lines[i])
            if not match:
                buffer.append(lines[i])
                i += 1
                continue
            fence = match.group("fence")
            # The block ends at a line of the same fence character, at least as long.
            close = re.compile(
                r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$"
            )
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                j += 1
            body = lines[i + 1 : j]
            directive = DIRECTIVE.match(match.group("rest").strip())
            if directive is None:
                if fence[0] == ":":  # a colon fence without a directive: keep as text
                    buffer.extend(lines[i : j + 1])
                else:  # a code block: never touched
                    buffer.append("\n".join(lines[i : j + 1]))
                i = j + 1
                continue
            flush()
            items.extend(
                self._directive(
                    directive.group("name"), directive.group("arg").strip(), body
                )
            )
            i = j + 1
        flush()
        return items

    def _text(self, text: str) -> str:
        # Leave fenced code (kept as one buffer entry with newlines inside) alone.
        out = []
        for chunk in re.split(
            r"(^ {0,3}(?:`{3,}|~{3,})[^\n]*\n.*?\n {0,3}(?:`{3,}|~{3,})[ \t]*$)",
            text,
            flags=re.S | re.M,
        ):
            if re.match(r"^ {0,3}(?:`{3,}|~{3,})", chunk):
                out.append(chunk)
            else:
                out.append(self._prose(chunk))
        return "".join(out)

    def _prose(self, text: str) -> str:
        # (label)= targets
        text = re.sub(r"^\([\w:.-]+\)=[ \t]*\n?", "", text, flags=re.M)
        text = re.sub(r"^%.*\n?", "", text, flags=re.M)  # MyST comments
        text = DISPLAY_MATH.sub(self._equation, text)
        text = re.sub(
            r"\[([^\]]*)\]\((#[\w:.-]+|[\w./-]+\.md(?:#[\w:.-]+)?)\)",
            self._md_link,
            text,
        )
        return self.r.inline(text)

    def _equation(self, match: re.Match) -> str:
        body = match.group("body").strip("\n")
        target = self.ctx.equations.get(match.group("label"))
        tag = f" \\tag{{{target.text}}}" if target else ""
        return f"$$\n{body.strip()}{tag}\n$$"

    def _md_link(self, match: re.Match) -> str:
        text, href = match.group(1), match.group(2)
        if href.startswith("#"):
            target = self.ctx.sections.get(href[1:]) or self.ctx.numbers.get(href[1:])
            if target is None:
                return text
            return self.r._target_link(text or target.text, target)
        path, _, anchor = href.partition("#")
        docname = _resolve_doc(self.ctx.docname, path)
        title = text or self.ctx.titles.get(docname, docname)
        return _link(title, self.ctx.url(docname, anchor or None))

    def _body(self, lines: list[str]) -> str:
        """Render a directive's body (it may hold nested directives, but no
        exercises)."""
        parts = []
        for item in self.parse("\n".join(lines)):
            parts.append(item if isinstance(item, str) else "")
        return "\n".join(parts).strip("\n")

    def _directive(self, name: str, arg: str, lines: list[str]) -> list[Any]:
        ctx = self.ctx
        options, body = _parse_options(lines)
        if name == "literalinclude":
            path = (ctx.source_dir / arg).resolve()
            if ctx.read_include is None:
                raise ConversionError(
                    f"{ctx.docname}: literalinclude {arg} needs read_include"
                )
            code = ctx.read_include(path, options).rstrip("\n")
            language = options.get("language", "python")
            fence = "````" if "```" in code else "```"
            return [f"{fence}{language}\n{code}\n{fence}"]
        if name in CODE_DIRECTIVES:
            code = "\n".join(body).rstrip("\n")
            return [f"```{arg}\n{code}\n```"]
        if name == "math":
            label = options.get("label")
            target = ctx.equations.get(label) if label else None
            tag = f" \\tag{{{target.text}}}" if target else ""
            return [f"$$\n{chr(10).join(body).strip()}{tag}\n$$"]
        if name == "exercise":
            label = options.get("label", "")
            self.state["exercises"] += 1
            number = ctx.exercise_numbers.get(label, str(self.state["exercises"]))
            self.state["numbers"][label] = number
            self.state["titles"][label] = arg
            return [Exercise(label, arg, self._body(body))]
        if name == "solution-start":
            return [SolutionStart(arg)]
        if name == "solution-end":
            return [SolutionEnd()]
        if name == "solution":  # the non-gated form: its body is the whole solution
            return [SolutionStart(arg), self._body(body), SolutionEnd()]
        if name == "bibliography":
            self.state["bibliography_placed"] = True
            return [BIBLIOGRAPHY]
        if name.startswith("glue"):
            return [self._glue_directive(name, arg, options)]
        if name in ("figure", "image"):
            alt = options.get("alt", "")
            caption = self._body(body)
            image = f"![{alt}]({arg})"
            return [image + (f"\n\n*{caption}*" if caption else "")]
        text = self._body(body)
        if name in ADMONITIONS:  # a block quote under the admonition's title
            title = arg or ("Note" if name == "admonition" else name.capitalize())
            return [_quote(f"**{self.r.inline(title)}**\n\n{text}")]
        # Any other directive (tab sets, containers...): its content, without the
        # syntax.
        return [f"**{self.r.inline(arg)}**\n\n{text}" if arg else text]

    def _glue_directive(self, name: str, arg: str, options: dict[str, str]) -> str:
        key = arg.split("::")[-1]
        bundle = _glue_bundle(self.ctx, key)
        if name == "glue:math":
            latex = _as_text(
                bundle.get("text/latex", bundle.get("text/plain", ""))
            ).strip()
            latex = latex.strip("$")
            label = options.get("label")
            target = self.ctx.equations.get(label) if label else None
            tag = f" \\tag{{{target.text}}}" if target else ""
            return f"$$\n{latex}{tag}\n$$"
        if name == "glue:md":
            return _as_text(bundle.get("text/markdown", bundle.get("text/plain", "")))
        for mime in ("image/png", "image/jpeg", "image/svg+xml"):
            if mime in bundle:
                attachment = f"{key}.{mime.split('/')[1].split('+')[0]}"
                self.state["attachments"][attachment] = {mime: bundle[mime]}
                alt = options.get("alt", key)
                caption = options.get("caption", "")
                image = f"![{alt}](attachment:{attachment})"
                return image + (f"\n\n*{self.r.inline(caption)}*" if caption else "")
        if "text/markdown" in bundle:
            return _as_text(bundle["text/markdown"])
        return glue_text(self.ctx, key, "glue")


BIBLIOGRAPHY = object()  # where the list of works cited goes


# --- the notebook
# ---------------------------------------------------------------------------


def _heading_level(text: str) -> int | None:
    match = re.match(r"^(#{1,6})\s", text.lstrip("\n"))
    return len(match.group(1)) if match else None


def _figure_caption(cell: nbformat.NotebookNode, renderer: _Renderer) -> str | None:
    meta = cell.get("metadata", {}).get("mystnb", {}).get("figure") or {}
    if not meta.get("caption"):
        return None
    target = renderer.ctx.numbers.get(meta.get("name", ""))
    number = f"**{target.text}.** " if target else ""
    return f"{number}{renderer.inline(str(meta['caption']))}"


def convert(notebook: nbformat.NotebookNode, ctx: Context) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose Markdown cells hold no MyST syntax (see the module
    doc)."""
    nb = copy.deepcopy(notebook)
    ctx = copy.copy(ctx)
    ctx.glue = {**glue_from_outputs(nb), **ctx.glue}
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    prefixes = re.findall(r"^:keyprefix:\s*(\S+)", markdown, flags=re.M)
    citations = _Citations(ctx, prefixes)
    renderer = _Renderer(ctx, citations)
    state: dict[str, Any] = {
        "exercises": 0,
        "numbers": {},
        "titles": {},
        "attachments": {},
        "bibliography_placed": False,
    }
    blocks = _Blocks(renderer, state)

    main: list[Any] = []  # cells (and the bibliography marker) in reading order
    solutions: list[
        Any
    ] = []  # the Solutions section, waiting for the end of the exercises
    pending: list[str] = []  # Markdown not yet made a cell, and where it goes
    pending_into: list[list[Any]] = [main]
    in_solution = False

    def flush() -> None:
        joined = "\n\n".join(t.strip("\n") for t in pending if t.strip())
        pending.clear()
        if not joined:
            return
        cell = nbformat.v4.new_markdown_cell(joined)
        used = {
            name: data
            for name, data in state["attachments"].items()
            if f"attachment:{name}" in joined
        }
        if used:
            cell["attachments"] = used
        pending_into[0].append(cell)

    def emit(into: list[Any], markdown: str) -> None:
        if pending_into[0] is not into:
            flush()
            pending_into[0] = into
        pending.append(markdown)

    def flush_solutions() -> None:
        if pending_into[0] is solutions:
            flush()
        if solutions:
            main.append(nbformat.v4.new_markdown_cell("## Solutions"))
            main.extend(solutions)
            solutions.clear()

    for cell in nb.cells:
        if cell.cell_type != "markdown":
            # Once a solution has been set aside, later code stays behind it, in order.
            into = solutions if (in_solution or solutions) else main
            into.append(cell)
            caption = (
                _figure_caption(cell, renderer) if cell.cell_type == "code" else None
            )
            if caption:
                into.append(nbformat.v4.new_markdown_cell(caption))
            continue
        for item in blocks.parse(cell.source):
            if isinstance(item, Exercise):
                number = state["numbers"][item.label]
                title = f"### Exercise {number}"
                if item.title:
                    title += f": {renderer.inline(item.title)}"
                emit(main, f"{title}\n\n{item.body}")
            elif isinstance(item, SolutionStart):
                number = state["numbers"].get(item.label)
                if number is None:
                    raise ConversionError(
                        f"{ctx.docname}: solution to unknown exercise {item.label!r}"
                    )
                title = state["titles"].get(item.label)
                in_solution = True
                emit(
                    solutions,
                    f"### Solution to Exercise {number}"
                    + (f": {renderer.inline(title)}" if title else ""),
                )
            elif isinstance(item, SolutionEnd):
                in_solution = False
            elif item is BIBLIOGRAPHY:
                flush_solutions()
                flush()
                main.append(BIBLIOGRAPHY)
            elif in_solution:
                emit(solutions, item)
            else:
                heading = (
                    re.search(r"^#{1,2}\s", item, flags=re.M) if solutions else None
                )
                if heading:  # the exercises' section ends: the solutions come here
                    emit(main, item[: heading.start()])
                    flush_solutions()
                    item = item[heading.start() :]
                emit(main, item)
        flush()
    flush()
    flush_solutions()

    bibliography = citations.bibliography()
    cells = []
    for item in main:
        if item is BIBLIOGRAPHY:
            if bibliography:
                cells.append(nbformat.v4.new_markdown_cell(bibliography))
            continue
        cells.append(item)
    if bibliography and not state["bibliography_placed"]:
        cells.append(nbformat.v4.new_markdown_cell("## References\n\n" + bibliography))
    nb.cells = cells
    nb.metadata.pop("source_map", None)
    return nb


# --- what is left of MyST (the tests' check)
# ------------------------------------------------

LEFTOVER = [
    (re.compile(r"\{[A-Za-z][\w:+.-]*\}`"), "a MyST role"),
    (re.compile(r"^ {0,3}(?:`{3,}|~{3,}|:{3,})\s*\{", re.M), "a MyST directive"),
    (re.compile(r"\$\$[ \t]*\([^()\s]+\)"), "a labelled equation"),
    (re.compile(r"^\([\w:.-]+\)=", re.M), "a MyST target"),
]


def leftovers(notebook: nbformat.NotebookNode) -> list[str]:
    """Every piece of MyST syntax still in the notebook's Markdown cells (empty when
    clean)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for pattern, what in LEFTOVER:
            for match in pattern.finditer(cell.source):
                line = cell.source[: match.start()].count("\n") + 1
                found.append(
                    f"cell {index}, line {line}: {what}: "
                    f"{cell.source.splitlines()[line - 1][:80]!r}"
                )
    return found
