"""The whole-novel comparison of book/gated.md, as built: the same protocol as
book/rnn_concise.md, so the same plain RNN."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

pytestmark = pytest.mark.book


def glue_record(built_book, name: str) -> dict[str, float]:
    """The numbers a page glued, read from the executed notebook's glue record."""
    path = built_book.parent / "jupyter_execute" / "book" / f"{name}.glue.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    numbers = {}
    for key, value in record.items():
        try:
            numbers[key] = float(value["data"]["text/plain"])
        except (KeyError, ValueError):
            pass  # text and Markdown glues
    return numbers


def test_the_gated_pages_rnn_is_the_concise_pages_model(built_book):
    concise = glue_record(built_book, "rnn_concise")
    gated = glue_record(built_book, "gated")
    # Same protocol (rnnbook.NOVEL), same function, same seed: the same model, so
    # the same steps and the same perplexity on the validation text read as a stream.
    assert gated["gated_lm_steps"] == concise["novel_steps"]
    assert gated["gated_lm_hidden"] == concise["novel_hidden"]
    assert gated["gated_ppl_rnn"] == pytest.approx(concise["novel_stream"], rel=1e-6)
    # The target of issue 17: the better gated cell beats the plain RNN.
    assert min(gated["gated_ppl_gru"], gated["gated_ppl_lstm"]) < gated["gated_ppl_rnn"]
    # "A much better model" than the first configuration of the concise page.
    assert concise["novel_stream"] < concise["small_stream"] - 1.0


def test_the_gated_pages_table_has_every_row(built_book):
    html = (built_book / "book" / "gated.html").read_text(encoding="utf-8")
    text = unescape(re.sub(r"<[^>]+>", "", html))
    hidden = int(glue_record(built_book, "gated")["gated_lm_hidden"])
    for row in ("3-gram", "5-gram", *(f"{cell}, {hidden} hidden units"
                                      for cell in ("RNN", "GRU", "LSTM"))):
        assert row in text, row
    assert "rnn_concise.html" in html  # the protocol is named where it is explained
