"""rnnbook.scan: the linear recurrence by loop, tree scan and fused loop; schedules."""

from __future__ import annotations

import math
import random

import pytest
import torch

from rnnbook import linear_recurrence, scan_schedule, work_and_depth
from rnnbook.scan import (
    METHODS,
    combine,
    cumulative_product_form,
    fastest_method,
    log_space_recurrence,
    run_schedule,
)

f64 = torch.float64


def loop(
    a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None
) -> torch.Tensor:
    """The definition, written independently of the package."""
    h = torch.zeros_like(b[0]) if h0 is None else h0
    out = []
    for t in range(a.shape[0]):
        h = a[t] * h + b[t]
        out.append(h)
    return torch.stack(out)


def problem(steps: int, seed: int = 0, shape=(3, 4)):
    """Coefficients of order one, exact zeros and negatives, and an initial state."""
    g = torch.Generator().manual_seed(seed)
    a = (
        1.2 * torch.rand(steps, *shape, dtype=f64, generator=g) * 2 - 1.2
    )  # in (-1.2, 1.2)
    a[torch.rand(steps, *shape, generator=g) < 0.1] = 0.0
    b = torch.randn(steps, *shape, dtype=f64, generator=g)
    h0 = torch.randn(*shape, dtype=f64, generator=g)
    return a, b, h0


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("steps", [1, 2, 3, 5, 7, 8, 13, 64, 100, 257, 1000])
@pytest.mark.parametrize("with_h0", [False, True])
def test_every_method_equals_the_loop_in_float64(method, steps, with_h0):
    a, b, h0 = problem(steps, seed=steps)
    h0 = h0 if with_h0 else None
    assert (a == 0).any() or steps < 8
    assert (a < 0).any()
    expected = loop(a, b, h0)
    got = linear_recurrence(a, b, h0, method=method)
    assert got.shape == expected.shape == a.shape
    assert (got - expected).abs().max().item() < 1e-10


def test_known_values_and_a_zero_coefficient_forgets():
    a = torch.tensor([2.0, -1.0, 0.0, 0.5], dtype=f64).view(4, 1)
    b = torch.tensor([1.0, 1.0, 3.0, 1.0], dtype=f64).view(4, 1)
    h0 = torch.tensor([5.0], dtype=f64)
    # h1 = 2*5+1 = 11, h2 = -11+1 = -10, h3 = 0*(-10)+3 = 3, h4 = 1.5+1 = 2.5
    for method in METHODS:
        assert linear_recurrence(a, b, h0, method).flatten().tolist() == [
            11.0,
            -10.0,
            3.0,
            2.5,
        ]


@pytest.mark.parametrize("method", METHODS)
def test_gradcheck(method):
    a, b, h0 = problem(9, seed=1, shape=(2, 3))
    a, b, h0 = (t.requires_grad_() for t in (a, b, h0))
    assert torch.autograd.gradcheck(
        lambda a, b, h0: linear_recurrence(a, b, h0, method), (a, b, h0)
    )
    assert torch.autograd.gradcheck(
        lambda a, b: linear_recurrence(a, b, None, method), (a, b)
    )


@pytest.mark.parametrize("method", ["parallel", "fused"])
def test_gradients_match_the_loop_over_long_sequences(method):
    a, b, h0 = problem(300, seed=2)
    weights = torch.randn(a.shape, dtype=f64)
    grads = []
    for fn in (lambda *x: loop(*x), lambda *x: linear_recurrence(*x, method=method)):
        leaves = [t.clone().requires_grad_() for t in (a, b, h0)]
        (fn(*leaves) * weights).sum().backward()
        grads.append([t.grad for t in leaves])
    for g_ref, g in zip(*grads):
        assert torch.allclose(g, g_ref, rtol=1e-9, atol=1e-9)


def test_fused_backward_without_h0_and_with_only_some_inputs_requiring_grad():
    a, b, _ = problem(6, seed=3)
    b.requires_grad_()
    linear_recurrence(a, b, method="fused").sum().backward()
    b_ref = b.detach().clone().requires_grad_()
    loop(a, b_ref).sum().backward()
    assert torch.allclose(b.grad, b_ref.grad)
    assert a.grad is None


def test_float32_agrees_with_float64_on_long_sequences():
    a, b, h0 = problem(2000, seed=4)
    a = a.clamp(-0.99, 0.99)
    exact = loop(a, b, h0)
    for method in METHODS:
        got = linear_recurrence(a.float(), b.float(), h0.float(), method)
        assert (got.double() - exact).abs().max().item() < 1e-4


