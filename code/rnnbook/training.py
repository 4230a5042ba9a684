"""A small, general training loop: minibatch gradient descent with a loss history.

Explained in ``book/sequences.md``, where it fits a linear autoregressive model.
Later pages reuse it for recurrent models by subclassing ``Trainer`` and
overriding its hooks (``batch_loss`` to carry extra state through a batch,
``compute_gradients`` to obtain the gradients some other way than autograd)
rather than by copying the loop. ``LanguageModelTrainer``
(``book/rnn_scratch.md``) is such a subclass: it trains models with the contract
``model(X, state) -> (logits, state)`` on cross-entropy and can carry the hidden
state across minibatches.

Every run also gets, from the base class: optional gradient clipping
(:func:`clip_gradients`, explained in ``book/rnn_scratch.md``), the gradient norm
of every step, a stop with a clear error when the loss stops being finite, a
progress bar in a terminal and a live plot in a notebook.

Reproducibility: ``Trainer.fit`` seeds PyTorch's global generator with ``seed``
(plus ``RNNBOOK_SEED_OFFSET``, :mod:`rnnbook.seeding`) inside
``torch.random.fork_rng``, so everything random during training (shuffling by
``TensorBatches``, dropout, random offsets drawn by a batch factory) is fixed by
that one seed, and the caller's random state is left as it was. On a CPU, the
same model, data and seed give bitwise-identical losses and weights. (The
initial weights are the caller's: seed before building the model.)
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn

from .metrics import perplexity, sequence_cross_entropy
from .models.base import LanguageModel, detach_state
from .seeding import offset_seed

Batch = tuple[torch.Tensor, ...]
Batches = Iterable[Batch] | Callable[[int], Iterable[Batch]]
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
# the book build sets it (_ext/batch_mode.py): no live output
BATCH_MODE_ENV = "RNNBOOK_BATCH"


@dataclass
class History:
    """Mean training and validation loss of each epoch.

    ``val_loss`` is empty if no validation batches were given.

    ``grad_norm`` holds the norm of the whole gradient at every training step,
    measured before any clipping, all epochs one after the other.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    # wall time per epoch
    seconds: list[float] = field(default_factory=list, compare=False)
    grad_norm: list[float] = field(default_factory=list)

    @property
    def train_perplexity(self) -> list[float]:
        """:func:`rnnbook.perplexity` of each training loss: ``exp(loss)``, ``inf``
        where that overflows.

        The perplexity when the loss is a mean cross-entropy.
        """
        return [perplexity(v) for v in self.train_loss]

    @property
    def val_perplexity(self) -> list[float]:
        """:func:`rnnbook.perplexity` of each validation loss: ``exp(loss)``, ``inf``
        where that overflows.

        The perplexity when the loss is a mean cross-entropy.
        """
        return [perplexity(v) for v in self.val_loss]

    @property
    def total_seconds(self) -> float:
        """Wall time of the whole run (training and validation), in seconds."""
        return float(sum(self.seconds))


def gradient_norm(parameters: Iterable[torch.Tensor]) -> float:
    """Euclidean norm of all the gradients together, as if one long vector."""
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return 0.0
    norms = torch.stack([torch.linalg.vector_norm(g) for g in grads])
    return float(torch.linalg.vector_norm(norms))


