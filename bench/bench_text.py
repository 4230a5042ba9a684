"""Speed of the text pipeline's counting code, as ratios measured within one run.

Compares rnnbook.NGramLM (integer codes counted with np.unique, looked up with
np.searchsorted) with a plain-Python reference (collections.Counter of tuples and
a loop over positions) on the whole novel, for n = 1..6, and checks that both
give the same validation perplexity. Run: python bench/bench_text.py
"""

from __future__ import annotations

import collections
import math
import time

import rnnbook
from machine import machine_info  # bench/ is on the path when run as a script


def reference_perplexity(
    train: list[int], val: list[int], n: int, V: int, k: float
) -> float:
    grams = collections.Counter(
        tuple(train[i : i + n]) for i in range(len(train) - n + 1)
    )
    ctx = collections.Counter(
        tuple(train[i : i + n - 1]) for i in range(len(train) - n + 1)
    )
    nll = 0.0
    count = 0
    for i in range(len(val) - n + 1):
        g = tuple(val[i : i + n])
        nll -= math.log((grams[g] + k) / (ctx[g[:-1]] + k * V))
        count += 1
    return math.exp(nll / count)


def main() -> None:
    print(machine_info())
    data = rnnbook.TimeMachineData()
    V = len(data.vocab)
    train, val = data.train_corpus.tolist(), data.val_corpus.tolist()
    print(f"{'n':>2} {'NGramLM s':>10} {'reference s':>12} {'speed-up':>9}  same PPL")
    total_fast = total_ref = 0.0
    for n in range(1, 7):
        t = time.perf_counter()
        fast = (
            rnnbook.NGramLM(n, V, k=0.1)
            .fit(data.train_corpus)
            .perplexity(data.val_corpus)
        )
        t_fast = time.perf_counter() - t
        t = time.perf_counter()
        ref = reference_perplexity(train, val, n, V, 0.1)
        t_ref = time.perf_counter() - t
        total_fast += t_fast
        total_ref += t_ref
        print(
            f"{n:>2} {t_fast:>10.3f} {t_ref:>12.3f} {t_ref / t_fast:>8.1f}x  "
            f"{math.isclose(fast, ref, rel_tol=1e-9)}"
        )
    print(f"all {total_fast:>9.3f} {total_ref:>12.3f} {total_ref / total_fast:>8.1f}x")
    print(
        f"ngram_seconds={total_fast:.4f} ngram_reference_seconds={total_ref:.4f} "
        f"ngram_speedup={total_ref / total_fast:.2f}"
    )


if __name__ == "__main__":
    main()
