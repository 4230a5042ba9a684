"""Helpers for the book's pages that must also work outside the book.

:func:`glue` stores a value under a name so that the page's prose can quote it
(``{glue:text}`name```). In the book build it is myst-nb's ``glue``; in a plain
Jupyter kernel or in Colab, where myst-nb is not installed, the notebook's text
already holds the numbers, so it only shows the value when asked to.
"""

from __future__ import annotations


def glue(name: str, value: object, display: bool = True) -> None:
    """myst-nb's ``glue(name, value, display)`` when myst-nb is installed; else display
    or nothing."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
