"""Reading speed of qdkit.read on every real dataset (target: >= 100 small 1D datasets/s/core).

Run: ``python3 benchmarks/read_speed.py [--repeats N]``. Prints, per dataset, the median
time of one ``qdkit.read`` (files in the page cache after a warm-up read) and the datasets
per second, then the rate over all small (< 1 MB) 1D datasets, with the machine load.
Reading never writes, so the numbers are pure parse + decode + checks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import qdkit
from qdkit import io

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import REAL_DATA


def real_data_root() -> Path:
    if REAL_DATA is None:
        sys.exit("shared/data/real not found; set QDKIT_REAL_DATA")
    return REAL_DATA


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    root = real_data_root()
    warnings.simplefilter("ignore")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'dataset':<75} {'shape':>12} {'ms':>7} {'per s':>7}")
    small_times = []
    for path in io.find_datasets(root):
        if path.suffix == ".txt":
            reader = io.read_spectrum
        else:
            reader = qdkit.read
        reader(path)  # warm the page cache
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            obj = reader(path)
            times.append(time.perf_counter() - t0)
        t = statistics.median(times)
        size = sum(f.stat().st_size for f in (path.rglob("*") if path.is_dir() else [path]) if f.is_file())
        if obj.data.ndim == 1 and size < 1_000_000 and path.is_dir() and (path / "acqus").is_file():
            small_times.append(t)
        rel = str(path.relative_to(root))
        print(f"{rel[:75]:<75} {str(obj.data.shape):>12} {t * 1e3:7.2f} {1 / t:7.0f}")
    if small_times:
        rate = len(small_times) / sum(small_times)
        print(
            f"\nsmall 1D Bruker datasets (< 1 MB): {len(small_times)}, {rate:.0f} datasets/s on one core "
            "(target >= 100). JCAMP-DX is slower: nmrglue's JCAMP parser is pure Python."
        )


if __name__ == "__main__":
    main()