def clip_gradients(parameters: Iterable[torch.Tensor],
                   max_norm: float) -> float:
    """Rescale gradients in place so that their joint norm is <= max_norm.

    ``g <- min(1, max_norm / ||g||) g``, where ``g`` is the gradient of *all*
    parameters together: the direction of the step is kept, only its length
    is capped. Returns ``||g||`` before clipping. Explained in
    ``book/rnn_scratch.md``.
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real):
        raise TypeError(f"max_norm must be a number, got "
                        f"{type(max_norm).__name__} ({max_norm!r})")
    if not max_norm > 0:  # also catches NaN
        raise ValueError(f"max_norm must be positive, got {max_norm}: a "
                         "zero or negative cap would erase or flip every "
                         "gradient; pass clip=None to train unclipped")
    parameters = [p for p in parameters if p.grad is not None]
    norm = gradient_norm(parameters)
    if norm > max_norm:
        scale = max_norm / norm
        for p in parameters:
            p.grad.mul_(scale)
    return norm


def default_device() -> torch.device:
    """The first CUDA GPU when one is available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Trainer:
    """Train ``model`` on minibatches with ``loss_fn`` and an optimizer.

    ``loss_fn(predictions, targets)`` must return the *mean* loss over the
    elements of ``targets``; epoch losses are then weighted by ``targets.numel()``,
    so a smaller last batch counts for what it holds. ``optimizer`` is a name
    (``"sgd"`` or ``"adam"``, with ``lr`` required) or a factory called with the
    model's parameters (``lr`` must then be left out). The model is moved to
    ``device`` (default: ``default_device()``) and stays there.

    ``clip``: a maximum gradient norm (see :func:`clip_gradients`), or None.
    ``progress``: a text progress bar (tqdm) on stderr; None means "when stderr
    is a terminal". ``live``: a plot of the curves redrawn in place in a
    notebook while training runs; None means "in a Jupyter kernel, except
    during the book build". Neither changes what is computed.
    """

    def __init__(self, model: nn.Module, loss_fn: Callable[..., torch.Tensor],
                 optimizer: str | Callable[..., torch.optim.Optimizer] = "sgd",
                 lr: float | None = None, seed: int = 0,
                 device: str | torch.device | None = None, clip: float | None = None,
                 progress: bool | None = None, live: bool | None = None) -> None:
        self.device = torch.device(device) if device is not None else default_device()
        self.model = model.to(self.device)
        self.loss_fn, self.seed = loss_fn, seed
        if clip is not None:
            clip_gradients([], clip)  # validates clip now, not at the first step
        self.clip = clip
        self.progress = _show_progress_bar() if progress is None else bool(progress)
        self.live = _in_notebook() if live is None else bool(live)
        # the epoch being run, counted from 1 (error messages name it)
        self.epoch = 1
        self.grad_norms: list[float] = []
        if isinstance(optimizer, str):
            if optimizer not in OPTIMIZERS:
                raise ValueError(f"unknown optimizer {optimizer!r}; use one of "
                                 f"{sorted(OPTIMIZERS)} or pass a factory such as "
                                 "lambda p: torch.optim.SGD(p, lr=0.1)")
            if lr is None or not lr > 0:
                raise ValueError(f"optimizer {optimizer!r} needs a learning rate "
                                 f"lr > 0, got {lr}")
            self.optimizer = OPTIMIZERS[optimizer](self.model.parameters(), lr=lr)
        elif callable(optimizer):
            if lr is not None:
                raise ValueError("lr is set inside an optimizer factory; leave lr=None")
            self.optimizer = optimizer(self.model.parameters())
        else:
            raise TypeError(f"optimizer must be a name or a factory, got "
                            f"{type(optimizer).__name__}")

    # ---- hooks that subclasses override -------------------------------------------
    def batch_loss(self, batch: Batch) -> tuple[torch.Tensor, int]:
        """Mean loss on one batch ``(inputs, targets)`` and how many elements it
        averages."""
        inputs, targets = batch
        return self.loss_fn(self.model(inputs), targets), targets.numel()

    def compute_gradients(self, batch: Batch) -> tuple[float, int]:
        """Fill every parameter's ``.grad`` for one batch.

        Returns (mean loss, elements averaged). The default is the usual
        forward pass and ``backward()`` through autograd. The gradients start
        cleared (``None``). A subclass may compute them another way, by hand for
        instance, and assign them to ``.grad``:
        clipping, the gradient-norm record, the NaN guard and the update then
        work unchanged (``rnnbook.BPTTTrainer``, ``book/bptt.md``).
        """
        loss, n = self.batch_loss(batch)
        value = loss.item()
        # the caller raises on a non-finite loss; no backward through it
        if math.isfinite(value):
            loss.backward()
        return value, n

    def start_epoch(self, train: bool) -> None:
        """Called before the first batch of every training epoch and every
        evaluation."""

    # ---- the loop -----------------------------------------------------------------
    def _batches(self, batches: Batches) -> Iterable[Batch]:
        # A function of the epoch (counted from 0) gives each epoch its own batches.
        for batch in (batches(self.epoch - 1) if callable(batches) else batches):
            yield tuple(t.to(self.device) for t in batch)

    def train_epoch(self, batches: Batches) -> float:
        """One pass of gradient steps over ``batches``; returns the mean training loss.

        The gradient norm of each step (before clipping) is appended to
        ``self.grad_norms``. A loss that is NaN or infinite stops training with a
        ``FloatingPointError`` naming the epoch and the step, before the
        optimizer can spread it into the weights.
        """
        self.model.train()
        self.start_epoch(train=True)
        total, count = 0.0, 0
        params = [p for p in self.model.parameters() if p.requires_grad]
        for step, batch in enumerate(self._batches(batches), start=1):
            self.optimizer.zero_grad()
            value, n = self.compute_gradients(batch)
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"the training loss became {value} at epoch {self.epoch}, "
                    f"step {step} (both counted from 1); training stopped. Lower "
                    "the learning rate, clip the gradients (clip=1.0) or check "
                    "the data of that step.")
            if self.clip is not None:
                self.grad_norms.append(clip_gradients(params, self.clip))
            else:
                self.grad_norms.append(gradient_norm(params))
            self.optimizer.step()
            total, count = total + value * n, count + n
        if count == 0:
            raise ValueError("the training batches were empty: nothing to train on")
        return total / count

    @torch.no_grad()
    def evaluate(self, batches: Batches) -> float:
        """Mean loss over ``batches`` without updating the model.

        A loss that is NaN or infinite is a ``FloatingPointError`` naming the
        epoch, as in training: the last update broke the model, and a NaN in
        the history would make every perplexity after it meaningless.
        """
        self.model.eval()
        self.start_epoch(train=False)
        total, count = 0.0, 0
        for batch in self._batches(batches):
            loss, n = self.batch_loss(batch)
            total, count = total + loss.item() * n, count + n
        if count == 0:
            raise ValueError("the validation batches were empty: nothing to evaluate")
        if not math.isfinite(total):
            raise FloatingPointError(
                f"the validation loss became {total / count} at epoch {self.epoch} "
                "(counted from 1): the model's outputs are no longer finite. Lower "
                "the learning rate or clip the gradients (clip=1.0).")
        return total / count

    def fit(self, train_batches: Batches, val_batches: Batches | None = None,
            num_epochs: int = 1) -> History:
        """Train for ``num_epochs`` epochs; returns the per-epoch loss history.

        ``train_batches`` and ``val_batches`` are iterated once per epoch: pass a
        re-iterable (such as ``TensorBatches``) or a function of the epoch
        number (0, 1, 2, ...) that returns that epoch's batches, such as
        ``TimeMachineData.loader(...)``.
        """
        if (isinstance(num_epochs, bool) or not isinstance(num_epochs, int)
                or num_epochs < 1):
            raise ValueError(
                f"num_epochs must be a positive int, got {num_epochs!r}")
        history = History()
        self.grad_norms = history.grad_norm
        bar = _ProgressBar(num_epochs) if self.progress else None
        plot = _LivePlot(num_epochs) if self.live else None
        cuda = [self.device] if self.device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=cuda):
                torch.manual_seed(offset_seed(self.seed))
                for epoch in range(1, num_epochs + 1):
                    self.epoch = epoch
                    start = time.perf_counter()
                    history.train_loss.append(self.train_epoch(train_batches))
                    if val_batches is not None:
                        history.val_loss.append(self.evaluate(val_batches))
                    history.seconds.append(time.perf_counter() - start)
                    if bar is not None:
                        bar.update(history)
                    if plot is not None:
                        plot.update(history)
        finally:
            if bar is not None:
                bar.close()
            if plot is not None:
                plot.close()
        return history


