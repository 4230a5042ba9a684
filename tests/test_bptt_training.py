"""Training with hand-written BPTT.

The parameter bridge, the trainer hook, the strategies.
"""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

import rnnbook
from rnnbook import (
    BPTTTrainer,
    LanguageModelTrainer,
    RNNLMScratch,
    TimeMachineData,
    Trainer,
    bptt_gradients,
    compare_strategies,
    flat_gradient,
    hidden_gradient_norms,
    scratch_params,
)
from rnnbook.bptt import PARAM_NAMES

from conftest import small_lm as shared_small_lm


@pytest.fixture
def data(short_text) -> TimeMachineData:
    """A few sentences of the novel as characters (``tests/conftest.py``)."""
    return short_text


def small_lm(
    vocab_size: int, seed: int = 0, hidden: int = 16, dtype=torch.float32
) -> RNNLMScratch:
    """The shared small model (``tests/conftest.py``) with larger weights."""
    return shared_small_lm(vocab_size, seed, hidden, sigma=0.3, dtype=dtype)


# ---- the parameter bridge ------------------------------------------------------------
def test_scratch_params_are_the_models_own_parameters_in_bptts_layout():
    model = small_lm(7, hidden=5)
    params = scratch_params(model)
    assert tuple(params) == PARAM_NAMES
    assert {name: tuple(p.shape) for name, p in params.items()} == {
        "W_xh": (7, 5),
        "W_hh": (5, 5),
        "b_h": (5,),
        "W_hq": (5, 7),
        "b_q": (7,),
    }
    assert {id(p) for p in params.values()} == {
        id(p) for p in model.parameters()
    }  # all of them, no copies
    with torch.no_grad():
        params["W_hq"][2, 3] = 42.0
    assert model.W_hq[2, 3].item() == 42.0


def test_bptt_on_the_bridged_parameters_gives_the_models_loss():
    model = small_lm(9, hidden=6, dtype=torch.float64)
    g = torch.Generator().manual_seed(0)
    X, Y = torch.randint(9, (3, 8), generator=g), torch.randint(9, (3, 8), generator=g)
    state = torch.rand(3, 6, generator=g, dtype=torch.float64) - 0.5
    loss, grads = bptt_gradients(scratch_params(model), X, Y, state)
    logits, _ = model(X, state)
    reference = rnnbook.sequence_cross_entropy(logits, Y)
    reference.backward()
    assert abs(loss.item() - reference.item()) < 1e-13
    for name, p in scratch_params(model).items():
        torch.testing.assert_close(grads[name], p.grad, rtol=0, atol=1e-13)


def test_the_bridge_refuses_other_models():
    with pytest.raises(TypeError, match="RNNLMScratch"):
        scratch_params(rnnbook.RNNLM(8, 7))
    with pytest.raises(TypeError, match="LanguageModelTrainer"):
        BPTTTrainer(rnnbook.RNNLM(8, 7), lr=0.1, device="cpu")


def test_hidden_gradient_norms_of_a_model_match_autograd_through_the_model():
    model = small_lm(9, hidden=6, dtype=torch.float64)
    with torch.no_grad():
        model.rnn.W_hh.mul_(4.0)  # a non-trivial recurrence
    g = torch.Generator().manual_seed(1)
    X, Y = torch.randint(9, (4, 7), generator=g), torch.randint(9, (4, 7), generator=g)
    norms = hidden_gradient_norms(scratch_params(model), X, Y)
    # Autograd through the model's own parameters, keeping every hidden state.
    rnn = model.rnn
    H, states = torch.zeros(4, 6, dtype=torch.float64), []
    for t in range(X.shape[1]):
        H = torch.tanh(rnn.W_xh[X[:, t]] + H @ rnn.W_hh + rnn.b_h)  # (batch, hidden)
        states.append(H)
    logits = states[-1] @ model.W_hq + model.b_q  # (batch, vocab)
    last_loss = torch.nn.functional.cross_entropy(logits, Y[:, -1])
    # The model's own forward pass gives the same last state.
    torch.testing.assert_close(model(X)[1], states[-1], rtol=1e-12, atol=1e-14)
    grads = torch.autograd.grad(last_loss, states)
    expected = torch.stack([torch.linalg.norm(grads[-1 - d]) for d in range(7)])
    torch.testing.assert_close(norms, expected, rtol=1e-12, atol=0)
    assert norms.max() > 2 * norms.min()  # the recurrence really changes the gradient


# ---- the trainer ---------------------------------------------------------------------
def one_step(trainer_cls, model, batches, **kwargs):
    trainer = trainer_cls(
        model, lr=0.5, device="cpu", progress=False, live=False, **kwargs
    )
    history = trainer.fit(batches, None, num_epochs=1)
    return history, scratch_params(model)


