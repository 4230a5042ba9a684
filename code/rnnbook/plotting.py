"""One look for every figure in the book.

Figures get an opaque white background on purpose: the book has a dark theme,
and a transparent figure would put dark axis labels on a dark page. A white card
stays legible in both themes (the browser tests check this).
"""

from __future__ import annotations

import matplotlib as mpl

BOOK_STYLE = {
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "axes.facecolor": "white",
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.figsize": (6.4, 3.6),
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib defaults (call once at the top of a page)."""
    mpl.rcParams.update(BOOK_STYLE)
