"""The general training loop and the tensor minibatches that feed it."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from rnnbook import History, TensorBatches, Trainer, fit, iterate_minibatches


def regression_problem(n: int = 64, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=g)
    y = (
        X @ torch.tensor([[1.0], [-2.0], [0.5]])
        + 0.3
        + 0.01 * torch.randn(n, 1, generator=g)
    )
    return X, y


# ---- minibatches ---------------------------------------------------------------------
def test_minibatches_visit_every_row_once_in_order_without_shuffle():
    X, y = torch.arange(10.0)[:, None], torch.arange(10)
    batches = list(iterate_minibatches(X, y, 4, shuffle=False))
    assert [len(b[1]) for b in batches] == [4, 4, 2]  # the last batch is kept, smaller
    assert torch.equal(torch.cat([b[1] for b in batches]), y)


def test_minibatches_shuffle_is_a_seeded_permutation():
    X, y = torch.arange(10.0)[:, None], torch.arange(10)
    one = [
        b[1]
        for b in iterate_minibatches(
            X, y, 3, generator=torch.Generator().manual_seed(0)
        )
    ]
    two = [
        b[1]
        for b in iterate_minibatches(
            X, y, 3, generator=torch.Generator().manual_seed(0)
        )
    ]
    assert all(torch.equal(a, b) for a, b in zip(one, two))
    seen = torch.cat(one)
    assert sorted(seen.tolist()) == list(range(10)) and not torch.equal(seen, y)
    for xb, yb in iterate_minibatches(
        X, y, 3, generator=torch.Generator().manual_seed(0)
    ):
        assert torch.equal(xb[:, 0].long(), yb)  # rows stay paired


def test_tensor_batches_new_order_each_epoch_and_len():
    X, y = torch.arange(20.0)[:, None], torch.arange(20)
    batches = TensorBatches(X, y, 8, seed=1)
    assert len(batches) == 3
    first, second = (torch.cat([b[1] for b in batches]) for _ in range(2))
    assert not torch.equal(first, second)
    again = TensorBatches(X, y, 8, seed=1)
    assert torch.equal(torch.cat([b[1] for b in again]), first)


@pytest.mark.parametrize(
    "args, error",
    [
        ((torch.zeros(3, 2), torch.zeros(4), 2), ValueError),
        ((torch.zeros(3, 2), torch.zeros(3), 0), ValueError),
        (
            (torch.zeros(3, 2), torch.zeros(3), 1.5),
            TypeError,
        ),  # a wrong type, not a bad value
    ],
)
def test_minibatches_bad_arguments(args, error):
    with pytest.raises(error):
        TensorBatches(*args)


# ---- training ------------------------------------------------------------------------
def fit_regression(model, X, y, batch_size, num_epochs, **kwargs) -> History:
    """``fit`` on mean squared error, on the CPU: training batches shuffled, the
    same data in order for validation."""
    train = TensorBatches(X, y, batch_size)
    val = TensorBatches(X, y, batch_size, shuffle=False)
    return fit(model, train, val, nn.MSELoss(), num_epochs, device="cpu", **kwargs)


def test_fit_lowers_the_loss_on_a_tiny_regression():
    X, y = regression_problem()
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    before = nn.functional.mse_loss(model(X), y).item()
    history = fit_regression(model, X, y, 8, num_epochs=20, lr=0.1)
    assert isinstance(history, History)
    assert (
        len(history.train_loss) == len(history.val_loss) == len(history.seconds) == 20
    )
    assert history.val_loss[-1] < 0.01 * before
    assert history.train_loss[-1] < history.train_loss[0]
    torch.testing.assert_close(
        model.weight.detach(), torch.tensor([[1.0, -2.0, 0.5]]), atol=0.02, rtol=0
    )


def test_same_seed_gives_identical_history_and_weights():
    X, y = regression_problem()
    torch.manual_seed(0)
    start = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.2), nn.Linear(8, 1))

    def run(seed):
        model = copy.deepcopy(start)
        history = fit_regression(model, X, y, 8, num_epochs=3, lr=0.05, seed=seed)
        return history, model

    (h1, m1), (h2, m2), (h3, _) = run(0), run(0), run(1)
    assert h1 == h2  # bitwise-equal losses
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        assert torch.equal(p1, p2)
    assert h1 != h3  # the seed matters (shuffle, dropout)


def test_fit_leaves_the_callers_random_state_alone():
    X, y = regression_problem(16)
    model = nn.Linear(3, 1)
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    fit(model, TensorBatches(X, y, 4), None, nn.MSELoss(), 1, lr=0.1, device="cpu")
    assert torch.equal(torch.rand(2), expected)


def test_epoch_loss_is_weighted_by_batch_size():
    # A model that cannot learn (lr 0): the epoch loss must equal the full-data loss,
    # even though the last batch holds 1 row instead of 4.
    X, y = regression_problem(9)
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    full = nn.functional.mse_loss(model(X), y).item()
    history = fit_regression(
        model, X, y, 4, num_epochs=1, optimizer=lambda p: torch.optim.SGD(p, lr=0.0)
    )
    assert history.train_loss[0] == pytest.approx(full, rel=1e-6)
    assert history.val_loss[0] == pytest.approx(full, rel=1e-6)


def test_batches_may_come_from_a_factory_and_hooks_can_be_overridden():
    X, y = regression_problem(32)
    calls = {"factory": 0, "start_epoch": 0}

    def factory(epoch):
        calls["factory"] += 1
        return TensorBatches(X, y, 8)

    class Counting(Trainer):
        def start_epoch(self, train):
            calls["start_epoch"] += 1

    Counting(nn.Linear(3, 1), nn.MSELoss(), lr=0.1, device="cpu").fit(
        factory, None, num_epochs=2
    )
    assert calls == {"factory": 2, "start_epoch": 2}


def test_optimizer_arguments_are_checked():
    model = nn.Linear(3, 1)
    with pytest.raises(ValueError, match="learning rate"):
        Trainer(model, nn.MSELoss(), optimizer="sgd", device="cpu")
    with pytest.raises(ValueError, match="unknown optimizer"):
        Trainer(model, nn.MSELoss(), optimizer="lbfgs", lr=0.1, device="cpu")
    with pytest.raises(ValueError, match="lr"):
        Trainer(
            model,
            nn.MSELoss(),
            optimizer=lambda p: torch.optim.SGD(p, lr=0.1),
            lr=0.1,
            device="cpu",
        )
    with pytest.raises(ValueError, match="num_epochs"):
        fit(model, [], None, nn.MSELoss(), 0, lr=0.1, device="cpu")
    with pytest.raises(ValueError, match="empty"):
        fit(model, [], None, nn.MSELoss(), 1, lr=0.1, device="cpu")