@pytest.mark.parametrize("clip", [None, 0.05])
def test_full_bptt_trainer_step_equals_the_autograd_step(data, clip):
    V = len(data.vocab)
    batch = data.batches("train", "random", batch_size=6, num_steps=12)[:1]
    start = small_lm(V, dtype=torch.float64)
    batch = [(X, Y) for X, Y in batch]
    h_auto, p_auto = one_step(
        LanguageModelTrainer, copy.deepcopy(start), batch, clip=clip
    )
    h_hand, p_hand = one_step(BPTTTrainer, copy.deepcopy(start), batch, clip=clip)
    assert h_hand.train_loss == pytest.approx(h_auto.train_loss, rel=1e-13)
    assert h_hand.grad_norm == pytest.approx(h_auto.grad_norm, rel=1e-12)
    if clip is not None:
        assert h_auto.grad_norm[0] > clip  # clipping really acted
    for name in PARAM_NAMES:
        moved = (p_auto[name] - scratch_params(start)[name]).abs().max().item()
        assert moved > 1e-4, name  # the step changed the weights
        torch.testing.assert_close(p_hand[name], p_auto[name], rtol=0, atol=1e-13)


def test_full_bptt_trainer_carries_the_state_like_the_autograd_trainer(data):
    V = len(data.vocab)
    batches = data.batches("train", "sequential", batch_size=3, num_steps=8)[:3]
    assert len(batches) == 3
    start = small_lm(V, dtype=torch.float64)
    auto, hand = copy.deepcopy(start), copy.deepcopy(start)
    h_auto = LanguageModelTrainer(auto, carry_state=True, lr=0.5, device="cpu").fit(
        batches, None, 1
    )
    h_hand = BPTTTrainer(hand, carry_state=True, lr=0.5, device="cpu").fit(
        batches, None, 1
    )
    assert h_hand.train_loss == pytest.approx(h_auto.train_loss, rel=1e-13)
    for a, b in zip(auto.parameters(), hand.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-13)
    # Without carrying, the second and third minibatches start from zeros: a different
    # run.
    plain = copy.deepcopy(start)
    h_plain = BPTTTrainer(plain, lr=0.5, device="cpu").fit(batches, None, 1)
    assert h_plain.train_loss[0] != pytest.approx(h_hand.train_loss[0], rel=1e-9)


def test_truncated_trainer_takes_a_different_step_except_at_full_length(data):
    V = len(data.vocab)
    batch = data.batches("train", "random", batch_size=6, num_steps=12)[:1]
    start = small_lm(V, dtype=torch.float64)
    _, full = one_step(BPTTTrainer, copy.deepcopy(start), batch)
    _, k12 = one_step(BPTTTrainer, copy.deepcopy(start), batch, truncation=12)
    _, k1 = one_step(BPTTTrainer, copy.deepcopy(start), batch, truncation=1)
    torch.testing.assert_close(k12["W_hh"], full["W_hh"], rtol=0, atol=1e-14)
    assert (k1["W_hh"] - full["W_hh"]).abs().max() > 1e-6
    torch.testing.assert_close(
        k1["W_hq"], full["W_hq"], rtol=0, atol=1e-14
    )  # the output layer is never truncated


@pytest.mark.parametrize(
    "options", [dict(truncation=3), dict(truncation="randomized", keep_prob=0.7)]
)
def test_truncated_training_lowers_the_loss_reproducibly(data, options):
    V = len(data.vocab)
    train = data.loader("train", "random", batch_size=8, num_steps=10)
    val = data.loader("val", "random", batch_size=4, num_steps=10)

    def run(seed: int = 0):
        model = small_lm(V)
        trainer = BPTTTrainer(
            model,
            optimizer="adam",
            lr=0.05,
            clip=1.0,
            seed=seed,
            device="cpu",
            **options,
        )
        return trainer.fit(train, val, num_epochs=6), model

    history, model = run()
    assert history.train_loss[-1] < 0.7 * history.train_loss[0]
    assert history.val_loss[-1] < history.val_loss[0]
    again, model_again = run()
    assert again == history  # bitwise-equal losses and gradient norms
    assert all(
        torch.equal(a, b) for a, b in zip(model.parameters(), model_again.parameters())
    )
    if options["truncation"] == "randomized":  # the seed draws the cuts
        assert run(seed=1)[0] != history


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        (dict(truncation="regular"), ValueError, "unknown truncation 'regular'"),
        (dict(truncation=0), ValueError, "at least 1"),
        (
            dict(truncation=2.5),
            TypeError,
            "truncation must be None, an int k or 'randomized'",
        ),
        (
            dict(truncation=True),
            TypeError,
            "truncation must be None, an int k or 'randomized'",
        ),
        (
            dict(truncation=4, keep_prob=0.5),
            ValueError,
            "only apply to truncation='randomized'",
        ),
        (
            dict(truncation="randomized", keep_prob=1.5),
            ValueError,
            r"keep_prob must satisfy 0 < keep_prob <= 1, got .*: it is the probability",
        ),
        (
            dict(truncation="randomized", keep_prob="high"),
            TypeError,
            "keep_prob must be a number, got str",
        ),
    ],
)
def test_bad_truncation_arguments_fail_when_the_trainer_is_built(kwargs, err, match):
    with pytest.raises(err, match=match):
        BPTTTrainer(small_lm(7), lr=0.1, device="cpu", **kwargs)


