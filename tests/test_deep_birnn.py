"""Deep and bidirectional RNNs (book/deep_birnn.md): shapes, the stacked and
two-pass computations against PyTorch's layers, which inputs each half of a
bidirectional state depends on, the word-end task, and clear errors."""

import pytest
import torch
from torch import nn

import rnnbook
from rnnbook import (BiRNN, DeepRNNLM, SequenceTagger, WordEnds,
                     tag_error_rate, word_end_tags)

V = 7


def tokens(batch=3, steps=6, seed=0):
    return torch.randint(V, (batch, steps),
                         generator=torch.Generator().manual_seed(seed))


# ---- stacked layers ----------------------------------------------------------

@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_deep_model_shapes(cell):
    model = DeepRNNLM(V, 5, 3, cell=cell)
    logits, state = model(tokens(4, 9))
    assert logits.shape == (4, 9, V)
    parts = state if cell == "lstm" else (state,)
    assert len(parts) == (2 if cell == "lstm" else 1)
    assert all(p.shape == (3, 4, 5) for p in parts)
    # the state carries on: two halves read in turn give the whole's logits
    X = tokens(4, 9)
    whole, _ = model(X)
    first, s = model(X[:, :4])
    second, _ = model(X[:, 4:], s)
    torch.testing.assert_close(torch.cat([first, second], 1), whole)


def test_two_stacked_layers_are_the_equations_by_hand():
    """H^(j)_t = tanh(H^(j-1)_t W_xh^(j) + H^(j)_{t-1} W_hh^(j) + b^(j))."""
    torch.manual_seed(0)
    model = DeepRNNLM(V, 4, 2).double()
    X = tokens(2, 5)
    logits, state = model(X)
    below = nn.functional.one_hot(X, V).double()        # H^(0) = X
    finals = []
    for j in range(2):
        W_xh = getattr(model.rnn, f"weight_ih_l{j}").T
        W_hh = getattr(model.rnn, f"weight_hh_l{j}").T
        b = getattr(model.rnn, f"bias_ih_l{j}") + getattr(model.rnn,
                                                          f"bias_hh_l{j}")
        H, states = torch.zeros(2, 4, dtype=torch.float64), []
        for t in range(5):
            H = torch.tanh(below[:, t] @ W_xh + H @ W_hh + b)
            states.append(H)
        below = torch.stack(states, 1)                  # (batch, steps, h)
        finals.append(H)
    torch.testing.assert_close(logits, model.output(below))
    torch.testing.assert_close(state, torch.stack(finals))


def test_deep_model_refuses_bad_input():
    with pytest.raises(ValueError, match="unknown cell"):
        DeepRNNLM(V, 4, 2, cell="transformer")
    with pytest.raises(ValueError, match="num_layers"):
        DeepRNNLM(V, 4, 0)
    model = DeepRNNLM(V, 4, 2)
    with pytest.raises(ValueError, match="one hidden state per layer"):
        model(tokens(3, 5), torch.zeros(3, 4))          # one layer's state
    with pytest.raises(ValueError, match="outside"):
        model(torch.full((2, 3), V))
    with pytest.raises(TypeError, match="pair"):
        DeepRNNLM(V, 4, 2, cell="lstm")(tokens(), torch.zeros(2, 3, 4))


# ---- the bidirectional layer -------------------------------------------------

@pytest.mark.parametrize("cell, layer", [("rnn", nn.RNN), ("gru", nn.GRU)])
def test_birnn_computes_what_pytorch_bidirectional_layer_computes(cell, layer):
    torch.manual_seed(0)
    theirs = layer(3, 4, bidirectional=True, batch_first=True).double()
    ours = BiRNN(3, 4, cell).double().load_from_torch(theirs)
    inputs = torch.randn(2, 6, 3, dtype=torch.float64)
    states = ours(inputs)
    assert states.shape == (2, 6, 8)
    torch.testing.assert_close(states, theirs(inputs)[0], rtol=0, atol=1e-12)


def test_forward_half_ignores_the_future_and_backward_half_the_past():
    """With autograd: d state_t / d x_s for every s, each half separately."""
    torch.manual_seed(0)
    h, steps = 4, 7
    layer = BiRNN(3, h).double()
    for t in range(steps):
        inputs = torch.randn(1, steps, 3, dtype=torch.float64,
                             requires_grad=True)
        states = layer(inputs)[0, t]                     # (2h,)
        fwd, = torch.autograd.grad(states[:h].sum(), inputs,
                                   retain_graph=True)
        bwd, = torch.autograd.grad(states[h:].sum(), inputs)
        fwd, bwd = fwd[0].abs().sum(-1), bwd[0].abs().sum(-1)  # (steps,)
        assert (fwd[t + 1:] == 0).all() and (fwd[:t + 1] > 0).all()
        assert (bwd[:t] == 0).all() and (bwd[t:] > 0).all()


