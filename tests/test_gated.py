"""The LSTM and GRU cells from scratch against PyTorch's layers, their language models
and the sequence classifier of the recall task."""

import pytest
import rnnbook
import torch
from rnnbook import (
    GRULM,
    LSTMLM,
    GRUScratch,
    LSTMScratch,
    RecurrentLM,
    SequenceClassifier,
    first_state_gradient,
    recall_task,
)
from torch import nn

f64 = torch.float64
D, H = 5, 4


def inputs(seed=0, steps=6, batch=3):
    return torch.randn(
        steps, batch, D, dtype=f64, generator=torch.Generator().manual_seed(seed)
    )


@pytest.mark.parametrize("given_state", [False, True])
def test_lstm_scratch_equals_nn_lstm(given_state):
    torch.manual_seed(0)
    layer = nn.LSTM(D, H).double()
    cell = LSTMScratch.from_torch(layer)
    x = inputs()
    state = (
        (torch.randn(3, H, dtype=f64), torch.randn(3, H, dtype=f64))
        if given_state
        else None
    )
    out, (h, c) = cell(x, state)
    ref, (h_ref, c_ref) = layer(
        x, None if state is None else tuple(s[None] for s in state)
    )
    assert torch.allclose(out, ref, atol=1e-12)
    assert torch.allclose(h, h_ref[0], atol=1e-12) and torch.allclose(
        c, c_ref[0], atol=1e-12
    )


@pytest.mark.parametrize("given_state", [False, True])
def test_gru_scratch_equals_nn_gru(given_state):
    torch.manual_seed(0)
    layer = nn.GRU(D, H).double()
    cell = GRUScratch.from_torch(layer)
    x = inputs(1)
    state = torch.randn(3, H, dtype=f64) if given_state else None
    out, h = cell(x, state)
    ref, h_ref = layer(x, None if state is None else state[None])
    assert torch.allclose(out, ref, atol=1e-12) and torch.allclose(
        h, h_ref[0], atol=1e-12
    )


def test_gru_reset_gate_placement_matters():
    # Cho et al.'s form (R * H) W_hh differs from PyTorch's R * (H W_hh + b_hh).
    torch.manual_seed(0)
    cell = GRUScratch(D, H, sigma=0.5).double()
    x, Hp = inputs(2)[0], torch.randn(3, H, dtype=f64)
    R = torch.sigmoid(x @ cell.W_xr + Hp @ cell.W_hr + cell.b_r)
    torch_form = R * (Hp @ cell.W_hh)
    cho_form = (R * Hp) @ cell.W_hh
    assert not torch.allclose(torch_form, cho_form)


def test_from_torch_gradients_match():
    torch.manual_seed(1)
    layer = nn.LSTM(D, H).double()
    cell = LSTMScratch.from_torch(layer)
    x = inputs(3)
    cell(x)[0].sum().backward()
    layer(x)[0].sum().backward()
    W_xf = layer.weight_ih_l0.grad.chunk(4)[1].T
    assert torch.allclose(cell.W_xf.grad, W_xf, atol=1e-12)
    b_o = layer.bias_ih_l0.grad.chunk(4)[3]
    assert torch.allclose(cell.b_o.grad, b_o, atol=1e-12)


@pytest.mark.parametrize("cls", [LSTMScratch, GRUScratch])
def test_gradcheck_on_a_tiny_case(cls):
    torch.manual_seed(0)
    cell = cls(3, 2, sigma=0.5).double()
    x = torch.randn(3, 2, 3, dtype=f64, requires_grad=True)
    params = tuple(cell.parameters())

    def f(x, *ps):
        for p, v in zip(params, ps):
            p.data = v
        out, _ = torch.func.functional_call(
            cell, dict(zip(dict(cell.named_parameters()), ps)), (x,)
        )
        return out

    assert torch.autograd.gradcheck(
        f, (x, *[p.detach().clone().requires_grad_() for p in params])
    )


@pytest.mark.parametrize("cls, module", [(LSTMScratch, nn.GRU), (GRUScratch, nn.LSTM)])
def test_from_torch_rejects_the_other_layer(cls, module):
    with pytest.raises(TypeError, match="module"):
        cls.from_torch(module(D, H))


def test_from_torch_rejects_two_layers():
    with pytest.raises(ValueError, match="one-layer"):
        GRUScratch.from_torch(nn.GRU(D, H, num_layers=2))


def test_bad_inputs_and_states():
    cell = LSTMScratch(D, H)
    with pytest.raises(ValueError, match="time-major"):
        cell(torch.randn(3, D))
    with pytest.raises(TypeError, match=r"\(H, C\)"):
        cell(torch.randn(2, 3, D), torch.zeros(3, H))
    with pytest.raises(ValueError, match="state has shape"):
        GRUScratch(D, H)(torch.randn(2, 3, D), torch.zeros(2, H))


@pytest.mark.parametrize(
    "make",
    [
        lambda V: LSTMLM(8, V),
        lambda V: GRULM(8, V),
        lambda V: LSTMLM(8, V, scratch=True),
        lambda V: GRULM(8, V, scratch=True),
    ],
)
def test_language_models_train_carry_state_and_decode(make):
    check_language_model_on(make, "cpu")