def fit(model: nn.Module, train_batches: Batches, val_batches: Batches | None,
        loss_fn: Callable[..., torch.Tensor], num_epochs: int, *,
        optimizer: str | Callable[..., torch.optim.Optimizer] = "sgd",
        lr: float | None = None, seed: int = 0,
        device: str | torch.device | None = None, clip: float | None = None,
        progress: bool | None = None, live: bool | None = None) -> History:
    """Train ``model`` in place and return its ``History``.

    ``Trainer(...).fit(...)`` in one call.
    """
    trainer = Trainer(model, loss_fn, optimizer=optimizer, lr=lr, seed=seed,
                      device=device, clip=clip, progress=progress, live=live)
    return trainer.fit(train_batches, val_batches, num_epochs)


class LanguageModelTrainer(Trainer):
    """Train an :class:`rnnbook.LanguageModel` on its ``loss(X, Y, state)``.

    The loss is a mean cross-entropy.

    Batches are pairs ``(X, Y)`` of token indices, (batch, num_steps), with ``Y``
    the one-token shift of ``X``. The trainer calls ``model.loss`` and nothing
    else, so ``History.train_perplexity`` and ``History.val_perplexity`` are
    perplexities whatever the model.

    ``carry_state=True`` (for sequential partitioning, where row ``i`` of one
    minibatch continues row ``i`` of the previous one) starts each minibatch
    from the final hidden state of the previous one, *detached* from its graph:
    the forward computation sees the whole history, while gradients stop at
    the minibatch boundary. Every epoch and every evaluation starts from zeros.
    Explained in ``book/rnn_scratch.md``.
    """

    def __init__(self, model: nn.Module, *, carry_state: bool = False,
                 **kwargs) -> None:
        if not isinstance(model, LanguageModel):
            raise TypeError(f"model must be an rnnbook.LanguageModel, got "
                            f"{type(model).__name__}: subclass "
                            "rnnbook.LanguageModel and write forward(X, state); "
                            "loss comes with it")
        if "loss_fn" in kwargs:
            raise TypeError("LanguageModelTrainer always uses "
                            "rnnbook.sequence_cross_entropy; "
                            "use Trainer for another loss")
        super().__init__(model, sequence_cross_entropy, **kwargs)
        self.carry_state = bool(carry_state)
        self.state = None  # a tensor, a tuple of tensors (an LSTM's (H, C)) or None

    def start_epoch(self, train: bool) -> None:
        self.state = None

    def batch_loss(self, batch: Batch) -> tuple[torch.Tensor, int]:
        X, Y = batch
        state = self.state if self.carry_state else None
        loss, state = self.model.loss(X, Y, state)  # LanguageModel's
        if self.carry_state:
            self.state = detach_state(state)
        return loss, Y.numel()


