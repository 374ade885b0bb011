"""Fit the CSA tensors of a spin-1/2 site to one MAS sideband manifold (co-added CPMG echoes of ¹¹⁹Sn, ²⁰⁷Pb ...).

A one-rate companion of :mod:`qdkit.analysis.mas_series`: read a CPMG train as a series, crop it, fit it blind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qdkit import nuclei
from qdkit.analysis.fit import FitData, FitResult, fit_sites
from qdkit.analysis.mas_series import SpinRateSeries, fit_data_from_spectrum
from qdkit.errors import ModelParameterError
from qdkit.simulation.sites import Site

__all__ = ["crop", "cpmg_series", "fit_csa_manifold"]


def crop(data: FitData, region_ppm: tuple[float, float]) -> FitData:
    """The part of a spectrum inside ``region_ppm`` (both ends included).

    Parameters
    ----------
    data : FitData
        One spectrum on an even ppm axis.
    region_ppm : (float, float)
        The region, ppm, either order.

    Returns
    -------
    FitData
        The points inside the region, with the field, spinning rate, noise settings and label of ``data``.

    Raises
    ------
    ModelParameterError
        Fewer than 16 points lie in the region.
    """
    lo, hi = sorted(float(v) for v in region_ppm)
    keep = (data.ppm >= lo) & (data.ppm <= hi)
    if keep.sum() < 16:
        raise ModelParameterError(
            f"Only {int(keep.sum())} points of {data.label!r} lie in {lo:g} … {hi:g} ppm; "
            "choose a region that holds the whole sideband manifold."
        )
    return FitData(
        ppm=data.ppm[keep],
        y=data.y[keep],
        field_T=data.field_T,
        mas_hz=data.mas_hz,
        sigma=data.sigma,
        noise_region_ppm=data.noise_region_ppm,
        label=data.label,
    )


def cpmg_series(folder: str | Path, *, label: str = "") -> SpinRateSeries:
    """A one-rate 'series' from a raw MAS CPMG echo train (a Bruker expno folder).

    The echoes are co-added into the ordinary lineshape (:func:`qdkit.processing.cpmg.lineshape`) in magnitude mode,
    because WURST-CPMG trains are not phased by a zero-order phase alone. Vendor-parameter warnings of the reader are
    silenced.

    Parameters
    ----------
    folder : str or Path
        The experiment (expno) folder holding the ``fid`` or ``ser`` file of the echo train.
    label : str
        Name of the series; default "<nucleus> CPMG, <rate> kHz MAS".

    Returns
    -------
    SpinRateSeries
        One spectrum (the co-added lineshape, with field and spinning rate from the acquisition parameters).

    Raises
    ------
    ReadError
        The folder cannot be read (from :func:`qdkit.io.read`).
    ProcessingError
        The data are not a CPMG echo train the lineshape can be built from.
    ModelParameterError
        The field or spinning rate is unknown, or the ppm axis is not even
        (:func:`qdkit.analysis.mas_series.fit_data_from_spectrum`).
    """
    import warnings

    from qdkit.io import read
    from qdkit.processing import cpmg

    with warnings.catch_warnings():  # vendor-parameter warnings are not this workflow's business
        warnings.simplefilter("ignore")
        train = read(folder)
    spec = cpmg.lineshape(train, magnitude=True)
    return SpinRateSeries(
        spec.meta.nucleus,
        (fit_data_from_spectrum(spec),),
        label or f"{spec.meta.nucleus} CPMG, {spec.meta.mas_hz / 1e3:g} kHz MAS",
    )


def fit_csa_manifold(
    data: FitData,
    nucleus: str,
    *,
    n_sites: int = 1,
    region_ppm: tuple[float, float] | None = None,
    fwhm_hz: float = 2000.0,
    n_peaks: int = 4,
) -> FitResult:
    """CSA tensors (δiso, δaniso, η) with σ from one MAS sideband manifold, started blind.

    With a single spinning rate the centre band is not known in advance, so fits are started from every choice of
    ``n_sites`` among the ``n_peaks`` tallest peaks as δiso, both signs of δaniso (magnitude from the manifold's
    second moment) and η 0.2 and 0.8; the lowest χ² wins (:func:`qdkit.fit.fit_sites`, a constant baseline as
    nuisance).

    Parameters
    ----------
    data, nucleus : FitData, str
        The spectrum (one spinning rate) and its spin-1/2 nucleus.
    n_sites, n_peaks : int
        Number of sites, and of the tallest peaks tried as their δiso.
    region_ppm : (float, float), optional
        Fit only this region (:func:`crop`).
    fwhm_hz : float
        Starting Gaussian FWHM, Hz.

    Returns
    -------
    FitResult
        The fit of lowest χ².

    Raises
    ------
    ModelParameterError
        No positive signal, or fewer peaks than ``n_sites``.

    Notes
    -----
    δaniso from the second moment: a static CSA pattern has M₂ = δaniso²(1 + η²/3)/5 (Mehring, *Principles of High
    Resolution NMR in Solids*, 1983), and MAS sidebands keep the static second moment about δiso (Maricq & Waugh
    1979), so |δaniso| ≈ √(5 M₂).
    """
    from itertools import combinations

    from scipy.signal import find_peaks

    if region_ppm is not None:
        data = crop(data, region_ppm)
    y = data.y - np.median(data.y)
    positive = np.clip(y, 0.0, None)
    if not positive.sum() > 0:
        raise ModelParameterError(f"{data.label!r} holds no positive signal to fit.")
    centre = float(np.average(data.ppm, weights=positive))
    aniso = float(np.sqrt(5.0 * np.average((data.ppm - centre) ** 2, weights=positive)))
    peaks, _ = find_peaks(y, height=0.2 * y.max())
    if peaks.size < n_sites:
        raise ModelParameterError(f"Found {peaks.size} peaks in {data.label!r}, fewer than n_sites={n_sites}.")
    peaks = peaks[np.argsort(y[peaks])[::-1][: max(n_peaks, n_sites)]]
    spacing_ppm = data.mas_hz / nuclei.get(nucleus).reference_mhz(data.field_T)
    best = None
    for isos in combinations(data.ppm[peaks], n_sites):
        for sign in (1.0, -1.0):
            for eta in (0.2, 0.8):
                start = [Site(nucleus, float(iso), sign * aniso, eta, fwhm_hz) for iso in isos]
                result = fit_sites(data, start, baseline_order=0, iso_window_ppm=max(0.6 * spacing_ppm, 1.0))
                if best is None or result.redchi < best.redchi:
                    best = result
    return best
