"""Helpers for the book's pages that must also work outside the book.

:func:`glue` stores a value under a name so that the page's prose can quote it
(``{glue:text}`name```). In the book build it is myst-nb's ``glue``; in a plain
Jupyter kernel or in Colab, where myst-nb is not installed, the notebook's text
already holds the numbers, so it only shows the value when asked to.
"""

from __future__ import annotations


def plain(value: object) -> object:
    """A NumPy scalar or a 0-d tensor as the Python number it holds; anything else
    as it is.

    myst-nb formats a glued number (``{glue:text}`name:.2f```) from its text, and
    NumPy 2 writes a float64 as ``np.float64(2.5)``, which it cannot read.
    """
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):
        return value.item()
    return value


def glue(name: str, value: object, display: bool = True) -> None:
    """myst-nb's ``glue(name, value, display)`` when myst-nb is installed; else display
    or nothing. NumPy scalars and 0-d tensors are glued as Python numbers."""
    value = plain(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
