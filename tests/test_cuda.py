"""The package on a CUDA GPU.

The same numbers as on the CPU, and training that stays on the device.

Nothing in the book needs a GPU, and CI has none, so every test here is skipped
without one. On a machine with CUDA they check what could differ there: the
hand-written autograd functions, the chunked evaluation, the trainer's device
choice, decoding and the hand-written BPTT.
"""

from __future__ import annotations

import pytest
import torch

import rnnbook
from rnnbook import (
    FastRNNLMScratch,
    RNNLM,
    RNNLMScratch,
    RNNScratch,
    bptt_gradients,
    random_problem,
    rnn_lm_loss,
)
from rnnbook.models.fast import scratch_lm_loss
from test_gated import check_language_model_on

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA device"
)

V, H = 7, 5
f64 = torch.float64


def models():
    torch.manual_seed(0)
    scratch = RNNLMScratch(RNNScratch(V, H, sigma=0.5), V).double()
    fast = FastRNNLMScratch(RNNScratch(V, H), V).double()
    fast.load_state_dict(scratch.state_dict())
    return scratch, RNNLM(H, V).double().load_from_scratch(scratch), fast


def tokens(seed: int, shape=(3, 6)) -> torch.Tensor:
    return torch.randint(0, V, shape, generator=torch.Generator().manual_seed(seed))


def test_fast_loss_passes_gradcheck_on_cuda():
    g = torch.Generator().manual_seed(0)
    lm = [
        torch.randn(V, H, dtype=f64, generator=g),
        torch.randn(3, H, dtype=f64, generator=g),
        0.7 * torch.randn(H, H, dtype=f64, generator=g),
        torch.randn(H, V, dtype=f64, generator=g),
        torch.randn(V, dtype=f64, generator=g),
    ]
    lm = [t.cuda().requires_grad_() for t in lm]
    ints = [
        torch.randint(0, V, (12,), generator=g).cuda() for _ in range(2)
    ]  # 4 steps of 3
    assert torch.autograd.gradcheck(lambda *f: scratch_lm_loss(*f, *ints), lm)


@pytest.mark.parametrize("which", [0, 1, 2], ids=["scratch", "concise", "fast"])
def test_models_give_the_cpu_loss_gradients_and_state_on_cuda(which):
    X, Y = tokens(1), tokens(2)
    state = torch.randn(3, H, dtype=f64, generator=torch.Generator().manual_seed(3))
    cpu = models()[which]
    gpu = models()[which].cuda()
    loss_c, s_c = cpu.loss(X, Y, state)
    loss_g, s_g = gpu.loss(X.cuda(), Y.cuda(), state.cuda())
    grads_c = torch.autograd.grad(loss_c + s_c.sum(), list(cpu.parameters()))
    grads_g = torch.autograd.grad(loss_g + s_g.sum(), list(gpu.parameters()))
    assert loss_g.device.type == "cuda" and s_g.device.type == "cuda"
    torch.testing.assert_close(loss_g.cpu(), loss_c, rtol=1e-12, atol=0)
    torch.testing.assert_close(s_g.cpu(), s_c, rtol=0, atol=1e-12)
    for a, b in zip(grads_g, grads_c):
        torch.testing.assert_close(a.cpu(), b, rtol=1e-10, atol=1e-12)
    with torch.no_grad():  # the chunked evaluation path
        chunked, _ = gpu.loss(X.cuda(), Y.cuda(), state.cuda())
    assert chunked.device.type == "cuda"
    torch.testing.assert_close(chunked.cpu(), loss_c.detach(), rtol=1e-12, atol=0)


def test_trainer_picks_cuda_and_trains_there():
    assert rnnbook.default_device().type == "cuda"
    scratch = models()[0]
    scratch = scratch.float()
    X, Y = tokens(4, (16, 8)), tokens(5, (16, 8))
    history = rnnbook.fit_language_model(
        scratch,
        [(X, Y)],
        [(X, Y)],
        num_epochs=30,
        lr=1.0,
        clip=1.0,
        progress=False,
        live=False,
    )
    assert next(scratch.parameters()).device.type == "cuda"
    assert history.train_loss[-1] < history.train_loss[0] - 0.1


