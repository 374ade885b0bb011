"""Half-integer quadrupolar nuclei (133Cs, 115In, 51V, 79Br …): satellites and the central transition.

Each transition's frequency is followed crystallite by crystallite around the rotor, with the
CSA and the EFG at any relative orientation (``Site.euler_deg``).

What :func:`qdkit.mas.mas_spectrum` draws for a ``Site`` with ``cq_mhz`` ≠ 0: every
single-quantum transition m−1 ↔ m (m = −I+1 … I) with the intensity of a short
non-selective pulse, ∝ I(I+1) − m(m−1) (Man, *Encyclopedia of NMR*, "Quadrupolar
interactions"), or the central transition alone. For one crystallite the transition
frequency, in ppm of the reference frequency ν_ref, is

    ν(φ) = δiso + nᵀ(δ + ν_Q(m − ½)/ν_ref · V)n + [a_m q1(n) + b_m q2(n)]/ν_ref,

with n(φ) the direction of B0 seen from the crystallite at rotor phase φ, δ the traceless
CSA tensor (ppm), V the EFG tensor normalised to V_zz = 1 and rotated into the CSA frame by
``euler_deg``, ν_Q = 3C_Q/(2I(2I−1)); the first-order term is the rank-2 part. The
second-order term follows from second-order perturbation theory on the lab-frame quadrupolar
Hamiltonian, E_m⁽²⁾ = Σ_n |⟨n|H_Q|m⟩|²/(ν0(m − n)): only the Δm = ±1 and ±2 elements enter,
so E_m⁽²⁾ = (C²/ν0)(A_m q1 + B_m q2) with q1 = V_xz² + V_yz² and
q2 = ((V_xx − V_yy)/2)² + V_xy² in the lab frame (rotation invariants about B0; C =
C_Q/(2I(2I−1))). A_m, B_m are computed once from the spin matrices, so no table of
angular coefficients is copied (textbook form: Freude & Haase, *NMR Basic Principles and
Progress* 29, 1 (1993)).

Under MAS ν(φ) holds rotor harmonics 0–4; nine phases give them exactly. The mean is where
the crystallite's centre band sits, and the sideband intensities are |F_k|² of the Fourier
series of exp(iΦ), Φ the integral of ν − mean over the rotor period (Maricq & Waugh 1979;
Herzfeld & Berger 1980, for any periodic frequency). This treats first- and second-order,
central and satellite transitions, CSA and EFG at any angles, and their correlation. Its
cost grows as the cube of the number of sidebands a transition reaches, so, per transition:

* up to 100 sidebands (first-order width plus second-order spread over ν_r): the
  crystallite-by-crystallite average above (vs mrsimulator ≤ 1 % of the tallest peak on
  random sites with C_Q ≤ 5 MHz at 10–40 kHz, ``benchmarks/mas_engine.py``);
* from 150 sidebands on: the spin-1/2 engine on the transition's first-order tensor, each
  sideband carrying the distribution of the crystallites' rotor-averaged second-order
  shifts (their correlation with the sidebands and the second-order rotor modulation are
  left out: 0.3 % of the tallest peak for 27Al, C_Q 3 MHz, 11.7 T, at the 100-sideband
  point; 0.5–0.9 % vs mrsimulator for spin-3/2 satellites with C_Q ≈ 4 MHz at 12.5 kHz,
  where the exact average gives 0.1 % at 4–15× the cost); between 100 and 150 a blend
  linear in ln(sidebands), so the spectrum stays continuous in the spinning rate;
* sidebands closer than one axis point (a crawling rotor): the static shape.

Static samples: the central transition is histogrammed orientation by
orientation; a satellite is the exact static pattern of its first-order tensor, shifted by
its mean second-order shift (its second-order anisotropy, smaller than its first-order
width by about ν_Q/ν0, is left out). mrsimulator (optional) is the cross-check in the tests.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import scipy.fft as sfft

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.simulation.broadening import sticks_on_axis
from qdkit.simulation.csa import sideband_intensities, static_pattern
from qdkit.simulation.powder import gauss_grid
from qdkit.simulation.sites import Site, haeberlen_from_mehring

__all__ = [
    "transition_weights",
    "second_order_coefficients",
    "second_order_shifts_hz",
    "efg_in_csa_frame",
    "quadrupolar_bins",
    "clear_pattern_cache",
]


_MAGIC_COS = 1.0 / math.sqrt(3.0)
_MAGIC_SIN = math.sqrt(2.0 / 3.0)
#: rotor phases per period: the frequency holds harmonics up to 4, so 9 equally spaced
#: phases give its Fourier coefficients exactly.
_N_PHASE = 9
#: orientation density (β values; α values as many, or twice for a full turn) bounds
_MIN_DENSITY, _MAX_DENSITY = 96, 192
#: transitions reaching at most this many sidebands are averaged crystallite by crystallite;
#: from _MANIFOLD_SIDEBANDS on they are a first-order sideband manifold; blended between
_EXACT_SIDEBANDS, _MANIFOLD_SIDEBANDS = 100, 150
_CHUNK_ELEMENTS = 1 << 20


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
    relative intensity I(I+1) − m(m−1) of each (normalised to sum 1).

    Parameters
    ----------
    spin : float
        Nuclear spin I (3/2, 5/2, 7/2, 9/2 …).

    Returns
    -------
    m : ndarray
        −I+1 … I, ascending (the central transition is m = ½).
    weight : ndarray
        Non-selective short-pulse intensity of each transition, summing to 1.
    """
    m = np.arange(-spin + 1, spin + 1)
    w = spin * (spin + 1) - m * (m - 1)
    return m, w / w.sum()


