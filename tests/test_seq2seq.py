"""The encoder-decoder of book/seq2seq.md: masks, attention, decoders, errors."""

import itertools

import pytest
import torch

from rnnbook.data.transduction import (BOS, EOS, FIRST_SYMBOL, PAD, pad,
                                       reversal_batch)
from rnnbook.models.seq2seq import (Seq2Seq, additive_attention, beam_search,
                                    check_source, exact_match, greedy_decode,
                                    reverse_padded, sequence_log_prob)

V = 13


def model(attention=True, vocab=V, hidden=8):
    torch.manual_seed(0)
    return Seq2Seq(vocab, hidden, attention=attention, embed_size=4).eval()


def test_reversal_batch_reverses_and_ends_with_eos():
    X, X_len, Y_in, Y_out = reversal_batch(
        16, (2, 6), generator=torch.Generator().manual_seed(0))
    for x, n, y_in, y_out in zip(X, X_len, Y_in, Y_out):
        n = int(n)
        assert y_out[:n].tolist() == x[:n].flip(0).tolist()
        assert y_out[n] == EOS and (y_out[n + 1:] == PAD).all()
        assert y_in[0] == BOS and y_in[1:n + 1].tolist() == y_out[:n].tolist()
        assert (x[n:] == PAD).all() and (x[:n] >= FIRST_SYMBOL).all()


def test_reverse_padded_is_its_own_inverse_and_keeps_padding():
    X, X_len = pad([[3, 4, 5], [6, 7], [8]])
    R = reverse_padded(X, X_len)
    assert R.tolist() == [[5, 4, 3], [7, 6, PAD], [8, PAD, PAD]]
    assert torch.equal(reverse_padded(R, X_len), X)


@pytest.mark.parametrize("attention", [True, False])
def test_padding_changes_no_output(attention):
    m = model(attention)
    X, X_len = pad([[3, 4, 5, 6], [7, 8]])
    Y_in = torch.tensor([[BOS, 6, 5, 4, 3], [BOS, 8, 7, PAD, PAD]])
    wide = torch.cat([X, torch.full((2, 5), PAD)], 1)
    with torch.no_grad():
        a, b = m(X, X_len, Y_in), m(wide, X_len, Y_in)
        alone = m(X[1:, :2], X_len[1:], Y_in[1:])   # the short row, unpadded
    assert torch.allclose(a, b, atol=1e-6)
    assert torch.allclose(a[1], alone[0], atol=1e-6)
    ta, _, _ = greedy_decode(m, X, X_len, 6)
    tb, _, _ = greedy_decode(m, wide, X_len, 6)
    assert torch.equal(ta, tb)


def test_additive_attention_masks_and_averages():
    g = torch.Generator().manual_seed(0)
    W_q, w_v = torch.nn.Linear(3, 4), torch.nn.Linear(4, 1)
    query = torch.randn(2, 3, generator=g)
    keys, values = torch.randn(2, 5, 4, generator=g), torch.randn(2, 5, 6)
    mask = torch.tensor([[True] * 5, [True, True, False, False, False]])
    with torch.no_grad():
        context, w = additive_attention(query, keys, values, mask, W_q, w_v)
        scores = w_v(torch.tanh(W_q(query)[:, None] + keys))[..., 0]
    assert torch.allclose(w.sum(-1), torch.ones(2))
    assert (w[1, 2:] == 0).all()
    assert torch.allclose(w[1, :2], scores[1, :2].softmax(-1))
    assert torch.allclose(context, torch.einsum("bs,bsv->bv", w, values))
    # what stands in the padded positions cannot matter
    keys[1, 2:], values[1, 2:] = 99.0, -99.0
    with torch.no_grad():
        context2, _ = additive_attention(query, keys, values, mask, W_q, w_v)
    assert torch.allclose(context, context2)


def test_attention_weights_sum_to_one_and_skip_padding():
    m = model()
    X, X_len = pad([[3, 4, 5, 6, 7], [8, 9]])
    _, _, w = greedy_decode(m, X, X_len, 4)               # (batch, T, S)
    assert torch.allclose(w.sum(-1), torch.ones(2, 4), atol=1e-6)
    assert (w[1, :, 2:] == 0).all()                       # padded positions
    assert (w[1, :, :2] > 0).all()


def test_beam_width_one_is_greedy():
    m = model(attention=False)
    X, X_len, _, _ = reversal_batch(20, (3, 7),
                                    generator=torch.Generator().manual_seed(1))
    tokens, log_prob, _ = greedy_decode(m, X, X_len, 8)
    for i in range(20):
        beam, score = beam_search(m, X[i], X_len[i], 1, 8)
        row = tokens[i].tolist()
        row = row[:row.index(EOS) + 1] if EOS in row else row
        assert beam == row
        assert score == pytest.approx(float(log_prob[i]), abs=1e-4)
        assert score == pytest.approx(
            sequence_log_prob(m, X[i], X_len[i], row), abs=1e-4)


@pytest.mark.parametrize("alpha", [0.0, 0.75])
def test_full_beam_is_exhaustive_search(alpha):
    vocab, L = 5, 3                                   # 2 symbols + 3 specials
    m = model(attention=True, vocab=vocab, hidden=6)
    with torch.no_grad():                             # make EOS plausible
        m.decoder.output.bias[EOS] += 1.0
    X, X_len = pad([[3, 4, 4]])
    outputs = []
    for n in range(1, L + 1):
        for seq in itertools.product(range(vocab), repeat=n):
            if EOS in seq[:-1] or (n < L and seq[-1] != EOS):
                continue                              # not a finished output
            outputs.append(list(seq))
    scores = {tuple(s): sequence_log_prob(m, X[0], X_len[0], s) for s in outputs}
    best = max(scores, key=lambda s: scores[s] / len(s) ** alpha)
    beam, score = beam_search(m, X[0], X_len[0], vocab ** (L - 1), L, alpha)
    assert tuple(beam) == best
    assert score == pytest.approx(scores[best], abs=1e-4)


def test_exact_match_compares_up_to_eos():
    Y_out = torch.tensor([[5, 4, EOS], [5, 4, EOS]])
    tokens = torch.tensor([[5, 4, EOS, 7], [5, 3, EOS, PAD]])
    assert exact_match(tokens, Y_out).tolist() == [True, False]


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        pad([[3, 4], []])
    X, X_len = pad([[3, 4], [5]])
    with pytest.raises(ValueError, match="only 2 steps"):
        check_source(X, torch.tensor([3, 1]), V)
    with pytest.raises(ValueError, match="at least one token"):
        check_source(X, torch.tensor([2, 0]), V)
    with pytest.raises(ValueError, match="outside"):
        check_source(X + 20, X_len, V)
    with pytest.raises(ValueError, match="one length per row"):
        check_source(X, torch.tensor([2]), V)
    with pytest.raises(ValueError, match="outside"):
        model()(X + 20, X_len, torch.tensor([[BOS], [BOS]]))
    with pytest.raises(ValueError, match="only 2 steps"):
        greedy_decode(model(), X, torch.tensor([3, 1]), 4)
    with pytest.raises(ValueError, match="beam_width"):
        beam_search(model(), X[0], X_len[0], 0, 4)
    with pytest.raises(ValueError, match="num_hiddens"):
        Seq2Seq(V, 0)
