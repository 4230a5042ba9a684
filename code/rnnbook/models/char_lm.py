"""A small character-level language model with an embedding, its training loop
and its sampler.

Explained on the page "Looking inside a trained network" (``book/inside.md``),
which trains it on the novel as written (:class:`rnnbook.NovelAsWritten`) with
the cell set to ``"rnn"``, ``"gru"`` or ``"lstm"``. An embedding in front of
the cell (rather than one-hot inputs) keeps the input product small, and it
gives each input a continuous vector whose gradient is the saliency of
:func:`rnnbook.interpret.saliency_by_lag`.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from ..checks import check_choice, check_positive_int, check_real
from ..metrics import sequence_cross_entropy
from .base import LanguageModel, State
from .recurrent_lm import run_layer

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class CharLM(LanguageModel):
    """Embedding -> one-layer ``cell`` -> linear scores over the characters.

    ``forward(X, state=None) -> (logits, state)``: X (batch, steps) indices,
    logits (batch, steps, vocab); the state is (batch, hidden), or ``(H, C)``
    for the LSTM. :meth:`forward_embedded` starts from the embedded inputs.
    """

    def __init__(self, cell: str, vocab_size: int, num_hiddens: int,
                 embed_size: int = 16) -> None:
        super().__init__()
        check_choice("cell", cell, tuple(CELLS))
        self.cell = cell
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.num_hiddens = check_positive_int("num_hiddens", num_hiddens)
        embed_size = check_positive_int("embed_size", embed_size)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = CELLS[cell](embed_size, num_hiddens)
        self.output = nn.Linear(num_hiddens, vocab_size)

    def forward_embedded(self, inputs: torch.Tensor, state: State | None = None
                         ) -> tuple[torch.Tensor, State, torch.Tensor]:
        """Logits, last state and hidden states from embedded inputs.

        inputs (batch, steps, embed) -> logits (batch, steps, vocab), state,
        hiddens (batch, steps, hidden): the hidden state after each input.
        """
        outputs, state = run_layer(self.rnn, inputs.transpose(0, 1), state)
        hiddens = outputs.transpose(0, 1)  # (batch, steps, hidden)
        return self.output(hiddens), state, hiddens

    def forward(self, X: torch.Tensor, state: State | None = None
                ) -> tuple[torch.Tensor, State]:
        if X.ndim != 2 or X.dtype != torch.long:
            raise ValueError(f"X must be (batch, steps) int64 indices, got shape "
                             f"{tuple(X.shape)} and dtype {X.dtype}")
        logits, state, _ = self.forward_embedded(self.embedding(X), state)
        return logits, state


def train_char_lm(model: LanguageModel, data, steps: int, batch_size: int = 32,
                  num_steps: int = 128, lr: float = 0.01, clip: float = 1.0,
                  seed: int = 0, snapshots: tuple[int, ...] = (),
                  line_starts: bool = False
                  ) -> tuple[list[float], dict[int, dict]]:
    """Adam on random training windows of ``data`` (a
    :class:`rnnbook.NovelAsWritten`), with the gradient clipped to norm ``clip``.

    Each of ``steps`` updates reads ``batch_size`` windows of ``num_steps``
    characters, drawn by :func:`rnnbook.generator` ``(seed)``; every window
    starts from a zero state, and with ``line_starts=True`` at the beginning
    of a line (:meth:`rnnbook.NovelAsWritten.random_windows`). Returns the
    training loss of every step (nats per character) and a copy of the
    model's ``state_dict`` after each step listed in ``snapshots`` (0: before
    training).
    """
    steps = check_positive_int("steps", steps)
    check_real("lr", lr, 0, low_open=True)
    check_real("clip", clip, 0, low_open=True)
    bad = [s for s in snapshots if not 0 <= s <= steps]
    if bad:
        raise ValueError(f"snapshots {bad} are outside 0..steps={steps}")
    from ..seeding import generator

    gen = generator(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    kept = {0: copy.deepcopy(model.state_dict())} if 0 in snapshots else {}
    losses = []
    model.train()
    for step in range(1, steps + 1):
        X, Y = data.random_windows(batch_size, num_steps, gen,
                                   line_starts)  # (batch, steps)
        logits, _ = model(X)
        loss = sequence_cross_entropy(logits, Y)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
        if step in snapshots:
            kept[step] = copy.deepcopy(model.state_dict())
    model.eval()
    return losses, kept


@torch.no_grad()
def sample_chars(model: LanguageModel, data, prefix: str, num_chars: int,
                 temperature: float = 1.0, seed: int = 0) -> str:
    """``num_chars`` characters that ``model`` writes after ``prefix``, each drawn
    from its next-character distribution at ``temperature``.

    ``prefix`` is read as written (no preprocessing); the draws come from
    :func:`rnnbook.generator` ``(seed)``. Returns the new characters only.
    """
    from ..seeding import generator

    num_chars = check_positive_int("num_chars", num_chars)
    temperature = check_real("temperature", temperature, 0, low_open=True)
    if not prefix:
        raise ValueError("prefix is empty: give the model at least one character")
    gen = generator(seed)
    was_training = model.training
    model.eval()
    logits, state = model(data.encode(prefix)[None])  # (1, len, vocab)
    out = []
    for _ in range(num_chars):
        probs = torch.softmax(logits[0, -1] / temperature, dim=-1)  # (vocab,)
        nxt = torch.multinomial(probs, 1, generator=gen)  # (1,)
        out.append(int(nxt))
        logits, state = model(nxt[None], state)
    model.train(was_training)
    return data.decode(out)
