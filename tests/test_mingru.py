"""minGRU: the scan equals stepping; the language model trains and decodes."""

from __future__ import annotations

import pytest
import torch

import rnnbook
from rnnbook import MinGRU, MinGRULM, GRULM
from rnnbook.scan import METHODS

f64 = torch.float64


def layer(method=None, seed=0):
    torch.manual_seed(seed)
    return MinGRU(5, 4, method=method).double()


@pytest.mark.parametrize("method", [None, *METHODS])
@pytest.mark.parametrize("with_state", [False, True])
def test_forward_by_the_scan_equals_stepping(method, with_state):
    cell = layer(method)
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
def test_language_model_methods_agree_and_state_continues(num_layers):
    torch.manual_seed(0)
    models = {
        m: MinGRULM(6, 7, num_layers=num_layers, method=m).double() for m in METHODS
    }
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
        lambda V: GRULM(16, V),
    ],
    ids=["mingru", "mingru2", "gru"],
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
