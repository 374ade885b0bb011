"""Argument checks shared by the processing steps (right object, spectral width, points per Hz)."""

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
    """``obj`` if it is time-domain data, for steps that must come before the Fourier transform.

    Parameters
    ----------
    obj : object
        What the step was given.
    name : str
        The step's name, for the message.

    Returns
    -------
    Dataset

    Raises
    ------
    ProcessingError
        When ``obj`` is not a :class:`~qdkit.dataset.Dataset`.
    """
    if not isinstance(obj, Dataset):
        raise ProcessingError(
            f"{name} works on time-domain data (a Dataset), got {type(obj).__name__}. "
            "Apply it before the Fourier transform (ft)."
        )
    return obj


def require_spectrum(obj, name: str) -> Spectrum:
    """``obj`` if it is a spectrum, for steps that must come after the Fourier transform.

    Parameters
    ----------
    obj : object
        What the step was given.
    name : str
        The step's name, for the message.

    Returns
    -------
    Spectrum

    Raises
    ------
    ProcessingError
        When ``obj`` is not a :class:`~qdkit.dataset.Spectrum`.
    """
    if not isinstance(obj, Spectrum):
        raise ProcessingError(f"{name} works on a spectrum, got {type(obj).__name__}. Fourier transform first (ft).")
    return obj


def spectral_width_hz(meta) -> float:
    """The spectral width of a record, checked positive.

    Parameters
    ----------
    meta : Meta
        The metadata record.

    Returns
    -------
    float
        ``meta.sw_hz``, Hz.

    Raises
    ------
    ProcessingError
        When the width is missing or not positive.
    """
    sw = meta.sw_hz
    if sw is None or not sw > 0:
        raise ProcessingError(
            "The dataset has no spectral width (meta.sw_hz); it is needed to turn points into "
            "time and frequency. Set it with dataset.replace(meta=dataset.meta.replace(sw_hz=...))."
        )
    return float(sw)


def points_per_width(spec: Spectrum) -> tuple[float, float]:
    """Full spectral width and the frequency of the first point of a spectrum.

    Parameters
    ----------
    spec : Spectrum
        A spectrum of at least two points.

    Returns
    -------
    (width_hz, first_hz) : tuple of float
        Width as n·Δν, Hz; frequency of the first point, Hz.

    Raises
    ------
    ProcessingError
        For a spectrum of fewer than two points.
    """
    hz = spec.hz
    if hz.size < 2:
        raise ProcessingError("A spectrum needs at least two points.")
    return abs(hz[1] - hz[0]) * hz.size, float(hz[0])


def ppm_to_hz(spec: Spectrum, ppm: float) -> float:
    """A shift in ppm as a frequency offset in Hz, with the spectrum's reference frequency.

    Parameters
    ----------
    spec : Spectrum
        Supplies ``meta.reference_mhz``.
    ppm : float
        Shift, ppm.

    Returns
    -------
    float
        Offset from the reference, Hz (ppm × MHz = Hz).
    """
    return float(ppm) * float(spec.meta.reference_mhz)
