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
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from . import referencing  # noqa: F401  (registers the referencing steps for recipes)
from .dataset import Dataset, Spectrum
from .errors import ProcessingError
from .recipe import apply, from_json, step

#: Window functions known to :func:`apodize`.
WINDOWS = ("none", "em", "gm", "sine", "qsine")
#: TopSpin WDW code -> qdkit window name.
_TOPSPIN_WDW = {0: "none", 1: "em", 2: "gm", 3: "sine", 4: "qsine"}
_TOPSPIN_WDW_NAMES = {5: "TRAP", 6: "USER", 7: "SINC", 8: "QSINC", 9: "TRAF", 10: "TRAFS"}


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _require_dataset(obj, name: str) -> Dataset:
    if not isinstance(obj, Dataset):
        raise ProcessingError(
            f"{name} works on time-domain data (a Dataset), got {type(obj).__name__}. "
            "Apply it before the Fourier transform (ft)."
        )
    return obj


def _require_spectrum(obj, name: str) -> Spectrum:
    if not isinstance(obj, Spectrum):
        raise ProcessingError(
            f"{name} works on a spectrum, got {type(obj).__name__}. Fourier transform first (ft)."
        )
    return obj


def _sw_hz(meta) -> float:
    sw = meta.sw_hz
    if sw is None or not sw > 0:
        raise ProcessingError(
            "The dataset has no spectral width (meta.sw_hz); it is needed to turn points into "
            "time and frequency. Set it with dataset.replace(meta=dataset.meta.replace(sw_hz=...))."
        )
    return float(sw)


def _points_per_width(spec: Spectrum) -> tuple[float, float]:
    """(full spectral width in Hz as n·Δν, frequency of the first point)."""
    hz = spec.hz
    if hz.size < 2:
        raise ProcessingError("A spectrum needs at least two points.")
    return abs(hz[1] - hz[0]) * hz.size, float(hz[0])


def _ppm_to_hz(spec: Spectrum, ppm: float) -> float:
    return float(ppm) * float(spec.meta.reference_mhz)


def _region_mask(spec: Spectrum, region_ppm: Sequence[float], what: str) -> np.ndarray:
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
# Dataset -> Dataset
# ---------------------------------------------------------------------------------------


