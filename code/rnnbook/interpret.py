"""Looking inside a trained character model: text signals, unit correlations,
saliency by lag and per-class bits per character.

Explained on the page "Looking inside a trained network" (``book/inside.md``),
after Karpathy, Johnson & Fei-Fei (2015). Every function works on plain arrays
or on a :class:`rnnbook.CharLM`, so the page's cells stay short.

Text signals give one number per character of a text, for the character just
read (the hidden state after reading character ``t`` is compared with the
signal at ``t``):

* ``line position``: characters since the last line break (0 for the first
  character of a line; a line break gets the length of the line it ends);
* ``word position``: 1, 2, ... for the letters of a word, 0 for other characters;
* ``inside parentheses``: 1 from an ``(`` to the next ``)``, both included;
* ``inside speech``: 1 from an opening single quote to its closing quote (see
  :func:`inside_speech`: the novel's single quotes double as apostrophes);
* ``inside double quotes``: 1 from a ``"`` to the next ``"``, both included.
"""

from __future__ import annotations

import numpy as np
import torch

from .checks import check_positive_int, check_real, check_str

SIGNALS = ("line position", "word position", "inside parentheses",
           "inside speech", "inside double quotes")


def line_position(text: str) -> np.ndarray:
    """Characters since the last line break, for each character: (len(text),)."""
    check_str("text", text, min_length=1)
    out = np.empty(len(text))
    start = 0
    for i, ch in enumerate(text):
        out[i] = i - start
        if ch == "\n":
            start = i + 1
    return out


def word_position(text: str) -> np.ndarray:
    """1, 2, ... along the letters of each word; 0 for a non-letter: (len(text),)."""
    check_str("text", text, min_length=1)
    out = np.zeros(len(text))
    run = 0
    for i, ch in enumerate(text):
        run = run + 1 if ch.isalpha() else 0
        out[i] = run
    return out


def _between(text: str, opening: str, closing: str) -> np.ndarray:
    out = np.zeros(len(text))
    inside = False
    for i, ch in enumerate(text):
        if not inside and ch == opening:
            inside = True
            out[i] = 1
        elif inside:
            out[i] = 1
            if ch == closing:
                inside = False
    return out


def inside_parentheses(text: str) -> np.ndarray:
    """1 from ``(`` to the next ``)``, both included; else 0: (len(text),)."""
    return _between(check_str("text", text, min_length=1), "(", ")")


def inside_double_quotes(text: str) -> np.ndarray:
    """1 from a ``"`` to the next ``"``, both included; else 0: (len(text),)."""
    return _between(check_str("text", text, min_length=1), '"', '"')


def inside_speech(text: str) -> np.ndarray:
    """1 inside speech marked by single quotes, else 0: (len(text),).

    A single quote is also the apostrophe of ``don't`` and ``travellers'``, so
    a quote opens speech only where it stands at the start of the text or
    after white space, a ``(`` or a ``-``, and is followed by a character that
    is not white space. Inside speech, a quote closes it when it follows a
    character that is not white space and is not followed by a letter
    (``don't`` does not close it, ``ended.'`` does). A paragraph break (a
    blank line) also ends speech: the novel, like most books, leaves a
    quotation open at the end of a paragraph when the next paragraph goes on
    speaking, and reopens it there. Both quotes count as inside.
    """
    check_str("text", text, min_length=1)
    out = np.zeros(len(text))
    inside = False
    for i, ch in enumerate(text):
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if inside and ch == "\n" and before == "\n":
            inside = False  # a paragraph break ends the quotation
        if ch == "'":
            if not inside and (before.isspace() or before in "(-") \
                    and not after.isspace():
                inside = True
                out[i] = 1
                continue
            if inside and not before.isspace() and not after.isalpha():
                out[i] = 1
                inside = False
                continue
        out[i] = 1 if inside else 0
    return out


def text_signals(text: str) -> dict[str, np.ndarray]:
    """Every signal of :data:`SIGNALS` for ``text``: name -> (len(text),)."""
    return {
        "line position": line_position(text),
        "word position": word_position(text),
        "inside parentheses": inside_parentheses(text),
        "inside speech": inside_speech(text),
        "inside double quotes": inside_double_quotes(text),
    }


def unit_correlations(activations, signal) -> np.ndarray:
    """Pearson correlation of each unit with ``signal``: (T, units), (T,) -> (units,).

    A unit that never changes has no correlation and gets 0. A constant
    signal is an error: it has nothing to correlate with.
    """
    A = np.asarray(activations, dtype=np.float64)
    s = np.asarray(signal, dtype=np.float64)
    if A.ndim != 2 or s.ndim != 1 or A.shape[0] != s.shape[0]:
        raise ValueError(f"activations must be (T, units) and signal (T,) with the "
                         f"same T; got {A.shape} and {s.shape}")
    if A.shape[0] < 2:
        raise ValueError("a correlation needs at least 2 time steps")
    s = s - s.mean()
    if not np.any(s):
        raise ValueError("the signal is constant over these characters: it never "
                         "happens here (measure it on a text where it does)")
    A = A - A.mean(axis=0)
    norms = np.sqrt((A ** 2).sum(axis=0)) * np.sqrt((s ** 2).sum())
    cov = A.T @ s  # (units,)
    return np.divide(cov, norms, out=np.zeros_like(cov), where=norms > 0)


