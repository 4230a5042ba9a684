"""The problem BPTT solves: the parameters and tokens of the tanh RNN language model.

Explained in ``book/bptt.md``. The model's parameters travel as a dict::

    W_xh (vocab, hidden)   W_hh (hidden, hidden)   b_h (hidden,)
    W_hq (hidden, vocab)   b_q (vocab,)

and the tokens as integer tensors X, Y of shape (batch, num_steps). This module
names the parameters once (:data:`PARAM_NAMES`), checks a problem before any
function computes with it (:func:`check_problem`), and makes random problems
for the checks and measurements of the BPTT pages (:func:`random_problem`).
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from ..checks import check_positive_int, check_real
from ..seeding import offset_seed

PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")


def check_problem(params: dict, X: torch.Tensor, Y: torch.Tensor,
                  state: torch.Tensor | None) -> tuple[int, int, int, int]:
    """Check a problem; return (batch, num_steps, vocab, hidden).

    Every public BPTT function calls it first, so that a wrong key, shape,
    dtype, device or token index is reported by name at the call that made it,
    not as a shape error inside the backward loop (``book/bptt.md``).
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of tensors with keys {PARAM_NAMES}, "
                        f"got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}: "
                         f"pass a dict with all of {PARAM_NAMES}")
    extra = [k for k in params if k not in PARAM_NAMES]
    if extra:
        raise ValueError(f"params has unexpected keys {extra}: "
                         f"this RNN uses exactly {PARAM_NAMES}")
    for k in PARAM_NAMES:
        if not isinstance(params[k], torch.Tensor):
            raise TypeError(f"params[{k!r}] must be a torch.Tensor, "
                            f"got {type(params[k]).__name__}")
    dtype = params["W_xh"].dtype
    if not dtype.is_floating_point:
        raise TypeError("params must be floating point (float32 or float64), "
                        f"got {dtype}")
    for k in PARAM_NAMES:
        if params[k].dtype != dtype:
            raise TypeError(f"params[{k!r}] has dtype {params[k].dtype} "
                            f"but params['W_xh'] has {dtype}: "
                            "convert all parameters to one dtype")
        if params[k].device != params["W_xh"].device:
            raise ValueError(f"params[{k!r}] is on {params[k].device}, "
                             f"params['W_xh'] on {params['W_xh'].device}: "
                             "move all tensors to one device")
    if params["W_xh"].dim() != 2:
        raise ValueError("params['W_xh'] must be 2-D (vocab, hidden), "
                         f"got shape {tuple(params['W_xh'].shape)}")
    vocab, hidden = params["W_xh"].shape
    expected = {"W_xh": (vocab, hidden), "W_hh": (hidden, hidden), "b_h": (hidden,),
                "W_hq": (hidden, vocab), "b_q": (vocab,)}
    for k, shape in expected.items():
        if tuple(params[k].shape) != shape:
            raise ValueError(f"params[{k!r}] has shape {tuple(params[k].shape)}, "
                             f"expected {shape} for vocab={vocab}, hidden={hidden} "
                             "(read from W_xh)")
    for name, T in (("X", X), ("Y", Y)):
        if not isinstance(T, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor of token indices, "
                            f"got {type(T).__name__}")
        if T.dtype != torch.int64:
            raise TypeError(f"{name} must hold integer token indices as torch.int64, "
                            f"got dtype {T.dtype}: pass {name}.long()")
        if T.dim() != 2:
            raise ValueError(f"{name} must have shape (batch, num_steps), "
                             f"got {tuple(T.shape)}")
        if T.numel() == 0:
            raise ValueError(f"{name} is empty (shape {tuple(T.shape)}): "
                             "need at least one batch row and one step")
        lo, hi = int(T.min()), int(T.max())
        if lo < 0 or hi >= vocab:
            raise ValueError(f"{name} holds token indices in [{lo}, {hi}] "
                             f"but the vocabulary has {vocab} entries: "
                             f"indices must lie in [0, {vocab - 1}]")
        if T.device != params["W_xh"].device:
            raise ValueError(f"{name} is on {T.device} "
                             f"but the parameters are on {params['W_xh'].device}")
    if X.shape != Y.shape:
        raise ValueError(f"X has shape {tuple(X.shape)} but Y has {tuple(Y.shape)}: "
                         "one target per input token")
    batch, num_steps = X.shape
    if state is not None:
        if not isinstance(state, torch.Tensor):
            raise TypeError("state must be a torch.Tensor or None, "
                            f"got {type(state).__name__}")
        if tuple(state.shape) != (batch, hidden):
            raise ValueError(f"state has shape {tuple(state.shape)}, "
                             f"expected (batch, hidden) = {(batch, hidden)}")
        if state.dtype != dtype:
            raise TypeError(f"state has dtype {state.dtype} "
                            f"but the parameters have {dtype}: convert it")
        if state.device != params["W_xh"].device:
            raise ValueError(f"state is on {state.device} "
                             f"but the parameters are on {params['W_xh'].device}")
    return batch, num_steps, vocab, hidden


