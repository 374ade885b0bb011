"""Putting sticks and bins on a ppm axis with Gaussian/Lorentzian (Voigt) broadening.

Shared by the spin-1/2 and quadrupolar engines; works on the FFT of the line shape.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import scipy.fft as sfft

from qdkit.errors import ModelParameterError

__all__ = [
    "axis_grid",
    "line_transform",
    "sticks_on_axis",
    "broadened_sticks",
    "broadened_bins",
]


def axis_grid(ppm) -> tuple[float, float, int]:
    """(first value, step, size) of an evenly spaced ppm axis.

    Parameters
    ----------
    ppm : array
        1-D chemical-shift axis, ppm, evenly spaced in either direction.

    Returns
    -------
    start, step : float
        First point and signed spacing, ppm.
    n : int
        Number of points.

    Raises
    ------
    ModelParameterError
        The axis is not 1-D with at least 2 points, or is not evenly spaced.
    """
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
def line_transform(nfft: int, gauss_pts: float, lorentz_pts: float) -> np.ndarray:
    """Fourier transform of a unit-area Voigt line (FWHMs in points) on the rfft grid.

    A Gaussian of FWHM g and a Lorentzian of FWHM Γ transform to
    exp(−2π²σ²f² − πΓ|f|) with σ = g/(2√(2 ln 2)) — the apodisation of the FID that
    produces the line (mrsimulator and TopSpin broaden the same way).

    Parameters
    ----------
    nfft : int
        Length of the (padded) real FFT.
    gauss_pts, lorentz_pts : float
        Gaussian and Lorentzian FWHM, in axis points.

    Returns
    -------
    ndarray
        The transform at the ``nfft // 2 + 1`` rfft frequencies (read-only, cached).
    """
    f = np.arange(nfft // 2 + 1) / nfft
    sigma = gauss_pts / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    out = np.exp(-2.0 * (math.pi * sigma * f) ** 2 - math.pi * lorentz_pts * f)
    out.setflags(write=False)
    return out


def _is_narrow(gauss_pts: float, lorentz_pts: float) -> bool:
    """Lines narrower than about a point cannot be sampled; they become sticks."""
    return gauss_pts < 1.2 and lorentz_pts < 0.5


def sticks_on_axis(positions_pts, intensities, n: int) -> np.ndarray:
    """Spread sticks at fractional point positions over the three nearest points.

    Quadratic (three-point Lagrange) weights keep each stick's area, centre and second
    moment. Used only for lines narrower than a point.

    Parameters
    ----------
    positions_pts : ndarray
        Stick positions, in (fractional) axis points.
    intensities : ndarray
        Stick intensities (areas), same length.
    n : int
        Number of axis points.

    Returns
    -------
    ndarray
        Intensity at points 0 … n−1 (parts falling outside are dropped).
    """
    i0 = np.rint(positions_pts).astype(int)
    d = positions_pts - i0
    w = np.concatenate([intensities * d * (d - 1) / 2, intensities * (1 - d * d), intensities * d * (d + 1) / 2])
    idx = np.concatenate([i0 - 1, i0, i0 + 1]) + 1
    ok = (idx >= 1) & (idx <= n)
    out = np.bincount(idx[ok], weights=w[ok], minlength=n + 2)
    return out[1 : n + 1]


def broadened_sticks(
    first_pts: float, spacing_pts: float, intensities: np.ndarray, n: int, gauss_pts: float, lorentz_pts: float
) -> np.ndarray:
    """Sticks at first + j·spacing (points) broadened exactly, sampled at points 0…n−1.

    The line shapes are summed in the Fourier domain, where a stick at p is
    exp(−2πi f p); equally spaced sidebands make that a polynomial in
    z = exp(−2πi f·spacing), evaluated by Horner's rule. Each line is thus placed at its
    exact, sub-point position with its true width; the padded transform (3n points) keeps
    wrap-around of far tails out of the window. Sticks more than n points outside the
    window are dropped.

    Parameters
    ----------
    first_pts, spacing_pts : float
        Position of the first stick and the spacing, in (fractional) axis points.
    intensities : ndarray
        Areas of the sticks, one per position (zeros allowed).
    n : int
        Number of axis points.
    gauss_pts, lorentz_pts : float
        Gaussian and Lorentzian FWHM, in axis points; below about one point the sticks are
        spread with :func:`sticks_on_axis` instead.

    Returns
    -------
    ndarray
        Broadened intensity at points 0 … n−1 (per point; each line keeps its area).
    """
    pos = first_pts + spacing_pts * np.arange(intensities.size)
    inten = np.where((pos > -n) & (pos < 2 * n), intensities, 0.0)
    if _is_narrow(gauss_pts, lorentz_pts):
        return sticks_on_axis(pos[inten != 0], inten[inten != 0], n)
    nfft = _padded_size(n)
    nz = np.flatnonzero(inten)
    if nz.size == 0:
        return np.zeros(n)
    inten = inten[nz[0] : nz[-1] + 1]
    first = first_pts + spacing_pts * nz[0]
    f = np.arange(nfft // 2 + 1) / nfft
    z = np.exp(-2j * np.pi * spacing_pts * f)
    acc = np.full(f.size, inten[-1], dtype=complex)
    for value in inten[-2::-1]:
        acc *= z
        acc += value
    acc *= np.exp(-2j * np.pi * first * f)
    acc *= line_transform(nfft, gauss_pts, lorentz_pts)
    return sfft.irfft(acc, nfft)[:n]


def broadened_bins(bins: np.ndarray, gauss_pts: float, lorentz_pts: float) -> np.ndarray:
    """Per-point fractions (e.g. a static pattern) convolved with the Voigt line.

    Parameters
    ----------
    bins : ndarray
        Intensity in each axis point.
    gauss_pts, lorentz_pts : float
        Gaussian and Lorentzian FWHM, in axis points.

    Returns
    -------
    ndarray
        The convolved intensity, same size (``bins`` itself when both widths are 0).
    """
    if gauss_pts == 0 and lorentz_pts == 0:
        return bins
    n = bins.size
    nfft = _padded_size(n)
    spec = sfft.rfft(bins, nfft) * line_transform(nfft, gauss_pts, lorentz_pts)
    return sfft.irfft(spec, nfft)[:n]
