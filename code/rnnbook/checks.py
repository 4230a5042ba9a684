"""Argument checks: one home for the messages the package gives on bad input.

Every public function of the package checks its arguments before it computes,
so that a mistake shows up as a short message at the call that made it, not as
a shape error deep inside PyTorch. The convention, everywhere:

* a wrong *type* raises ``TypeError``;
* a value of the right type but out of range raises ``ValueError``;
* the message names the argument, says what it needs and what it got, and
  (through ``why``) how to fix it or why the rule exists.

``bool`` is a subclass of ``int`` in Python, but ``True`` passed as a number
of steps is a mistake, not a request for one step: every number check refuses
booleans.

Each helper returns the value it checked, converted to the plain Python type
(``int``, ``float``), so that a NumPy integer or a 0-d value does not travel
further into the code::

    num_steps = check_positive_int("num_steps", num_steps)

The last four (``check_sizes``, ``check_sequence``, ``check_instance``,
``check_torch_layer``) check what the book's recurrent models are built from and
receive, so that each model's body stays the computation (``book/rnn_scratch.md``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection

import torch

__all__ = [
    "check_int",
    "check_positive_int",
    "check_real",
    "check_choice",
    "check_str",
    "check_tensor",
]


def _with_why(message: str, why: str) -> str:
    return f"{message}: {why}" if why else message


def check_int(
    name: str,
    value: object,
    minimum: int | None = None,
    maximum: int | None = None,
    why: str = "",
) -> int:
    """``value`` as an int, after checking that it is one in ``[minimum, maximum]``.

    Either bound may be None (no bound). ``TypeError`` for a non-integer
    (a float such as ``3.0`` included) or a bool; ``ValueError`` out of range.
    ``why``, when given, is appended to the range message after a colon.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} ({value!r})"
        )
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise ValueError(
            _with_why(
                f"{name} must satisfy {minimum} <= {name} <= {maximum}, got {value}",
                why,
            )
        )
    if minimum is not None and value < minimum:
        raise ValueError(
            _with_why(f"{name} must be at least {minimum}, got {value}", why)
        )
    if maximum is not None and value > maximum:
        raise ValueError(
            _with_why(f"{name} must be at most {maximum}, got {value}", why)
        )
    return int(value)


def check_positive_int(name: str, value: object, why: str = "") -> int:
    """``value`` as an int >= 1: a count of steps, rows, epochs, units."""
    return check_int(name, value, minimum=1, why=why)


def _rule(
    name: str, low: float | None, high: float | None, low_open: bool, high_open: bool
) -> str:
    """What the value must do, as inequalities: ``be > 0``, ``satisfy 0 < p <= 1``."""
    below, above = ("<" if low_open else "<="), ("<" if high_open else "<=")
    if high is None:
        return f"be {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"be {above} {high:g}"
    return f"satisfy {low:g} {below} {name} {above} {high:g}"


def check_real(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = True,
    why: str = "",
) -> float:
    """``value`` as a float, after checking that it is a real number in range.

    ``low`` and ``high`` bound it (None: no bound), inclusively unless
    ``low_open`` / ``high_open``: ``check_real("p", p, 0, 1, low_open=True)``
    accepts ``0 < p <= 1``. NaN is always refused; infinities too unless
    ``finite=False``. ``TypeError`` for a non-number, a complex number or a
    bool; ``ValueError`` otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} ({value!r})"
        )
    number = float(value)
    if math.isnan(number):
        raise ValueError(_with_why(f"{name} must be a number, got nan", why))
    if finite and math.isinf(number):
        raise ValueError(_with_why(f"{name} must be finite, got {number}", why))
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        rule = _rule(name, low, high, low_open, high_open)
        raise ValueError(_with_why(f"{name} must {rule}, got {value!r}", why))
    return number


def check_choice(name: str, value: object, choices: Collection) -> object:
    """``value`` unchanged if it is one of ``choices``; else a ``ValueError``.

    The message reads ``unknown {name} 'x': use one of ('a', 'b')``, so ``name``
    is a noun phrase: ``"strategy"``, ``"token level"``.
    """
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}: use one of {tuple(choices)}")
    return value


def check_str(name: str, value: object, min_length: int = 0, why: str = "") -> str:
    """``value`` if it is a str of at least ``min_length`` characters.

    ``TypeError`` for a non-str; ``ValueError`` for one too short (an empty
    one reads ``{name} is empty``). ``why`` says what the text is for.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if len(value) < min_length:
        short = (
            f"{name} is empty"
            if not value
            else f"{name} must have at least {min_length} characters, got {value!r}"
        )
        raise ValueError(_with_why(short, why))
    return value


_DTYPE_KINDS = {
    "integer": lambda dt: (
        not (dt.is_floating_point or dt.is_complex or dt == torch.bool)
    ),
    "floating": lambda dt: dt.is_floating_point,
}