def fit_language_model(model: nn.Module, train_batches: Batches,
                       val_batches: Batches | None, num_epochs: int, *,
                       carry_state: bool = False, **kwargs) -> History:
    """``LanguageModelTrainer(model, carry_state=..., **kwargs).fit(...)`` in one
    call."""
    trainer = LanguageModelTrainer(model, carry_state=carry_state, **kwargs)
    return trainer.fit(train_batches, val_batches, num_epochs)


# ---- progress reports (they change nothing that is computed) ----------------------
def _in_notebook() -> bool:
    """True in a Jupyter kernel that can redraw an output in place, except in the build.

    Judged by what the shell can do, not by its class name, so JupyterLab, the
    classic notebook, VS Code, Colab (whose shell has its own class) and Thebe all
    count: the shell is attached to a kernel (``shell.kernel``), and its display
    publisher takes the ``transient``/``update`` arguments that
    ``display(..., display_id=True).update(...)`` sends. A terminal IPython has no
    kernel; the book build sets ``RNNBOOK_BATCH`` (``_ext/batch_mode.py``).
    """
    if os.environ.get(BATCH_MODE_ENV):
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    publish = getattr(getattr(shell, "display_pub", None), "publish", None)
    try:
        params = inspect.signature(publish).parameters
    except (TypeError, ValueError):  # no publisher, or one Python cannot inspect
        return False
    keywords = any(p.kind is p.VAR_KEYWORD for p in params.values())
    return keywords or {"transient", "update"} <= params.keys()


def _show_progress_bar() -> bool:
    """A text bar: on a terminal, and in a Jupyter kernel (its stderr is no tty)."""
    if os.environ.get(BATCH_MODE_ENV):
        return False
    return sys.stderr.isatty() or _in_notebook()


def _last(history: History) -> str:
    parts = [f"train loss {history.train_loss[-1]:.4g}"]
    if history.val_loss:
        parts.append(f"val loss {history.val_loss[-1]:.4g}")
    return ", ".join(parts)


class _ProgressBar:
    """A tqdm bar over epochs on stderr, showing the latest losses."""

    def __init__(self, num_epochs: int) -> None:
        from tqdm import tqdm
        self.bar = tqdm(total=num_epochs, unit="epoch", file=sys.stderr, leave=True)

    def update(self, history: History) -> None:
        self.bar.set_postfix_str(_last(history), refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


class _LivePlot:
    """The training curves, redrawn in one notebook output about 20 times per run."""

    def __init__(self, num_epochs: int, updates: int = 20) -> None:
        self.num_epochs = num_epochs
        self.every = max(1, num_epochs // updates)
        self.handle = None

    def update(self, history: History) -> None:
        epoch = len(history.train_loss)
        if epoch % self.every and epoch != self.num_epochs:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        from .plotting import plot_history
        ax = plot_history(history)
        ax.set_title(f"epoch {epoch} of {self.num_epochs}: {_last(history)}",
                     fontsize=10)

        fig = ax.figure
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)

    def close(self) -> None:
        self.handle = None