@step
def truncate(ds: Dataset, *, points: int) -> Dataset:
    """Keep the first ``points`` complex points of the FID (TopSpin TDeff/2).

    Raises
    ------
    ProcessingError
        If ``points`` is not positive.
    """
    ds = _require_dataset(ds, "truncate")
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
    """
    ds = _require_dataset(ds, "scale_first_point")
    data = np.array(ds.data, dtype=complex, copy=True)
    data[..., 0] *= float(factor)
    return ds.replace(data=data)


@step
def dc_offset(ds: Dataset, *, tail_fraction: float = 0.25, start_point: int = 0) -> Dataset:
    """Subtract the receiver DC offset, estimated as the mean of the last part of the FID.

    Equivalent to TopSpin's BC_mod = single/quad applied to the FID. ``tail_fraction`` is
    the fraction of points at the end of the FID, where the signal has decayed. A DC level
    passes through the digital filter like any signal, so it only appears once the filter
    has filled: points before ``start_point`` (the group delay, rounded up) are left alone.
    """
    ds = _require_dataset(ds, "dc_offset")
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


def window_function(window: str, n: int, sw_hz: float, *, lb_hz: float = 0.0, gb: float = 0.0, ssb: float = 0.0) -> np.ndarray:
    """The apodization window of ``n`` points (TopSpin's definitions).

    ``t = k / sw_hz`` and ``AQ = n / sw_hz``.

    - ``"em"``: exp(−π·LB·t), a Lorentzian broadening of ``lb_hz`` (FWHM).
    - ``"gm"``: exp(−π·LB·t + π·LB·t² / (2·GB·AQ)) with ``lb_hz < 0`` and ``gb`` the fraction
      of the acquisition time where the window peaks (Lorentz-to-Gauss, Ernst 1966).
    - ``"sine"`` / ``"qsine"``: sin((π − φ)·t/AQ + φ) (squared for qsine), φ = π/SSB
      (SSB < 2: φ = 0, a plain sine bell; SSB = 2: cosine).
    - ``"none"``: ones.
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
    window : {"none", "em", "gm", "sine", "qsine"}
    lb_hz : float
        Line broadening in Hz (exponential; negative for the Gaussian ``gm``).
    gb : float
        Gaussian ``gm`` only: position of the window maximum as a fraction of the acquisition time.
    ssb : float
        Sine bells only: TopSpin's SSB (0 or 1 = sine, 2 = cosine, larger = shifted toward sine).
    """
    ds = _require_dataset(ds, "apodize")
    w = window_function(window, ds.data.shape[-1], _sw_hz(ds.meta), lb_hz=lb_hz, gb=gb, ssb=ssb)
    return ds.replace(data=ds.data * w)


@step
def zero_fill(ds: Dataset, *, size: int) -> Dataset:
    """Append zeros up to ``size`` complex points (TopSpin SI).

    Raises
    ------
    ProcessingError
        If ``size`` is smaller than the number of points (that would discard data; use
        :func:`truncate` for that).
    """
    ds = _require_dataset(ds, "zero_fill")
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
    """
    ds = _require_dataset(ds, "remove_group_delay")
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
    """Offsets from the 0-ppm reference frequency of the ``n`` spectrum points, high first."""
    sw = _sw_hz(meta)
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
    """
    ds = _require_dataset(ds, "ft")
    spec = np.fft.fftshift(np.fft.fft(np.conj(ds.data), axis=-1), axes=-1)
    return Spectrum(data=spec, hz=frequency_axis_hz(ds.meta, spec.shape[-1]), meta=ds.meta)


# ---------------------------------------------------------------------------------------
# Spectrum -> Spectrum
# ---------------------------------------------------------------------------------------


def phase_angles_deg(spec: Spectrum, *, p0_deg: float, p1_deg: float = 0.0, pivot_ppm: float | None = None) -> np.ndarray:
    """φ(ν) = p0 + p1·(ν_pivot − ν)/SW for each point; the pivot defaults to the first point."""
    width, first = _points_per_width(spec)
    pivot = first if pivot_ppm is None else _ppm_to_hz(spec, pivot_ppm)
    return p0_deg + p1_deg * (pivot - spec.hz) / width


@step
def phase(spec: Spectrum, *, p0_deg: float, p1_deg: float = 0.0, pivot_ppm: float | None = None) -> Spectrum:
    """Zero- and first-order phase correction, S·exp(iφ) with φ from :func:`phase_angles_deg`.

    ``p1_deg`` is the phase change across the whole spectral width; with ``pivot_ppm=None``
    it is zero at the first (leftmost, highest-ppm) point, which is TopSpin's PHC0/PHC1
    convention. A pivot at a peak lets p1 be changed without touching that peak's phase.
    """
    spec = _require_spectrum(spec, "phase")
    phi = np.deg2rad(phase_angles_deg(spec, p0_deg=p0_deg, p1_deg=p1_deg, pivot_ppm=pivot_ppm))
    return spec.replace(data=spec.data * np.exp(1j * phi))


def _negative_energy(spec_points: np.ndarray, angles: np.ndarray) -> np.ndarray:
    # Re(S·e^{iφ}) = Re S·cos φ − Im S·sin φ, evaluated for all angles at once
    re = np.outer(np.cos(angles), spec_points.real) - np.outer(np.sin(angles), spec_points.imag)
    return np.square(np.minimum(re, 0.0)).sum(axis=1)


def auto_zero_order_deg(data: np.ndarray, *, max_points: int = 2048) -> float:
    """Zero-order phase (degrees) that makes ``data`` positive absorption.

    Criterion: the least negative-going energy Σ min(Re(S·e^{iφ}), 0)² over the strongest
    points (an absorption line is positive at the right phase; at φ + 180° it is all
    negative, at ±90° half negative), found on a 6° grid and refined by Brent's method. Sign
    check: if the real integral comes out negative, 180° is added. Only zero order: the
    first-order phase of sparse sideband spectra is taken from timing, not fitted, since a
    free p1 trades off against p0.
    """
    s = np.ravel(data)
    mag = np.abs(s)
    if not mag.any():
        raise ProcessingError("Automatic phasing needs a spectrum with signal; this one is all zeros.")
    k = min(max_points, s.size)
    strongest = s[np.argpartition(mag, s.size - k)[s.size - k :]] if k < s.size else s
    grid = np.deg2rad(np.arange(0.0, 360.0, 6.0))
    j = int(np.argmin(_negative_energy(strongest, grid)))
    step_rad = grid[1] - grid[0]
    best = minimize_scalar(
        lambda a: float(_negative_energy(strongest, np.array([a]))[0]),
        bounds=(grid[j] - step_rad, grid[j] + step_rad),
        method="bounded",
        options={"xatol": 1e-5},
    )
    phi = float(best.x)
    if (s * np.exp(1j * phi)).real.sum() < 0:
        phi += np.pi
    return float(np.rad2deg(phi) % 360.0)


@step
def autophase(spec: Spectrum, *, p1_deg: float = 0.0, pivot_ppm: float | None = None, p0_deg: float | None = None):
    """Automatic zero-order phase with a sign check; the first order ``p1_deg`` is given.

    ``p1_deg`` should come from timing: 0 once the group delay is removed, or
    360°·delay_s·SW for a known remaining delay (the same ramp TopSpin uses for GRPDLY).
    The chosen ``p0_deg`` is recorded, so the recipe replays without deciding again;
    passing ``p0_deg`` skips the search.
    """
    spec = _require_spectrum(spec, "autophase")
    if p0_deg is None:
        trial = phase.raw(spec, p0_deg=0.0, p1_deg=p1_deg, pivot_ppm=pivot_ppm) if p1_deg else spec
        p0_deg = auto_zero_order_deg(trial.data)
    out = phase.raw(spec, p0_deg=p0_deg, p1_deg=p1_deg, pivot_ppm=pivot_ppm)
    return out, {"p1_deg": p1_deg, "pivot_ppm": pivot_ppm, "p0_deg": float(p0_deg)}


@step
def magnitude(spec: Spectrum) -> Spectrum:
    """|S|, the phase-free magnitude spectrum (TopSpin PH_mod = mc / fmc)."""
    spec = _require_spectrum(spec, "magnitude")
    return spec.replace(data=np.abs(spec.data).astype(complex))


BASELINE_METHODS = ("arpls", "asls", "poly", "snip")


@step
def baseline(
    spec: Spectrum,
    *,
    method: str = "arpls",
    lam: float = 1e7,
    order: int = 3,
    half_window_points: int | None = None,
    exclude_ppm: Sequence[Sequence[float]] = (),
) -> Spectrum:
    """Subtract a baseline from the real part, computed with pybaselines.

    Methods: ``"arpls"`` (asymmetrically reweighted penalized least squares, Baek et al.,
    Analyst 140, 250 (2015); smoothness ``lam``), ``"asls"`` (Eilers & Boelens 2005),
    ``"poly"`` (polynomial of ``order`` fitted outside the ``exclude_ppm`` regions, i.e. on
    signal-free parts), ``"snip"`` (Ryan et al. 1988, ``half_window_points``). The
    imaginary part is left alone, so phase before correcting the baseline.
    """
    spec = _require_spectrum(spec, "baseline")
    if method not in BASELINE_METHODS:
        raise ProcessingError(f"Unknown baseline method {method!r}; choose one of {', '.join(BASELINE_METHODS)}.")
    from pybaselines import Baseline

    y = spec.data.real
    if y.ndim != 1:
        raise ProcessingError("baseline works on 1D spectra; process 2D data row by row.")
    fitter = Baseline(x_data=np.arange(y.size, dtype=float))
    weights = np.ones(y.size)
    for region in exclude_ppm:
        weights[_region_mask(spec, region, "Baseline exclusion region")] = 0.0
    if method == "poly":
        if weights.sum() <= order:
            raise ProcessingError("The exclusion regions leave too few points to fit the baseline polynomial.")
        base, _ = fitter.poly(y, poly_order=int(order), weights=weights)
    elif method == "arpls":
        base, _ = fitter.arpls(y, lam=float(lam))
    elif method == "asls":
        base, _ = fitter.asls(y, lam=float(lam))
    else:
        base, _ = fitter.snip(y, max_half_window=half_window_points)
    return spec.replace(data=spec.data - base)


# ---------------------------------------------------------------------------------------
# Analysis (not steps)
# ---------------------------------------------------------------------------------------


def integrate(spec: Spectrum, region_ppm: Sequence[float]) -> float:
    """Integral of the real spectrum over a ppm region, in intensity × ppm (Σ y·|Δδ|)."""
    spec = _require_spectrum(spec, "integrate")
    mask = _region_mask(spec, region_ppm, "Integration region")
    step_ppm = abs(float(spec.ppm[1] - spec.ppm[0]))
    return float(spec.data.real[..., mask].sum(axis=-1) * step_ppm)


def integrate_regions(spec: Spectrum, regions_ppm: Iterable[Sequence[float]]) -> list[float]:
    """:func:`integrate` over several regions."""
    return [integrate(spec, r) for r in regions_ppm]


def noise_rms(spec: Spectrum, noise_ppm: Sequence[float]) -> float:
    """Root-mean-square deviation of the real spectrum from its mean in a signal-free region."""
    spec = _require_spectrum(spec, "noise_rms")
    y = spec.data.real[_region_mask(spec, noise_ppm, "Noise region")]
    if y.size < 8:
        raise ProcessingError(f"The noise region holds only {y.size} points; give at least 8.")
    return float(np.std(y))


def signal_to_noise(spec: Spectrum, *, signal_ppm: Sequence[float], noise_ppm: Sequence[float]) -> float:
    """S/N: the highest real point in ``signal_ppm`` over the noise RMS in ``noise_ppm``."""
    peak = float(spec.data.real[_region_mask(spec, signal_ppm, "Signal region")].max())
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

    spec = _require_spectrum(spec, "pick_peaks")
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
        idx = idx[_region_mask(spec, region_ppm, "Peak-picking region")[idx]]
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


def vendor_agreement(ds: Dataset, spec: Spectrum | None = None, *, vendor: Dataset | None = None) -> float:
    """Correlation of qdkit's spectrum (default processing if ``spec`` is None) with the
    vendor's processed spectrum carried by ``ds`` (TopSpin ``1r``), or by ``vendor`` (e.g. the
    JCAMP-DX spectrum file that accompanies a JCAMP-DX FID).

    Magnitude vendor spectra (PH_mod = 2, ``mc``/``fmc``) are compared as magnitudes, the
    others as real parts.
    """
    if vendor is not None:
        ds = ds.replace(vendor_spectrum=vendor.vendor_spectrum)
    if ds.vendor_spectrum is None:
        raise ProcessingError(
            f"{ds.meta.source or 'This dataset'} carries no vendor spectrum (no pdata/N/1r) to compare with."
        )
    if spec is None:
        spec = process(ds)
    vendor = np.asarray(ds.vendor_spectrum)
    ours = np.abs(spec.data) if _ph_mod(ds.procs) == 2 else spec.data.real
    if ours.shape != vendor.shape:
        raise ProcessingError(
            f"qdkit's spectrum has {ours.size} points, the vendor's {vendor.size}; they must be "
            "processed with the same size (SI)."
        )
    return correlation(ours, vendor.real)


# ---------------------------------------------------------------------------------------
# Default processing
# ---------------------------------------------------------------------------------------


def _num(procs: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = procs.get(key, default)
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _ph_mod(procs: dict[str, Any]) -> int:
    """TopSpin PH_mod (0 none, 1 phase with PHC0/PHC1, 2 magnitude). JCAMP-DX exports carry
    PHC0/PHC1 but no PH_mod: their spectra are phased."""
    if "PH_mod" not in procs and ("PHC0" in procs or "PHC1" in procs):
        return 1
    return int(_num(procs, "PH_mod", 0))


def next_power_of_two(n: int) -> int:
    return 1 << max(0, int(n - 1).bit_length())


def default_lb_hz(ds: Dataset) -> float:
    """A modest line broadening: one digital-resolution unit, 1/AQ = SW/TD (smooths the
    truncation wiggles without visibly broadening lines)."""
    return _sw_hz(ds.meta) / ds.data.shape[-1]


def topspin_recipe(ds: Dataset) -> list[dict[str, Any]]:
    """The recipe that reproduces TopSpin's processing from ``ds.procs`` (1D).

    Uses TDeff, FCOR, BC_mod (single/quad DC offset), WDW/LB/GB/SSB, SI, the group delay,
    PH_mod with PHC0/PHC1 (or magnitude). SR is already in ``meta.reference_mhz`` (SF).
    """
    procs = ds.procs
    n = ds.data.shape[-1]
    recipe: list[dict[str, Any]] = []
    tdeff = int(_num(procs, "TDeff")) // 2
    si = int(_num(procs, "SI")) or next_power_of_two(n)
    keep = min(n, tdeff if tdeff > 0 else n, si)
    if keep < n:
        recipe.append({"step": "truncate", "points": keep})
    fcor = _num(procs, "FCOR", 1.0)
    if fcor != 1.0:
        recipe.append({"step": "scale_first_point", "factor": fcor})
    bc = int(_num(procs, "BC_mod"))
    g = float(ds.meta.group_delay_pts or 0.0)
    if bc in (1, 2):
        recipe.append({"step": "dc_offset", "tail_fraction": 0.25, "start_point": math.ceil(g)})
    elif bc:
        warnings.warn(
            f"TopSpin BC_mod = {bc} (polynomial/filter FID correction) is not reproduced; "
            "qdkit applies no FID baseline correction.",
            stacklevel=3,
        )
    wdw = int(_num(procs, "WDW"))
    if wdw not in _TOPSPIN_WDW:
        raise ProcessingError(
            f"TopSpin window WDW = {_TOPSPIN_WDW_NAMES.get(wdw, wdw)} is not supported by qdkit "
            f"(supported: {', '.join(n.upper() for n in _TOPSPIN_WDW.values())}). Pass an explicit "
            "recipe with an apodize step instead."
        )
    window = _TOPSPIN_WDW[wdw]
    if window == "em" and _num(procs, "LB"):
        recipe.append({"step": "apodize", "window": "em", "lb_hz": _num(procs, "LB")})
    elif window == "gm":
        recipe.append({"step": "apodize", "window": "gm", "lb_hz": _num(procs, "LB"), "gb": _num(procs, "GB")})
    elif window in ("sine", "qsine"):
        recipe.append({"step": "apodize", "window": window, "ssb": _num(procs, "SSB")})
    if si > keep:
        recipe.append({"step": "zero_fill", "size": si})
    if g:
        recipe.append({"step": "remove_group_delay", "points": g})
    recipe.append({"step": "ft"})
    ph_mod = _ph_mod(procs)
    if ph_mod == 2:
        recipe.append({"step": "magnitude"})
    else:
        p0 = (_num(procs, "PHC0") if ph_mod == 1 else 0.0) + 180.0 * g
        p1 = _num(procs, "PHC1") if ph_mod == 1 else 0.0
        if p0 % 360.0 or p1:
            recipe.append({"step": "phase", "p0_deg": p0, "p1_deg": p1, "pivot_ppm": None})
    return recipe


def default_recipe(ds: Dataset) -> list[dict[str, Any]]:
    """qdkit's automatic recipe: TopSpin's parameters when the dataset has them, else the
    first point halved (:func:`scale_first_point`), a modest exponential (:func:`default_lb_hz`), zero filling to twice the
    next power of two, FT and automatic zero-order phase (first order 0: the group delay
    removal already accounts for the timing)."""
    if ds.procs and ds.procs.get("SI"):
        return topspin_recipe(ds)
    n = ds.data.shape[-1]
    recipe: list[dict[str, Any]] = [
        {"step": "scale_first_point", "factor": 0.5},
        {"step": "apodize", "window": "em", "lb_hz": default_lb_hz(ds)},
    ]
    recipe.append({"step": "zero_fill", "size": 2 * next_power_of_two(n)})
    g = float(ds.meta.group_delay_pts or 0.0)
    if g:
        recipe.append({"step": "remove_group_delay", "points": g})
    recipe.append({"step": "ft"})
    recipe.append({"step": "autophase", "p1_deg": 0.0})
    return recipe


def is_true_2d(ds: Dataset) -> bool:
    """True for a 2D experiment with a quadrature-detected indirect dimension (FnMODE set),
    False for 1D data and for pseudo-2D series (delay lists, phase-cycle rows)."""
    return (
        np.ndim(ds.data) == 2
        and not ds.meta.extra.get("pseudo_nd", True)
        and not ds.meta.delays_s
        and ds.meta.fnmode not in (None, "undefined", "0")
    )


def process(dataset: Dataset, recipe: Iterable[dict[str, Any]] | str | os.PathLike | None = None) -> Spectrum:
    """Process a 1D dataset with ``recipe`` (a list of steps, or a recipe JSON text or file),
    or with :func:`default_recipe`. A true 2D dataset without a recipe goes to
    :func:`qdkit.twod.process_2d` and comes back as a ``Spectrum2D``.

    The returned spectrum's ``recipe`` records every step with resolved parameters, after
    the steps the dataset already went through (``dataset.recipe``, e.g. echo co-addition),
    so ``process(dataset, spec.recipe)`` gives the same spectrum again: a recipe that starts
    with the dataset's own history replays only the rest.

    Examples
    --------
    >>> spec = process(ds)                       # doctest: +SKIP
    >>> again = process(ds, spec.recipe)         # doctest: +SKIP
    """
    if not isinstance(dataset, Dataset):
        raise ProcessingError(f"process expects a Dataset (from qdkit.read), got {type(dataset).__name__}.")
    if isinstance(recipe, (str, os.PathLike)):
        recipe = from_json(recipe)
    if recipe is None and is_true_2d(dataset):
        from .twod import process_2d

        return process_2d(dataset)
    steps = default_recipe(dataset) if recipe is None else [dict(e) for e in recipe]
    done = [dict(e) for e in dataset.recipe]
    if done and steps[: len(done)] == done:
        steps = steps[len(done) :]
    out = apply(dataset, steps)
    if not isinstance(out, Spectrum) and not hasattr(out, "ppm_indirect"):
        raise ProcessingError(
            "The recipe ended in the time domain; add an 'ft' step to get a spectrum."
        )
    return out
