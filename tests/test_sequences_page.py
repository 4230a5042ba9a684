"""The built "Working with sequences" page holds its figures, numbers and exercises."""

from __future__ import annotations

import re

import pytest

FIGURES = (
    "fig-seq-series",
    "fig-seq-one-step",
    "fig-seq-rollout",
    "fig-seq-k-step",
    "fig-seq-k-error",
)


@pytest.fixture(scope="module")
def page(built_book) -> str:
    return (built_book / "book" / "sequences.html").read_text(encoding="utf-8")


def test_every_figure_is_rendered_numbered_and_described(page, built_book):
    for name in FIGURES:
        assert f'id="{name}"' in page, name
    imgs = [img for img in re.findall(r"<img[^>]*>", page) if "_images/" in img]
    assert len(imgs) == len(FIGURES)
    for img in imgs:
        src = re.search(r'src="([^"]+\.png)"', img).group(1)
        assert (built_book / "book" / src).resolve().is_file(), src
        alt = re.search(r'alt="([^"]*)"', img)
        assert alt and len(alt.group(1)) > 40, img


def test_glued_numbers_reach_the_prose(page):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "That gives 996 examples" in text
    # Training and validation MSE of the brief training run, as the prose quotes them.
    mse = re.search(
        r"training error is (0\.\d{3}) and the validation error (0\.\d{3})", text
    )
    assert mse, "the training and validation MSE are missing from the prose"
    train, val = map(float, mse.groups())
    assert 0.04 < train < 0.07 and 0.04 < val < 0.08
    radius = re.search(r"spectral radius, is (0\.\d{3})", text)
    assert radius and 0.9 < float(radius.group(1)) < 1.0


def test_exercises_have_hidden_solutions_and_a_bibliography(page):
    assert page.count("Solution") >= 5
    assert page.count("dropdown") >= 5
    assert "Hoyer" in page
