"""Backpropagation through time, written out by hand and checked against autograd.

Explained in ``book/bptt.md``. The model is the tanh RNN language model of the
chapter, with parameters in a dict::

    W_xh (vocab, hidden)   W_hh (hidden, hidden)   b_h (hidden,)
    W_hq (hidden, vocab)   b_q (vocab,)

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)     (batch, hidden)
    O_t = H_t W_hq + b_q                          (batch, vocab)
    L   = mean cross-entropy of O_t against Y_t over all batch * num_steps positions

The inputs X_t are one-hot vectors, so ``X_t W_xh`` is a row lookup ``W_xh[X_t]``:
the code never builds the one-hot matrix. Tokens arrive as integer tensors of
shape (batch, num_steps).

Public functions:

* :func:`bptt` -- loss and gradients by hand (full, truncated or randomized).
* :func:`rnn_lm_loss` -- the same loss with autograd, the reference for the checks.
* :func:`randomized_weights` -- the random weights xi_t of randomized truncation.
* :func:`hidden_states` -- every H_t, without autograd.
* :func:`hidden_gradient_norms` -- ||d l_T / d H_t|| for every t, tanh or linear RNN.
* :func:`random_recurrent_weights`, :func:`random_problem` -- random test problems.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F

PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")


# ----------------------------------------------------------------------------
# input checks


def _check_problem(params: dict, X: torch.Tensor, Y: torch.Tensor,
                   state: torch.Tensor | None) -> tuple[int, int, int, int]:
    """Validate the inputs; return (batch, num_steps, vocab, hidden)."""
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


# ----------------------------------------------------------------------------
# forward pass and output layer, shared by every backward variant


def _forward(params: dict, X: torch.Tensor, state: torch.Tensor | None,
             linear: bool = False) -> torch.Tensor:
    """Run the recurrence; return all states time-major, H[0] = initial state.

    Returns a tensor of shape (num_steps + 1, batch, hidden). Time-major storage
    keeps each step's state contiguous for the loop below and the one in the
    backward pass.
    """
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    batch, num_steps = X.shape
    hidden = W_hh.shape[0]
    # Input projection for all steps at once: a one-hot row times W_xh is a row
    # of W_xh.
    XW = W_xh[X.T] + b_h                                     # (steps, batch, hidden)
    H = torch.empty(num_steps + 1, batch, hidden, dtype=W_hh.dtype, device=W_hh.device)
    h = (torch.zeros(batch, hidden, dtype=W_hh.dtype, device=W_hh.device)
         if state is None else state)
    H[0] = h
    for t in range(num_steps):
        a = torch.addmm(XW[t], h, W_hh)                      # (batch, hidden)
        h = a if linear else torch.tanh(a)
        H[t + 1] = h
    return H


def _output_layer(params: dict, H: torch.Tensor, Y: torch.Tensor):
    """Loss and output-layer gradients for all steps at once.

    Returns (loss, dW_hq, db_q, dH_direct) where dH_direct[t] is the *partial*
    derivative of L with respect to H_{t+1} through O_{t+1} only, shape
    (steps, batch, hidden).
    """
    W_hq, b_q = params["W_hq"], params["b_q"]
    steps, batch, hidden = H.shape[0] - 1, H.shape[1], H.shape[2]
    n = steps * batch
    Hs = H[1:].reshape(n, hidden)                            # (steps*batch, hidden)
    y = Y.T.reshape(n)                                       # time-major, like Hs
    # (steps*batch, vocab): every O_t in one matmul
    O = torch.addmm(b_q, Hs, W_hq)
    logp = torch.log_softmax(O, dim=1)
    loss = -logp[torch.arange(n, device=y.device), y].mean()
    dO = logp.exp_()                                         # softmax, in place
    dO[torch.arange(n, device=y.device), y] -= 1.0
    # dL/dO: (softmax - one_hot) / (batch*steps)
    dO /= n
    # (hidden, vocab): all steps in one matmul
    dW_hq = Hs.T @ dO
    db_q = dO.sum(0)
    dH_direct = (dO @ W_hq.T).view(steps, batch, hidden)
    return loss, dW_hq, db_q, dH_direct


def _recurrent_grads(params: dict, X: torch.Tensor, H: torch.Tensor, dA: torch.Tensor,
                     dH0: torch.Tensor) -> dict:
    """Parameter gradients of the recurrence from the pre-activation adjoints dA.

    ``dA`` has shape (steps, batch, hidden).
    """
    steps, batch, hidden = dA.shape
    vocab = params["W_xh"].shape[0]
    dA2 = dA.reshape(steps * batch, hidden)
    # sum_t H_{t-1}^T dA_t in one matmul
    dW_hh = H[:-1].reshape(steps * batch, hidden).T @ dA2
    db_h = dA2.sum(0)
    dW_xh = torch.zeros(vocab, hidden, dtype=dA.dtype, device=dA.device)
    # row lookup backwards: scatter-add rows
    dW_xh.index_add_(0, X.T.reshape(-1), dA2)
    return {"W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h, "state": dH0}


# ----------------------------------------------------------------------------
# the three backward recursions


def backward_loop(W_hh: torch.Tensor, H: torch.Tensor, dH_out: torch.Tensor,
                  xi: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The backward recursion of BPTT, from the last step to the first.

    ``H`` holds every state, ``H[t]`` = H_t for t = 0, ..., T, shape
    (T + 1, batch, hidden); ``dH_out[t - 1]`` = (dL/dO_t) W_hq^T, the route from
    H_t through the output O_t, shape (T, batch, hidden). Returns ``dA`` with
    ``dA[t - 1]`` = dL/dA_t, and dL/dH_0 (batch, hidden). With weights ``xi``
    (xi[t - 1] = xi_t), the route from H_t back to H_{t-1} is scaled by xi_t:
    randomized truncation. ``book/bptt.md`` shows this function line by line
    beside the equations it implements, and ``book/bptt_truncation.md`` the
    randomized line.
    """
    T = dH_out.shape[0]
    dA = torch.empty_like(dH_out)          # dA[t - 1] = dL/dA_t
    carry = torch.zeros_like(H[0])         # nothing comes back from T + 1
    for t in range(T, 0, -1):              # t = T, T - 1, ..., 1
        dH = dH_out[t - 1] + carry         # dL/dH_t: both routes
        dA[t - 1] = dH * (1 - H[t] * H[t])  # times tanh'(A_t)
        carry = dA[t - 1] @ W_hh.T         # the route into H_{t-1}
        if xi is not None:
            carry = xi[t - 1] * carry      # randomized: cut or scale up
    return dA, carry                       # carry is now dL/dH_0