@torch.no_grad()
def unit_activations(model, corpus: torch.Tensor, streams: int = 1) -> np.ndarray:
    """Hidden state of ``model`` after each character of ``corpus``:
    (T,) -> (T, hidden).

    ``model`` is a :class:`rnnbook.CharLM`. The corpus is cut into ``streams``
    consecutive pieces of equal length (the last one padded), read side by
    side as one minibatch, each from a zero state: with ``streams=1`` it is
    one stream from start to end; more streams cost less time on a long text,
    and only the first characters of each piece lack their context.
    """
    corpus = torch.as_tensor(corpus)
    if corpus.ndim != 1 or corpus.numel() < 1:
        raise ValueError(f"corpus must be a non-empty 1-D tensor, got shape "
                         f"{tuple(corpus.shape)}")
    streams = check_positive_int("streams", streams)
    T = corpus.numel()
    length = -(-T // streams)  # ceil
    padded = torch.zeros(streams * length, dtype=corpus.dtype)
    padded[:T] = corpus
    X = padded.reshape(streams, length)  # (streams, length)
    _, _, hiddens = model.forward_embedded(model.embedding(X))
    return hiddens.reshape(streams * length, -1)[:T].numpy()  # (T, hidden)


@torch.no_grad()
def next_char_log_probs(model, corpus: torch.Tensor, chunk: int = 4096
                        ) -> torch.Tensor:
    """log p of every next character of ``corpus`` under ``model``, read as one
    stream: (T,) -> (T - 1, vocab); row t is the distribution of character t+1."""
    corpus = torch.as_tensor(corpus)
    if corpus.ndim != 1 or corpus.numel() < 2:
        raise ValueError("corpus must be a 1-D tensor of at least 2 characters")
    state, parts = None, []
    for start in range(0, corpus.numel() - 1, chunk):
        X = corpus[start:min(start + chunk, corpus.numel() - 1)][None]
        logits, state = model(X, state)  # (1, steps, vocab)
        parts.append(torch.log_softmax(logits[0], dim=-1))
    return torch.cat(parts)


def saliency_by_lag(model, windows: torch.Tensor) -> torch.Tensor:
    """Mean size of the gradient of log p(last character) with respect to each
    earlier input: (batch, L + 1) -> (L,), entry k - 1 for lag k = 1 .. L.

    Each row of ``windows`` is read from a zero state; its first ``L``
    characters are the inputs and its last one the target ``x_t``. The
    gradient of ``log p(x_t | x_<t)`` with respect to the embedded input at
    ``t - k`` is taken (``model.forward_embedded``), its Euclidean norm
    measured, and the norms averaged over the rows. Lag 1 is the character
    just before the target.
    """
    windows = torch.as_tensor(windows)
    if windows.ndim != 2 or windows.shape[1] < 2:
        raise ValueError(f"windows must be (batch, L + 1) with L >= 1, got shape "
                         f"{tuple(windows.shape)}")
    inputs, target = windows[:, :-1], windows[:, -1]  # (batch, L), (batch,)
    embedded = model.embedding(inputs).detach().requires_grad_(True)  # (b, L, e)
    logits, _, _ = model.forward_embedded(embedded)  # (batch, L, vocab)
    log_p = torch.log_softmax(logits[:, -1], dim=-1)  # (batch, vocab)
    # Rows do not interact, so one backward pass of the sum gives every row.
    log_p.gather(1, target[:, None]).sum().backward()
    norms = embedded.grad.norm(dim=-1)  # (batch, L)
    return norms.mean(dim=0).flip(0)  # lag 1 first


def lag_below(curve, fraction: float = 0.01) -> int | None:
    """The first lag k at which ``curve`` (entry k - 1 for lag k) falls below
    ``fraction`` of its value at lag 1; None if it never does."""
    curve = np.asarray(curve, dtype=np.float64)
    if curve.ndim != 1 or curve.size < 1 or curve[0] <= 0:
        raise ValueError("curve must be 1-D with a positive value at lag 1")
    check_real("fraction", fraction, 0, 1, low_open=True, high_open=True)
    below = np.nonzero(curve < fraction * curve[0])[0]
    return int(below[0]) + 1 if below.size else None


# The classes of the last section of the page, in their order of precedence:
# a character belongs to the first class whose rule it meets.
CHAR_CLASSES = ("line break", "space", "punctuation", "first letter of a word",
                "letters 2 to 4 of a word", "letter 5 or later of a word")


def char_classes(text: str) -> np.ndarray:
    """Class index (into :data:`CHAR_CLASSES`) of each character: (len(text),).

    Precedence: a line break; a space; any other character that is not a
    letter (punctuation, digits, quotes); a letter whose word starts there; a
    letter 2nd to 4th in its word; a letter 5th or later in its word (the
    character before its word lies beyond the four characters a 5-gram sees).
    """
    pos = word_position(text)
    out = np.empty(len(text), dtype=np.int64)
    for i, ch in enumerate(text):
        if ch == "\n":
            out[i] = 0
        elif ch == " ":
            out[i] = 1
        elif not ch.isalpha():
            out[i] = 2
        elif pos[i] == 1:
            out[i] = 3
        elif pos[i] <= 4:
            out[i] = 4
        else:
            out[i] = 5
    return out


def bits_by_class(log_probs, classes) -> np.ndarray:
    """Mean bits per character of each class: -log2 p averaged within classes.

    ``log_probs`` (T,) in nats; ``classes`` (T,) indices into
    :data:`CHAR_CLASSES`. A class with no character gets NaN.
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    cl = np.asarray(classes)
    if lp.shape != cl.shape or lp.ndim != 1:
        raise ValueError(f"log_probs and classes must be 1-D of one length, got "
                         f"{lp.shape} and {cl.shape}")
    bits = -lp / np.log(2)
    return np.array([bits[cl == k].mean() if np.any(cl == k) else np.nan
                     for k in range(len(CHAR_CLASSES))])
