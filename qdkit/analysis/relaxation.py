"""Longitudinal relaxation: T1 from inversion- or saturation-recovery series.

Fits the Bloch recovery of the longitudinal magnetization to integrals measured at a list
of recovery delays (vdlist, Varian arrays), with uncertainties from the fit covariance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdkit.errors import ProcessingError

__all__ = [
    "T1Fit",
    "recovery",
    "fit_t1",
]


_KINDS = ("inversion", "saturation")


@dataclass(frozen=True)
class T1Fit:
    """Result of :func:`fit_t1`.

    ``m_inf`` is the fully relaxed signal; ``efficiency`` is how completely the preparation
    inverted (2 = perfect inversion) or saturated (1 = perfect saturation) it.
    """

    t1_s: float
    t1_err_s: float
    m_inf: float
    efficiency: float
    kind: str
    rms_residual: float

    def model(self, delays_s) -> np.ndarray:
        """The fitted recovery curve at ``delays_s``."""
        return recovery(np.asarray(delays_s, dtype=float), t1_s=self.t1_s, m_inf=self.m_inf, efficiency=self.efficiency)


def recovery(delays_s, *, t1_s: float, m_inf: float, efficiency: float) -> np.ndarray:
    """M(τ) = M∞ · (1 − k·exp(−τ/T1)).

    Solution of the Bloch equation dMz/dt = (M∞ − Mz)/T1 with Mz(0) = M∞(1 − k):
    k = 2 for an ideal inversion recovery (Mz(0) = −M∞), k = 1 for an ideal saturation
    recovery (Mz(0) = 0). Fitting k absorbs imperfect pulses (Levitt, *Spin Dynamics*, §11).
    """
    tau = np.asarray(delays_s, dtype=float)
    return m_inf * (1.0 - efficiency * np.exp(-tau / t1_s))


def fit_t1(delays_s, intensities, *, kind: str = "inversion") -> T1Fit:
    """Fit T1 to a recovery series by non-linear least squares (scipy ``curve_fit``).

    Parameters
    ----------
    delays_s : sequence of float
        Recovery delays (s).
    intensities : sequence of float
        Signed integrals, one per delay, all processed with the same phase (an inversion
        recovery starts negative; see :func:`qdkit.twod.series_integrals`).
    kind : {"inversion", "saturation"}
        Sets the starting guess of the efficiency (2 or 1); both fit the same 3-parameter
        model :func:`recovery`.

    Returns
    -------
    T1Fit
        ``t1_err_s`` is the one-sigma error from the covariance matrix scaled by the
        residual variance.
    """
    from scipy.optimize import curve_fit

    if kind not in _KINDS:
        raise ProcessingError(f"Unknown recovery kind {kind!r}; use 'inversion' or 'saturation'.")
    tau = np.asarray(delays_s, dtype=float)
    y = np.asarray(intensities, dtype=float)
    if tau.shape != y.shape or tau.size < 4:
        raise ProcessingError(
            f"A T1 fit needs matching delays and intensities, at least four of each "
            f"(got {tau.size} delays, {y.size} intensities)."
        )
    if np.any(tau < 0):
        raise ProcessingError("Recovery delays must not be negative.")
    order = np.argsort(tau)
    tau, y = tau[order], y[order]
    m_inf0 = y[-1] if y[-1] != 0 else np.max(np.abs(y))
    k0 = 2.0 if kind == "inversion" else 1.0
    # start T1 where the signal has recovered half-way between its first and last value
    half = 0.5 * (y[0] + y[-1])
    crossing = np.nonzero(np.diff(np.sign(y - half)))[0]
    t1_0 = tau[crossing[0] + 1] / np.log(2.0) if crossing.size else np.median(tau[tau > 0])
    try:
        popt, pcov = curve_fit(
            lambda t, t1, m, k: m * (1.0 - k * np.exp(-t / t1)),
            tau,
            y,
            p0=(max(t1_0, 1e-9), m_inf0, k0),
            bounds=([1e-9, -np.inf, 0.0], [np.inf, np.inf, 3.0]),
            maxfev=20000,
        )
    except RuntimeError as exc:
        raise ProcessingError(f"The recovery curve could not be fitted ({exc}); check the integrals' signs.") from None
    t1_s, m_inf, k = (float(v) for v in popt)
    resid = y - recovery(tau, t1_s=t1_s, m_inf=m_inf, efficiency=k)
    err = float(np.sqrt(pcov[0, 0])) if np.all(np.isfinite(pcov)) else float("nan")
    return T1Fit(t1_s, err, m_inf, k, kind, float(np.sqrt(np.mean(resid**2))))
