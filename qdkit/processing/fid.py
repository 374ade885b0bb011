"""1D processing: time-domain steps, Fourier transform, phase, baseline, and spectrum analysis.

Every step is a pure, keyword-only function registered with :func:`qdkit.recipe.step`, so a
processed spectrum carries the recipe that replays it. :func:`process` builds the default
recipe, from TopSpin's processing parameters (``procs``) when the dataset has them.

Conventions (chosen so that TopSpin's own ``1r`` is reproduced point for point):

- ``Dataset.data`` holds the complex FID as Bruker stores it: a line above the carrier
  turns as exp(+2πiνt); the spectrum is the transform of the complex conjugate, which is
  TopSpin's complex spectrum (1r + i·1i) and sets the sign of p0/p1;
- spectra run from high to low frequency (high ppm first); point ``i`` of ``n`` lies at
  ``hz = carrier_hz + sw_hz/2 - i*sw_hz/n`` relative to the 0-ppm reference frequency;
- the first-order phase ``p1_deg`` is the phase change across the full spectral width, by
  default pivoted at the first (leftmost) point, as TopSpin's PHC1 is;
- the digital-filter group delay is removed as a circular time shift of the zero-filled
  FID, the time-domain form of TopSpin's linear phase ``360°·GRPDLY·i/SI``; TopSpin measures
  that phase from the left edge, which adds ``180°·GRPDLY`` to the zero-order phase, so a
  vendor PHC0 is applied as ``PHC0 + 180·GRPDLY``;
- windows are applied to the stored FID from its first point, before the group-delay
  shift (for EM that is only a constant factor; GM and sine bells were not checked against
  a TopSpin spectrum, none of the real datasets uses them).
"""

from __future__ import annotations

import math

import numpy as np

from qdkit.dataset import Dataset, Spectrum
from qdkit.errors import ProcessingError
from qdkit.processing.checks import require_dataset, spectral_width_hz
from qdkit.processing.recipe import step

__all__ = [
    "WINDOWS",
    "TOPSPIN_WINDOWS",
    "TOPSPIN_OTHER_WINDOWS",
    "truncate",
    "scale_first_point",
    "dc_offset",
    "window_function",
    "apodize",
    "zero_fill",
    "remove_group_delay",
    "frequency_axis_hz",
    "ft",
]


WINDOWS = ("none", "em", "gm", "sine", "qsine")
#: TopSpin WDW code -> qdkit window name.
TOPSPIN_WINDOWS = {0: "none", 1: "em", 2: "gm", 3: "sine", 4: "qsine"}
TOPSPIN_OTHER_WINDOWS = {5: "TRAP", 6: "USER", 7: "SINC", 8: "QSINC", 9: "TRAF", 10: "TRAFS"}


# ---------------------------------------------------------------------------------------
# Dataset -> Dataset
# ---------------------------------------------------------------------------------------


@step
def truncate(ds: Dataset, *, points: int) -> Dataset:
    """Keep the first ``points`` complex points of the FID (TopSpin TDeff/2).

    Parameters
    ----------
    ds : Dataset
        Time-domain data.
    points : int
        Points to keep.

    Returns
    -------
    Dataset

    Raises
    ------
    ProcessingError
        If ``points`` is not positive.
    """
    ds = require_dataset(ds, "truncate")
    points = int(points)
    if points < 1:
        raise ProcessingError(f"truncate needs a positive number of points, got {points}.")
    return ds.replace(data=ds.data[..., :points])


@step
def scale_first_point(ds: Dataset, *, factor: float) -> Dataset:
    """Multiply the first FID point by ``factor`` (TopSpin FCOR).

    The discrete Fourier transform counts the t = 0 point once where the continuous integral
    counts it half; ``factor = 0.5`` removes the resulting baseline offset (Otting, Widmer &
    Wüthrich, J. Magn. Reson. 66, 187 (1986)). With a digital filter the stored first point
    precedes the signal and the factor has no visible effect, as in TopSpin.

    Parameters
    ----------
    ds : Dataset
        Time-domain data.
    factor : float
        Multiplier of the first point.

    Returns
    -------
    Dataset
    """
    ds = require_dataset(ds, "scale_first_point")
    data = np.array(ds.data, dtype=complex, copy=True)
    data[..., 0] *= float(factor)
    return ds.replace(data=data)


