"""What the gates of a trained LSTM or GRU do, step by step.

Explained in ``book/gated.md``, which plots the gates of the recall models and
measures how large the LSTM's memory cell grows. PyTorch's ``nn.LSTM`` and
``nn.GRU`` return only the states; :func:`gate_trace` runs the same step by
hand, with the layer's own weights, and keeps every gate along the way.
"""

from __future__ import annotations

import torch
from torch import nn

from .classifier import SequenceClassifier


def gate_trace(model: SequenceClassifier, X: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every gate and state of ``model``'s one-layer LSTM or GRU on ``X``.

    ``X`` is (batch, steps) int64 tokens, as the model reads them. Returns
    tensors (steps, batch, hidden): for an ``nn.LSTM`` the input, forget and
    output gates ``"I"``, ``"F"``, ``"O"``, the candidate ``"C_tilde"``, the
    cell ``"C"`` and the hidden state ``"H"``; for an ``nn.GRU`` the reset and
    update gates ``"R"``, ``"Z"``, the candidate ``"H_tilde"`` and ``"H"``.
    The equations are those of ``book/gated.md`` (PyTorch's form of the GRU).
    """
    if not isinstance(model, SequenceClassifier):
        got = type(model).__name__
        raise TypeError(f"model must be a SequenceClassifier, got {got}")
    layer = model.rnn
    if not isinstance(layer, (nn.LSTM, nn.GRU)) or layer.num_layers != 1:
        got = type(layer).__name__
        raise TypeError(f"gate_trace reads a one-layer nn.LSTM or nn.GRU, got {got}")
    inputs = model.one_hot(X)  # (steps, batch, vocab)
    h = layer.hidden_size
    W_x, W_h = layer.weight_ih_l0.T, layer.weight_hh_l0.T  # (vocab, k h), (h, k h)
    b_x, b_h = layer.bias_ih_l0, layer.bias_hh_l0
    H = inputs.new_zeros(inputs.shape[1], h)  # (batch, hidden)
    C = torch.zeros_like(H)
    trace: dict[str, list[torch.Tensor]] = {}
    with torch.no_grad():
        for x in inputs:
            gx, gh = x @ W_x + b_x, H @ W_h + b_h  # (batch, k h) each
            if isinstance(layer, nn.LSTM):  # blocks: input, forget, candidate, output
                g = gx + gh
                I, F = torch.sigmoid(g[:, :h]), torch.sigmoid(g[:, h : 2 * h])
                C_tilde = torch.tanh(g[:, 2 * h : 3 * h])
                O = torch.sigmoid(g[:, 3 * h :])
                C = F * C + I * C_tilde
                H = O * torch.tanh(C)
                step = dict(I=I, F=F, O=O, C_tilde=C_tilde, C=C, H=H)
            else:  # blocks: reset, update, candidate
                R = torch.sigmoid(gx[:, :h] + gh[:, :h])
                Z = torch.sigmoid(gx[:, h : 2 * h] + gh[:, h : 2 * h])
                H_tilde = torch.tanh(gx[:, 2 * h :] + R * gh[:, 2 * h :])
                H = Z * H + (1 - Z) * H_tilde
                step = dict(R=R, Z=Z, H_tilde=H_tilde, H=H)
            for name, value in step.items():
                trace.setdefault(name, []).append(value)
    return {name: torch.stack(values) for name, values in trace.items()}
