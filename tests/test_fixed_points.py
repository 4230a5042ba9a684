"""The fixed-point finder and classifier of book/attractors.md, on maps whose
fixed points are known in closed form."""

import math

import pytest
import torch

from rnnbook.fixed_points import (find_fixed_points, jacobian, jacobians,
                                  minimise_speed,
                                  num_unstable, perturbation_decay,
                                  scalar_fixed_points, speed, unique_points)

D = torch.float64


def linear_map(A, b):
    return lambda H: H @ A.T + b  # h <- A h + b, rows are states


def test_linear_map_fixed_point_and_eigenvalues():
    A = torch.tensor([[0.5, 0.2], [0.0, 2.0]], dtype=D)
    b = torch.tensor([1.0, -3.0], dtype=D)
    exact = torch.linalg.solve(torch.eye(2, dtype=D) - A, b)  # (I - A) h = b
    starts = torch.randn(20, 2, dtype=D, generator=torch.Generator().manual_seed(0))
    fp = find_fixed_points(linear_map(A, b), starts, num_iters=50, lr=0.1)
    assert len(fp) == 1
    torch.testing.assert_close(fp.points[0], exact)
    assert fp.speeds[0] < 1e-20
    eig = fp.eigenvalues[0].real.sort().values
    torch.testing.assert_close(eig, torch.tensor([0.5, 2.0], dtype=D))
    assert fp.unstable.tolist() == [1] and not fp.stable[0]


def tanh_root(w):
    """The positive root of r = tanh(w r) for w > 1, by bisection."""
    lo, hi = 1e-9, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.tanh(w * mid) > mid else (lo, mid)
    return lo


def test_tanh_unit_three_roots_two_stable():
    w = 2.0
    r = tanh_root(w)
    F = lambda H: torch.tanh(w * H)  # noqa: E731
    starts = torch.linspace(-1, 1, 41, dtype=D)[:, None]  # (41, 1)
    fp = find_fixed_points(F, starts, num_iters=300, lr=0.05)
    order = fp.points[:, 0].argsort()
    points = fp.points[order, 0]
    torch.testing.assert_close(points, torch.tensor([-r, 0.0, r], dtype=D))
    assert fp.unstable[order].tolist() == [0, 1, 0]
    # the slope at a fixed point is w (1 - h*^2)
    slopes = fp.eigenvalues[order, 0].real
    torch.testing.assert_close(slopes, w * (1 - points ** 2))


def test_product_of_bistable_units_is_a_square_of_memories():
    """h <- tanh(2 h) on each of two units: 4 stable corners, 4 one-way saddles
    on the edges, one point with two unstable directions at the centre."""
    F = lambda H: torch.tanh(2.0 * H)  # noqa: E731
    grid = torch.linspace(-1, 1, 9, dtype=D)
    starts = torch.cartesian_prod(grid, grid)  # (81, 2)
    fp = find_fixed_points(F, starts, num_iters=400, lr=0.05)
    assert len(fp) == 9
    assert sorted(fp.unstable.tolist()) == [0] * 4 + [1] * 4 + [2]
    r = tanh_root(2.0)
    corners = fp.points[fp.stable].abs()
    torch.testing.assert_close(corners, torch.full((4, 2), r, dtype=D))
    # every one-way saddle sits on an edge: one coordinate 0, the other +-r
    for h in fp.points[fp.unstable == 1]:
        assert sorted(h.abs().tolist()) == pytest.approx([0.0, r])


def test_scalar_fixed_points_match_closed_forms():
    # w <= 1, b = 0: only h = 0
    torch.testing.assert_close(scalar_fixed_points(0.5), torch.zeros(1, dtype=D))
    r = tanh_root(3.0)
    torch.testing.assert_close(scalar_fixed_points(3.0),
                               torch.tensor([-r, 0.0, r], dtype=D))
    # a bias breaks the symmetry: at w = 1.5, b = 0.5 there is one root only
    roots = scalar_fixed_points(1.5, 0.5)
    assert len(roots) == 1
    assert abs(math.tanh(1.5 * roots[0].item() + 0.5) - roots[0].item()) < 1e-12
    assert len(scalar_fixed_points(4.0, 0.5)) == 3


