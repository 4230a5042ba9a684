"""Writing text with a character-level language model: greedy decoding and sampling.

Explained in ``book/rnn_scratch.md``. Any model with the book's language-model
contract works: ``model(X, state) -> (logits, state)`` with ``X`` token
indices (batch, num_steps) and ``logits`` (batch, num_steps, vocab_size).

Decoding has two phases:

1. *warm-up*: the whole prefix goes through the model in one call, which
   leaves the hidden state summarising the prefix and, at the last position,
   the model's prediction for the first new character;
2. *generation*: pick a character from the prediction, feed it back in, get
   the next prediction, and so on, ``num_preds`` times.
"""

from __future__ import annotations

import torch
from torch import nn

from .checks import check_choice, check_int, check_real, check_str
from .data.text import preprocess
from .seeding import offset_seed

STRATEGIES = ("greedy", "sample")


def _check_args(
    prefix: object,
    num_preds: object,
    strategy: object,
    temperature: object,
    seed: object,
) -> None:
    check_str(
        "prefix",
        prefix,
        min_length=1,
        why="give the model at least one character to start from, e.g. 'the '",
    )
    check_int("num_preds", num_preds, minimum=0, why="it counts the characters to add")
    check_choice("strategy", strategy, STRATEGIES)
    check_real(
        "temperature",
        temperature,
        low=0,
        low_open=True,
        why="it divides the logits; use strategy='greedy' for the limit "
        "of temperature -> 0",
    )
    if seed is not None:
        check_int("seed", seed)


def next_token(
    logits: torch.Tensor,
    strategy: str = "greedy",
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> int:
    """Choose a token index from the logits (vocab_size,) of one prediction.

    ``"greedy"`` takes the most probable token (ties: the lowest index).
    ``"sample"`` draws from ``softmax(logits / temperature)``: a temperature
    below 1 sharpens the distribution towards the greedy choice, above 1
    flattens it towards the uniform one. Sampling runs on the CPU with
    ``generator``, so a seed gives the same text on every device.
    """
    if strategy == "greedy":
        return int(logits.argmax())
    probs = torch.softmax(logits.detach().double().cpu() / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))


@torch.no_grad()
def predict(
    model: nn.Module,
    vocab,
    prefix: str,
    num_preds: int,
    strategy: str = "greedy",
    temperature: float = 1.0,
    seed: int | None = None,
) -> str:
    """The preprocessed ``prefix`` followed by ``num_preds`` characters written by
    ``model``.

    The prefix is preprocessed like the corpus (letters only, lower case, one
    space for every run of other characters); a character that is still not
    in ``vocab`` is an error. ``seed`` fixes the draws of ``strategy="sample"``
    (None: different text on every call); greedy decoding needs no seed.
    """
    _check_args(prefix, num_preds, strategy, temperature, seed)
    text = preprocess(prefix)
    missing = sorted({ch for ch in text if ch not in vocab})
    if missing:
        raise ValueError(
            f"the prefix holds characters that are not in the vocabulary: {missing}; "
            "the model can only read characters it was trained on"
        )
    vocab_size = getattr(model, "vocab_size", len(vocab))
    if vocab_size != len(vocab):
        raise ValueError(
            f"the model predicts {vocab_size} tokens but the vocabulary has "
            f"{len(vocab)}: pass the vocabulary the model was trained with"
        )
    generator = torch.Generator()
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(offset_seed(seed))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        X = torch.tensor([vocab[list(text)]], device=device)  # (1, len(prefix))
        logits, state = model(X)  # warm-up: one call
        new = []
        for i in range(num_preds):
            token = next_token(logits[0, -1], strategy, temperature, generator)
            new.append(token)
            if i + 1 < num_preds:  # the last choice needs no forward
                logits, state = model(torch.tensor([[token]], device=device), state)
    finally:
        model.train(was_training)
    return text + "".join(vocab.to_tokens(new))
