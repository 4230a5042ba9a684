"""One look for every figure in the book.

Figures get an opaque white background on purpose: the book has a dark theme,
and a transparent figure would put dark axis labels on a dark page. A white card
stays legible in both themes (the browser tests check this).
"""

from __future__ import annotations

import matplotlib as mpl

BOOK_STYLE = {
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "axes.facecolor": "white",
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.figsize": (6.4, 3.6),
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib defaults (call once at the top of a page)."""
    mpl.rcParams.update(BOOK_STYLE)


def plot_history(history, ax=None, perplexity: bool = True, label: str = "", **line_kw):
    """Training and validation curves of a :class:`rnnbook.History`, one point per
    epoch.

    ``perplexity=True`` plots ``exp(loss)`` (for cross-entropy losses),
    otherwise the loss itself. ``label`` prefixes the legend entries, so that
    several runs can share one axes. Returns the axes. Used by the trainer's
    live plot and, for the final figures, by ``book/rnn_scratch.md``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    train = history.train_perplexity if perplexity else history.train_loss
    val = history.val_perplexity if perplexity else history.val_loss
    epochs = range(1, len(train) + 1)
    prefix = f"{label} " if label else ""
    line_kw = {
        k: v for k, v in line_kw.items() if k != "linestyle"
    }  # solid = train, dashed = validation
    (line,) = ax.plot(epochs, train, label=f"{prefix}train", **line_kw)
    if val:
        line_kw["color"] = line.get_color()  # one colour per run
        ax.plot(
            range(1, len(val) + 1),
            val,
            linestyle="--",
            label=f"{prefix}validation",
            **line_kw,
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity" if perplexity else "loss")
    ax.legend()
    return ax


def plot_grad_norms(
    norms, ax=None, label: str = "", clip: float | None = None, **line_kw
):
    """The gradient norm of every training step (``History.grad_norm``), on a log scale.

    ``clip`` draws the clipping threshold as a dotted horizontal line. Returns
    the axes. Used in ``book/rnn_scratch.md``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    ax.plot(range(1, len(norms) + 1), norms, label=label or None, **line_kw)
    if clip is not None:
        ax.axhline(
            clip,
            color="#555555",
            linestyle=":",
            linewidth=1.5,
            label=f"threshold {clip:g}",
        )
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("gradient norm")
    if label or clip is not None:
        ax.legend()
    return ax
