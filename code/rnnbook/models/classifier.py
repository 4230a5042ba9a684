"""Read a whole sequence, answer once: a recurrent sequence classifier.

Explained in ``book/long_memory.md``, where it learns the recall task of
:func:`rnnbook.recall_task`: the model reads the tokens of each sequence one by
one and predicts a class from its last hidden state. It is an ordinary
``nn.Module``, ``model(X) -> logits`` (batch, num_classes), so the generic
:class:`rnnbook.Trainer` (or :func:`rnnbook.fit`) trains it with cross-entropy.

``truncation=k`` cuts the backward pass every ``k`` steps, by detaching the
state between chunks of ``k`` steps: the forward computation is unchanged, but
no gradient crosses a cut, so nothing that happened more than ``k`` steps
before the end can be learned from the loss (``book/bptt.md`` derives truncated
backpropagation through time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import torch
from torch import nn

from ..checks import check_positive_int
from ..seeding import offset_seed
from .base import State, detach_state
from .mingru import MinGRU, MinLSTM
from .recurrent_lm import run_layer

if TYPE_CHECKING:
    from ..training import History

CELLS = {
    "rnn": lambda d, h: nn.RNN(d, h, nonlinearity="tanh"),
    "relu": lambda d, h: nn.RNN(d, h, nonlinearity="relu"),
    "gru": nn.GRU,
    "lstm": nn.LSTM,
    "mingru": MinGRU,  # book/parallel_rnn.md
    "minlstm": MinLSTM,
}


class SequenceClassifier(nn.Module):
    """One-hot tokens -> a recurrent layer -> ``nn.Linear`` on the last hidden state.

    ``cell`` is ``"rnn"`` (tanh), ``"relu"``, ``"gru"`` or ``"lstm"`` for
    PyTorch's one-layer layers, ``"mingru"`` or ``"minlstm"`` for
    :class:`rnnbook.MinGRU` and :class:`rnnbook.MinLSTM`
    (``book/parallel_rnn.md``), or a layer of the book's own
    (``LSTMScratch``, ``GRUScratch``, ``RNNScratch``) built for ``vocab_size``
    inputs. ``forward(X) -> logits``: X (batch, num_steps) int64 token indices,
    logits (batch, num_classes). ``truncation``: None for full backpropagation
    through time, or ``k`` to stop gradients every ``k`` steps.
    """

    def __init__(
        self,
        cell: str | nn.Module,
        vocab_size: int,
        num_hiddens: int,
        num_classes: int,
        truncation: int | None = None,
    ) -> None:
        super().__init__()
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        self.num_classes = check_positive_int("num_classes", num_classes)
        if isinstance(cell, str):
            if cell not in CELLS:
                raise ValueError(
                    f"unknown cell {cell!r}: use one of {sorted(CELLS)} or pass a layer"
                )
            self.rnn = CELLS[cell](self.vocab_size, self.num_hiddens)
        elif isinstance(cell, nn.Module):
            self.rnn = cell
        else:
            raise TypeError(
                f"cell must be a name or a recurrent layer, got {type(cell).__name__}"
            )
        self.truncation = (
            None if truncation is None else check_positive_int("truncation", truncation)
        )
        self.output = nn.Linear(self.num_hiddens, self.num_classes)

    def one_hot(self, X: torch.Tensor) -> torch.Tensor:
        """Token indices (batch, steps) as one-hot inputs (steps, batch, vocab_size)."""
        if not isinstance(X, torch.Tensor) or X.dtype != torch.long or X.ndim != 2:
            raise TypeError(
                "X must be an int64 tensor of token indices (batch, num_steps)"
            )
        return nn.functional.one_hot(X.T, self.vocab_size).to(self.output.weight.dtype)

    def read(
        self,
        inputs: torch.Tensor,
        state: State | None = None,
    ) -> State:
        """The state after reading time-major ``inputs`` from ``state``.

        The gradient is cut every ``truncation`` steps, counted back from
        the end, so the loss at the last step reaches exactly the last
        ``truncation`` steps.
        """
        k = self.truncation or len(inputs)
        # chunk ends; the last chunk is k long
        ends = range(len(inputs), 0, -k)[::-1]
        start = 0
        for end in ends:
            if start > 0:
                state = detach_state(state)  # no gradient crosses this cut
            _, state = run_layer(self.rnn, inputs[start:end], state)
            start = end
        return state

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        state = self.read(self.one_hot(X))
        # an LSTM's state is (H, C): read H
        H = state[0] if isinstance(state, tuple) else state
        return self.output(H)  # (batch, num_classes)


def first_state_gradient(
    model: SequenceClassifier, X: torch.Tensor, y: torch.Tensor
) -> float:
    """Mean over examples of ``|| d loss / d state_1 ||``; state_1 follows token one.

    The loss of each example is its cross-entropy at the end of the sequence;
    ``state_1`` is the hidden state after reading ``X[:, 0]``, the symbol to
    remember (for an LSTM the pair ``(H_1, C_1)``, whose two gradients count
    together). This is how much the answer can still teach the model about what
    it did with the first token: ``book/long_memory.md`` plots it against the lag.
    """
    if not isinstance(model, SequenceClassifier):
        raise TypeError(
            f"model must be a SequenceClassifier, got {type(model).__name__}"
        )
    inputs = model.one_hot(X)  # (steps, batch, vocab)
    first = model.read(inputs[:1])
    leaves = tuple(
        s.detach().requires_grad_()
        for s in (first if isinstance(first, tuple) else (first,))
    )
    state = leaves if isinstance(first, tuple) else leaves[0]
    if len(inputs) > 1:
        state = model.read(inputs[1:], state)
    H = state[0] if isinstance(state, tuple) else state
    loss = nn.functional.cross_entropy(model.output(H), y, reduction="sum")
    grads = torch.autograd.grad(loss, leaves)
    per_example = torch.cat(grads, dim=1).norm(dim=1)  # (batch,)
    return float(per_example.mean())


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """The share of rows of ``X`` whose highest-scoring class is ``y``."""
    if not isinstance(y, torch.Tensor) or y.ndim != 1 or len(y) != len(X):
        raise ValueError("y must be a 1-D tensor with one label per row of X")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        correct = (model(X).argmax(dim=-1) == y).float().mean()
    model.train(was_training)
    return float(correct)


def fit_recall(
    model: SequenceClassifier,
    lag: int,
    num_steps: int = 300,
    batch_size: int = 32,
    lr: float = 0.01,
    clip: float | None = 1.0,
    seed: int = 0,
    num_val: int = 1000,
    optimizer: str = "adam",
    log_every: int = 25,
    task: Callable[..., tuple[torch.Tensor, torch.Tensor]] | None = None,
) -> tuple[float, History]:
    """Train ``model`` on the recall task at ``lag``; return accuracy and history.

    ``num_steps`` steps of ``optimizer`` (Adam unless told; ``book/long_memory.md``
    compares plain ``"sgd"``) on fresh minibatches of ``batch_size`` sequences
    (no example is seen twice), drawn by :func:`rnnbook.recall_task` with
    ``seed``; the generic :func:`rnnbook.fit` does the training, with
    cross-entropy on the last step and gradients clipped at ``clip``. Each
    "epoch" of the history is ``log_every`` steps, so ``history.train_loss`` is
    a learning curve. Accuracy is measured on ``num_val`` sequences drawn with
    another seed. The number of symbols is the model's ``num_classes``. The
    model is trained on the CPU, where networks this small run fastest. Used
    throughout ``book/long_memory.md`` and ``book/gated.md``.

    ``task`` draws the sequences, called as ``task(num_examples, lag,
    num_symbols=K, seed=seed)`` like :func:`rnnbook.recall_task`, the default;
    ``book/parallel_rnn.md`` passes a variant whose distractors come from the
    symbols' own alphabet.
    """
    from ..data.recall import recall_task
    from ..data.tensor_batches import iterate_minibatches
    from ..training import fit  # here: rnnbook.training imports the models package

    num_steps = check_positive_int("num_steps", num_steps)
    batch_size = check_positive_int("batch_size", batch_size)
    log_every = check_positive_int("log_every", log_every)
    K = model.num_classes
    if model.vocab_size != 2 * K:
        raise ValueError(
            f"the recall task with {K} symbols has {2 * K} tokens, but the model "
            f"reads {model.vocab_size}: build it with vocab_size=2 * num_classes"
        )
    draw = recall_task if task is None else task
    X, y = draw(num_steps * batch_size, lag, num_symbols=K, seed=seed)
    chunk = log_every * batch_size  # sequences per logged "epoch"

    def batches(epoch: int):
        rows = slice(epoch * chunk, (epoch + 1) * chunk)
        return iterate_minibatches(X[rows], y[rows], batch_size, shuffle=False)

    history = fit(
        model,
        batches,
        None,
        nn.functional.cross_entropy,
        num_epochs=-(-num_steps // log_every),
        optimizer=optimizer,
        lr=lr,
        clip=clip,
        seed=seed,
        device="cpu",
        progress=False,
        live=False,
    )
    X_val, y_val = draw(num_val, lag, num_symbols=K, seed=seed + 100_000)
    return accuracy(model, X_val, y_val), history


def recall_sweep(
    make: Callable[[], SequenceClassifier],
    lags: Sequence[int],
    seeds: Sequence[int],
    num_steps: int = 300,
    **kwargs,
) -> tuple[torch.Tensor, dict[tuple[int, int], SequenceClassifier]]:
    """Accuracy (lags, seeds) of a fresh ``make()`` trained by :func:`fit_recall`.

    Seeds PyTorch with each seed before ``make()`` (the initial weights) and
    passes it to :func:`fit_recall` (the data); ``kwargs`` go to
    :func:`fit_recall` too. Returns the accuracies and the trained models,
    keyed by ``(lag, seed)``. Used by ``book/long_memory.md`` and ``book/gated.md``.
    """
    acc = torch.zeros(len(lags), len(seeds))
    models = {}
    for i, lag in enumerate(lags):
        for j, seed in enumerate(seeds):
            torch.manual_seed(offset_seed(seed))
            model = make()
            acc[i, j], _ = fit_recall(
                model, lag, num_steps=num_steps, seed=seed, **kwargs
            )
            models[lag, seed] = model
    return acc, models


def longest_lag_held(
    acc: torch.Tensor, lags: Sequence[int], level: float = 0.95
) -> int:
    """The longest lag up to which the mean accuracy over seeds is at least ``level``.

    ``acc`` is (lags, seeds) as from :func:`recall_sweep`; 0 if even the first
    lag falls short.
    """
    if acc.ndim != 2 or len(acc) != len(lags):
        raise ValueError(
            f"acc must be (lags, seeds) with {len(lags)} rows, got {tuple(acc.shape)}"
        )
    held = 0
    for lag, mean in zip(lags, acc.mean(1).tolist()):
        if mean < level:
            break
        held = lag
    return held


def start_remembering(
    model: SequenceClassifier, keep: float = 3.0, write: float = -3.0
) -> SequenceClassifier:
    """Start a gated cell remembering: gates biased to keep, not to write.

    For an ``nn.LSTM`` the forget gate's bias is set to ``keep`` and the
    input gate's to ``write``; for an ``nn.GRU`` the update gate's bias to
    ``keep``. PyTorch's layers have two biases that are added; the first
    is set and the second zeroed. Explained in ``book/gated.md``. For a
    :class:`rnnbook.MinGRU` or :class:`rnnbook.MinLSTM`, whose state follows
    ``h = a * h + b``, the gates are biased so that ``a`` starts at
    ``sigmoid(keep)`` (:meth:`rnnbook.MinGRU.start_remembering`); a layer built
    of several (a stack) has each of them set (``book/parallel_rnn.md``).
    """
    layer, h = model.rnn, model.num_hiddens
    mingrus = [m for m in layer.modules() if isinstance(m, MinGRU)]
    if mingrus:
        for m in mingrus:
            m.start_remembering(keep)
        return model
    if not isinstance(layer, (nn.LSTM, nn.GRU)):
        got = type(layer).__name__
        msg = f"model.rnn must be an nn.LSTM or nn.GRU, or a MinGRU, got {got}"
        raise TypeError(msg)
    with torch.no_grad():
        # nn.LSTM blocks: input, forget, cell, output
        if isinstance(layer, nn.LSTM):
            layer.bias_hh_l0[: 2 * h].zero_()
            layer.bias_ih_l0[:h].fill_(write)
            layer.bias_ih_l0[h : 2 * h].fill_(keep)
        else:  # nn.GRU blocks: reset, update, new
            layer.bias_hh_l0[h : 2 * h].zero_()
            layer.bias_ih_l0[h : 2 * h].fill_(keep)
    return model