def check_language_model_on(make, device: str) -> None:
    """``make(V)`` builds a language model that, on ``device``, learns a short text,
    carries its state, and decodes; everything stays on the device.

    Shared with ``test_cuda.py``, which runs it on a GPU.
    """
    corpus = "the time machine " * 15
    vocab = rnnbook.Vocab(list(corpus))
    tokens = torch.tensor(vocab[list(corpus)], device=device)
    V = len(vocab)
    torch.manual_seed(0)
    model = make(V)
    batches = [
        (tokens[i : i + 40].view(4, 10), tokens[i + 1 : i + 41].view(4, 10))
        for i in range(0, 240, 40)
    ]
    history = rnnbook.fit_language_model(
        model,
        batches,
        None,
        num_epochs=4,
        carry_state=True,
        optimizer="adam",
        lr=0.05,
        clip=1.0,
        device=device,
        progress=False,
        live=False,
    )
    assert history.train_loss[-1] < 0.8 * history.train_loss[0]
    assert all(p.device.type == device for p in model.parameters())
    X = batches[0][0]
    logits, state = model(X)
    assert logits.shape == (4, 10, V) and logits.device.type == device
    is_lstm = isinstance(model, LSTMLM)
    assert isinstance(state, tuple) == is_lstm
    assert all(s.device.type == device for s in (state if is_lstm else (state,)))
    # Carrying the state: two halves with the state passed on equal the whole.
    first, state1 = model(X[:, :4])
    second, _ = model(X[:, 4:], state1)
    assert torch.allclose(torch.cat([first, second], 1), logits, atol=1e-5)
    text = rnnbook.predict(model, vocab, "the ", num_preds=10)
    assert len(text) == 14


def test_recurrent_lm_checks_sizes():
    with pytest.raises(ValueError, match="vocabulary"):
        RecurrentLM(nn.GRU(5, 3), vocab_size=6)
    with pytest.raises(TypeError, match="rnn"):
        RecurrentLM(nn.Linear(5, 3), vocab_size=5)


def test_classifier_learns_a_short_lag_with_the_generic_trainer():
    X, y = recall_task(1024, lag=2, num_symbols=4, seed=0)
    torch.manual_seed(0)
    model = SequenceClassifier("lstm", vocab_size=8, num_hiddens=8, num_classes=4)
    batches = rnnbook.TensorBatches(X, y, batch_size=32)
    rnnbook.fit(
        model,
        batches,
        None,
        nn.functional.cross_entropy,
        num_epochs=2,
        optimizer="adam",
        lr=0.05,
        clip=1.0,
        device="cpu",
    )
    Xv, yv = recall_task(500, lag=2, num_symbols=4, seed=9)
    assert rnnbook.accuracy(model, Xv, yv) > 0.95


def test_fit_recall_returns_accuracy_and_checks_the_vocabulary():
    torch.manual_seed(0)
    model = SequenceClassifier("lstm", vocab_size=8, num_hiddens=8, num_classes=4)
    acc, history = rnnbook.fit_recall(
        model, lag=1, num_steps=60, batch_size=16, lr=0.05, log_every=25
    )
    assert acc > 0.9 and len(history.grad_norm) == 60 and len(history.train_loss) == 3
    with pytest.raises(ValueError, match="vocab_size"):
        rnnbook.fit_recall(SequenceClassifier("rnn", 9, 4, 4), lag=1)


def test_fit_recall_takes_the_optimizer_by_name():
    """Plain SGD moves the weights by lr * gradient (no clipping here: the
    norm is small), Adam by about lr per weight: the two runs differ."""
    def trained(optimizer):
        torch.manual_seed(0)
        model = SequenceClassifier("rnn", vocab_size=8, num_hiddens=4, num_classes=4)
        before = model.output.bias.detach().clone()
        rnnbook.fit_recall(model, lag=2, num_steps=1, batch_size=8, lr=0.1,
                           clip=None, optimizer=optimizer, log_every=1)
        return (model.output.bias.detach() - before).abs()

    adam, sgd = trained("adam"), trained("sgd")
    assert torch.allclose(adam, torch.full_like(adam, 0.1), rtol=1e-3)
    assert not torch.allclose(sgd, adam) and (sgd > 0).all()
    with pytest.raises(ValueError, match="optimizer"):
        trained("adagrad")


