"""The RNN language models: shapes, one contract, scratch == nn.RNN for the same
weights."""

from __future__ import annotations

import math

import pytest
import torch

import rnnbook
from torch.nn import functional as F

from rnnbook import RNNLM, RNNLMScratch, RNNScratch, sequence_cross_entropy

V, H = 7, 5


def scratch_lm(seed: int = 0, sigma: float = 0.5, dtype=torch.float64) -> RNNLMScratch:
    torch.manual_seed(seed)
    return RNNLMScratch(RNNScratch(V, H, sigma=sigma), V).to(dtype)


def tokens(batch: int = 3, steps: int = 4, seed: int = 0) -> torch.Tensor:
    return torch.randint(
        0, V, (batch, steps), generator=torch.Generator().manual_seed(seed)
    )


@pytest.mark.parametrize(
    "make", [lambda: scratch_lm(dtype=torch.float32), lambda: RNNLM(H, V)]
)
def test_shapes_with_and_without_state(make):
    model = make()
    X = tokens(3, 4)
    logits, state = model(X)
    assert logits.shape == (3, 4, V) and state.shape == (3, H)
    logits2, state2 = model(X, state)
    assert logits2.shape == (3, 4, V) and state2.shape == (3, H)
    assert not torch.allclose(logits2, logits)  # the state changes the predictions


def test_scratch_rnn_matches_a_hand_loop():
    torch.manual_seed(1)
    rnn = RNNScratch(3, 2, sigma=0.7).double()
    inputs = torch.randn(4, 2, 3, dtype=torch.float64)  # (steps, batch, inputs)
    h0 = torch.randn(2, 2, dtype=torch.float64)
    outputs, state = rnn(inputs, h0)
    h, expected = h0, []
    for x in inputs:
        h = torch.tanh(x @ rnn.W_xh + h @ rnn.W_hh + rnn.b_h)
        expected.append(h)
    torch.testing.assert_close(outputs, torch.stack(expected), rtol=0, atol=1e-14)
    torch.testing.assert_close(state, expected[-1], rtol=0, atol=1e-14)


def test_initialisation_follows_sigma():
    torch.manual_seed(0)
    rnn = RNNScratch(200, 100, sigma=0.01)
    assert rnn.W_xh.std().item() == pytest.approx(0.01, rel=0.05)
    assert rnn.W_hh.std().item() == pytest.approx(0.01, rel=0.05)
    assert torch.equal(rnn.b_h, torch.zeros(100))
    lm = RNNLMScratch(RNNScratch(V, 300, sigma=0.02), V)
    assert lm.W_hq.std().item() == pytest.approx(0.02, rel=0.1)
    assert [n for n, _ in lm.named_parameters()] == [
        "W_hq",
        "b_q",
        "rnn.W_xh",
        "rnn.W_hh",
        "rnn.b_h",
    ]


def test_one_hot_product_equals_row_lookup():
    """The lesson's remark: a one-hot row times W_xh is a row of W_xh."""
    lm = scratch_lm()
    X = tokens(4, 6)
    onehot = lm.one_hot(X)  # (steps, batch, vocab)
    assert onehot.shape == (6, 4, V) and onehot.dtype == torch.float64
    assert torch.equal(onehot.sum(-1), torch.ones(6, 4, dtype=onehot.dtype))
    assert torch.equal(onehot.argmax(-1), X.T)
    torch.testing.assert_close(onehot @ lm.rnn.W_xh, lm.rnn.W_xh[X.T], rtol=0, atol=0)


def test_loss_is_the_base_class_cross_entropy_of_forward():
    for model in (scratch_lm(), RNNLM(H, V).double()):
        assert type(model).loss is rnnbook.LanguageModel.loss  # neither overrides it
        X, Y = tokens(3, 5, seed=1), tokens(3, 5, seed=2)
        loss, state = model.loss(X, Y)
        logits, state2 = model(X)
        ref = F.cross_entropy(logits.reshape(-1, V), Y.reshape(-1))
        torch.testing.assert_close(loss, ref, rtol=1e-14, atol=0)
        assert torch.equal(state, state2)


def test_scratch_and_concise_agree_for_the_same_weights():
    scratch = scratch_lm(seed=3)
    concise = RNNLM(H, V).double().load_from_scratch(scratch)
    X = tokens(3, 9, seed=1)
    state = torch.randn(3, H, dtype=torch.float64)
    for s in (None, state):
        a_logits, a_state = scratch(X, s)
        b_logits, b_state = concise(X, s)
        torch.testing.assert_close(a_logits, b_logits, rtol=0, atol=1e-12)
        torch.testing.assert_close(a_state, b_state, rtol=0, atol=1e-12)
    # gradients agree too (nn.RNN's weights are transposed, its two biases share
    # b_h's gradient)

    Y = tokens(3, 9, seed=2)
    sequence_cross_entropy(scratch(X)[0], Y).backward()
    sequence_cross_entropy(concise(X)[0], Y).backward()
    close = dict(rtol=0, atol=1e-12)
    torch.testing.assert_close(
        concise.rnn.weight_ih_l0.grad, scratch.rnn.W_xh.grad.T, **close
    )
    torch.testing.assert_close(
        concise.rnn.weight_hh_l0.grad, scratch.rnn.W_hh.grad.T, **close
    )
    torch.testing.assert_close(
        concise.rnn.bias_ih_l0.grad, scratch.rnn.b_h.grad, **close
    )
    torch.testing.assert_close(
        concise.rnn.bias_hh_l0.grad, scratch.rnn.b_h.grad, **close
    )
    torch.testing.assert_close(concise.output.weight.grad, scratch.W_hq.grad.T, **close)
    torch.testing.assert_close(concise.output.bias.grad, scratch.b_q.grad, **close)


