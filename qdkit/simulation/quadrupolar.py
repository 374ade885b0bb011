"""Half-integer quadrupolar nuclei (133Cs, 115In, 79Br …): satellites and the central transition.

What :func:`qdkit.mas.mas_spectrum` draws for a ``Site`` with ``cq_mhz`` ≠ 0:

* every single-quantum transition m−1 ↔ m, with the intensity of a short non-selective
  pulse, ∝ I(I+1) − m(m−1) (Man, *Encyclopedia of NMR*, "Quadrupolar interactions");
* satellites: the first-order quadrupolar splitting ν_Q(m−½)·V_zz(lab)
  (ν_Q = 3C_Q/(2I(2I−1))) has the rank-2 form of a CSA, so it is added to the CSA tensor
  (principal axes coincident, both in Haeberlen order — x the axis of the larger of the
  two smaller components — as mrsimulator with zero Euler angles) and the combined tensor
  goes through the spin-1/2
  sideband engine — a manifold of spinning sidebands (static: a powder pattern) — plus the
  powder-averaged second-order shift of that transition;
* the central transition: the second-order quadrupolar shift averaged over a rotor period
  (infinitely fast MAS; the standard MAS central-transition lineshape of Samoson, Kundla &
  Lippmaa, J. Magn. Reson. 49, 350 (1982)), or its static pattern, convolved with the CSA
  sidebands of the central transition.

Second-order shifts come from second-order perturbation theory on the full lab-frame
quadrupolar Hamiltonian, E_m⁽²⁾ = Σ_n |⟨n|H_Q|m⟩|²/(ν0(m − n)), evaluated numerically for
every orientation, so no table of angular coefficients is needed. mrsimulator (optional) is
the cross-check in the tests (:func:`qdkit.mrsim.mrsim_spectrum`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.simulation.broadening import sticks_on_axis
from qdkit.simulation.csa import sideband_intensities, static_pattern
from qdkit.simulation.powder import gauss_grid
from qdkit.simulation.sites import Site, haeberlen_from_mehring

__all__ = [
    "transition_weights",
    "second_order_shifts_hz",
    "quadrupolar_bins",
]


_MAGIC_COS = 1.0 / math.sqrt(3.0)
_MAGIC_SIN = math.sqrt(2.0 / 3.0)
#: rotor phases per period: the second-order frequency holds harmonics up to 4, so
#: 9 equally spaced phases average it exactly.
_N_PHASE = 9


@lru_cache(maxsize=16)
def _spin_operators(two_i: int):
    """Ix, Iy, Iz for spin I = two_i/2, basis ordered m = I, I−1, …, −I."""
    spin = two_i / 2.0
    m = spin - np.arange(two_i + 1)
    iz = np.diag(m)
    # <m+1|I+|m> = sqrt(I(I+1) − m(m+1)), above the diagonal in this ordering
    ip = np.diag(np.sqrt(spin * (spin + 1) - m[1:] * (m[1:] + 1)), 1)
    ix = (ip + ip.T) / 2.0
    iy = (ip - ip.T) / 2.0j
    return ix, iy, iz, m


def transition_weights(spin: float) -> tuple[np.ndarray, np.ndarray]:
    """Magnetic quantum numbers m of the upper level of each transition m−1 ↔ m, and the
    relative intensity I(I+1) − m(m−1) of each (normalised to sum 1)."""
    m = np.arange(-spin + 1, spin + 1)
    w = spin * (spin + 1) - m * (m - 1)
    return m, w / w.sum()


@lru_cache(maxsize=64)
def second_order_shifts_hz(two_i: int, cq_mhz: float, eta_q: float, larmor_mhz: float,
                           spinning: bool, density: int = 96):
    """Second-order quadrupolar shift of every transition, for each powder orientation.

    Returns
    -------
    shifts : ndarray, shape (n_orientations, 2I)
        ν⁽²⁾ of transitions m−1 ↔ m (m = −I+1 … I, ascending), Hz, averaged over a rotor
        period at the magic angle when ``spinning`` (else rotor along B0: static).
    weight : ndarray
        Orientation weights (sum 1).
    """
    ix, iy, iz, m_levels = _spin_operators(two_i)
    spin = two_i / 2.0
    ops = [ix, iy, iz]
    c = cq_mhz * 1e6 / (2.0 * spin * (2.0 * spin - 1.0))
    alpha, beta, weight = gauss_grid(density, density)
    ca, sa, cb, sb = np.cos(alpha), np.sin(alpha), np.cos(beta), np.sin(beta)
    pas = np.stack([np.stack([cb * ca, sa, -sb * ca], -1),      # EFG x axis in rotor frame
                    np.stack([-cb * sa, ca, sb * sa], -1),      # y
                    np.stack([sb, np.zeros_like(sb), cb], -1)], 1)  # z; shape (N, 3, 3)
    v_pas = np.array([-(1 + eta_q) / 2, -(1 - eta_q) / 2, 1.0])
    v_rotor = np.einsum("nai,a,naj->nij", pas, v_pas, pas)
    if spinning:
        s, co = _MAGIC_SIN, _MAGIC_COS
        phases = 2 * np.pi * np.arange(_N_PHASE) / _N_PHASE
    else:
        s, co = 0.0, 1.0
        phases = np.zeros(1)
    shifts = np.zeros((alpha.size, two_i))
    # inv[i, j] = 1/(ν0 (m_i − m_j)) (Zeeman levels ν0·m); diagonal excluded
    dm = m_levels[:, None] - m_levels[None, :]
    with np.errstate(divide="ignore"):
        inv = np.where(dm != 0, 1.0 / (larmor_mhz * 1e6 * np.where(dm != 0, dm, 1)), 0.0)
    for phi in phases:
        z = np.array([s * math.cos(phi), s * math.sin(phi), co])
        x = np.array([co * math.cos(phi), co * math.sin(phi), -s])
        y = np.cross(z, x)
        lab = np.stack([x, y, z])  # rows: lab axes in rotor frame
        v_lab = np.einsum("ai,nij,bj->nab", lab, v_rotor, lab)
        ham = c * sum(v_lab[:, a, b, None, None] * (ops[a] @ ops[b])
                      for a in range(3) for b in range(3))
        # E_m^(2) = Σ_n |H_nm|² / (ν0 (m − n))
        energy = np.einsum("knm,mn->km", np.abs(ham) ** 2, inv)
        # transition m−1 ↔ m: levels are ordered m = I … −I, so m−1 is the next index
        shifts += (energy[:, :-1] - energy[:, 1:])[:, ::-1]
    shifts /= phases.size
    return shifts, weight


def _ppm_histogram(values_ppm, weight, start: float, step: float, n: int) -> np.ndarray:
    """Weights of values spread over the nearest axis points (area and centre kept)."""

    return sticks_on_axis((np.asarray(values_ppm) - start) / step, np.asarray(weight, float), n)


def _convolve_sticks(pattern: np.ndarray, offsets_pts: np.ndarray, sticks: np.ndarray,
                     n: int) -> np.ndarray:
    """Copies of ``pattern`` shifted by each stick offset (points, may be fractional)."""
    out = np.zeros(n)
    for off, w in zip(offsets_pts, sticks):
        k = int(math.floor(off))
        frac = off - k
        for shift, ww in ((k, w * (1 - frac)), (k + 1, w * frac)):
            if ww == 0 or abs(shift) >= n:
                continue
            if shift >= 0:
                out[shift:] += ww * pattern[:n - shift]
            else:
                out[:n + shift] += ww * pattern[-shift:]
    return out


def quadrupolar_bins(site, field_T: float, mas_hz: float, start: float, step: float,
                     n: int, *, transitions: str = "all") -> np.ndarray:
    """Fraction of a quadrupolar site's intensity at each axis point (before broadening).

    See the module docstring for the physics. ``transitions="central"`` keeps only the
    central transition (scaled to the whole weight), as after a selective pulse.
    """

    if not isinstance(site, Site):
        raise ModelParameterError("quadrupolar_bins expects a qdkit.mas.Site.")
    nuc = nuclei.get(site.nucleus)
    spin = float(nuc.spin)
    if spin * 2 % 2 != 1:
        raise ModelParameterError(
            f"{nuc.label} has integer spin {nuc.spin}; qdkit simulates half-integer "
            "quadrupolar nuclei only."
        )
    two_i = int(round(2 * spin))
    ref_mhz = nuc.reference_mhz(field_T)
    larmor_mhz = nuc.larmor_mhz(field_T)
    spinning = mas_hz > 0
    shifts, o_weight = second_order_shifts_hz(two_i, float(site.cq_mhz), float(site.eta_q),
                                              float(larmor_mhz), spinning)
    m_upper, t_weight = transition_weights(spin)
    if transitions == "central":
        keep = m_upper == 0.5
        t_weight = np.where(keep, 1.0, 0.0)
    elif transitions != "all":
        raise ModelParameterError(f"transitions must be 'all' or 'central', got {transitions!r}.")
    nu_q = 3.0 * site.cq_mhz * 1e6 / (2.0 * spin * (2.0 * spin - 1.0))
    csa_hz = site.aniso_ppm * ref_mhz * np.array([-(1 + site.eta) / 2, -(1 - site.eta) / 2, 1.0])
    efg = np.array([-(1 + site.eta_q) / 2, -(1 - site.eta_q) / 2, 1.0])
    out = np.zeros(n)
    for j, (m, tw) in enumerate(zip(m_upper, t_weight)):
        if tw == 0:
            continue
        # rank-2 first-order part: CSA + ν_Q(m − ½)·V (zero for the central transition)
        _, aniso_hz, eta = haeberlen_from_mehring(*(csa_hz + nu_q * (m - 0.5) * efg))
        if m == 0.5:
            # central transition: second-order pattern (with rotor average) ⊗ CSA sidebands
            pattern = _ppm_histogram(site.iso_ppm + shifts[:, j] / ref_mhz, o_weight,
                                     start, step, n)
            if aniso_hz == 0.0:
                part = pattern
            elif spinning:
                order, inten = sideband_intensities(aniso_hz / mas_hz, eta)
                part = _convolve_sticks(pattern, order * mas_hz / ref_mhz / step, inten, n)
            else:
                # static CSA ⊗ second-order: CSA pattern on a centred axis, then shifted copies
                centre = n // 2
                edges = (np.arange(n + 1) - 0.5 - centre) * step
                csa = static_pattern(0.0, aniso_hz / ref_mhz, eta, edges)
                nz = np.flatnonzero(csa > 1e-12)
                part = _convolve_sticks(pattern, nz - centre, csa[nz], n)
        else:
            centre_ppm = site.iso_ppm + float(o_weight @ shifts[:, j]) / ref_mhz
            if spinning:
                order, inten = sideband_intensities(aniso_hz / mas_hz, eta)
                pos = centre_ppm + order * mas_hz / ref_mhz
                part = _ppm_histogram(pos, inten, start, step, n)
            else:
                edges = start + step * (np.arange(n + 1) - 0.5)
                part = static_pattern(centre_ppm, aniso_hz / ref_mhz, eta, edges)
        out += tw * part
    return out
