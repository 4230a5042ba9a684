"""The encoder-decoder, with or without additive attention, and its decoders.

Explained in ``book/seq2seq.md``. The encoder reads the padded source
``X`` (batch, S) in both directions and hands the decoder two things: a
summary state (batch, hidden) that starts the decoder, and a :class:`Source`,
one entry per source position. Without attention the decoder sees the source
only through the summary: every string, long or short, must pass through one
fixed-size vector. With attention, at every output step the decoder scores all
source positions, turns the scores into weights that sum to 1 over the real
(unpadded) positions, and reads the weighted average of their values.

Padding is handled by lengths, never by hoping the model ignores ``PAD``: the
backward pass reads each string from its own last token, the summary takes the
forward state at each string's own end, and attention gives padded positions a
weight of exactly zero. So padding a batch more changes no output.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from ..checks import check_positive_int
from ..data.transduction import BOS, EOS, PAD, reversal_batch
from ..seeding import generator

__all__ = ["Source", "Encoder", "Decoder", "Seq2Seq", "additive_attention",
           "reverse_padded", "check_source", "greedy_decode", "beam_search",
           "sequence_log_prob", "exact_match", "fit_seq2seq"]


def check_source(X: object, X_len: object, vocab_size: int) -> None:
    """Check a padded source batch: token ids (batch, steps) and lengths (batch,).

    Empty strings, lengths longer than the tensor, and ids outside the
    vocabulary each raise ``ValueError`` naming the problem.
    """
    if not isinstance(X, torch.Tensor) or not isinstance(X_len, torch.Tensor):
        raise TypeError("X and X_len must be tensors: token ids (batch, steps) "
                        "and lengths (batch,); rnnbook.data.transduction.pad "
                        "makes both from lists")
    if X.dtype != torch.long or X.ndim != 2 or 0 in X.shape:
        raise ValueError(f"X must be int64 token ids (batch, steps), both at least "
                         f"1, got dtype {X.dtype} and shape {tuple(X.shape)}")
    if X_len.shape != (X.shape[0],):
        raise ValueError(f"X_len must hold one length per row of X, shape "
                         f"({X.shape[0]},), got {tuple(X_len.shape)}")
    if int(X_len.min()) < 1:
        raise ValueError(f"X_len holds a length of {int(X_len.min())}: every "
                         "source needs at least one token")
    if int(X_len.max()) > X.shape[1]:
        raise ValueError(f"X_len holds a length of {int(X_len.max())} but X has "
                         f"only {X.shape[1]} steps: pad X to the longest string")
    low, high = int(X.min()), int(X.max())
    if low < 0 or high >= vocab_size:
        raise ValueError(f"X holds token ids outside [0, {vocab_size}): min {low}, "
                         f"max {high}; was it encoded with the task's tokens?")


def reverse_padded(X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each row's first ``lengths[i]`` entries reversed; padding left in place.

    ``X`` is (batch, steps) or (batch, steps, features). Applying it twice
    gives ``X`` back. The backward encoder reads ``reverse_padded(X)`` so
    that it starts from each string's own last token, not from padding.
    """
    positions = torch.arange(X.shape[1], device=X.device)       # (steps,)
    index = lengths[:, None] - 1 - positions                    # (batch, steps)
    index = torch.where(index >= 0, index, positions)           # pads stay put
    if X.ndim == 3:
        index = index[..., None].expand_as(X)
    return X.gather(1, index)


class Source(NamedTuple):
    """What the decoder may read of an encoded source batch.

    ``states`` (batch, S, 2 * hidden): the encoder's forward and backward
    state at each position, which say *where* the position is in the string;
    ``symbols`` (batch, S, embed): the embedding of the symbol at each
    position, *what* is there; ``mask`` (batch, S): True at real positions,
    False at padding.
    """

    states: torch.Tensor
    symbols: torch.Tensor
    mask: torch.Tensor

    def repeat(self, k: int) -> "Source":
        """The first source, ``k`` times: one row per beam."""
        return Source(*(x[:1].expand(k, *x.shape[1:]) for x in self))


