"""CPMG echo trains: find the echoes, co-add them, and make spikelet or ordinary spectra.

A (CP-)CPMG acquisition records a train of echoes one period apart. Its Fourier transform
is a spikelet spectrum (lines every 1/period Hz under the powder envelope); co-adding the
echoes and transforming one echo gives the ordinary lineshape with the S/N of the whole
train (Larsen et al., J. Phys. Chem. A 101, 8597 (1997); used in the paper's SI Figure S1).
"""

from __future__ import annotations

import numpy as np

from qdkit.dataset import Dataset, Spectrum
from qdkit.errors import ProcessingError
from qdkit.processing.defaults import next_power_of_two
from qdkit.processing.echoes import coadd_echoes, echo_train
from qdkit.processing.pipeline import process

__all__ = [
    "spikelet_recipe",
    "spikelet_spectrum",
    "lineshape_recipe",
    "lineshape",
    "stitch_spectra",
]


# --- spectra --------------------------------------------------------------------------


def _finish(steps: list, magnitude: bool) -> list:
    steps.append({"step": "ft"})
    steps.append({"step": "magnitude"} if magnitude else {"step": "autophase", "p1_deg": 0.0})
    return steps


def spikelet_recipe(
    ds: Dataset,
    *,
    lb_hz: float = 0.0,
    size: int | None = None,
    points: int | None = None,
    magnitude: bool = True,
) -> list[dict]:
    """Recipe for the spikelet spectrum: the whole train, group delay removed, FT.

    Spikelets sit every 1/period Hz under the powder envelope. Magnitude by default: the
    echo phases across a WURST-CPMG train make a phased spikelet spectrum need a large,
    sample-specific first-order phase (TopSpin PHC1 ~1e4–1e5°).

    Parameters
    ----------
    ds : Dataset
        A CPMG dataset.
    lb_hz : float, default 0
        Exponential line broadening, Hz.
    size : int, optional
        Zero-filled length (default: twice the next power of two).
    points : int, optional
        Keep only the first ``points`` of the train (TopSpin TDeff/2).
    magnitude : bool, default True
        End with a magnitude calculation instead of a phase.

    Returns
    -------
    list of dict
        The recipe, ready for :func:`qdkit.process`.
    """

    n = echo_train(ds).size
    steps: list[dict] = []
    if points is not None and int(points) < n:
        n = int(points)
        steps.append({"step": "truncate", "points": n})
    if lb_hz:
        steps.append({"step": "apodize", "window": "em", "lb_hz": float(lb_hz)})
    steps.append({"step": "zero_fill", "size": int(size or next_power_of_two(n))})
    g = float(ds.meta.group_delay_pts or 0.0)
    if g:
        steps.append({"step": "remove_group_delay", "points": g})
    return _finish(steps, magnitude)


def spikelet_spectrum(ds: Dataset, **options) -> Spectrum:
    """Spikelet spectrum of a CPMG train (FT of the whole train); see :func:`spikelet_recipe`.

    Parameters
    ----------
    ds : Dataset
        A CPMG dataset.
    **options
        Passed to :func:`spikelet_recipe`.

    Returns
    -------
    Spectrum
    """

    return process(ds.replace(procs={}), spikelet_recipe(ds, **options))


def lineshape_recipe(
    ds: Dataset,
    *,
    size: int | None = None,
    magnitude: bool = False,
    **coadd_options,
) -> list[dict]:
    """Recipe for the ordinary lineshape of a CPMG train: co-add, then FT one echo.

    The co-addition is resolved now (echo positions and weights are fixed in the recipe).
    The whole echo is zero-filled and rotated so that its top is time zero (the points
    before the top wrap to negative times), which gives pure absorption after a zero-order
    phase — or use ``magnitude=True`` as TopSpin's co-addition AU programs do.

    Parameters
    ----------
    ds : Dataset
        A CPMG dataset.
    size : int, optional
        Zero-filled length of the co-added echo.
    magnitude : bool, default False
        Magnitude instead of automatic zero-order phase.
    **coadd_options
        Passed to :func:`~qdkit.processing.echoes.coadd_echoes` (``weighting``,
        ``n_echoes``, ``lb_hz`` ...).

    Returns
    -------
    list of dict
        The recipe, ready for :func:`qdkit.process`.
    """

    echo = coadd_echoes(ds, **coadd_options)
    entry = dict(echo.recipe[-1])
    steps: list[dict] = [entry]
    w = echo.data.size
    steps.append({"step": "zero_fill", "size": int(size or 2 * next_power_of_two(w))})
    steps.append({"step": "remove_group_delay", "points": float(w // 2)})
    return _finish(steps, magnitude)


def lineshape(ds: Dataset, **options) -> Spectrum:
    """Ordinary lineshape of a CPMG train by echo co-addition; see :func:`lineshape_recipe`.

    Parameters
    ----------
    ds : Dataset
        A CPMG dataset.
    **options
        Passed to :func:`lineshape_recipe`.

    Returns
    -------
    Spectrum
    """

    return process(ds, lineshape_recipe(ds, **options))


def stitch_spectra(spectra, *, mode: str = "skyline") -> Spectrum:
    """Join sub-spectra of a frequency-stepped (VOCS) CPMG on one ppm axis.

    Every spectrum's real part is interpolated onto a common axis spanning all of them
    (point spacing of the finest); ``"skyline"`` keeps the largest value at each point
    (the usual choice for magnitude sub-spectra, which overlap with different
    excitation efficiency), ``"sum"`` adds them. The result's reference frequency and
    metadata are those of the first spectrum.

    Parameters
    ----------
    spectra : iterable of Spectrum
        At least two sub-spectra of one nucleus.
    mode : {"skyline", "sum"}, default "skyline"
        How overlapping points combine.

    Returns
    -------
    Spectrum

    Raises
    ------
    ProcessingError
        For fewer than two spectra, an unknown mode, or spectra of different nuclei.
    """
    spectra = list(spectra)
    if len(spectra) < 2:
        raise ProcessingError("Stitching needs at least two sub-spectra.")
    if mode not in ("skyline", "sum"):
        raise ProcessingError(f"Unknown stitching mode {mode!r}; use 'skyline' or 'sum'.")
    nuclei_seen = {s.meta.nucleus for s in spectra}
    if len(nuclei_seen) > 1:
        raise ProcessingError(f"Sub-spectra of different nuclei cannot be stitched: {sorted(map(str, nuclei_seen))}.")
    step_ppm = min(abs(s.ppm[0] - s.ppm[1]) for s in spectra)
    hi = max(s.ppm.max() for s in spectra)
    lo = min(s.ppm.min() for s in spectra)
    ppm = hi - step_ppm * np.arange(int(np.floor((hi - lo) / step_ppm)) + 1)
    stack = np.full((len(spectra), ppm.size), np.nan)
    for row, s in zip(stack, spectra):
        order = np.argsort(s.ppm)
        inside = (ppm >= s.ppm.min()) & (ppm <= s.ppm.max())
        row[inside] = np.interp(ppm[inside], s.ppm[order], s.real[order])
    data = np.nanmax(stack, axis=0) if mode == "skyline" else np.nansum(stack, axis=0)
    first = spectra[0]
    ref = float(first.meta.reference_mhz)
    sw_hz = (hi - lo) * ref
    centre_mhz = ref * (1 + 0.5 * (hi + lo) * 1e-6)
    meta = first.meta.replace(sw_hz=sw_hz, larmor_mhz=centre_mhz, td=None)
    return Spectrum(data=data.astype(complex), hz=ppm * ref, meta=meta, recipe=())
