"""The BPTT page, as built: its figures, its live gradient check, its hidden placeholder."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.book

FIGURES = ("fig-bptt-graph", "fig-bptt-linear", "fig-bptt-tanh", "fig-bptt-truncation",
           "fig-bptt-randomized-hist", "fig-bptt-randomized-error")


def test_bptt_page_figures_and_equations(built_book):
    html = (built_book / "book" / "bptt.html").read_text(encoding="utf-8")
    for name in FIGURES:
        assert f'id="{name}"' in html, name
    pngs = [tag for tag in re.findall(r"<img[^>]*>", html) if ".png" in tag and "_static" not in tag]
    assert len(pngs) >= len(FIGURES)
    for tag in pngs:  # every figure carries a real description
        assert re.search(r'alt="[^"]{40,}"', tag), tag[:120]
    assert len(set(re.findall(r'id="equation-bptt-[^"]+"', html))) >= 15
    for author in ("Jaeger", "Tallec", "Bengio", "Pascanu"):
        assert author in html, author


def test_bptt_page_shows_agreement_with_autograd(built_book):
    html = (built_book / "book" / "bptt.html").read_text(encoding="utf-8")
    m = re.search(r'largest absolute difference over all gradients is\s*<span class="pasted-text">([^<]+)</span>',
                  html)
    assert m, "the glued maximum difference is missing"
    assert float(m.group(1)) < 1e-12


def test_bptt_page_stage_two_placeholder_is_invisible(built_book):
    html = (built_book / "book" / "bptt.html").read_text(encoding="utf-8")
    assert "stage 2" not in re.sub(r"<!--.*?-->", "", html, flags=re.S)
