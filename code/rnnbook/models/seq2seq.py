"""The encoder-decoder, with or without additive attention, and its decoders.

Explained in ``book/seq2seq.md``. The encoder reads the padded source
``X`` (batch, steps) in both directions and hands the decoder two things: a
summary state (batch, hidden) that starts the decoder, and the memory, one
vector per source position (batch, steps, 2 * hidden). Without attention the
decoder sees the source only through the summary: every string, long or short,
must pass through one fixed-size vector. With attention, at every output step
the decoder scores all source positions, turns the scores into weights that sum
to 1 over the real (unpadded) positions, and reads their weighted average.

Padding is handled by lengths, never by hoping the model ignores ``PAD``: the
backward pass reads each string from its own last token, the summary takes the
forward state at each string's own end, and attention gives padded positions a
weight of exactly zero. So padding a batch more changes no output.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..checks import check_positive_int
from ..data.transduction import BOS, EOS, PAD

__all__ = ["Encoder", "Decoder", "Seq2Seq", "additive_attention",
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


def additive_attention(queries: torch.Tensor, keys: torch.Tensor,
                       values: torch.Tensor, mask: torch.Tensor,
                       W_q: nn.Module, W_k: nn.Module,
                       w_v: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """Additive attention (Bahdanau et al. 2015): ``(context, weights)``.

    ``queries`` (batch, T, q), ``keys`` (batch, S, k), ``values`` (batch, S, v),
    ``mask`` (batch, S) True at real positions. Score of query t for key j:
    ``e_tj = w_v . tanh(W_q q_t + W_k k_j)``; the weights are the softmax of
    the scores over the real positions (padded ones get exactly 0), and the
    context is the weighted average of the values: (batch, T, v), weights
    (batch, T, S).
    """
    features = torch.tanh(W_q(queries)[:, :, None] + W_k(keys)[:, None])
    scores = w_v(features).squeeze(-1)                    # (batch, T, S)
    scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
    weights = torch.softmax(scores, dim=-1)               # sums to 1 over S
    return weights @ values, weights                      # (batch, T, v)


class Encoder(nn.Module):
    """A bidirectional GRU over a padded source: ``(memory, summary)``.

    ``forward(X, X_len)``: X (batch, steps) token ids, X_len (batch,) lengths.
    ``memory`` (batch, steps, 2 * hidden) holds the forward and backward state
    of every position; ``summary`` (batch, hidden) is a tanh layer over the
    forward state at each string's last token and the backward state at its
    first: the decoder's initial state.
    """

    def __init__(self, vocab_size: int, num_hiddens: int,
                 embed_size: int = 16) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.forward_rnn = nn.GRU(embed_size, num_hiddens, batch_first=True)
        self.backward_rnn = nn.GRU(embed_size, num_hiddens, batch_first=True)
        self.summary = nn.Linear(2 * num_hiddens, num_hiddens)

    def forward(self, X: torch.Tensor,
                X_len: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        E = self.embedding(X)                              # (batch, steps, embed)
        H_fwd, _ = self.forward_rnn(E)                     # (batch, steps, hidden)
        H_bwd, _ = self.backward_rnn(reverse_padded(E, X_len))
        H_bwd = reverse_padded(H_bwd, X_len)               # back in source order
        last = H_fwd[torch.arange(X.shape[0]), X_len - 1]  # (batch, hidden)
        summary = torch.tanh(self.summary(torch.cat([last, H_bwd[:, 0]], -1)))
        return torch.cat([H_fwd, H_bwd], -1), summary


class Decoder(nn.Module):
    """A GRU decoder; with ``attention=True`` it reads the memory at every step.

    ``forward(Y, state, memory, mask) -> (logits, state, weights)``: Y (batch,
    T) input tokens, state (batch, hidden), memory (batch, S, 2 * hidden), mask
    (batch, S). Without attention a GRU runs over the T inputs from the
    encoder's summary. With attention (Bahdanau et al. 2015) each step first
    uses the previous state ``s_{t-1}`` as the query to read a context ``c_t``
    from the memory, then feeds ``[embedding of y_{t-1}, c_t]`` to the GRU
    cell; the scores come from ``[s_t, c_t]``. logits (batch, T, vocab);
    weights (batch, T, S), or None without attention.
    """

    def __init__(self, vocab_size: int, num_hiddens: int, embed_size: int = 16,
                 attention: bool = True, attention_size: int = 8) -> None:
        super().__init__()
        self.attention = attention
        self.embedding = nn.Embedding(vocab_size, embed_size)
        if attention:
            a = check_positive_int("attention_size", attention_size)
            self.W_q = nn.Linear(num_hiddens, a, bias=False)
            self.W_k = nn.Linear(2 * num_hiddens, a, bias=False)
            self.w_v = nn.Linear(a, 1, bias=False)
            self.cell = nn.GRUCell(embed_size + 2 * num_hiddens, num_hiddens)
            self.output = nn.Linear(3 * num_hiddens, vocab_size)
        else:
            self.rnn = nn.GRU(embed_size, num_hiddens, batch_first=True)
            self.output = nn.Linear(num_hiddens, vocab_size)

    def forward(self, Y: torch.Tensor, state: torch.Tensor, memory: torch.Tensor,
                mask: torch.Tensor):
        E = self.embedding(Y)                              # (batch, T, embed)
        if not self.attention:
            S, state = self.rnn(E, state[None])            # (batch, T, hidden)
            return self.output(S), state[0], None
        keys = self.W_k(memory)             # (batch, S, a): projected once
        outputs, weights = [], []
        for t in range(Y.shape[1]):
            context, w = additive_attention(              # (batch, 1, 2 hidden)
                state[:, None], keys, memory, mask, self.W_q, nn.Identity(),
                self.w_v)
            context = context[:, 0]
            state = self.cell(torch.cat([E[:, t], context], -1), state)
            outputs.append(torch.cat([state, context], -1))
            weights.append(w)
        S = torch.stack(outputs, 1)                        # (batch, T, 3 hidden)
        return self.output(S), state, torch.cat(weights, 1)


class Seq2Seq(nn.Module):
    """Encoder and decoder: ``forward(X, X_len, Y_in) -> logits`` (teacher forcing).

    ``X`` (batch, S) padded sources, ``X_len`` (batch,) their lengths, ``Y_in``
    (batch, T) the decoder's inputs: ``BOS`` and then the true target, so that
    every step is conditioned on the right previous token. logits (batch, T,
    vocab). ``loss(X, X_len, Y_in, Y_out)`` is the mean cross-entropy over the
    target tokens that are not ``PAD``.
    """

    def __init__(self, vocab_size: int, num_hiddens: int = 64,
                 attention: bool = True, embed_size: int = 16) -> None:
        super().__init__()
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        check_positive_int("num_hiddens", num_hiddens)
        self.encoder = Encoder(vocab_size, num_hiddens, embed_size)
        self.decoder = Decoder(vocab_size, num_hiddens, embed_size, attention)

    def encode(self, X: torch.Tensor, X_len: torch.Tensor):
        """``(memory, state, mask)``: what the decoder needs from a source batch."""
        check_source(X, X_len, self.vocab_size)
        memory, state = self.encoder(X, X_len)
        mask = torch.arange(X.shape[1]) < X_len[:, None]   # (batch, S) real?
        return memory, state, mask

    def forward(self, X: torch.Tensor, X_len: torch.Tensor,
                Y_in: torch.Tensor) -> torch.Tensor:
        memory, state, mask = self.encode(X, X_len)
        logits, _, _ = self.decoder(Y_in, state, memory, mask)
        return logits                                      # (batch, T, vocab)

    def loss(self, X: torch.Tensor, X_len: torch.Tensor, Y_in: torch.Tensor,
             Y_out: torch.Tensor) -> torch.Tensor:
        logits = self(X, X_len, Y_in)
        return F.cross_entropy(logits.flatten(0, 1), Y_out.flatten(),
                               ignore_index=PAD)


def fit_seq2seq(model: Seq2Seq, num_steps: int = 250, batch_size: int = 128,
                lengths: tuple[int, int] = (4, 20), lr: float = 0.01,
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
    from ..data.transduction import reversal_batch
    from ..seeding import generator

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
    memory, state, mask = model.encode(X, X_len)
    y = torch.full((X.shape[0], 1), BOS)
    done = torch.zeros(X.shape[0], dtype=torch.bool)
    tokens, weights = [], []
    log_prob = torch.zeros(X.shape[0])
    for _ in range(check_positive_int("max_steps", max_steps)):
        logits, state, w = model.decoder(y, state, memory, mask)
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
    memory, state, mask = model.encode(X[None], X_len.reshape(1))
    Y_in = torch.tensor([[BOS] + list(tokens[:-1])])
    logits, _, _ = model.decoder(Y_in, state, memory, mask)
    logp = logits[0].log_softmax(-1)                       # (T, vocab)
    return float(logp[torch.arange(len(tokens)), torch.tensor(tokens)].sum())


@torch.no_grad()
def beam_search(model: Seq2Seq, X: torch.Tensor, X_len: torch.Tensor,
                beam_width: int, max_steps: int, alpha: float = 0.75):
    """Beam search for one source ``X`` (steps,): ``(tokens, log_prob)``.

    Keep the ``beam_width`` most probable prefixes. At every step extend each
    by every token, and keep the ``beam_width`` extensions with the highest
    total log-probability; an extension that ends in ``EOS`` is finished and
    set aside. After ``max_steps`` the unfinished ones are finished too. The
    answer is the finished output with the highest length-normalised score
    ``log P / length ** alpha``; ``alpha = 0`` scores by the total alone.
    Width 1 is greedy decoding.
    """
    beam_width = check_positive_int("beam_width", beam_width)
    memory, state, mask = model.encode(X[None], X_len.reshape(1))
    beams = [([], 0.0, state)]        # (tokens, log-prob, state (1, hidden))
    finished = []                     # (tokens, log-prob)
    for step in range(check_positive_int("max_steps", max_steps)):
        k = len(beams)
        last = torch.tensor([[b[0][-1] if b[0] else BOS] for b in beams])
        states = torch.cat([b[2] for b in beams])           # (k, hidden)
        logits, states, _ = model.decoder(
            last, states, memory.expand(k, -1, -1), mask.expand(k, -1))
        totals = (torch.tensor([b[1] for b in beams], dtype=torch.double)[:, None]
                  + logits[:, -1].log_softmax(-1).double())  # (k, vocab)
        top = totals.flatten().topk(min(beam_width, totals.numel()))
        extended = []
        for score, index in zip(top.values.tolist(), top.indices.tolist()):
            i, token = divmod(index, totals.shape[1])
            tokens = beams[i][0] + [token]
            if token == EOS or step == max_steps - 1:
                finished.append((tokens, score))
            else:
                extended.append((tokens, score, states[i:i + 1]))
        beams = extended
        if not beams:
            break
    return max(finished, key=lambda f: f[1] / len(f[0]) ** alpha)


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