@step
def dc_offset(ds: Dataset, *, tail_fraction: float = 0.25, start_point: int = 0) -> Dataset:
    """Subtract the receiver DC offset, estimated as the mean of the last part of the FID.

    Equivalent to TopSpin's BC_mod = single/quad applied to the FID. A DC level passes
    through the digital filter like any signal, so it only appears once the filter has
    filled: points before ``start_point`` (the group delay, rounded up) are left alone.

    Parameters
    ----------
    ds : Dataset
        Time-domain data.
    tail_fraction : float, default 0.25
        Fraction of points at the end of the FID, where the signal has decayed, that give
        the offset.
    start_point : int, default 0
        First point the correction applies to.

    Returns
    -------
    Dataset

    Raises
    ------
    ProcessingError
        For ``tail_fraction`` outside (0, 1] or ``start_point`` outside the FID.
    """
    ds = require_dataset(ds, "dc_offset")
    if not 0 < tail_fraction <= 1:
        raise ProcessingError(f"tail_fraction must lie in (0, 1], got {tail_fraction}.")
    n = ds.data.shape[-1]
    start = int(start_point)
    if not 0 <= start < n:
        raise ProcessingError(f"start_point {start} lies outside the FID of {n} points.")
    k = max(1, int(round(n * tail_fraction)))
    offset = ds.data[..., n - k :].mean(axis=-1, keepdims=True)
    data = np.array(ds.data, dtype=complex, copy=True)
    data[..., start:] -= offset
    return ds.replace(data=data)


def window_function(
    window: str, n: int, sw_hz: float, *, lb_hz: float = 0.0, gb: float = 0.0, ssb: float = 0.0
) -> np.ndarray:
    """The apodization window of ``n`` points (TopSpin's definitions).

    ``t = k / sw_hz`` and ``AQ = n / sw_hz``.

    - ``"em"``: exp(−π·LB·t), a Lorentzian broadening of ``lb_hz`` (FWHM).
    - ``"gm"``: exp(−π·LB·t + π·LB·t² / (2·GB·AQ)) with ``lb_hz < 0`` and ``gb`` the fraction
      of the acquisition time where the window peaks (Lorentz-to-Gauss, Ernst 1966).
    - ``"sine"`` / ``"qsine"``: sin((π − φ)·t/AQ + φ) (squared for qsine), φ = π/SSB
      (SSB < 2: φ = 0, a plain sine bell; SSB = 2: cosine).
    - ``"none"``: ones.

    Parameters
    ----------
    window : {"none", "em", "gm", "sine", "qsine"}
        The window's name.
    n : int
        Number of points.
    sw_hz : float
        Spectral width, Hz.
    lb_hz : float, default 0
        Line broadening, Hz (``"em"``, ``"gm"``).
    gb : float, default 0
        Position of the ``"gm"`` maximum as a fraction of AQ.
    ssb : float, default 0
        TopSpin's SSB for the sine bells.

    Returns
    -------
    numpy.ndarray
        Real window, ``n`` points.

    Raises
    ------
    ProcessingError
        For an unknown window, or ``"gm"`` with ``gb`` outside (0, 1).

    Examples
    --------
    >>> w = window_function("em", 4, 1000.0, lb_hz=10.0)
    >>> round(float(w[1]), 4)   # exp(-pi * 10 Hz * 1 ms)
    0.9691
    """
    if window not in WINDOWS:
        raise ProcessingError(
            f"Unknown window {window!r}; choose one of {', '.join(WINDOWS)} "
            "(em = exponential, gm = Lorentz-to-Gauss, sine/qsine = (squared) sine bell)."
        )
    t = np.arange(n) / sw_hz
    if window == "none":
        return np.ones(n)
    if window == "em":
        return np.exp(-math.pi * lb_hz * t)
    if window == "gm":
        if not 0 < gb < 1:
            raise ProcessingError(
                f"The Gaussian window needs gb between 0 and 1 (the fraction of the acquisition "
                f"time where it peaks), got gb = {gb}."
            )
        aq = n / sw_hz
        return np.exp(-math.pi * lb_hz * t + math.pi * lb_hz * t * t / (2.0 * gb * aq))
    phi = math.pi / ssb if ssb >= 2 else 0.0
    w = np.sin((math.pi - phi) * np.arange(n) / n + phi)
    return w * w if window == "qsine" else w


@step
def apodize(ds: Dataset, *, window: str = "em", lb_hz: float = 0.0, gb: float = 0.0, ssb: float = 0.0) -> Dataset:
    """Multiply the FID by a window function (see :func:`window_function`).

    Parameters
    ----------
    ds : Dataset
        Time-domain data.
    window : {"none", "em", "gm", "sine", "qsine"}
        The window's name.
    lb_hz : float
        Line broadening in Hz (exponential; negative for the Gaussian ``gm``).
    gb : float
        Gaussian ``gm`` only: position of the window maximum as a fraction of the acquisition time.
    ssb : float
        Sine bells only: TopSpin's SSB (0 or 1 = sine, 2 = cosine, larger = shifted toward sine).

    Returns
    -------
    Dataset
    """
    ds = require_dataset(ds, "apodize")
    w = window_function(window, ds.data.shape[-1], spectral_width_hz(ds.meta), lb_hz=lb_hz, gb=gb, ssb=ssb)
    return ds.replace(data=ds.data * w)


