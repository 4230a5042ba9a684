"""The language-model side of the shared Trainer: clipping, NaN guard, state
carrying, seeds."""

from __future__ import annotations

import math

import pytest
import torch
from conftest import small_lm
from torch import nn

import rnnbook
from rnnbook import (
    History,
    LanguageModelTrainer,
    Trainer,
    clip_gradients,
    fit_language_model,
    gradient_norm,
)


# ---- clipping ------------------------------------------------------------------------
def params_with_grads(*grads: float) -> list[nn.Parameter]:
    params = []
    for g in grads:
        p = nn.Parameter(torch.zeros(1))
        p.grad = torch.tensor([g])
        params.append(p)
    return params


def test_clip_gradients_by_hand():
    a, b = params_with_grads(3.0, 4.0)
    assert clip_gradients([a, b], max_norm=1.0) == pytest.approx(5.0)
    torch.testing.assert_close(a.grad, torch.tensor([0.6]))
    torch.testing.assert_close(b.grad, torch.tensor([0.8]))


def test_clip_gradients_is_a_no_op_below_the_threshold():
    a, b = params_with_grads(3.0, 4.0)
    assert clip_gradients([a, b], max_norm=5.5) == pytest.approx(5.0)
    assert torch.equal(a.grad, torch.tensor([3.0])) and torch.equal(
        b.grad, torch.tensor([4.0])
    )


def test_clip_gradients_norm_is_over_all_parameters_together():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    model(torch.randn(5, 4)).pow(2).sum().backward()
    flat = torch.cat([p.grad.flatten() for p in model.parameters()])
    expected = flat.norm().item()
    assert gradient_norm(model.parameters()) == pytest.approx(expected, rel=1e-6)
    assert clip_gradients(model.parameters(), 0.1) == pytest.approx(expected, rel=1e-6)
    clipped = torch.cat([p.grad.flatten() for p in model.parameters()])
    torch.testing.assert_close(
        clipped, flat * (0.1 / expected)
    )  # same direction, length 0.1
    # parameters without gradients are skipped
    frozen = nn.Parameter(torch.ones(3))
    assert clip_gradients([*model.parameters(), frozen], 10.0) == pytest.approx(
        0.1, rel=1e-5
    )


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_clip_gradients_refuses_non_positive_thresholds(bad):
    with pytest.raises(ValueError, match="max_norm must be positive"):
        clip_gradients(params_with_grads(1.0), bad)
    with pytest.raises(ValueError, match="max_norm must be positive"):
        Trainer(nn.Linear(2, 1), nn.MSELoss(), lr=0.1, clip=bad, device="cpu")


def test_clip_gradients_refuses_non_numbers():
    with pytest.raises(TypeError, match="max_norm must be a number"):
        clip_gradients(params_with_grads(1.0), "1")


# ---- training a language model -------------------------------------------------------
def test_training_lowers_the_loss_and_reports_perplexity(short_text):
    V = len(short_text.vocab)
    model = small_lm(V)
    history = fit_language_model(
        model,
        short_text.loader("train", "random", batch_size=8, num_steps=10),
        short_text.loader("val", "random", batch_size=4, num_steps=10),
        num_epochs=8,
        optimizer="adam",
        lr=0.05,
        clip=1.0,
        device="cpu",
    )
    assert isinstance(history, History)
    assert len(history.train_loss) == len(history.val_loss) == 8
    assert history.train_loss[0] == pytest.approx(
        math.log(V), rel=0.05
    )  # an untrained model guesses uniformly
    assert history.train_loss[-1] < 0.7 * history.train_loss[0]
    assert history.val_loss[-1] < history.val_loss[0]
    assert history.train_perplexity == pytest.approx(
        [math.exp(v) for v in history.train_loss]
    )
    assert history.val_perplexity == pytest.approx(
        [math.exp(v) for v in history.val_loss]
    )
    steps = len(short_text.batches("train", "random", batch_size=8, num_steps=10))
    assert len(history.grad_norm) == 8 * steps and all(n > 0 for n in history.grad_norm)


