"""``qdkit.process``: a dataset through a recipe (the default one, a list, or a saved JSON file)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np

from qdkit.dataset import Dataset, Spectrum
from qdkit.errors import ProcessingError
from qdkit.processing.correct import auto_zero_order_deg, phase
from qdkit.processing.defaults import default_recipe, is_true_2d, next_power_of_two, phase_mode
from qdkit.processing.measure import correlation
from qdkit.processing.recipe import from_json
from qdkit.processing.steps import apply
from qdkit.processing.twod import Spectrum2D, quadrature_mode

__all__ = [
    "recipe_2d",
    "with_indirect_carrier",
    "process_2d",
    "process",
    "vendor_agreement",
]


def process(dataset: Dataset, recipe: Iterable[dict[str, Any]] | str | os.PathLike | None = None) -> Spectrum:
    """Process a 1D dataset with ``recipe`` (a list of steps, or a recipe JSON text or file),
    or with :func:`default_recipe`. A true 2D dataset without a recipe goes to
    :func:`qdkit.twod.process_2d` and comes back as a ``Spectrum2D``.

    The returned spectrum's ``recipe`` records every step with resolved parameters, after
    the steps the dataset already went through (``dataset.recipe``, e.g. echo co-addition),
    so ``process(dataset, spec.recipe)`` gives the same spectrum again: a recipe that starts
    with the dataset's own history replays only the rest.

    Parameters
    ----------
    dataset : Dataset
        What :func:`qdkit.read` returned.
    recipe : list of dict, JSON text or path to a ``.json`` file, optional
        Steps to replay (default: :func:`~qdkit.processing.defaults.default_recipe`).

    Returns
    -------
    Spectrum or Spectrum2D

    Raises
    ------
    ProcessingError
        For something that is not a Dataset, or a recipe that ends before the Fourier transform.

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
        return process_2d(dataset)
    steps = default_recipe(dataset) if recipe is None else [dict(e) for e in recipe]
    done = [dict(e) for e in dataset.recipe]
    if done and steps[: len(done)] == done:
        steps = steps[len(done) :]
    out = apply(dataset, steps)
    if not isinstance(out, Spectrum) and not hasattr(out, "ppm_indirect"):
        raise ProcessingError("The recipe ended in the time domain; add an 'ft' step to get a spectrum.")
    return out