@pytest.mark.parametrize("cell", ["rnn", "relu", "gru", "lstm"])
def test_truncation_changes_gradients_not_outputs(cell):
    X, y = recall_task(16, lag=9, num_symbols=4, seed=1)
    torch.manual_seed(0)
    full = SequenceClassifier(cell, 8, 6, 4).double()
    cut = SequenceClassifier(cell, 8, 6, 4, truncation=3).double()
    cut.load_state_dict(full.state_dict())
    assert torch.allclose(full(X), cut(X), atol=1e-12)
    # With k = 3 on 10 steps, the first token's input weights get no gradient.
    for model in (full, cut):
        nn.functional.cross_entropy(model(X), y).backward()
    first_cols = X[:, 0].unique()  # symbols appear only at step 1
    g_full = full.rnn.weight_ih_l0.grad[:, first_cols].abs().sum()
    g_cut = cut.rnn.weight_ih_l0.grad[:, first_cols].abs().sum()
    assert g_full > 0 and g_cut == 0


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_first_state_gradient_matches_autograd_on_the_whole_model(cell):
    X, y = recall_task(5, lag=4, num_symbols=3, seed=2)
    torch.manual_seed(0)
    model = SequenceClassifier(cell, 6, 4, 3).double()
    got = first_state_gradient(model, X, y)
    # Independent computation: hook the first state inside one run.
    norms = []
    for i in range(5):
        inputs = model.one_hot(X[i : i + 1])
        first = model.read(inputs[:1])
        parts = first if isinstance(first, tuple) else (first,)
        for p in parts:
            p.retain_grad()
        state = model.read(inputs[1:], first)
        H = state[0] if isinstance(state, tuple) else state
        nn.functional.cross_entropy(model.output(H), y[i : i + 1]).backward()
        norms.append(torch.cat([p.grad for p in parts], 1).norm())
    assert got == pytest.approx(float(torch.stack(norms).mean()), rel=1e-10)


def test_classifier_errors():
    with pytest.raises(ValueError, match="unknown cell"):
        SequenceClassifier("transformer", 4, 3, 2)
    with pytest.raises(ValueError, match="truncation"):
        SequenceClassifier("rnn", 4, 3, 2, truncation=0)


def test_longest_lag_held_stops_at_the_first_lag_below_the_level():
    acc = torch.tensor([[1.0, 0.96], [0.2, 0.3], [1.0, 1.0]])  # means 0.98, 0.25, 1.0
    assert rnnbook.longest_lag_held(acc, (5, 10, 20)) == 5
    assert rnnbook.longest_lag_held(acc, (5, 10, 20), level=0.99) == 0
    with pytest.raises(ValueError, match="lags"):
        rnnbook.longest_lag_held(acc, (5, 10))


def test_start_remembering_sets_the_gate_biases():
    h = 3
    lstm = rnnbook.start_remembering(
        SequenceClassifier("lstm", 4, h, 2), keep=2.0, write=-1.0
    )
    b = lstm.rnn.bias_ih_l0 + lstm.rnn.bias_hh_l0  # blocks: input, forget, cell, output
    assert torch.all(b[:h] == -1.0) and torch.all(b[h : 2 * h] == 2.0)
    gru = rnnbook.start_remembering(SequenceClassifier("gru", 4, h, 2), keep=2.0)
    b = gru.rnn.bias_ih_l0 + gru.rnn.bias_hh_l0  # blocks: reset, update, new
    assert torch.all(b[h : 2 * h] == 2.0)
    with pytest.raises(TypeError, match="nn.LSTM or nn.GRU"):
        rnnbook.start_remembering(SequenceClassifier("rnn", 4, h, 2))


def test_recall_sweep_shapes_and_reproducibility():
    def make():
        return SequenceClassifier("lstm", 4, 4, 2)

    acc, models = rnnbook.recall_sweep(make, (1, 2), (0, 1), num_steps=5, batch_size=4)
    again, _ = rnnbook.recall_sweep(make, (1, 2), (0, 1), num_steps=5, batch_size=4)
    assert acc.shape == (2, 2) and set(models) == {(1, 0), (1, 1), (2, 0), (2, 1)}
    assert torch.equal(acc, again)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_trace_ends_in_the_layers_own_state(cell):
    torch.manual_seed(0)
    model = rnnbook.start_remembering(rnnbook.SequenceClassifier(cell, 16, 5, 8))
    X, _ = rnnbook.recall_task(3, lag=6)
    trace = rnnbook.gate_trace(model, X)
    with torch.no_grad():
        state = model.read(model.one_hot(X))
    H = state[0] if isinstance(state, tuple) else state
    assert torch.allclose(trace["H"][-1], H, atol=1e-6)
    if cell == "lstm":
        assert torch.allclose(trace["C"][-1], state[1], atol=1e-6)
        assert set(trace) == {"I", "F", "O", "C_tilde", "C", "H"}
        # start_remembering: forget gate sigmoid(3), input gate sigmoid(-3), before
        # the weights' own terms (small at this initialisation)
        assert 0.8 < trace["F"].mean() < 0.99 and trace["I"].mean() < 0.2
    else:
        assert set(trace) == {"R", "Z", "H_tilde", "H"}
        assert 0.8 < trace["Z"].mean() < 0.99
    assert all(v.shape == (7, 3, 5) for v in trace.values())


def test_gate_trace_rejects_other_layers():
    with pytest.raises(TypeError, match="nn.LSTM or nn.GRU"):
        rnnbook.gate_trace(rnnbook.SequenceClassifier("rnn", 16, 5, 8),
                           torch.zeros(2, 3, dtype=torch.long))