def test_a_truncation_longer_than_the_sequence_fails_at_the_first_step(data):
    V = len(data.vocab)
    model = small_lm(V)
    before = [p.detach().clone() for p in model.parameters()]
    trainer = BPTTTrainer(model, truncation=50, lr=0.1, device="cpu")
    with pytest.raises(ValueError, match="1 <= k <= num_steps = 10, got 50"):
        trainer.fit(
            data.batches("train", "random", batch_size=4, num_steps=10), None, 1
        )
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_a_non_finite_loss_still_stops_bptt_training(data):
    V = len(data.vocab)
    model = small_lm(V)
    with torch.no_grad():
        model.b_q[0] = float("nan")
    with pytest.raises(FloatingPointError, match="epoch 1, step 1"):
        BPTTTrainer(model, lr=0.1, device="cpu").fit(
            data.batches("train", "random", 4, 10), None, 1
        )


def test_the_gradient_hook_of_the_base_trainer_can_be_replaced():
    class ConstantGradient(Trainer):
        def compute_gradients(self, batch):
            for p in self.model.parameters():
                p.grad = torch.ones_like(p)
            return 2.5, batch[1].numel()

    model = nn.Linear(3, 1)
    before = [p.detach().clone() for p in model.parameters()]
    trainer = ConstantGradient(model, nn.MSELoss(), lr=0.1, device="cpu")
    history = trainer.fit(
        [(torch.zeros(4, 3), torch.zeros(4, 1))] * 2, None, num_epochs=1
    )
    assert history.train_loss == [2.5]
    for a, b in zip(before, model.parameters()):
        torch.testing.assert_close(b, a - 0.2)  # two steps of lr * 1
    assert history.grad_norm == pytest.approx([2.0, 2.0])  # four ones: norm 2


# ---- comparing strategies ------------------------------------------------------------
def test_compare_strategies_starts_every_run_from_the_same_weights(data):
    V = len(data.vocab)
    model = small_lm(V)
    before = [p.detach().clone() for p in model.parameters()]
    train = data.loader("train", "random", batch_size=8, num_steps=10)
    runs = compare_strategies(
        model,
        {"full": {}, "k = 2": {"truncation": 2}},
        train,
        None,
        2,
        lr=0.5,
        device="cpu",
    )
    assert list(runs) == ["full", "k = 2"]
    assert all(
        torch.equal(a, b) for a, b in zip(before, model.parameters())
    )  # the original is untouched
    direct = copy.deepcopy(model)
    expected = BPTTTrainer(direct, lr=0.5, device="cpu").fit(train, None, 2)
    assert runs["full"].history == expected
    assert all(
        torch.equal(a, b)
        for a, b in zip(runs["full"].model.parameters(), direct.parameters())
    )
    assert runs["k = 2"].history != expected
    with pytest.raises(ValueError, match="non-empty dict"):
        compare_strategies(model, {}, train, None, 1, lr=0.5)
    with pytest.raises(TypeError, match=r"strategies\['k'\] must be a dict"):
        compare_strategies(model, {"k": 4}, train, None, 1, lr=0.5)


def test_flat_gradient_concatenates_bptts_gradients_in_order():
    p = rnnbook.random_problem(
        batch_size=2, num_steps=5, vocab_size=6, num_hiddens=4, seed=3
    )
    _, grads = bptt_gradients(p.params, p.X, p.Y, truncation=2)
    flat = flat_gradient(p.params, p.X, p.Y, truncation=2)
    assert flat.shape == (6 * 4 + 4 * 4 + 4 + 4 * 6 + 6,)
    assert torch.equal(flat, torch.cat([grads[n].reshape(-1) for n in PARAM_NAMES]))
