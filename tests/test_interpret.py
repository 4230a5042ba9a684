"""The analysis helpers of book/inside.md: text signals, unit correlations,
saliency by lag, per-class bits, the character model and its data."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnbook import CharLM, NovelAsWritten, sample_chars, train_char_lm
from rnnbook.interpret import (CHAR_CLASSES, bits_by_class, char_classes,
                               inside_double_quotes, inside_parentheses,
                               inside_speech, lag_below, line_position,
                               next_char_log_probs, saliency_by_lag,
                               text_signals, unit_activations,
                               unit_correlations, word_position)

# ----- text signals on small strings --------------------------------------------


def test_line_and_word_position():
    text = "ab c\nde"
    assert line_position(text).tolist() == [0, 1, 2, 3, 4, 0, 1]
    assert word_position(text).tolist() == [1, 2, 0, 1, 0, 1, 2]


def test_parentheses_and_double_quotes_include_their_marks():
    assert inside_parentheses("a (bc) d").tolist() == [0, 0, 1, 1, 1, 1, 0, 0]
    assert inside_double_quotes('x "y" z').tolist() == [0, 0, 1, 1, 1, 0, 0]


def test_speech_skips_apostrophes_and_closes_after_punctuation():
    text = "'I don't,' he said. 'Travellers' rest'"
    s = inside_speech(text)
    inside = "".join("1" if v else "0" for v in s)
    # 'I don't,' is speech; the apostrophe of don't does not close it.
    assert inside[:10] == "1" * 10
    assert inside[10:20] == "0" * 10  # " he said. "
    # Travellers' closes the quotation: the rule cannot tell a plural
    # possessive from a closing quote after a letter, and says so.
    assert inside[20:32] == "1" * 12
    assert inside[32:] == "0" * 6


def test_speech_ends_at_a_paragraph_break():
    text = "'One\n\n'Two'"
    assert inside_speech(text).tolist() == [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]


def test_text_signals_have_one_value_per_character():
    sig = text_signals("Hi (there).\n'Yes,' he said.")
    assert set(sig) == {"line position", "word position", "inside parentheses",
                        "inside speech", "inside double quotes"}
    assert all(v.shape == (27,) for v in sig.values())


def test_char_classes_follow_the_order_of_precedence():
    text = "Ab, wonder\nx"
    cls = [CHAR_CLASSES[k] for k in char_classes(text)]
    assert cls[:5] == ["first letter of a word", "letters 2 to 4 of a word",
                       "punctuation", "space", "first letter of a word"]
    assert cls[5:] == ["letters 2 to 4 of a word"] * 3 + \
        ["letter 5 or later of a word"] * 2 + ["line break",
                                               "first letter of a word"]


def test_bits_by_class():
    lp = np.log([0.5, 0.25, 0.5, 1.0])
    bits = bits_by_class(lp, np.array([0, 0, 1, 1]))
    assert bits[0] == pytest.approx(1.5) and bits[1] == pytest.approx(0.5)
    assert np.isnan(bits[2])


@pytest.mark.parametrize("bad", ["", 3])
def test_signals_refuse_bad_text(bad):
    with pytest.raises((TypeError, ValueError)):
        line_position(bad)


# ----- unit correlations on a planted signal ------------------------------------


def test_unit_correlations_find_a_planted_unit():
    rng = np.random.default_rng(0)
    signal = line_position("abcdefghij\n" * 50)
    units = rng.normal(size=(signal.size, 6))
    units[:, 3] = -2 * signal + 0.1 * rng.normal(size=signal.size)
    units[:, 5] = 7.0  # a unit that never changes
    r = unit_correlations(units, signal)
    assert r[3] < -0.99
    assert np.all(np.abs(np.delete(r, [3, 5])) < 0.2)
    assert r[5] == 0.0
    # Exact against numpy for one unit.
    assert r[0] == pytest.approx(np.corrcoef(units[:, 0], signal)[0, 1])


def test_unit_correlations_refuse_bad_input():
    with pytest.raises(ValueError, match="constant"):
        unit_correlations(np.ones((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="same T"):
        unit_correlations(np.ones((5, 2)), np.arange(4.0))


# ----- the model, its data, saliency against finite differences --------------


@pytest.fixture
def small():
    text = "The cat sat.\n'Yes,' said (the) dog.\n" * 20
    data = NovelAsWritten(text=text)
    torch.manual_seed(0)
    model = CharLM("gru", data.vocab_size, 8, embed_size=4).double()
    return data, model


def test_as_written_keeps_every_character(small):
    data, _ = small
    assert "\n" in data.chars and "'" in data.chars and "T" in data.chars
    assert data.decode(data.corpus) == data.text
    assert data.num_train == len(data.text) - round(len(data.text) * 0.1)
    X, Y = data.random_windows(3, 5, torch.Generator().manual_seed(0))
    assert X.shape == Y.shape == (3, 5)
    assert torch.equal(X[:, 1:], Y[:, :-1])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        data.encode("Z")
    with pytest.raises(ValueError, match="val_fraction"):
        NovelAsWritten(val_fraction=1e-9, text="abc")


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_saliency_matches_finite_differences(small, cell):
    data, _ = small
    torch.manual_seed(1)
    model = CharLM(cell, data.vocab_size, 6, embed_size=3).double()
    windows = data.corpus[:2 * 9].reshape(2, 9)  # (batch, L + 1), L = 8
    curve = saliency_by_lag(model, windows)
    assert curve.shape == (8,)

    def log_p(row, emb):
        logits, _, _ = model.forward_embedded(emb[None])
        return torch.log_softmax(logits[0, -1], -1)[windows[row, -1]]

    eps, expected = 1e-6, torch.zeros(8, dtype=torch.float64)
    with torch.no_grad():
        for row in range(2):
            emb = model.embedding(windows[row, :-1]).clone()  # (L, embed)
            grad = torch.zeros_like(emb)
            for j in range(emb.shape[0]):
                for d in range(emb.shape[1]):
                    up, down = emb.clone(), emb.clone()
                    up[j, d] += eps
                    down[j, d] -= eps
                    grad[j, d] = (log_p(row, up) - log_p(row, down)) / (2 * eps)
            expected += grad.norm(dim=-1).flip(0) / 2
    assert torch.allclose(curve.detach(), expected, rtol=1e-5, atol=1e-9)


def test_lag_below():
    assert lag_below([1.0, 0.5, 0.009, 0.001]) == 3
    assert lag_below([1.0, 0.5]) is None
    with pytest.raises(ValueError):
        lag_below([0.0, 1.0])


def test_activations_and_log_probs_read_one_stream(small):
    data, model = small
    corpus = data.corpus[:50]
    whole = unit_activations(model, corpus)
    assert whole.shape == (50, 8)
    # Five streams of 10: each piece read from a zero state.
    acts = unit_activations(model, corpus, streams=5)
    assert acts.shape == (50, 8) and np.allclose(acts[:10], whole[:10])
    assert np.allclose(acts[10:20], unit_activations(model, corpus[10:20]))
    assert not np.allclose(acts[10:20], whole[10:20])
    lp = next_char_log_probs(model, corpus, chunk=7)
    assert lp.shape == (49, data.vocab_size)
    assert torch.allclose(lp.exp().sum(-1), torch.ones(49, dtype=lp.dtype))
    assert torch.allclose(lp, next_char_log_probs(model, corpus))


def test_training_lowers_the_loss_and_keeps_snapshots(small):
    data, _ = small
    torch.manual_seed(0)
    model = CharLM("gru", data.vocab_size, 16)
    losses, snaps = train_char_lm(model, data, steps=60, batch_size=8,
                                  num_steps=16, lr=0.02, snapshots=(0, 60))
    assert sorted(snaps) == [0, 60]
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:5])
    text = sample_chars(model, data, "The", 30, seed=0)
    assert len(text) == 30 and set(text) <= set(data.chars)
    assert text == sample_chars(model, data, "The", 30, seed=0)
    with pytest.raises(ValueError, match="snapshots"):
        train_char_lm(model, data, steps=2, snapshots=(3,))
    with pytest.raises(ValueError, match="cell"):
        CharLM("transformer", 5, 4)


def test_windows_at_line_starts(small):
    data, _ = small
    gen = torch.Generator().manual_seed(0)
    X, Y = data.random_windows(50, 20, gen, line_starts=True)
    assert X.shape == Y.shape == (50, 20)
    assert torch.equal(X[:, 1:], Y[:, :-1])
    starts = set(data.line_starts(20).tolist())
    newline = data.chars.index("\n")
    # Every line start of the training text is just after a line break ...
    assert starts and all(data.train_corpus[s - 1] == newline for s in starts)
    assert len(starts) == int((data.train_corpus[:-21] == newline).sum())
    # ... and every window begins at one (the text's lines differ in length).
    text = data.train_text
    for row in X:
        begin = data.decode(row)
        assert any(text.startswith(begin, s) for s in starts)
        assert text.count("\n" + begin) >= 1
    no_breaks = NovelAsWritten(text="abc def " * 10)
    with pytest.raises(ValueError, match="no line"):
        no_breaks.random_windows(2, 5, gen, line_starts=True)