def test_greedy_decoding_on_cuda_matches_the_cpu():
    vocab = rnnbook.Vocab(list("abcdef"))  # six letters and <unk>
    assert len(vocab) == V
    scratch, concise, _ = models()
    for model in (scratch, concise):
        on_cpu = rnnbook.predict(model, vocab, "abc", 12)
        on_gpu = rnnbook.predict(model.cuda(), vocab, "abc", 12)
        assert on_gpu == on_cpu


def test_hand_written_bptt_matches_autograd_on_cuda():
    params, X, Y, state = random_problem(
        batch_size=3,
        num_steps=7,
        vocab_size=V,
        num_hiddens=H,
        with_state=True,
        dtype=f64,
        seed=0,
    )
    params = {k: v.cuda() for k, v in params.items()}
    X, Y, state = X.cuda(), Y.cuda(), state.cuda()
    loss, grads = bptt_gradients(params, X, Y, state)
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
    reference = torch.autograd.grad(
        rnn_lm_loss(leaves, X, Y, state), list(leaves.values())
    )
    torch.testing.assert_close(
        loss, rnn_lm_loss(params, X, Y, state), rtol=1e-12, atol=0
    )
    for name, g in zip(leaves, reference):
        assert grads[name].device.type == "cuda"
        torch.testing.assert_close(grads[name], g, rtol=1e-10, atol=1e-12)


