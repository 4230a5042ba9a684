"""Argument checks shared by the book's models: one call per method, clear
errors.

The models of ``book/rnn_scratch.md`` and ``book/rnn_concise.md`` keep their
bodies to the computation; what they accept is checked here, so that a wrong
type or shape gets an error that names the argument, the problem and the fix.
"""

from __future__ import annotations

import numbers

import torch

from ..data.batching import check_positive_int


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

