"""The whole-novel protocol (book/rnn_concise.md, reused by book/gated.md)."""

import dataclasses

import pytest
import rnnbook
import torch
from rnnbook import NOVEL, NovelProtocol, fit_on_novel

TEXT = "the time traveller for so it will be convenient to speak of him " * 8


@pytest.fixture(scope="module")
def data():
    return rnnbook.TimeMachineData(text=TEXT)


TINY = NovelProtocol(num_hiddens=6, num_epochs=2, batch_size=8, num_steps=8,
                     val_batch_size=16)


def test_the_book_protocol_is_the_concise_pages():
    # The settings book/rnn_concise.md names in its prose (glued from NOVEL).
    assert (NOVEL.batch_size, NOVEL.num_steps, NOVEL.lr, NOVEL.clip) == (
        32, 64, 0.005, 1.0)
    assert NOVEL.val_batch_size == 256 and NOVEL.seed == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        NOVEL.num_epochs = 100  # one protocol for every page: not changed in place


@pytest.mark.parametrize("cls", [rnnbook.RNNLM, rnnbook.GRULM, rnnbook.LSTMLM])
def test_fit_on_novel_is_the_trainer_with_the_protocol(data, cls):
    model, history = fit_on_novel(cls, data, TINY, device="cpu", progress=False)
    assert isinstance(model, cls) and model.num_hiddens == 6
    steps_per_epoch = len(TINY.train_loader(data)(0))
    assert len(history.grad_norm) == TINY.num_epochs * steps_per_epoch
    assert len(history.val_loss) == TINY.num_epochs
    # By hand: seed, build, train with the protocol's settings.
    torch.manual_seed(TINY.seed)
    by_hand = cls(TINY.num_hiddens, len(data.vocab))
    expected = rnnbook.fit_language_model(
        by_hand, TINY.train_loader(data), TINY.val_loader(data), TINY.num_epochs,
        optimizer="adam", lr=TINY.lr, clip=TINY.clip, device="cpu",
        progress=False)
    assert history.train_loss == expected.train_loss
    assert history.val_loss == expected.val_loss
    for a, b in zip(model.parameters(), by_hand.parameters()):
        assert torch.equal(a, b)


def test_same_protocol_same_model_other_seed_other_model(data):
    a, _ = fit_on_novel(rnnbook.RNNLM, data, TINY, device="cpu", progress=False)
    b, _ = fit_on_novel(rnnbook.RNNLM, data, TINY, device="cpu", progress=False)
    other = dataclasses.replace(TINY, seed=1)
    c, _ = fit_on_novel(rnnbook.RNNLM, data, other, device="cpu", progress=False)
    w = [m.rnn.weight_hh_l0 for m in (a, b, c)]
    assert torch.equal(w[0], w[1]) and not torch.equal(w[0], w[2])


def test_loaders_follow_the_protocol(data):
    X, Y = TINY.train_loader(data)(0)[0]
    assert X.shape == (8, 8) and torch.equal(X[:, 1:], Y[:, :-1])
    val = TINY.val_loader(data)(0)
    assert all(Xv.shape[1] == 8 for Xv, _ in val)
    assert max(Xv.shape[0] for Xv, _ in val) <= 16


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        (dict(num_hiddens=0), ValueError, "num_hiddens"),
        (dict(num_epochs=2.0), TypeError, "num_epochs"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(lr=0.0), ValueError, "lr"),
        (dict(clip=-1.0), ValueError, "clip"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(seed=True), TypeError, "seed"),
    ],
)
def test_bad_settings_name_the_setting(kwargs, error, word):
    settings = dict(num_hiddens=4, num_epochs=1) | kwargs
    with pytest.raises(error, match=word):
        NovelProtocol(**settings)


def test_fit_on_novel_checks_its_arguments(data):
    with pytest.raises(TypeError, match="protocol"):
        fit_on_novel(rnnbook.RNNLM, data, dict(num_hiddens=4))
    with pytest.raises(TypeError, match="data"):
        fit_on_novel(rnnbook.RNNLM, TEXT, TINY)