@step
def zero_fill(ds: Dataset, *, size: int) -> Dataset:
    """Append zeros up to ``size`` complex points (TopSpin SI).

    Parameters
    ----------
    ds : Dataset
        Time-domain data.
    size : int
        Length after filling.

    Returns
    -------
    Dataset

    Raises
    ------
    ProcessingError
        If ``size`` is smaller than the number of points (that would discard data; use
        :func:`truncate` for that).
    """
    ds = require_dataset(ds, "zero_fill")
    size = int(size)
    n = ds.data.shape[-1]
    if size < n:
        raise ProcessingError(
            f"zero_fill to {size} points would cut the FID, which has {n} complex points "
            f"(SI smaller than TD). Choose size >= {n}, or truncate the FID first."
        )
    if size == n:
        return ds
    pad = [(0, 0)] * (ds.data.ndim - 1) + [(0, size - n)]
    return ds.replace(data=np.pad(ds.data, pad))


def _signed_frequency_index(n: int) -> np.ndarray:
    # The Nyquist term is taken as +n/2, as TopSpin's ramp (0..SI-1 from the left edge) implies.
    k = np.arange(n, dtype=float)
    k[k > n // 2] -= n
    return k


@step
def remove_group_delay(ds: Dataset, *, points: float) -> Dataset:
    """Remove the digital-filter group delay: advance the FID by ``points`` (may be fractional).

    The shift is circular, so the filter's precursor (the points before the echo) lands at
    the end of the array, i.e. at negative times; zero-fill first, as TopSpin transforms the
    zero-filled FID. A fractional shift is done exactly by the Fourier shift theorem,
    x(k + g) = IFFT[X(ν)·exp(2πi·g·ν/n)].

    Parameters
    ----------
    ds : Dataset
        Time-domain data.
    points : float
        The group delay, points (``meta.group_delay_pts``).

    Returns
    -------
    Dataset

    Raises
    ------
    ProcessingError
        When the delay does not fit in the FID.
    """
    ds = require_dataset(ds, "remove_group_delay")
    g = float(points)
    if g == 0.0:
        return ds
    n = ds.data.shape[-1]
    if not 0 <= g < n:
        raise ProcessingError(f"A group delay of {g} points does not fit in an FID of {n} points.")
    if g.is_integer():
        return ds.replace(data=np.roll(ds.data, -int(g), axis=-1))
    ramp = np.exp(2j * np.pi * g * _signed_frequency_index(n) / n)
    return ds.replace(data=np.fft.ifft(np.fft.fft(ds.data, axis=-1) * ramp, axis=-1))


# ---------------------------------------------------------------------------------------
# Dataset -> Spectrum
# ---------------------------------------------------------------------------------------


def frequency_axis_hz(meta, n: int) -> np.ndarray:
    """Offsets from the 0-ppm reference frequency of the ``n`` spectrum points, high first.

    Parameters
    ----------
    meta : Meta
        Supplies the spectral width, carrier and reference frequency.
    n : int
        Number of points.

    Returns
    -------
    numpy.ndarray
        Hz from the reference.

    Raises
    ------
    ProcessingError
        Without a spectral width or reference frequency.
    """
    sw = spectral_width_hz(meta)
    ref = meta.reference_mhz
    carrier = meta.larmor_mhz if meta.larmor_mhz is not None else ref
    if ref is None:
        raise ProcessingError(
            "The dataset has no reference frequency (meta.reference_mhz, the frequency of 0 ppm); "
            "a ppm axis needs it. Set it, e.g. from the IUPAC scale with "
            "qdkit.referencing.xi_reference_mhz(nucleus, proton_mhz)."
        )
    carrier_hz = (float(carrier) - float(ref)) * 1e6
    return carrier_hz + sw / 2.0 - np.arange(n) * (sw / n)


@step
def ft(ds: Dataset) -> Spectrum:
    """Fourier transform the last (direct) dimension into a spectrum, high frequency first.

    S = fftshift(FFT(conj(fid))). A line above the carrier turns as exp(+2πiνt) in the
    stored FID; transforming the conjugate puts it in the first half, so the highest
    frequency comes first, and the result is exactly TopSpin's complex spectrum (1r + i·1i),
    which is the complex conjugate of the textbook transform. Phases (p0, p1) therefore
    have TopSpin's sign.

    Parameters
    ----------
    ds : Dataset
        Time-domain data (group delay removed, zero-filled as wanted).

    Returns
    -------
    Spectrum
    """
    ds = require_dataset(ds, "ft")
    spec = np.fft.fftshift(np.fft.fft(np.conj(ds.data), axis=-1), axes=-1)
    return Spectrum(data=spec, hz=frequency_axis_hz(ds.meta, spec.shape[-1]), meta=ds.meta)
