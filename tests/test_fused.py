"""The hand-written autograd functions of rnnbook.models.fused, and the models' fast ``loss`` path."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from rnnbook import RNNLM, LanguageModelTrainer, RNNLMScratch, RNNScratch, sequence_cross_entropy
from rnnbook.models.fused import linear_cross_entropy, lookup_and_recur, scratch_lm_loss, tanh_recurrence

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
    return (torch.randn(steps, batch, H, dtype=f64, generator=g).requires_grad_(),
            torch.randn(batch, H, dtype=f64, generator=g).requires_grad_(),
            (0.7 * torch.randn(H, H, dtype=f64, generator=g)).requires_grad_())


def test_tanh_recurrence_passes_gradcheck():
    assert torch.autograd.gradcheck(tanh_recurrence, recurrence_inputs())


def test_tanh_recurrence_equals_the_plain_loop_values_and_gradients():
    inputs = recurrence_inputs(steps=6, batch=2, seed=1)
    weights = torch.randn(6, 2, H, dtype=f64)         # a loss that weighs every output differently
    ours, plain = tanh_recurrence(*inputs), plain_recurrence(*inputs)
    torch.testing.assert_close(ours, plain, rtol=0, atol=1e-14)
    g_ours = torch.autograd.grad((ours * weights).sum(), inputs)
    g_plain = torch.autograd.grad((plain * weights).sum(), inputs)
    for a, b in zip(g_ours, g_plain):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-13)


def test_tanh_recurrence_leaves_the_incoming_gradient_alone():
    inputs = recurrence_inputs()
    out = tanh_recurrence(*inputs)
    grad = torch.ones_like(out)
    out.backward(grad)
    assert torch.equal(grad, torch.ones_like(out))   # backward works on a copy


def test_tanh_recurrence_skips_the_state_gradient_when_not_needed():
    P, H0, W = recurrence_inputs()
    out = tanh_recurrence(P, H0.detach(), W)
    out.sum().backward()
    assert P.grad is not None and W.grad is not None


def ce_inputs(n=11, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, H, dtype=f64, generator=g).requires_grad_(),
            torch.randn(H, V, dtype=f64, generator=g).requires_grad_(),
            torch.randn(V, dtype=f64, generator=g).requires_grad_(),
            torch.randint(0, V, (n,), generator=g))


def test_linear_cross_entropy_passes_gradcheck():
    Hs, W, b, Y = ce_inputs()
    assert torch.autograd.gradcheck(lambda h, w, c: linear_cross_entropy(h, w, c, Y), (Hs, W, b))


@pytest.mark.parametrize("scale", [1.0, 40.0])  # 40: logits far beyond exp's range without the max shift
def test_linear_cross_entropy_equals_torch_cross_entropy(scale):
    Hs, W, b, Y = ce_inputs(n=50, seed=2)
    Hs = (Hs.detach() * scale).requires_grad_()
    ours = linear_cross_entropy(Hs, W, b, Y)
    ref = F.cross_entropy(Hs @ W + b, Y)
    torch.testing.assert_close(ours, ref, rtol=1e-13, atol=0)
    for a, c in zip(torch.autograd.grad(ours, (Hs, W, b)), torch.autograd.grad(ref, (Hs, W, b))):
        torch.testing.assert_close(a, c, rtol=1e-10, atol=1e-12)


def test_linear_cross_entropy_in_float32_is_close_to_torch():
    Hs, W, b, Y = (t.float() if t.is_floating_point() else t for t in ce_inputs(n=4096, seed=3))
    Hs, W, b = (t.detach().requires_grad_() for t in (Hs, W, b))
    torch.testing.assert_close(linear_cross_entropy(Hs, W, b, Y), F.cross_entropy(Hs @ W + b, Y),
                               rtol=1e-6, atol=1e-6)


def lm_inputs(steps=4, batch=3, seed=0):
    """Arguments of ``scratch_lm_loss`` in float64: table, H0, W_hh, W_hq, b_q (all requiring grad), tokens, targets."""
    g = torch.Generator().manual_seed(seed)
    floats = [torch.randn(V, H, dtype=f64, generator=g), torch.randn(batch, H, dtype=f64, generator=g),
              0.7 * torch.randn(H, H, dtype=f64, generator=g), torch.randn(H, V, dtype=f64, generator=g),
              torch.randn(V, dtype=f64, generator=g)]
    tokens = torch.randint(0, V, (steps * batch,), generator=g)
    targets = torch.randint(0, V, (steps * batch,), generator=g)
    return [t.requires_grad_() for t in floats] + [tokens, targets]


def plain_lm_loss(table, H0, W_hh, W_hq, b_q, tokens, targets):
    batch = H0.shape[0]
    outputs = plain_recurrence(table[tokens].view(-1, batch, H), H0, W_hh)     # (steps, batch, hidden)
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
    weights = torch.randn(2, H, dtype=f64)                 # the last state feeds some other loss too
    for a, b in zip(torch.autograd.grad(loss + (last * weights).sum(), floats),
                    torch.autograd.grad(ref + (ref_last * weights).sum(), floats)):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-13)


def test_lookup_and_recur_equals_the_plain_loop():
    table, H0, W_hh, _, _, tokens, _ = (t.detach() for t in lm_inputs(steps=5, batch=4, seed=4))
    expected = plain_recurrence(table[tokens].view(5, 4, H), H0, W_hh)
    torch.testing.assert_close(lookup_and_recur(table, tokens, H0, W_hh), expected, rtol=0, atol=1e-14)


def scratch(fused=True):
    torch.manual_seed(0)
    return RNNLMScratch(RNNScratch(V, H, sigma=0.5, fused=fused), V).double()


def concise():
    torch.manual_seed(0)
    return RNNLM(H, V).double()


@pytest.mark.parametrize("make", [scratch, lambda: scratch(fused=False), concise])
def test_model_loss_equals_forward_then_sequence_cross_entropy(make):
    X = torch.randint(0, V, (3, 6), generator=torch.Generator().manual_seed(0))
    Y = torch.randint(0, V, (3, 6), generator=torch.Generator().manual_seed(1))
    state = torch.randn(3, H, dtype=f64)
    model = make()
    logits, s_plain = model(X, state)
    plain = sequence_cross_entropy(logits, Y)
    g_plain = torch.autograd.grad(plain + s_plain.sum(), list(model.parameters()))
    fast, s_fast = model.loss(X, Y, state)
    g_fast = torch.autograd.grad(fast + s_fast.sum(), list(model.parameters()))
    torch.testing.assert_close(fast, plain, rtol=1e-13, atol=0)
    torch.testing.assert_close(s_fast, s_plain, rtol=0, atol=1e-14)
    for a, b in zip(g_fast, g_plain):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-13)


def test_fused_and_plain_scratch_rnn_agree():
    X = torch.randint(0, V, (4, 5), generator=torch.Generator().manual_seed(2))
    a, b = scratch(), scratch(fused=False)
    (la, sa), (lb, sb) = a(X), b(X)
    torch.testing.assert_close(la, lb, rtol=0, atol=1e-14)
    torch.testing.assert_close(sa, sb, rtol=0, atol=1e-14)


def test_model_loss_refuses_bad_targets():
    model = scratch()
    X = torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="Y holds token indices outside"):
        model.loss(X, torch.full((2, 3), V))
    with pytest.raises(TypeError, match="Y must hold int64"):
        model.loss(X, torch.zeros(2, 3))
    with pytest.raises(ValueError, match="Y must have the shape of X"):
        model.loss(X, torch.zeros(2, 4, dtype=torch.long))


def test_trainer_uses_the_model_loss_when_present():
    calls = []

    class Spy(RNNLMScratch):
        def loss(self, X, Y, state=None):
            calls.append(X.shape)
            return super().loss(X, Y, state)

    torch.manual_seed(0)
    model = Spy(RNNScratch(V, H), V)
    X = torch.randint(0, V, (2, 3))
    LanguageModelTrainer(model, lr=0.1, device="cpu").fit([(X, X)], num_epochs=1)
    assert calls == [(2, 3)]


@pytest.mark.parametrize("make", [scratch, concise])
@pytest.mark.parametrize("num_steps", [1, 4, 7])
def test_evaluation_loss_in_chunks_equals_the_loss_over_all_steps(make, num_steps):
    """Under no_grad, ``loss`` scores a few steps at a time; the value and the final state must not change."""
    X = torch.randint(0, V, (3, num_steps), generator=torch.Generator().manual_seed(4))
    Y = torch.randint(0, V, (3, num_steps), generator=torch.Generator().manual_seed(5))
    state = torch.randn(3, H, dtype=f64)
    model = make()
    whole, s_whole = model.loss(X, Y, state)
    with torch.no_grad():
        chunked, s_chunked = model.loss(X, Y, state)
    assert chunked.dtype == whole.dtype and not chunked.requires_grad
    torch.testing.assert_close(chunked, whole.detach(), rtol=1e-13, atol=0)
    torch.testing.assert_close(s_chunked, s_whole.detach(), rtol=0, atol=1e-14)


def test_chunked_cross_entropy_refuses_a_chunk_of_no_steps():
    from rnnbook.models.fused import chunked_cross_entropy
    model = scratch()
    X = torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="steps must be at least 1, got 0"):
        chunked_cross_entropy(model.hidden_states, model.W_hq, model.b_q, X, X, steps=0)


def test_fused_float32_gradients_are_as_accurate_as_the_plain_loop():
    """Rounding matters on a strongly recurrent model, where 32 steps amplify it: the fast path must not
    be further from the float64 gradients than the plain float32 code (a rewrite of the loop in
    "sigmoid space" failed this by a factor of 2.4)."""
    g = torch.Generator().manual_seed(0)
    X, Y = (torch.randint(0, 28, (64, 32), generator=g) for _ in range(2))

    def grads(fused, dtype):
        torch.manual_seed(0)
        model = RNNLMScratch(RNNScratch(28, 32, sigma=0.5, fused=fused), 28).to(dtype)
        loss = model.loss(X, Y)[0] if fused else sequence_cross_entropy(model(X)[0], Y)
        loss.backward()
        return [p.grad.double() for p in model.parameters()]

    exact = grads(False, f64)

    def error(gs):
        return max(((a - b).abs().max() / b.abs().max()).item() for a, b in zip(gs, exact))

    plain, fused = error(grads(False, torch.float32)), error(grads(True, torch.float32))
    assert plain > 1e-5                       # the model does amplify rounding: the test has teeth
    assert fused < 1.5 * plain, (fused, plain)
