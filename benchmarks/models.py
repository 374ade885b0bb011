"""Speed and paper numbers of the nanocrystal, CP and D-HMQC models.

Run: ``python3 benchmarks/models.py``. Prints

1. build time of atomistic dots (cold = first build, warm = lru_cache hit) for the
   materials of the paper at 3–8 nm (target: cold well under 1 s);
2. the cost of one ``cp.core_surface_signal`` call after the dot is built, for one contact
   time and for a 200-point buildup curve (target ≪ 1 ms: widgets call it per slider move),
   and of one ``hmqc.correlation`` call;
3. the paper's numbers the models produce: surface fraction of P in 3 nm InP (P5),
   core/surface ³¹P ratio at 1.5 and 5 ms (P6), surface/core D-HMQC contrast at 3 ms (P9);
4. how the P6 contrast moves with the CP defaults (J(0), T1ρ, proton gap).

Medians of repeated calls, with the machine load printed (timings on a busy machine vary).
"""

from __future__ import annotations

import os
import time

import numpy as np

from qdkit import cp, hmqc, nanocrystal


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def build_times():
    print(f"{'build (ms)':60s} cold     warm   atoms")
    cases = [
        ("InP", 3.0, {}),
        ("InP", 3.0, {"ligand": "myristate"}),
        ("CdSe", 4.0, {"shell": "CdX2", "ligand": "oleate"}),
        ("CdSe", 4.0, {"structure": "wurtzite"}),
        ("PbSe", 6.0, {}),
        ("CsPbBr3", 6.0, {"faceted": True}),
        ("CdTe", 8.0, {"ligand": "oleate"}),
    ]
    for material, d, kw in cases:
        t0 = time.perf_counter()
        dot = nanocrystal.build(material, d, **kw)
        cold = time.perf_counter() - t0
        warm = median_time(lambda material=material, d=d, kw=kw: nanocrystal.build(material, d, **kw), 200)
        label = f"{material} {d} nm {kw}"
        print(f"  {label:58s} {cold * 1e3:7.1f} {warm * 1e6:6.1f}µs {dot.n_atoms:6d}")


def call_times():
    dot = nanocrystal.build("InP", 3.0, ligand="myristate")
    t0 = time.perf_counter()
    cp.core_surface_signal(dot, "31P", 1.5)
    first = time.perf_counter() - t0
    one = median_time(lambda: cp.core_surface_signal(dot, "31P", 1.5), 2000)
    curve_t = np.linspace(0.0, 20.0, 200)
    curve = median_time(lambda: cp.core_surface_signal(dot, "31P", curve_t), 2000)
    print("cp.core_surface_signal (InP 3 nm, 31P)")
    print(f"  first call (site rates computed)  {first * 1e3:8.2f} ms")
    print(f"  one contact time                  {one * 1e6:8.1f} µs")
    print(f"  200-point buildup curve           {curve * 1e6:8.1f} µs")
    cd = nanocrystal.build("CdSe", 4.0, shell="CdX2", ligand="oleate")
    hmqc.correlation(cd)  # builds the powder table once
    corr = median_time(lambda: hmqc.correlation(cd, recoupling_ms=3.0), 50)
    print(f"hmqc.correlation (CdSe 4 nm + CdX2)  {corr * 1e3:8.2f} ms")


def paper_numbers():
    inp = nanocrystal.build("InP", 3.0, ligand="myristate")
    print("paper numbers")
    print(f"  P5 surface fraction of P, 3 nm InP (one dot)         {inp.surface_fraction('P'):.3f}")
    ens = nanocrystal.ensemble_surface_fraction("InP", "P", 3.0)
    print(f"  P5 same, 8 % size dispersion                          {ens:.3f}  (paper: ~0.25)")
    core, surf = cp.core_surface_signal(inp, "31P", np.array([1.5, 5.0]))
    r = core / surf
    print(f"  P6 core/surface 31P at 1.5 ms, 5 ms                   {r[0]:.3f}, {r[1]:.3f}  (grows ×{r[1] / r[0]:.2f})")
    t_is = cp.site_transfer_times_ms(inp, "31P")
    s = inp.is_surface[inp.mask("P")]
    print(
        f"  median T_IS surface / core P (ms)                     {np.median(t_is[s]):.1f} / {np.median(t_is[~s]):.1f}"
    )
    cd = nanocrystal.build("CdSe", 4.0, shell="CdX2", ligand="oleate")
    for tau in (1.0, 3.0, 6.0):
        c = hmqc.correlation(cd, recoupling_ms=tau)
        label = f"P9 D-HMQC surface/core Cd at {tau:.0f} ms (R3)"
        print(f"  {label:54s}{c.surface_to_core:.1f}")


def p6_sensitivity():
    """How the P6 contrast (core/surface growth from 1.5 to 5 ms) depends on the defaults."""
    import dataclasses

    print("P6 sensitivity: growth of core/surface 31P ratio from 1.5 to 5 ms (3 nm InP)")
    base = nanocrystal.LIGANDS["myristate"]

    def growth(dot, **kw):
        core, surf = cp.core_surface_signal(dot, "31P", np.array([1.5, 5.0]), **kw)
        r = core / surf
        return r[1] / r[0]

    dot = nanocrystal.build("InP", 3.0, ligand=base)
    for tau in (10.0, 20.0, 40.0):
        print(f"  tau_c {tau:4.0f} µs                        ×{growth(dot, tau_c_us=tau):.2f}")
    for t1 in (10.0, 20.0, 40.0):
        print(f"  T1rho {t1:4.0f} ms                        ×{growth(dot, t1rho_ms=t1):.2f}")
    for gap in (2.0, 3.0, 4.0):
        lig = dataclasses.replace(base, proton_gap_A=gap)
        print(f"  proton gap {gap:.1f} Å                    ×{growth(nanocrystal.build('InP', 3.0, ligand=lig)):.2f}")


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    build_times()
    call_times()
    paper_numbers()
    p6_sensitivity()
