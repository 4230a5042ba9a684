"""Decoding: warm-up on the prefix, greedy and seeded sampling, and every refused
input."""

from __future__ import annotations

import pytest
import torch

from rnnbook import RNNLM, RNNLMScratch, RNNScratch, Vocab, predict, tokenize
from rnnbook.decoding import next_token

VOCAB = Vocab(tokenize("the quick brown fox jumps over a lazy dog"))


def model(seed: int = 0, sigma: float = 1.0) -> RNNLMScratch:
    # Large random weights: confident, varied predictions without any training.
    torch.manual_seed(seed)
    return RNNLMScratch(RNNScratch(len(VOCAB), 16, sigma=sigma), len(VOCAB))


def test_output_is_the_preprocessed_prefix_plus_num_preds_characters():
    out = predict(model(), VOCAB, "The  Dog!", 12)
    assert out.startswith("the dog ") and len(out) == len("the dog ") + 12
    assert set(out) <= set(VOCAB.idx_to_token)
    assert predict(model(), VOCAB, "a dog", 0) == "a dog"


def test_greedy_is_deterministic_and_follows_the_argmax_by_hand():
    lm = model()
    out = predict(lm, VOCAB, "the fox", 10)
    assert out == predict(lm, VOCAB, "the fox", 10)
    # By hand, one character at a time, warm-up included.
    state, chars = None, list("the fox")
    with torch.no_grad():
        for ch in chars:
            logits, state = lm(torch.tensor([[VOCAB[ch]]]), state)
        for _ in range(10):
            token = int(logits[0, -1].argmax())
            chars.append(VOCAB.to_tokens(token))
            logits, state = lm(torch.tensor([[token]]), state)
    assert out == "".join(chars)


def test_sampling_is_reproducible_for_a_seed_and_differs_across_seeds():
    lm = model(sigma=0.3)  # small weights: flat predictions, so draws differ
    a = predict(lm, VOCAB, "the", 40, strategy="sample", seed=1)
    assert a == predict(lm, VOCAB, "the", 40, strategy="sample", seed=1)
    b = predict(lm, VOCAB, "the", 40, strategy="sample", seed=2)
    assert a != b
    # unseeded: fresh draws
    assert predict(lm, VOCAB, "the", 40, strategy="sample", seed=None) != a


def test_a_cold_temperature_samples_the_greedy_text():
    lm = model()
    greedy = predict(lm, VOCAB, "lazy", 25)
    assert (
        predict(lm, VOCAB, "lazy", 25, strategy="sample", temperature=1e-4, seed=0)
        == greedy
    )


def test_temperature_sharpens_or_flattens_the_distribution():
    logits = torch.tensor([2.0, 1.0, 0.0])
    gen = torch.Generator().manual_seed(0)
    counts = {
        t: torch.bincount(
            torch.tensor([next_token(logits, "sample", t, gen) for _ in range(3000)]),
            minlength=3,
        )
        for t in (0.5, 1.0, 5.0)
    }
    share_of_best = {t: c[0].item() / 3000 for t, c in counts.items()}
    assert share_of_best[0.5] > share_of_best[1.0] > share_of_best[5.0]
    exact = torch.softmax(logits, 0)[0].item()
    assert share_of_best[1.0] == pytest.approx(exact, abs=0.03)


def test_both_models_decode_alike_for_the_same_weights():
    scratch = model()
    concise = RNNLM(16, len(VOCAB)).load_from_scratch(scratch)
    assert predict(scratch, VOCAB, "a quick", 30) == predict(
        concise, VOCAB, "a quick", 30
    )


def test_training_mode_is_restored():
    lm = model()
    lm.train()
    predict(lm, VOCAB, "the", 3)
    assert lm.training
    lm.eval()
    predict(lm, VOCAB, "the", 3)
    assert not lm.training


def test_characters_outside_the_vocabulary_are_named():
    small = Vocab(tokenize("abc abc"))
    lm = RNNLMScratch(RNNScratch(len(small), 4), len(small))
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['d', 'e'\]"):
        predict(lm, small, "cab bed", 5)
    # preprocessing first, then the check
    assert predict(lm, small, "A-B", 2).startswith("a b")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(prefix=""), ValueError, "prefix is empty"),
        (dict(prefix=3), TypeError, "prefix must be a str"),
        (dict(num_preds=-1), ValueError, "num_preds must be at least 0"),
        (dict(num_preds=2.0), TypeError, "num_preds must be an int"),
        (dict(temperature=0), ValueError, "temperature must be > 0"),
        (dict(temperature=-1.0), ValueError, "temperature must be > 0"),
        (dict(strategy="beam"), ValueError, "unknown strategy"),
        (dict(seed=1.5), TypeError, "seed must be an int"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    args = dict(prefix="the", num_preds=5)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        predict(model(), VOCAB, **args)


def test_a_vocabulary_of_another_size_is_refused():
    other = Vocab(tokenize("abc"))
    with pytest.raises(ValueError, match="the vocabulary the model was trained with"):
        predict(model(), other, "abc", 3)
