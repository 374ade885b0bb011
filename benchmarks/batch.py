"""Batch throughput: real 1D datasets read + processed per second per core, and Dask scaling.

Prints (1) the single-process rate of ``qdkit.read`` + ``qdkit.process`` over the real 1D
datasets of ``shared/data/real`` (target: >= 100 datasets/s per core), and (2) the wall
time of ``qdkit batch`` over a tree of copies of them with 1 and 2 Dask workers.

    python benchmarks/batch.py [--copies 40]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import REAL_DATA

import qdkit
from qdkit import batch

ONE_D = [
    "brukerconverter_1H_zg30_liquid_with_pdata/1",
    "dnplab_odnp_topspin_1H_0.35T/1",
    "dnplab_odnp_topspin_1H_0.35T/2",
    "dnplab_odnp_topspin_1H_0.35T/3",
    "cpmg_195Pt_Reiset_WCPMG_static_AV300/7",
    "cpmg_207Pb_PbZrO3_WCPMG_MAS/1",
    "cpmg_119Sn_SnO2_double_echo_CPMG/1101",
    "cpmg_195Pt_PtMix_WCPMG_MAS_stepped/2999",
    "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_off.fid",
]


def single_process_rate(repeats: int = 5) -> tuple[float, float]:
    paths = [REAL_DATA / p for p in ONE_D]
    warnings.simplefilter("ignore")
    for p in paths:  # warm caches (imports, orientation tables) outside the timing
        qdkit.process(qdkit.read(p))
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        for p in paths:
            qdkit.process(qdkit.read(p))
        rates.append(len(paths) / (time.perf_counter() - t))
    return statistics.median(rates), max(rates)


def dask_scaling(copies: int) -> dict[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        for i in range(copies):
            src = REAL_DATA / ONE_D[i % len(ONE_D)]
            shutil.copytree(src, root / f"{i:04d}_{src.name}")
        times = {}
        for workers in (1, 2):
            out = Path(tmp) / f"out{workers}"
            t = time.perf_counter()
            result = batch.run_batch(root, out, workers=workers, progress=False)
            times[workers] = time.perf_counter() - t
            assert not result.failed, result.failed[:2]
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=60)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    median, best = single_process_rate()
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at start")
    print(
        f"read + default processing, one process: median {median:.0f} datasets/s, best {best:.0f} datasets/s "
        f"(target >= 100 per core) over {len(ONE_D)} real 1D datasets"
    )
    times = dask_scaling(args.copies)
    print(
        f"qdkit batch over {args.copies} datasets: 1 worker {times[1]:.1f} s, 2 workers {times[2]:.1f} s, "
        f"speed-up x{times[1] / times[2]:.2f} (includes cluster start-up of a few seconds)"
    )


if __name__ == "__main__":
    main()