def test_minimise_speed_lowers_every_row():
    F = lambda H: torch.tanh(2.0 * H)  # noqa: E731
    starts = torch.tensor([[0.3], [-0.7], [0.05]], dtype=D)
    end, q = minimise_speed(F, starts, num_iters=100, lr=0.02)
    assert (q < speed(F, starts)).all()


def test_perturbation_decay_rate_is_the_largest_eigenvalue():
    A = torch.diag(torch.tensor([0.5, 0.8], dtype=D))
    F = linear_map(A, torch.zeros(2, dtype=D))
    gaps = perturbation_decay(F, torch.zeros(2, dtype=D),
                              torch.tensor([1e-3, 1e-3], dtype=D), 60)
    assert gaps.shape == (61,)
    assert gaps[60] / gaps[59] == pytest.approx(0.8, rel=1e-6)


def test_num_unstable_and_unique_points():
    assert num_unstable(torch.tensor([0.5, -1.5, 0.9j + 0.6])) == 2
    H = torch.tensor([[0.0, 0.0], [1e-5, 0.0], [1.0, 0.0]])
    assert len(unique_points(H, tol=1e-3)) == 2


def test_bad_inputs_get_clear_errors():
    F = lambda H: torch.tanh(2.0 * H)  # noqa: E731
    with pytest.raises(ValueError, match="starts must be a"):
        find_fixed_points(F, torch.zeros(3))
    with pytest.raises(TypeError, match="float tensor"):
        minimise_speed(F, torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"pass H\[i\]"):
        jacobian(F, torch.zeros(2, 2))
    with pytest.raises(ValueError, match="no start reached"):
        find_fixed_points(F, torch.full((2, 1), 0.3, dtype=D), num_iters=1,
                          lr=1e-6, newton_iters=0)
    with pytest.raises(ValueError, match="same shape"):
        perturbation_decay(F, torch.zeros(2), torch.zeros(3), 5)
    with pytest.raises(TypeError, match="w must be a number"):
        scalar_fixed_points("2")


def test_gradient_and_leading_direction_on_a_linear_map():
    from rnnbook.fixed_points import iterate, leading_direction, state_gradient_norm
    A = torch.tensor([[0.5, 0.0], [0.3, 0.8]], dtype=D)
    F = linear_map(A, torch.zeros(2, dtype=D))
    u = torch.tensor([1.0, -2.0], dtype=D)
    exact = torch.linalg.matrix_power(A.T, 7) @ u  # (A^T)^7 u
    got = state_gradient_norm(F, torch.zeros(2, dtype=D), u, 7)
    assert got == pytest.approx(exact.norm().item(), rel=1e-12)
    lam, v = leading_direction(F, torch.zeros(2, dtype=D))
    assert lam == pytest.approx(0.8)
    assert abs(v @ torch.tensor([0.0, 1.0], dtype=D)) == pytest.approx(1.0)
    H = torch.ones(3, 2, dtype=D)
    torch.testing.assert_close(iterate(F, H, 4),
                               H @ torch.linalg.matrix_power(A, 4).T)


def test_jacobians_of_all_rows_at_once_match_one_at_a_time():
    g = torch.Generator().manual_seed(0)
    W = torch.randn(5, 5, generator=g, dtype=torch.float64)

    def F(H):
        return torch.tanh(H @ W)  # row-wise, like a network's step

    H = torch.randn(7, 5, generator=g, dtype=torch.float64)
    J = jacobians(F, H)
    assert J.shape == (7, 5, 5)
    for i in range(7):
        torch.testing.assert_close(J[i], jacobian(F, H[i]))
        # closed form: d tanh(h W) / dh = diag(1 - tanh^2) W^T
        expected = torch.diag(1 - F(H[i:i + 1])[0] ** 2) @ W.T
        torch.testing.assert_close(J[i], expected)
    with pytest.raises(ValueError, match="starts must be"):
        jacobians(F, H[0])
