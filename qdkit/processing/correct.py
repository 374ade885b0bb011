"""Spectrum corrections: phase (manual, automatic zero order), magnitude, baseline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize_scalar

from qdkit.dataset import Spectrum
from qdkit.errors import ProcessingError
from qdkit.processing.checks import points_per_width, ppm_to_hz, require_spectrum
from qdkit.processing.measure import region_mask
from qdkit.processing.recipe import step

__all__ = [
    "phase_angles_deg",
    "phase",
    "auto_zero_order_deg",
    "autophase",
    "magnitude",
    "BASELINE_METHODS",
    "baseline",
]


# ---------------------------------------------------------------------------------------
# Spectrum -> Spectrum
# ---------------------------------------------------------------------------------------


def phase_angles_deg(
    spec: Spectrum, *, p0_deg: float, p1_deg: float = 0.0, pivot_ppm: float | None = None
) -> np.ndarray:
    """φ(ν) = p0 + p1·(ν_pivot − ν)/SW for each point; the pivot defaults to the first point.

    Parameters
    ----------
    spec : Spectrum
        Supplies the frequency axis.
    p0_deg : float
        Zero-order phase, degrees.
    p1_deg : float, default 0
        Phase change across the whole spectral width, degrees.
    pivot_ppm : float, optional
        Where the first-order term is zero (default: the first point).

    Returns
    -------
    numpy.ndarray
        Phase of each point, degrees.
    """
    width, first = points_per_width(spec)
    pivot = first if pivot_ppm is None else ppm_to_hz(spec, pivot_ppm)
    return p0_deg + p1_deg * (pivot - spec.hz) / width


@step
def phase(spec: Spectrum, *, p0_deg: float, p1_deg: float = 0.0, pivot_ppm: float | None = None) -> Spectrum:
    """Zero- and first-order phase correction, S·exp(iφ) with φ from :func:`phase_angles_deg`.

    ``p1_deg`` is the phase change across the whole spectral width; with ``pivot_ppm=None``
    it is zero at the first (leftmost, highest-ppm) point, which is TopSpin's PHC0/PHC1
    convention. A pivot at a peak lets p1 be changed without touching that peak's phase.

    Parameters
    ----------
    spec : Spectrum
        The spectrum to phase.
    p0_deg : float
        Zero-order phase, degrees.
    p1_deg : float, default 0
        First-order phase across the spectral width, degrees.
    pivot_ppm : float, optional
        Where the first-order term is zero.

    Returns
    -------
    Spectrum
        The phased spectrum, with this step in its recipe.
    """
    spec = require_spectrum(spec, "phase")
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

    Parameters
    ----------
    data : numpy.ndarray
        Complex spectrum (any shape; flattened).
    max_points : int, default 2048
        How many of the strongest points enter the criterion.

    Returns
    -------
    float
        Phase in degrees, in [0, 360).

    Raises
    ------
    ProcessingError
        For a spectrum that is all zeros.
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
def autophase(
    spec: Spectrum,
    *,
    p1_deg: float = 0.0,
    pivot_ppm: float | None = None,
    p0_deg: float | None = None,
    method: str = "absorption",
):
    """Automatic zero-order phase with a sign check; the first order ``p1_deg`` is given.

    ``p1_deg`` should come from timing: 0 once the group delay is removed, or
    360°·delay_s·SW for a known remaining delay (the same ramp TopSpin uses for GRPDLY).
    The chosen ``p0_deg`` is recorded, so the recipe replays without deciding again;
    passing ``p0_deg`` skips the search.

    Two ways to choose the zero-order phase:

    - ``"absorption"`` (default): the least negative-going lineshape
      (:func:`auto_zero_order_deg`), for FIDs and spectra of any kind.
    - ``"integral"``: the phase that makes the spectrum's integral real and positive. The
      integral is the time signal at t = 0, so for a whole echo (a co-added CPMG echo, a
      spin echo) transformed from its top this is the phase of the echo top: it uses all of
      the signal, where the lineshape criterion can wander on broad, noisy lines.

    Parameters
    ----------
    spec : Spectrum
        The spectrum to phase.
    p1_deg : float, default 0
        First-order phase across the spectral width, degrees.
    pivot_ppm : float, optional
        Where the first-order term is zero.
    p0_deg : float, optional
        A zero-order phase found before (skips the search).
    method : {"absorption", "integral"}
        How the zero-order phase is chosen (see above).

    Returns
    -------
    Spectrum
        The phased spectrum; its recipe holds the ``p0_deg`` found.

    Raises
    ------
    ProcessingError
        For an unknown ``method`` or a spectrum without signal.
    """
    spec = require_spectrum(spec, "autophase")
    if method not in ("absorption", "integral"):
        raise ProcessingError(f"autophase method must be 'absorption' or 'integral'; got {method!r}.")
    if p0_deg is None:
        trial = phase.raw(spec, p0_deg=0.0, p1_deg=p1_deg, pivot_ppm=pivot_ppm) if p1_deg else spec
        if method == "integral":
            total = complex(np.sum(trial.data))
            if total == 0 or not np.isfinite(total):
                raise ProcessingError("Phasing by the integral needs a spectrum whose integral is not zero.")
            p0_deg = float(np.degrees(-np.angle(total)) % 360.0)
        else:
            p0_deg = auto_zero_order_deg(trial.data)
    out = phase.raw(spec, p0_deg=p0_deg, p1_deg=p1_deg, pivot_ppm=pivot_ppm)
    return out, {"p1_deg": p1_deg, "pivot_ppm": pivot_ppm, "p0_deg": float(p0_deg), "method": method}


@step
def magnitude(spec: Spectrum) -> Spectrum:
    """|S|, the phase-free magnitude spectrum (TopSpin PH_mod = mc / fmc).

    Parameters
    ----------
    spec : Spectrum
        Any spectrum.

    Returns
    -------
    Spectrum
        Real, non-negative intensities.
    """
    spec = require_spectrum(spec, "magnitude")
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

    Parameters
    ----------
    spec : Spectrum
        A phased 1D spectrum.
    method : {"arpls", "asls", "poly", "snip"}, default "arpls"
        The baseline algorithm.
    lam : float, default 1e7
        Smoothness of ``"arpls"`` and ``"asls"``.
    order : int, default 3
        Polynomial order of ``"poly"``.
    half_window_points : int, optional
        Half window of ``"snip"``, points (default: pybaselines' choice).
    exclude_ppm : sequence of (float, float), optional
        Regions holding signal, left out of the fit (``"poly"``) or weighted zero.

    Returns
    -------
    Spectrum
        The spectrum minus its baseline.

    Raises
    ------
    ProcessingError
        For an unknown method, a 2D spectrum, or exclusion regions leaving too few points.
    """
    spec = require_spectrum(spec, "baseline")
    if method not in BASELINE_METHODS:
        raise ProcessingError(f"Unknown baseline method {method!r}; choose one of {', '.join(BASELINE_METHODS)}.")
    from pybaselines import Baseline

    y = spec.data.real
    if y.ndim != 1:
        raise ProcessingError("baseline works on 1D spectra; process 2D data row by row.")
    fitter = Baseline(x_data=np.arange(y.size, dtype=float))
    weights = np.ones(y.size)
    for region in exclude_ppm:
        weights[region_mask(spec, region, "Baseline exclusion region")] = 0.0
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
