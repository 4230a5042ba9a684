"""The parallel-recurrences page and the appendix, as built: numbered and
described figures, glued machine next to the timings, exercises at the end."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.book

FIGURES = ("fig-scan-tree", "fig-scan-cost", "fig-lm-quality", "fig-recall-curves")


def page(built_book, name: str) -> str:
    return (built_book / "book" / f"{name}.html").read_text(encoding="utf-8")


def test_parallel_rnn_figures_are_numbered_and_described(built_book):
    html = page(built_book, "parallel_rnn")
    for fig in FIGURES:
        assert f'id="{fig}"' in html, fig
    pngs = [tag for tag in re.findall(r"<img[^>]*>", html)
            if ".png" in tag and "_static" not in tag]
    assert len(pngs) == len(FIGURES)
    for tag in pngs:
        assert re.search(r'alt="[^"]{60,}"', tag), tag[:120]


@pytest.mark.parametrize("name", ["parallel_rnn", "fast_rnn"])
def test_timings_name_the_machine(built_book, name):
    """Issue 26: every timing is glued beside the machine that measured it."""
    html = page(built_book, name)
    glued = re.findall(r'class="pasted-text">([^<]+)<', html)
    assert any("PyTorch thread" in g and "kernels" in g for g in glued)
    assert "nan" not in glued


def test_parallel_rnn_ends_with_exercises(built_book):
    html = page(built_book, "parallel_rnn")
    labels = set(re.findall(r'id="(parallel-ex-[a-z-]+)"', html))
    assert len(labels) == 4, labels
    assert html.index("Summary") < html.index("Exercises") < html.rindex("References")