def random_recurrent_weights(num_hiddens: int, spectral_radius: float, seed: int = 0,
                             dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """A random Gaussian matrix rescaled to an exact spectral radius.

    Shape (num_hiddens, num_hiddens). The spectral radius is the largest
    |eigenvalue|; it sets whether the powers W^d grow (above 1) or shrink
    (below 1) with d, which is what ``book/bptt.md`` varies to make gradients
    vanish or explode.
    """
    num_hiddens = check_positive_int("num_hiddens", num_hiddens)
    spectral_radius = check_real("spectral_radius", spectral_radius, 0)
    gen = torch.Generator().manual_seed(offset_seed(seed))
    W = torch.randn(num_hiddens, num_hiddens, generator=gen, dtype=torch.float64)
    rho = torch.linalg.eigvals(W).abs().max()
    return (W * (spectral_radius / rho)).to(dtype)


class Problem(NamedTuple):
    """A random RNN language-model problem: params, inputs, targets, initial state.

    What :func:`random_problem` returns; unpack it as ``params, X, Y, state``
    (``book/bptt.md``).
    """

    params: dict
    X: torch.Tensor
    Y: torch.Tensor
    state: torch.Tensor | None


def random_problem(batch_size: int = 4, num_steps: int = 16, vocab_size: int = 28,
                   num_hiddens: int = 32, spectral_radius: float = 1.0,
                   input_std: float = 0.5, with_state: bool = False,
                   seed: int = 0, dtype: torch.dtype = torch.float64) -> Problem:
    """Random parameters and random tokens for checking and measuring gradients.

    W_hh is a Gaussian matrix scaled to the given spectral radius (see
    :func:`random_recurrent_weights`); W_xh has entries N(0, input_std^2) (one
    row per token, so the input adds this much to each pre-activation); W_hq has
    entries N(0, 1/num_hiddens); the biases are small random numbers. The tokens
    are uniform over the vocabulary. ``with_state`` adds a random initial state
    with entries in (-1, 1), so that the gradient of the state is exercised too.
    The same ``seed`` gives the same problem. Explained in ``book/bptt.md``.
    """
    for name, v in (("batch_size", batch_size), ("num_steps", num_steps),
                    ("vocab_size", vocab_size), ("num_hiddens", num_hiddens)):
        check_positive_int(name, v)
    gen = torch.Generator().manual_seed(offset_seed(seed))

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen, dtype=torch.float64)

    params = {
        "W_xh": randn(vocab_size, num_hiddens) * input_std,
        "W_hh": random_recurrent_weights(num_hiddens, spectral_radius, seed=seed + 1),
        "b_h": randn(num_hiddens) * 0.1,
        "W_hq": randn(num_hiddens, vocab_size) / num_hiddens ** 0.5,
        "b_q": randn(vocab_size) * 0.1,
    }
    params = {k: v.to(dtype) for k, v in params.items()}
    X = torch.randint(vocab_size, (batch_size, num_steps), generator=gen)
    Y = torch.randint(vocab_size, (batch_size, num_steps), generator=gen)
    state = None
    if with_state:
        u = torch.rand(batch_size, num_hiddens, generator=gen, dtype=torch.float64)
        state = (u * 2 - 1).to(dtype)
    return Problem(params, X, Y, state)
