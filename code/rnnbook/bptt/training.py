"""Training the scratch character model with hand-written BPTT.

The gradient is full, truncated or randomized.

Explained in ``book/bptt_truncation.md``. Three pieces connect
:func:`rnnbook.bptt_gradients` to the rest of the book:

* :func:`scratch_params` reads the parameters of :class:`rnnbook.RNNLMScratch`
  as the dict that ``bptt_gradients`` takes;
* :class:`BPTTTrainer` is the book's one training loop (:class:`rnnbook.Trainer`,
  through :class:`rnnbook.LanguageModelTrainer`) with one hook replaced: the
  gradients come from ``bptt_gradients(..., truncation=...)`` instead of autograd, and
  everything else (clipping, gradient-norm record, NaN guard, history,
  validation) is unchanged;
* :func:`compare_strategies` trains copies of one initial model with several
  strategies on the same data, and :func:`flat_gradient` gives one strategy's
  gradient as a single vector, to measure its bias and its variance.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import torch
from torch import nn

from ..models.rnn_scratch import RNNLMScratch
from ..training import Batch, Batches, History, LanguageModelTrainer
from .gradients import bptt_gradients, bptt_with_state
from .problem import PARAM_NAMES
from .truncation import check_truncation


def _check_model(model: object) -> RNNLMScratch:
    if not isinstance(model, RNNLMScratch):
        raise TypeError("expected an rnnbook.RNNLMScratch, "
                        f"got {type(model).__name__}: the hand-written "
                        "BPTT covers the scratch tanh RNN only; "
                        "train other models with LanguageModelTrainer")
    return model


def scratch_params(model: RNNLMScratch) -> dict[str, nn.Parameter]:
    """A scratch language model's parameters as the dict BPTT by hand takes.

    The values are the model's own ``nn.Parameter`` objects, not copies: the
    model stores its weights in exactly the layout of
    :func:`rnnbook.bptt_gradients` (``W_xh`` (vocab, hidden), ``W_hh`` (hidden,
    hidden), ``b_h`` (hidden,), ``W_hq`` (hidden, vocab), ``b_q`` (vocab,); the
    output layer computes ``H W_hq + b_q``),
    so no transposition is needed, and writing into ``.grad`` or into the data of
    an entry changes the model. ``bptt_gradients`` runs without autograd, so the
    parameters may be passed as they are. Explained in ``book/bptt.md``.
    """
    model = _check_model(model)
    return {"W_xh": model.rnn.W_xh, "W_hh": model.rnn.W_hh, "b_h": model.rnn.b_h,
            "W_hq": model.W_hq, "b_q": model.b_q}


class BPTTTrainer(LanguageModelTrainer):
    """:class:`rnnbook.LanguageModelTrainer` with gradients from BPTT by hand.

    The gradients come from :func:`rnnbook.bptt_gradients` instead of autograd.

    ``model`` must be an :class:`rnnbook.RNNLMScratch`. ``truncation`` is
    passed to ``bptt_gradients``: ``None`` (full BPTT, the same gradient autograd
    computes), an int ``k`` (regular truncation of every loss term's gradient
    to k steps) or ``"randomized"`` (randomized truncation with continuation
    probability ``keep_prob``, default ``rnnbook.bptt.DEFAULT_KEEP_PROB``). For
    the randomized strategy a new draw is made at every step, seeded from
    PyTorch's global generator, which ``fit`` seeds with ``seed``: runs are
    reproducible.

    Only :meth:`compute_gradients` differs from the base class. Clipping, the
    gradient-norm record, the stop on a non-finite loss, carried states
    (``carry_state=True``: the last state of a minibatch starts the next one,
    and the gradient with respect to it is dropped, as detaching does),
    evaluation and the history all come from :class:`rnnbook.Trainer`.
    Explained in ``book/bptt_truncation.md``.
    """

    def __init__(self, model: RNNLMScratch, *, truncation: int | str | None = None,
                 keep_prob: float | None = None, **kwargs) -> None:
        _check_model(model)
        # k > num_steps can only be seen at the first batch
        check_truncation(truncation, keep_prob)
        super().__init__(model, **kwargs)
        self.truncation, self.keep_prob = truncation, keep_prob

    def compute_gradients(self, batch: Batch) -> tuple[float, int]:
        X, Y = batch                             # (batch, num_steps) each
        params = scratch_params(self.model)
        seed = None
        if self.truncation == "randomized":      # fresh, reproducible cuts
            seed = int(torch.randint(0, 2**62, ()))
        state = self.state if self.carry_state else None
        loss, grads, last = bptt_with_state(
            params, X, Y, state, self.truncation, seed, self.keep_prob)
        if self.carry_state:
            self.state = last                    # no graph: nothing to detach
        for name, p in params.items():
            p.grad = grads[name]                 # what backward() would do
        return loss.item(), Y.numel()


class StrategyRun(NamedTuple):
    """One run of :func:`compare_strategies`: the trained model and its history.

    ``book/bptt_truncation.md`` reads the final validation perplexity of each.
    """

    model: RNNLMScratch
    history: History


def compare_strategies(model: RNNLMScratch, strategies: dict[str, dict],
                       train_batches: Batches, val_batches: Batches | None,
                       num_epochs: int, **trainer_kwargs) -> dict[str, StrategyRun]:
    """Train a copy of ``model`` with each BPTT strategy; return the runs by name.

    ``strategies`` maps a label to the keyword arguments of
    :class:`BPTTTrainer` that define it, e.g. ``{"full": {}, "k = 4":
    {"truncation": 4}, "randomized": {"truncation": "randomized", "keep_prob":
    0.9}}``. Every run starts from the same initial weights (a deep copy of
    ``model``, which is left untouched), reads the same batches and uses the
    same ``trainer_kwargs`` (``lr``, ``clip``, ``seed``, ...), so the runs differ
    only in how the gradient is computed. Explained in
    ``book/bptt_truncation.md``.
    """
    _check_model(model)
    if not isinstance(strategies, dict) or not strategies:
        raise ValueError("strategies must be a non-empty dict "
                         "{label: BPTTTrainer keyword arguments}")
    runs = {}
    for label, options in strategies.items():
        if not isinstance(options, dict):
            raise TypeError(f"strategies[{label!r}] must be a dict of "
                            "BPTTTrainer keyword arguments, "
                            f"got {type(options).__name__}")
        run_model = copy.deepcopy(model)
        trainer = BPTTTrainer(run_model, **options, **trainer_kwargs)
        history = trainer.fit(train_batches, val_batches, num_epochs)
        runs[label] = StrategyRun(run_model, history)
    return runs


def flat_gradient(params: dict, X: torch.Tensor, Y: torch.Tensor,
                  **bptt_kwargs) -> torch.Tensor:
    """The gradient of all parameters from BPTT by hand, as one vector.

    The pieces are concatenated in the order of ``PARAM_NAMES`` (the gradient of
    the initial state is left out: it is not a parameter). ``bptt_kwargs`` are
    passed on (``state``, ``truncation``, ``seed``, ``keep_prob``). Used in
    ``book/bptt_truncation.md`` to compare strategies by ``||g_hat - g|| / ||g||``.
    """
    _, grads = bptt_gradients(params, X, Y, **bptt_kwargs)
    return torch.cat([grads[name].reshape(-1) for name in PARAM_NAMES])
