"""Longitudinal relaxation and DNP build-up: T1 and T_B from recovery series, and the best recycle delay.

Saturation recovery, inversion recovery and the DNP build-up after a saturation train share
S(τ) = S∞·[1 − k·g(τ)]; g is fitted as a mono-, stretched- or bi-exponential (lmfit) with σ,
the BIC chooses between them, and parameters the data cannot determine are flagged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qdkit.analysis.relaxation_records import MODELS, Estimate, RecoveryFit, T1Fit, recovery_curve, recovery_kernel
from qdkit.errors import ProcessingError
from qdkit.models.sensitivity import optimal_recycle_s

__all__ = [
    "KINDS",
    "MODELS",
    "Estimate",
    "RecoveryFit",
    "ModelChoice",
    "recovery_kernel",
    "recovery_curve",
    "fit_recovery",
    "fit_recovery_models",
    "optimal_recycle_for_kernel_s",
    "T1Fit",
    "recovery",
    "fit_t1",
]

#: What prepared the magnetisation: the starting guess of the efficiency k and its bounds.
KINDS = {"saturation": (1.0, (0.0, 1.5)), "buildup": (1.0, (0.0, 1.5)), "inversion": (2.0, (0.0, 2.5))}
#: ΔBIC below which the simpler model is kept (Kass & Raftery, J. Am. Stat. Assoc. 90, 773
#: (1995): a BIC difference under 2 is "not worth more than a bare mention").
BIC_MARGIN = 2.0
#: A time constant is only determined by delays that bracket it; beyond this factor outside
#: the sampled range the fit extrapolates.
_RANGE_FACTOR = 2.0


# --- optimal recycle delay ---------------------------------------------------------------


def optimal_recycle_for_kernel_s(kernel: Callable[[np.ndarray], np.ndarray], scale_s: float) -> float:
    """Recycle delay d maximising sensitivity per unit time, (1 − g(d))/√d.

    With a saturating scan every d seconds the signal per scan is S∞(1 − g(d)) and the noise
    of n scans in a fixed time grows as √n ∝ 1/√d (e.g. Rossini et al., J. Am. Chem. Soc.
    134, 16899 (2012), SI; for a mono-exponential the optimum is d = 1.2564·T).
    For a mono-exponential use :func:`qdkit.models.sensitivity.optimal_recycle_s` (a root,
    exact); this grid-and-bracket search serves any kernel (stretched, bi-exponential).
    ``scale_s`` is a typical time constant (the search spans 1e-3 … 1e3 of it). Where the
    ratio keeps growing as d → 0 (a stretched exponential with β ≤ 1/2) the lower end of
    the search is returned.

    Parameters
    ----------
    kernel : callable
        g(d) on an array of delays in s, decaying from 1.
    scale_s : float
        Typical time constant of the kernel, s.

    Returns
    -------
    float
        The optimal recycle delay, s.
    """
    from scipy.optimize import minimize_scalar

    def negative(log_d):
        d = math.exp(log_d)
        return -float(1.0 - kernel(np.array([d]))[0]) / math.sqrt(d)

    grid = np.log(scale_s) + np.linspace(math.log(1e-3), math.log(1e3), 241)
    values = [negative(x) for x in grid]
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best = minimize_scalar(negative, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    return float(math.exp(best.x))


# --- fitting ----------------------------------------------------------------------------


def _checked(delays_s, intensities, sigma, kind: str):
    if kind not in KINDS:
        raise ProcessingError(f"Unknown curve kind {kind!r}; use one of {', '.join(KINDS)}.")
    tau = np.asarray(delays_s, dtype=float)
    y = np.asarray(intensities, dtype=float)
    if tau.ndim != 1 or tau.shape != y.shape:
        raise ProcessingError(f"Give one intensity per delay (got {tau.size} delays and {y.size} intensities).")
    if not (np.all(np.isfinite(tau)) and np.all(np.isfinite(y))):
        raise ProcessingError("The delays or intensities contain NaN or infinite values.")
    if np.any(tau < 0):
        raise ProcessingError("Recovery delays must not be negative.")
    if np.ptp(tau) <= 0:
        raise ProcessingError("The delays are all the same; a recovery curve needs different delays.")
    s = None
    if sigma is not None:
        s = np.broadcast_to(np.asarray(sigma, dtype=float), y.shape)
        if not np.all(s > 0):
            raise ProcessingError("The intensity uncertainties (sigma) must all be positive.")
    order = np.argsort(tau)
    return tau[order], y[order], (None if s is None else s[order])


def _start_time_s(tau: np.ndarray, y: np.ndarray) -> float:
    """Delay where the signal is half-way between its first and last value, / ln 2."""
    half = 0.5 * (y[0] + y[-1])
    crossing = np.nonzero(np.diff(np.sign(y - half)))[0]
    positive = tau[tau > 0]
    t0 = tau[crossing[0] + 1] / math.log(2.0) if crossing.size else float(np.median(positive))
    return float(max(t0, positive.min() / 10 if positive.size else 1e-6))


def _parameters(model: str, kind: str, tau: np.ndarray, y: np.ndarray):
    from lmfit import Parameters

    k0, (k_lo, k_hi) = KINDS[kind]
    t0 = _start_time_s(tau, y)
    positive = tau[tau > 0]
    t_lo = (positive.min() if positive.size else np.ptp(tau)) * 1e-3
    t_hi = tau.max() * 1e3
    p = Parameters()
    m0 = y[-1] if y[-1] != 0 else float(np.max(np.abs(y)))
    p.add("m_inf", value=m0)
    p.add("efficiency", value=k0, min=k_lo, max=k_hi)
    if model == "mono":
        p.add("t_s", value=t0, min=t_lo, max=t_hi)
    elif model == "stretched":
        p.add("t_s", value=t0, min=t_lo, max=t_hi)
        p.add("beta", value=0.7, min=0.1, max=1.0)
    elif model == "bi":
        p.add("t_fast_s", value=t0 / 3, min=t_lo, max=t_hi)
        p.add("slow_over_fast", value=10.0, min=1.0, max=1e4)
        p.add("t_slow_s", expr="t_fast_s * slow_over_fast")
        p.add("fraction_fast", value=0.5, min=0.0, max=1.0)
    else:
        raise ProcessingError(f"Unknown recovery model {model!r}; use one of {', '.join(MODELS)}.")
    return p


def _bic(residual: np.ndarray, n_varied: int, weighted: bool) -> float:
    """BIC = χ² + p·ln n with known σ; n·ln(RSS/n) + p·ln n with σ unknown (Gaussian
    likelihood maximised over a common σ; Schwarz, Ann. Stat. 6, 461 (1978))."""
    n = residual.size
    rss = float(np.sum(residual**2))
    if weighted:
        return rss + n_varied * math.log(n)
    return n * math.log(max(rss, 1e-300) / n) + n_varied * math.log(n)


def _on_bound(value: float, bound: float, span: float) -> bool:
    """Within 0.1 % of a finite bound (0.1 % of the span for a bound at zero)."""
    if not np.isfinite(bound):
        return False
    return abs(value - bound) <= 1e-3 * max(abs(bound), 1e-3 * span)


def _estimates(result, tau: np.ndarray) -> tuple[dict[str, Estimate], tuple[str, ...]]:
    """Values and σ, with the parameters the data cannot determine flagged (no finite σ,
    σ larger than the value, a value stuck on a bound, or a time constant outside the
    sampled delays)."""
    positive = tau[tau > 0]
    t_min = positive.min() / _RANGE_FACTOR if positive.size else 0.0
    t_max = tau.max() * _RANGE_FACTOR
    out, flagged = {}, []
    for name, par in result.params.items():
        if name == "slow_over_fast":
            continue
        value = float(par.value)
        sigma = None if par.stderr is None or not np.isfinite(par.stderr) else float(par.stderr)
        note = ""
        if sigma is None:
            note = "the covariance matrix is singular (no finite σ)"
        elif sigma > abs(value):
            note = f"σ = {sigma:.2g} exceeds the value"
        elif par.vary and any(_on_bound(value, bound, par.max - par.min) for bound in (par.min, par.max)):
            note = f"stuck on its bound ({par.min:g} … {par.max:g})"
        elif name.endswith("_s") and not t_min <= value <= t_max:
            note = f"outside the sampled delays ({tau.min():.3g} … {tau.max():.3g} s)"
        if note:
            flagged.append(name)
            out[name] = Estimate(value, None, False, note)
        else:
            out[name] = Estimate(value, sigma, True)
    return out, tuple(flagged)


def _recycle_estimate(result, model: str, params: dict[str, Estimate], tau: np.ndarray) -> Estimate:
    """d_opt for the fitted kernel, with σ propagated through the fit covariance."""
    values = {k: e.value for k, e in params.items()}

    def d_opt(vals: dict[str, float]) -> float:
        if model == "mono":
            return optimal_recycle_s(vals["t_s"])
        scale = vals.get("t_s") or vals["t_slow_s"]
        return optimal_recycle_for_kernel_s(lambda d: recovery_kernel(d, model, vals), scale)

    best = d_opt(values)
    positive = tau[tau > 0]
    if positive.size and best < positive.min():
        return Estimate(
            best,
            None,
            False,
            f"below the shortest delay measured ({positive.min():.3g} s): the curve rises faster "
            "than √d there (stretched β ≤ 1/2 has no optimum above zero); use the shortest "
            "delay the experiment allows",
        )
    undetermined = [
        n for n in ("t_s", "beta", "t_fast_s", "t_slow_s", "fraction_fast") if n in params and not params[n].determined
    ]
    if undetermined:
        return Estimate(best, None, False, f"depends on undetermined {', '.join(undetermined)}")
    if result.covar is None:
        return Estimate(best, None, False, "no covariance matrix")
    names = list(result.var_names)
    grad = np.zeros(len(names))
    for i, name in enumerate(names):
        if name in ("m_inf", "efficiency"):
            continue  # d_opt does not depend on the amplitude or the preparation
        h = 1e-5 * max(abs(result.params[name].value), 1e-12)
        shifted = []
        for sign in (1, -1):
            trial = result.params.copy()
            trial[name].set(value=result.params[name].value + sign * h)
            trial.update_constraints()
            shifted.append(d_opt({k: float(trial[k].value) for k in values}))
        grad[i] = (shifted[0] - shifted[1]) / (2 * h)
    sigma = float(np.sqrt(max(grad @ result.covar @ grad, 0.0)))
    if best > tau.max():
        return Estimate(best, sigma, False, f"beyond the longest delay measured ({tau.max():.3g} s)")
    return Estimate(best, sigma, True)


def fit_recovery(delays_s, intensities, *, kind: str = "saturation", model: str = "mono", sigma=None) -> RecoveryFit:
    """Fit one model S(τ) = S∞·[1 − k·g(τ)] to a recovery or build-up curve (lmfit, least squares).

    Parameters
    ----------
    delays_s : sequence of float
        Recovery (or build-up) delays τ in seconds.
    intensities : sequence of float
        Signed integrals, one per delay, all processed with one phase.
    kind : {"saturation", "inversion", "buildup"}
        The preparation: saturation recovery and DNP build-up start near zero (k ≈ 1),
        inversion recovery near −S∞ (k ≈ 2); k is fitted within (0, 1.5) or (0, 2.5).
    model : {"mono", "stretched", "bi"}
        The kernel g (see :func:`recovery_kernel`).
    sigma : float or sequence, optional
        One-sigma uncertainty of each intensity (e.g. the spectrum's noise times the
        integral's width). Without it the residual scatter sets the σ of the parameters
        (lmfit's covariance scaled by the reduced χ²).

    Returns
    -------
    RecoveryFit
        Parameters as :class:`Estimate`, flagged where undetermined; the BIC; the
        optimal recycle delay (maximum of (1 − g(d))/√d) with σ.

    Raises
    ------
    ProcessingError
        For an unknown kind or model, bad delays, intensities or sigma, or too few points.
    """
    from lmfit import minimize

    tau, y, s = _checked(delays_s, intensities, sigma, kind)
    params = _parameters(model, kind, tau, y)
    n_varied = sum(1 for p in params.values() if p.vary)
    if tau.size <= n_varied:
        raise ProcessingError(
            f"The {model}-exponential model has {n_varied} free parameters but the curve has "
            f"only {tau.size} points; measure more delays or choose a simpler model."
        )
    weights = 1.0 / s if s is not None else np.ones_like(y)

    def residual(p):
        vals = p.valuesdict()
        return (recovery_curve(tau, model, vals) - y) * weights

    result = minimize(residual, params, method="leastsq", scale_covar=s is None, max_nfev=4000)
    if model == "bi":  # the other start (fast component the larger) can find a better minimum
        second = params.copy()
        second["fraction_fast"].set(value=0.8)
        second["t_fast_s"].set(value=_start_time_s(tau, y) / 10)
        alt = minimize(residual, second, method="leastsq", scale_covar=s is None, max_nfev=4000)
        if alt.chisqr < result.chisqr:
            result = alt
    resid = np.asarray(result.residual) / weights
    estimates, flagged = _estimates(result, tau)
    recycle = _recycle_estimate(result, model, estimates, tau)
    return RecoveryFit(
        kind=kind,
        model=model,
        params=estimates,
        bic=_bic(np.asarray(result.residual), result.nvarys, s is not None),
        rms_residual=float(np.sqrt(np.mean(resid**2))),
        delays_s=tuple(float(v) for v in tau),
        intensities=tuple(float(v) for v in y),
        optimal_recycle=recycle,
        undetermined=flagged,
        values={k: e.value for k, e in estimates.items()},
        stderr={k: (e.sigma if e.sigma is not None else float("nan")) for k, e in estimates.items()},
        redchi=float(result.redchi),
        success=bool(result.success),
        message=str(result.message or ""),
        lmfit_result=result,
    )


@dataclass(frozen=True, eq=False)
class ModelChoice:
    """Every model fitted to one curve and the one the BIC prefers.

    ``best`` is the simplest model within :data:`BIC_MARGIN` of the lowest BIC;
    ``delta_bic`` gives each model's BIC minus the lowest; ``skipped`` names models with
    more parameters than the curve has points, with the reason.

    Attributes
    ----------
    fits, best, delta_bic, skipped
        Model name → RecoveryFit, the chosen fit, model name → ΔBIC, model name → reason.
    """

    fits: dict[str, RecoveryFit]
    best: RecoveryFit
    delta_bic: dict[str, float]
    skipped: dict[str, str]

    def summary(self) -> str:
        """A few lines a chemist can read: each model's ΔBIC and the chosen model's parameters.

        Returns
        -------
        str
        """
        lines = [f"{self.best.kind} curve, {len(self.best.delays_s)} delays; chosen model: {self.best.model}"]
        for name, fit in self.fits.items():
            lines.append(f"  {name:<10} ΔBIC = {self.delta_bic[name]:7.2f}   rms residual {fit.rms_residual:.3g}")
        for name, why in self.skipped.items():
            lines.append(f"  {name:<10} not fitted: {why}")
        for name, est in self.best.params.items():
            lines.append(f"  {name:<14} {est}")
        lines.append(f"  optimal recycle delay {self.best.optimal_recycle} s")
        return "\n".join(lines)


def fit_recovery_models(delays_s, intensities, *, kind: str = "saturation", models=MODELS, sigma=None) -> ModelChoice:
    """Fit each of ``models`` (see :func:`fit_recovery`) and choose one by the BIC.

    The simplest model whose BIC lies within :data:`BIC_MARGIN` of the lowest is chosen,
    so a stretched or bi-exponential is reported only when the data ask for it.

    Parameters
    ----------
    delays_s, intensities, kind, sigma
        As for :func:`fit_recovery`.
    models : sequence of str
        Kernels to try, simplest first (default :data:`MODELS`).

    Returns
    -------
    ModelChoice

    Raises
    ------
    ProcessingError
        If the first model cannot be fitted (bad input; see :func:`fit_recovery`).
    """
    fits, skipped = {}, {}
    for model in models:
        try:
            fits[model] = fit_recovery(delays_s, intensities, kind=kind, model=model, sigma=sigma)
        except ProcessingError as exc:
            if model == models[0]:
                raise
            skipped[model] = str(exc)
    lowest = min(f.bic for f in fits.values())
    delta = {name: f.bic - lowest for name, f in fits.items()}
    best_name = next(name for name in MODELS if name in fits and delta[name] <= BIC_MARGIN)
    return ModelChoice(fits=fits, best=fits[best_name], delta_bic=delta, skipped=skipped)


# --- T1 in one call (the mono-exponential of fit_recovery) ---------------------------------


def recovery(delays_s, *, t1_s: float, m_inf: float, efficiency: float) -> np.ndarray:
    """M(τ) = M∞ · (1 − k·exp(−τ/T1)).

    Solution of the Bloch equation dMz/dt = (M∞ − Mz)/T1 with Mz(0) = M∞(1 − k):
    k = 2 for an ideal inversion recovery (Mz(0) = −M∞), k = 1 for an ideal saturation
    recovery (Mz(0) = 0). Fitting k absorbs imperfect pulses (Levitt, *Spin Dynamics*, §11).

    Parameters
    ----------
    delays_s : array_like
        Delays τ, s.
    t1_s, m_inf, efficiency : float
        T1 (s), M∞ (intensity units) and k.

    Returns
    -------
    ndarray
        M(τ), in the units of ``m_inf``.
    """
    return recovery_curve(delays_s, "mono", {"m_inf": m_inf, "efficiency": efficiency, "t_s": t1_s})


def fit_t1(delays_s, intensities, *, kind: str = "inversion") -> T1Fit:
    """Fit T1 to a recovery series: :func:`fit_recovery` with the mono-exponential model.

    Parameters
    ----------
    delays_s : sequence of float
        Recovery delays (s).
    intensities : sequence of float
        Signed integrals, one per delay, all processed with the same phase (an inversion
        recovery starts negative; see :func:`qdkit.twod.series_integrals`).
    kind : {"inversion", "saturation"}
        Sets the starting guess and bounds of the efficiency (2 or 1).

    Returns
    -------
    T1Fit
        ``t1_err_s`` is the one-sigma error from the covariance matrix scaled by the
        residual variance (NaN where the data leave T1 undetermined; see
        :func:`fit_recovery` for the reason).

    Raises
    ------
    ProcessingError
        For another ``kind``, mismatched arrays or fewer than four points (and as :func:`fit_recovery`).
    """
    if kind not in ("inversion", "saturation"):
        raise ProcessingError(f"Unknown recovery kind {kind!r}; use 'inversion' or 'saturation'.")
    if np.size(delays_s) < 4 or np.size(delays_s) != np.size(intensities):
        raise ProcessingError(
            f"A T1 fit needs matching delays and intensities, at least four of each "
            f"(got {np.size(delays_s)} delays, {np.size(intensities)} intensities)."
        )
    fit = fit_recovery(delays_s, intensities, kind=kind, model="mono")
    t1 = fit.params["t_s"]
    return T1Fit(
        t1.value,
        t1.sigma if t1.sigma is not None else float("nan"),
        fit.params["m_inf"].value,
        fit.params["efficiency"].value,
        kind,
        fit.rms_residual,
        values=fit.values,
        stderr=fit.stderr,
        undetermined=fit.undetermined,
        redchi=fit.redchi,
        success=fit.success,
        message=fit.message,
        params=fit.lmfit_result.params,
        lmfit_result=fit.lmfit_result,
    )
