"""The three RNN pages, as built: figures with descriptions, glued results, tables, citations."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.book

PAGES = {
    "rnn": ("fig-rnn-charlm",),
    "rnn_scratch": ("fig-scratch-curves", "fig-scratch-grad-norms"),
    "rnn_concise": ("fig-concise-curves", "fig-concise-novel"),
}


def page(built_book, name: str) -> str:
    return (built_book / "book" / f"{name}.html").read_text(encoding="utf-8")


def glued(html: str, before: str) -> str:
    """The glued value that follows the text ``before`` (words separated by any whitespace)."""
    pattern = r"\s+".join(re.escape(w) for w in before.split())
    m = re.search(pattern + r'\s*<span class="pasted-text">([^<]+)</span>', html)
    assert m, f"no glued value after {before!r}"
    return m.group(1)


@pytest.mark.parametrize("name", PAGES)
def test_figures_are_numbered_and_described(built_book, name):
    html = page(built_book, name)
    for fig in PAGES[name]:
        assert f'id="{fig}"' in html, fig
    pngs = [tag for tag in re.findall(r"<img[^>]*>", html) if ".png" in tag and "_static" not in tag]
    assert len(pngs) == len(PAGES[name])          # no stray images (the live plot is off in the build)
    for tag in pngs:
        assert re.search(r'alt="[^"]{60,}"', tag), tag[:120]
    assert "nan" not in re.findall(r'class="pasted-text">([^<]+)<', html)


def test_rnn_page_equations_and_concatenation_check(built_book):
    html = page(built_book, "rnn")
    for eq in ("rnn-eq-hidden", "rnn-eq-output", "rnn-eq-concat"):
        assert f'id="equation-{eq}"' in html, eq
    assert float(glued(html, "The largest difference,")) < 1e-5
    assert float(glued(html, "The untrained model’s perplexity is")) == pytest.approx(28, abs=0.1)
    assert "language_models.html" in html and "Elman" in html


def test_scratch_page_results(built_book):
    html = page(built_book, "rnn_scratch")
    assert float(glued(html, "validation perplexity")) < 8.0
    assert glued(html, "the trained model writes “").startswith("it has ")
    assert float(glued(html, "The largest difference is")) == 0.0
    assert 'id="equation-scratch-eq-clip"' in html
    for author in ("Pascanu", "Bengio"):
        assert author in html
    assert html.count("temperature") >= 3 and "sampled text (seed 0)" in html


def test_concise_page_results(built_book):
    html = page(built_book, "rnn_concise")
    assert float(glued(html, "The largest difference,")) < 1e-8
    assert float(glued(html, "the validation text gets a perplexity of")) < 5.0
    for row in ("1-gram", "5-gram", "RNN, 256 hidden units"):
        assert row in html
    assert glued(html, "on the machine that built this page: the") in ("scratch", "concise")
