"""Kernel-side time per Timeline slider step on the 3100-architecture real macro log.

Usage: .venv/bin/python benchmarks/bench_timeline.py [LOG]
Reads LOG with extract.read_log (default: the beautymess 12-layer macro search log in
../shared/real_logs); if extract.read_log is not available yet, times a random macro log
of the same size (310 epochs x 10 arcs, 12 layers) and says so. Reports build time, then
per-step times for a cold pass (each arc drawn for the first time) and a warm pass.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "real_logs" / "beautymess_enas_cifar10_macro_search_nohup-12layers.out"


def load(path: Path):
    try:
        from extract import read_log
    except ImportError:
        sys.path.insert(0, str(ROOT / "tests"))
        from test_figures import make_log

        return make_log(
            "macro", epochs=310, per_epoch=10, size=12
        ), "random 12-layer macro log (extract.read_log missing)"
    return read_log(path), str(path.name)


def steps(tl, rows) -> list[float]:
    times = []
    for row in rows:
        start = time.perf_counter()
        tl.slider.value = int(row)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def main() -> None:
    import enas_viz as ev

    log, what = load(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
    start = time.perf_counter()
    tl = ev.Timeline(log)
    build = time.perf_counter() - start
    n = len(log.archs)
    order = np.random.default_rng(0).permutation(n)
    cold = steps(tl, order)  # every arc drawn for the first time, in random order
    warm = steps(tl, order[:500])
    scrub = steps(tl, range(n))  # play from start to end
    print(f"log: {what}: {n} architectures, {log.archs['epoch'].nunique()} epochs")
    print(f"Timeline build: {build:.2f} s")
    for name, t in (("cold (random order)", cold), ("warm (cached)", warm), ("sequential play", scrub)):
        print(
            f"{name:22s} median {statistics.median(t):.2f} ms  p95 {np.percentile(t, 95):.2f} ms  max {max(t):.2f} ms"
        )


if __name__ == "__main__":
    main()