def test_same_seed_gives_identical_histories(short_text):
    V = len(short_text.vocab)

    def run(model_seed: int, data_seed: int) -> History:
        return fit_language_model(
            small_lm(V, model_seed),
            short_text.loader(
                "train", "random", batch_size=8, num_steps=10, seed=data_seed
            ),
            short_text.loader("val", "random", batch_size=4, num_steps=10),
            num_epochs=3,
            lr=1.0,
            clip=1.0,
            device="cpu",
        )

    first, again = run(0, 0), run(0, 0)
    assert first == again  # bitwise-equal losses and gradient norms
    assert run(0, 1) != first and run(1, 0) != first


def test_recorded_gradient_norm_is_measured_before_clipping(short_text):
    V = len(short_text.vocab)
    X, Y = short_text.batches("train", "random", batch_size=8, num_steps=10)[0]
    reference = small_lm(V)
    rnnbook.sequence_cross_entropy(reference(X)[0], Y).backward()
    expected = gradient_norm(reference.parameters())
    assert expected > 1e-3
    trainer = LanguageModelTrainer(small_lm(V), lr=0.1, clip=1e-3, device="cpu")
    trainer.train_epoch([(X, Y)])
    assert trainer.grad_norms == [pytest.approx(expected, rel=1e-6)]


class NaNAfter(rnnbook.LanguageModel):
    """A language model that returns NaN logits from its ``calls``-th call on."""

    def __init__(self, vocab_size: int, calls: int) -> None:
        super().__init__()
        self.inner, self.calls, self.count = small_lm(vocab_size), calls, 0

    def forward(self, X, state=None):
        self.count += 1
        logits, state = self.inner(X, state)
        return (logits * float("nan") if self.count >= self.calls else logits), state


def test_a_nan_loss_stops_training_naming_epoch_and_step(short_text):
    V = len(short_text.vocab)
    train = short_text.batches("train", "random", batch_size=8, num_steps=10)[
        :3
    ]  # 3 steps per epoch
    model = NaNAfter(V, calls=5)  # epoch 2, step 2
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(FloatingPointError, match=r"became nan at epoch 2, step 2"):
        fit_language_model(model, train, None, num_epochs=3, lr=0.1, device="cpu")
    assert model.count == 5
    assert all(
        torch.isfinite(p).all() for p in model.parameters()
    )  # no NaN reached the weights
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


class NaNWhenEvaluated(rnnbook.LanguageModel):
    """A language model whose logits are NaN in evaluation mode only."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.inner = small_lm(vocab_size)

    def forward(self, X, state=None):
        logits, state = self.inner(X, state)
        return (logits if self.training else logits * float("nan")), state


def test_a_nan_validation_loss_stops_training_naming_the_epoch(short_text):
    train = short_text.batches("train", "random", batch_size=8, num_steps=10)[:2]
    val = short_text.batches("val", "random", batch_size=4, num_steps=10)[:2]
    model = NaNWhenEvaluated(len(short_text.vocab))
    stop = r"the validation loss became nan at epoch 1"
    with pytest.raises(FloatingPointError, match=stop):
        fit_language_model(model, train, val, num_epochs=2, lr=0.1, device="cpu")


def test_a_diverging_learning_rate_is_caught(short_text):
    V = len(short_text.vocab)
    with pytest.raises(FloatingPointError, match=r"at epoch \d+, step \d+"):
        fit_language_model(
            small_lm(V, hidden=32),
            short_text.loader("train", "random", batch_size=8, num_steps=10),
            None,
            num_epochs=20,
            lr=1e38,
            device="cpu",
        )


class Recorder(rnnbook.LanguageModel):
    """Wraps a language model and records the state it receives and the state it
    returns."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner, self.received, self.returned = inner, [], []

    def forward(self, X, state=None):
        self.received.append(state)
        logits, out = self.inner(X, state)
        self.returned.append(out)
        return logits, out


