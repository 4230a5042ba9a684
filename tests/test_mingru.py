"""minGRU: the scan equals stepping; the language model trains and decodes."""

from __future__ import annotations

import pytest
import torch

import rnnbook
from rnnbook import MinGRU, MinGRULM, MinLSTM, MinLSTMLM, GRULM
from rnnbook.scan import METHODS

f64 = torch.float64


def layer(method=None, seed=0):
    torch.manual_seed(seed)
    return MinGRU(5, 4, method=method).double()


@pytest.mark.parametrize("method", [None, *METHODS])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("kind", [MinGRU, MinLSTM])
def test_forward_by_the_scan_equals_stepping(method, with_state, kind):
    torch.manual_seed(0)
    cell = kind(5, 4, method=method).double()
    g = torch.Generator().manual_seed(1)
    inputs = torch.randn(11, 3, 5, dtype=f64, generator=g)
    h0 = torch.randn(3, 4, dtype=f64, generator=g) if with_state else None
    outputs, last = cell(inputs, h0)
    h, stepped = h0, []
    for x in inputs:
        h = cell.step(x, h)
        stepped.append(h)
    assert outputs.shape == (11, 3, 4)
    assert torch.allclose(outputs, torch.stack(stepped), atol=1e-12)
    assert torch.equal(last, outputs[-1])


def test_step_is_the_minGRU_equations():
    cell = layer()
    x, h = torch.randn(2, 5, dtype=f64), torch.randn(2, 4, dtype=f64)
    W, b = cell.linear.weight, cell.linear.bias  # (8, 5), (8,)
    z = torch.sigmoid(x @ W[:4].T + b[:4])
    candidate = x @ W[4:].T + b[4:]
    assert torch.allclose(cell.step(x, h), (1 - z) * h + z * candidate)


def test_minlstm_step_is_the_minLSTM_equations():
    torch.manual_seed(0)
    cell = MinLSTM(5, 4).double()
    x, h = torch.randn(2, 5, dtype=f64), torch.randn(2, 4, dtype=f64)
    W, b = cell.linear.weight, cell.linear.bias  # (12, 5), (12,)
    f = torch.sigmoid(x @ W[:4].T + b[:4])
    i = torch.sigmoid(x @ W[4:8].T + b[4:8])
    candidate = x @ W[8:].T + b[8:]
    expected = f / (f + i) * h + i / (f + i) * candidate
    assert torch.allclose(cell.step(x, h), expected, atol=1e-12)


@pytest.mark.parametrize("kind", [MinGRU, MinLSTM])
def test_start_remembering_sets_the_keep_coefficient(kind):
    torch.manual_seed(0)
    cell = kind(4, 3)
    with torch.no_grad():
        cell.linear.weight.zero_()
    cell.start_remembering(keep=2.0)
    a, _ = cell.coefficients(torch.eye(4))  # every token
    assert torch.allclose(a, torch.full_like(a, torch.sigmoid(torch.tensor(2.0))))


def test_method_for_the_device_and_bad_arguments():
    assert MinGRU(3, 2).method_for(torch.device("cpu")) == "fused"
    assert MinGRU(3, 2, method="parallel").method_for(torch.device("cpu")) == "parallel"
    with pytest.raises(ValueError, match="unknown method"):
        MinGRU(3, 2, method="scan")
    with pytest.raises(ValueError, match=r"num_inputs=3\), got \(4, 2, 5\)"):
        MinGRU(3, 2)(torch.zeros(4, 2, 5))
    with pytest.raises(ValueError, match="state has shape"):
        MinGRU(3, 2)(torch.zeros(4, 2, 3), torch.zeros(3, 2))


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("kind", [MinGRULM, MinLSTMLM])
def test_language_model_methods_agree_and_state_continues(num_layers, kind):
    torch.manual_seed(0)
    models = {m: kind(6, 7, num_layers=num_layers, method=m).double() for m in METHODS}
    assert all(isinstance(layer, kind.layer_class) for layer in models["fused"].layers)
    for m in METHODS[1:]:
        models[m].load_state_dict(models[METHODS[0]].state_dict())
    X = torch.randint(0, 7, (3, 10))
    logits = {m: model(X)[0] for m, model in models.items()}
    for m in METHODS[1:]:
        assert torch.allclose(logits[m], logits[METHODS[0]], atol=1e-12)
    model = models["fused"]
    whole, _ = model(X)
    first, state = model(X[:, :4])
    second, _ = model(X[:, 4:], state)
    assert whole.shape == (3, 10, 7)
    assert torch.allclose(torch.cat([first, second], dim=1), whole, atol=1e-12)


