"""rnnbook.seeding: every seed goes through one helper that adds RNNBOOK_SEED_OFFSET."""

from __future__ import annotations

import random

import pytest
import torch

from rnnbook import generator, offset_seed, seed, seed_offset
from rnnbook.seeding import SEED_OFFSET_ENV


def test_offset_defaults_to_zero(monkeypatch):
    monkeypatch.delenv(SEED_OFFSET_ENV, raising=False)
    assert seed_offset() == 0
    assert offset_seed(3) == 3
    monkeypatch.setenv(SEED_OFFSET_ENV, " ")
    assert seed_offset() == 0


def test_offset_is_added_to_every_seed(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET_ENV, "1000")
    assert offset_seed(2) == 1002
    assert seed(2) == 1002
    a = torch.rand(3)
    py = random.random()
    torch.manual_seed(1002)
    random.seed(1002)
    assert torch.equal(a, torch.rand(3)) and py == random.random()
    assert torch.equal(
        torch.rand(4, generator=generator(5)),
        torch.rand(4, generator=torch.Generator().manual_seed(1005)),
    )


def test_offset_changes_the_draw(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET_ENV, "0")
    first = torch.rand(4, generator=generator(0))
    monkeypatch.setenv(SEED_OFFSET_ENV, "7")
    assert not torch.equal(first, torch.rand(4, generator=generator(0)))


@pytest.mark.parametrize("raw", ["abc", "1.5", "-3"])
def test_bad_offset_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(SEED_OFFSET_ENV, raw)
    with pytest.raises(ValueError, match=SEED_OFFSET_ENV):
        seed(0)


@pytest.mark.parametrize("bad", [-1, 1.0, True, "0"])
def test_bad_seed_is_refused(bad):
    with pytest.raises(TypeError, match="seed"):
        offset_seed(bad)


def test_describe_machine_names_cpu_threads_and_kernels():
    from rnnbook import describe_machine

    text = describe_machine()
    threads = torch.get_num_threads()
    assert f"{threads} PyTorch thread" in text
    assert torch.backends.cpu.get_cpu_capability() in text
    assert "cores" in text


# --- The package applies the offset itself, once, wherever it takes a seed ---------
# For each function, the draw at offset 0 and at offset 1000 differ, and the call
# with seed s at offset 1000 is the call with seed s + 1000 at offset 0: the offset
# reaches the function, and reaches it exactly once.

OFFSET = 1000