def test_carried_state_is_the_detached_final_state_of_the_previous_step(short_text):
    V = len(short_text.vocab)
    model = Recorder(small_lm(V))
    train = short_text.loader("train", "sequential", batch_size=4, num_steps=10)
    val = short_text.loader("val", "sequential", batch_size=2, num_steps=10)
    steps = len(train(0))
    assert steps >= 3
    trainer = LanguageModelTrainer(model, carry_state=True, lr=0.1, device="cpu")
    trainer.fit(train, val, num_epochs=2)
    val_steps = len(val(0))
    per_epoch = steps + val_steps
    for epoch in range(2):
        calls = range(epoch * per_epoch, epoch * per_epoch + steps)
        assert model.received[calls[0]] is None  # every epoch starts from zeros
        for j in calls[1:]:
            got, previous = model.received[j], model.returned[j - 1]
            assert got is not None and got.grad_fn is None and not got.requires_grad
            assert previous.grad_fn is not None  # ...while the original had a graph
            assert torch.equal(got, previous.detach())
        assert model.received[calls[-1] + 1] is None  # evaluation starts from zeros too
        for j in range(calls[-1] + 2, calls[-1] + 1 + val_steps):
            assert torch.equal(model.received[j], model.returned[j - 1])


def test_without_carrying_every_minibatch_starts_from_zeros(short_text):
    model = Recorder(small_lm(len(short_text.vocab)))
    fit_language_model(
        model,
        short_text.loader("train", "sequential", batch_size=4, num_steps=10),
        None,
        num_epochs=1,
        lr=0.1,
        device="cpu",
    )
    assert model.received and all(s is None for s in model.received)


def test_language_model_trainer_has_its_own_loss():
    with pytest.raises(TypeError, match="sequence_cross_entropy"):
        LanguageModelTrainer(small_lm(5), loss_fn=nn.MSELoss(), lr=0.1)


def test_loader_gives_each_epoch_its_batches(short_text):
    loader = short_text.loader("train", "random", batch_size=8, num_steps=10, seed=3)
    for epoch in (0, 2):
        expected = short_text.batches(
            "train", "random", batch_size=8, num_steps=10, seed=3, epoch=epoch
        )
        got = loader(epoch)
        assert len(got) == len(expected)
        assert all(
            torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
            for a, b in zip(got, expected)
        )
    with pytest.raises(ValueError, match="unknown strategy"):
        short_text.loader("train", "shuffled")


# ---- progress reports ----------------------------------------------------------------
def test_progress_bar_goes_to_stderr_and_changes_nothing(short_text, capsys):
    V = len(short_text.vocab)
    args = (short_text.loader("train", "random", batch_size=8, num_steps=10), None)
    quiet = fit_language_model(
        small_lm(V), *args, num_epochs=2, lr=0.5, device="cpu", progress=False
    )
    assert capsys.readouterr().err == ""
    loud = fit_language_model(
        small_lm(V), *args, num_epochs=2, lr=0.5, device="cpu", progress=True
    )
    err = capsys.readouterr().err
    assert "2/2" in err and "epoch" in err and "train loss" in err
    assert quiet == loud


def test_live_plot_and_final_figures_run_and_change_nothing(short_text):
    pytest.importorskip(
        "IPython",
        reason="the live plot draws through IPython.display (in requirements.txt)",
    )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    V = len(short_text.vocab)
    args = (
        short_text.loader("train", "random", batch_size=8, num_steps=10),
        short_text.loader("val", "random", batch_size=4, num_steps=10),
    )
    plain = fit_language_model(
        small_lm(V), *args, num_epochs=3, lr=0.5, device="cpu", live=False
    )
    live = fit_language_model(
        small_lm(V), *args, num_epochs=3, lr=0.5, device="cpu", live=True
    )
    assert plain == live
    fig, ax = plt.subplots()
    rnnbook.plot_history(live, ax=ax, label="run", color="C3")
    rnnbook.plot_history(live, ax=ax, perplexity=False)
    labels = [line.get_label() for line in ax.get_lines()]
    assert (
        labels[:2] == ["run train", "run validation"]
        and ax.get_lines()[1].get_linestyle() == "--"
    )
    assert ax.get_lines()[0].get_color() == ax.get_lines()[1].get_color() == "C3"
    assert list(ax.get_lines()[2].get_ydata()) == live.train_loss
    ax2 = rnnbook.plot_grad_norms(live.grad_norm, clip=1.0)
    assert ax2.get_yscale() == "log" and len(ax2.get_lines()) == 2
    plt.close("all")
