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
    "region_mask",
    "integrate",
    "integrate_regions",
    "noise_rms",
    "signal_to_noise",
    "Peak",
    "pick_peaks",
    "correlation",
]



def region_mask(spec: Spectrum, region_ppm: Sequence[float], what: str) -> np.ndarray:
    try:
        a, b = (float(v) for v in region_ppm)
    except (TypeError, ValueError):
        raise ProcessingError(
            f"{what} must be a pair of chemical shifts (ppm), e.g. (-250, -400); got {region_ppm!r}."
        ) from None
    lo, hi = min(a, b), max(a, b)
    ppm = spec.ppm
    pmin, pmax = float(ppm.min()), float(ppm.max())
    if hi < pmin or lo > pmax:
        raise ProcessingError(
            f"{what} {lo:g}…{hi:g} ppm lies outside the spectrum, which spans "
            f"{pmin:.4g}…{pmax:.4g} ppm. Choose a region inside the spectral window."
        )
    mask = (ppm >= lo) & (ppm <= hi)
    if not mask.any():
        raise ProcessingError(
            f"{what} {lo:g}…{hi:g} ppm is narrower than one point "
            f"({abs(ppm[1] - ppm[0]):.3g} ppm); widen it."
        )
    return mask



# ---------------------------------------------------------------------------------------
# Analysis (not steps)
# ---------------------------------------------------------------------------------------


def integrate(spec: Spectrum, region_ppm: Sequence[float]) -> float:
    """Integral of the real spectrum over a ppm region, in intensity × ppm (Σ y·|Δδ|)."""
    spec = require_spectrum(spec, "integrate")
    mask = region_mask(spec, region_ppm, "Integration region")
    step_ppm = abs(float(spec.ppm[1] - spec.ppm[0]))
    return float(spec.data.real[..., mask].sum(axis=-1) * step_ppm)


def integrate_regions(spec: Spectrum, regions_ppm: Iterable[Sequence[float]]) -> list[float]:
    """:func:`integrate` over several regions."""
    return [integrate(spec, r) for r in regions_ppm]


def noise_rms(spec: Spectrum, noise_ppm: Sequence[float]) -> float:
    """Root-mean-square deviation of the real spectrum from its mean in a signal-free region."""
    spec = require_spectrum(spec, "noise_rms")
    y = spec.data.real[region_mask(spec, noise_ppm, "Noise region")]
    if y.size < 8:
        raise ProcessingError(f"The noise region holds only {y.size} points; give at least 8.")
    return float(np.std(y))


def signal_to_noise(spec: Spectrum, *, signal_ppm: Sequence[float], noise_ppm: Sequence[float]) -> float:
    """S/N: the highest real point in ``signal_ppm`` over the noise RMS in ``noise_ppm``."""
    peak = float(spec.data.real[region_mask(spec, signal_ppm, "Signal region")].max())
    return peak / noise_rms(spec, noise_ppm)


@dataclass(frozen=True)
class Peak:
    """A picked peak: position, height and the index of its point."""

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

    A peak must exceed ``min_height`` if given, else ``min_snr`` times the noise RMS
    (measured in ``noise_ppm``, or robustly over the whole spectrum as 1.4826 × the median
    absolute deviation), both in height and in prominence (so noise on the flank of a tall
    line is not a peak). ``min_separation_ppm`` keeps only the tallest of close maxima.
    """
    from scipy.signal import find_peaks

    spec = require_spectrum(spec, "pick_peaks")
    y = spec.data.real
    if min_height is None:
        if noise_ppm is not None:
            sigma = noise_rms(spec, noise_ppm)
        else:
            sigma = 1.4826 * float(np.median(np.abs(y - np.median(y))))
        min_height = (min_snr or 0.0) * sigma
    step_ppm = abs(float(spec.ppm[1] - spec.ppm[0]))
    distance = max(1, int(round(min_separation_ppm / step_ppm))) if min_separation_ppm > 0 else None
    idx, _ = find_peaks(y, height=min_height, prominence=min_height, distance=distance)
    if region_ppm is not None:
        idx = idx[region_mask(spec, region_ppm, "Peak-picking region")[idx]]
    idx = idx[np.argsort(y[idx])[::-1]]
    return [Peak(float(spec.ppm[i]), float(spec.hz[i]), float(y[i]), int(i)) for i in idx]


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two real arrays of equal length."""
    a = np.asarray(a, float).ravel()
    b = np.asarray(b, float).ravel()
    if a.shape != b.shape:
        raise ProcessingError(f"Cannot correlate spectra of {a.size} and {b.size} points; process with the same SI.")
    a = a - a.mean()
    b = b - b.mean()
    return float(np.dot(a, b) / math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b))))