def vendor_agreement(ds: Dataset, spec: Spectrum | None = None, *, vendor: Dataset | None = None) -> float:
    """Correlation of qdkit's spectrum (default processing if ``spec`` is None) with the
    vendor's processed spectrum carried by ``ds`` (TopSpin ``1r``), or by ``vendor`` (e.g. the
    JCAMP-DX spectrum file that accompanies a JCAMP-DX FID).

    Magnitude vendor spectra (PH_mod = 2, ``mc``/``fmc``) are compared as magnitudes, the
    others as real parts.

    Parameters
    ----------
    ds : Dataset
        A dataset carrying its vendor spectrum, or the raw data for ``vendor``.
    spec : Spectrum, optional
        qdkit's spectrum (default: :func:`process` with the default recipe).
    vendor : Dataset, optional
        A separate dataset holding the vendor's spectrum.

    Returns
    -------
    float
        Pearson correlation (1 = identical shape).

    Raises
    ------
    ProcessingError
        Without a vendor spectrum, or when the sizes differ.
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
    ours = np.abs(spec.data) if phase_mode(ds.procs) == 2 else spec.data.real
    if ours.shape != vendor.shape:
        raise ProcessingError(
            f"qdkit's spectrum has {ours.size} points, the vendor's {vendor.size}; they must be "
            "processed with the same size (SI)."
        )
    return correlation(ours, vendor.real)


def recipe_2d(
    ds: Dataset,
    *,
    fnmode: str | int | None = None,
    direct: dict[str, Any] | None = None,
    indirect: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The recipe :func:`process_2d` runs: F2 steps of :mod:`qdkit.processing`, then F1.

    ``direct`` may hold ``window``, ``lb_hz``, ``gb``, ``ssb``, ``size``, ``p0_deg``,
    ``p1_deg`` (default: no apodization, zero fill to twice the next power of two,
    group-delay removal, and a zero-order phase chosen automatically on the first t1 row,
    which carries every cross peak with cos(0) = 1). ``indirect`` holds the keyword
    arguments of :func:`transform_indirect`.

    Parameters
    ----------
    ds : Dataset
        2D data.
    fnmode : str or int, optional
        Quadrature mode (default: ``meta.fnmode``).
    direct : dict, optional
        F2 options (above).
    indirect : dict, optional
        Keyword arguments of :func:`~qdkit.processing.twod.transform_indirect`.

    Returns
    -------
    list of dict

    Raises
    ------
    ProcessingError
        For data that is not 2D or unknown F2 options.
    """
    if np.ndim(ds.data) != 2:
        raise ProcessingError(f"A 2D recipe needs 2D data (t1 rows × t2), got shape {np.shape(ds.data)}.")
    direct = dict(direct or {})
    indirect = dict(indirect or {})
    mode = quadrature_mode(fnmode if fnmode is not None else ds.meta.fnmode)
    n2 = ds.data.shape[-1]
    f2: list[dict[str, Any]] = []
    window = direct.pop("window", "none")
    if window != "none":
        f2.append(
            {
                "step": "apodize",
                "window": window,
                "lb_hz": direct.pop("lb_hz", 0.0),
                "gb": direct.pop("gb", 0.0),
                "ssb": direct.pop("ssb", 0.0),
            }
        )
    size = int(direct.pop("size", 2 * next_power_of_two(n2)))
    if size > n2:
        f2.append({"step": "zero_fill", "size": size})
    g = float(ds.meta.group_delay_pts or 0.0)
    if g:
        f2.append({"step": "remove_group_delay", "points": g})
    f2.append({"step": "ft"})
    p0 = direct.pop("p0_deg", None)
    p1 = float(direct.pop("p1_deg", 0.0))
    if direct:
        raise ProcessingError(f"Unknown F2 processing options: {', '.join(direct)}.")
    if p0 is None:
        first_row = apply(ds.replace(data=ds.data[0], recipe=()), f2)
        if p1:
            first_row = phase(first_row, p0_deg=0.0, p1_deg=p1)
        p0 = auto_zero_order_deg(first_row.data)
    f2.append({"step": "phase", "p0_deg": float(p0), "p1_deg": p1, "pivot_ppm": None})
    return f2 + [{"step": "transform_indirect", "fnmode": mode, **indirect}]


def with_indirect_carrier(ds: Dataset) -> Dataset:
    """Fill ``meta.larmor_mhz_indirect`` from a Bruker ``acqu2s`` (SFO1) when the reader
    left it empty, so that the F1 ppm axis is centred on the real carrier.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    Dataset
    """
    acqu2s = ds.raw.get("acqu2s") if isinstance(ds.raw, dict) else None
    if ds.meta.larmor_mhz_indirect or not acqu2s or not acqu2s.get("SFO1"):
        return ds
    return ds.replace(meta=ds.meta.replace(larmor_mhz_indirect=(float(acqu2s["SFO1"]),)))


def process_2d(
    ds: Dataset,
    *,
    fnmode: str | int | None = None,
    direct: dict[str, Any] | None = None,
    indirect: dict[str, Any] | None = None,
) -> Spectrum2D:
    """Process a 2D dataset: F2 like a 1D spectrum, then F1 by its quadrature mode.

    Parameters
    ----------
    ds : Dataset
        2D data.
    fnmode, direct, indirect : optional
        As for :func:`recipe_2d`.

    Returns
    -------
    Spectrum2D

    Examples
    --------
    >>> spec = process_2d(ds, indirect={"window": "qsine", "ssb": 2})   # doctest: +SKIP
    >>> spec.ppm, spec.ppm_indirect, spec.real                            # doctest: +SKIP
    """
    ds = with_indirect_carrier(ds)
    return apply(ds.replace(recipe=()), recipe_2d(ds, fnmode=fnmode, direct=direct, indirect=indirect))
