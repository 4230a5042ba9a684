"""The two BPTT pages, as built.

Figures, the loop beside its equations, the checks, the measurements.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

pytestmark = pytest.mark.book

PAGES = {
    "bptt": ("fig-bptt-graph", "fig-bptt-linear", "fig-bptt-tanh", "fig-bptt-trained"),
    "bptt_truncation": (
        "fig-bptt-truncation",
        "fig-bptt-randomized-hist",
        "fig-bptt-randomized-error",
        "fig-bptt-strategies",
    ),
}
AUTHORS = {
    "bptt": ("Werbos", "Williams", "Bengio", "Pascanu", "Zhang", "Chen", "Gruslys"),
    "bptt_truncation": ("Williams", "Jaeger", "Tallec", "Zhang"),
}


def page(built_book, name: str) -> str:
    return (built_book / "book" / f"{name}.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    """The page's text with the tags removed.

    Code listings are split into highlighting spans.
    """
    return unescape(re.sub(r"<[^>]+>", "", html))


def glued(built_book, name: str, key: str) -> float:
    """A number the page glued, read from the executed notebook's glue record."""
    record = built_book.parent / "jupyter_execute" / "book" / f"{name}.glue.json"
    return float(
        json.loads(record.read_text(encoding="utf-8"))[key]["data"]["text/plain"]
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_bptt_pages_figures_citations_and_endings(built_book, name):
    html = page(built_book, name)
    for fig in PAGES[name]:
        assert f'id="{fig}"' in html, fig
    pngs = [
        tag
        for tag in re.findall(r"<img[^>]*>", html)
        if ".png" in tag and "_static" not in tag
    ]
    assert len(pngs) >= len(PAGES[name])
    for tag in pngs[
        : len(PAGES[name])
    ]:  # every figure of the body carries a real description
        assert re.search(r'alt="[^"]{40,}"', tag), tag[:120]
    for author in AUTHORS[name]:
        assert author in html, author
    text = text_of(html)
    for heading in ("Summary", "Exercises", "References"):
        assert heading in text, heading
    assert 3 <= len(re.findall(r'class="exercise admonition"', html)) <= 5
    for word in ("set_num_threads", "keep_freed_memory", "bench/"):
        assert word not in text, word
    assert "assert " not in text  # build checks live in remove-cell cells


def test_bptt_page_shows_the_backward_loop_beside_its_equations(built_book):
    html = page(built_book, "bptt")
    text = text_of(html)
    for line in (
        "dH = dH_out[t - 1] + carry",
        "dA[t - 1] = dH * D[t - 1]",
        "carry = dA[t - 1] @ W_hh.T",
    ):
        assert text.count(line) >= 2, (
            line
        )  # once in the listing, once in the table beside its equation
    assert len(set(re.findall(r'id="equation-bptt-[^"]+"', html))) >= 15


def test_bptt_page_shows_agreement_with_autograd(built_book):
    html = page(built_book, "bptt")
    m = re.search(
        r"largest absolute difference over all gradients is\s*"
        r'<span class="pasted-text">([^<]+)</span>',
        html,
    )
    assert m, "the glued maximum difference is missing"
    assert float(m.group(1)) < 1e-12


def test_bptt_page_trained_model_measurements_support_the_prose(built_book):
    g = lambda key: glued(built_book, "bptt", key)  # noqa: E731
    # Before training (three seeds): tanh in its linear region, decay per step ~ the
    # spectral radius, and the bound sigma_max already below 1.
    assert g("bptt_before_slope_lo") > 0.999  # "averages above 0.999"
    for end in ("lo", "hi"):
        assert abs(g(f"bptt_before_rate_{end}") / g(f"bptt_before_rho_{end}") - 1) < 0.1
    assert g("bptt_before_smax_hi") < 1
    # After training, every seed: radius more than ten times larger and near 1,
    # sigma_max above 1, gradients still vanish fast.
    assert 0.8 < g("bptt_after_rho_lo") <= g("bptt_after_rho_hi") < 1.6
    assert g("bptt_after_smax_lo") > 1 and g("bptt_rho_growth_lo") > 10
    assert g("bptt_before_rate_hi") < g("bptt_after_rate_lo")
    assert g("bptt_after_rate_hi") < 0.8 and g("bptt_after_slope_hi") < 0.6
    assert g("bptt_after_frac_31_hi") < g("bptt_after_frac_8_hi") < 0.5
    assert g("bptt_damped_step") > g(
        "bptt_plain_step"
    )  # the diagonal factor can enlarge a step
    assert g("bptt_ex_rtrl") < 1e-12  # RTRL equals BPTT
    # Checkpointing: the same gradient, several times less memory at the peak.
    assert g("bptt_ckpt_diff") < 1e-12 and g("bptt_ckpt_ratio") > 3


def test_bptt_truncation_page_verdict_follows_from_the_runs(built_book):
    g = lambda key: glued(built_book, "bptt_truncation", key)  # noqa: E731
    for key in ("k8", "r9"):  # "stay close to full": within 0.15 on average
        assert abs(g(f"tbptt_run_{key}_diff")) < 0.15, key
    # "ahead", "lower by": by more than what counts as "close"
    assert g("tbptt_run_k2_diff") < 0 and g("tbptt_run_k2_gain") > 0.2
    assert g("tbptt_run_k2_wins") == g("tbptt_num_runs")  # on every seed
    # Bias of truncation falls with k; randomized estimates are noisy but unbiased.
    assert g("tbptt_noise_k2") > g("tbptt_noise_k4") > g("tbptt_noise_k8")
    for key in ("r9", "r7"):
        assert g(f"tbptt_noise_{key}_mean") < g(f"tbptt_noise_{key}") / 3
    assert g("tbptt_noise_r9") < g("tbptt_noise_batch") / 2
    # "even the best model is worse than the trigram": the condition of the verdict
    assert g("tbptt_stream_best") > g("tbptt_trigram")
    assert g("tbptt_updates") > 0


def test_bptt_truncation_page_names_tbptt_k1_k2(built_book):
    text = text_of(page(built_book, "bptt_truncation"))
    assert "TBPTT(" in text and "bptt_with_state" in text


def test_bptt_truncation_verdict_links_to_the_long_memory_section(built_book):
    html = (built_book / "book" / "bptt_truncation.html").read_text(encoding="utf-8")
    link = '<a class="reference internal" href="long_memory.html"><span class="doc">'
    verdict = html[html.index("question). " + link) :]
    words = " ".join(verdict[:300].split())
    assert "measures both on a task built to need long memory" in words
