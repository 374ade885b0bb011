"""MAS-engine checks printed by ``benchmarks/mas_engine.py``: coarse axes, slow spinning, Euler angles.

Each function returns rows; ``mas_engine.py`` prints them in the same run as its speed table.
mrsimulator (the oracle) rounds every sideband to its nearest axis point, so the oracle runs on
axes whose points carry the isotropic line and its sidebands (``qdkit.mrsim.comparison_axis``).
"""

from __future__ import annotations

import math
import time

import numpy as np

from qdkit import nuclei
from qdkit.mas import Site, mas_spectrum
from qdkit.mrsim import comparison_axis, mrsim_spectrum

QUADRUPOLAR_NUCLEI = [
    "7Li",
    "11B",
    "23Na",
    "35Cl",
    "71Ga",
    "79Br",
    "87Rb",  # I = 3/2
    "17O",
    "27Al",
    "67Zn",  # 5/2
    "51V",
    "133Cs",  # 7/2
    "93Nb",
    "115In",
]  # 9/2


def coarse_axis_accuracy(n_sites: int, seed: int = 13):
    """Spin-1/2 sites drawn at random (δaniso 0–1000 ppm, η 0–1, static–60 kHz, 7–21 T),
    simulated by qdkit on an axis with only 3–6 points per line width and compared with
    mrsimulator on an axis 8× finer that contains those points.

    Returns rows (nucleus, δaniso, η, rate, B0, fwhm, points per fwhm, dev %).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_sites):
        nucleus = str(rng.choice(["113Cd", "31P", "77Se", "119Sn", "207Pb", "13C"]))
        field = float(rng.uniform(7.0, 21.1))
        rate = 0.0 if rng.random() < 0.15 else float(rng.uniform(2_000, 60_000))
        ref = nuclei.get(nucleus).reference_mhz(field)
        aniso = float(rng.uniform(0, 1000)) * (1 if rng.random() < 0.5 else -1)
        # at least 1 % of the anisotropy wide, so a static pattern's horns are resolved
        fwhm = float(rng.uniform(200, 3000)) + 0.01 * abs(aniso) * ref
        site = Site(nucleus, float(rng.uniform(-200, 200)), aniso, float(rng.uniform(0, 1)), fwhm)
        points = float(rng.uniform(3, 6))
        fine = comparison_axis(site, field, rate, points_per_fwhm=8 * points)
        offset = int(np.argmin(np.abs(fine - site.iso_ppm))) % 8
        coarse = fine[offset::8]
        theirs = mrsim_spectrum([site], field, rate, fine, integration_density=180)[offset::8]
        ours = mas_spectrum([site], field, rate, coarse)
        dev = 100 * np.abs(ours - theirs).max() / theirs.max()
        rows.append((nucleus, aniso, site.eta, rate, field, fwhm, fwhm / ref / abs(coarse[1] - coarse[0]), dev))
    return rows


def _random_quadrupolar_site(rng, cq_max_all_mhz: float):
    nucleus = str(rng.choice(QUADRUPOLAR_NUCLEI))
    spin = float(nuclei.get(nucleus).spin)
    transitions = "central" if rng.random() < 0.5 else "all"
    cq_max = 5.0 if transitions == "central" else cq_max_all_mhz
    # β drawn uniformly in cos β: random relative orientations
    euler = (float(rng.uniform(0, 360)), float(np.degrees(np.arccos(rng.uniform(-1, 1)))), float(rng.uniform(0, 360)))
    site = Site(
        nucleus,
        float(rng.uniform(-100, 100)),
        float(rng.uniform(-300, 300)),
        float(rng.uniform(0, 1)),
        float(rng.uniform(200, 1000)),
        cq_mhz=float(rng.uniform(0.2, cq_max)),
        eta_q=float(rng.uniform(0, 1)),
        euler_deg=euler,
    )
    return site, spin, transitions


def euler_accuracy(n_sites: int, seed: int = 2026, cq_max_all_mhz: float = 1.5):
    """Half-integer quadrupolar sites (I = 3/2 … 9/2) with CSA and EFG at random relative
    Euler angles, C_Q ≤ 5 MHz (≤ ``cq_max_all_mhz`` when all transitions are drawn, to
    bound the satellite axis), 10–40 kHz MAS, 9.4–21.1 T, vs mrsimulator.

    Returns rows (nucleus, I, transitions, C_Q, δaniso, euler, B0, rate, n, dev %, qdkit s,
    mrsimulator s).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_sites):
        site, spin, transitions = _random_quadrupolar_site(rng, cq_max_all_mhz)
        field = float(rng.choice([9.4, 11.7, 14.1, 18.8, 21.1]))
        rate = float(rng.choice([10_000, 12_500, 20_000, 25_000, 40_000]))
        ppm = comparison_axis(site, field, rate, points_per_fwhm=16, transitions=transitions)
        t0 = time.perf_counter()
        ours = mas_spectrum([site], field, rate, ppm, transitions=transitions)
        t1 = time.perf_counter()
        theirs = mrsim_spectrum([site], field, rate, ppm, transitions=transitions, integration_density=150)
        t2 = time.perf_counter()
        dev = 100 * np.abs(ours - theirs).max() / theirs.max()
        rows.append(
            (
                site.nucleus,
                spin,
                transitions,
                site.cq_mhz,
                site.aniso_ppm,
                site.euler_deg,
                field,
                rate,
                ppm.size,
                dev,
                t1 - t0,
                t2 - t1,
            )
        )
    return rows