def additive_attention(query: torch.Tensor, keys: torch.Tensor,
                       values: torch.Tensor, mask: torch.Tensor,
                       W_q: nn.Module, w_v: nn.Module,
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    """Additive attention (Bahdanau et al. 2015): ``(context, weights)``.

    ``query`` (batch, q): the decoder's state; ``keys`` (batch, S, a): the
    source positions, already multiplied by their weight matrix (they do not
    change from one decoder step to the next, so the decoder does that once);
    ``values`` (batch, S, v); ``mask`` (batch, S), True at real positions.
    Score of position j: ``w_v . tanh(W_q query + keys_j)``. The weights are
    the softmax of the scores over the real positions (padded ones get
    exactly 0, so each row sums to 1 over the real ones) and the context is
    the weighted average of the values. context (batch, v), weights (batch, S).
    """
    features = torch.tanh(W_q(query)[:, None] + keys)     # (batch, S, a)
    scores = w_v(features).squeeze(-1)                    # (batch, S)
    scores = scores.masked_fill(~mask, float("-inf"))     # padding: exp = 0
    weights = torch.softmax(scores, dim=-1)               # (batch, S)
    context = (weights[:, :, None] * values).sum(1)       # (batch, v)
    return context, weights


class Encoder(nn.Module):
    """A bidirectional GRU over a padded source: ``(source, summary)``.

    ``forward(X, X_len)``: X (batch, S) token ids, X_len (batch,) lengths.
    ``source`` is a :class:`Source`: the forward and backward state of every
    position, the symbols' embeddings and the mask. ``summary`` (batch,
    hidden) is a tanh layer over the forward state at each string's last
    token and the backward state at its first: the decoder's initial state.
    """

    def __init__(self, vocab_size: int, num_hiddens: int,
                 embed_size: int = 16) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.forward_rnn = nn.GRU(embed_size, num_hiddens, batch_first=True)
        self.backward_rnn = nn.GRU(embed_size, num_hiddens, batch_first=True)
        self.summary = nn.Linear(2 * num_hiddens, num_hiddens)

    def forward(self, X: torch.Tensor,
                X_len: torch.Tensor) -> tuple[Source, torch.Tensor]:
        E = self.embedding(X)                              # (batch, S, embed)
        H_fwd, _ = self.forward_rnn(E)                     # (batch, S, hidden)
        H_bwd, _ = self.backward_rnn(reverse_padded(E, X_len))
        H_bwd = reverse_padded(H_bwd, X_len)               # back in source order
        last = H_fwd[torch.arange(X.shape[0]), X_len - 1]  # (batch, hidden)
        summary = torch.tanh(self.summary(torch.cat([last, H_bwd[:, 0]], -1)))
        mask = torch.arange(X.shape[1]) < X_len[:, None]   # (batch, S) real?
        return Source(torch.cat([H_fwd, H_bwd], -1), E, mask), summary


class Decoder(nn.Module):
    """A GRU decoder; with ``attention=True`` it reads the source at every step.

    ``forward(Y, state, source) -> (logits, state, weights)``: Y (batch, T)
    input tokens, state (batch, hidden), source a :class:`Source`. Without
    attention a GRU runs over the T inputs from the encoder's summary and
    never looks at the source again. With attention each step first uses the
    previous state ``s_{t-1}`` as the query to read a context ``u_t``, then
    feeds ``[embedding of y_{t-1}, u_t]`` to the GRU cell, and scores the
    next token from ``[s_t, u_t]``. The keys are the encoder's states, which
    say where each position is; the values are the source symbols'
    embeddings, what each position holds (Bahdanau et al. 2015 use the
    states for both). logits (batch, T, vocab); weights (batch, T, S), or
    None without attention.
    """

    def __init__(self, vocab_size: int, num_hiddens: int, embed_size: int = 16,
                 attention: bool = True, attention_size: int = 16) -> None:
        super().__init__()
        self.attention = attention
        self.embedding = nn.Embedding(vocab_size, embed_size)
        if attention:
            a = check_positive_int("attention_size", attention_size)
            v = embed_size                     # the values: the symbols
            self.W_q = nn.Linear(num_hiddens, a, bias=False)
            self.W_k = nn.Linear(2 * num_hiddens, a, bias=False)
            self.w_v = nn.Linear(a, 1, bias=False)
            self.cell = nn.GRUCell(embed_size + v, num_hiddens)
            self.output = nn.Linear(num_hiddens + v, vocab_size)
        else:
            self.rnn = nn.GRU(embed_size, num_hiddens, batch_first=True)
            self.output = nn.Linear(num_hiddens, vocab_size)

    def forward(self, Y: torch.Tensor, state: torch.Tensor, source: Source):
        E = self.embedding(Y)                              # (batch, T, embed)
        if not self.attention:
            S, state = self.rnn(E, state[None])            # (batch, T, hidden)
            return self.output(S), state[0], None
        keys = self.W_k(source.states)      # (batch, S, a): once, not per step
        outputs, weights = [], []
        for t in range(Y.shape[1]):
            context, w = additive_attention(state, keys, source.symbols,
                                            source.mask, self.W_q, self.w_v)
            state = self.cell(torch.cat([E[:, t], context], -1), state)
            outputs.append(torch.cat([state, context], -1))
            weights.append(w)
        S = torch.stack(outputs, 1)                        # (batch, T, hidden+v)
        return self.output(S), state, torch.stack(weights, 1)


class Seq2Seq(nn.Module):
    """Encoder and decoder: ``forward(X, X_len, Y_in) -> logits`` (teacher forcing).

    ``X`` (batch, S) padded sources, ``X_len`` (batch,) their lengths, ``Y_in``
    (batch, T) the decoder's inputs: ``BOS`` and then the true target, so that
    every step is conditioned on the right previous token. logits (batch, T,
    vocab). ``loss(X, X_len, Y_in, Y_out)`` is the mean cross-entropy over the
    target tokens that are not ``PAD``.
    """

    def __init__(self, vocab_size: int, num_hiddens: int = 32,
                 attention: bool = True, embed_size: int = 16) -> None:
        super().__init__()
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        check_positive_int("num_hiddens", num_hiddens)
        self.encoder = Encoder(vocab_size, num_hiddens, embed_size)
        self.decoder = Decoder(vocab_size, num_hiddens, embed_size, attention)

    def encode(self, X: torch.Tensor,
               X_len: torch.Tensor) -> tuple[Source, torch.Tensor]:
        """``(source, state)``: what the decoder reads, and its first state."""
        check_source(X, X_len, self.vocab_size)
        return self.encoder(X, X_len)

    def forward(self, X: torch.Tensor, X_len: torch.Tensor,
                Y_in: torch.Tensor) -> torch.Tensor:
        source, state = self.encode(X, X_len)
        logits, _, _ = self.decoder(Y_in, state, source)
        return logits                                      # (batch, T, vocab)

    def loss(self, X: torch.Tensor, X_len: torch.Tensor, Y_in: torch.Tensor,
             Y_out: torch.Tensor) -> torch.Tensor:
        logits = self(X, X_len, Y_in)
        return F.cross_entropy(logits.flatten(0, 1), Y_out.flatten(),
                               ignore_index=PAD)


def fit_seq2seq(model: Seq2Seq, num_steps: int = 200, batch_size: int = 128,
                lengths: tuple[int, int] = (4, 20), lr: float = 0.03,
                num_symbols: int = 10, seed: int = 0,
                sampling: float = 0.0) -> list[float]:
    """Train ``model`` on fresh reversal batches with Adam; the losses.

    Each step draws ``batch_size`` strings with lengths in ``lengths`` from a
    generator seeded with ``seed`` (through the book's seed offset) and takes
    one Adam step on the teacher-forced loss, gradients clipped to norm 1;
    the learning rate falls linearly to 5% of ``lr`` over the run.
    ``sampling`` > 0 is scheduled sampling (``book/seq2seq.md``, exercise):
    each decoder input after ``BOS`` is replaced, with that probability, by
    the model's own greedy prediction for it.
    """
    g = generator(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    decay = torch.optim.lr_scheduler.LinearLR(opt, 1.0, 0.05, num_steps)
    losses = []
    for _ in range(check_positive_int("num_steps", num_steps)):
        X, X_len, Y_in, Y_out = reversal_batch(batch_size, lengths,
                                               num_symbols, g)
        if sampling > 0:
            Y_in = sampled_inputs(model, X, X_len, Y_in, sampling, g)
        loss = model.loss(X, X_len, Y_in, Y_out)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        decay.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def sampled_inputs(model: Seq2Seq, X, X_len, Y_in, p: float,
                   g: torch.Generator) -> torch.Tensor:
    """``Y_in`` with each input after ``BOS`` swapped, with probability ``p``,
    for the model's own prediction of it from the true inputs before it."""
    predicted = model(X, X_len, Y_in).argmax(-1)          # (batch, T)
    swap = torch.rand(Y_in.shape, generator=g) < p
    swap[:, 0] = False                                     # BOS stays
    mixed = Y_in.clone()
    mixed[:, 1:] = torch.where(swap[:, 1:], predicted[:, :-1], Y_in[:, 1:])
    return torch.where(Y_in == PAD, Y_in, mixed)


@torch.no_grad()
def greedy_decode(model: Seq2Seq, X: torch.Tensor, X_len: torch.Tensor,
                  max_steps: int):
    """Greedy decoding: ``(tokens, log_prob, weights)`` for a source batch.

    At every step the decoder reads its own previous output (``BOS`` first)
    and emits the most probable token. ``tokens`` (batch, max_steps); after a
    row's ``EOS`` its entries are ``PAD``. ``log_prob`` (batch,) sums the
    log-probabilities of each row's tokens up to and including ``EOS``;
    ``weights`` (batch, max_steps, S) are the attention weights (None without
    attention).
    """
    source, state = model.encode(X, X_len)
    y = torch.full((X.shape[0], 1), BOS)
    done = torch.zeros(X.shape[0], dtype=torch.bool)
    tokens, weights = [], []
    log_prob = torch.zeros(X.shape[0])
    for _ in range(check_positive_int("max_steps", max_steps)):
        logits, state, w = model.decoder(y, state, source)
        logp = logits[:, -1].log_softmax(-1)               # (batch, vocab)
        y = logp.argmax(-1, keepdim=True)                  # (batch, 1)
        log_prob += torch.where(done, 0.0, logp.gather(1, y)[:, 0])
        tokens.append(torch.where(done[:, None], PAD, y))
        done |= y[:, 0] == EOS
        if w is not None:
            weights.append(w)
    return (torch.cat(tokens, 1), log_prob,
            torch.cat(weights, 1) if weights else None)


@torch.no_grad()
def sequence_log_prob(model: Seq2Seq, X: torch.Tensor, X_len: torch.Tensor,
                      tokens: list[int]) -> float:
    """log P(tokens | source) under ``model``, for one source (steps,)."""
    source, state = model.encode(X[None], X_len.reshape(1))
    Y_in = torch.tensor([[BOS] + list(tokens[:-1])])
    logits, _, _ = model.decoder(Y_in, state, source)
    logp = logits[0].log_softmax(-1)                       # (T, vocab)
    return float(logp[torch.arange(len(tokens)), torch.tensor(tokens)].sum())


@torch.no_grad()
def beam_search(model: Seq2Seq, X: torch.Tensor, X_len: torch.Tensor,
                beam_width: int, max_steps: int,
                gamma: float = 0.75) -> tuple[list[int], float]:
    """Beam search for one source ``X`` (S,): ``(tokens, log_prob)``.

    Keep the ``beam_width`` most probable prefixes. At every step extend each
    by every token and keep the ``beam_width`` extensions with the highest
    total log-probability; an extension that ends in ``EOS`` is finished and
    set aside (it still took one of the places). After ``max_steps`` the
    unfinished ones are finished too. The answer is the finished output with
    the highest length-normalised score ``log P / length ** gamma``;
    ``gamma = 0`` ranks by the total alone. Width 1 is greedy decoding.
    """
    beam_width = check_positive_int("beam_width", beam_width)
    max_steps = check_positive_int("max_steps", max_steps)
    source, state = model.encode(X[None], X_len.reshape(1))
    beams = [([], 0.0)]                  # (tokens, total log-prob) per prefix
    states = state                       # (beams, hidden)
    finished = []                        # (tokens, total log-prob)
    for step in range(max_steps):
        last = torch.tensor([[b[0][-1] if b[0] else BOS] for b in beams])
        logits, states, _ = model.decoder(last, states,
                                          source.repeat(len(beams)))
        totals = (torch.tensor([b[1] for b in beams], dtype=torch.double)
                  [:, None] + logits[:, -1].log_softmax(-1).double())
        top = totals.flatten().topk(min(beam_width, totals.numel()))
        kept, rows = [], []
        for score, index in zip(top.values.tolist(), top.indices.tolist()):
            i, token = divmod(index, totals.shape[1])  # prefix i, next token
            tokens = beams[i][0] + [token]
            if token == EOS or step == max_steps - 1:
                finished.append((tokens, score))
            else:
                kept.append((tokens, score))
                rows.append(i)
        if not kept:
            break
        beams, states = kept, states[rows]             # (kept, hidden)
    return max(finished, key=lambda f: f[1] / len(f[0]) ** gamma)


def exact_match(tokens: torch.Tensor, Y_out: torch.Tensor) -> torch.Tensor:
    """Per row, whether decoded ``tokens`` equal the target up to its ``EOS``.

    ``tokens`` (batch, >= T) and ``Y_out`` (batch, T) padded with ``PAD``;
    positions where ``Y_out`` is ``PAD`` are not compared. (batch,) bool.
    """
    T = Y_out.shape[1]
    if tokens.shape[1] < T:
        return torch.zeros(Y_out.shape[0], dtype=torch.bool)
    same = (tokens[:, :T] == Y_out) | (Y_out == PAD)
    return same.all(1)
