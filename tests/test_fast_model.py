"""The appendix's fast model (rnnbook.models.fast): the lesson model's loss and
gradients, by hand.

Checked against the lesson model's autograd and the package's hand-written BPTT
(rnnbook.bptt) in float64, and with gradcheck."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from rnnbook import (
    FastRNNLMScratch,
    LanguageModelTrainer,
    RNNLMScratch,
    RNNScratch,
    bptt_gradients,
    scratch_params,
)
from rnnbook.models import fast as fast_module
from rnnbook.models.fast import chunked_cross_entropy, lookup_and_recur, scratch_lm_loss

V, H = 7, 5
f64 = torch.float64


def plain_recurrence(projected, H0, W_hh):
    h, outputs = H0, []
    for P_t in projected:
        h = torch.tanh(P_t + h @ W_hh)
        outputs.append(h)
    return torch.stack(outputs)


def recurrence_inputs(steps=4, batch=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(steps, batch, H, dtype=f64, generator=g).requires_grad_(),
        torch.randn(batch, H, dtype=f64, generator=g).requires_grad_(),
        (0.7 * torch.randn(H, H, dtype=f64, generator=g)).requires_grad_(),
    )


def lm_inputs(steps=4, batch=3, seed=0):
    """Arguments of ``scratch_lm_loss`` in float64: table, H0, W_hh, W_hq, b_q (all
    requiring grad), tokens, targets."""
    g = torch.Generator().manual_seed(seed)
    floats = [
        torch.randn(V, H, dtype=f64, generator=g),
        torch.randn(batch, H, dtype=f64, generator=g),
        0.7 * torch.randn(H, H, dtype=f64, generator=g),
        torch.randn(H, V, dtype=f64, generator=g),
        torch.randn(V, dtype=f64, generator=g),
    ]
    tokens = torch.randint(0, V, (steps * batch,), generator=g)
    targets = torch.randint(0, V, (steps * batch,), generator=g)
    return [t.requires_grad_() for t in floats] + [tokens, targets]


def plain_lm_loss(table, H0, W_hh, W_hq, b_q, tokens, targets):
    batch = H0.shape[0]
    outputs = plain_recurrence(
        table[tokens].view(-1, batch, H), H0, W_hh
    )  # (steps, batch, hidden)
    return F.cross_entropy(outputs.reshape(-1, H) @ W_hq + b_q, targets), outputs[-1]


def test_scratch_lm_loss_passes_gradcheck_for_the_loss_and_the_last_state():
    inputs = lm_inputs()
    floats, ints = inputs[:5], inputs[5:]
    assert torch.autograd.gradcheck(lambda *f: scratch_lm_loss(*f, *ints), floats)


def test_scratch_lm_loss_equals_the_plain_model():
    inputs = lm_inputs(steps=6, batch=2, seed=3)
    floats = inputs[:5]
    (loss, last), (ref, ref_last) = scratch_lm_loss(*inputs), plain_lm_loss(*inputs)
    torch.testing.assert_close(loss, ref, rtol=1e-13, atol=0)
    torch.testing.assert_close(last, ref_last, rtol=0, atol=1e-14)
    weights = torch.randn(2, H, dtype=f64)  # the last state feeds some other loss too
    for a, b in zip(
        torch.autograd.grad(loss + (last * weights).sum(), floats),
        torch.autograd.grad(ref + (ref_last * weights).sum(), floats),
    ):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-13)


def test_lookup_and_recur_equals_the_plain_loop():
    table, H0, W_hh, _, _, tokens, _ = (
        t.detach() for t in lm_inputs(steps=5, batch=4, seed=4)
    )
    expected = plain_recurrence(table[tokens].view(5, 4, H), H0, W_hh)
    torch.testing.assert_close(
        lookup_and_recur(table, tokens, H0, W_hh), expected, rtol=0, atol=1e-14
    )


def models(seed: int = 0, sigma: float = 0.5):
    """The lesson model and the fast one, with the same float64 weights."""
    torch.manual_seed(seed)
    plain = RNNLMScratch(RNNScratch(V, H, sigma=sigma), V).double()
    fast = FastRNNLMScratch(RNNScratch(V, H), V).double()
    fast.load_state_dict(plain.state_dict())
    return plain, fast


def tokens(seed: int, shape=(3, 6)) -> torch.Tensor:
    return torch.randint(0, V, shape, generator=torch.Generator().manual_seed(seed))


def test_fast_model_loss_and_gradients_equal_the_lesson_model():
    X, Y = tokens(0), tokens(1)
    state = torch.randn(3, H, dtype=f64)
    plain, fast = models()
    results = []
    for model in (plain, fast):
        loss, last = model.loss(X, Y, state)  # plain: the base class's loss
        grads = torch.autograd.grad(loss + last.sum(), list(model.parameters()))
        results.append((loss, last, grads))
    (l_p, s_p, g_p), (l_f, s_f, g_f) = results
    torch.testing.assert_close(l_f, l_p, rtol=1e-13, atol=0)
    torch.testing.assert_close(s_f, s_p, rtol=0, atol=1e-14)
    for a, b in zip(g_f, g_p):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-13)


def test_fast_model_gradients_equal_the_hand_written_bptt():
    X, Y = tokens(2, (4, 9)), tokens(3, (4, 9))
    state = torch.randn(4, H, dtype=f64, generator=torch.Generator().manual_seed(4))
    _, fast = models(seed=1)
    loss, _ = fast.loss(X, Y, state)
    loss.backward()
    ref_loss, ref = bptt_gradients(
        {k: p.detach() for k, p in scratch_params(fast).items()}, X, Y, state
    )
    torch.testing.assert_close(loss.detach(), ref_loss, rtol=1e-13, atol=0)
    for name, p in scratch_params(fast).items():
        torch.testing.assert_close(p.grad, ref[name], rtol=1e-10, atol=1e-13)


def test_the_state_gradient_is_computed_only_when_the_state_needs_it(monkeypatch):
    """The backward pass skips ``dL/dH_0`` for a start state without gradient (the
    zeros of ``state=None``, a detached carried state), and computes it otherwise."""
    original, calls = fast_module.backward_through_time, []

    def recording(*args):
        dW, dH0 = original(*args)
        calls.append((args[-1], dH0))  # (need_dH0, what came back)
        return dW, dH0

    monkeypatch.setattr(fast_module, "backward_through_time", recording)
    plain, fast = models()
    X, Y = tokens(6), tokens(7)
    detached = torch.randn(3, H, dtype=f64)
    for state in (None, detached):
        fast.loss(X, Y, state)[0].backward()
    assert [need for need, _ in calls] == [False, False]
    assert all(dH0 is None for _, dH0 in calls) and detached.grad is None
    calls.clear()
    state = torch.randn(3, H, dtype=f64, requires_grad=True)
    fast.loss(X, Y, state)[0].backward()
    ((need, dH0),) = calls
    assert need is True and dH0 is not None and torch.equal(state.grad, dH0)
    expected = torch.autograd.grad(plain.loss(X, Y, state)[0], state)[0]
    torch.testing.assert_close(state.grad, expected, rtol=1e-10, atol=1e-13)


def test_fast_model_forward_is_the_lesson_model_forward():
    plain, fast = models()
    X = tokens(5, (4, 5))
    (la, sa), (lb, sb) = plain(X), fast(X)
    assert torch.equal(la, lb) and torch.equal(sa, sb)


def test_fast_model_loss_refuses_bad_targets():
    _, model = models()
    X = torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="X holds token indices outside"):
        model.loss(X, torch.full((2, 3), V))
    with pytest.raises(TypeError, match="int64"):
        model.loss(X, torch.zeros(2, 3))
    with pytest.raises(ValueError, match="Y must have the shape of X"):
        model.loss(X, torch.zeros(2, 4, dtype=torch.long))


def test_trainer_trains_the_fast_model_like_the_lesson_model():
    """Same weights, same data, same seed: the two models follow the same trajectory."""
    plain, fast = models(sigma=0.3)
    batches = [(tokens(s, (4, 6)), tokens(s + 10, (4, 6))) for s in range(3)]
    h = [
        LanguageModelTrainer(
            m, lr=0.5, clip=1.0, device="cpu", progress=False, live=False
        ).fit(batches, batches, num_epochs=2)
        for m in (plain, fast)
    ]
    for a, b in ((h[0].train_loss, h[1].train_loss), (h[0].val_loss, h[1].val_loss)):
        assert a == pytest.approx(b, rel=1e-12)
    for a, b in zip(plain.parameters(), fast.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("num_steps", [1, 4, 7])
def test_evaluation_loss_in_chunks_equals_the_loss_over_all_steps(num_steps):
    """Under no_grad, ``loss`` scores a few steps at a time; the value and the final
    state must not change."""
    X, Y = tokens(4, (3, num_steps)), tokens(5, (3, num_steps))
    state = torch.randn(3, H, dtype=f64)
    plain, fast = models()
    whole, s_whole = plain.loss(X, Y, state)
    with torch.no_grad():
        chunked, s_chunked = fast.loss(X, Y, state)
    assert chunked.dtype == whole.dtype and not chunked.requires_grad
    torch.testing.assert_close(chunked, whole.detach(), rtol=1e-13, atol=0)
    torch.testing.assert_close(s_chunked, s_whole.detach(), rtol=0, atol=1e-14)


def test_chunked_cross_entropy_refuses_a_chunk_of_no_steps():
    _, model = models()
    X = torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="steps must be at least 1, got 0"):
        chunked_cross_entropy(
            lambda x, s: (None, s), model.W_hq, model.b_q, X, X, steps=0
        )


def test_tanh_identity_value_and_gradient():
    """The identity the fast loop is built on: tanh(z) = 2 sigmoid(2z) - 1,
    derivative 1 - tanh^2."""
    z = torch.linspace(-20, 20, 401, dtype=f64, requires_grad=True)
    y = 2 * torch.sigmoid(2 * z) - 1
    torch.testing.assert_close(y, torch.tanh(z), rtol=0, atol=1e-15)
    (g,) = torch.autograd.grad(y.sum(), z)
    torch.testing.assert_close(g, 1 - torch.tanh(z.detach()) ** 2, rtol=0, atol=1e-14)


def test_fast_float32_gradients_are_as_accurate_as_the_plain_loop():
    """Rounding matters on a strongly recurrent model, where 32 steps amplify it: the
    fast path must not be further from the float64 gradients than the plain float32
    code (a rewrite of the loop in "sigmoid space" failed this by a factor of 2.4)."""

    g = torch.Generator().manual_seed(0)
    X, Y = (torch.randint(0, 28, (64, 32), generator=g) for _ in range(2))

    def grads(cls, dtype):
        torch.manual_seed(0)
        model = cls(RNNScratch(28, 32, sigma=0.5), 28).to(dtype)
        model.loss(X, Y)[0].backward()
        return [p.grad.double() for p in model.parameters()]

    exact = grads(RNNLMScratch, f64)

    def error(gs):
        return max(
            ((a - b).abs().max() / b.abs().max()).item() for a, b in zip(gs, exact)
        )

    plain, fast = (
        error(grads(RNNLMScratch, torch.float32)),
        error(grads(FastRNNLMScratch, torch.float32)),
    )
    assert plain > 1e-5  # the model does amplify rounding: the test has teeth
    assert fast < 1.5 * plain, (fast, plain)
