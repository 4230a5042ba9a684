"""rnnbook.glue stores numbers that myst-nb can format."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnbook.pages import plain


@pytest.mark.parametrize(
    "value, expected",
    [(np.float64(2.5), 2.5), (np.int64(7), 7), (torch.tensor(0.25), 0.25),
     (np.bool_(True), True)],
)
def test_scalars_become_python_numbers(value, expected):
    out = plain(value)
    assert out == expected and type(out) is type(expected)
    assert repr(out) == repr(expected)  # no "np.float64(...)" for myst-nb to parse


@pytest.mark.parametrize("value", [3.0, "text", [1, 2], np.zeros(2), torch.zeros(2)])
def test_everything_else_is_left_alone(value):
    assert plain(value) is value
