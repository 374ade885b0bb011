"""MAS and static lineshapes of powders: chemical-shift anisotropy, sidebands, broadening.

The hot path behind every slider: ``mas_spectrum(sites, field_T, mas_hz, ppm)``. Spin-1/2
sideband intensities are powder averages that depend only on (δaniso·ν_ref/ν_r, η) and are
cached; per-site shapes on an axis are cached too, so changing only weights costs a dot
product (see :func:`site_spectra`).

Conventions
-----------
* Haeberlen: δaniso = δzz − δiso with |δzz−δiso| ≥ |δxx−δiso| ≥ |δyy−δiso| and
  η = (δyy − δxx)/δaniso, 0 ≤ η ≤ 1 (U. Haeberlen, *High Resolution NMR in Solids*, 1976).
* Everything is computed in ppm of the IUPAC Ξ reference frequency of the nucleus
  (:meth:`qdkit.nuclei.Nucleus.reference_mhz`): a spinning sideband of order k sits at
  δiso + k·ν_r/ν_ref ppm. A spectrum in ppm does not depend on the sign of γ: a 113Cd site at
  −317 ppm appears at −317 ppm with its sidebands at ±ν_r, as on the spectrometer.
* Normalisation: the axis must be uniformly spaced; the returned intensity is per ppm, so
  ``y.sum() * abs(ppm[1] - ppm[0])`` equals the summed site weights, up to the part of a
  site's sidebands or line tails that falls outside the axis.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

import numpy as np
import scipy.fft as sfft
from scipy.special import voigt_profile

from . import nuclei
from .errors import ModelParameterError
from .powder import orientations

__all__ = [
    "Site",
    "mas_spectrum",
    "site_spectra",
    "sideband_intensities",
    "static_pattern",
    "haeberlen_from_mehring",
    "mehring_from_haeberlen",
    "haeberlen_from_herzfeld_berger",
    "herzfeld_berger_from_haeberlen",
    "sideband_positions_ppm",
    "simulate_cpmg",
    "clear_caches",
]


# --------------------------------------------------------------------------------------
# The site record
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One crystallographic or chemical site of a powder.

    Parameters
    ----------
    nucleus : str
        Isotope label, e.g. ``"113Cd"`` (canonicalised on creation).
    iso_ppm : float
        Isotropic chemical shift δiso, ppm.
    aniso_ppm : float
        Haeberlen anisotropy δaniso = δzz − δiso, ppm (signed; 0 for no CSA).
    eta : float
        CSA asymmetry η, 0 … 1.
    fwhm_hz : float
        Full width at half maximum of the Gaussian (inhomogeneous) broadening, Hz.
    lorentz_hz : float
        FWHM of an additional Lorentzian (homogeneous, 1/πT2) broadening, Hz.
    weight : float
        Integrated intensity of the site (all sidebands, all transitions together).
    cq_mhz : float
        Quadrupolar coupling constant C_Q = e²qQ/h, MHz (quadrupolar nuclei only).
    eta_q : float
        Quadrupolar asymmetry, 0 … 1.
    """

    nucleus: str
    iso_ppm: float
    aniso_ppm: float = 0.0
    eta: float = 0.0
    fwhm_hz: float = 0.0
    lorentz_hz: float = 0.0
    weight: float = 1.0
    cq_mhz: float = 0.0
    eta_q: float = 0.0

    def __post_init__(self):
        nuc = nuclei.get(self.nucleus)
        object.__setattr__(self, "nucleus", nuc.label)
        for name in ("iso_ppm", "aniso_ppm", "eta", "fwhm_hz", "lorentz_hz", "weight",
                     "cq_mhz", "eta_q"):
            value = getattr(self, name)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ModelParameterError(
                    f"Site {name} must be a number, got {value!r}."
                ) from None
            if not math.isfinite(value):
                raise ModelParameterError(f"Site {name} must be finite, got {value}.")
            object.__setattr__(self, name, value)
        if not 0.0 <= self.eta <= 1.0:
            raise ModelParameterError(
                f"CSA asymmetry eta must lie between 0 and 1, got {self.eta}. If your "
                "tensor gives eta > 1 its principal values are not in Haeberlen order; "
                "convert them with haeberlen_from_mehring()."
            )
        if not 0.0 <= self.eta_q <= 1.0:
            raise ModelParameterError(f"eta_q must lie between 0 and 1, got {self.eta_q}.")
        if self.fwhm_hz < 0 or self.lorentz_hz < 0:
            raise ModelParameterError("Line widths fwhm_hz and lorentz_hz cannot be negative.")
        if self.cq_mhz != 0.0 and not nuc.is_quadrupolar:
            raise ModelParameterError(
                f"{nuc.label} has spin {nuc.spin}: it has no quadrupole moment, so cq_mhz "
                "must be 0."
            )

    def replace(self, **changes) -> "Site":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary; :meth:`from_dict` reverses it."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Site":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ModelParameterError(
                f"Unknown Site field(s) {sorted(unknown)}; expected some of {sorted(known)}."
            )
        return cls(**data)

    @classmethod
    def from_principal(cls, nucleus: str, d11: float, d22: float, d33: float, **kwargs) -> "Site":
        """Site from principal components δ11, δ22, δ33 (ppm, any order); see
        :func:`haeberlen_from_mehring`. Other fields (``fwhm_hz`` …) as keywords."""
        iso, aniso, eta = haeberlen_from_mehring(d11, d22, d33)
        return cls(nucleus, iso, aniso, eta, **kwargs)

    @classmethod
    def from_herzfeld_berger(cls, nucleus: str, iso_ppm: float, span_ppm: float, skew: float,
                             **kwargs) -> "Site":
        """Site from δiso, span Ω and skew κ; see :func:`haeberlen_from_herzfeld_berger`."""
        iso, aniso, eta = haeberlen_from_herzfeld_berger(iso_ppm, span_ppm, skew)
        return cls(nucleus, iso, aniso, eta, **kwargs)

    @property
    def is_quadrupolar(self) -> bool:
        """True when the quadrupolar coupling shapes the spectrum (C_Q ≠ 0)."""
        return self.cq_mhz != 0.0