def _same(a, b) -> bool:
    """Bitwise equality of nested tensors, lists, tuples, dicts and plain values."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _at(monkeypatch, offset: int, call, s: int):
    monkeypatch.setenv(SEED_OFFSET_ENV, str(offset))
    try:
        return call(s)
    finally:
        monkeypatch.setenv(SEED_OFFSET_ENV, "0")


def _corpus() -> torch.Tensor:
    return torch.arange(200) % 17


def _fit_losses(s: int) -> list[float]:
    # The minibatch order comes from the global generator, which fit seeds.
    from torch import nn

    from rnnbook import TensorBatches, fit

    torch.manual_seed(0)  # the same initial weights for every call
    model = nn.Linear(3, 1)
    X = torch.linspace(-1, 1, 60).reshape(20, 3)
    y = X.sum(dim=1, keepdim=True) ** 2
    history = fit(model, TensorBatches(X, y, 4), None, nn.MSELoss(), 2, lr=0.1,
                  seed=s, device="cpu", progress=False, live=False)
    return history.train_loss


def _sample(s: int) -> str:
    from conftest import SHORT_TEXT, small_lm

    from rnnbook import TimeMachineData, predict

    vocab = TimeMachineData(text=SHORT_TEXT, val_fraction=0.2,
                            num_train_windows=200, num_val_windows=100).vocab
    model = small_lm(len(vocab), seed=0, sigma=1.0)
    return predict(model, vocab, "the ", 40, strategy="sample", seed=s)


def _recall_sweep(s: int):
    from rnnbook.models.classifier import SequenceClassifier, recall_sweep

    acc, models = recall_sweep(
        lambda: SequenceClassifier("rnn", 8, 6, 4), [2], [s], num_steps=4,
        batch_size=4, num_val=20, log_every=2)
    (model,) = models.values()  # keyed by the plain seed
    return acc, model.state_dict()


def _seeded_calls():
    from rnnbook import (TensorBatches, random_partition_batches, random_problem,
                         random_recurrent_weights, randomized_weights,
                         sequential_partition_batches, synthetic_series)
    from rnnbook.data.recall import recall_task

    X, y = torch.arange(30.0).reshape(10, 3), torch.arange(10)
    return {
        "random_partition_batches": lambda s: random_partition_batches(
            _corpus(), 2, 5, seed=s),
        "sequential_partition_batches": lambda s: sequential_partition_batches(
            _corpus(), 2, 40, seed=s),  # one draw: the offset in [0, 40)
        "TensorBatches": lambda s: list(TensorBatches(X, y, 3, seed=s)),
        "synthetic_series": lambda s: synthetic_series(50, seed=s),
        "recall_task": lambda s: recall_task(20, 3, seed=s),
        "random_recurrent_weights": lambda s: random_recurrent_weights(5, 1.0, seed=s),
        "random_problem": lambda s: tuple(random_problem(seed=s, with_state=True)),
        "randomized_weights": lambda s: randomized_weights(40, 0.5, seed=s),
        "predict": _sample,
        "fit": _fit_losses,
        "recall_sweep": _recall_sweep,
    }


@pytest.mark.parametrize("name", sorted(_seeded_calls()))
def test_every_seeded_package_function_applies_the_offset_once(monkeypatch, name):
    call = _seeded_calls()[name]
    plain = _at(monkeypatch, 0, call, 3)
    assert _same(plain, _at(monkeypatch, 0, call, 3)), "not reproducible"
    moved = _at(monkeypatch, OFFSET, call, 3)
    assert not _same(plain, moved), f"{name} ignores {SEED_OFFSET_ENV}"
    assert _same(moved, _at(monkeypatch, 0, call, 3 + OFFSET)), (
        f"{name} at offset {OFFSET} is not {name} with seed + {OFFSET}"
    )


@pytest.mark.parametrize("strategy", ["random", "sequential", "overlapping"])
def test_epoch_batches_add_the_offset_to_the_mixed_epoch_seed(
    monkeypatch, short_text, strategy
):
    from rnnbook import random_partition_batches, sequential_partition_batches
    from rnnbook.data.timemachine import epoch_seed

    def batches(s):
        return short_text.batches("train", strategy, 4, 5, seed=s, epoch=2)

    moved = _at(monkeypatch, OFFSET, batches, 1)
    assert not _same(moved, _at(monkeypatch, 0, batches, 1))
    mixed = epoch_seed(1, 2) + OFFSET  # what the leaf draws from
    corpus = short_text.train_corpus
    if strategy == "random":
        expected = random_partition_batches(corpus, 4, 5, seed=mixed)
    elif strategy == "sequential":
        expected = sequential_partition_batches(corpus, 4, 5, seed=mixed)
    else:
        X, Y = short_text.overlapping_split(5)["train"]
        order = torch.randperm(len(X), generator=torch.Generator().manual_seed(mixed))
        X, Y = X[order], Y[order]
        expected = [(X[i : i + 4], Y[i : i + 4]) for i in range(0, len(X), 4)]
    assert _same(moved, expected)


def test_fit_on_novel_offsets_the_initial_weights_and_the_run(monkeypatch, short_text):
    from rnnbook import RNNLM
    from rnnbook.novel import NovelProtocol, fit_on_novel

    protocol = NovelProtocol(num_hiddens=8, num_epochs=1, batch_size=4, num_steps=5,
                             val_batch_size=4, seed=2)
    first_draw = []

    def make(num_hiddens, vocab_size):
        first_draw.append(torch.rand(()))  # the global generator, as seeded for init
        return RNNLM(num_hiddens, vocab_size)

    def run(_):
        return fit_on_novel(make, short_text, protocol, progress=False)[1].train_loss

    plain, moved = _at(monkeypatch, 0, run, 0), _at(monkeypatch, OFFSET, run, 0)
    assert plain != moved
    init = torch.Generator().manual_seed(2 + OFFSET)
    assert torch.equal(first_draw[1], torch.rand((), generator=init))
