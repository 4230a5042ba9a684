"""Hand-written BPTT.

Exact against autograd, truncation as defined, randomized truncation unbiased.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F

from rnnbook import (
    bptt_gradients,
    hidden_gradient_norms,
    hidden_states,
    random_problem,
    random_recurrent_weights,
    randomized_weights,
    rnn_lm_loss,
)
from rnnbook.bptt import PARAM_NAMES, backward_loop
from rnnbook.bptt.gradients import bptt_core

KEYS = (*PARAM_NAMES, "state")
SHAPES = [  # (batch, steps, vocab, hidden)
    (1, 1, 2, 1),
    (3, 7, 5, 4),
    (2, 5, 3, 10),
    (4, 16, 28, 32),
]


def autograd_grads(params, X, Y, state, loss_fn=rnn_lm_loss, **kw):
    """Loss and every gradient (parameters and initial state) by torch.autograd."""
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
    batch, hidden = X.shape[0], params["W_hh"].shape[0]
    h0 = (
        torch.zeros(batch, hidden, dtype=params["W_hh"].dtype)
        if state is None
        else state.clone()
    )
    h0.requires_grad_()
    loss = loss_fn(leaves, X, Y, h0, **kw)
    grads = torch.autograd.grad(loss, [*leaves.values(), h0], allow_unused=True)
    out = {
        k: (torch.zeros_like(v) if g is None else g)
        for (k, v), g in zip([*leaves.items(), ("state", h0)], grads)
    }
    return loss.detach(), out


def per_term_truncated_loss(params, X, Y, h0, k):
    """Brute force: each step's loss computed from a state detached k steps earlier.

    For the loss at step t (1-based) the forward pass is rerun with H_{t-k}
    detached (when t - k >= 1; otherwise the window reaches the initial state,
    which stays attached). Autograd of the sum is the per-term truncated gradient.
    """
    batch, steps = X.shape
    vocab = params["W_xh"].shape[0]
    total = 0.0
    for t in range(1, steps + 1):
        h = h0
        for s in range(1, t + 1):
            if s - 1 == t - k and s - 1 >= 1:
                h = h.detach()  # H_{t-k} cut off for this term only
            x = F.one_hot(X[:, s - 1], vocab).to(h0.dtype)
            h = torch.tanh(x @ params["W_xh"] + h @ params["W_hh"] + params["b_h"])
        o = h @ params["W_hq"] + params["b_q"]
        total = total + F.cross_entropy(o, Y[:, t - 1], reduction="sum")
    return total / (batch * steps)


def max_diff(a: dict, b: dict) -> float:
    return max(float((a[k] - b[k]).abs().max()) for k in KEYS)


# ------------------------------------------------------------ full BPTT


@pytest.mark.parametrize("batch,steps,vocab,hidden", SHAPES)
@pytest.mark.parametrize("with_state", [False, True])
def test_full_bptt_equals_autograd(batch, steps, vocab, hidden, with_state):
    p = random_problem(
        batch,
        steps,
        vocab,
        hidden,
        spectral_radius=1.2,
        with_state=with_state,
        seed=steps,
    )
    loss, grads = bptt_gradients(p.params, p.X, p.Y, p.state)
    ref_loss, ref = autograd_grads(p.params, p.X, p.Y, p.state)
    assert loss.dim() == 0 and not loss.requires_grad
    assert abs(float(loss - ref_loss)) < 1e-12
    assert list(grads) == list(KEYS)
    for k in KEYS:
        assert grads[k].shape == ref[k].shape
        assert grads[k].dtype == torch.float64
        assert torch.allclose(grads[k], ref[k], rtol=0, atol=1e-10), k
    # The check is not vacuous: every gradient, the state's included, is non-zero
    # (except dW_hh for a single step from a zero state, where H_0 W_hh contributes
    # nothing).
    vacuous = {"W_hh"} if steps == 1 and not with_state else set()
    assert all(float(grads[k].abs().max()) > 1e-6 for k in KEYS if k not in vacuous)


def test_one_step_one_unit_by_hand():
    # vocab 2, hidden 1, one step: every quantity fits on a napkin.
    params = {
        k: torch.tensor(v, dtype=torch.float64)
        for k, v in {
            "W_xh": [[0.3], [-0.2]],
            "W_hh": [[0.5]],
            "b_h": [0.1],
            "W_hq": [[1.5, -1.0]],
            "b_q": [0.2, 0.0],
        }.items()
    }
    X, Y = torch.tensor([[1]]), torch.tensor([[0]])
    h0 = 0.4
    a = -0.2 + 0.5 * h0 + 0.1
    h = math.tanh(a)
    o0, o1 = 1.5 * h + 0.2, -1.0 * h
    p0 = math.exp(o0) / (math.exp(o0) + math.exp(o1))
    loss, g = bptt_gradients(params, X, Y, torch.tensor([[h0]], dtype=torch.float64))
    assert math.isclose(float(loss), -math.log(p0), rel_tol=1e-14)
    dO = [p0 - 1.0, 1.0 - p0]  # softmax minus one-hot
    dh = dO[0] * 1.5 + dO[1] * -1.0
    da = dh * (1 - h * h)
    expected = {
        "W_xh": [[0.0], [da]],
        "W_hh": [[h0 * da]],
        "b_h": [da],
        "W_hq": [[h * dO[0], h * dO[1]]],
        "b_q": dO,
        "state": [[0.5 * da]],
    }
    for k, v in expected.items():
        assert torch.allclose(
            g[k], torch.tensor(v, dtype=torch.float64), rtol=1e-13, atol=1e-15
        ), k


def test_float32_matches_float64():
    p64 = random_problem(4, 12, 28, 16, seed=1)
    p32 = {k: v.float() for k, v in p64.params.items()}
    _, g64 = bptt_gradients(p64.params, p64.X, p64.Y)
    _, g32 = bptt_gradients(p32, p64.X, p64.Y)
    for k in KEYS:
        assert g32[k].dtype == torch.float32
        assert torch.allclose(g32[k].double(), g64[k], rtol=1e-4, atol=1e-6), k


def test_input_tensors_are_not_modified():
    p = random_problem(2, 6, 5, 4, with_state=True, seed=2)
    before = {k: v.clone() for k, v in p.params.items()}
    state_before = p.state.clone()
    bptt_gradients(p.params, p.X, p.Y, p.state)
    bptt_gradients(p.params, p.X, p.Y, p.state, truncation=2)
    assert all(torch.equal(before[k], p.params[k]) for k in PARAM_NAMES)
    assert torch.equal(state_before, p.state)


# ------------------------------------------------------------ regular truncation


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("k", [1, 2, 3, 9])
def test_regular_truncation_equals_brute_force(k, with_state):
    p = random_problem(3, 9, 6, 5, spectral_radius=1.3, with_state=with_state, seed=k)
    _, grads = bptt_gradients(p.params, p.X, p.Y, p.state, truncation=k)
    _, ref = autograd_grads(
        p.params, p.X, p.Y, p.state, loss_fn=per_term_truncated_loss, k=k
    )
    assert max_diff(grads, ref) < 1e-10


def test_truncation_at_num_steps_is_full_bptt():
    p = random_problem(2, 11, 7, 6, with_state=True, seed=4)
    _, full = bptt_gradients(p.params, p.X, p.Y, p.state)
    _, trunc = bptt_gradients(p.params, p.X, p.Y, p.state, truncation=11)
    assert max_diff(full, trunc) < 1e-13


def test_truncation_changes_only_recurrent_gradients_and_shrinks_error_with_k():
    p = random_problem(4, 16, 8, 12, spectral_radius=1.0, seed=5)
    _, full = bptt_gradients(p.params, p.X, p.Y)
    errors = []
    for k in (1, 2, 4, 8, 16):
        _, g = bptt_gradients(p.params, p.X, p.Y, truncation=k)
        assert torch.equal(g["W_hq"], full["W_hq"]) and torch.equal(
            g["b_q"], full["b_q"]
        )
        errors.append(
            float(
                torch.linalg.norm(g["W_hh"] - full["W_hh"])
                / torch.linalg.norm(full["W_hh"])
            )
        )
    assert errors[0] > 0.01 and errors[-1] < 1e-14
    assert all(a > b for a, b in zip(errors, errors[1:]))


def test_chunked_detach_differs_from_per_term_truncation():
    # Chunked and per-term truncation agree at k = 1 and k = num_steps, and differ in
    # between.
    p = random_problem(3, 8, 6, 5, spectral_radius=1.2, seed=6)
    for k, same in ((1, True), (2, False), (4, False), (8, True)):
        _, per_term = bptt_gradients(p.params, p.X, p.Y, truncation=k)
        _, chunked = autograd_grads(p.params, p.X, p.Y, None, detach_every=k)
        assert (max_diff(per_term, chunked) < 1e-10) == same, k


# ------------------------------------------------------------ randomized truncation


def test_randomized_expectation_is_exactly_full_gradient():
    # Enumerate every pattern of cuts: the probability-weighted average is the full
    # gradient.
    p = random_problem(2, 4, 5, 3, spectral_radius=1.1, with_state=True, seed=7)
    _, full = bptt_gradients(p.params, p.X, p.Y, p.state)
    pi = 0.6
    mean = {k: torch.zeros_like(v) for k, v in full.items()}
    for pattern in itertools.product((0, 1), repeat=4):
        keep = torch.tensor(pattern, dtype=torch.float64)
        prob = math.prod(pi if b else 1 - pi for b in pattern)
        _, g, _ = bptt_core(p.params, p.X, p.Y, p.state, xi=keep / pi)
        for k in KEYS:
            mean[k] += prob * g[k]
    assert max_diff(mean, full) < 1e-12


def test_randomized_average_over_seeds_approaches_full_gradient():
    p = random_problem(2, 6, 5, 4, spectral_radius=1.1, with_state=True, seed=8)
    _, full = bptt_gradients(p.params, p.X, p.Y, p.state)
    n = 3000
    samples = {k: [] for k in KEYS}
    for seed in range(n):
        _, g = bptt_gradients(
            p.params,
            p.X,
            p.Y,
            p.state,
            truncation="randomized",
            seed=seed,
            keep_prob=0.7,
        )
        for k in KEYS:
            samples[k].append(g[k])
    for k in KEYS:
        s = torch.stack(samples[k])
        mean, std = s.mean(0), s.std(0)
        assert torch.all((mean - full[k]).abs() <= 5 * std / math.sqrt(n) + 1e-12), k
    # The estimates do vary (the test above is not comparing constants).
    assert float(torch.stack(samples["W_hh"]).std(0).max()) > 1e-4


def test_randomized_is_reproducible_and_varies_with_seed():
    p = random_problem(3, 10, 6, 5, seed=9)
    _, a = bptt_gradients(p.params, p.X, p.Y, truncation="randomized", seed=3)
    _, b = bptt_gradients(p.params, p.X, p.Y, truncation="randomized", seed=3)
    assert all(torch.equal(a[k], b[k]) for k in KEYS)
    others = [
        bptt_gradients(p.params, p.X, p.Y, truncation="randomized", seed=s)[1]
        for s in range(4, 10)
    ]
    assert any(max_diff(a, o) > 1e-8 for o in others)


def test_randomized_leaves_global_rng_alone():
    p = random_problem(2, 5, 4, 3, seed=10)
    before = torch.get_rng_state()
    bptt_gradients(p.params, p.X, p.Y, truncation="randomized", seed=1)
    bptt_gradients(p.params, p.X, p.Y, truncation="randomized")
    assert torch.equal(before, torch.get_rng_state())


def test_keep_prob_one_is_full_bptt():
    p = random_problem(2, 7, 5, 4, with_state=True, seed=11)
    _, full = bptt_gradients(p.params, p.X, p.Y, p.state)
    _, r = bptt_gradients(
        p.params, p.X, p.Y, p.state, truncation="randomized", seed=0, keep_prob=1.0
    )
    assert max_diff(full, r) < 1e-13


def test_randomized_weights_values_and_mean():
    xi = randomized_weights(20000, keep_prob=0.8, seed=0)
    assert xi.shape == (20000,) and xi.dtype == torch.float64
    assert set(xi.unique().tolist()) == {0.0, 1.25}
    assert abs(float(xi.mean()) - 1.0) < 5 * float(xi.std()) / math.sqrt(20000)
    assert torch.equal(xi, randomized_weights(20000, keep_prob=0.8, seed=0))


@pytest.mark.parametrize(
    "kw,err,match",
    [
        (dict(num_steps=0), ValueError, "at least 1"),
        (dict(num_steps=2.0), TypeError, "num_steps must be an int"),
        (
            dict(num_steps=5, keep_prob=0.0),
            ValueError,
            r"keep_prob must satisfy 0 < keep_prob <= 1, got .*: it is the probability",
        ),
        (
            dict(num_steps=5, keep_prob=1.5),
            ValueError,
            r"keep_prob must satisfy 0 < keep_prob <= 1, got .*: it is the probability",
        ),
        (
            dict(num_steps=5, keep_prob="0.5"),
            TypeError,
            "keep_prob must be a number, got str",
        ),
        (dict(num_steps=5, seed=1.5), TypeError, "seed must be an int"),
    ],
)
def test_randomized_weights_refuses_bad_arguments(kw, err, match):
    with pytest.raises(err, match=match):
        randomized_weights(**kw)


# ------------------------------------------------------------ errors


def bad_case(name):
    p = random_problem(2, 5, 6, 4, seed=12)
    params, X, Y, state, kw = dict(p.params), p.X.clone(), p.Y.clone(), None, {}
    if name == "missing key":
        del params["b_h"]
    elif name == "extra key":
        params["W_xq"] = params["W_hq"]
    elif name == "W_hh shape":
        params["W_hh"] = torch.zeros(4, 5, dtype=torch.float64)
    elif name == "b_q shape":
        params["b_q"] = torch.zeros(5, dtype=torch.float64)
    elif name == "param dtype":
        params["W_hq"] = params["W_hq"].float()
    elif name == "integer params":
        params = {k: v.long() for k, v in params.items()}
    elif name == "not a tensor":
        params["b_h"] = [0.0] * 4
    elif name == "X float":
        X = X.double()
    elif name == "X int32":
        X = X.int()
    elif name == "X 1-D":
        X = X[0]
    elif name == "shape mismatch":
        Y = Y[:, :4]
    elif name == "token too large":
        X[1, 3] = 6
    elif name == "negative target":
        Y[0, 0] = -1
    elif name == "state shape":
        state = torch.zeros(2, 5, dtype=torch.float64)
    elif name == "state dtype":
        state = torch.zeros(2, 4, dtype=torch.float32)
    elif name == "k = 0":
        kw = dict(truncation=0)
    elif name == "k > steps":
        kw = dict(truncation=6)
    elif name == "k float":
        kw = dict(truncation=2.5)
    elif name == "k bool":
        kw = dict(truncation=True)
    elif name == "bad name":
        kw = dict(truncation="regular")
    elif name == "seed without randomized":
        kw = dict(seed=3)
    elif name == "keep_prob without randomized":
        kw = dict(truncation=2, keep_prob=0.5)
    elif name == "bad keep_prob":
        kw = dict(truncation="randomized", keep_prob=0.0)
    return params, X, Y, state, kw


@pytest.mark.parametrize(
    "name,err,match",
    [
        ("missing key", ValueError, r"missing \['b_h'\]"),
        ("extra key", ValueError, "unexpected keys"),
        ("W_hh shape", ValueError, r"'W_hh'\] has shape \(4, 5\), expected \(4, 4\)"),
        ("b_q shape", ValueError, r"params\['b_q'\] has shape"),
        ("param dtype", TypeError, "convert all parameters to one dtype"),
        ("integer params", TypeError, "floating point"),
        ("not a tensor", TypeError, r"params\['b_h'\] must be a torch.Tensor"),
        ("X float", TypeError, "X must hold integer token indices"),
        ("X int32", TypeError, r"torch.int64, got dtype torch.int32: pass X.long\(\)"),
        ("X 1-D", ValueError, r"X must have shape \(batch, num_steps\)"),
        ("shape mismatch", ValueError, "one target per input token"),
        ("token too large", ValueError, r"X holds token .* \[\d+, 6\].*\[0, 5\]"),
        ("negative target", ValueError, r"Y holds token indices in \[-1"),
        ("state shape", ValueError, r"state has shape \(2, 5\), expected"),
        ("state dtype", TypeError, "state has dtype torch.float32"),
        ("k = 0", ValueError, "1 <= k <= num_steps = 5, got 0"),
        ("k > steps", ValueError, "1 <= k <= num_steps = 5, got 6"),
        ("k float", TypeError, "truncation must be None, an int k or 'randomized'"),
        ("k bool", TypeError, "truncation must be None, an int k or 'randomized'"),
        ("bad name", ValueError, "unknown truncation 'regular'"),
        ("seed without randomized", ValueError, "seed and keep_prob only apply"),
        ("keep_prob without randomized", ValueError, "seed and keep_prob only apply"),
        ("bad keep_prob", ValueError, "keep_prob must satisfy 0 < keep_prob <= 1"),
    ],
)
def test_bptt_refuses_bad_input(name, err, match):
    params, X, Y, state, kw = bad_case(name)
    with pytest.raises(err, match=match):
        bptt_gradients(params, X, Y, state, **kw)


def test_reference_refuses_the_same_bad_input():
    params, X, Y, state, _ = bad_case("missing key")
    with pytest.raises(ValueError, match="missing"):
        rnn_lm_loss(params, X, Y)
    p = random_problem(2, 5, 6, 4, seed=12)
    with pytest.raises(ValueError, match="detach_every must be at least 1, got 0"):
        rnn_lm_loss(p.params, p.X, p.Y, detach_every=0)


# ------------------------------------------------------------ gradient norms over time


def autograd_state_norms(params, X, Y, linear):
    """||d l_T / d H_t|| for t = T, ..., 1 with autograd.

    retain_grad on every state.
    """
    batch, steps = X.shape
    vocab = params["W_xh"].shape[0]
    params = {k: v.clone().requires_grad_() for k, v in params.items()}
    h = torch.zeros(batch, params["W_hh"].shape[0], dtype=torch.float64)
    states = []
    for t in range(steps):
        a = (
            F.one_hot(X[:, t], vocab).double() @ params["W_xh"]
            + h @ params["W_hh"]
            + params["b_h"]
        )
        h = a if linear else torch.tanh(a)
        h.retain_grad()
        states.append(h)
    loss = F.cross_entropy(h @ params["W_hq"] + params["b_q"], Y[:, -1])
    loss.backward()
    return torch.stack([torch.linalg.norm(s.grad) for s in reversed(states)])


@pytest.mark.parametrize("linear", [False, True])
def test_hidden_gradient_norms_match_autograd(linear):
    p = random_problem(3, 12, 7, 6, spectral_radius=1.1, seed=13)
    norms = hidden_gradient_norms(p.params, p.X, p.Y, linear=linear)
    ref = autograd_state_norms(p.params, p.X, p.Y, linear)
    assert norms.shape == (12,)
    assert torch.allclose(norms, ref, rtol=1e-12, atol=0)


def test_linear_rnn_gradient_scales_as_powers_of_w_hh():
    # With W_hh = rho * (orthogonal matrix), each step back multiplies the norm by
    # exactly rho.
    p = random_problem(2, 10, 5, 8, seed=14)
    Q, _ = torch.linalg.qr(
        torch.randn(
            8, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64
        )
    )
    for rho in (0.9, 1.0, 1.1):
        params = dict(p.params, W_hh=rho * Q)
        norms = hidden_gradient_norms(params, p.X, p.Y, linear=True)
        expected = norms[0] * rho ** torch.arange(10, dtype=torch.float64)
        assert torch.allclose(norms, expected, rtol=1e-12)


def test_random_recurrent_weights_has_the_requested_spectral_radius():
    for rho in (0.5, 1.0, 1.1):
        W = random_recurrent_weights(40, rho, seed=3)
        assert W.shape == (40, 40)
        assert abs(float(torch.linalg.eigvals(W).abs().max()) - rho) < 1e-12
    assert torch.equal(
        random_recurrent_weights(5, 1.0, seed=1),
        random_recurrent_weights(5, 1.0, seed=1),
    )
    assert not torch.equal(
        random_recurrent_weights(5, 1.0, seed=1),
        random_recurrent_weights(5, 1.0, seed=2),
    )
    with pytest.raises(ValueError, match="spectral_radius"):
        random_recurrent_weights(5, -1.0)
    with pytest.raises(ValueError, match="num_hiddens"):
        random_recurrent_weights(0, 1.0)


def test_random_problem_shapes_and_determinism():
    p = random_problem(3, 7, 11, 5, with_state=True, seed=15, dtype=torch.float32)
    assert {k: tuple(v.shape) for k, v in p.params.items()} == {
        "W_xh": (11, 5),
        "W_hh": (5, 5),
        "b_h": (5,),
        "W_hq": (5, 11),
        "b_q": (11,),
    }
    assert p.X.shape == p.Y.shape == (3, 7) and p.state.shape == (3, 5)
    assert all(v.dtype == torch.float32 for v in p.params.values())
    q = random_problem(3, 7, 11, 5, with_state=True, seed=15, dtype=torch.float32)
    assert torch.equal(p.X, q.X) and torch.equal(p.params["W_hh"], q.params["W_hh"])
    with pytest.raises(ValueError, match="num_steps must be at least 1, got 0"):
        random_problem(num_steps=0)


def test_hidden_states_match_the_reference_recurrence():
    p = random_problem(
        batch_size=3, num_steps=7, num_hiddens=5, with_state=True, seed=4
    )
    H = hidden_states(p.params, p.X, p.state)
    assert H.shape == (7, 3, 5)
    h = p.state
    for t in range(7):  # H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h), written out
        h = torch.tanh(
            p.params["W_xh"][p.X[:, t]] + h @ p.params["W_hh"] + p.params["b_h"]
        )
        torch.testing.assert_close(H[t], h, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="state has shape"):
        hidden_states(p.params, p.X, p.state[:2])


def test_backward_loop_gives_every_adjoint_of_the_pre_activations():
    """backward_loop's dA[t-1] is the total derivative dL/dA_t.

    Checked against autograd.
    """
    p = random_problem(
        batch_size=2, num_steps=6, num_hiddens=4, with_state=True, seed=5
    )
    W = p.params
    h, As, Hs = p.state, [], [p.state]
    for t in range(6):
        a = (W["W_xh"][p.X[:, t]] + h @ W["W_hh"] + W["b_h"]).requires_grad_()
        h = torch.tanh(a)
        As.append(a)
        Hs.append(h)
    O = torch.stack(
        [hh @ W["W_hq"] + W["b_q"] for hh in Hs[1:]]
    )  # (steps, batch, vocab)
    loss = F.cross_entropy(O.reshape(-1, O.shape[-1]), p.Y.T.reshape(-1))
    dA_ref = torch.autograd.grad(loss, As)  # every route from A_t to L
    dO = torch.softmax(O.detach(), -1) - F.one_hot(p.Y.T, O.shape[-1])
    dH_out = dO / p.Y.numel() @ W["W_hq"].T  # (bptt-rnn-dO) times W_hq^T
    H = torch.stack([x.detach() for x in Hs])  # (steps + 1, batch, hidden)
    dA, dH0 = backward_loop(W["W_hh"], 1 - H[1:] * H[1:], dH_out)
    for t in range(6):
        torch.testing.assert_close(dA[t], dA_ref[t], rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(dH0, dA_ref[0] @ W["W_hh"].T, rtol=1e-12, atol=1e-15)


def test_bptt_is_a_package_and_its_function_has_its_own_name():
    import types

    import rnnbook
    import rnnbook.bptt

    assert isinstance(rnnbook.bptt, types.ModuleType)
    assert rnnbook.bptt_gradients is rnnbook.bptt.bptt_gradients is bptt_gradients
    assert set(rnnbook.bptt.__all__) <= set(dir(rnnbook.bptt))


def test_the_forward_pass_is_the_lesson_models_loop():
    """BPTT's states are bit for bit those of ``RNNScratch`` on the same weights."""
    from rnnbook import RNNScratch

    p = random_problem(batch_size=3, num_steps=6, vocab_size=7, num_hiddens=5,
                       with_state=True, seed=16)
    rnn = RNNScratch(7, 5).double()
    with torch.no_grad():
        for name in ("W_xh", "W_hh", "b_h"):
            getattr(rnn, name).copy_(p.params[name])
        outputs, last = rnn(F.one_hot(p.X.T, 7).double(), p.state)
    H = hidden_states(p.params, p.X, p.state)
    assert torch.equal(H, outputs) and torch.equal(H[-1], last)
