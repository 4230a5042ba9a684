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

from machine import machine_info, parse_result_line

BENCH = Path(__file__).resolve().parent

# Reported for the source chapter's own package on this machine kind (chapter-facts.md);
# not re-measured here, since that package is not installed.
SOURCE_SECONDS, SOURCE_VAL_PPL = 32.0, 7.24


def run(script: str, *args: str) -> dict[str, float]:
    """Run ``bench/<script> [args]`` and return its final key=value line, echoing its output."""
    print(f"\n--- {' '.join((script, *args))} ---", flush=True)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True)
    print(out.stdout.rstrip())
    if out.returncode != 0:
        print(out.stderr[-3000:])
        raise SystemExit(f"{script} failed with exit code {out.returncode}")
    print(f"({time.perf_counter() - start:.0f} s)")
    return parse_result_line(out.stdout)


def main() -> None:
    print(machine_info())
    ref = run("reference_config.py")          # torch's default threads (one per core), as the source's package ran
    ref1 = run("reference_config.py", "--threads", "1")   # as the book's pages run
    same = run("same_phase.py")               # ratios from alternating epochs, torch's default threads
    floor = run("cpu_floor.py")
    novel = run("whole_novel.py")
    bptt = run("bptt_speed.py")
    strat = run("bptt_strategies.py")
    ngram = run("bench_text.py")
    build = run("build_time.py")
    gpu = run("gpu_reference.py") if torch.cuda.is_available() else None

    rows = [
        ("RNN from scratch, reference config (100 epochs)", f"{ref['scratch_seconds']:.1f} s",
         f"val ppl {ref['scratch_val_ppl']:.4f}",
         f"{SOURCE_SECONDS / ref['scratch_seconds']:.1f}x faster than the source's reported {SOURCE_SECONDS:.0f} s"),
        ("nn.RNN (concise), reference config", f"{ref['concise_seconds']:.1f} s",
         f"val ppl {ref['concise_val_ppl']:.4f}",
         f"scratch / concise time = {ref['scratch_seconds'] / ref['concise_seconds']:.2f}"),
        ("same, one thread (as the book's pages run)", f"{ref1['scratch_seconds']:.1f} s",
         f"val ppl {ref1['scratch_val_ppl']:.4f}",
         f"concise {ref1['concise_seconds']:.1f} s, val ppl {ref1['concise_val_ppl']:.4f}"),
        ("same phases: source-style baseline (100 epochs)", f"{same['baseline_epoch_s'] * 100:.1f} s",
         f"scratch {same['scratch_epoch_s'] * 100:.1f} s, concise {same['concise_epoch_s'] * 100:.1f} s",
         f"speed-up scratch {same['scratch_speedup']:.2f}x, concise {same['concise_speedup']:.2f}x"),
        ("same phases: one minibatch, scratch training step", f"{same['scratch_step_ms']:.2f} ms",
         f"nn.RNN layer alone (fwd + bwd) {same['rnn_layer_ms']:.2f} ms",
         f"layer alone / scratch step = {same['rnn_layer_ms'] / same['scratch_step_ms']:.2f}"),
        ("one training step, reference config: package", f"{floor['package_ms']:.1f} ms",
         f"bare arithmetic {floor['bare_ms']:.1f} ms, products {floor['products_ms']:.1f} ms",
         f"bare x 1,000 steps = {floor['bare_100_epochs_s']:.1f} s (no validation)"),
        ("same step with glibc's default malloc settings", f"{floor['package_default_malloc_ms']:.1f} ms",
         f"{floor['default_malloc_faults']:.0f} page faults a step",
         "rnnbook.keep_freed_memory() removes them"),
        ("nn.RNN on the whole novel", f"{novel['whole_novel_seconds']:.1f} s",
         f"val ppl {novel['whole_novel_val_ppl']:.2f}", f"source's reference run: val ppl {SOURCE_VAL_PPL}"),
        ("BPTT by hand vs autograd (fp32, 64x32, 128 hidden)", f"{bptt['bptt_seconds'] * 1e3:.2f} ms",
         f"autograd {bptt['autograd_seconds'] * 1e3:.2f} ms", f"hand / autograd = {bptt['ratio']:.2f}"),
        ("BPTT strategies, char model (20 epochs Adam)", f"full {strat['full_sec']:.2f} s/epoch",
         f"val ppl full {strat['full_ppl']:.2f}, k=2 {strat['k2_ppl']:.2f}, rand 0.9 {strat['r9_ppl']:.2f}",
         f"time k=8 / full = {strat['k8_sec'] / strat['full_sec']:.2f}"),
        ("n-gram LMs n=1..6, whole novel", f"{ngram['ngram_seconds']:.2f} s",
         f"plain Python {ngram['ngram_reference_seconds']:.2f} s", f"speed-up {ngram['ngram_speedup']:.1f}x"),
        ("clean build of the book (every cell run)", f"{build['clean_build_s']:.0f} s",
         f"peak RSS {build['clean_build_peak_rss_gib']:.2f} GiB", "budget 300 s, 4 GiB"),
        ("rebuild after a prose-only edit", f"{build['prose_rebuild_s']:.1f} s",
         f"{build['prose_rebuild_executed']:.0f} notebooks run",
         f"clean / cached = {build['clean_build_s'] / build['prose_rebuild_s']:.0f}x; budget 20 s"),
        ("rebuild after a package change", f"{build['package_change_rebuild_s']:.0f} s",
         f"{build['package_change_executed']:.0f} of {build['pages']:.0f} notebooks run", "cache cleared by _ext/cache_guard.py"),
    ]
    if gpu is not None:
        rows.append(("reference config on the GPU (scratch / concise)",
                     f"{gpu['scratch_gpu_seconds']:.1f} / {gpu['concise_gpu_seconds']:.1f} s",
                     f"CPU {gpu['scratch_cpu_seconds']:.1f} / {gpu['concise_cpu_seconds']:.1f} s",
                     f"CPU / GPU = {gpu['scratch_cpu_seconds'] / gpu['scratch_gpu_seconds']:.1f} / "
                     f"{gpu['concise_cpu_seconds'] / gpu['concise_gpu_seconds']:.1f}"))
    print("\n" + machine_info())
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print("  ".join(h.ljust(w) for h, w in zip(("benchmark", "time", "result", "ratio / note"), widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main()
