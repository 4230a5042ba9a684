"""Run every benchmark of the book and print one table.

    make bench            # or: python bench/run_all.py

Each benchmark runs in its own process (so thread pools and caches do not leak
between them) and ends with a machine-readable ``key=value`` line, which this
script collects. Speed figures are ratios measured within this one run: the
machine is shared and noisy, so absolute seconds from different runs are not
comparable, and no test asserts a time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import torch

from build_time import BUDGET_S as BUILD_BUDGET_S  # a clean make book: 12 minutes
from machine import machine_info, parse_result_line

BENCH = Path(__file__).resolve().parent


def run(script: str, *args: str) -> dict[str, float]:
    """Run ``bench/<script> [args]`` and return its final key=value line, echoing
    its output."""
    print(f"\n--- {' '.join((script, *args))} ---", flush=True)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True
    )
    print(out.stdout.rstrip())
    if out.returncode != 0:
        print(out.stderr[-3000:])
        raise SystemExit(f"{script} failed with exit code {out.returncode}")
    print(f"({time.perf_counter() - start:.0f} s)")
    return parse_result_line(out.stdout)


def main() -> None:
    print(machine_info())
    ref = run("reference_config.py")  # one thread, as the book is built
    same = run(
        "same_phase.py"
    )  # ratios from alternating epochs, torch's default threads
    same1 = run(
        "same_phase.py", "--threads", "1"
    )  # the same, one thread, as the book is built
    floor = run("cpu_floor.py")
    alloc = run("allocator.py")
    novel = run("whole_novel.py")
    bptt = run("bptt_speed.py")
    strat = run("bptt_strategies.py")
    ngram = run("bench_text.py")
    # minGRU vs nn.GRU: 512 steps at torch's default threads (the target's
    # setting; slow on a busy 2-core machine), then 512 and 4,096 at one thread
    par = run("parallel.py", "--skip-sequential", "--lengths", "512")
    par1 = run("parallel.py", "--skip-sequential", "--threads", "1")
    build = run("build_time.py")
    gpu = run("gpu_reference.py") if torch.cuda.is_available() else None

    rows = [
        (
            "reference config, 100 epochs: lesson scratch model",
            f"{ref['scratch_seconds']:.1f} s",
            f"val ppl {ref['scratch_val_ppl']:.4f}",
            "seed 0; bench/seeds.py gives the spread",
        ),
        (
            "same, concise (nn.RNN)",
            f"{ref['concise_seconds']:.1f} s",
            f"val ppl {ref['concise_val_ppl']:.4f}",
            "",
        ),
        (
            "same, fast model (appendix)",
            f"{ref['fast_seconds']:.1f} s",
            f"val ppl {ref['fast_val_ppl']:.4f}",
            "",
        ),
        (
            "same phases: epoch of the source-style baseline",
            f"{same['baseline_epoch_s']:.3f} s",
            f"scratch {same['scratch_speedup']:.2f}x, concise "
            f"{same['concise_speedup']:.2f}x, "
            f"fast {same['fast_speedup']:.2f}x",
            f"fast / scratch = {same['fast_over_scratch']:.2f}x",
        ),
        (
            "same, one thread",
            f"{same1['baseline_epoch_s']:.3f} s",
            f"scratch {same1['scratch_speedup']:.2f}x, concise "
            f"{same1['concise_speedup']:.2f}x, "
            f"fast {same1['fast_speedup']:.2f}x",
            f"fast / scratch = {same1['fast_over_scratch']:.2f}x",
        ),
        (
            "one training step: fast model",
            f"{floor['fast_ms']:.1f} ms",
            f"plain {floor['plain_ms']:.1f} ms, bare {floor['bare_ms']:.1f} ms, "
            f"products {floor['products_ms']:.1f} ms",
            f"bare x 1,000 steps = {floor['bare_100_epochs_s']:.1f} s (no validation)",
        ),
        (
            "malloc keeping freed memory, fresh processes",
            f"fast {alloc['fast_saving_pct']:.1f}%",
            f"scratch {alloc['scratch_saving_pct']:.1f}%",
            "saving of a step (the package would need > 3%)",
        ),
        (
            "nn.RNN on the whole novel",
            f"{novel['whole_novel_seconds']:.1f} s",
            f"val ppl {novel['whole_novel_val_ppl']:.2f}",
            "",
        ),
        (
            "BPTT by hand vs autograd (fp32, 64x32, 128 hidden)",
            f"{bptt['bptt_seconds'] * 1e3:.2f} ms",
            f"autograd {bptt['autograd_seconds'] * 1e3:.2f} ms",
            f"hand / autograd = {bptt['ratio']:.2f}",
        ),
        (
            "BPTT strategies, char model (20 epochs Adam)",
            f"full {strat['full_sec']:.2f} s/epoch",
            f"val ppl full {strat['full_ppl']:.2f}, k=2 {strat['k2_ppl']:.2f}, rand "
            f"0.9 {strat['r9_ppl']:.2f}",
            f"time k=8 / full = {strat['k8_sec'] / strat['full_sec']:.2f}",
        ),
        (
            "n-gram LMs n=1..6, whole novel",
            f"{ngram['ngram_seconds']:.2f} s",
            f"plain Python {ngram['ngram_reference_seconds']:.2f} s",
            f"speed-up {ngram['ngram_speedup']:.1f}x",
        ),
        (
            "one training step, minGRU LM vs nn.GRU LM, 512 steps",
            f"{par['mingru_512_ms']:.0f} ms (GRU {par['gru_512_ms']:.0f} ms)",
            f"{par['mingru_512_ratio']:.2f}x; one thread "
            f"{par1['mingru_512_ratio']:.2f}x",
            "target 3x at default threads; peak "
            f"{max(v for k, v in par.items() if k.endswith('_peak_mib')):.0f} MiB",
        ),
        (
            "same, 4,096 steps, one thread",
            f"{par1['mingru_4096_ms']:.0f} ms (GRU {par1['gru_4096_ms']:.0f} ms)",
            f"{par1['mingru_4096_ratio']:.2f}x; tree scan "
            f"{par1['mingru-parallel_4096_ratio']:.2f}x",
            f"scratch GRU {par1.get('gru-scratch_4096_ratio', float('nan')):.2f}x; "
            "peak "
            f"{max(v for k, v in par1.items() if k.endswith('_peak_mib')):.0f} MiB",
        ),
        (
            "clean build of the book, pages side by side (make book)",
            f"{build['parallel_clean_s']:.0f} s",
            f"peak RSS {build['parallel_peak_gib']:.2f} GiB",
            f"budget {BUILD_BUDGET_S} s",
        ),
        (
            "same, pages one after another (jupyter-book alone)",
            f"{build['serial_clean_s']:.0f} s",
            f"peak RSS {build['serial_peak_gib']:.2f} GiB",
            f"parallel / serial = {build['parallel_over_serial']:.2f}",
        ),
        (
            "rebuild after a prose-only edit",
            f"{build['prose_rebuild_s']:.1f} s",
            f"{build['prose_rebuild_executed']:.0f} notebooks run",
            "clean / cached = "
            f"{build['parallel_clean_s'] / build['prose_rebuild_s']:.0f}x",
        ),
        (
            "rebuild after a package change",
            f"{build['package_change_rebuild_s']:.0f} s",
            f"{build['package_change_executed']:.0f} of {build['pages']:.0f} "
            "notebooks run",
            "cache cleared by _ext/cache_guard.py",
        ),
    ]
    if gpu is not None:
        rows.append(
            (
                "reference config on the GPU (scratch / concise)",
                f"{gpu['scratch_gpu_seconds']:.1f} / "
                f"{gpu['concise_gpu_seconds']:.1f} s",
                f"CPU {gpu['scratch_cpu_seconds']:.1f} / "
                f"{gpu['concise_cpu_seconds']:.1f} s",
                "CPU / GPU = "
                f"{gpu['scratch_cpu_seconds'] / gpu['scratch_gpu_seconds']:.1f} / "
                f"{gpu['concise_cpu_seconds'] / gpu['concise_gpu_seconds']:.1f}",
            )
        )
    print("\n" + machine_info())
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(
        "  ".join(
            h.ljust(w)
            for h, w in zip(("benchmark", "time", "result", "ratio / note"), widths)
        ).rstrip()
    )
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main()