@lru_cache(maxsize=16)
def second_order_coefficients(two_i: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b): second-order frequency of each transition m−1 ↔ m in units of C²/ν0.

    ν⁽²⁾ = (C²/ν0)(a q1 + b q2) for transitions m = −I+1 … I (ascending), with
    q1 = V_xz² + V_yz², q2 = ((V_xx − V_yy)/2)² + V_xy² the lab-frame EFG invariants
    (V normalised to V_zz(PAS) = 1) and C = C_Q/(2I(2I−1)). Obtained from
    E_m⁽²⁾ = Σ_n |⟨n|H|m⟩|²/(m − n) with H = Σ V_ab I_a I_b for an EFG holding only
    V_xz = V_zx = 1 (q1 = 1) or only V_xy = V_yx = 1 (q2 = 1).

    Parameters
    ----------
    two_i : int
        Twice the nuclear spin, 2I (odd).

    Returns
    -------
    a, b : ndarray
        Coefficients of q1 and q2 for each of the 2I transitions, ascending m (read-only).
    """
    ops = _spin_operators(two_i)[:3]
    m = _spin_operators(two_i)[3]
    dm = m[:, None] - m[None, :]
    inv = np.where(dm != 0, 1.0 / np.where(dm != 0, dm, 1), 0.0)
    out = []
    for a, b in ((0, 2), (0, 1)):
        ham = ops[a] @ ops[b] + ops[b] @ ops[a]
        energy = np.einsum("nm,mn->m", np.abs(ham) ** 2, inv)  # levels m = I … −I
        # transition m−1 ↔ m is E(m) − E(m−1); reversed to ascending m
        out.append((energy[:-1] - energy[1:])[::-1].copy())
    for arr in out:
        arr.setflags(write=False)
    return out[0], out[1]


def efg_in_csa_frame(eta_q: float, euler_deg=(0.0, 0.0, 0.0)) -> np.ndarray:
    """The EFG tensor (V_zz = 1, Haeberlen order) in the CSA principal-axis frame.

    Rᵀ V_PAS R with R = R_z(α) R_y(β) R_z(γ) (angles in degrees): the rows of R are the
    EFG principal axes written in the CSA frame. This is mrsimulator's convention for a
    quadrupolar tensor at (α, β, γ) beside a shielding tensor at (0, 0, 0) (checked against
    it in the tests); the opposite convention, R V_PAS Rᵀ, is reached with (−γ, −β, −α).

    Parameters
    ----------
    eta_q : float
        Quadrupolar asymmetry η_Q, 0 … 1 (V_PAS = diag(−(1 + η_Q)/2, −(1 − η_Q)/2, 1)).
    euler_deg : (float, float, float)
        (α, β, γ), degrees, ZYZ.

    Returns
    -------
    ndarray, shape (3, 3)
        The traceless, symmetric EFG tensor in the CSA frame.
    """

    def rz(t):
        c, s = math.cos(t), math.sin(t)
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])

    def ry(t):
        c, s = math.cos(t), math.sin(t)
        return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])

    a, b, g = np.radians(np.asarray(euler_deg, dtype=float))
    rot = rz(a) @ ry(b) @ rz(g)
    return rot.T @ np.diag([-(1 + eta_q) / 2, -(1 - eta_q) / 2, 1.0]) @ rot


@lru_cache(maxsize=8)
def _field_directions(density: int, full_turn: bool, spinning: bool):
    """B0 direction in each crystallite's (CSA) frame at each sampled rotor phase.

    Returns (u, weight): u has shape (n_orientations, n_phases, 3). The crystallite frame is
    carried into the rotor frame by R_y(β) R_z(α); the field lies at the magic angle from
    the rotor axis (along it for a static sample) at rotor phases 2πj/9.
    """
    alpha, beta, weight = gauss_grid(2 * density if full_turn else density, density, full_turn)
    ca, sa, cb, sb = np.cos(alpha), np.sin(alpha), np.cos(beta), np.sin(beta)
    # columns: crystallite x, y, z axes in the rotor frame
    axes = np.stack(
        [
            np.stack([cb * ca, sa, -sb * ca], -1),
            np.stack([-cb * sa, ca, sb * sa], -1),
            np.stack([sb, np.zeros_like(sb), cb], -1),
        ],
        -1,
    )
    if spinning:
        phi = 2 * np.pi * np.arange(_N_PHASE) / _N_PHASE
        n = np.stack([_MAGIC_SIN * np.cos(phi), _MAGIC_SIN * np.sin(phi), np.full(_N_PHASE, _MAGIC_COS)], -1)
    else:
        n = np.array([[0.0, 0.0, 1.0]])
    u = np.einsum("nai,pa->npi", axes, n)
    u.setflags(write=False)
    return u, weight


def _invariants(u: np.ndarray, tensor: np.ndarray):
    """nᵀTn, and the second-order invariants q1, q2 of a traceless T with Tr T² known."""
    tu = u @ tensor
    zz = np.einsum("npi,npi->np", tu, u)
    q1 = np.einsum("npi,npi->np", tu, tu) - zz**2
    q2 = (2.0 * float(np.sum(tensor * tensor)) - 3.0 * zz**2 - 4.0 * q1) / 4.0
    return zz, q1, q2


def second_order_shifts_hz(
    two_i: int, cq_mhz: float, eta_q: float, larmor_mhz: float, spinning: bool, density: int = 96
):
    """Second-order quadrupolar shift of every transition, for each powder orientation.

    ν⁽²⁾ = (C²/ν0)(a q1 + b q2) with C = C_Q/(2I(2I−1)) and (a, b) from
    :func:`second_order_coefficients` (see the module docstring).

    Parameters
    ----------
    two_i : int
        Twice the nuclear spin, 2I.
    cq_mhz : float
        Quadrupolar coupling constant C_Q, MHz.
    eta_q : float
        Quadrupolar asymmetry η_Q, 0 … 1 (EFG axes along the CSA axes).
    larmor_mhz : float
        Larmor frequency ν0 of the nucleus, MHz.
    spinning : bool
        True: rotor at the magic angle, shifts averaged over its period; False: static.
    density : int
        Orientation density of the powder grid.

    Returns
    -------
    shifts : ndarray, shape (n_orientations, 2I)
        ν⁽²⁾ of transitions m−1 ↔ m (m = −I+1 … I, ascending), Hz, averaged over a rotor
        period at the magic angle when ``spinning`` (else rotor along B0: static).
    weight : ndarray
        Orientation weights (sum 1).
    """
    spin = two_i / 2.0
    c = cq_mhz * 1e6 / (2.0 * spin * (2.0 * spin - 1.0))
    u, weight = _field_directions(density, False, spinning)
    _, q1, q2 = _invariants(u, efg_in_csa_frame(eta_q))
    a, b = second_order_coefficients(two_i)
    scale = c * c / (larmor_mhz * 1e6)
    shifts = scale * (q1.mean(1)[:, None] * a + q2.mean(1)[:, None] * b)
    return shifts, weight


def _density(ratio: float, smooth_histogram: bool) -> int:
    """Orientation density for a transition spreading over ±ratio sidebands: as the
    spin-1/2 engine, 1.2·ratio + 12 up to 192, and at least 96 when the second-order
    shifts spread the centre bands over more than an axis point (their histogram must
    then be smooth)."""
    low = _MIN_DENSITY if smooth_histogram else 16
    d = int(min(_MAX_DENSITY, max(low, math.ceil(1.2 * ratio + 12))))
    return d + d % 2


def _n_time(ratio: float) -> int:
    n_time = 16
    while n_time < 2.5 * ratio + 24:
        n_time *= 2
    return n_time


@lru_cache(maxsize=16)
def _phase_basis(n_time: int) -> np.ndarray:
    """Rows turning harmonic coefficients (a1…a4, b1…b4) into the phase Φ at n_time points:
    ∫ (a_h cos hφ + b_h sin hφ) dφ = (a_h sin hφ − b_h cos hφ)/h."""
    phi = 2.0 * np.pi * np.arange(n_time) / n_time
    h = np.arange(1, 5)[:, None]
    basis = np.concatenate([np.sin(h * phi) / h, -np.cos(h * phi) / h]).astype(np.float32)
    basis.setflags(write=False)
    return basis


def _sideband_sticks(
    freq_ppm: np.ndarray, weight: np.ndarray, rate_ppm: float, start: float, step: float, n: int
) -> np.ndarray:
    """Centre band and sidebands of every crystallite, summed on the axis.

    ``freq_ppm`` (n_orientations, 9) is the frequency at nine rotor phases; its mean is the
    centre band and |F_k|² (Fourier coefficients of exp iΦ) the sideband intensities.
    """
    spec = np.fft.rfft(freq_ppm, axis=1) / _N_PHASE
    centre = spec[:, 0].real
    coeff = np.concatenate([2 * spec[:, 1:5].real, -2 * spec[:, 1:5].imag], axis=1) / rate_ppm
    ratio = float(np.abs(2 * spec[:, 1:5]).sum(1).max()) / rate_ppm
    n_time = _n_time(ratio)
    basis = _phase_basis(n_time)
    order = np.fft.fftfreq(n_time, 1.0 / n_time)
    out = np.zeros(n)
    rows = max(1, _CHUNK_ELEMENTS // n_time)
    for lo in range(0, centre.size, rows):
        phase = coeff[lo : lo + rows].astype(np.float32) @ basis
        amp = sfft.fft((np.cos(phase) + 1j * np.sin(phase)).astype(np.complex64), axis=1, workers=1)
        power = (amp.real**2 + amp.imag**2) * (weight[lo : lo + rows, None] / n_time**2)
        pos = (centre[lo : lo + rows, None] + order * rate_ppm - start) / step
        keep = (power > 1e-13) & (pos > -2) & (pos < n + 1)
        out += sticks_on_axis(pos[keep], power[keep], n)
    return out


def _first_order_manifold(
    tensor: np.ndarray, centres_ppm: np.ndarray, weight: np.ndarray, rate_ppm: float, start: float, step: float, n: int
) -> np.ndarray:
    """Sidebands of a transition too wide for the crystallite-by-crystallite average: the
    spin-1/2 engine on its first-order tensor (exact, blended or quasi-static as for a
    CSA), every sideband carrying the distribution of the crystallites' rotor-averaged
    second-order shifts (``centres_ppm``, ``weight``). Left out: the correlation between a
    crystallite's sidebands and its shift, and the second-order rotor modulation."""
    _, aniso, eta = haeberlen_from_mehring(*np.linalg.eigvalsh(tensor))
    order, inten = sideband_intensities(aniso / rate_ppm, eta)
    sidebands = sticks_on_axis((order * rate_ppm - start) / step, inten, n)
    shifts = sticks_on_axis((centres_ppm - start) / step, weight, n)
    zero = int(round(-start / step))  # the point of the axis at 0 ppm
    from scipy.signal import fftconvolve  # here: scipy.signal costs 0.6 s to import

    return fftconvolve(shifts, sidebands)[zero : zero + n]