# --------------------------------------------------------------------------------------
# Tensor conventions
# --------------------------------------------------------------------------------------


def haeberlen_from_mehring(d11: float, d22: float, d33: float) -> tuple[float, float, float]:
    """(δiso, δaniso, η) from principal components in any order (Mehring: δ11 ≥ δ22 ≥ δ33).

    δzz is the component furthest from δiso; δaniso = δzz − δiso; η = (δyy − δxx)/δaniso with
    |δxx − δiso| ≥ |δyy − δiso| (Haeberlen 1976; IUPAC, Harris et al. 2008).
    """
    comps = np.array([d11, d22, d33], dtype=float)
    iso = comps.mean()
    order = np.argsort(np.abs(comps - iso), kind="stable")
    dyy, dxx, dzz = comps[order]
    aniso = dzz - iso
    eta = 0.0 if aniso == 0 else (dyy - dxx) / aniso
    return float(iso), float(aniso), float(min(max(eta, 0.0), 1.0))


def mehring_from_haeberlen(iso_ppm: float, aniso_ppm: float, eta: float):
    """Principal components (δ11, δ22, δ33), δ11 ≥ δ22 ≥ δ33, from Haeberlen parameters."""
    dzz = iso_ppm + aniso_ppm
    dxx = iso_ppm - aniso_ppm * (1.0 + eta) / 2.0
    dyy = iso_ppm - aniso_ppm * (1.0 - eta) / 2.0
    return tuple(float(v) for v in sorted((dzz, dxx, dyy), reverse=True))


def haeberlen_from_herzfeld_berger(iso_ppm: float, span_ppm: float, skew: float):
    """(δiso, δaniso, η) from Herzfeld–Berger span Ω = δ11 − δ33 ≥ 0 and skew κ ∈ [−1, 1].

    κ = 3(δ22 − δiso)/Ω (Herzfeld & Berger, J. Chem. Phys. 73, 6021 (1980); Mason 1993).
    """
    if span_ppm < 0 or not -1.0 <= skew <= 1.0:
        raise ModelParameterError(
            f"Span must be ≥ 0 and skew within [−1, 1]; got span={span_ppm}, skew={skew}."
        )
    d22 = iso_ppm + skew * span_ppm / 3.0
    # δ11 + δ33 = 3 δiso − δ22 and δ11 − δ33 = Ω
    total = 3.0 * iso_ppm - d22
    d11 = (total + span_ppm) / 2.0
    d33 = (total - span_ppm) / 2.0
    return haeberlen_from_mehring(d11, d22, d33)


def herzfeld_berger_from_haeberlen(iso_ppm: float, aniso_ppm: float, eta: float):
    """(δiso, span Ω, skew κ) from Haeberlen parameters."""
    d11, d22, d33 = mehring_from_haeberlen(iso_ppm, aniso_ppm, eta)
    span = d11 - d33
    skew = 0.0 if span == 0 else 3.0 * (d22 - iso_ppm) / span
    return float(iso_ppm), float(span), float(min(max(skew, -1.0), 1.0))


# --------------------------------------------------------------------------------------
# Spin-1/2 CSA: sideband intensities (Maricq–Waugh / Herzfeld–Berger)
# --------------------------------------------------------------------------------------

_MAGIC_COS = 1.0 / math.sqrt(3.0)
_MAGIC_SIN = math.sqrt(2.0 / 3.0)


