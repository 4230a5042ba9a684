"""The BPTT page, as built: its figures, its live gradient check, the measurements its prose relies on."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.book

FIGURES = ("fig-bptt-graph", "fig-bptt-linear", "fig-bptt-tanh", "fig-bptt-truncation",
           "fig-bptt-randomized-hist", "fig-bptt-randomized-error", "fig-bptt-trained",
           "fig-bptt-strategies")


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


def glued(built_book, name: str) -> float:
    """A number the page glued, read from the executed notebook's glue record."""
    record = built_book.parent / "jupyter_execute" / "book" / "bptt.glue.json"
    return float(json.loads(record.read_text(encoding="utf-8"))[name]["data"]["text/plain"])


def test_bptt_page_trained_model_measurements_support_the_prose(built_book):
    g = lambda name: glued(built_book, name)  # noqa: E731
    # Before training: tanh in its linear region, decay per step ~ the spectral radius.
    assert g("bptt_before_slope") > 0.99
    assert abs(g("bptt_before_rate") / g("bptt_before_rho") - 1) < 0.1
    assert g("bptt_before_smax") < 1
    # After training: spectral radius and largest singular value above 1, gradients still vanish.
    assert g("bptt_after_rho") > 1 and g("bptt_after_smax") > 1
    assert g("bptt_after_rho") > 10 * g("bptt_before_rho")        # "enlarges W_hh by more than ten"
    assert g("bptt_before_rate") < g("bptt_after_rate") < 1
    assert g("bptt_after_slope") < 0.6
    assert g("bptt_after_frac_31") < g("bptt_after_frac_8") < 0.5


def test_bptt_page_strategy_verdict_follows_from_the_runs(built_book):
    g = lambda name: glued(built_book, name)  # noqa: E731
    assert g("bptt_run_vs_autograd") < 1e-3                        # hand-written full BPTT retraces autograd
    full = g("bptt_run_full_ppl")
    for key in ("k8", "k4", "k2", "r9", "r7"):                     # "costs nothing", "follow closely"
        assert abs(g(f"bptt_run_{key}_ppl") / full - 1) < 0.05, key
    assert g("bptt_run_k2_ppl") <= full + 0.05                     # "the shortest window is not worse"
    assert g("bptt_run_early_k2") < g("bptt_run_early_full")       # "ahead ... after five epochs"
    # Bias of truncation falls with k; randomized estimates are noisy but unbiased.
    assert g("bptt_noise_k2") > g("bptt_noise_k4") > g("bptt_noise_k8")
    assert g("bptt_noise_k2") > 0.3                                # "almost half of the gradient"
    for key in ("r9", "r7"):
        assert g(f"bptt_noise_{key}_mean") < g(f"bptt_noise_{key}") / 3
    assert g("bptt_noise_r9") < g("bptt_noise_r7") < g("bptt_noise_batch")
