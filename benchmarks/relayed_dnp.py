"""Accuracy and speed of the time-dependent relayed-DNP model (qdkit.models.relayed).

Run: ``python benchmarks/relayed_dnp.py [--full]``. Prints

1. the worst relative deviation of ``relayed_dnp`` (enhancement, on/off ratio, T_B, steady
   state) from an independent finite-volume solution of the same equation
   (tests/relayed_reference.py) over a random log-uniform sweep of R 5–5000 nm,
   L = √(D T1) 5–200 nm, T1 0.3–60 s, recycle 0.1 s–∞, τs 0–10 s (40 cases; 400 with
   ``--full``); the target is ≤ 1 %;
2. the median time of one ``relayed_dnp`` call (finite recycle, with T_B), of the steady
   state only, and of a 200-point build-up curve (target < 1 ms per call).
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from relayed_reference import reference

from qdkit.models.relayed import relayed_dnp


def sweep(cases, seed=1):
    rng = np.random.default_rng(seed)
    worst = np.zeros(4)
    where = [None] * 4
    for _ in range(cases):
        radius = 10 ** rng.uniform(math.log10(5), math.log10(5000))
        length = 10 ** rng.uniform(math.log10(5), math.log10(200))
        t1 = 10 ** rng.uniform(math.log10(0.3), math.log10(60))
        recycle = math.inf if rng.random() < 0.2 else 10 ** rng.uniform(-1, 2)
        ts = 0.0 if rng.random() < 0.2 else 10 ** rng.uniform(-2, 1)
        kw = dict(eps0=80.0, diffusion_nm2_s=length**2 / t1, t1_s=t1, recycle_s=recycle, t_b_surface_s=ts)
        want = reference(radius, **kw)
        r = relayed_dnp(radius, **kw)
        got = (r.enhancement, r.enhancement_on_off, r.t_b_s, r.steady_state)
        for i, (a, b) in enumerate(zip(got, want)):
            err = abs(a / b - 1.0)
            if err > worst[i]:
                worst[i], where[i] = err, (round(radius, 1), round(length, 1), round(t1, 2), recycle, ts)
    names = ("enhancement", "enhancement_on_off", "t_b_s", "steady_state")
    print(f"{cases} random cases vs finite volumes (target ≤ 1 %):")
    for name, err, case in zip(names, worst, where):
        print(f"  {name:20s} worst {100 * err:8.4f} %   at (R, L, T1, recycle, τs) = {case}")


def median_us(fn, repeats=200):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e6 * float(np.median(times))


def speed():
    kw = dict(eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0)
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores shared; timings vary with load)")
    print(
        f"  relayed_dnp, recycle 3 s, τs 1 s     {median_us(lambda: relayed_dnp(60.0, recycle_s=3.0, t_b_surface_s=1.0, **kw)):8.0f} µs"
    )
    print(
        f"  relayed_dnp, R = 5 µm, recycle 0.1 s {median_us(lambda: relayed_dnp(5000.0, recycle_s=0.1, **kw)):8.0f} µs"
    )
    print(f"  relayed_dnp, steady state            {median_us(lambda: relayed_dnp(60.0, **kw)):8.0f} µs")
    r = relayed_dnp(60.0, **kw)
    t = np.geomspace(1e-3, 30, 200)
    print(f"  200-point build-up curve             {median_us(lambda: r.buildup(t)):8.0f} µs")


if __name__ == "__main__":
    full = "--full" in sys.argv
    speed()
    sweep(400 if full else 40)
