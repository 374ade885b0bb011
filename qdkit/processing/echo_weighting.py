"""Weighting the echoes of a CPMG train before co-adding them: amplitudes, decay, weights.

Used by :func:`qdkit.processing.echoes.coadd_echoes`; the echoes come from
:func:`qdkit.processing.echoes.split_echoes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdkit.analysis.result import FitResult, reduced_chi_square, stderr_from_covariance
from qdkit.errors import ProcessingError

__all__ = ["echo_amplitudes", "EchoDecayFit", "fit_echo_decay", "echo_weights"]


def echo_amplitudes(echoes: np.ndarray) -> np.ndarray:
    """Signal amplitude of every echo: its projection on the mean echo.

    a_k = Re⟨m, e_k⟩ / ‖m‖ with m the plain average of the rows of :func:`~qdkit.processing.echoes.split_echoes`.
    Unlike the RMS of a window, the projection is unbiased by noise: an echo that has
    decayed into the noise gets an amplitude near zero (negative values are set to 0).

    Parameters
    ----------
    echoes : numpy.ndarray
        Echoes as rows.

    Returns
    -------
    numpy.ndarray
        One non-negative amplitude per echo.

    Raises
    ------
    ProcessingError
        When every echo is zero.
    """
    e = np.asarray(echoes)
    mean = e.mean(axis=0)
    norm = np.linalg.norm(mean)
    if norm == 0:
        raise ProcessingError("All echoes are zero; there is no signal to weight by.")
    return np.clip((e @ np.conj(mean)).real / norm, 0.0, None)


@dataclass(frozen=True)
class EchoDecayFit(FitResult):
    """Result of :func:`fit_echo_decay`; unpacks as ``t2_s, a0 = fit`` like the tuple it replaces.

    Attributes
    ----------
    t2_s : float
        Effective T2 of the echo train, s.
    a0 : float
        Fitted amplitude at the first echo, in the units of the amplitudes.
    values, stderr, undetermined, redchi, success, message, params, lmfit_result
        As for :class:`~qdkit.analysis.result.FitResult` (keyword-only; keys ``t2_s``,
        ``a0``; ``params`` and ``lmfit_result`` are None: scipy fit).
    """

    t2_s: float
    a0: float

    def __iter__(self):
        return iter((self.t2_s, self.a0))


def fit_echo_decay(amplitudes, period_s: float) -> EchoDecayFit:
    """Effective T2 of the train from the echo amplitudes: A_k = A0 exp(−k·period/T2).

    Non-linear least squares on the amplitudes themselves (scipy ``curve_fit``), so that
    echoes lost in the noise (amplitude ≈ 0) pull the fit as much as their noise
    deserves instead of dominating a log-linear fit.

    Parameters
    ----------
    amplitudes : array-like
        From :func:`echo_amplitudes`.
    period_s : float
        Echo period, s.

    Returns
    -------
    EchoDecayFit
        ``t2_s`` (decay constant, s) and ``a0`` (amplitude at the first echo) with their
        standard errors (covariance scaled by the residual variance); unpacks as ``(t2_s, a0)``.

    Raises
    ------
    ProcessingError
        With fewer than three echoes holding signal, or when the fit fails.
    """
    from scipy.optimize import curve_fit

    a = np.asarray(amplitudes, dtype=float)
    if a.size < 3 or a.max() <= 0:
        raise ProcessingError("Fitting an echo decay needs at least three echoes with signal.")
    t = np.arange(a.size) * float(period_s)
    strong = a > 0.2 * a.max()
    guess_t2 = max(t[strong][-1], period_s) if strong.sum() > 1 else period_s

    def decay(tt, amp, t2):
        return amp * np.exp(-tt / t2)

    try:
        (a0, t2_s), cov = curve_fit(
            decay,
            t,
            a,
            p0=(a.max(), guess_t2),
            bounds=([0.0, period_s * 1e-3], [np.inf, np.inf]),
        )
    except RuntimeError as exc:
        raise ProcessingError(f"The echo amplitudes do not follow an exponential decay ({exc}).") from None
    stderr, undetermined = stderr_from_covariance(("a0", "t2_s"), cov)
    return EchoDecayFit(
        float(t2_s),
        float(a0),
        values={"t2_s": float(t2_s), "a0": float(a0)},
        stderr={"t2_s": stderr["t2_s"], "a0": stderr["a0"]},
        undetermined=undetermined,
        redchi=reduced_chi_square(decay(t, a0, t2_s) - a, 2),
    )


def echo_weights(echoes: np.ndarray, weighting: str, period_s: float | None = None) -> np.ndarray:
    """Weights for co-adding echoes, scaled so that they average to 1.

    ``"none"``: plain sum (what TopSpin's co-addition does). ``"amplitude"``: each echo
    weighted by its own amplitude (:func:`echo_amplitudes`), the matched filter for white
    noise (echoes that have decayed into the noise would add noise, not signal). ``"t2"``:
    weights from a fitted exponential echo decay (smoother than ``"amplitude"`` when single
    echoes are noisy).

    Parameters
    ----------
    echoes : numpy.ndarray
        Echoes as rows.
    weighting : {"none", "amplitude", "t2"}
        The rule.
    period_s : float, optional
        Echo period, s (needed for ``"t2"``).

    Returns
    -------
    numpy.ndarray
        One weight per echo, mean 1.

    Raises
    ------
    ProcessingError
        For an unknown rule, or ``"t2"`` without a period.
    """
    n = len(echoes)
    if weighting == "none":
        w = np.ones(n)
    elif weighting == "amplitude":
        w = echo_amplitudes(echoes)
    elif weighting == "t2":
        if period_s is None:
            raise ProcessingError("T2 weighting needs the echo period in seconds.")
        t2_s = fit_echo_decay(echo_amplitudes(echoes), period_s).t2_s
        w = np.exp(-np.arange(n) * period_s / t2_s)
    else:
        raise ProcessingError(f"Unknown echo weighting {weighting!r}; use 'none', 'amplitude' or 't2'.")
    return w * (n / w.sum())
