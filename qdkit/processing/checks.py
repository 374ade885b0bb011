"""Argument checks shared by the processing steps (right object, spectral width, points per Hz).
"""

from __future__ import annotations

from qdkit.dataset import Dataset, Spectrum
from qdkit.errors import ProcessingError

__all__ = [
    "require_dataset",
    "require_spectrum",
    "spectral_width_hz",
    "points_per_width",
    "ppm_to_hz",
]



# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def require_dataset(obj, name: str) -> Dataset:
    if not isinstance(obj, Dataset):
        raise ProcessingError(
            f"{name} works on time-domain data (a Dataset), got {type(obj).__name__}. "
            "Apply it before the Fourier transform (ft)."
        )
    return obj


def require_spectrum(obj, name: str) -> Spectrum:
    if not isinstance(obj, Spectrum):
        raise ProcessingError(
            f"{name} works on a spectrum, got {type(obj).__name__}. Fourier transform first (ft)."
        )
    return obj


def spectral_width_hz(meta) -> float:
    sw = meta.sw_hz
    if sw is None or not sw > 0:
        raise ProcessingError(
            "The dataset has no spectral width (meta.sw_hz); it is needed to turn points into "
            "time and frequency. Set it with dataset.replace(meta=dataset.meta.replace(sw_hz=...))."
        )
    return float(sw)


def points_per_width(spec: Spectrum) -> tuple[float, float]:
    """(full spectral width in Hz as n·Δν, frequency of the first point)."""
    hz = spec.hz
    if hz.size < 2:
        raise ProcessingError("A spectrum needs at least two points.")
    return abs(hz[1] - hz[0]) * hz.size, float(hz[0])


def ppm_to_hz(spec: Spectrum, ppm: float) -> float:
    return float(ppm) * float(spec.meta.reference_mhz)