def clear_pattern_cache() -> None:
    """Forget the cached quadrupolar patterns (for benchmarks)."""
    _relative_pattern.cache_clear()


def quadrupolar_bins(
    site, field_T: float, mas_hz: float, start: float, step: float, n: int, *, transitions: str = "all"
) -> np.ndarray:
    """Fraction of a quadrupolar site's intensity at each axis point (before broadening).

    See the module docstring for the physics. ``transitions="central"`` keeps only the
    central transition (scaled to the whole weight), as after a selective pulse. The
    pattern around δiso is cached per (tensors, field, rate, axis step), so moving δiso or
    the axis costs a re-binning, not a new powder average.

    Parameters
    ----------
    site : Site
        A site of a half-integer quadrupolar nucleus (its widths only set the powder density).
    field_T, mas_hz : float
        Magnetic field, T, and spinning rate, Hz (0 = static).
    start, step, n
        The ppm axis as from :func:`qdkit.simulation.broadening.axis_grid`.
    transitions : ``"all"`` or ``"central"``
        Every single-quantum transition, or the central transition carrying the whole weight.

    Returns
    -------
    ndarray
        Unit-weight fraction of the site's intensity at each of the ``n`` points.

    Raises
    ------
    ModelParameterError
        ``site`` is not a :class:`Site`, the nucleus has integer spin, or ``transitions`` is
        neither ``"all"`` nor ``"central"``.
    """
    if not isinstance(site, Site):
        raise ModelParameterError("quadrupolar_bins expects a qdkit.mas.Site.")
    nuc = nuclei.get(site.nucleus)
    if float(nuc.spin) * 2 % 2 != 1:
        raise ModelParameterError(
            f"{nuc.label} has integer spin {nuc.spin}; qdkit simulates half-integer quadrupolar nuclei only."
        )
    if transitions not in ("all", "central"):
        raise ModelParameterError(f"transitions must be 'all' or 'central', got {transitions!r}.")
    # a dense powder only where second-order shifts spread the centre bands over more than
    # half the line width (or half a point): narrower spreads are smoothed away anyway
    resolution = max(abs(step), (site.fwhm_hz + site.lorentz_hz) / nuc.reference_mhz(field_T))
    dense = _second_order_spread_ppm(site.nucleus, site.cq_mhz, field_T) > 0.5 * resolution
    pattern, centre = _relative_pattern(
        site.nucleus,
        site.aniso_ppm,
        site.eta,
        site.cq_mhz,
        site.eta_q,
        site.euler_deg,
        float(field_T),
        float(mas_hz),
        float(step),
        transitions,
        dense,
    )
    nz = np.flatnonzero(pattern)
    # point j of the pattern sits at δiso + (j − centre)·step
    return sticks_on_axis((site.iso_ppm - start) / step + nz - centre, pattern[nz], n)


