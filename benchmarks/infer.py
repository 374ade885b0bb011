"""Recovery, coverage, flagging and speed of the quantitative-CP fit (``qdkit.infer``).

Run: ``python benchmarks/infer.py`` (60 noise realisations, < 1 min) or ``--full`` (240).
Prints

1. hidden-truth recovery over random SYNTHETIC contact series: 2–3 overlapping ³¹P sites
   (neighbours 0.6–1.5 line widths apart, CSA up to 120 ppm), 6–10 contact times, S/N
   30–100 per spectrum, random populations, T_IS 0.1–4 ms and a shared T1ρ 5–60 ms:
   the share of populations within 2σ of the truth (target ≥ 90 %) and within 1σ
   (target 60–76 %, ideal 68.3 %), with the median |error|/σ;
2. flagging: contact times all ≫ T_IS (T_IS must be flagged) and all ≪ T1ρ (T1ρ must be
   flagged), and how often a well-posed series is flagged by mistake;
3. the time of one 10-spectrum, 4096-point fit (target ≤ 5 s on the 2-core machine), with
   fixed and with fitted lineshapes, and the machine load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qdkit.analysis.infer import site_populations
from qdkit.mas import Site
from qdkit.nuclei import get as nucleus
from qdkit.simulation.cp_series import synthetic_contact_series

FIELD_T, MAS_HZ = 9.4, 10_000.0


def random_case(rng):
    """A hidden truth: overlapping sites, contact times, S/N."""
    n_sites = int(rng.integers(2, 4))
    ref = nucleus("31P").reference_mhz(FIELD_T)
    widths = rng.uniform(800, 3000, n_sites)
    iso = [0.0]
    for k in range(1, n_sites):
        gap_hz = rng.uniform(0.6, 1.5) * 0.5 * (widths[k - 1] + widths[k])
        iso.append(iso[-1] - gap_hz / ref)
    sites = [
        Site("31P", float(i), float(rng.uniform(-120, 120)), float(rng.uniform(0, 1)), float(w))
        for i, w in zip(iso, widths)
    ]
    populations = rng.dirichlet(np.full(n_sites, 3.0))
    t_is = np.exp(rng.uniform(np.log(0.1), np.log(4.0), n_sites))
    t1rho = float(np.exp(rng.uniform(np.log(5.0), np.log(60.0))))
    n_t = int(rng.integers(6, 11))
    contact = np.geomspace(rng.uniform(0.05, 0.3), rng.uniform(8.0, 25.0), n_t)
    snr = float(rng.uniform(30, 100))
    return sites, populations, t_is, t1rho, contact, snr


def recovery(n_cases: int, n_noise: int, seed: int = 20261129):
    rng = np.random.default_rng(seed)
    z, flagged, failures = [], 0, 0
    for case in range(n_cases):
        sites, pop, t_is, t1rho, contact, snr = random_case(rng)
        for k in range(n_noise):
            spectra, truth = synthetic_contact_series(
                sites, pop, t_is, t1rho, contact, field_T=FIELD_T, mas_hz=MAS_HZ, snr=snr, seed=int(rng.integers(2**31))
            )
            try:
                fit = site_populations(spectra, None, sites)
            except Exception as exc:
                failures += 1
                print(f"  case {case} realisation {k}: {type(exc).__name__}: {exc}")
                continue
            flagged += bool(fit.undetermined)
            z.extend((fit.populations - truth.populations) / fit.populations_stderr)
    z = np.abs(np.asarray(z))
    n = n_cases * n_noise
    print(
        f"hidden truths: {n_cases} series × {n_noise} noise realisations = {n} fits "
        f"({z.size} populations), {failures} failed"
    )
    print(f"  within 2σ: {np.mean(z <= 2):6.1%}   (target ≥ 90 %)")
    print(f"  within 1σ: {np.mean(z <= 1):6.1%}   (target 60–76 %, Gaussian 68.3 %)")
    print(f"  median |error|/σ: {np.median(z):.3f} (Gaussian 0.674)")
    print(f"  series with a flagged parameter: {flagged}/{n - failures}")


def flagging(n_noise: int):
    sites = [Site("31P", 5.0, -90.0, 0.5, 1600.0), Site("31P", -10.0, 0.0, 0.0, 2500.0)]
    cases = {
        "contact times ≫ T_IS (0.01–0.02 ms vs 2–20 ms)": (
            [0.3, 0.7],
            [0.01, 0.02],
            20.0,
            np.geomspace(2, 20, 8),
            "log_t_is",
        ),
        "contact times ≪ T1ρ (2000 ms vs 0.1–3 ms)": (
            [0.4, 0.6],
            [0.3, 1.0],
            2000.0,
            np.geomspace(0.1, 3, 8),
            "log_t1rho",
        ),
    }
    rng = np.random.default_rng(7)
    for label, (pop, t_is, t1rho, contact, prefix) in cases.items():
        hits, z = 0, []
        for _ in range(n_noise):
            spectra, truth = synthetic_contact_series(
                sites,
                pop,
                t_is,
                t1rho,
                contact,
                field_T=FIELD_T,
                mas_hz=MAS_HZ,
                snr=60.0,
                seed=int(rng.integers(2**31)),
            )
            fit = site_populations(spectra, None, sites)
            hits += any(name.startswith(prefix) for name in fit.undetermined)
            z.extend(np.abs(fit.populations - truth.populations) / fit.populations_stderr)
        print(f"{label}: flagged {hits}/{n_noise}; populations within 2σ {np.mean(np.array(z) <= 2):.0%}")


def timing(repeats: int):
    sites = [
        Site("31P", 5.0, -90.0, 0.5, 1600.0),
        Site("31P", -10.0, 0.0, 0.0, 2500.0),
        Site("31P", -25.0, 40.0, 0.3, 2000.0),
    ]
    spectra, _ = synthetic_contact_series(
        sites,
        [0.2, 0.5, 0.3],
        [0.3, 1.5, 0.8],
        25.0,
        np.geomspace(0.1, 15, 10),
        field_T=FIELD_T,
        mas_hz=MAS_HZ,
        snr=50.0,
        seed=3,
    )
    assert len(spectra) == 10 and spectra[0].data.size == 4096
    for label, kw in (("fixed lineshapes", {}), ("fitted shifts and widths", {"fit_lineshapes": True})):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            site_populations(spectra, None, sites, **kw)
            times.append(time.perf_counter() - t0)
        print(
            f"10 spectra × 4096 points, 3 sites, {label}: median {np.median(times):.3f} s "
            f"(min {min(times):.3f} s, target ≤ 5 s)"
        )
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="240 noise realisations (several minutes)")
    args = parser.parse_args(argv)
    n_cases, n_noise = (40, 6) if args.full else (15, 4)
    print("SYNTHETIC data throughout.")
    recovery(n_cases, n_noise)
    flagging(20 if args.full else 5)
    timing(5 if args.full else 2)


if __name__ == "__main__":
    main()