# ---- gated cells and the recall task (book/long_memory.md, book/gated.md) ------------
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_scratch_gated_cells_equal_torch_layers_on_cuda(kind):
    torch.manual_seed(0)
    layer = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(5, 4).double().cuda()
    cell = (rnnbook.LSTMScratch if kind == "lstm" else rnnbook.GRUScratch).from_torch(
        layer
    )
    assert next(cell.parameters()).device.type == "cuda"
    g = torch.Generator().manual_seed(1)
    x = torch.randn(6, 3, 5, dtype=f64, generator=g).cuda()
    h0 = torch.randn(3, 4, dtype=f64, generator=g).cuda()
    if kind == "lstm":
        c0 = torch.randn(3, 4, dtype=f64, generator=g).cuda()
        ours, (h, c) = cell(x, (h0, c0))
        ref, (h_ref, c_ref) = layer(x, (h0[None], c0[None]))
        torch.testing.assert_close(c, c_ref[0], rtol=0, atol=1e-12)
    else:
        ours, h = cell(x, h0)
        ref, h_ref = layer(x, h0[None])
    torch.testing.assert_close(ours, ref, rtol=0, atol=1e-12)
    torch.testing.assert_close(h, h_ref[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_scratch_gated_cells_pass_gradcheck_on_cuda(kind):
    torch.manual_seed(0)
    cell = (rnnbook.LSTMScratch if kind == "lstm" else rnnbook.GRUScratch)(
        3, 2, sigma=0.5
    )
    cell = cell.double().cuda()
    names = [n for n, _ in cell.named_parameters()]
    x = torch.randn(3, 2, 3, dtype=f64, device="cuda", requires_grad=True)
    params = [p.detach().clone().requires_grad_() for p in cell.parameters()]

    def f(x, *ps):
        return torch.func.functional_call(cell, dict(zip(names, ps)), (x,))[0]

    assert torch.autograd.gradcheck(f, (x, *params))


@pytest.mark.parametrize(
    "make",
    [
        lambda V: rnnbook.LSTMLM(8, V),
        lambda V: rnnbook.GRULM(8, V),
        lambda V: rnnbook.LSTMLM(8, V, scratch=True),
        lambda V: rnnbook.GRULM(8, V, scratch=True),
    ],
    ids=["lstm", "gru", "lstm-scratch", "gru-scratch"],
)
def test_gated_language_models_train_carry_state_and_decode_on_cuda(make):
    check_language_model_on(make, "cuda")  # the CPU test's checks, on the GPU


def test_recall_classifier_and_first_state_gradient_on_cuda():
    X, y = rnnbook.recall_task(6, lag=4, num_symbols=3, seed=2)
    torch.manual_seed(0)
    cpu = rnnbook.SequenceClassifier("lstm", 6, 4, 3).double()
    gpu = rnnbook.SequenceClassifier("lstm", 6, 4, 3).double()
    gpu.load_state_dict(cpu.state_dict())
    gpu.cuda()
    torch.testing.assert_close(gpu(X.cuda()).cpu(), cpu(X), rtol=0, atol=1e-12)
    a = rnnbook.first_state_gradient(cpu, X, y)
    b = rnnbook.first_state_gradient(gpu, X.cuda(), y.cuda())
    assert b == pytest.approx(a, rel=1e-10)


# ---- Recurrent networks that train in parallel over time (book/parallel_rnn.md) ------
@pytest.mark.parametrize("method", rnnbook.scan.METHODS)
def test_linear_recurrence_on_cuda_matches_the_cpu_and_passes_gradcheck(method):
    g = torch.Generator().manual_seed(0)
    a = 2 * torch.rand(300, 3, 4, dtype=f64, generator=g) - 1
    a[a.abs() < 0.1] = 0.0
    b = torch.randn(300, 3, 4, dtype=f64, generator=g)
    h0 = torch.randn(3, 4, dtype=f64, generator=g)
    cpu = rnnbook.linear_recurrence(a, b, h0, method="sequential")
    gpu = rnnbook.linear_recurrence(a.cuda(), b.cuda(), h0.cuda(), method=method)
    assert gpu.device.type == "cuda"
    assert (gpu.cpu() - cpu).abs().max().item() < 1e-10
    small = [t[:9].cuda().requires_grad_() for t in (a, b)] + [
        h0.cuda().requires_grad_()
    ]
    assert torch.autograd.gradcheck(
        lambda a, b, h: rnnbook.linear_recurrence(a, b, h, method=method), small
    )


@pytest.mark.parametrize("kind", ["MinGRU", "MinLSTM"])
def test_mingru_on_cuda_uses_the_parallel_scan_and_equals_stepping(kind):
    torch.manual_seed(0)
    cell = getattr(rnnbook, kind)(5, 4).double().cuda()
    assert cell.method_for(torch.device("cuda")) == "parallel"
    inputs = torch.randn(33, 2, 5, dtype=f64).cuda()
    outputs, last = cell(inputs)
    h, stepped = None, []
    for x in inputs:
        h = cell.step(x, h)
        stepped.append(h)
    assert torch.allclose(outputs, torch.stack(stepped), atol=1e-12)
    cpu = getattr(rnnbook, kind)(5, 4).double()
    cpu.load_state_dict({k: v.cpu() for k, v in cell.state_dict().items()})
    assert torch.allclose(cpu(inputs.cpu())[0], outputs.cpu(), atol=1e-12)


def test_mingru_lm_trains_and_decodes_on_cuda():
    data = rnnbook.TimeMachineData(
        text="the time traveller for so it will be convenient " * 20
    )
    V = len(data.vocab)
    torch.manual_seed(0)
    model = rnnbook.MinGRULM(16, V, num_layers=2)
    history = rnnbook.fit_language_model(
        model,
        data.loader("train", batch_size=8, num_steps=16),
        None,
        num_epochs=5,
        optimizer="adam",
        lr=0.02,
        device="cuda",
        progress=False,
        live=False,
    )
    assert next(model.parameters()).device.type == "cuda"
    assert history.train_perplexity[-1] < history.train_perplexity[0]
    text = rnnbook.predict(model, data.vocab, "the time", num_preds=10)
    assert text.startswith("the time") and len(text) == 18