def _second_order_ppm(nucleus: str, cq_mhz: float, field_T: float) -> float:
    """C²/ν0 in ppm: the unit of the second-order coefficients a, b."""
    nuc = nuclei.get(nucleus)
    spin = float(nuc.spin)
    c_hz = cq_mhz * 1e6 / (2.0 * spin * (2.0 * spin - 1.0))
    return c_hz * c_hz / (nuc.larmor_mhz(field_T) * 1e6) / nuc.reference_mhz(field_T)


def _second_order_spread_ppm(nucleus: str, cq_mhz: float, field_T: float) -> float:
    """Bound on how far second-order shifts move a transition (q1, q2 ≤ 1 for V_zz = 1)."""
    a2, b2 = second_order_coefficients(int(round(2 * float(nuclei.get(nucleus).spin))))
    return _second_order_ppm(nucleus, cq_mhz, field_T) * float(np.abs(a2).max() + np.abs(b2).max())


@lru_cache(maxsize=16)
def _relative_pattern(
    nucleus: str,
    aniso_ppm: float,
    eta: float,
    cq_mhz: float,
    eta_q: float,
    euler_deg: tuple,
    field_T: float,
    mas_hz: float,
    step: float,
    transitions: str,
    dense: bool,
) -> tuple[np.ndarray, int]:
    """Unbroadened pattern of a site with δiso = 0 on points j·step (j = −centre …), and
    ``centre``, the index of δiso."""
    nuc = nuclei.get(nucleus)
    spin = float(nuc.spin)
    two_i = int(round(2 * spin))
    ref_mhz = nuc.reference_mhz(field_T)
    c_hz = cq_mhz * 1e6 / (2.0 * spin * (2.0 * spin - 1.0))
    second = _second_order_ppm(nucleus, cq_mhz, field_T)  # ppm per unit a·q
    a2, b2 = second_order_coefficients(two_i)
    m_upper, t_weight = transition_weights(spin)
    if transitions == "central":
        t_weight = np.where(m_upper == 0.5, 1.0, 0.0)
    csa = aniso_ppm * np.diag([-(1 + eta) / 2, -(1 - eta) / 2, 1.0])
    # without a CSA the EFG orientation has nothing to be relative to
    full_turn = any(euler_deg) and aniso_ppm != 0.0
    efg = efg_in_csa_frame(eta_q, euler_deg if full_turn else (0.0, 0.0, 0.0))
    first = 3.0 * c_hz / ref_mhz * (m_upper - 0.5)  # ν_Q(m − ½) in ppm
    live = np.flatnonzero(t_weight > 0)
    widest = max(np.abs(np.linalg.eigvalsh(csa + first[j] * efg)).max() for j in live)
    rate_ppm = mas_hz / ref_mhz
    # every line lies within the first-order width, the second-order shifts and the
    # sidebands that the rotor phase can reach beyond them
    spread = _second_order_spread_ppm(nucleus, cq_mhz, field_T)
    reach = widest + 3.0 * spread + 8 * rate_ppm
    centre = int(math.ceil(reach / abs(step))) + 2
    n = 2 * centre + 1
    start = -centre * step
    out = np.zeros(n)
    tensors = [csa + first[j] * efg for j in range(m_upper.size)]
    reach_j = np.array(
        [(np.abs(np.linalg.eigvalsh(t)).max() + spread) / rate_ppm if mas_hz > 0 else np.inf for t in tensors]
    )
    exact = (reach_j < _MANIFOLD_SIDEBANDS) & (t_weight > 0)
    # share of the crystallite-by-crystallite average: 1 up to _EXACT_SIDEBANDS, falling
    # linearly in ln(reach) to 0 at _MANIFOLD_SIDEBANDS (so spectra stay continuous in rate)
    with np.errstate(divide="ignore"):  # static: infinitely many sidebands, share 0
        share = np.clip(
            np.log(_MANIFOLD_SIDEBANDS / np.maximum(reach_j, 1e-300))
            / math.log(_MANIFOLD_SIDEBANDS / _EXACT_SIDEBANDS),
            0.0,
            1.0,
        )
    sets = {}

    def frequencies(j: int, kind: str):
        """Frequency (ppm) of transition j over a powder: "spinning" (9 rotor phases),
        "centres" (the same at the histogram density), "static" (dense), "mean" (a small
        grid, exact for the average shift)."""
        if kind not in sets:
            # two tensors at general angles keep no symmetry but inversion (β on a
            # hemisphere), so α then runs over a full turn
            if kind == "spinning":
                u, w = _field_directions(_density(reach_j[exact].max(), dense), full_turn, True)
            elif kind == "static":
                u, w = _field_directions(2 * _MAX_DENSITY, full_turn, False)
            elif kind == "centres":
                u, w = _field_directions(_MIN_DENSITY if dense else 16, full_turn, True)
            else:
                u, w = _field_directions(32, True, True)
            sets[kind] = (w, np.einsum("npi,ij,npj->np", u, csa, u), *_invariants(u, efg))
        w, zz_csa, zz_efg, q1, q2 = sets[kind]
        return w, zz_csa + first[j] * zz_efg + second * (a2[j] * q1 + b2[j] * q2)

    for j in live:
        if exact[j] and share[j] == 1.0:
            w, freq = frequencies(j, "spinning")
            part = _sideband_sticks(freq, w, rate_ppm, start, step, n)
        elif exact[j]:
            w, freq = frequencies(j, "spinning")
            part = share[j] * _sideband_sticks(freq, w, rate_ppm, start, step, n)
            w, freq = frequencies(j, "centres")
            part += (1.0 - share[j]) * _first_order_manifold(tensors[j], freq.mean(1), w, rate_ppm, start, step, n)
        elif mas_hz > 0 and rate_ppm >= abs(step):
            w, freq = frequencies(j, "centres")
            part = _first_order_manifold(tensors[j], freq.mean(1), w, rate_ppm, start, step, n)
        elif m_upper[j] == 0.5:
            # static, or a rotor too slow for its sidebands to be a point apart
            w, freq = frequencies(j, "static")
            part = sticks_on_axis((freq[:, 0] - start) / step, w, n)
        else:
            # static satellite: exact first-order pattern, mean second-order shift
            w, freq = frequencies(j, "mean")
            iso, aniso, eta_j = haeberlen_from_mehring(*np.linalg.eigvalsh(tensors[j]))
            edges = start + step * (np.arange(n + 1) - 0.5)
            part = static_pattern(iso + float(w @ freq.mean(1)), aniso, eta_j, edges)
        out += t_weight[j] * part
    out.setflags(write=False)
    return out, centre