def _backward_truncated(W_hh: torch.Tensor, D: torch.Tensor, dH_direct: torch.Tensor,
                        k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Regular truncation: each loss term's gradient crosses at most k steps.

    ``window[j]`` holds the gradient on H_t that came from the loss at step t + j
    (its "age" j). A term enters with age 0 at its own step, ages by one at each
    step backwards, and is dropped after it has passed through k steps. All
    pending terms move back together in one matmul, so the cost is O(steps * k).
    """
    steps, batch, hidden = dH_direct.shape
    dA = torch.empty_like(dH_direct)
    # gradients on H_{t+1} of ages 1..k
    window = dH_direct.new_zeros(k, batch, hidden)
    W_hh_T = W_hh.T
    for t in range(steps - 1, -1, -1):
        # The term of age k has used up its k steps; the loss at this step joins with
        # age 0. window: (k, batch, hidden), ages 0..k-1.
        window = torch.cat([dH_direct[t].unsqueeze(0), window[:-1]])
        per_term = window * D[t]                             # each term's dL/dA_t
        dA[t] = per_term.sum(0)
        window = per_term @ W_hh_T                           # on H_{t-1}, ages 1..k
    # terms that reached the initial state
    return dA, window.sum(0)


# ----------------------------------------------------------------------------
# public API


def randomized_weights(num_steps: int, keep_prob: float = 0.9,
                       seed: int | None = None) -> torch.Tensor:
    """The random weights xi_1, ..., xi_T of randomized truncation, as a float64 tensor.

    xi_t multiplies the gradient carried back across the recurrent edge from H_t to
    H_{t-1}: with probability ``keep_prob`` (pi) it is 1/pi, otherwise 0 (the chain
    is cut there). E[xi_t] = pi * (1/pi) = 1, and the xi_t are independent, so every
    product of them also has expectation 1: the gradient estimate is unbiased.
    Seen from a given step, the number of steps crossed before the first cut is
    geometric with mean pi/(1 - pi). Entry ``t - 1`` holds xi_t. The same ``seed``
    gives the same weights (a local generator; the global RNG is untouched);
    ``seed=None`` draws fresh ones. Explained in ``book/bptt_truncation.md``.
    """
    if not isinstance(num_steps, int) or isinstance(num_steps, bool):
        raise TypeError(f"num_steps must be an int, got {type(num_steps).__name__}")
    if num_steps < 1:
        raise ValueError(f"num_steps must be at least 1, got {num_steps}")
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float)):
        raise TypeError("keep_prob must be a float in (0, 1], "
                        f"got {type(keep_prob).__name__}")
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must lie in (0, 1], got {keep_prob}: "
                         "it is the probability of "
                         "continuing the backward pass across one step")
    gen = torch.Generator()
    if seed is None:
        gen.seed()
    elif isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    else:
        gen.manual_seed(seed)
    keep = torch.rand(num_steps, generator=gen, dtype=torch.float64) < keep_prob
    return keep.to(torch.float64) / keep_prob


def bptt(params: dict, X: torch.Tensor, Y: torch.Tensor,
         state: torch.Tensor | None = None,
         truncation: int | str | None = None, seed: int | None = None,
         keep_prob: float | None = None) -> tuple[torch.Tensor, dict]:
    """Loss and gradients of the tanh RNN language model, by hand (no autograd).

    ``params``: dict with ``W_xh`` (vocab, hidden), ``W_hh`` (hidden, hidden),
    ``b_h`` (hidden,), ``W_hq`` (hidden, vocab), ``b_q`` (vocab,). ``X``, ``Y``:
    integer token indices, (batch, num_steps). The inputs are one-hot, so
    ``X_t W_xh`` is computed as the row lookup ``W_xh[X_t]``, and its gradient as a
    scatter-add of rows (``index_add_``). ``state``: the initial hidden state
    H_0, (batch, hidden); zeros when None. The loss is the mean cross-entropy over
    all batch * num_steps positions, L = (1/T) sum_t l_t with l_t the batch mean
    at step t.

    Returns ``(loss, grads)``: ``loss`` a 0-d tensor, ``grads`` a dict with the
    keys of ``params`` (same shapes) plus ``"state"``, the gradient with respect
    to H_0 (also when H_0 defaulted to zeros).

    ``truncation`` chooses how far back the gradient of each loss term flows:

    * ``None``: full BPTT, the exact gradient (equal to autograd up to rounding).
    * an int ``k`` in [1, num_steps]: regular truncation *per loss term*. The
      gradient of l_t passes back through the k steps t, t-1, ..., t-k+1 only:
      it reaches H_t, ..., H_{t-k+1} and the parameters used in those k steps
      (step t-k+1 still sees H_{t-k} as an input value), exactly as if H_{t-k}
      were detached for that one term. Every term gets the same reach k, except
      the first ones, whose window hits the start of the sequence; a term whose
      window covers step 1 also reaches H_0 (so ``grads["state"]`` collects
      l_1, ..., l_k), which makes k = num_steps exactly full BPTT. This is not
      the common "detach the state every k steps" scheme, where the reach of l_t
      depends on where t falls in its chunk (1 to k steps; see
      ``rnn_lm_loss(detach_every=k)``). Cost O(num_steps * k).
    * ``"randomized"``: randomized truncation (Tallec and Ollivier, 2017). Each
      crossing from H_t back to H_{t-1} multiplies the carried gradient by
      xi_t, which is 1/keep_prob with probability ``keep_prob`` and 0 otherwise
      (see :func:`randomized_weights`; default keep_prob 0.9). Every term of the
      full gradient is thus kept with some probability and scaled up by its
      inverse, so the expectation of the estimate is exactly the full gradient.
      ``seed`` makes the draw reproducible.

    Runs under ``torch.no_grad()``. Explained and checked in ``book/bptt.md``.
    """
    loss, grads, _ = bptt_with_state(params, X, Y, state, truncation, seed, keep_prob)
    return loss, grads


def check_truncation(truncation: object, keep_prob: object = None,
                      num_steps: int | None = None) -> None:
    """Validate ``truncation`` and ``keep_prob`` as :func:`bptt` takes them.

    Without ``num_steps`` only what can be checked before seeing the data is
    checked (``BPTTTrainer`` does this when it is built); with it, also that k
    fits the sequence.
    """
    if truncation is None or truncation == "randomized":
        pass
    elif isinstance(truncation, bool) or not isinstance(truncation, (int, str)):
        raise TypeError("truncation must be None, an int k or 'randomized', "
                        f"got {type(truncation).__name__}")
    elif isinstance(truncation, str):
        raise ValueError(f"unknown truncation {truncation!r}: "
                         "use None (full), an int k, or 'randomized'")
    elif num_steps is None and truncation < 1:
        raise ValueError(f"truncation k must be at least 1, got {truncation}: "
                         "k is how many steps each "
                         "loss term's gradient passes back through")
    elif num_steps is not None and not 1 <= truncation <= num_steps:
        raise ValueError("truncation k must satisfy 1 <= k <= num_steps = "
                         f"{num_steps}, got {truncation}; "
                         "use k = num_steps (or None) for full BPTT")
    if keep_prob is not None and truncation != "randomized":
        raise ValueError("seed and keep_prob only apply to truncation='randomized'; "
                         f"drop them for truncation={truncation!r}")
    if keep_prob is not None:
        if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float)):
            raise TypeError("keep_prob must be a float in (0, 1], "
                            f"got {type(keep_prob).__name__}")
        if not 0.0 < keep_prob <= 1.0:
            raise ValueError(f"keep_prob must lie in (0, 1], got {keep_prob}: "
                             "it is the probability of "
                             "continuing the backward pass across one step")


def bptt_with_state(params: dict, X: torch.Tensor, Y: torch.Tensor,
                    state: torch.Tensor | None,
                    truncation: int | str | None, seed: int | None,
                    keep_prob: float | None
                    ) -> tuple[torch.Tensor, dict, torch.Tensor]:
    """:func:`bptt` plus the last hidden state H_T (batch, hidden).

    A trainer carries H_T on to the next minibatch.
    """
    batch, num_steps, vocab, hidden = _check_problem(params, X, Y, state)
    check_truncation(truncation, keep_prob, num_steps)
    xi = None
    if truncation == "randomized":
        xi = randomized_weights(num_steps, 0.9 if keep_prob is None else keep_prob,
                                seed)
    elif seed is not None:
        raise ValueError("seed and keep_prob only apply to truncation='randomized'; "
                         f"drop them for truncation={truncation!r}")
    k = truncation if isinstance(truncation, int) else None
    return _bptt_core(params, X, Y, state, k, xi)


def _bptt_core(params: dict, X: torch.Tensor, Y: torch.Tensor,
               state: torch.Tensor | None, k: int | None, xi: torch.Tensor | None,
               ) -> tuple[torch.Tensor, dict, torch.Tensor]:
    """The computation behind :func:`bptt`, on checked inputs.

    It truncates at k, or weights by xi. Returns (loss, grads, H_T).
    """
    with torch.no_grad():
        H = _forward(params, X, state)                       # (steps+1, batch, hidden)
        loss, dW_hq, db_q, dH_direct = _output_layer(params, H, Y)
        if k is not None:
            # tanh'(A_t) = 1 - H_t^2, all steps at once
            D = 1.0 - H[1:] * H[1:]
            dA, dH0 = _backward_truncated(params["W_hh"], D, dH_direct, k)
        else:
            dA, dH0 = backward_loop(params["W_hh"], H, dH_direct,
                                    None if xi is None else xi.to(H))
        grads = _recurrent_grads(params, X, H, dA, dH0)
        grads.update(W_hq=dW_hq, b_q=db_q)
    grads = {name: grads[name] for name in (*PARAM_NAMES, "state")}
    return loss, grads, H[-1].clone()


def rnn_lm_loss(params: dict, X: torch.Tensor, Y: torch.Tensor,
                state: torch.Tensor | None = None,
                detach_every: int | None = None, linear: bool = False) -> torch.Tensor:
    """The same loss as :func:`bptt`, written plainly for autograd to differentiate.

    This is the reference the hand-written gradients are checked against. It
    follows the definition literally: one-hot inputs multiplied by W_xh, one step
    at a time. ``detach_every=k`` detaches the hidden state after every k steps
    (the common "chunked" truncation, for comparison with :func:`bptt`'s
    per-term truncation). ``linear=True`` drops the tanh. Explained in
    ``book/bptt.md``.
    """
    batch, num_steps, vocab, hidden = _check_problem(params, X, Y, state)
    if detach_every is not None and (isinstance(detach_every, bool)
                                     or not isinstance(detach_every, int)
                                     or detach_every < 1):
        raise ValueError("detach_every must be None or a positive int, "
                         f"got {detach_every!r}")
    X_onehot = F.one_hot(X, vocab).to(params["W_xh"].dtype)   # (batch, steps, vocab)
    W_hh = params["W_hh"]
    h = (torch.zeros(batch, hidden, dtype=W_hh.dtype, device=W_hh.device)
         if state is None else state)
    losses = []
    for t in range(num_steps):
        if detach_every is not None and t > 0 and t % detach_every == 0:
            h = h.detach()
        a = X_onehot[:, t] @ params["W_xh"] + h @ params["W_hh"] + params["b_h"]
        h = a if linear else torch.tanh(a)
        o = h @ params["W_hq"] + params["b_q"]
        losses.append(F.cross_entropy(o, Y[:, t], reduction="sum"))
    return torch.stack(losses).sum() / (batch * num_steps)


def hidden_gradient_norms(params: dict, X: torch.Tensor, Y: torch.Tensor,
                          state: torch.Tensor | None = None,
                          linear: bool = False) -> torch.Tensor:
    """Norms of the gradient of the last step's loss with respect to every hidden state.

    Returns a tensor of length num_steps whose entry d is ||d l_T / d H_{T-d}||
    (Frobenius norm over batch and hidden units), for d = 0, ..., T-1: the
    gradient reaching d steps into the past from the loss l_T at the last step
    (the batch mean of the cross-entropy at step T). ``linear=True`` uses the
    linear RNN H_t = X_t W_xh + H_{t-1} W_hh + b_h (no tanh), where the gradient
    is multiplied by W_hh^T at every step back. Computed by hand. Explained in
    ``book/bptt.md``.
    """
    batch, num_steps, vocab, hidden = _check_problem(params, X, Y, state)
    with torch.no_grad():
        H = _forward(params, X, state, linear=linear)
        # only l_T: the output layer at step T
        last = H[-1:]
        o = last[0] @ params["W_hq"] + params["b_q"]        # (batch, vocab)
        dO = torch.softmax(o, dim=1)
        dO[torch.arange(batch, device=dO.device), Y[:, -1]] -= 1.0
        # d l_T / d H_T, (batch, hidden)
        g = (dO / batch) @ params["W_hq"].T
        norms = torch.empty(num_steps, dtype=g.dtype)
        for d in range(num_steps):
            t = num_steps - d                                # g is d l_T / d H_t
            norms[d] = torch.linalg.norm(g)
            if d < num_steps - 1:
                da = g if linear else g * (1.0 - H[t] * H[t])
                g = da @ params["W_hh"].T
    return norms


def hidden_states(params: dict, X: torch.Tensor,
                  state: torch.Tensor | None = None) -> torch.Tensor:
    """The hidden states H_1, ..., H_T of the tanh RNN for inputs ``X``, time-major.

    Shape (num_steps, batch, hidden); ``params`` and ``X`` as for :func:`bptt`.
    Computed without autograd. ``book/bptt.md`` uses it to measure tanh's
    derivative 1 - H_t^2 along real sequences.
    """
    _check_problem(params, X, X, state)
    with torch.no_grad():
        return _forward(params, X, state)[1:]


def random_recurrent_weights(num_hiddens: int, spectral_radius: float, seed: int = 0,
                             dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """A random Gaussian matrix rescaled to an exact spectral radius.

    Shape (num_hiddens, num_hiddens). The spectral radius is the largest
    |eigenvalue|; it sets how the powers W^d grow (above 1) or shrink (below 1)
    with d. Explained in ``book/bptt.md``.
    """
    if (not isinstance(num_hiddens, int) or isinstance(num_hiddens, bool)
            or num_hiddens < 1):
        raise ValueError(f"num_hiddens must be a positive int, got {num_hiddens!r}")
    if (isinstance(spectral_radius, bool)
            or not isinstance(spectral_radius, (int, float)) or spectral_radius < 0):
        raise ValueError("spectral_radius must be a non-negative number, "
                         f"got {spectral_radius!r}")
    gen = torch.Generator().manual_seed(seed)
    W = torch.randn(num_hiddens, num_hiddens, generator=gen, dtype=torch.float64)
    rho = torch.linalg.eigvals(W).abs().max()
    return (W * (spectral_radius / rho)).to(dtype)


class Problem(NamedTuple):
    """A random RNN language-model problem: params, inputs, targets, initial state."""

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
    with entries in (-1, 1). Explained in ``book/bptt.md``.
    """
    for name, v in (("batch_size", batch_size), ("num_steps", num_steps),
                    ("vocab_size", vocab_size), ("num_hiddens", num_hiddens)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    gen = torch.Generator().manual_seed(seed)

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
