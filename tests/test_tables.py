"""Small tables for the pages: aligned text in a terminal, an HTML table in the book."""

from __future__ import annotations

import pytest

from rnnbook import table


def test_table_renders_text_and_escaped_html():
    t = table(
        [("the", 2261), ("<unk>", 0.5)], headers=["token", "count"], floatfmt=".1f"
    )
    assert str(t).splitlines() == [
        "token  count",
        "-----  -----",
        "the    2,261",
        "<unk>    0.5",
    ]
    html = t._repr_html_()
    assert "&lt;unk&gt;" in html and "<unk>" not in html
    assert 'style="text-align: right">2,261' in html
    with pytest.raises(ValueError, match="row 0 has 1 cells but there are 2 headers"):
        table([("x",)], headers=["a", "b"])


def test_table_right_aligns_numeric_text():
    t = table(
        [("a", "7.3%", "1.2e-05"), ("bb", "12.0%", "3")], headers=["x", "share", "p"]
    )
    assert t.numeric == [False, True, True]
