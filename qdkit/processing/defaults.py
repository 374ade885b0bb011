"""Default recipes: TopSpin's own processing parameters when present, sensible values otherwise."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from qdkit.dataset import Dataset
from qdkit.errors import ProcessingError
from qdkit.processing.checks import spectral_width_hz
from qdkit.processing.fid import TOPSPIN_OTHER_WINDOWS, TOPSPIN_WINDOWS

__all__ = [
    "phase_mode",
    "next_power_of_two",
    "default_lb_hz",
    "topspin_recipe",
    "default_recipe",
    "is_true_2d",
]


# ---------------------------------------------------------------------------------------
# Default processing
# ---------------------------------------------------------------------------------------


def _num(procs: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = procs.get(key, default)
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def phase_mode(procs: dict[str, Any]) -> int:
    """TopSpin PH_mod (0 none, 1 phase with PHC0/PHC1, 2 magnitude). JCAMP-DX exports carry
    PHC0/PHC1 but no PH_mod: their spectra are phased.

    Parameters
    ----------
    procs : dict
        TopSpin's processing parameters.

    Returns
    -------
    int
    """
    if "PH_mod" not in procs and ("PHC0" in procs or "PHC1" in procs):
        return 1
    return int(_num(procs, "PH_mod", 0))


def next_power_of_two(n: int) -> int:
    """The smallest power of two ≥ ``n`` (1 for n ≤ 1).

    Parameters
    ----------
    n : int
        A length.

    Returns
    -------
    int

    Examples
    --------
    >>> next_power_of_two(1000), next_power_of_two(1024)
    (1024, 1024)
    """
    return 1 << max(0, int(n - 1).bit_length())


def default_lb_hz(ds: Dataset) -> float:
    """A modest line broadening: one digital-resolution unit, 1/AQ = SW/TD (smooths the
    truncation wiggles without visibly broadening lines).

    Parameters
    ----------
    ds : Dataset
        Supplies the spectral width and the number of points.

    Returns
    -------
    float
        Line broadening, Hz.
    """
    return spectral_width_hz(ds.meta) / ds.data.shape[-1]


def topspin_recipe(ds: Dataset) -> list[dict[str, Any]]:
    """The recipe that reproduces TopSpin's processing from ``ds.procs`` (1D).

    Uses TDeff, FCOR, BC_mod (single/quad DC offset), WDW/LB/GB/SSB, SI, the group delay,
    PH_mod with PHC0/PHC1 (or magnitude). SR is already in ``meta.reference_mhz`` (SF).

    Parameters
    ----------
    ds : Dataset
        A dataset read with TopSpin's processing parameters.

    Returns
    -------
    list of dict
        The recipe.

    Raises
    ------
    ProcessingError
        When ``procs`` names a window function (WDW) qdkit does not support.
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
    if wdw not in TOPSPIN_WINDOWS:
        raise ProcessingError(
            f"TopSpin window WDW = {TOPSPIN_OTHER_WINDOWS.get(wdw, wdw)} is not supported by qdkit "
            f"(supported: {', '.join(n.upper() for n in TOPSPIN_WINDOWS.values())}). Pass an explicit "
            "recipe with an apodize step instead."
        )
    window = TOPSPIN_WINDOWS[wdw]
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
    ph_mod = phase_mode(procs)
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
    first point halved (:func:`~qdkit.processing.fid.scale_first_point`), a modest exponential
    (:func:`default_lb_hz`), zero filling to twice the next power of two, FT and automatic
    zero-order phase (first order 0: the group delay removal already accounts for the timing).

    Parameters
    ----------
    ds : Dataset
        A 1D dataset.

    Returns
    -------
    list of dict
        The recipe.
    """
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
    False for 1D data and for pseudo-2D series (delay lists, phase-cycle rows).

    Parameters
    ----------
    ds : Dataset
        Any dataset.

    Returns
    -------
    bool
    """
    return (
        np.ndim(ds.data) == 2
        and not ds.meta.extra.get("pseudo_nd", True)
        and not ds.meta.delays_s
        and ds.meta.fnmode not in (None, "undefined", "0")
    )