def test_language_model_state_errors():
    model = MinGRULM(4, 5, num_layers=2)
    with pytest.raises(TypeError, match="tuple of 2 tensors"):
        model(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="outside"):
        model(torch.full((2, 3), 9))


def tiny_data():
    text = "the time traveller for so it will be convenient to speak of him " * 30
    return rnnbook.TimeMachineData(text=text)


@pytest.mark.parametrize(
    "make",
    [
        lambda V: MinGRULM(16, V),
        lambda V: MinGRULM(16, V, 2),
        lambda V: MinLSTMLM(16, V),
        lambda V: GRULM(16, V),
    ],
    ids=["mingru", "mingru2", "minlstm", "gru"],
)
def test_trains_through_the_shared_trainer_and_decodes(make):
    data = tiny_data()
    V = len(data.vocab)
    torch.manual_seed(0)
    model = make(V)
    train = data.loader("train", batch_size=8, num_steps=16)
    history = rnnbook.fit_language_model(
        model,
        train,
        None,
        num_epochs=4,
        optimizer="adam",
        lr=0.05,
        progress=False,
        live=False,
    )
    assert history.train_perplexity[-1] < 0.5 * history.train_perplexity[0]
    text = rnnbook.predict(model, data.vocab, "the time", num_preds=12)
    assert text.startswith("the time") and len(text) == len("the time") + 12


def test_gru_lm_matches_nn_gru():
    torch.manual_seed(0)
    model = GRULM(4, 5).double()
    X = torch.randint(0, 5, (2, 6))
    logits, state = model(X)
    inputs = torch.nn.functional.one_hot(X.T, 5).double()
    outputs, h = model.rnn(inputs)
    assert torch.allclose(logits, model.output(outputs).transpose(0, 1))
    assert torch.allclose(state, h[0])


def test_sequence_classifier_on_mingru_reads_the_last_state_and_learns_recall():
    torch.manual_seed(0)
    model = rnnbook.SequenceClassifier("mingru", 8, 6, 4).double()
    assert isinstance(model.rnn, MinGRU)
    X, y = rnnbook.recall_task(5, lag=7, num_symbols=4, seed=3)
    _, last = model.rnn(model.one_hot(X))
    assert torch.allclose(model(X), model.output(last), atol=1e-12)
    torch.manual_seed(0)
    model = rnnbook.start_remembering(rnnbook.SequenceClassifier("mingru", 8, 8, 4))
    acc, history = rnnbook.fit_recall(
        model, lag=10, num_steps=100, batch_size=16, lr=0.05
    )
    assert acc > 0.95 and len(history.grad_norm) == 100


def test_start_remembering_opens_mingru_keep_coefficient():
    h = 3
    model = rnnbook.start_remembering(
        rnnbook.SequenceClassifier("mingru", 4, h, 2), keep=2.0
    )
    bias = model.rnn.linear.bias  # [gate | candidate]
    assert torch.all(bias[:h] == -2.0)
    x = torch.eye(4)  # every token, with the input weights zeroed
    with torch.no_grad():
        model.rnn.linear.weight.zero_()
    a, _ = model.rnn.coefficients(x)
    assert torch.allclose(a, torch.full_like(a, torch.sigmoid(torch.tensor(2.0))))
    stack = torch.nn.ModuleList([MinGRU(4, h), MinGRU(h, h)])
    model = rnnbook.SequenceClassifier(stack, 4, h, 2)
    rnnbook.start_remembering(model, keep=1.5)
    for layer in stack:
        assert torch.all(layer.linear.bias[:h] == -1.5)
        assert not torch.all(layer.linear.bias[h:] == -1.5)


def test_fit_recall_draws_its_sequences_from_the_given_task():
    calls = []

    def shared_alphabet(num_examples, lag, num_symbols, seed):
        calls.append((num_examples, lag, num_symbols, seed))
        X, y = rnnbook.recall_task(num_examples, lag, num_symbols, seed)
        X[:, 1:] -= num_symbols  # distractors from the symbols' alphabet
        return X, y

    torch.manual_seed(0)
    model = rnnbook.SequenceClassifier("mingru", 6, 4, 3)
    acc, _ = rnnbook.fit_recall(
        model, 2, num_steps=4, batch_size=5, seed=7, num_val=9, task=shared_alphabet
    )
    assert calls == [(20, 2, 3, 7), (9, 2, 3, 100_007)]
    X, y = shared_alphabet(9, 2, 3, 100_007)
    assert X.max() < 3 and acc == rnnbook.accuracy(model, X, y)
