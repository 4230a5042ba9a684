"""Does keeping freed memory in the process (two ``mallopt`` calls) speed up a
training step?

glibc's ``malloc`` may hand the few-megabyte tensors of a training step back to
the operating system when they are freed, and the next step then faults them in
again, page by page. ``mallopt(M_MMAP_THRESHOLD)`` and ``mallopt(M_TRIM_THRESHOLD)``
keep that memory in the process. The setting cannot be undone inside a process,
and how often ``malloc`` returns memory depends on what the process did before,
so this script compares *fresh* processes: it starts them one after another,
alternating with and without the setting, each timing the median training step
(loss, backward, clipping, SGD update) of the fast model and of the lesson model
at the reference configuration. Explained in ``book/fast_rnn.md``.

The package offered this setting (``rnnbook.keep_freed_memory``) until this
script showed no saving, beyond its own run-to-run spread, above the 3% of a
step that would justify a process-wide setting; it was removed (see
``CHANGELOG.md``). Run it again before bringing the setting back.

    python bench/allocator.py [--pairs P]

The last line has the form
    fast_saving_pct=<p> scratch_saving_pct=<p>
the mean saving of a step with the setting, in percent of a step without it.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import statistics
import subprocess
import sys
import time

CHILD = "--child"


def child(keep: bool) -> None:
    if keep:  # glibc's mallopt parameters, from <malloc.h>
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 * 2**20)  # M_MMAP_THRESHOLD: heap, not mmap, below 32 MiB
        libc.mallopt(-1, 2**30)  # M_TRIM_THRESHOLD: keep up to 1 GiB free
    import torch

    import rnnbook

    torch.set_num_threads(1)
    data = rnnbook.TimeMachineData()
    V = len(data.vocab)
    X, Y = data.batches("train", "overlapping", batch_size=1024, num_steps=32)[0]
    result = {}
    for name, cls in (
        ("fast", rnnbook.FastRNNLMScratch),
        ("scratch", rnnbook.RNNLMScratch),
    ):
        torch.manual_seed(0)
        trainer = rnnbook.LanguageModelTrainer(
            cls(rnnbook.RNNScratch(V, 32), V),
            lr=1.0,
            clip=1.0,
            device="cpu",
            progress=False,
            live=False,
        )
        times = []
        for i in range(43):
            start = time.perf_counter()
            trainer.train_epoch(
                [(X, Y)]
            )  # one step: zero_grad, loss, backward, clip, update
            if i >= 3:
                times.append(time.perf_counter() - start)
        result[name] = statistics.median(times) * 1e3
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pairs", type=int, default=8, help="fresh processes of each kind (default 8)"
    )
    args = parser.parse_args()
    runs: dict[bool, list[dict]] = {False: [], True: []}
    for i in range(args.pairs):
        for keep in (False, True) if i % 2 == 0 else (True, False):
            out = subprocess.run(
                [sys.executable, __file__, CHILD, str(int(keep))],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[keep].append(json.loads(out.strip().splitlines()[-1]))
    saving = {}
    for name in ("fast", "scratch"):
        without = [r[name] for r in runs[False]]
        with_ = [r[name] for r in runs[True]]
        saving[name] = (
            (statistics.mean(without) - statistics.mean(with_))
            / statistics.mean(without)
            * 100
        )
        # Each pair ran back to back: the paired differences cancel most of
        # the machine's drift.
        diffs = [(a - b) / a * 100 for a, b in zip(without, with_)]
        spread = statistics.stdev(diffs) / len(diffs) ** 0.5
        print(
            f"{name:>8}: paired saving {statistics.mean(diffs):.1f}% +- {spread:.1f}% "
            f"(standard error over {len(diffs)} pairs); median of the pairs "
            f"{statistics.median(diffs):.1f}%"
        )
        print(
            f"{name:>8}: step without {statistics.mean(without):.2f} ms "
            f"(range {min(without):.2f}-{max(without):.2f}), "
            f"with {statistics.mean(with_):.2f} ms "
            f"(range {min(with_):.2f}-"
            f"{max(with_):.2f}) over {args.pairs} fresh processes each"
        )
    print(
        f"fast_saving_pct={saving['fast']:.2f} "
        f"scratch_saving_pct={saving['scratch']:.2f}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == CHILD:
        child(bool(int(sys.argv[2])))
    else:
        main()