def continuity_sweep(full: bool):
    """Largest change of the spectrum (% of its tallest peak) between spin rates 1 % apart.

    The surface 113Cd site (δaniso 416 ppm, η 0.3, 9.4 T) with 150 Hz, 300 Hz and 1 kHz
    lines, at ratios R = δaniso·ν_ref/ν_r around the ends of the exact/quasi-static blend
    (250, 400), far into the quasi-static range and at the point where sidebands come closer
    than one axis point. ``full`` sweeps R = 200 … 600 in 1 % steps.

    Returns rows (fwhm, R, step %).
    """
    site = Site("113Cd", -317.0, 416.0, 0.3)
    ref = nuclei.get("113Cd").reference_mhz(9.4)
    aniso_hz = site.aniso_ppm * ref
    ppm = np.linspace(100, -800, 8192)
    point_hz = abs(ppm[1] - ppm[0]) * ref
    if full:
        ratios = list(200.0 * 1.01 ** np.arange(int(math.log(3) / math.log(1.01)) + 1))
    else:
        ratios = [240.0, 247.0, 252.0, 320.0, 390.0, 396.0, 400.5, 405.0, 1000.0]
    ratios += [aniso_hz / point_hz / 1.005]  # sidebands one axis point apart
    rows = []
    for fwhm in (150.0, 300.0, 1000.0):
        line = site.replace(fwhm_hz=fwhm)
        for ratio in ratios:
            a = mas_spectrum([line], 9.4, aniso_hz / ratio, ppm)
            b = mas_spectrum([line], 9.4, aniso_hz / (1.01 * ratio), ppm)
            rows.append((fwhm, ratio, 100 * np.abs(a - b).max() / a.max()))
    return rows


def print_checks(full: bool) -> None:
    """Print the three tables (used by ``mas_engine.py``)."""
    print(
        "\nSpin-1/2 on coarse axes (3-6 points per FWHM) vs mrsimulator on an 8x finer axis "
        "(% of tallest peak; target <= 1 %)"
    )
    print(
        f"  {'nucleus':>7} {'aniso':>7} {'eta':>4} {'MAS/Hz':>7} {'B0/T':>5} {'fwhm/Hz':>8} "
        f"{'pts/fwhm':>8} {'dev/%':>6}"
    )
    rows = coarse_axis_accuracy(40 if full else 12)
    for nucleus, aniso, eta, rate, field, fwhm, pts, dev in rows:
        flag = "" if dev <= 1.0 else "  <-- over 1 %"
        print(
            f"  {nucleus:>7} {aniso:7.0f} {eta:4.2f} {rate:7.0f} {field:5.2f} {fwhm:8.0f} {pts:8.1f} {dev:6.3f}{flag}"
        )
    devs = np.array([r[-1] for r in rows])
    print(f"  {len(rows)} sites: p95 {np.percentile(devs, 95):.3f} %, worst {devs.max():.3f} %")

    print(
        "\nQuadrupolar + CSA at random Euler angles vs mrsimulator (% of tallest peak; "
        "target <= 2 % for C_Q <= 5 MHz at >= 10 kHz)"
    )
    print(
        f"  {'nucleus':>7} {'I':>3} {'trans':>7} {'CQ/MHz':>6} {'aniso':>6} {'euler/deg':>17} "
        f"{'B0/T':>5} {'MAS/Hz':>6} {'points':>6} {'dev/%':>6} {'qdkit/s':>7} {'mrsim/s':>7}"
    )
    rows = euler_accuracy(16 if full else 6, cq_max_all_mhz=5.0 if full else 1.5)
    for nucleus, spin, tr, cq, aniso, eu, field, rate, n, dev, tq, tm in rows:
        flag = "" if dev <= 2.0 else "  <-- over 2 %"
        angles = "/".join(f"{a:.0f}" for a in eu)
        print(
            f"  {nucleus:>7} {spin:3.1f} {tr:>7} {cq:6.2f} {aniso:6.0f} {angles:>17} {field:5.1f} "
            f"{rate:6.0f} {n:6d} {dev:6.3f} {tq:7.2f} {tm:7.2f}{flag}"
        )
    devs = np.array([r[9] for r in rows])
    print(f"  {len(rows)} sites: worst {devs.max():.3f} %, {int((devs <= 2).sum())}/{len(rows)} within 2 %")

    print(
        "\nContinuity in the spin rate: largest change between rates 1 % apart "
        "(% of tallest peak; target <= 1 % where sidebands have merged into the lines)"
    )
    print(f"  {'fwhm/Hz':>7} {'ratio':>8} {'rate/Hz':>8} {'step/%':>7}")
    ref = nuclei.get("113Cd").reference_mhz(9.4)
    for fwhm, ratio, step in continuity_sweep(full):
        print(f"  {fwhm:7.0f} {ratio:8.1f} {416 * ref / ratio:8.2f} {step:7.3f}")
