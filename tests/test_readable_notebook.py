"""The notebook converter (_ext/readable_notebook.py) on small synthetic MyST notebooks.

Each test writes a page the way the book's pages are written, gives the
converter what a build would know about it (glued values, numbers, titles, the
bibliography), and checks the Markdown a reader of the downloaded notebook sees.
The same converter runs on every real page in tests/test_site.py.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import jupytext
import nbformat
import pytest

import readable_notebook as rn
import rnnbook_site

ROOT = Path(__file__).resolve().parent.parent

HEADER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def page(body: str) -> nbformat.NotebookNode:
    """A MyST notebook from ``body``, read as the build reads the page."""
    return jupytext.reads(HEADER + textwrap.dedent(body), fmt="myst")


def glued(notebook: nbformat.NotebookNode, **values: object) -> nbformat.NotebookNode:
    """Give the first code cell the outputs myst-nb's glue(name, value, display=False)
    leaves."""
    cell = next(c for c in notebook.cells if c.cell_type == "code")
    for name, value in values.items():
        data = {rn.GLUE_PREFIX + "text/plain": repr(value)}
        cell.outputs.append(
            nbformat.v4.new_output(
                "display_data",
                data=data,
                metadata={"scrapbook": {"name": name, "mime_prefix": rn.GLUE_PREFIX}},
            )
        )
    return notebook


def markdown(notebook: nbformat.NotebookNode) -> str:
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def bib() -> dict[str, rn.Reference]:
    return {
        "zhang2023dive": rn.Reference(
            "Zhang et al.",
            "2023",
            "Aston Zhang, Zachary C. Lipton, Mu Li, and Alexander J. "
            "Smola. *Dive into Deep Learning*. 2023.",
        ),
        "elman1990finding": rn.Reference(
            "Elman", "1990", "Jeffrey L. Elman. Finding structure in time. 1990."
        ),
    }


def convert(notebook, **kwargs) -> nbformat.NotebookNode:
    ctx = rn.Context(
        docname="book/demo", site_url="https://example.org/book/", **kwargs
    )
    converted = rn.convert(notebook, ctx)
    nbformat.validate(converted)
    assert rn.leftovers(converted) == [], rn.leftovers(converted)
    return converted


def test_glue_roles_use_the_values_of_the_outputs_and_their_format_specs():
    nb = glued(
        page("""
        ```{code-cell} ipython3
        from rnnbook import glue
        ```

        Perplexity {glue:text}`ppl:.2f` after {glue:text}`epochs` epochs
        ({glue:text}`share:.1%` of the data, {glue:text}`count:,d` tokens);
        loss {glue}`loss`.
        """),
        ppl=7.24051,
        epochs=100,
        share=0.25,
        count=32775,
        loss=1.5,
    )
    text = markdown(convert(nb))
    assert "Perplexity 7.24 after 100 epochs" in text
    assert "(25.0% of the data, 32,775 tokens)" in text
    assert "loss 1.5." in text


def test_glue_from_the_build_overrides_and_a_missing_name_is_an_error():
    nb = page("""
        ```{code-cell} ipython3
        x = 1
        ```

        The value is {glue:text}`x:.3f`.
        """)
    text = markdown(convert(nb, glue={"x": {"text/plain": "0.5"}}))
    assert "The value is 0.500." in text
    with pytest.raises(rn.ConversionError, match="no glued value named 'x'"):
        rn.convert(nb, rn.Context())


def test_glue_directives_math_markdown_and_figure():
    nb = page("""
        ```{code-cell} ipython3
        x = 1
        ```

        ```{glue:math} formula
        :label: eq-glued
        ```

        ```{glue:md} table
        ```

        ```{glue:figure} curve
        :alt: A falling curve
        :caption: The loss, {glue:text}`n` epochs.
        ```
        """)
    glue = {
        "formula": {"text/latex": "$\\displaystyle x^2$", "text/plain": "x**2"},
        "table": {"text/markdown": "| a | b |\n|---|---|\n| 1 | 2 |"},
        "curve": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
        "n": {"text/plain": "5"},
    }
    out = convert(nb, glue=glue, equations={"eq-glued": rn.Target("2.1", "book/demo")})
    text = markdown(out)
    assert "$$\n\\displaystyle x^2 \\tag{2.1}\n$$" in text
    assert "| a | b |" in text
    assert (
        "![A falling curve](attachment:curve.png)" in text
        and "*The loss, 5 epochs.*" in text
    )
    cell = next(c for c in out.cells if "attachment:curve.png" in c.get("source", ""))
    assert cell.attachments == {"curve.png": {"image/png": "iVBORw0KGgo="}}


def test_literalinclude_writes_the_included_code(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "model.py").write_text(
        'import torch\n\n\nclass Tiny:\n    """A model."""\n\n    def f(self):\n'
        "        return 1\n\n\ndef other():\n    pass\n"
    )
    (tmp_path / "book").mkdir()
    nb = page("""
        ```{code-cell} ipython3
        x = 1
        ```

        The model:

        ```{literalinclude} ../code/model.py
        :language: python
        :pyobject: Tiny
        ```
        """)
    out = convert(
        nb, source_dir=tmp_path / "book", read_include=rnnbook_site.read_include
    )
    text = markdown(out)
    assert (
        '```python\nclass Tiny:\n    """A model."""\n\n    def f(self):\n'
        "        return 1\n```" in text
    )
    assert "other" not in text and "import torch" not in text


def test_cross_references_become_numbers_titles_and_links():
    nb = page("""
        (sec-intro)=
        # Demo

        As {numref}`fig-curve` shows, and {numref}`Figure %s <fig-other>` on
        another page; by {eq}`eq-loss` and {eq}`eq-far`; see {doc}`rnn`,
        {doc}`the RNN page <rnn>`, {ref}`sec-intro`, {ref}`sec-far` and
        [that section](#sec-far).
        """)
    ctx = dict(
        numbers={
            "fig-curve": rn.Target("Fig. 2.1", "book/demo", "fig-curve"),
            "fig-other": rn.Target("Fig. 4.3", "book/rnn", "fig-other"),
        },
        equations={
            "eq-loss": rn.Target("2.5", "book/demo", "equation-eq-loss"),
            "eq-far": rn.Target("4.1", "book/rnn", "equation-eq-far"),
        },
        sections={
            "sec-intro": rn.Target("Demo", "book/demo", "sec-intro"),
            "sec-far": rn.Target("Far away", "book/rnn", "far-away"),
        },
        titles={"book/rnn": "Recurrent Neural Networks", "book/demo": "Demo"},
    )
    text = markdown(convert(nb, **ctx))
    assert text.startswith("# Demo")
    assert (
        "As Fig. 2.1 shows, and [Figure 4.3](https://example.org/book/book/rnn.html#fig-other)"
        in text
    )
    assert (
        "by (2.5) and [(4.1)](https://example.org/book/book/rnn.html#equation-eq-far)"
        in text
    )
    assert (
        "see [Recurrent Neural Networks](https://example.org/book/book/rnn.html)"
        in text
    )
    assert "[the RNN page](https://example.org/book/book/rnn.html)" in text
    assert ", Demo, [Far away](https://example.org/book/book/rnn.html#far-away)" in text
    assert "[that section](https://example.org/book/book/rnn.html#far-away)" in text
    with pytest.raises(rn.ConversionError, match="unknown numref label 'fig-curve'"):
        rn.convert(nb, rn.Context())


def test_citations_are_author_year_with_the_bibliography_at_the_end():
    nb = page("""
        Networks {cite:p}`demo-elman1990finding`, as {cite:t}`demo-zhang2023dive`
        explain {cite:p}`demo-zhang2023dive,demo-elman1990finding`.

        ## References

        ```{bibliography}
        :filter: docname in docnames
        :keyprefix: demo-
        :labelprefix: D
        ```
        """)
    out = convert(nb, bibliography=bib())
    text = markdown(out)
    assert "Networks (Elman, 1990), as Zhang et al. (2023)" in text
    assert "explain (Zhang et al., 2023; Elman, 1990)." in text
    last = out.cells[-1].source
    assert last.startswith(
        "- Jeffrey L. Elman. Finding structure in time. 1990.\n- Aston Zhang"
    )
    assert out.cells[-2].source.strip().endswith("## References")


def test_a_page_without_a_bibliography_directive_gets_references_at_the_end():
    nb = page("""
        As in {cite:p}`zhang2023dive`.

        ```{code-cell} ipython3
        x = 1
        ```
        """)
    out = convert(nb, bibliography=bib())
    assert out.cells[-1].source == "## References\n\n- " + bib()["zhang2023dive"].text
    with pytest.raises(rn.ConversionError, match="unknown citation key 'nobody2020'"):
        rn.convert(page("See {cite:p}`nobody2020`."), rn.Context(bibliography=bib()))


def test_admonitions_fenced_and_colon_fenced_become_block_quotes():
    nb = page("""
        :::{admonition} Why tanh?
        :class: tip
        It keeps the state in $[-1, 1]$: {glue:text}`x:.1f`.
        :::

        ```{note}
        A plain note.
        ```

        :::{important}
        Mind the gap.
        :::
        """)
    text = markdown(convert(nb, glue={"x": {"text/plain": "0.25"}}))
    assert "> **Why tanh?**\n>\n> It keeps the state in $[-1, 1]$: 0.2." in text
    assert "> **Note**\n>\n> A plain note." in text
    assert "> **Important**\n>\n> Mind the gap." in text
    assert ":class:" not in text


def test_labelled_equations_become_plain_numbered_display_math():
    nb = page("""
        The update is

        $$
        a = 1
        $$

        $$
        h_t = \\tanh(W h_{t-1} + x_t),
        $$ (eq-update)

        and {eq}`eq-update` is all.

        ```{math}
        :label: eq-two
        a = b
        ```
        """)
    eqs = {
        "eq-update": rn.Target("3.1", "book/demo"),
        "eq-two": rn.Target("3.2", "book/demo"),
    }
    text = markdown(convert(nb, equations=eqs))
    assert "$$\na = 1\n$$\n\n$$\nh_t = \\tanh(W h_{t-1} + x_t), \\tag{3.1}\n$$" in text
    assert "and (3.1) is all." in text
    assert "$$\na = b \\tag{3.2}\n$$" in text


def test_exercises_are_numbered_and_their_solutions_follow_all_exercises():
    nb = page("""
        ## Exercises

        ````{exercise} Count the weights
        :label: demo-ex-count

        How many weights has the model?
        ````

        ````{solution-start} demo-ex-count
        :class: dropdown
        ````

        ```{code-cell} ipython3
        weights = 28 * 32
        ```

        There are {glue:text}`weights` of them.

        ````{solution-end}
        ````

        ````{exercise}
        :label: demo-ex-shift

        What if the shift is zero?
        ````

        ````{solution-start} demo-ex-shift
        ````

        ```{code-cell} ipython3
        shift = 0
        ```

        Then the model copies.

        ````{solution-end}
        ````

        ## References

        Nothing.
        """)
    out = convert(nb, glue={"weights": {"text/plain": "896"}})
    outline = [
        line
        for c in out.cells
        for line in c.source.splitlines()
        if c.cell_type == "code"
        or line.startswith("#")
        or "896" in line
        or "copies" in line
        or "weights has" in line
    ]
    assert outline == [
        "## Exercises",
        "### Exercise 1: Count the weights",
        "How many weights has the model?",
        "### Exercise 2",
        "## Solutions",
        "### Solution to Exercise 1: Count the weights",
        "weights = 28 * 32",
        "There are 896 of them.",
        "### Solution to Exercise 2",
        "shift = 0",
        "Then the model copies.",
        "## References",
    ]
    # With the build's numbers (Exercise 7.1 ...), those are used.
    numbered = convert(
        nb,
        glue={"weights": {"text/plain": "896"}},
        exercise_numbers={"demo-ex-count": "7.1", "demo-ex-shift": "7.2"},
    )
    assert "### Solution to Exercise 7.2" in markdown(numbered)


def test_code_cells_keep_their_sources_and_order_and_figures_get_captions():
    nb = page("""
        ```{code-cell} ipython3
        ---
        mystnb:
          figure:
            name: fig-curve
            caption: The curve after {glue:text}`n` steps.
        ---
        a = 1
        ```

        Text with a role {math}`x^2`.

        ```{code-cell} ipython3
        b = a + 1
        ```
        """)
    out = convert(
        nb,
        glue={"n": {"text/plain": "3"}},
        numbers={"fig-curve": rn.Target("Fig. 1.1", "book/demo", "fig-curve")},
    )
    assert [c.source for c in out.cells if c.cell_type == "code"] == [
        c.source for c in nb.cells if c.cell_type == "code"
    ]
    assert out.cells[1].source == "**Fig. 1.1.** The curve after 3 steps."
    assert "Text with a role $x^2$." in markdown(out)


def test_leftovers_finds_what_the_converter_must_remove():
    nb = page("""
        A {glue:text}`x` and

        ```{note}
        b
        ```

        $$ a $$ (eq)
        """)
    found = rn.leftovers(nb)
    assert [f.split(": ")[1] for f in found] == [
        "a MyST role",
        "a MyST directive",
        "a labelled equation",
    ]


# --- the Sphinx side: a tiny book built with the book's extensions
# --------------------------

TINY_CONFIG = """\
title: Tiny
execute:
  execute_notebooks: force
  raise_on_error: true
only_build_toc_files: true
bibtex_bibfiles: [refs.bib]
repository:
  url: https://github.com/someone/tinybook
  branch: main
html:
  use_download_button: true
launch_buttons:
  colab_url: https://colab.research.google.com
parse:
  myst_enable_extensions: [amsmath, dollarmath, colon_fence]
sphinx:
  extra_extensions: [sphinx_exercise]
  local_extensions:
    rnnbook_site: {ext}
  config:
    bibtex_reference_style: author_year
    numfig: true
    math_numfig: true
    rnnbook_notebooks_branch: notebooks
"""

TINY_INTRO = (
    HEADER
    + """
# Intro

```{code-cell} ipython3
from rnnbook import glue
glue("ppl", 7.24051, display=False)
```

Perplexity {glue:text}`ppl:.2f`, see {numref}`fig-tiny` and {eq}`eq-tiny` on
{doc}`other`, after {cite:t}`elman1990finding`.

```{literalinclude} listing.py
:pyobject: double
```

## Exercises

````{exercise} Double
:label: intro-ex-double

Double a number.
````

````{solution-start} intro-ex-double
:class: dropdown
````

```{code-cell} ipython3
answer = 2 * 21
glue("answer", answer, display=False)
```

It is {glue:text}`answer`.

````{solution-end}
````

## References

```{bibliography}
:filter: docname in docnames
```
"""
)

TINY_OTHER = (
    HEADER
    + """
# Other

```{code-cell} ipython3
---
mystnb:
  figure:
    name: fig-tiny
    caption: A tiny figure.
---
import matplotlib.pyplot as plt
plt.plot([1, 2]);
```

$$
y = 2x
$$ (eq-tiny)
"""
)


@pytest.mark.book
def test_a_built_notebook_gets_the_numbers_titles_and_glue_of_its_build(tmp_path):
    import subprocess

    (tmp_path / "_config.yml").write_text(TINY_CONFIG.format(ext=ROOT / "_ext"))
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\noptions:\n"
        "  numbered: true\nchapters:\n- file: other\n"
    )
    (tmp_path / "intro.md").write_text(TINY_INTRO)
    (tmp_path / "other.md").write_text(TINY_OTHER)
    (tmp_path / "listing.py").write_text(
        "def double(x):\n    return 2 * x\n\n\nother = 1\n"
    )
    (tmp_path / "refs.bib").write_text(
        "@article{elman1990finding, author = {Elman, Jeffrey L.}, title = {Finding "
        "Structure in Time}, journal = {Cognitive Science}, year = {1990}}\n"
    )
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jb), "build", str(tmp_path), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    notebook = nbformat.read(
        tmp_path / "_build/html/_sources/intro.ipynb", as_version=4
    )
    assert rn.leftovers(notebook) == []
    text = markdown(notebook)
    assert (
        "Perplexity 7.24, see [Fig. 1.1](https://someone.github.io/tinybook/other.html#fig-tiny)"
        in text
    )
    assert (
        "[(1.1)](https://someone.github.io/tinybook/other.html#equation-eq-tiny)"
        in text
    )
    assert (
        "on\n[Other](https://someone.github.io/tinybook/other.html), after Elman "
        "(1990)." in text
    )
    assert "```python\ndef double(x):\n    return 2 * x\n```" in text
    assert "### Exercise 1" in text and "It is 42." in text
    assert text.endswith(
        "## References\n\n- Jeffrey L. Elman. Finding structure in time. "
        "Cognitive Science, 1990."
    )
    setup = notebook.cells[0]
    assert "git+https://github.com/someone/tinybook@" in setup.source
    other = nbformat.read(tmp_path / "_build/html/_sources/other.ipynb", as_version=4)
    assert "$$\ny = 2x \\tag{1.1}\n$$" in markdown(other)
    assert "**Fig. 1.1.** A tiny figure." in markdown(other)
