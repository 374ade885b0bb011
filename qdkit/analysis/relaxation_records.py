"""Records of the relaxation fits (:class:`Estimate`, :class:`RecoveryFit`, :class:`T1Fit`) and the curves they draw.

Split from :mod:`qdkit.analysis.relaxation` (which re-exports every name) to keep modules short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdkit.analysis.result import FitResult
from qdkit.errors import ProcessingError

__all__ = ["MODELS", "Estimate", "recovery_kernel", "recovery_curve", "RecoveryFit", "T1Fit"]

#: Kernels, simplest first (the BIC choice prefers the earlier one when the evidence is weak).
MODELS = ("mono", "stretched", "bi")


@dataclass(frozen=True)
class Estimate:
    """A fitted value with its one-sigma uncertainty, or ``sigma=None`` and ``determined=False``
    (with the reason in ``note``) when the data cannot pin it down.

    Attributes
    ----------
    value, sigma, determined, note
        As above; ``value`` and ``sigma`` in the parameter's unit (s for ``*_s`` names).
    """

    value: float
    sigma: float | None
    determined: bool
    note: str = ""

    def __str__(self) -> str:
        if self.determined and self.sigma is not None:
            return f"{self.value:.4g} ± {self.sigma:.2g}"
        return f"{self.value:.4g} (undetermined: {self.note})"


def recovery_kernel(delays_s, model: str, params: dict[str, float]) -> np.ndarray:
    """The decaying part g(τ) of S(τ) = S∞·[1 − k·g(τ)].

    mono: g = exp(−τ/T) (Bloch; Levitt, *Spin Dynamics*, §11.9);
    stretched: g = exp(−(τ/T)^β), 0 < β ≤ 1 (relaxation by paramagnetic centres without
    spin diffusion gives β = 1/2: Tse & Hartmann, Phys. Rev. Lett. 21, 511 (1968); used for
    DNP build-ups e.g. by Rossini et al., Acc. Chem. Res. 46, 1942 (2013));
    bi: g = f·exp(−τ/T_fast) + (1 − f)·exp(−τ/T_slow) (two non-exchanging reservoirs).

    Parameters
    ----------
    delays_s : array_like
        Delays τ, s.
    model : {"mono", "stretched", "bi"}
        The kernel.
    params : dict of str to float
        ``t_s`` (mono); ``t_s``, ``beta`` (stretched); ``t_fast_s``, ``t_slow_s``,
        ``fraction_fast`` (bi); other keys are ignored.

    Returns
    -------
    ndarray
        g(τ), 1 at τ = 0.

    Raises
    ------
    ProcessingError
        For an unknown ``model``.
    """
    tau = np.asarray(delays_s, dtype=float)
    if model == "mono":
        return np.exp(-tau / params["t_s"])
    if model == "stretched":
        return np.exp(-np.power(tau / params["t_s"], params["beta"]))
    if model == "bi":
        f = params["fraction_fast"]
        return f * np.exp(-tau / params["t_fast_s"]) + (1.0 - f) * np.exp(-tau / params["t_slow_s"])
    raise ProcessingError(f"Unknown recovery model {model!r}; use one of {', '.join(MODELS)}.")


def recovery_curve(delays_s, model: str, params: dict[str, float]) -> np.ndarray:
    """S(τ) = S∞·[1 − k·g(τ)] with ``params`` holding ``m_inf``, ``efficiency`` (k) and the kernel's.

    Parameters
    ----------
    delays_s, model, params
        As for :func:`recovery_kernel`, ``params`` with ``m_inf`` (S∞) and ``efficiency`` too.

    Returns
    -------
    ndarray
        S(τ), in the units of ``m_inf``.
    """
    return params["m_inf"] * (1.0 - params["efficiency"] * recovery_kernel(delays_s, model, params))


@dataclass(frozen=True, eq=False, kw_only=True)
class RecoveryFit(FitResult):
    """One model fitted to one recovery or build-up curve.

    ``params`` maps ``m_inf``, ``efficiency`` and the kernel's time constants (``t_s``;
    ``beta``; ``t_fast_s``, ``t_slow_s``, ``fraction_fast``) to :class:`Estimate` (unlike
    the base class, where ``params`` holds lmfit Parameters: those are in
    ``lmfit_result.params``). ``bic`` is the Bayesian information criterion of this fit
    (lower is better).

    Attributes
    ----------
    kind, model, params, bic, rms_residual
        Preparation (:data:`KINDS`), kernel (:data:`MODELS`), see above, the RMS residual.
    delays_s, intensities : tuple
        The fitted curve sorted by delay.
    optimal_recycle : Estimate
        Recycle delay maximising (1 − g(d))/√d, s, σ from the fit covariance.
    values, stderr, undetermined, redchi, success, message, lmfit_result
        As for :class:`~qdkit.analysis.result.FitResult`; ``stderr`` is NaN for the
        parameters in ``undetermined`` (the parameters the data cannot determine).
    """

    kind: str
    model: str
    params: dict[str, Estimate] = field(hash=False)
    bic: float
    rms_residual: float
    delays_s: tuple[float, ...]
    intensities: tuple[float, ...]
    optimal_recycle: Estimate

    @property
    def result(self) -> Any:
        """The lmfit ``MinimizerResult`` (same object as ``lmfit_result``)."""
        return self.lmfit_result

    def curve(self, delays_s) -> np.ndarray:
        """The fitted S(τ) at ``delays_s``.

        Parameters
        ----------
        delays_s : array_like
            Delays τ, s.

        Returns
        -------
        ndarray
        """
        return recovery_curve(delays_s, self.model, self.values)

    @property
    def time_constant_s(self) -> Estimate:
        """T (mono, stretched) or the amplitude-weighted mean ⟨T⟩ = f·T_fast + (1−f)·T_slow (bi)."""
        if self.model != "bi":
            return self.params["t_s"]
        v = self.values
        mean = v["fraction_fast"] * v["t_fast_s"] + (1 - v["fraction_fast"]) * v["t_slow_s"]
        return Estimate(mean, None, False, "a weighted mean of two components")


@dataclass(frozen=True)
class T1Fit(FitResult):
    """Result of :func:`fit_t1`.

    ``m_inf`` is the fully relaxed signal; ``efficiency`` is how completely the preparation
    inverted (2 = perfect inversion) or saturated (1 = perfect saturation) it.

    Attributes
    ----------
    t1_s, t1_err_s, m_inf, efficiency, kind, rms_residual
        T1 and its one-sigma error (s; NaN where undetermined), M∞, k, the preparation, RMS residual.
    values, stderr, undetermined, redchi, success, message, params, lmfit_result
        As for :class:`~qdkit.analysis.result.FitResult` (keys ``t_s``, ``m_inf``,
        ``efficiency``; keyword-only).
    """

    t1_s: float
    t1_err_s: float
    m_inf: float
    efficiency: float
    kind: str
    rms_residual: float

    def model(self, delays_s) -> np.ndarray:
        """M(τ) = M∞·(1 − k·exp(−τ/T1)) with the fitted M∞, k and T1.

        Parameters
        ----------
        delays_s : array_like
            Recovery delays τ at which to draw the curve, s.

        Returns
        -------
        ndarray
            M(τ) in the units of ``m_inf``.
        """
        return recovery_curve(delays_s, "mono", {"m_inf": self.m_inf, "efficiency": self.efficiency, "t_s": self.t1_s})
