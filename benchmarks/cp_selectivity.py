"""How robust is the contact-time selectivity of species-aware CP (P6, SI Fig. S3)?

Run: ``python3 benchmarks/cp_selectivity.py [--full]`` from the repository root. Prints, for
myristate-capped 3 nm InP (³¹P), the growth of the core/PO_x signal ratio from 1.5 to 5 ms
contact and the contact times at which PO_x and core peak, over the bath correlation time
τc, the ¹H T1ρ, the proton distances (every explicit proton moved outward by Δr) and the
P–OH fraction; then the same for CdSe ¹¹³Cd/⁷⁷Se, and the cost of a cached call.
Default run: a one-at-a-time scan (< 60 s); ``--full`` adds the τc × T1ρ × Δr grid.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from qdkit.models import cp_species as cs

TAU0 = cs.bath_correlation_us()
DEFAULTS = {"tau_c_us": TAU0, "t1rho_ms": cs.T1RHO_MS, "proton_offset_A": 0.0, "poh_fraction": cs.POH_FRACTION}


def p6_row(material="InP", nucleus="31P", diameter_nm=3.0, ligand="myristate", **changes):
    """(growth of core/surface ratio 1.5 → 5 ms, surface share at 1.5 ms, t_max surface, core)."""
    kwargs = {**DEFAULTS, **changes}
    if material != "InP":
        kwargs.pop("poh_fraction")
    k = cs.species_kinetics(material, nucleus, diameter_nm, ligand=ligand, **kwargs)
    s = cs.cp_signal(k, [1.5, 5.0])
    growth = (s[1, 1] / s[0, 1]) / (s[1, 0] / s[0, 0])
    share = s[0, 0] / s[:, 0].sum()
    t_surface, t_core = cs.cp_maximum_ms(k)
    return growth, share, t_surface, t_core, k[0].t_is_ms, k[1].t_is_ms


def print_row(label, row):
    growth, share, ts, tc, tis_s, tis_c = row
    order = "yes" if ts < tc else "NO"
    print(f"{label:34s} {growth:7.2f} {share:8.2f} {tis_s:9.2f} {tis_c:9.1f} {ts:8.2f} {tc:8.1f}   {order}")


HEADER = (
    f"{'':34s} {'growth':>7s} {'surf@1.5':>8s} {'T_IS,s':>9s} {'T_IS,c':>9s} "
    f"{'tmax,s':>8s} {'tmax,c':>8s}   surface first"
)


def one_at_a_time():
    print("InP 3 nm, myristate, ³¹P — core/PO_x ratio growth from 1.5 to 5 ms contact")
    print("(growth = [core/PO_x](5 ms) / [core/PO_x](1.5 ms); times in ms)")
    print(HEADER)
    print_row(f"defaults τc={TAU0:.1f} µs T1ρ={cs.T1RHO_MS:g} ms", p6_row())
    for tau in (5.0, 10.0, 40.0, 80.0):
        print_row(f"τc = {tau:g} µs", p6_row(tau_c_us=tau))
    for t1 in (5.0, 10.0, 50.0, 200.0):
        print_row(f"T1ρ = {t1:g} ms", p6_row(t1rho_ms=t1))
    for dr in (-0.5, 0.5, 1.0, 2.0):
        print_row(f"protons moved out by {dr:+g} Å", p6_row(proton_offset_A=dr))
    for f in (0.0, 0.25, 1.0):
        print_row(f"P–OH fraction {f:g}", p6_row(poh_fraction=f))
    for d in (2.5, 4.0, 6.0):
        print_row(f"diameter {d:g} nm", p6_row(diameter_nm=d))
    print_row("3 nm with 8 % size spread", p6_row(size_dispersion=0.08))
    print()
    print("CdSe 4 nm, oleate, CdX2 shell (surface = shell Cd / near-surface Se)")
    print(HEADER)
    for nucleus in ("113Cd", "77Se"):
        for t1 in (10.0, cs.T1RHO_MS, 50.0):
            print_row(f"{nucleus}, T1ρ = {t1:g} ms", p6_row("CdSe", nucleus, 4.0, "oleate", t1rho_ms=t1))


def grid():
    print()
    print("Full grid, InP ³¹P: growth (surface-first?) over τc × T1ρ × Δr")
    taus, t1s, drs = (5.0, 10.0, TAU0, 40.0), (5.0, 10.0, 20.0, 50.0), (-0.5, 0.0, 0.5, 1.0)
    for dr in drs:
        print(f"Δr = {dr:+g} Å   " + "  ".join(f"T1ρ={t:>4g}" for t in t1s))
        for tau in taus:
            cells = []
            for t1 in t1s:
                g, _, ts, tc, *_ = p6_row(tau_c_us=tau, t1rho_ms=t1, proton_offset_A=dr)
                cells.append(f"{g:5.2f}{'' if ts < tc else '!'}  ")
            print(f"  τc={tau:5.1f} µs  " + "  ".join(cells))
    print("('!' marks a setting where the surface does not peak first)")


def timing(repeats=2000):
    cs.species_kinetics("InP", "31P", 3.0)
    t = np.linspace(0.05, 20.0, 200)

    def call():
        cs.cp_signal(cs.species_kinetics("InP", "31P", 3.0), 1.5)

    def curve():
        cs.cp_signal(cs.species_kinetics("InP", "31P", 3.0), t)

    for label, fn in (
        ("species_kinetics + cp_signal, one contact", call),
        ("species_kinetics + cp_signal, 200-point curve", curve),
    ):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        print(f"{label:48s} median {1e6 * np.median(times):7.1f} µs (cache hit)")
    t0 = time.perf_counter()
    cs.species_kinetics("InP", "31P", 3.0, t1rho_ms=19.0)
    print(f"{'new T1ρ (geometry cached)':48s} {1e3 * (time.perf_counter() - t0):7.2f} ms")
    t0 = time.perf_counter()
    cs.species_kinetics("InP", "31P", 3.0, proton_offset_A=0.1)
    print(f"{'new geometry (cache miss)':48s} {1e3 * (time.perf_counter() - t0):7.2f} ms")


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.1f}")
    one_at_a_time()
    if "--full" in sys.argv:
        grid()
    print()
    timing()
