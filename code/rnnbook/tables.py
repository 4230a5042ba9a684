"""Small tables for the pages, without pandas.

A :class:`Table` shows as an HTML table in a notebook or in the built book, and
as aligned plain text in a terminal (``print(table(...))``). Numbers are
right-aligned, integers get thousands separators, floats a fixed format.
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Sequence


# Strings that read as numbers ("7.3%", "1.2e-05", "2,261") are right-aligned like
# numbers.
_NUMERIC_TEXT = re.compile(r"^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?%?$")


def _is_numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return (
        isinstance(value, numbers.Number)
        or isinstance(value, str)
        and bool(_NUMERIC_TEXT.match(value))
    )


def _fmt(value: object, floatfmt: str) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    return format(value, floatfmt)


class Table:
    """Rows of cells under a header row; see :func:`table`."""

    def __init__(
        self, rows: Sequence[Sequence], headers: Sequence[str], floatfmt: str = ".2f"
    ) -> None:
        rows = [list(r) for r in rows]
        for i, r in enumerate(rows):
            if len(r) != len(headers):
                raise ValueError(
                    f"row {i} has {len(r)} cells but there are {len(headers)} headers"
                )
        self.headers = [str(h) for h in headers]
        self.cells = [[_fmt(v, floatfmt) for v in r] for r in rows]
        # A column is numeric (right-aligned) when every cell in it is a number or
        # reads as one.
        self.numeric = [
            bool(rows) and all(_is_numeric(r[j]) for r in rows)
            for j in range(len(headers))
        ]

    def __str__(self) -> str:
        widths = [
            max([len(h)] + [len(r[j]) for r in self.cells])
            for j, h in enumerate(self.headers)
        ]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(
                c.rjust(w) if num else c.ljust(w)
                for c, w, num in zip(cells, widths, self.numeric)
            ).rstrip()

        return "\n".join(
            [line(self.headers), "  ".join("-" * w for w in widths)]
            + [line(r) for r in self.cells]
        )

    __repr__ = __str__

    def _repr_html_(self) -> str:
        def cell(tag: str, text: str, num: bool) -> str:
            align = "right" if num else "left"
            return f'<{tag} style="text-align: {align}">{html.escape(text)}</{tag}>'

        head = "".join(cell("th", h, n) for h, n in zip(self.headers, self.numeric))
        body = "".join(
            "<tr>"
            + "".join(cell("td", c, n) for c, n in zip(r, self.numeric))
            + "</tr>"
            for r in self.cells
        )
        return (
            f'<table class="table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )


def table(
    rows: Sequence[Sequence], headers: Sequence[str], floatfmt: str = ".2f"
) -> Table:
    """A table of ``rows`` (sequences of cells) under ``headers``, for display in a
    page.

    The last expression of a cell displays it; ``print`` gives aligned text.
    """
    return Table(rows, headers, floatfmt)
