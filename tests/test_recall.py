"""recall_task: shapes, alphabets, labels, reproducibility and errors."""

import pytest
import rnnbook
import torch
from rnnbook import recall_task


def test_shapes_alphabets_and_labels():
    X, y = recall_task(500, lag=7, num_symbols=5, seed=3)
    assert X.dtype == torch.int64 and y.dtype == torch.int64
    assert X.shape == (500, 8) and y.shape == (500,)
    assert torch.equal(y, X[:, 0])
    assert set(X[:, 0].tolist()) == set(range(5))  # every symbol drawn
    assert set(X[:, 1:].flatten().tolist()) == set(range(5, 10))  # separate alphabet


def test_lag_zero_is_the_symbol_alone():
    X, y = recall_task(4, lag=0)
    assert X.shape == (4, 1) and torch.equal(X[:, 0], y)


def test_same_seed_same_tensors_other_seed_other_tensors():
    a, b = recall_task(50, 10, seed=1), recall_task(50, 10, seed=1)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], recall_task(50, 10, seed=2)[0])


def test_symbols_roughly_uniform():
    _, y = recall_task(8000, 1, num_symbols=8)
    counts = torch.bincount(y, minlength=8).float()
    assert (counts / 8000 - 1 / 8).abs().max() < 0.02


def test_exported_from_data_and_package():
    assert rnnbook.data.recall_task is recall_task


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        (dict(num_examples=2.0, lag=3), TypeError, "num_examples"),
        (dict(num_examples=0, lag=3), ValueError, "num_examples"),
        (dict(num_examples=2, lag=3.0), TypeError, "lag"),
        (dict(num_examples=2, lag=-1), ValueError, "lag"),
        (dict(num_examples=2, lag=3, num_symbols=1), ValueError, "num_symbols"),
        (dict(num_examples=2, lag=3, num_symbols="8"), TypeError, "num_symbols"),
        (dict(num_examples=2, lag=True), TypeError, "lag"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, word):
    with pytest.raises(error, match=word):
        recall_task(**kwargs)