def _rotor_harmonics(alpha: np.ndarray, beta: np.ndarray, tensor_diag) -> np.ndarray:
    """Fourier coefficients (a1, b1, a2, b2) of ν(φ)/δaniso for crystallites (α, β).

    The lab z axis seen from the rotor is n(φ) = (s cos φ, s sin φ, c) with s, c the sine
    and cosine of the magic angle, so ν/δ = nᵀ T n = a1 cos φ + b1 sin φ + a2 cos 2φ +
    b2 sin 2φ with a1 = 2sc T_xz, b1 = 2sc T_yz, a2 = s²(T_xx − T_yy)/2, b2 = s² T_xy, and
    the constant term (Tr T)/3 vanishes for a traceless tensor. T is the PAS tensor rotated
    by Rz(α) then Ry(β); the third Euler angle (about the rotor axis) is averaged exactly
    by taking |sideband amplitude|² (Herzfeld & Berger 1980).
    """
    ca, sa, cb, sb = np.cos(alpha), np.sin(alpha), np.cos(beta), np.sin(beta)
    txx_p, tyy_p, tzz_p = tensor_diag
    # R = Ry(β) Rz(α); T_R = R diag R^T; only the entries we need.
    # Rz(α) columns: x' = (ca, sa, 0), y' = (-sa, ca, 0); then Ry(β) maps (x, y, z) ->
    # (cb x + sb z, y, -sb x + cb z).
    ex = np.stack([cb * ca, sa, -sb * ca])  # PAS x axis in the rotor frame
    ey = np.stack([-cb * sa, ca, sb * sa])  # PAS y axis
    ez = np.stack([sb, np.zeros_like(sb), cb])  # PAS z axis

    def t(i, j):
        return txx_p * ex[i] * ex[j] + tyy_p * ey[i] * ey[j] + tzz_p * ez[i] * ez[j]

    s, c = _MAGIC_SIN, _MAGIC_COS
    return np.stack([2 * s * c * t(0, 2), 2 * s * c * t(1, 2),
                     0.5 * s * s * (t(0, 0) - t(1, 1)), s * s * t(0, 1)], axis=-1)


@lru_cache(maxsize=64)
def _harmonics(scheme: str, density: int):
    """Rotor harmonics of every orientation for the η-free part H0 and the η part H1."""
    alpha, beta, weight = orientations(scheme, density)
    h0 = _rotor_harmonics(alpha, beta, (-0.5, -0.5, 1.0))
    h1 = _rotor_harmonics(alpha, beta, (-0.5, 0.5, 0.0))
    for arr in (h0, h1):
        arr.setflags(write=False)
    return h0, h1, weight


@lru_cache(maxsize=32)
def _phase_basis(n_time: int) -> np.ndarray:
    """Rows turning (a1, b1, a2, b2) into the rotor phase at n_time points of a period.

    Φ(φ) = (δaniso ν_ref/ν_r)·[a1 sin φ − b1 cos φ + (a2 sin 2φ − b2 cos 2φ)/2], the
    integral of ν over the rotor phase φ, in radians.
    """
    phi = 2.0 * np.pi * np.arange(n_time) / n_time
    basis = np.stack([np.sin(phi), -np.cos(phi), 0.5 * np.sin(2 * phi), -0.5 * np.cos(2 * phi)])
    basis = basis.astype(np.float32)
    basis.setflags(write=False)
    return basis


def _auto_resolution(ratio: float) -> tuple[int, int]:
    """(time points per rotor period, orientation density) for |δaniso·ν_ref/ν_r| = ratio.

    Sidebands reach orders ≈ ±ratio, so 2.5·ratio plus a margin of points per period
    avoids aliasing. The Gauss product grid converges spectrally once its density exceeds
    about ratio + 12; with density 1.2·ratio + 12 the largest error against a 1.5× denser
    grid is ≲ 1e-7 of the tallest sideband up to ratio 10, 1e-6 at 20, 1e-4 at 40 and
    2–4e-3 at 80–150. The density is capped at 192; with the line broadening of a real
    spectrum that still matches mrsimulator to ≤ 0.1 % of the tallest peak at ratio 335.
    """
    n_time = 16
    while n_time < 2.5 * ratio + 24:
        n_time *= 2
    density = int(min(192, math.ceil(1.2 * ratio + 12)))
    density += density % 2
    return n_time, density


_CHUNK_ELEMENTS = 1 << 20


