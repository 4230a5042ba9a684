"""Backpropagation through time, written out by hand and checked against autograd.

Explained in ``book/bptt.md`` (the derivation, the code, the checks, vanishing
and exploding gradients) and ``book/bptt_truncation.md`` (truncation, and
training with each strategy). One module per concern:

* :mod:`.problem` -- the parameters of the tanh RNN language model, their
  checks, and random problems (:func:`random_problem`);
* :mod:`.core` -- the forward pass (the lesson model's own loop) and the one
  backward recursion, :func:`backward_loop`;
* :mod:`.truncation` -- regular and randomized truncation as weights in that
  loop, and the checks of their arguments;
* :mod:`.gradients` -- :func:`bptt_gradients`, the loss and every gradient;
* :mod:`.reference` -- :func:`rnn_lm_loss`, the same loss for autograd;
* :mod:`.norms` -- :func:`hidden_gradient_norms`, how far gradients reach;
* :mod:`.training` -- :class:`BPTTTrainer` and the strategy comparisons.
"""

from .core import backward_loop, hidden_states
from .gradients import bptt_gradients, bptt_with_state
from .norms import hidden_gradient_norms
from .problem import PARAM_NAMES, Problem, random_problem, random_recurrent_weights
from .reference import rnn_lm_loss
from .training import (BPTTTrainer, StrategyRun, compare_strategies, flat_gradient,
                       scratch_params)
from .truncation import (DEFAULT_KEEP_PROB, check_truncation, randomized_weights,
                         truncated_backward)

__all__ = [
    "PARAM_NAMES", "DEFAULT_KEEP_PROB", "Problem", "random_problem",
    "random_recurrent_weights", "backward_loop", "hidden_states", "bptt_gradients",
    "bptt_with_state", "check_truncation", "randomized_weights", "truncated_backward",
    "rnn_lm_loss", "hidden_gradient_norms", "BPTTTrainer", "StrategyRun",
    "compare_strategies", "flat_gradient", "scratch_params",
]
