"""Measuring spectra: regions, integrals, the one noise estimate, S/N, peaks, agreement.

Every noise figure in qdkit (processing, ε, fits, 2D, explorers) comes from :func:`noise_rms`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from qdkit.dataset import Spectrum
from qdkit.errors import ProcessingError
from qdkit.processing.checks import require_spectrum

__all__ = [
    "noise_region_beside",
    "MAD_TO_SIGMA",
    "region_mask",
    "integrate",
    "integrate_regions",
    "noise_rms",
    "signal_to_noise",
    "snr_per_scan",
    "Peak",
    "pick_peaks",
    "correlation",
]


def region_mask(spec_or_ppm, region_ppm: Sequence[float], what: str, *, min_points: int = 1) -> np.ndarray:
    """Boolean mask of the points of a ppm axis (or a spectrum's) inside ``region_ppm``.

    Parameters
    ----------
    spec_or_ppm : Spectrum or array_like
        A spectrum, or its ppm axis.
    region_ppm : (float, float)
        The two ends of the region, in either order.
    what : str
        What the region is for, used in the error message ("Noise region").
    min_points : int
        Fewest points the region must hold.

    Returns
    -------
    numpy.ndarray
        ``True`` inside the region.

    Raises
    ------
    ProcessingError
        If the region is not a pair of numbers, lies outside the axis or holds too few points.
    """
    try:
        a, b = (float(v) for v in region_ppm)
    except (TypeError, ValueError) as exc:
        raise ProcessingError(
            f"{what} must be a pair of chemical shifts (ppm), e.g. (-250, -400); got {region_ppm!r}."
        ) from exc
    lo, hi = min(a, b), max(a, b)
    ppm = np.asarray(getattr(spec_or_ppm, "ppm", spec_or_ppm), dtype=float)
    pmin, pmax = float(ppm.min()), float(ppm.max())
    if hi < pmin or lo > pmax:
        raise ProcessingError(
            f"{what} {lo:g}…{hi:g} ppm lies outside the spectrum, which spans "
            f"{pmin:.4g}…{pmax:.4g} ppm. Choose a region inside the spectral window."
        )
    mask = (ppm >= lo) & (ppm <= hi)
    if mask.sum() < max(1, min_points):
        raise ProcessingError(
            f"{what} {lo:g}…{hi:g} ppm holds {int(mask.sum())} points, fewer than the {max(1, min_points)} "
            f"needed (point spacing {abs(ppm[1] - ppm[0]):.3g} ppm); widen it."
        )
    return mask


# ---------------------------------------------------------------------------------------
# Analysis (not steps)
# ---------------------------------------------------------------------------------------


def integrate(spec: Spectrum, region_ppm: Sequence[float]) -> float:
    """Integral of the real spectrum over a ppm region, in intensity × ppm (Σ y·abs(Δδ)).

    Parameters
    ----------
    spec : Spectrum
        A phased spectrum.
    region_ppm : (float, float)
        The two ends of the region, in either order.

    Returns
    -------
    float
    """
    spec = require_spectrum(spec, "integrate")
    mask = region_mask(spec, region_ppm, "Integration region")
    step_ppm = abs(float(spec.ppm[1] - spec.ppm[0]))
    return float(spec.data.real[..., mask].sum(axis=-1) * step_ppm)


def integrate_regions(spec: Spectrum, regions_ppm: Iterable[Sequence[float]]) -> list[float]:
    """:func:`integrate` over several regions.

    Parameters
    ----------
    spec : Spectrum
        A phased spectrum.
    regions_ppm : iterable of (float, float)
        The regions.

    Returns
    -------
    list of float
        One integral per region, in order.
    """
    return [integrate(spec, r) for r in regions_ppm]


#: Gaussian σ per unit median absolute deviation (1 / Φ⁻¹(3/4)).
MAD_TO_SIGMA = 1.482602218505602


def noise_rms(data, noise_ppm: Sequence[float] | None = None, *, ppm=None) -> float:
    """Noise standard deviation of a spectrum: the one estimate every part of qdkit uses.

    With ``noise_ppm`` (a signal-free stretch): a straight line is fitted there and removed
    (a tilted baseline is not noise), and σ is 1.4826 × the median absolute deviation of the
    residual (robust against the odd spike or quadrature image). Without it: σ from the
    median absolute second difference along the last axis, which cancels lines spanning many
    points; for white noise second differences have variance 6σ² (Rice-type difference
    estimator). It underestimates σ of strongly apodized (correlated) noise: give a region then.

    Parameters
    ----------
    data : Spectrum, Spectrum2D or array_like
        The spectrum (its real part is used) or real values, 1D or 2D.
    noise_ppm : (float, float), optional
        A signal-free region of the (direct) ppm axis.
    ppm : array_like, optional
        The ppm axis when ``data`` is a plain array and ``noise_ppm`` is given.

    Returns
    -------
    float
        σ of one point, in the spectrum's intensity units.

    Raises
    ------
    ProcessingError
        If the region holds fewer than 8 points or the data are too short.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> round(noise_rms(rng.normal(0, 2.0, 20000)), 1)
    2.0
    """
    values = getattr(data, "real", data)
    y = np.asarray(values, dtype=float)
    if noise_ppm is not None:
        axis = getattr(data, "ppm", ppm)
        if axis is None:
            raise ProcessingError("noise_rms needs the ppm axis (ppm=...) to find a noise region in plain values.")
        axis = np.asarray(axis, dtype=float)
        mask = region_mask(axis, noise_ppm, "Noise region", min_points=8)
        x = axis[mask] - axis[mask].mean()
        rows = y[..., mask].reshape(-1, int(mask.sum()))
        coef = np.polynomial.polynomial.polyfit(x, rows.T, 1)
        resid = rows - np.polynomial.polynomial.polyval(x, coef)
        return float(MAD_TO_SIGMA * np.median(np.abs(resid - np.median(resid))))
    if y.shape[-1] < 8:
        raise ProcessingError(f"Too few points ({y.shape[-1]}) to estimate the noise; give at least 8.")
    d2 = np.diff(y, 2, axis=-1).ravel()
    return float(MAD_TO_SIGMA * np.median(np.abs(d2 - np.median(d2))) / np.sqrt(6.0))


def signal_to_noise(spec: Spectrum, *, signal_ppm: Sequence[float], noise_ppm: Sequence[float]) -> float:
    """S/N: the highest real point in ``signal_ppm`` over the noise RMS in ``noise_ppm``.

    Parameters
    ----------
    spec : Spectrum
        A phased spectrum.
    signal_ppm : (float, float)
        Region holding the peak.
    noise_ppm : (float, float)
        Signal-free region for :func:`noise_rms`.

    Returns
    -------
    float
    """
    peak = float(spec.data.real[region_mask(spec, signal_ppm, "Signal region")].max())
    return peak / noise_rms(spec, noise_ppm)


def snr_per_scan(spec: Spectrum, signal_ppm: Sequence[float]) -> tuple[float, int]:
    """S/N of one scan of a spectrum and its scan count.

    S/N = :func:`signal_to_noise` with the tallest point in ``signal_ppm`` over the noise RMS
    of the wider signal-free end of the spectrum (its outer 5 % left out); the signal adds
    coherently and the noise in quadrature, so one scan's S/N is that over √ns.

    Parameters
    ----------
    spec : Spectrum
        A processed spectrum whose metadata state the number of scans.
    signal_ppm : (float, float)
        The region holding the signal of interest.

    Returns
    -------
    snr : float
        S/N of one scan.
    ns : int
        The number of scans of the spectrum.

    Raises
    ------
    ProcessingError
        If the spectrum does not state its number of scans or has no signal-free end.
    """
    spec = require_spectrum(spec, "snr_per_scan")
    if not spec.meta.ns:
        raise ProcessingError("The spectrum does not state its number of scans (NS); the S/N of one scan needs it.")
    lo, hi = sorted(float(v) for v in signal_ppm)
    noise = noise_region_beside(
        spec,
        (lo, hi),
        message="The spectrum has no signal-free end to measure its noise; record a wider spectral window.",
    )
    snr = signal_to_noise(spec, signal_ppm=(lo, hi), noise_ppm=noise)
    return snr / math.sqrt(spec.meta.ns), int(spec.meta.ns)


def noise_region_beside(spec, region_ppm: Sequence[float], *, message: str) -> tuple[float, float]:
    """The wider of the two spectrum ends outside ``region_ppm``, trimmed of its outer 5 %.

    Parameters
    ----------
    spec : Spectrum
        The spectrum (its ppm axis is used).
    region_ppm : (float, float)
        The region holding the signal.
    message : str
        What the error says when neither end is at least 5 % of the spectral width.

    Returns
    -------
    (float, float)
        A signal-free region, ppm (low, high).

    Raises
    ------
    ProcessingError
        If no end of the spectrum is wide enough.
    """
    lo, hi = sorted(float(v) for v in region_ppm)
    ppm = np.asarray(spec.ppm, dtype=float)
    ends = [(hi, float(ppm.max())), (float(ppm.min()), lo)]
    a, b = max(ends, key=lambda r: r[1] - r[0])
    if b - a < 0.05 * (ppm.max() - ppm.min()):
        raise ProcessingError(message)
    pad = 0.05 * (b - a)
    return (a + pad, b - pad)


@dataclass(frozen=True)
class Peak:
    """A picked peak: position, height and the index of its point.

    Attributes
    ----------
    ppm : float
        Position, ppm.
    hz : float
        Position, Hz from the reference.
    height : float
        Real intensity at the peak.
    index : int
        Index of the peak's point on the axis.
    """

    ppm: float
    hz: float
    height: float
    index: int


def pick_peaks(
    spec: Spectrum,
    *,
    min_height: float | None = None,
    min_snr: float | None = 5.0,
    noise_ppm: Sequence[float] | None = None,
    region_ppm: Sequence[float] | None = None,
    min_separation_ppm: float = 0.0,
) -> list[Peak]:
    """Local maxima of the real spectrum, tallest first.

    A peak must exceed ``min_height`` if given, else ``min_snr`` times the noise σ of
    :func:`noise_rms` (in ``noise_ppm`` if given, else from the whole spectrum), both in
    height and in prominence (so noise on the flank of a tall line is not a peak).

    Parameters
    ----------
    spec : Spectrum
        A phased spectrum.
    min_height : float, optional
        Absolute threshold (overrides ``min_snr``).
    min_snr : float or None, default 5
        Threshold in units of the noise σ.
    noise_ppm : (float, float), optional
        Signal-free region for the noise.
    region_ppm : (float, float), optional
        Only look here.
    min_separation_ppm : float, default 0
        Of maxima closer than this, keep only the tallest.

    Returns
    -------
    list of Peak
    """
    from scipy.signal import find_peaks

    spec = require_spectrum(spec, "pick_peaks")
    y = spec.data.real
    if min_height is None:
        sigma = noise_rms(spec, noise_ppm)
        min_height = (min_snr or 0.0) * sigma
    step_ppm = abs(float(spec.ppm[1] - spec.ppm[0]))
    distance = max(1, int(round(min_separation_ppm / step_ppm))) if min_separation_ppm > 0 else None
    idx, _ = find_peaks(y, height=min_height, prominence=min_height, distance=distance)
    if region_ppm is not None:
        idx = idx[region_mask(spec, region_ppm, "Peak-picking region")[idx]]
    idx = idx[np.argsort(y[idx])[::-1]]
    return [Peak(float(spec.ppm[i]), float(spec.hz[i]), float(y[i]), int(i)) for i in idx]


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two real arrays of equal length.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two spectra (real parts).

    Returns
    -------
    float
        1 for identical shapes (any scale), 0 for unrelated ones.

    Raises
    ------
    ProcessingError
        When the lengths differ.

    Examples
    --------
    >>> import numpy as np
    >>> round(correlation(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])), 6)
    1.0
    """
    a = np.asarray(a, float).ravel()
    b = np.asarray(b, float).ravel()
    if a.shape != b.shape:
        raise ProcessingError(f"Cannot correlate spectra of {a.size} and {b.size} points; process with the same SI.")
    a = a - a.mean()
    b = b - b.mean()
    return float(np.dot(a, b) / math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b))))
