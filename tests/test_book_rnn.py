"""The three RNN pages, as built: figures with descriptions, glued results, tables,
citations."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.book

# numbered figures, and how many images the page shows (solutions' plots included)
PAGES = {
    "rnn": (("fig-rnn-charlm",), 1),
    "rnn_scratch": (
        ("fig-scratch-curves", "fig-scratch-cliff", "fig-scratch-grad-norm"),
        5,
    ),
    "rnn_concise": (("fig-concise-curves", "fig-concise-novel"), 2),
    "fast_rnn": ((), 0),
}
EXERCISES = {"rnn": 4, "rnn_scratch": 5, "rnn_concise": 4, "fast_rnn": 3}


def page(built_book, name: str) -> str:
    return (built_book / "book" / f"{name}.html").read_text(encoding="utf-8")


def glued(html: str, before: str) -> str:
    """The glued value that follows the text ``before`` (words separated by any
    whitespace)."""

    pattern = r"\s+".join(re.escape(w) for w in before.split())
    m = re.search(pattern + r'\s*<span class="pasted-text">([^<]+)</span>', html)
    assert m, f"no glued value after {before!r}"
    return m.group(1)


@pytest.mark.parametrize("name", PAGES)
def test_figures_are_numbered_and_described(built_book, name):
    html = page(built_book, name)
    figures, images = PAGES[name]
    for fig in figures:
        assert f'id="{fig}"' in html, fig
    pngs = [
        tag
        for tag in re.findall(r"<img[^>]*>", html)
        if ".png" in tag and "_static" not in tag
    ]
    assert len(pngs) == images  # no stray images (the live plot is off in the build)
    for tag in pngs:
        assert re.search(r'alt="[^"]{60,}"', tag), tag[:120]
    assert "nan" not in re.findall(r'class="pasted-text">([^<]+)<', html)


def test_rnn_page_equations_and_concatenation_check(built_book):
    html = page(built_book, "rnn")
    for eq in ("rnn-eq-hidden", "rnn-eq-output", "rnn-eq-concat"):
        assert f'id="equation-{eq}"' in html, eq
    assert float(glued(html, "The largest difference,")) < 1e-5
    assert float(glued(html, "The untrained model’s perplexity is")) == pytest.approx(
        28, abs=0.1
    )
    assert "language_models.html" in html and "Elman" in html


def test_scratch_page_results(built_book):
    html = page(built_book, "rnn_scratch")
    assert float(glued(html, "After 20 epochs the validation perplexity is")) < 10.0
    assert glued(html, "writes “").startswith("it has ")
    assert float(glued(html, "every seed’s validation perplexity passes")) > 1e6
    bits = float(glued(html, "Here that is"))
    assert 2.0 < bits < 4.0  # bits per character, log2 of a perplexity below 16
    assert 'id="equation-scratch-eq-clip"' in html
    for author in ("Pascanu", "Bengio", "Zhang"):
        assert author in html
    assert html.count("temperature") >= 3 and "sampled text (seed 0)" in html
    assert "teacher forcing" in html and "exposure bias" in html


def test_concise_page_results(built_book):
    html = page(built_book, "rnn_concise")
    assert float(glued(html, "The largest difference,")) < 1e-8
    assert float(glued(html, "the validation text gets a perplexity of")) < 5.5
    for row in ("1-gram", "5-gram", "RNN, 32 hidden units"):
        assert row in html
    assert re.search(r"RNN, (?!32 )\d+ hidden units", html)  # the whole-novel model
    assert "class EmbeddingRNN(rnnbook.LanguageModel)" in re.sub(r"<[^>]+>", "", html)


def test_appendix_measures_the_fast_model_and_comes_last(built_book):
    html = page(built_book, "fast_rnn")
    assert float(glued(html, "training minibatches and one validation pass)")) > 1.0
    assert "ScratchLMLoss" in html and "Appendix" in html
    intro = page(built_book, "intro")
    nav = intro[intro.index("bd-docs-nav") :]  # the table of contents
    bptt, caption, appendix = (
        nav.find(s) for s in ("bptt.html", ">Appendix<", "fast_rnn.html")
    )
    assert 0 < bptt < caption < appendix


@pytest.mark.parametrize("name", EXERCISES)
def test_pages_end_with_exercises_and_solutions(built_book, name):
    html = page(built_book, name)
    labels = re.findall(rf'id="({name}-ex-[a-z-]+)"', html)
    assert len(set(labels)) == EXERCISES[name], labels
    assert html.index("Summary") < html.index("Exercises") < html.rindex("References")