def test_birnn_refuses_bad_input():
    layer = BiRNN(3, 4)
    with pytest.raises(ValueError, match="batch first"):
        layer(torch.randn(2, 5, 4))                      # wrong feature size
    with pytest.raises(ValueError, match=r"\(batch, steps"):
        layer(torch.randn(5, 3))                         # no batch axis
    with pytest.raises(ValueError, match="bidirectional"):
        layer.load_from_torch(nn.RNN(3, 4))              # one direction
    with pytest.raises(ValueError, match="unknown cell"):
        BiRNN(3, 4, cell="lstm")


# ---- the tagger ----------------------------------------------------------------

@pytest.mark.parametrize("bidirectional", [False, True])
def test_tagger_shapes_and_what_its_logits_depend_on(bidirectional):
    torch.manual_seed(0)
    model = SequenceTagger(V, 5, 3, bidirectional=bidirectional)
    X = tokens(2, 8)
    logits, state = model(X)
    assert logits.shape == (2, 8, 3) and state is None
    changed = X.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % V            # a new future
    moved = (model(changed)[0] - logits).abs().amax(dim=(0, 2))  # (steps,)
    assert (moved[:5] > 0).all() == bidirectional
    assert (moved[:5] == 0).all() == (not bidirectional)


def test_tagger_is_trained_by_the_books_trainer_and_refuses_a_state():
    torch.manual_seed(0)
    model = SequenceTagger(V, 4, 2, bidirectional=True)
    Y = torch.randint(2, (3, 6))
    history = rnnbook.fit_language_model(model, [(tokens(), Y)], None, 2,
                                         optimizer="adam", lr=0.01)
    assert len(history.train_loss) == 2
    with pytest.raises(ValueError, match="state=None"):
        model(tokens(), torch.zeros(3, 4))
    with pytest.raises(TypeError, match="int64"):
        model(tokens().float())


# ---- the word-end task -------------------------------------------------------

def test_word_end_tags_marks_the_last_letter_of_each_word():
    assert word_end_tags(" the time a ") == ("thetimea",
                                             [0, 0, 1, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="no words"):
        word_end_tags("   ")


def test_word_ends_batches_pair_letters_with_their_tags():
    text = "the time traveller for so it will be convenient to speak " * 40
    data = rnnbook.TimeMachineData(text=text)
    task = WordEnds(data)
    assert int(task.tags.sum()) == len(data.text.split())
    assert task.letters.numel() == len(data.text.replace(" ", ""))
    batches = task.batches("train", batch_size=4, num_steps=10, seed=1)
    assert batches and all(X.shape == Y.shape == (4, 10) for X, Y in batches)
    letters = task.text
    for X, Y in batches:
        for row_x, row_y in zip(X, Y):
            chunk = "".join(data.vocab.to_tokens(row_x.tolist()))
            start = letters.find(chunk)   # the text repeats: any copy will do
            assert start >= 0
            assert row_y.tolist() == task.tags[start:start + 10].tolist()
    val = task.batches("val", batch_size=2, num_steps=5, drop_last=False)
    assert sum(X.numel() for X, _ in val) <= task.letters.numel() - task.num_train
    with pytest.raises(ValueError, match="unknown split"):
        task.batches("test")
    with pytest.raises(TypeError, match="character-level"):
        WordEnds(rnnbook.TimeMachineData(level="word", text=text))


def test_tag_error_rate_counts_wrong_positions():
    class Fixed(nn.Module):
        def forward(self, X):                       # tag 1 wherever X == 0
            return nn.functional.one_hot((X == 0).long(), 2).float(), None

    X = torch.tensor([[0, 1, 2, 0]])
    assert tag_error_rate(Fixed(), [(X, torch.tensor([[1, 0, 0, 1]]))]) == 0
    assert tag_error_rate(Fixed(), [(X, torch.tensor([[1, 1, 1, 1]]))]) == 0.5
    with pytest.raises(ValueError, match="no batches"):
        tag_error_rate(Fixed(), [])


# ---- the diagrams ------------------------------------------------------------

def test_deep_rnn_diagram_has_a_state_per_layer_and_step():
    from conftest import figure_texts
    labels = figure_texts(rnnbook.deep_rnn(num_steps=3, num_layers=2))
    for t in (1, 2, 3):
        assert labels.count(f"$x_{t}$") == labels.count(f"$o_{t}$") == 1
        for j in (1, 2):
            assert labels.count(f"$h_{t}^{{({j})}}$") == 1
    assert "$h_1^{(3)}$" not in labels and "$x_4$" not in labels
    with pytest.raises(ValueError, match="num_steps must be at least 1"):
        rnnbook.deep_rnn(num_steps=0)


def test_bidirectional_diagram_has_both_rows():
    from conftest import figure_texts
    labels = figure_texts(rnnbook.bidirectional_rnn(num_steps=4))
    for t in (1, 2, 3, 4):
        assert labels.count(rf"$\overrightarrow{{h}}_{t}$") == 1
        assert labels.count(rf"$\overleftarrow{{h}}_{t}$") == 1
    with pytest.raises(TypeError, match="num_steps must be an int"):
        rnnbook.bidirectional_rnn(num_steps=1.5)
