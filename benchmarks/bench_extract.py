"""Extraction speed and memory: the real macro search log repeated to ~50 MB, read into DataFrames.

Beside it, in the same run and interleaved, the naive baseline users write today (as
CODEBRIM's ``extractArcString.py`` and BeautyMess's notebooks do): a ``startswith`` scan
that only collects the arc lines and the ``val_acc`` values. Our reader reads everything
(child, controller, evals, flags, validated arcs paired with their val_acc and epoch).

    python benchmarks/bench_extract.py [--mb 50] [--repeats 5] [--write]

``--write`` replaces the ``## Extraction`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import write_section  # benchmarks/results.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_logs" / "beautymess_enas_cifar10_macro_search_nohup-12layers.out"
sys.path.insert(0, str(ROOT))


def naive_scan(path: Path) -> tuple[list[str], list[float]]:
    """The baseline: arc lines and val_acc values by ``startswith``, nothing else."""
    arcs, vals = [], []
    with open(path) as f:
        for line in f:
            if line.startswith("["):
                arcs.append(line[1:-2])
            elif line.startswith("val_acc="):
                vals.append(float(line[8:]))
    return arcs, vals


def full_extract(path: Path):
    from extract import read_log

    return read_log(path)


def make_big_log(mb: float, folder: Path) -> tuple[Path, int]:
    text = REAL.read_text()
    copies = max(1, round(mb * 1e6 / len(text)))
    path = folder / f"macro_search_x{copies}.out"
    path.write_text(text * copies)
    return path, copies


_MEMORY_PROBE = """
import json, sys, tracemalloc
sys.path.insert(0, {root!r})
from extract import read_log
import extract.read, pandas, numpy  # imported before the measurement so they are not counted
tracemalloc.start()
log = read_log({path!r})
peak = tracemalloc.get_traced_memory()[1]
frames = sum(int(getattr(log, n).memory_usage(deep=True).sum()) for n in ("archs", "child", "controller", "evals", "problems"))
print(json.dumps({{"peak_mb": peak / 1e6, "frames_mb": frames / 1e6, "archs": len(log.archs)}}))
"""


def memory(path: Path) -> dict:
    """Peak traced allocations (tracemalloc) of a fresh process reading ``path``, and the size of its frames."""
    code = _MEMORY_PROBE.format(root=str(ROOT), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def run(mb: float, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path, copies = make_big_log(mb, Path(tmp))
        size = path.stat().st_size / 1e6
        full_extract(path)  # warm imports and the page cache
        naive, full = [], []
        for _ in range(repeats):  # interleaved, so both see the same machine load
            t = time.perf_counter()
            arcs, vals = naive_scan(path)
            naive.append(time.perf_counter() - t)
            t = time.perf_counter()
            log = full_extract(path)
            full.append(time.perf_counter() - t)
        assert len(vals) == len(log.archs) == 3100 * copies, (len(vals), len(log.archs))
        mem = memory(path)
    return {
        "size_mb": size,
        "copies": copies,
        "rows": {n: len(getattr(log, n)) for n in ("archs", "child", "controller", "evals", "problems")},
        "naive_s": naive,
        "full_s": full,
        "naive_mbps": size / min(naive),
        "full_mbps": size / min(full),
        "naive_mbps_median": size / statistics.median(naive),
        "full_mbps_median": size / statistics.median(full),
        **mem,
    }


def report(r: dict) -> str:
    cpu = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join(
        [
            "## Extraction",
            "",
            f"`python benchmarks/bench_extract.py` on the real BeautyMess macro search log (1.7 MB, 310 epochs) "
            f"repeated {r['copies']}x = {r['size_mb']:.1f} MB ({r['copies']} concatenated runs), "
            f"Python {platform.python_version()}, {cpu} cores shared with other busy processes "
            f"(load average {load:.1f} at the end of the run), so the figures are noisy; best of {len(r['full_s'])} "
            "interleaved runs (median in brackets).",
            "",
            "| what | reads | MB/s |",
            "|---|---|---|",
            f"| `extract.read_log` into DataFrames | everything: {r['rows']['archs']} archs paired with val_acc and epoch, "
            f"{r['rows']['child']} child, {r['rows']['controller']} controller, {r['rows']['evals']} evals, flags, "
            f"validated arcs | **{r['full_mbps']:.0f}** ({r['full_mbps_median']:.0f}) |",
            f"| naive `startswith` scan (extractArcString.py style) | arc lines and val_acc values only, unpaired | "
            f"{r['naive_mbps']:.0f} ({r['naive_mbps_median']:.0f}) |",
            "",
            f"Full extraction runs at {r['full_mbps'] / r['naive_mbps']:.2f}x the naive scan's speed. "
            f"Peak memory while reading (tracemalloc, separate process): {r['peak_mb']:.0f} MB for "
            f"{r['frames_mb']:.1f} MB of resulting frames ({r['peak_mb'] / max(r['frames_mb'], 1e-9):.1f}x); "
            "the file's bytes and its decoded text (about 1x the file size each) are the bulk of it.",
            "",
            f"Targets: >= 50 MB/s is {'met' if r['full_mbps'] >= 50 else '**not** met'}; memory <= 3x the frames is "
            f"{'met' if r['peak_mb'] <= 3 * r['frames_mb'] else '**not** met'}; parity with the naive scan is "
            f"{'met' if r['full_mbps'] >= r['naive_mbps'] else '**not** met'}. The reader sets aside the runs of "
            "child and controller lines as text (a few `str.find`/`str.count` per epoch, `extract/tf_segments.py`) and "
            "converts their numbers with one `np.loadtxt` per table; arc blocks are read as one byte matrix; arcs "
            "are validated once per distinct arc. What is left is about 20 µs of Python per epoch (eval lines, "
            "headers, block checks) and the number conversion (about 2 million numbers per 50 MB, ~30% of the "
            "time): the naive scan converts one float per arch and skips everything else.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the log to read (default 50 MB)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the section into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    result = run(args.mb, args.repeats)
    text = report(result)
    print(text)
    if args.write:
        write_section("Extraction", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