def check_tensor(
    name: str,
    value: object,
    ndim: int | None = None,
    dtype: str | torch.dtype | None = None,
    why: str = "",
) -> torch.Tensor:
    """``value`` if it is a tensor with ``ndim`` dimensions and a fitting dtype.

    ``dtype`` is a ``torch.dtype`` (exact match) or a kind: ``"integer"`` (any
    integer dtype, not bool) or ``"floating"``. ``TypeError`` for a non-tensor
    or a wrong dtype; ``ValueError`` for a wrong number of dimensions, with
    ``why`` appended.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if dtype is not None:
        if isinstance(dtype, torch.dtype):
            fits, wanted = value.dtype == dtype, str(dtype)
        else:
            fits, wanted = _DTYPE_KINDS[dtype](value.dtype), f"{dtype} values"
        if not fits:
            raise TypeError(f"{name} must hold {wanted}, got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(
            _with_why(f"{name} must be {ndim}-D, got shape {tuple(value.shape)}", why)
        )
    return value


# ---- what the book's recurrent models receive (book/rnn_scratch.md) ----------------


def check_sizes(**sizes: object) -> None:
    """Check constructor arguments by name.

    ``num_*`` and ``*_size`` must be positive ints, anything else (``sigma``) a
    positive number.

    ``check_sizes(num_hiddens=32, vocab_size=28, sigma=0.01)`` returns None or
    raises a TypeError/ValueError naming the argument.
    """
    for name, value in sizes.items():
        if name.startswith("num_") or name.endswith("_size"):
            check_positive_int(name, value)
        elif (isinstance(value, bool) or not isinstance(value, numbers.Real)
              or not value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")


def check_sequence(inputs: object, state: object, num_hiddens: int,
                   vocab_size: int | None = None, num_inputs: int | None = None,
                   pair: bool = False) -> None:
    """Check what a recurrent model's or layer's ``forward`` receives.

    With ``vocab_size``, ``inputs`` must be token indices, an int64 tensor
    (batch, num_steps) with values in ``[0, vocab_size)``; with ``num_inputs``,
    a float tensor (num_steps, batch, num_inputs), time-major. ``state`` must be
    None or a tensor (batch, num_hiddens); with ``pair=True`` (an LSTM) the pair
    ``(H, C)`` of such tensors.
    """
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"the inputs must be a tensor, got {type(inputs).__name__}")
    if vocab_size is not None:
        if inputs.dtype != torch.long:
            raise TypeError(f"X must hold int64 token indices, got dtype "
                            f"{inputs.dtype}; convert with X.long()")
        if inputs.ndim != 2 or 0 in inputs.shape:
            raise ValueError(f"X must have shape (batch, num_steps), both at least "
                             f"1, got {tuple(inputs.shape)}; for one sequence "
                             "write X[None]")
        low, high = (int(v) for v in torch.aminmax(inputs))
        if low < 0 or high >= vocab_size:
            raise ValueError(f"X holds token indices outside [0, {vocab_size}): min "
                             f"{low}, max {high}; was it encoded with the model's "
                             "vocabulary?")
        batch = inputs.shape[0]
    else:
        if inputs.ndim != 3 or inputs.shape[-1] != num_inputs or inputs.shape[0] == 0:
            raise ValueError(f"inputs must have shape (num_steps, batch, "
                             f"num_inputs={num_inputs}), got {tuple(inputs.shape)}; "
                             "inputs are time-major")
        batch = inputs.shape[1]
    if state is None:
        return
    if pair and not (isinstance(state, tuple) and len(state) == 2):
        raise TypeError("an LSTM's state must be the pair (H, C) of tensors "
                        f"(batch, num_hiddens), or None; got {type(state).__name__}")
    for part in state if pair else (state,):
        if not isinstance(part, torch.Tensor):
            raise TypeError(f"state must be a tensor (batch, num_hiddens) or None, "
                            f"got {type(part).__name__}")
        if tuple(part.shape) != (batch, num_hiddens):
            raise ValueError(f"state has shape {tuple(part.shape)}, expected (batch, "
                             f"num_hiddens) = ({batch}, {num_hiddens}): pass the state "
                             "returned for the previous minibatch of the same size, "
                             "or None to start from zeros")


def check_instance(name: str, value: object, cls: type,
                   **expected: object) -> None:
    """A TypeError unless ``value`` is a ``cls``; a ValueError unless each
    attribute named in ``expected`` has the expected value
    (``num_inputs=vocab_size``, say)."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be a {cls.__name__}, got "
                        f"{type(value).__name__}")
    for attr, want in expected.items():
        if getattr(value, attr) != want:
            raise ValueError(f"{name}.{attr} is {getattr(value, attr)}, expected "
                             f"{want}: build it with {attr}={want}")


def check_torch_layer(name: str, layer: object, kind: type = torch.nn.RNNBase,
                      bias: bool = False) -> None:
    """A TypeError unless ``layer`` is a ``kind`` (``nn.GRU``, say); a ValueError
    unless it is the layer the book's models build on.

    That is one layer, one direction, time-major, no LSTM projection, and with
    ``bias=True`` its two biases: the book's models and cells read one
    ``(steps, batch, inputs)`` sequence and keep one state (``book/gated.md``).
    """
    if not isinstance(layer, kind):
        raise TypeError(f"{name} must be an nn.{kind.__name__}, got "
                        f"{type(layer).__name__}")
    wrong = {"num_layers": layer.num_layers != 1,
             "bidirectional": layer.bidirectional,
             "batch_first": layer.batch_first,
             "bias": bias and not layer.bias,
             "proj_size": getattr(layer, "proj_size", 0)}
    got = [f"{key}={getattr(layer, key)}" for key, bad in wrong.items() if bad]
    if got:
        raise ValueError(
            f"{name} must be a one-layer, one-direction, time-major "
            f"nn.{type(layer).__name__}{' with biases' if bias else ''}, without "
            f"projection; got {', '.join(got)}")
