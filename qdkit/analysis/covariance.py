"""Covariance of a least-squares fit from finite differences, and the noise-correlation factor of its residuals.

Used by the joint contact-series fit (:mod:`qdkit.analysis.infer`): steps suited to each
parameter, one-sided next to a physical bound; parameters the data ignore keep NaN variance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdkit.analysis.fit import FitResult
from qdkit.dataset import Spectrum
from qdkit.errors import ModelParameterError
from qdkit.models.cp import buildup
from qdkit.processing.measure import noise_rms
from qdkit.processing.series import contact_series
from qdkit.simulation.mas import site_spectra
from qdkit.simulation.sites import Site

from .structure import StructureResult, diameter_from_surface_fraction, structure

__all__ = ["shifted_params", "integrated_autocorrelation", "difference_step", "finite_difference_covariance"]

#: Absolute finite-difference steps of lineshape parameters (their natural resolution).
ABS_STEPS = {"iso_ppm": 1e-3, "aniso_ppm": 0.05, "eta": 1e-3, "fwhm_hz": 0.5, "lorentz_hz": 0.5}


def shifted_params(params, name: str, value: float):
    """A copy of ``params`` with one value moved (bounds lifted: finite differences).

    Parameters
    ----------
    params : lmfit.Parameters
        The parameters (left unchanged).
    name : str
        The parameter to move.
    value : float
        Its new value, allowed outside its bounds.

    Returns
    -------
    lmfit.Parameters
    """
    p = params.copy()
    p[name].set(min=-np.inf, max=np.inf)
    p[name].set(value=value)
    return p


def integrated_autocorrelation(residuals: list[np.ndarray]) -> float:
    """1 + 2 Σ_k ρ_k of the residuals (summed until ρ_k first falls below 0.05), ≥ 1.

    For regressors smooth on the scale of the noise correlation, least-squares variances
    grow by this factor over the white-noise formula (e.g. Priestley, *Spectral Analysis and
    Time Series*, 1981, §5.3).

    Parameters
    ----------
    residuals : list of ndarray
        Residuals of each spectrum; lags up to 64 points, pooled over the spectra.

    Returns
    -------
    float
        The factor, ≥ 1 (1 for white noise or all-zero residuals).
    """
    num = np.zeros(65)
    den = 0.0
    for r in residuals:
        r = r - r.mean()
        den += float(r @ r)
        for k in range(1, min(65, r.size)):
            num[k] += float(r[:-k] @ r[k:])
    if den <= 0:
        return 1.0
    rho = num / den
    total = 1.0
    for k in range(1, 65):
        if rho[k] < 0.05:
            break
        total += 2.0 * rho[k]
    return max(total, 1.0)


def difference_step(name: str, value: float, coarse: bool) -> float:
    """Finite-difference step: absolute for logs and lineshape parameters, relative for amplitudes.

    Parameters
    ----------
    name : str
        Parameter name: ``log_…`` (a natural log), ending in a key of :data:`ABS_STEPS`, or anything else (amplitude).
    value : float
        Its current value.
    coarse : bool
        Larger steps for logs and amplitudes (1e-3 and 1e-4 instead of 1e-5 and 1e-6 relative).

    Returns
    -------
    float
        The step, in the parameter's units.
    """
    if name.startswith("log_"):
        return 1e-3 if coarse else 1e-5
    for suffix, h in ABS_STEPS.items():
        if name.endswith(suffix):
            return max(h, 1e-4 * abs(value))
    return (1e-4 if coarse else 1e-6) * max(abs(value), 1e-12)


def finite_difference_covariance(residual, params, names, coarse: bool) -> np.ndarray:
    """(JᵀJ)⁻¹ over ``names`` by central differences of the residual at the optimum.

    Parameters whose column of J vanishes (the data do not depend on them at all) get NaN
    variance instead of making the whole matrix singular.

    Parameters
    ----------
    residual : callable
        Maps lmfit Parameters to the residual vector (already divided by the noise σ).
    params : lmfit.Parameters
        The optimum; bounds make a step one-sided.
    names : sequence of str
        The parameters to include, in the order of the matrix.
    coarse : bool
        Passed to :func:`difference_step`.

    Returns
    -------
    ndarray, shape (len(names), len(names))
        The covariance; NaN rows and columns for parameters the residual does not depend on (all NaN if JᵀJ of
        the others is singular).
    """
    if not names:
        return np.zeros((0, 0))
    cols = []
    for name in names:
        v = params[name].value
        h = difference_step(name, v, coarse)
        # one-sided next to a physical bound (a width at 0, η at 1)
        lo = v - h if v - h >= params[name].min else v
        hi = v + h if v + h <= params[name].max else v
        cols.append(
            (residual(shifted_params(params, name, hi)) - residual(shifted_params(params, name, lo))) / (hi - lo)
        )
    jac = np.stack(cols, 1)
    norms = np.linalg.norm(jac, axis=0)
    live = np.isfinite(norms) & (norms > 0)
    out = np.full((len(names), len(names)), np.nan)
    info = jac[:, live].T @ jac[:, live]
    try:
        out[np.ix_(live, live)] = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        pass
    return out