@pytest.mark.parametrize("make", [scratch_lm, lambda: RNNLM(H, V).double()])
def test_state_carries_the_sequence_across_calls(make):
    model = make()
    X = tokens(2, 10, seed=4)
    whole, whole_state = model(X)
    first, state = model(X[:, :6])
    second, last_state = model(X[:, 6:], state)
    torch.testing.assert_close(
        torch.cat([first, second], dim=1), whole, rtol=0, atol=1e-13
    )
    torch.testing.assert_close(last_state, whole_state, rtol=0, atol=1e-13)


def test_logits_are_a_view_of_time_major_memory():
    lm = scratch_lm()
    logits, _ = lm(tokens(3, 4))
    assert not logits.is_contiguous() and logits.transpose(0, 1).is_contiguous()


@pytest.mark.parametrize("time_major", [True, False])
def test_sequence_cross_entropy_is_the_mean_over_all_positions(time_major):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 4, V, generator=g, dtype=torch.float64)
    if time_major:
        logits = logits.transpose(0, 1).contiguous().transpose(0, 1)
    Y = tokens(3, 4)
    by_hand = -torch.stack(
        [
            torch.log_softmax(logits[b, t], -1)[Y[b, t]]
            for b in range(3)
            for t in range(4)
        ]
    ).mean()
    torch.testing.assert_close(
        sequence_cross_entropy(logits, Y), by_hand, rtol=0, atol=1e-14
    )


def test_sequence_cross_entropy_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="targets"):
        sequence_cross_entropy(
            torch.zeros(2, 3, V), torch.zeros(2, 4, dtype=torch.long)
        )
    with pytest.raises(TypeError, match="int64"):
        sequence_cross_entropy(torch.zeros(2, 3, V), torch.zeros(2, 3))


def test_load_from_scratch_sets_the_two_biases():
    scratch = scratch_lm()
    concise = RNNLM(H, V).double().load_from_scratch(scratch)
    assert torch.equal(concise.rnn.bias_hh_l0, torch.zeros(H, dtype=torch.float64))
    assert torch.equal(
        concise.rnn.bias_ih_l0 + concise.rnn.bias_hh_l0, scratch.rnn.b_h.detach()
    )
    assert torch.equal(concise.rnn.weight_hh_l0, scratch.rnn.W_hh.detach().T)


# ---- errors --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make", [lambda: scratch_lm(dtype=torch.float32), lambda: RNNLM(H, V)]
)
def test_bad_tokens_and_states_are_refused(make):
    model = make()
    with pytest.raises(TypeError, match="int64"):
        model(tokens().int())
    with pytest.raises(ValueError, match="batch, num_steps"):
        model(tokens()[0])
    with pytest.raises(ValueError, match=r"outside \[0, 7\)"):
        model(torch.tensor([[0, 7]]))
    with pytest.raises(ValueError, match=r"outside \[0, 7\)"):
        model(torch.tensor([[-1, 2]]))
    with pytest.raises(ValueError, match=r"expected \(batch, num_hiddens\) = \(3, 5\)"):
        model(tokens(3, 4), torch.zeros(2, H))
    with pytest.raises(TypeError, match="tensor"):
        model([[1, 2]])


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="num_hiddens must be at least 1"):
        RNNScratch(V, 0)
    with pytest.raises(TypeError, match="num_inputs must be an int"):
        RNNScratch(2.0, 3)
    with pytest.raises(ValueError, match="sigma"):
        RNNScratch(V, H, sigma=0)
    with pytest.raises(ValueError, match="rnn.num_inputs is 8, expected 7"):
        RNNLMScratch(RNNScratch(V + 1, H), V)
    with pytest.raises(TypeError, match="rnn must be a RNNScratch"):
        RNNLMScratch(torch.nn.RNN(V, H), V)
    with pytest.raises(ValueError, match="vocab_size must be at least 1"):
        RNNLM(H, 0)
    with pytest.raises(ValueError, match="scratch.num_hiddens is 5, expected 6"):
        RNNLM(H + 1, V).load_from_scratch(scratch_lm())
    with pytest.raises(TypeError, match="RNNLMScratch"):
        RNNLM(H, V).load_from_scratch(RNNLM(H, V))
    rnn = RNNScratch(V, H)
    with pytest.raises(ValueError, match="num_steps, batch, num_inputs=7"):
        rnn(torch.zeros(3, V))


def test_stream_perplexity_is_exp_of_the_mean_nll_over_one_pass():
    from rnnbook import stream_perplexity

    lm = scratch_lm(sigma=0.3)
    corpus = torch.randint(0, V, (50,), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        logits, _ = lm(corpus[None, :-1])
        nll = F.cross_entropy(logits[0], corpus[1:]).item()
    for chunk in (1, 7, 49, 1000):  # chunking bounds memory, not context
        assert stream_perplexity(lm, corpus, chunk=chunk) == pytest.approx(
            math.exp(nll), rel=1e-12
        )
    with pytest.raises(ValueError, match="at least 2 tokens"):
        stream_perplexity(lm, corpus[:1])
    with pytest.raises(ValueError, match="chunk"):
        stream_perplexity(lm, corpus, chunk=0)
