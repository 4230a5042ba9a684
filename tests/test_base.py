"""The one model contract: rnnbook.LanguageModel, detach_state, and the trainer's use
of them."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import rnnbook


class Bigram(rnnbook.LanguageModel):
    """A model that defines forward and nothing else: its logits depend on the current
    token only."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.table = nn.Parameter(torch.zeros(vocab_size, vocab_size))

    def forward(self, X, state=None):
        return self.table[X], state


class TwoStates(rnnbook.LanguageModel):
    """A model whose state is a pair, as an LSTM's is: it counts the tokens it has
    read."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, X, state=None):
        count = torch.zeros(X.shape[0]) if state is None else state[0]
        count = count + X.shape[1] + 0 * self.bias.sum()  # part of the graph
        logits = self.bias.expand(*X.shape, -1)
        return logits, (count, count.clone())


def test_loss_from_the_base_class_is_cross_entropy_of_forward():
    torch.manual_seed(0)
    model = Bigram(5)
    with torch.no_grad():
        model.table.normal_()
    X, Y = torch.randint(0, 5, (3, 7)), torch.randint(0, 5, (3, 7))
    loss, state = model.loss(X, Y)
    expected = F.cross_entropy(model.table[X].reshape(-1, 5), Y.reshape(-1))
    assert state is None
    torch.testing.assert_close(loss, expected, rtol=0, atol=1e-7)


def test_a_model_that_defines_only_forward_trains_through_the_trainer():
    X = torch.tensor([[0, 1, 2, 3, 0, 1, 2, 3]])
    Y = torch.tensor([[1, 2, 3, 0, 1, 2, 3, 0]])
    model = Bigram(4)
    history = rnnbook.fit_language_model(
        model,
        [(X, Y)],
        [(X, Y)],
        30,
        optimizer="adam",
        lr=0.3,
        device="cpu",
        progress=False,
        live=False,
    )
    assert history.val_loss[-1] < 0.1 * history.val_loss[0]
    assert model.table.argmax(1).tolist() == [1, 2, 3, 0]  # it learned the cycle


def test_a_pair_state_is_carried_and_detached():
    model = TwoStates(3)
    X = torch.zeros(2, 4, dtype=torch.long)
    trainer = rnnbook.LanguageModelTrainer(
        model,
        carry_state=True,
        optimizer="sgd",
        lr=0.1,
        device="cpu",
        progress=False,
        live=False,
    )
    trainer.train_epoch([(X, X), (X, X), (X, X)])
    count, copy = trainer.state
    assert count.tolist() == [12.0, 12.0]  # 3 minibatches of 4 steps, carried
    assert not count.requires_grad and not copy.requires_grad


def test_detach_state_forms_and_errors():
    t = torch.ones(2, requires_grad=True) * 2
    assert rnnbook.detach_state(None) is None
    assert not rnnbook.detach_state(t).requires_grad
    pair = rnnbook.detach_state((t, (t, t)))
    assert isinstance(pair, tuple) and not pair[1][0].requires_grad
    with pytest.raises(TypeError, match="tensor, a tuple of tensors or None, got list"):
        rnnbook.detach_state([t])


def test_forward_must_be_written_and_the_trainer_refuses_a_model_without_loss():
    with pytest.raises(NotImplementedError, match="must define forward"):
        rnnbook.LanguageModel()(torch.zeros(1, 1, dtype=torch.long))
    with pytest.raises(TypeError, match="subclass rnnbook.LanguageModel"):
        rnnbook.LanguageModelTrainer(
            nn.Linear(2, 2), optimizer="sgd", lr=0.1, device="cpu"
        )


def test_glue_without_myst_nb_displays_only_when_asked(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name.startswith("myst_nb"):
            raise ImportError("no myst_nb here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    rnnbook.glue("quiet", 1.5, display=False)
    assert capsys.readouterr().out == ""
    rnnbook.glue("loud", 2.5)
    assert "2.5" in capsys.readouterr().out
