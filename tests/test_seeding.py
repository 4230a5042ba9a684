"""rnnbook.seeding: every seed goes through one helper that adds RNNBOOK_SEED_OFFSET."""

from __future__ import annotations

import random

import pytest
import torch

from rnnbook import generator, offset_seed, seed, seed_offset
from rnnbook.seeding import SEED_OFFSET_ENV


def test_offset_defaults_to_zero(monkeypatch):
    monkeypatch.delenv(SEED_OFFSET_ENV, raising=False)
    assert seed_offset() == 0
    assert offset_seed(3) == 3
    monkeypatch.setenv(SEED_OFFSET_ENV, " ")
    assert seed_offset() == 0


def test_offset_is_added_to_every_seed(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET_ENV, "1000")
    assert offset_seed(2) == 1002
    assert seed(2) == 1002
    a = torch.rand(3)
    py = random.random()
    torch.manual_seed(1002)
    random.seed(1002)
    assert torch.equal(a, torch.rand(3)) and py == random.random()
    assert torch.equal(
        torch.rand(4, generator=generator(5)),
        torch.rand(4, generator=torch.Generator().manual_seed(1005)),
    )


def test_offset_changes_the_draw(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET_ENV, "0")
    first = torch.rand(4, generator=generator(0))
    monkeypatch.setenv(SEED_OFFSET_ENV, "7")
    assert not torch.equal(first, torch.rand(4, generator=generator(0)))


@pytest.mark.parametrize("raw", ["abc", "1.5", "-3"])
def test_bad_offset_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(SEED_OFFSET_ENV, raw)
    with pytest.raises(ValueError, match=SEED_OFFSET_ENV):
        seed(0)


@pytest.mark.parametrize("bad", [-1, 1.0, True, "0"])
def test_bad_seed_is_refused(bad):
    with pytest.raises(TypeError, match="seed"):
        offset_seed(bad)


def test_describe_machine_names_cpu_threads_and_kernels():
    from rnnbook import describe_machine

    text = describe_machine()
    threads = torch.get_num_threads()
    assert f"{threads} PyTorch thread" in text
    assert torch.backends.cpu.get_cpu_capability() in text
    assert "cores" in text