def test_mismatched_shapes_name_both_shapes():
    a, b = torch.zeros(5, 2, 3), torch.zeros(5, 2, 4)
    with pytest.raises(ValueError, match=r"a \(5, 2, 3\) and b \(5, 2, 4\)"):
        linear_recurrence(a, b)
    with pytest.raises(ValueError, match=r"\(2, 3\).*h0 \(3, 2\)"):
        linear_recurrence(a, a, torch.zeros(3, 2))


def test_other_bad_inputs():
    with pytest.raises(TypeError, match="a must be a tensor"):
        linear_recurrence([1.0], torch.zeros(1))
    with pytest.raises(TypeError, match="floating-point"):
        linear_recurrence(torch.zeros(3, dtype=torch.long), torch.zeros(3))
    with pytest.raises(ValueError, match="at least one step"):
        linear_recurrence(torch.zeros(0, 2), torch.zeros(0, 2))
    with pytest.raises(TypeError, match="dtype"):
        linear_recurrence(torch.zeros(3), torch.zeros(3, dtype=f64))
    with pytest.raises(ValueError, match="unknown method 'fast'"):
        linear_recurrence(torch.zeros(3), torch.zeros(3), method="fast")
    with pytest.raises(TypeError, match="h0 must be a tensor"):
        linear_recurrence(torch.zeros(3, 2), torch.zeros(3, 2), h0=[0.0, 0.0])


def test_combine_is_associative_and_not_commutative():
    p, q, r = (2.0, 1.0), (-3.0, 0.5), (0.25, 4.0)
    assert combine(combine(p, q), r) == combine(p, combine(q, r))
    assert combine(p, q) != combine(q, p)
    # applying the combined map equals applying the two maps in turn
    h = 7.0
    a, b = combine(p, q)
    assert a * h + b == q[0] * (p[0] * h + p[1]) + q[1]


@pytest.mark.parametrize("method", ["parallel", "sequential", "hillis-steele"])
def test_schedules_compute_the_recurrence(method):
    rng = random.Random(0)
    for steps in range(1, 70):
        a = [rng.uniform(-1.5, 1.5) for _ in range(steps)]
        b = [rng.gauss(0, 1) for _ in range(steps)]
        h, expected = 0.0, []
        for x, y in zip(a, b):
            h = x * h + y
            expected.append(h)
        got = run_schedule(scan_schedule(steps, method), a, b)
        assert max(abs(u - v) for u, v in zip(got, expected)) < 1e-9
        rounds = [r for r, _, _ in scan_schedule(steps, method)]
        assert rounds == sorted(rounds)


def test_work_and_depth():
    for k in range(1, 13):
        n = 2**k
        assert work_and_depth(n, "sequential") == (n - 1, n - 1)
        assert work_and_depth(n, "parallel") == (2 * n - 2 - k, 2 * k - 1)
        assert work_and_depth(n, "hillis-steele") == (n * k - n + 1, k)
    assert work_and_depth(1, "parallel") == (0, 0)
    for n in range(
        2, 300
    ):  # the tree never needs more than 2 ceil(log2 n) rounds or 2n combinations
        work, depth = work_and_depth(n, "parallel")
        assert depth <= 2 * math.ceil(math.log2(n)) and work < 2 * n


def test_cumulative_product_form_is_exact_for_short_sequences_and_fails_for_long_ones():
    a, b, h0 = problem(20, seed=5)
    a = a.abs() + 0.1
    assert torch.allclose(cumulative_product_form(a, b, h0), loop(a, b, h0))
    z = torch.full((400, 1), 0.2)  # a = 0.2: A_t underflows in float32
    h = cumulative_product_form(z, torch.ones(400, 1))
    assert not torch.isfinite(h).all()
    assert torch.isfinite(linear_recurrence(z, torch.ones(400, 1))).all()


def test_log_space_form_matches_the_loop_for_positive_inputs():
    g = torch.Generator().manual_seed(6)
    a = torch.rand(500, 2, 3, dtype=f64, generator=g) * 0.98 + 0.01
    b = torch.rand(500, 2, 3, dtype=f64, generator=g) + 0.1
    h0 = torch.rand(2, 3, dtype=f64, generator=g) + 0.1
    expected = loop(a, b, h0)
    got = log_space_recurrence(a.log(), b.log(), h0.log()).exp()
    assert torch.allclose(got, expected, rtol=1e-10)
    assert torch.allclose(
        log_space_recurrence(a.log(), b.log()).exp(), loop(a, b), rtol=1e-10
    )
    got32 = log_space_recurrence(a.float().log(), b.float().log()).exp()
    assert torch.isfinite(got32).all()
    assert torch.allclose(got32.double(), loop(a, b), rtol=1e-3)


def test_fastest_method():
    assert fastest_method("cpu") == "fused"
    assert fastest_method(torch.device("cuda", 0)) == "parallel"
    assert fastest_method("cpu") in METHODS