@lru_cache(maxsize=4096)
def _sideband_intensities_cached(ratio: float, eta: float, scheme: str, density: int,
                                 n_time: int):
    h0, h1, weight = _harmonics(scheme, density)
    coeff = (ratio * (h0 + eta * h1)).astype(np.float32)
    basis = _phase_basis(n_time)
    power = np.zeros(n_time)
    rows = max(1, _CHUNK_ELEMENTS // n_time)
    for lo in range(0, coeff.shape[0], rows):
        phase = coeff[lo:lo + rows] @ basis
        signal = np.cos(phase) + 1j * np.sin(phase)
        amp = sfft.fft(signal.astype(np.complex64), axis=1, workers=1)
        power += weight[lo:lo + rows] @ (amp.real**2 + amp.imag**2)
    power /= n_time * n_time
    order = np.fft.fftfreq(n_time, 1.0 / n_time).astype(int)
    keep = power > 1e-9 * power.max()
    idx = np.argsort(order[keep])
    out_order, out_power = order[keep][idx], power[keep][idx]
    out_power /= out_power.sum()
    out_order.setflags(write=False)
    out_power.setflags(write=False)
    return out_order, out_power


#: Above this |δaniso·ν_ref/ν_r| sideband intensities are taken from the static pattern.
QUASI_STATIC_RATIO = 400.0


@lru_cache(maxsize=256)
def _quasi_static_intensities(ratio: float, eta: float):
    """Slow-spinning limit: sideband k carries the static pattern between (k ± ½)·ν_r.

    Used only for |ratio| > QUASI_STATIC_RATIO (hundreds of sidebands: satellite
    transitions of nuclei with MHz quadrupole couplings, or very slow spinning), where the
    exact average would take tens of seconds. It is an approximation: the centre band and
    the sidebands near the pattern's horns keep extra intensity at any finite rate (at
    ratio 167 this envelope is off by ~70 % of the tallest peak where the exact average
    agrees with mrsimulator to 0.1 %), so satellites drawn this way are indicative only.
    """
    kmax = int(math.ceil(1.05 * abs(ratio))) + 2
    order = np.arange(-kmax, kmax + 1)
    edges = np.concatenate([order - 0.5, [kmax + 0.5]]) / ratio
    cdf = _static_cdf(edges, eta)
    power = np.abs(np.diff(cdf))
    keep = power > 1e-12
    order, power = order[keep], power[keep] / power[keep].sum()
    order.setflags(write=False)
    power.setflags(write=False)
    return order, power


_CENTRE_ONLY = (np.zeros(1, dtype=int), np.ones(1))
for _a in _CENTRE_ONLY:
    _a.setflags(write=False)


def sideband_intensities(ratio: float, eta: float, *, scheme: str = "gauss",
                         density: int | None = None, n_time: int | None = None):
    """Powder-averaged spinning-sideband intensities of a spin-1/2 CSA.

    For each crystallite the rotor-modulated phase Φ(t) (Maricq & Waugh, J. Chem. Phys.
    70, 3300 (1979)) makes the signal a Fourier series in the spinning frequency; the
    intensity of order k, averaged over the third Euler angle, is |F_k|² with F_k the k-th
    Fourier coefficient of exp(iΦ) (Herzfeld & Berger, J. Chem. Phys. 73, 6021 (1980)).
    The powder average over the other two angles uses :func:`qdkit.powder.orientations`.

    Parameters
    ----------
    ratio : float
        δaniso·ν_ref/ν_r: the anisotropy in Hz (ppm × reference MHz) over the spinning
        rate, signed. Beyond ``QUASI_STATIC_RATIO`` (400, i.e. hundreds of sidebands) the
        intensities come from an approximate static envelope unless ``density``/``n_time``
        are given; up to it the average is exact (≈ 1–4 s near the limit).
    eta : float
        Asymmetry η.
    scheme, density, n_time
        Orientation set, its density and time points per rotor period (chosen from
        ``ratio`` when ``None``).

    Returns
    -------
    order : ndarray of int
        Sideband orders k (0 = centre band), ascending.
    intensity : ndarray
        Their intensities, summing to 1. Cached: repeated calls cost nothing.
    """
    ratio = float(ratio)
    if ratio == 0.0:
        return _CENTRE_ONLY
    if abs(ratio) > QUASI_STATIC_RATIO and density is None and n_time is None:
        return _quasi_static_intensities(ratio, float(eta))
    auto_time, auto_density = _auto_resolution(abs(ratio))
    return _sideband_intensities_cached(ratio, float(eta), scheme, density or auto_density,
                                        n_time or auto_time)


# --------------------------------------------------------------------------------------
# Static powder pattern
# --------------------------------------------------------------------------------------

_STATIC_N_PSI = 2048


@lru_cache(maxsize=8)
def _static_psi(n_psi: int) -> np.ndarray:
    return np.cos(np.pi * (np.arange(n_psi) + 0.5) / n_psi)


def _static_cdf(reduced: np.ndarray, eta: float) -> np.ndarray:
    """Fraction of crystallites with (δ − δiso)/δaniso ≤ ``reduced`` (static CSA powder).

    With u = cos β and ψ = 2α, x = P2(u) − (η/2)(1 − u²) cos ψ = A u² + B, A = (3 + η cos ψ)/2
    > 0, B = −(1 + η cos ψ)/2; for fixed ψ the fraction with x ≤ e is exactly
    √((e − B)/A) clipped to [0, 1]. The average over ψ uses a midpoint rule; the result is
    an exact-in-β, continuous cumulative distribution (no histogram noise).
    """
    cos_psi = _static_psi(_STATIC_N_PSI)
    a = (3.0 + eta * cos_psi) / 2.0
    b = -(1.0 + eta * cos_psi) / 2.0
    reduced = np.asarray(reduced, dtype=float)
    out = np.empty(reduced.size)
    for lo in range(0, reduced.size, 512):  # bounded memory for long axes
        frac = (reduced[lo:lo + 512, None] - b[None, :]) / a[None, :]
        out[lo:lo + 512] = np.sqrt(np.clip(frac, 0.0, 1.0)).mean(axis=1)
    return out


def static_pattern(iso_ppm: float, aniso_ppm: float, eta: float, ppm_edges: np.ndarray):
    """Fraction of a static CSA powder pattern in each bin between consecutive ``ppm_edges``.

    The static (Bloembergen–Rowland) pattern: a crystallite at (α, β) resonates at
    δiso + δaniso[P2(cos β) − (η/2) sin²β cos 2α] (Haeberlen convention).
    """
    edges = np.asarray(ppm_edges, dtype=float)
    if aniso_ppm == 0.0:
        cdf = (edges >= iso_ppm).astype(float)
    else:
        cdf = _static_cdf((edges - iso_ppm) / aniso_ppm, float(eta))
        if aniso_ppm < 0:
            cdf = 1.0 - cdf
    return np.abs(np.diff(cdf))


# --------------------------------------------------------------------------------------
# Axis handling and broadening
# --------------------------------------------------------------------------------------


def _axis(ppm) -> tuple[float, float, int]:
    ppm = np.asarray(ppm, dtype=float)
    if ppm.ndim != 1 or ppm.size < 2:
        raise ModelParameterError("The ppm axis must be a 1-D array of at least 2 points.")
    step = (ppm[-1] - ppm[0]) / (ppm.size - 1)
    if step == 0 or not np.allclose(np.diff(ppm), step, rtol=1e-6, atol=1e-9 * abs(step)):
        raise ModelParameterError(
            "The ppm axis must be evenly spaced (e.g. np.linspace(high, low, n) or a "
            "processed spectrum's .ppm); resample it first."
        )
    return float(ppm[0]), float(step), int(ppm.size)


def _padded_size(n_points: int) -> int:
    return sfft.next_fast_len(3 * n_points, real=True)


@lru_cache(maxsize=256)
def _line_transform(nfft: int, gauss_pts: float, lorentz_pts: float) -> np.ndarray:
    """Fourier transform of a unit-area Voigt line (FWHMs in points) on the rfft grid.

    A Gaussian of FWHM g and a Lorentzian of FWHM Γ transform to
    exp(−2π²σ²f² − πΓ|f|) with σ = g/(2√(2 ln 2)) — the apodisation of the FID that
    produces the line (mrsimulator and TopSpin broaden the same way).
    """
    f = np.arange(nfft // 2 + 1) / nfft
    sigma = gauss_pts / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    out = np.exp(-2.0 * (math.pi * sigma * f) ** 2 - math.pi * lorentz_pts * f)
    out.setflags(write=False)
    return out


def _is_narrow(gauss_pts: float, lorentz_pts: float) -> bool:
    """Lines narrower than about a point cannot be sampled; they become sticks."""
    return gauss_pts < 1.2 and lorentz_pts < 0.5


def _sticks_on_axis(positions_pts, intensities, n: int) -> np.ndarray:
    """Spread sticks at fractional point positions over the three nearest points.

    Quadratic (three-point Lagrange) weights keep each stick's area, centre and second
    moment. Used only for lines narrower than a point.
    """
    i0 = np.rint(positions_pts).astype(int)
    d = positions_pts - i0
    w = np.concatenate([intensities * d * (d - 1) / 2, intensities * (1 - d * d),
                        intensities * d * (d + 1) / 2])
    idx = np.concatenate([i0 - 1, i0, i0 + 1]) + 1
    ok = (idx >= 1) & (idx <= n)
    out = np.bincount(idx[ok], weights=w[ok], minlength=n + 2)
    return out[1:n + 1]


def _broadened_sticks(first_pts: float, spacing_pts: float, intensities: np.ndarray, n: int,
                      gauss_pts: float, lorentz_pts: float) -> np.ndarray:
    """Sticks at first + j·spacing (points) broadened exactly, sampled at points 0…n−1.

    The line shapes are summed in the Fourier domain, where a stick at p is
    exp(−2πi f p); equally spaced sidebands make that a polynomial in
    z = exp(−2πi f·spacing), evaluated by Horner's rule. Each line is thus placed at its
    exact, sub-point position with its true width; the padded transform (3n points) keeps
    wrap-around of far tails out of the window. Sticks more than n points outside the
    window are dropped.
    """
    pos = first_pts + spacing_pts * np.arange(intensities.size)
    inten = np.where((pos > -n) & (pos < 2 * n), intensities, 0.0)
    if _is_narrow(gauss_pts, lorentz_pts):
        return _sticks_on_axis(pos[inten != 0], inten[inten != 0], n)
    nfft = _padded_size(n)
    nz = np.flatnonzero(inten)
    if nz.size == 0:
        return np.zeros(n)
    inten = inten[nz[0]: nz[-1] + 1]
    first = first_pts + spacing_pts * nz[0]
    f = np.arange(nfft // 2 + 1) / nfft
    z = np.exp(-2j * np.pi * spacing_pts * f)
    acc = np.full(f.size, inten[-1], dtype=complex)
    for value in inten[-2::-1]:
        acc *= z
        acc += value
    acc *= np.exp(-2j * np.pi * first * f)
    acc *= _line_transform(nfft, gauss_pts, lorentz_pts)
    return sfft.irfft(acc, nfft)[:n]


def _broadened_bins(bins: np.ndarray, gauss_pts: float, lorentz_pts: float) -> np.ndarray:
    """Per-point fractions (e.g. a static pattern) convolved with the Voigt line."""
    if gauss_pts == 0 and lorentz_pts == 0:
        return bins
    n = bins.size
    nfft = _padded_size(n)
    spec = sfft.rfft(bins, nfft) * _line_transform(nfft, gauss_pts, lorentz_pts)
    return sfft.irfft(spec, nfft)[:n]


def sideband_positions_ppm(iso_ppm: float, order, mas_hz: float, reference_mhz: float):
    """δiso + k·ν_r/ν_ref: where order-k sidebands fall on a ppm axis (any sign of γ)."""
    return iso_ppm + np.asarray(order) * mas_hz / reference_mhz


# --------------------------------------------------------------------------------------
# Per-site shapes and the spectrum
# --------------------------------------------------------------------------------------

_SHAPE_CACHE: "OrderedDict[tuple, np.ndarray]" = OrderedDict()
_SHAPE_CACHE_SIZE = 512
# widgets may call from a comm thread while a notebook cell runs
_SHAPE_LOCK = threading.Lock()


def clear_caches() -> None:
    """Forget every cached sideband set, kernel and site shape (for benchmarks)."""
    with _SHAPE_LOCK:
        _SHAPE_CACHE.clear()
    _sideband_intensities_cached.cache_clear()
    _line_transform.cache_clear()


def _site_shape(site: Site, field_T: float, mas_hz: float, start: float, step: float, n: int,
                scheme: str, density: int | None, transitions: str = "all") -> np.ndarray:
    """Unit-weight shape of one site on the axis (intensity per ppm), cached."""
    key = (site.nucleus, site.iso_ppm, site.aniso_ppm, site.eta, site.fwhm_hz,
           site.lorentz_hz, site.cq_mhz, site.eta_q, field_T, mas_hz, start, step, n,
           scheme, density, transitions if site.is_quadrupolar else "all")
    with _SHAPE_LOCK:
        hit = _SHAPE_CACHE.get(key)
        if hit is not None:
            _SHAPE_CACHE.move_to_end(key)
            return hit
    ref_mhz = nuclei.get(site.nucleus).reference_mhz(field_T)
    h = abs(step)
    gauss_pts, lorentz_pts = site.fwhm_hz / ref_mhz / h, site.lorentz_hz / ref_mhz / h
    if site.is_quadrupolar:
        from .quadrupolar import quadrupolar_bins

        bins = quadrupolar_bins(site, field_T, mas_hz, start, step, n, transitions=transitions)
        shape = _broadened_bins(bins, gauss_pts, lorentz_pts)
    elif mas_hz == 0.0:
        edges = start + step * (np.arange(n + 1) - 0.5)
        bins = static_pattern(site.iso_ppm, site.aniso_ppm, site.eta, edges)
        shape = _broadened_bins(bins, gauss_pts, lorentz_pts)
    elif (abs(site.aniso_ppm * ref_mhz / mas_hz) > QUASI_STATIC_RATIO
          and mas_hz / ref_mhz < h):
        # Sidebands closer together than one point of the axis, in the quasi-static regime:
        # the envelope sideband_intensities would return, summed on this axis, is the
        # binned static pattern itself - and costs O(n) instead of O(δaniso/ν_r), which
        # for a rate typed in as 0.001 Hz would be billions of sidebands.
        edges = start + step * (np.arange(n + 1) - 0.5)
        bins = static_pattern(site.iso_ppm, site.aniso_ppm, site.eta, edges)
        shape = _broadened_bins(bins, gauss_pts, lorentz_pts)
    else:
        ratio = site.aniso_ppm * ref_mhz / mas_hz
        order, inten = sideband_intensities(ratio, site.eta, scheme=scheme, density=density)
        first = (sideband_positions_ppm(site.iso_ppm, order[0], mas_hz, ref_mhz) - start) / step
        # orders are consecutive integers, so the sticks are evenly spaced
        spacing = mas_hz / ref_mhz / step
        full = np.zeros(order[-1] - order[0] + 1)
        full[order - order[0]] = inten
        shape = _broadened_sticks(first, spacing, full, n, gauss_pts, lorentz_pts)
    shape = shape / h
    shape.setflags(write=False)
    with _SHAPE_LOCK:
        _SHAPE_CACHE[key] = shape
        if len(_SHAPE_CACHE) > _SHAPE_CACHE_SIZE:
            _SHAPE_CACHE.popitem(last=False)
    return shape


def _check_conditions(field_T: float, mas_hz: float) -> None:
    if not field_T > 0:
        raise ModelParameterError(f"field_T must be positive, got {field_T}.")
    if mas_hz < 0:
        raise ModelParameterError(
            f"mas_hz must be ≥ 0 (0 means a static sample), got {mas_hz}."
        )


def site_spectra(sites: Iterable[Site], field_T: float, mas_hz: float, ppm, *,
                 scheme: str = "gauss", density: int | None = None,
                 transitions: str = "all") -> np.ndarray:
    """Unit-weight spectrum of every site on the axis, shape ``(n_sites, n_points)``.

    Row i is what ``mas_spectrum([sites[i].replace(weight=1)], ...)`` returns, so
    ``weights @ site_spectra(...)`` is the spectrum for any new weights: the way to
    recombine when only amplitudes change (contact time, pore size, loading). Rows are
    cached per (site without weight, field, rate, axis); the returned array is new.
    """
    sites = list(sites)
    _check_conditions(field_T, mas_hz)
    start, step, n = _axis(ppm)
    rows = np.empty((len(sites), n))
    for i, site in enumerate(sites):
        if not isinstance(site, Site):
            raise ModelParameterError(f"Expected qdkit.mas.Site objects, got {type(site).__name__}.")
        rows[i] = _site_shape(site, float(field_T), float(mas_hz), start, step, n, scheme,
                              density, transitions)
    return rows


def mas_spectrum(sites: Sequence[Site] | Site, field_T: float, mas_hz: float, ppm, *,
                 scheme: str = "gauss", density: int | None = None,
                 transitions: str = "all") -> np.ndarray:
    """Spectrum of a powder of ``sites`` spinning at ``mas_hz`` on the ppm axis ``ppm``.

    Spin-1/2 sites: centre band and spinning sidebands of the CSA powder average
    (Maricq–Waugh / Herzfeld–Berger, see :func:`sideband_intensities`), each a
    stick at δiso + k·ν_r/ν_ref broadened by a Gaussian of ``fwhm_hz`` convolved with a
    Lorentzian of ``lorentz_hz``. ``mas_hz = 0`` gives the static powder pattern
    (:func:`static_pattern`). Quadrupolar sites with C_Q ≠ 0 go through
    :mod:`qdkit.quadrupolar`.

    Parameters
    ----------
    sites : Site or sequence of Site
    field_T : float
        Magnetic field, T.
    mas_hz : float
        Spinning rate, Hz (0 = static).
    ppm : array
        Evenly spaced chemical-shift axis (either direction).
    scheme, density
        Powder orientation set (:func:`qdkit.powder.orientations`); default adapts the
        density to the number of sidebands.
    transitions : ``"all"`` or ``"central"``
        Quadrupolar sites: every transition with non-selective pulse intensities, or the
        central transition alone (selective pulse), carrying the whole weight.

    Returns
    -------
    ndarray
        Intensity per ppm; ``y.sum() * abs(ppm[1] - ppm[0])`` equals the sum of the site
        weights (minus any part outside the axis).

    Examples
    --------
    >>> import numpy as np
    >>> ppm = np.linspace(400, -1000, 4096)
    >>> y = mas_spectrum([Site("113Cd", -317, 416, 0.3, 4000), Site("113Cd", -20, 0, 0, 4000)],
    ...                  field_T=9.4, mas_hz=10_000, ppm=ppm)
    >>> round(float(y.sum() * abs(ppm[1] - ppm[0])), 2)
    2.0
    """
    if isinstance(sites, Site):
        sites = [sites]
    rows = site_spectra(sites, field_T, mas_hz, ppm, scheme=scheme, density=density,
                        transitions=transitions)
    weights = np.fromiter((s.weight for s in sites), float, len(sites))
    return weights @ rows


# --------------------------------------------------------------------------------------
# CPMG spikelets
# --------------------------------------------------------------------------------------


def simulate_cpmg(sites: Sequence[Site] | Site, field_T: float, mas_hz: float, *,
                  sw_hz: float, n_echoes: int, echo_period_us: float, t2_ms: float,
                  points_per_echo: int | None = None, offset_ppm: float = 0.0,
                  noise_rms: float = 0.0, seed: int | None = None):
    """Synthetic CPMG echo train of a powder, as a :class:`qdkit.dataset.Dataset`.

    The lineshape from :func:`mas_spectrum` is turned into one full echo (its continuous
    Fourier transform, top in the middle of each echo window, truncated by the window as
    in a real acquisition), repeated ``n_echoes`` times every ``echo_period_us`` and
    multiplied by exp(−t/T2). Fourier transforming the whole train gives spikelets spaced by
    1/echo_period (Larsen et al., J. Phys. Chem. A 101, 8597 (1997)); co-adding the echoes
    gives back the lineshape. The dataset's metadata say it is synthetic.

    Parameters
    ----------
    sw_hz : float
        Spectral width (dwell = 1/sw_hz).
    n_echoes, echo_period_us
        Number of echoes and the time between echo tops.
    t2_ms : float
        Transverse relaxation time of the echo envelope.
    points_per_echo : int, optional
        Points per echo window (default round(echo_period · sw)); must not exceed it.
    offset_ppm : float
        ppm of the carrier (centre of the spectral window).
    noise_rms : float
        Standard deviation of complex Gaussian noise added to each point.
    """
    from .dataset import Dataset, Meta

    if isinstance(sites, Site):
        sites = [sites]
    sites = list(sites)
    if not sites:
        raise ModelParameterError("simulate_cpmg needs at least one Site.")
    if n_echoes < 1 or echo_period_us <= 0 or sw_hz <= 0 or t2_ms <= 0:
        raise ModelParameterError(
            "n_echoes ≥ 1, and positive echo_period_us, sw_hz and t2_ms are required."
        )
    nuc = nuclei.get(sites[0].nucleus)
    if any(nuclei.get(s.nucleus) != nuc for s in sites):
        raise ModelParameterError("All sites of one CPMG train must be the same nucleus.")
    ref_mhz = nuc.reference_mhz(field_T)
    period_pts = echo_period_us * 1e-6 * sw_hz
    n_echo = int(points_per_echo or round(period_pts))
    if n_echo < 4 or n_echo > round(period_pts) + 1e-9:
        raise ModelParameterError(
            f"points_per_echo={n_echo} must be between 4 and echo_period·sw = {period_pts:.1f}."
        )
    # The echo is the continuous Fourier transform of the lineshape, sampled every dwell
    # for |τ| up to half a window around its top: compute the lineshape on a fine axis
    # across the spectral width (spacing sw/n_fine) so that its inverse FFT gives samples
    # at τ = k/sw without wrap-around.
    n_fine = 1 << max(12, int(np.ceil(np.log2(8 * n_echo))))
    hz = (np.arange(n_fine) - n_fine // 2) * sw_hz / n_fine
    line = mas_spectrum(sites, field_T, mas_hz, offset_ppm + hz / ref_mhz)
    # a line at offset ν turns as exp(+2πiντ) (qdkit.processing.ft convention)
    signal = np.fft.ifft(np.fft.ifftshift(line)) * n_fine
    k = np.arange(n_echo) - n_echo // 2
    echo = signal[k % n_fine]
    echo = echo / max(abs(echo).max(), 1e-300) * n_echo
    gap = int(round(period_pts)) - n_echo
    total = n_echoes * (n_echo + gap)
    data = np.zeros(total, dtype=complex)
    t_s = np.arange(total) / sw_hz
    for j in range(n_echoes):
        start = j * (n_echo + gap)
        data[start:start + n_echo] = echo
    data *= np.exp(-t_s / (t2_ms * 1e-3))
    if noise_rms > 0:
        rng = np.random.default_rng(seed)
        data += noise_rms * (rng.standard_normal(total) + 1j * rng.standard_normal(total)) / np.sqrt(2)
    meta = Meta(
        nucleus=nuc.label, field_T=float(field_T), larmor_mhz=ref_mhz * (1 + offset_ppm * 1e-6),
        reference_mhz=ref_mhz, sw_hz=float(sw_hz), td=total, ns=1, mas_hz=float(mas_hz),
        pulprog="cpmg (simulated)", title="synthetic CPMG echo train (qdkit.mas.simulate_cpmg)",
        cpmg_echoes=int(n_echoes), cpmg_period_us=float(echo_period_us), o1_hz=offset_ppm * ref_mhz,
        group_delay_pts=0.0, vendor="qdkit-synthetic", source="synthetic",
        extra={"synthetic": True, "t2_ms": float(t2_ms), "points_per_echo": n_echo,
               "sites": [s.to_dict() for s in sites]},
    )
    return Dataset(data=data, meta=meta)

