"""rnnbook.checks: the argument checks that every module shares.

TypeError for a wrong type, ValueError for a value out of range; the message
names the argument, the rule and what was given.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnbook.checks import (
    check_choice,
    check_int,
    check_positive_int,
    check_real,
    check_str,
    check_tensor,
    check_torch_layer,
)


# ----- integers
# ---------------------------------------------------------------------------
def test_check_int_returns_a_plain_int():
    value = check_int("n", np.int64(7), minimum=0, maximum=7)
    assert value == 7 and type(value) is int
    assert check_int("n", -3) == -3  # no bounds: any int
    assert check_positive_int("n", 1) == 1


@pytest.mark.parametrize("bad", [True, 2.0, "3", None, torch.tensor(3)])
def test_check_int_refuses_non_ints_with_a_type_error(bad):
    with pytest.raises(TypeError, match=f"n must be an int, got {type(bad).__name__}"):
        check_int("n", bad)


# (call, the ValueError's message): checked by test_range_messages below
INT_RANGE_MESSAGES = [
    (lambda: check_int("n", -1, minimum=0), "n must be at least 0, got -1"),
    (lambda: check_int("n", 9, maximum=8), "n must be at most 8, got 9"),
    (
        lambda: check_int("k", 9, minimum=1, maximum=8),
        "k must satisfy 1 <= k <= 8, got 9",
    ),
    (
        lambda: check_int("k", 0, minimum=1, maximum=8),
        "k must satisfy 1 <= k <= 8, got 0",
    ),
    (lambda: check_positive_int("steps", 0), "steps must be at least 1, got 0"),
    (
        lambda: check_positive_int("steps", 0, why="a chain needs a link"),
        "steps must be at least 1, got 0: a chain needs a link",
    ),
]


# ----- real numbers
# -----------------------------------------------------------------------
def test_check_real_returns_a_float_and_accepts_the_bounds_it_includes():
    assert check_real("p", 1, 0, 1) == 1.0 and type(check_real("p", 1)) is float
    assert check_real("p", 0, 0, 1) == 0.0
    assert check_real("x", float("inf"), finite=False) == float("inf")


@pytest.mark.parametrize("bad", [True, "0.5", None, 1j])
def test_check_real_refuses_non_numbers(bad):
    with pytest.raises(TypeError, match="p must be a number"):
        check_real("p", bad)


REAL_RANGE_MESSAGES = [
    (lambda: check_real("t", 0, low=0, low_open=True), "t must be > 0, got 0"),
    (lambda: check_real("t", -1.5, low=0), "t must be >= 0, got -1.5"),
    (lambda: check_real("t", 2, high=1), "t must be <= 1, got 2"),
    (lambda: check_real("t", 1, high=1, high_open=True), "t must be < 1, got 1"),
    (
        lambda: check_real("p", 1.0, 0, 1, low_open=True, high_open=True),
        "p must satisfy 0 < p < 1, got 1.0",
    ),
    (
        lambda: check_real("p", -0.5, 0, 1, low_open=True),
        "p must satisfy 0 < p <= 1, got -0.5",
    ),
    (lambda: check_real("p", float("nan"), 0, 1), "p must be a number, got nan"),
    (lambda: check_real("p", float("inf")), "p must be finite, got inf"),
    (
        lambda: check_real("p", -1, low=0, why="it is a standard deviation"),
        "p must be >= 0, got -1: it is a standard deviation",
    ),
]


@pytest.mark.parametrize("call, message", INT_RANGE_MESSAGES + REAL_RANGE_MESSAGES)
def test_range_messages(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == message


# ----- choices, strings, tensors
# ----------------------------------------------------------
def test_check_choice():
    assert check_choice("strategy", "greedy", ("greedy", "sample")) == "greedy"
    with pytest.raises(ValueError) as err:
        check_choice("strategy", "beam", ("greedy", "sample"))
    assert str(err.value) == "unknown strategy 'beam': use one of ('greedy', 'sample')"


def test_check_str():
    assert check_str("text", "ab", min_length=2) == "ab"
    with pytest.raises(TypeError, match="text must be a str, got list"):
        check_str("text", ["a"])
    with pytest.raises(ValueError, match="^text is empty: say something$"):
        check_str("text", "", min_length=1, why="say something")
    with pytest.raises(
        ValueError, match="^text must have at least 2 characters, got 'a'$"
    ):
        check_str("text", "a", min_length=2)


def test_check_tensor():
    x = torch.arange(3)
    assert check_tensor("x", x, ndim=1, dtype="integer") is x
    assert check_tensor("x", x, dtype=torch.int64) is x
    with pytest.raises(TypeError, match="x must be a torch.Tensor, got list"):
        check_tensor("x", [1, 2])
    with pytest.raises(
        TypeError, match="x must hold integer values, got dtype torch.float32"
    ):
        check_tensor("x", x.float(), dtype="integer")
    with pytest.raises(
        TypeError, match="x must hold integer values, got dtype torch.bool"
    ):
        check_tensor("x", x > 0, dtype="integer")
    with pytest.raises(
        TypeError, match="x must hold floating values, got dtype torch.int64"
    ):
        check_tensor("x", x, dtype="floating")
    with pytest.raises(
        TypeError, match="x must hold torch.int32, got dtype torch.int64"
    ):
        check_tensor("x", x, dtype=torch.int32)
    with pytest.raises(
        ValueError, match=r"^x must be 2-D, got shape \(3,\): one row per example$"
    ):
        check_tensor("x", x, ndim=2, why="one row per example")


def test_check_torch_layer():
    nn = torch.nn
    check_torch_layer("rnn", nn.GRU(3, 4))  # any one-layer layer passes
    check_torch_layer("module", nn.LSTM(3, 4), nn.LSTM, bias=True)
    with pytest.raises(TypeError, match="^module must be an nn.LSTM, got GRU$"):
        check_torch_layer("module", nn.GRU(3, 4), nn.LSTM)
    with pytest.raises(ValueError) as err:
        check_torch_layer("rnn", nn.LSTM(3, 4, num_layers=2, batch_first=True))
    assert str(err.value) == (
        "rnn must be a one-layer, one-direction, time-major nn.LSTM, without "
        "projection; got num_layers=2, batch_first=True"
    )
    no_bias = nn.GRU(3, 4, bias=False)
    check_torch_layer("rnn", no_bias)  # a language model needs no biases...
    with pytest.raises(ValueError, match="nn.GRU with biases.*; got bias=False$"):
        check_torch_layer("module", no_bias, nn.GRU, bias=True)  # ...a copy does
    with pytest.raises(ValueError, match="got bidirectional=True, proj_size=2$"):
        check_torch_layer("rnn", nn.LSTM(3, 4, bidirectional=True, proj_size=2))


def test_the_old_import_path_still_works():
    # Models written before rnnbook.checks import it from data.batching.
    from rnnbook.data.batching import check_positive_int as old

    assert old is check_positive_int
