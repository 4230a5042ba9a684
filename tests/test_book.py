"""The whole book builds strictly from a clean state, and its pages hold what they
promise."""

from __future__ import annotations

import re
from pathlib import Path


TRACEBACK_MARKERS = (
    "Traceback (most recent call last)",
    "Error</span>:",
    'class="ansi-red-fg"',
)


def pages(html: Path) -> list[Path]:
    return sorted(p for p in (html / "book").glob("*.html"))


def test_book_builds_strictly(built_book):
    assert (built_book / "index.html").is_file()
    assert (built_book / "book" / "intro.html").is_file()


def test_no_cell_output_holds_a_traceback(built_book):
    for page in pages(built_book):
        text = page.read_text(encoding="utf-8")
        for marker in TRACEBACK_MARKERS:
            assert marker not in text, f"{page.name} shows an error output ({marker!r})"


def test_opening_page(built_book):
    html = (built_book / "book" / "intro.html").read_text(encoding="utf-8")
    # The diagram was produced by an executed cell and is numbered with a caption.
    imgs = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
    assert imgs, "the opening page holds no rendered image"
    for src in imgs:
        assert (built_book / "book" / src).resolve().is_file(), src
    assert re.search(r'id="fig-unfolded-rnn"', html)
    assert "Fig. 1" in html
    # The Live Code (Thebe) launch button.
    assert "btn-launch-thebe" in html and "Live Code" in html
    # The bibliography, author-year.
    for needle in (
        "Graves",
        "Sutskever",
        "Lipton",
        "critical review",
        "learning to diagnose",
        "Elman",
    ):
        assert needle.lower() in html.lower(), needle
    assert re.search(r"Graves <em>et al.</em>, 2008|Graves et al\., 2008", html)
