"""Quantitative CP: site populations from a variable-contact-time series, and structure from them.

A joint lmfit fit of every spectrum of a contact series (each site's lineshape × its I–S
build-up) gives CP-corrected populations with honest errors; :mod:`.structure` turns them
into a quantum-dot diameter and shell coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdkit.analysis.covariance import finite_difference_covariance, integrated_autocorrelation, shifted_params
from qdkit.analysis.fit import FitResult
from qdkit.dataset import Spectrum
from qdkit.errors import ModelParameterError
from qdkit.models.cp import buildup
from qdkit.processing.measure import noise_rms
from qdkit.processing.series import contact_series
from qdkit.simulation.mas import site_spectra
from qdkit.simulation.sites import Site

from .structure import StructureResult, diameter_from_surface_fraction, structure

__all__ = [
    "PopulationFit",
    "StructureResult",
    "contact_series",
    "diameter_from_surface_fraction",
    "site_populations",
    "structure",
]

#: Profile test: a time constant is undetermined when moving it by ``profile_factor`` raises
#: χ² by less than this (in units of the scaled noise variance): 4 = its 95 % interval
#: reaches a tenfold change (the 1σ level, 1, missed one case in six by chance).
_FLAT_DCHI2 = 4.0
_LOG_T_BOUNDS = (np.log(1e-3), np.log(1e5))  # 1 µs … 100 s, in ms


@dataclass(frozen=True, eq=False)
class PopulationFit(FitResult):
    """Result of :func:`site_populations` (a :class:`qdkit.fit.FitResult` with CP extras).

    Attributes
    ----------
    populations, populations_stderr, populations_covariance : ndarray
        N_i/ΣN_i (sum 1, in the order of the sites given), with standard errors and covariance propagated through the
        normalisation (plus the spread over undetermined time constants' ranges, see ``notes``).
    t_is_ms, t_is_ms_stderr : ndarray
        Cross-polarisation time T_IS of each site, ms, and its σ.
    t1rho_ms, t1rho_ms_stderr : float or ndarray
        ¹H T1ρ, ms, and its σ: one value (``"shared"``/``"fixed"``, σ 0 when fixed) or one per site (``"per_site"``).
    t1rho_mode : str
        ``"shared"``, ``"per_site"`` or ``"fixed"``.
    covariance, covariance_names : ndarray, tuple of str
        Covariance over the determined varied parameters (time constants as natural logs), already scaled by
        ``max(redchi, 1)`` and by ``noise_correlation`` (the integrated autocorrelation of the residuals: correlated
        noise after apodization carries fewer independent points than the spectrum has).
    contact_ms, amplitudes, amplitudes_stderr : ndarray
        Contact time of each spectrum (ms) and the free per-spectrum site amplitudes, shape (n_spectra, n_sites),
        with their σ: the build-up points.
    noise_correlation : float
        The factor (≥ 1) above.
    site_list, notes, spectra : tuple
        The fitted sites (unit weights), remarks on the result, the processed spectra fitted.
    sites, ci95, varied, models, sigmas
        As in :class:`qdkit.analysis.fit.FitResult` (``models``: the fit of each spectrum).
    values, stderr, undetermined, redchi, success, message, params, lmfit_result
        As in :class:`qdkit.analysis.result.FitResult`; undetermined parameters have NaN σ.
    """

    populations: np.ndarray = None
    populations_stderr: np.ndarray = None
    populations_covariance: np.ndarray = None
    t_is_ms: np.ndarray = None
    t_is_ms_stderr: np.ndarray = None
    t1rho_ms: Any = None
    t1rho_ms_stderr: Any = None
    t1rho_mode: str = "shared"
    covariance: np.ndarray = None
    covariance_names: tuple[str, ...] = ()
    contact_ms: np.ndarray = None
    amplitudes: np.ndarray = None
    amplitudes_stderr: np.ndarray = None
    noise_correlation: float = 1.0
    site_list: tuple[Site, ...] = ()
    notes: tuple[str, ...] = field(default=())
    spectra: tuple[Spectrum, ...] = field(default=(), repr=False)

    def buildup_curves(self, contact_ms):
        """Fitted build-up N_i·S_i(t) of every site and its 1σ band, shape (n_sites, n_t).

        Parameters
        ----------
        contact_ms : float or array
            Contact times, ms.

        Returns
        -------
        mean, sigma : ndarray, shape (n_sites, n_t)
            N_i·S(t; T_IS,i, T1ρ) (:func:`qdkit.models.cp.buildup`) and its σ propagated with ``covariance``
            (NaN when no parameter was determined).
        """
        t = np.atleast_1d(np.asarray(contact_ms, float))
        n_sites = len(self.site_list)

        def curves(p):
            v = p.valuesdict()
            return np.array([v[f"n{i}"] * buildup(t, np.exp(v[f"log_t_is{i}"]), _t1rho(v, i)) for i in range(n_sites)])

        mean = curves(self.params)
        grad = []
        for name in self.covariance_names:
            v = self.params[name].value
            h = 1e-5 * max(abs(v), 1e-2)
            grad.append(
                (curves(shifted_params(self.params, name, v + h)) - curves(shifted_params(self.params, name, v - h)))
                / (2 * h)
            )
        if not grad:
            return mean, np.full_like(mean, np.nan)
        g = np.stack(grad, -1)  # (sites, t, params)
        var = np.einsum("stp,pq,stq->st", g, self.covariance, g)
        return mean, np.sqrt(np.clip(var, 0.0, None))


def _t1rho(values: dict, i: int) -> float:
    if f"t1rho{i}_ms" in values:
        return values[f"t1rho{i}_ms"]
    return values["t1rho_ms"]


# --------------------------------------------------------------------------- inputs


def _noise_sigma(spec: Spectrum, shapes: np.ndarray, region_ppm) -> float | None:
    """σ of one spectrum from the project's noise estimator, in a region without any site.

    Without ``region_ppm`` the longest stretch where every site's unit shape is below 10⁻³
    of its own maximum is used (at least 64 points); ``None`` if there is none.
    """
    if region_ppm is not None:
        return noise_rms(spec, region_ppm)
    quiet = np.all(shapes <= 1e-3 * shapes.max(axis=1, keepdims=True), axis=0)
    best, start = (0, 0), None
    for k, q in enumerate(np.append(quiet, False)):
        if q:
            start = k if start is None else start
        elif start is not None:
            if k - start > best[1] - best[0]:
                best = (start, k)
            start = None
    if best[1] - best[0] < 64:
        return None
    ppm = spec.ppm
    lo, hi = ppm[best[0] + 2], ppm[best[1] - 3]  # stay a couple of points inside the stretch
    return noise_rms(spec, (min(lo, hi), max(lo, hi)))


# --------------------------------------------------------------------------- the fit


def _start_times(a_hat, a_err, t, t1rho_mode, t1rho_fixed):
    """Grid-search starting T_IS (per site) and T1ρ on the per-spectrum amplitudes."""
    tis_grid = np.geomspace(t.min() / 30, t.max() * 3, 24)
    t1_grid = [t1rho_fixed] if t1rho_fixed is not None else np.geomspace(t.min(), t.max() * 100, 24)
    n_sites = a_hat.shape[1]
    best_cost, best = np.inf, None
    per_site = []
    for t1 in t1_grid:
        costs, choice = [], []
        for i in range(n_sites):
            w = 1.0 / np.maximum(a_err[:, i], 1e-300) ** 2
            b = np.array([buildup(t, tis, t1) if tis < t1 else np.full_like(t, np.nan) for tis in tis_grid])
            with np.errstate(invalid="ignore", divide="ignore"):
                n = np.nansum(w * b * a_hat[:, i], axis=1) / np.nansum(w * b * b, axis=1)
            c = np.nansum(w * (a_hat[:, i] - n[:, None] * b) ** 2, axis=1)
            c = np.where(np.isfinite(b).all(axis=1) & (n > 0), c, np.inf)
            k = int(np.argmin(c))
            costs.append(c[k])
            choice.append(tis_grid[k])
        per_site.append((t1, choice, costs))
        if sum(costs) < best_cost:
            best_cost, best = sum(costs), (t1, choice)
    if best is None:
        return float(np.sqrt(t.min() * t.max())), [t.min()] * n_sites, [t.max() * 10] * n_sites
    if t1rho_mode == "per_site":
        t1s, tis = [], []
        for i in range(n_sites):
            t1, choice, costs = min(per_site, key=lambda rec: rec[2][i])
            t1s.append(t1)
            tis.append(choice[i])
        return best[0], tis, t1s
    return best[0], best[1], [best[0]] * n_sites


def site_populations(
    spectra,
    contact_ms=None,
    sites: Sequence[Site] = (),
    *,
    t1rho="shared",
    fit_lineshapes: bool = False,
    vary_lineshape=("iso_ppm", "fwhm_hz"),
    noise_region_ppm=None,
    recipe=None,
    iso_window_ppm: float = 20.0,
    profile_factor: float = 10.0,
) -> PopulationFit:
    """CP-corrected site populations from a joint fit of a variable-contact-time series.

    Every spectrum j (contact time t_j) is modelled as Σ_i N_i·S(t_j; T_IS,i, T1ρ)·g_i(δ),
    with the classical I–S build-up S = [e^(−t/T1ρ) − e^(−t/T_IS)]/(1 − T_IS/T1ρ)
    (Mehring, *Principles of High Resolution NMR in Solids*, 1983, ch. 4; Kolodziejski &
    Klinowski, Chem. Rev. 102, 613 (2002)) and g_i the unit-integral MAS lineshape of site i
    (:func:`qdkit.mas.site_spectra`). N_i is the signal the site would give with complete
    transfer and no T1ρ loss, so N_i/ΣN_i is its share of the atoms when every site sees the
    same ¹H reservoir (same CP gain bound and DNP enhancement). Residuals are divided by
    each spectrum's noise σ (:func:`qdkit.processing.measure.noise_rms`); with fixed lineshapes the
    fit runs on the per-spectrum least-squares amplitudes and their exact χ² metric, which
    gives the same minimum and covariance as the full spectra at a fraction of the cost.

    Parameters
    ----------
    spectra
        The series (see :func:`contact_series`).
    contact_ms : sequence of float, optional
        Contact time of each spectrum, ms (default: from the data).
    sites : sequence of Site
        Lineshapes of the sites, in the order of the results (their ``weight`` is ignored).
    t1rho : ``"shared"``, ``"per_site"`` or float
        One ¹H T1ρ for all sites, one per site, or a fixed value in ms.
    fit_lineshapes, vary_lineshape : bool, sequence of str
        Also fit these :class:`Site` parameters of every site (shared by all spectra).
    noise_region_ppm : (float, float), optional
        Signal-free region for σ; default the widest stretch away from every site.
    recipe : list, optional
        Processing recipe for datasets (see :func:`contact_series`).
    iso_window_ppm : float
        δiso may move this far when lineshapes are fitted.
    profile_factor : float
        A time constant is undetermined when the profile χ² rises by less than 4 (two σ)
        on changing it by this factor up or down with all other parameters refitted.

    Returns
    -------
    PopulationFit

    Raises
    ------
    ModelParameterError
        No sites, sites of several nuclei, a bad ``t1rho``, fewer than two spectra, a spectrum that is not 1D with a
        known field or has zero noise, indistinguishable site lineshapes, a ``vary_lineshape`` name that cannot be
        fitted, or every site fitted to zero signal.
    """
    import lmfit

    sites = list(sites)
    if len(sites) < 1 or not all(isinstance(s, Site) for s in sites):
        raise ModelParameterError("site_populations needs the sites as qdkit.mas.Site objects.")
    if isinstance(t1rho, str) and t1rho not in ("shared", "per_site"):
        raise ModelParameterError("t1rho must be 'shared', 'per_site' or a fixed T1ρ in ms.")
    t1rho_fixed = None if isinstance(t1rho, str) else float(t1rho)
    if t1rho_fixed is not None and not t1rho_fixed > 0:
        raise ModelParameterError("A fixed t1rho must be a positive time in ms.")
    specs, t = contact_series(spectra, contact_ms, recipe=recipe)
    n_sites, n_spec = len(sites), len(specs)
    if n_spec < 2:
        raise ModelParameterError("A contact series needs at least two contact times.")
    for s in specs:
        if s.meta.field_T is None or not np.ndim(s.data) == 1:
            raise ModelParameterError("Each spectrum must be 1D with a known field (meta.field_T).")
    nucleus = {s.nucleus for s in sites}
    if len(nucleus) != 1:
        raise ModelParameterError(f"All sites must be one nucleus, got {sorted(nucleus)}.")

    ys = [np.asarray(s.real, float) for s in specs]
    conds = [(float(s.meta.field_T), float(s.meta.mas_hz or 0.0), np.asarray(s.ppm, float)) for s in specs]

    def shapes_for(site_list, j):
        return site_spectra(site_list, *conds[j])

    start_shapes = [shapes_for(sites, j) for j in range(n_spec)]
    sigmas, notes = [], []
    for j, g in enumerate(start_shapes):
        sigma = _noise_sigma(specs[j], g, noise_region_ppm)
        if sigma is None:
            sigma = noise_rms(specs[j])
            notes.append(f"spectrum {j}: no signal-free region; σ from second differences of the whole spectrum")
        if not sigma > 0:
            raise ModelParameterError(f"Spectrum {j} has zero noise; is it synthetic without noise?")
        sigmas.append(float(sigma))
    shape_names: list[str] = []
    fitted = sites
    if fit_lineshapes:
        fitted, shape_names = _fit_shapes(ys, sigmas, shapes_for, sites, vary_lineshape, iso_window_ppm)
    shapes = [shapes_for(fitted, j) for j in range(n_spec)]
    a_hat, a_err, chol, rss0 = _linear_amplitudes(ys, shapes, sigmas)

    t1_start, tis_start, t1_site_start = _start_times(a_hat, a_err, t, t1rho, t1rho_fixed)
    params = lmfit.Parameters()
    for i in range(n_sites):
        b = buildup(t, tis_start[i], t1_site_start[i])
        w = 1.0 / a_err[:, i] ** 2
        n0 = float(np.sum(w * b * a_hat[:, i]) / np.sum(w * b * b))
        params.add(f"n{i}", max(n0, 1e-12 * np.abs(a_hat).max()), min=0.0)
        params.add(f"log_t_is{i}", float(np.log(tis_start[i])), min=_LOG_T_BOUNDS[0], max=_LOG_T_BOUNDS[1])
    if t1rho == "per_site":
        for i in range(n_sites):
            gap = max(float(np.log(t1_site_start[i] / tis_start[i])), 0.05)
            params.add(f"log_t1rho_gap{i}", gap, min=0.0, max=_LOG_T_BOUNDS[1] - _LOG_T_BOUNDS[0])
            params.add(f"t1rho{i}_ms", expr=f"exp(log_t_is{i} + log_t1rho_gap{i})")
    else:
        params.add(
            "log_t1rho",
            float(np.log(t1_start if t1rho_fixed is None else t1rho_fixed)),
            min=_LOG_T_BOUNDS[0],
            max=_LOG_T_BOUNDS[1],
            vary=t1rho_fixed is None,
        )
        params.add("t1rho_ms", expr="exp(log_t1rho)")
    for i in range(n_sites):
        params.add(f"t_is{i}_ms", expr=f"exp(log_t_is{i})")

    def amplitudes(pv):
        return np.stack(
            [pv[f"n{i}"] * buildup(t, np.exp(pv[f"log_t_is{i}"]), _t1rho(pv, i)) for i in range(n_sites)], axis=1
        )

    def residual(p):
        amp = amplitudes(p.valuesdict())
        return np.concatenate([chol[j].T @ (amp[j] - a_hat[j]) / sigmas[j] for j in range(n_spec)])

    def full_residual(p):
        pv = p.valuesdict()
        amp = amplitudes(pv)
        cur = [st.replace(**{k: pv[f"s{i}_{k}"] for k in vary_lineshape}) for i, st in enumerate(fitted)]
        return np.concatenate([(ys[j] - amp[j] @ shapes_for(cur, j)) / sigmas[j] for j in range(n_spec)])

    def chi2_of(p):
        r = residual(p)
        return float(r @ r) + sum(rss0)

    def minimize(p):
        # lmfit still takes square roots of its own covariance diagonal; ours comes later
        with np.errstate(invalid="ignore", divide="ignore"):
            return lmfit.minimize(
                residual, p, method="least_squares", scale_covar=False, calc_covar=False, diff_step=1e-6, max_nfev=4000
            )

    out = minimize(params)
    n_points = sum(y.size for y in ys)
    varied = [k for k, par in out.params.items() if par.vary]
    chi2_min = chi2_of(out.params)
    dof = max(n_points - len(varied) - len(shape_names), 1)
    redchi = chi2_min / dof
    pv = out.params.valuesdict()
    cur = fitted
    amp = amplitudes(pv)
    models = [amp[j] @ shapes[j] for j in range(n_spec)]
    f_corr = integrated_autocorrelation([(ys[j] - models[j]) / sigmas[j] for j in range(n_spec)])
    inflate = f_corr * max(redchi, 1.0)

    # which time constants can the series not pin down? profile test: refit with one held
    # at ×/÷ profile_factor; a χ² rise below one (scaled) σ² means it stays undetermined
    undetermined, systematic = [], np.zeros(n_sites)
    p_best = _normalised(np.array([pv[f"n{i}"] for i in range(n_sites)]))
    step = float(np.log(profile_factor))
    for name in [k for k in varied if k.startswith("log_")]:
        bound = out.params[name]
        flat = min(bound.value - bound.min, bound.max - bound.value) < 1e-3  # pinned at a bound
        for sign in (1.0, -1.0):
            trial = out.params.copy()
            par = trial[name]
            target = float(np.clip(par.value + sign * step, par.min, par.max))
            if abs(target - par.value) < 0.05 * step:
                continue  # at a bound: nothing beyond it to test
            par.set(value=target, vary=False)
            refit = minimize(trial)
            delta = (chi2_of(refit.params) - chi2_min) / inflate
            flat |= delta < _FLAT_DCHI2
            if delta < 1.0:  # within 1σ: its populations are as good as the best fit's
                pop = _normalised(np.array([refit.params[f"n{i}"].value for i in range(n_sites)]))
                systematic = np.maximum(systematic, np.abs(pop - p_best))
        if flat:
            undetermined.append(name)

    final = out.params.copy()
    for i, st in enumerate(fitted):
        for k in vary_lineshape if fit_lineshapes else ():
            final.add(
                f"s{i}_{k}",
                getattr(st, k),
                min=0.0 if k in ("fwhm_hz", "lorentz_hz", "eta") else -np.inf,
                max=1.0 if k == "eta" else np.inf,
            )

    def covariance(names):
        if fit_lineshapes:  # the lineshape parameters' own uncertainty spreads into the rest
            return finite_difference_covariance(full_residual, final, names + shape_names, True) * inflate
        return finite_difference_covariance(residual, final, names, False) * inflate

    determined = [k for k in varied if k not in undetermined]
    cov = covariance(determined)
    bad = [k for k, v in zip(determined, np.diag(cov)) if not (np.isfinite(v) and v >= 0)]
    if bad:  # a singular direction the profile did not catch
        undetermined += bad
        determined = [k for k in determined if k not in bad]
        cov = covariance(determined)
    diag = np.diag(cov)
    # a lineshape parameter the spectra do not depend on (a CSA of 0 moves nothing to first
    # order) is undetermined too; its NaN row leaves the others' variances untouched
    undetermined += [k for m, k in enumerate(shape_names, start=len(determined)) if not np.isfinite(diag[m])]
    determined += shape_names
    varied += shape_names
    idx = {k: m for m, k in enumerate(determined)}

    def stderr_of(name):
        return float(np.sqrt(cov[idx[name], idx[name]])) if name in idx else float("nan")

    n_vals = np.array([pv[f"n{i}"] for i in range(n_sites)])
    n_idx = [idx.get(f"n{i}") for i in range(n_sites)]
    cov_n = np.zeros((n_sites, n_sites))
    for a_, ia in enumerate(n_idx):
        for b_, ib in enumerate(n_idx):
            if ia is not None and ib is not None:
                cov_n[a_, b_] = cov[ia, ib]
    total = n_vals.sum()
    if not total > 0:
        raise ModelParameterError("Every site fitted to zero signal; check the sites' shifts and the phase.")
    jac = (np.eye(n_sites) - p_best[:, None]) / total
    cov_p = jac @ cov_n @ jac.T + np.diag(systematic**2)
    t_is = np.exp([pv[f"log_t_is{i}"] for i in range(n_sites)])
    t_is_err = np.array([t_is[i] * stderr_of(f"log_t_is{i}") for i in range(n_sites)])
    if t1rho == "per_site":
        t1 = np.array([pv[f"t1rho{i}_ms"] for i in range(n_sites)])
        t1_err = np.array(
            [t1[i] * np.sqrt(_var_sum(cov, idx, [f"log_t_is{i}", f"log_t1rho_gap{i}"])) for i in range(n_sites)]
        )
    else:
        t1 = float(pv["t1rho_ms"])
        t1_err = t1 * stderr_of("log_t1rho") if t1rho_fixed is None else 0.0
    stderr = {k: stderr_of(k) for k in varied}
    values = {k: float(v) for k, v in final.valuesdict().items()}
    for k in final:
        final[k].stderr = stderr.get(k, float("nan")) if k in varied else None
    if systematic.any():
        notes.append("population σ includes the spread over the undetermined time constants' range")
    ci95 = {k: (values[k] - 1.96 * s, values[k] + 1.96 * s) for k, s in stderr.items() if np.isfinite(s)}
    return PopulationFit(
        sites=tuple(tuple(s.replace(weight=float(amp[j][i])) for i, s in enumerate(cur)) for j in range(n_spec)),
        values=values,
        stderr=stderr,
        ci95=ci95,
        varied=tuple(varied),
        models=tuple(models),
        sigmas=tuple(sigmas),
        redchi=float(redchi),
        success=bool(out.success),
        message=str(out.message),
        lmfit_result=out,
        populations=p_best,
        populations_stderr=np.sqrt(np.diag(cov_p)),
        populations_covariance=cov_p,
        t_is_ms=t_is,
        t_is_ms_stderr=t_is_err,
        t1rho_ms=t1,
        t1rho_ms_stderr=t1_err,
        t1rho_mode="fixed" if t1rho_fixed is not None else t1rho,
        params=final,
        covariance=cov,
        covariance_names=tuple(determined),
        undetermined=tuple(undetermined),
        contact_ms=t,
        amplitudes=a_hat,
        amplitudes_stderr=a_err * np.sqrt(inflate),
        noise_correlation=float(f_corr),
        site_list=tuple(cur),
        notes=tuple(notes),
        spectra=tuple(specs),
    )


def _linear_amplitudes(ys, shapes, sigmas):
    """Per-spectrum least-squares site amplitudes, their σ, the Cholesky factor of the
    Gram matrix (the exact χ² metric of the amplitudes) and the residual χ² left over."""
    a_hat, a_err, chol, rss = [], [], [], []
    for y, g, sigma in zip(ys, shapes, sigmas):
        gram = g @ g.T
        norm = np.sqrt(np.clip(np.diag(gram), 1e-300, None))
        try:
            # identical or vanishing shapes: the normalised Gram matrix is (nearly) singular
            if np.linalg.eigvalsh(gram / np.outer(norm, norm)).min() < 1e-9:
                raise np.linalg.LinAlgError
            low = np.linalg.cholesky(gram)
        except np.linalg.LinAlgError:
            raise ModelParameterError(
                "Two sites have lineshapes the spectra cannot tell apart (or a site lies outside "
                "the spectral window); merge them or fix their shifts."
            ) from None
        a = np.linalg.solve(gram, g @ y)
        res = y - a @ g
        a_hat.append(a)
        a_err.append(sigma * np.sqrt(np.diag(np.linalg.inv(gram))))
        chol.append(low)
        rss.append(float(res @ res) / sigma**2)
    return np.array(a_hat), np.array(a_err), chol, rss


def _fit_shapes(ys, sigmas, shapes_for, sites, vary, iso_window_ppm):
    """Shared lineshape parameters with free amplitudes per spectrum (variable projection:
    the amplitudes are solved linearly inside the residual; Golub & Pereyra, SIAM J. Numer.
    Anal. 10, 413 (1973))."""
    import lmfit

    unknown = set(vary) - {"iso_ppm", "fwhm_hz", "lorentz_hz", "aniso_ppm", "eta"}
    if unknown:
        raise ModelParameterError(
            f"Cannot fit {sorted(unknown)}; choose from iso_ppm, fwhm_hz, lorentz_hz, aniso_ppm, eta."
        )
    limits = {
        "iso_ppm": lambda v: (v - iso_window_ppm, v + iso_window_ppm),
        "fwhm_hz": lambda v: (1.0, max(5 * v, 2e3)),
        "lorentz_hz": lambda v: (0.0, max(5 * v, 2e3)),
        "aniso_ppm": lambda v: (-3000.0, 3000.0),
        "eta": lambda v: (0.0, 1.0),
    }
    params = lmfit.Parameters()
    for i, st in enumerate(sites):
        for k in vary:
            v = max(getattr(st, k), 1.0) if k == "fwhm_hz" else getattr(st, k)
            lo, hi = limits[k](v)
            params.add(f"s{i}_{k}", v, min=lo, max=hi)

    def current(p):
        pv = p.valuesdict()
        return [st.replace(**{k: pv[f"s{i}_{k}"] for k in vary}) for i, st in enumerate(sites)]

    def residual(p):
        cur = current(p)
        out = []
        for j, (y, sigma) in enumerate(zip(ys, sigmas)):
            g = shapes_for(cur, j)
            a, *_ = np.linalg.lstsq(g.T, y, rcond=None)
            out.append((y - a @ g) / sigma)
        return np.concatenate(out)

    # the powder average is single precision: finite-difference steps well above 1e-7
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = lmfit.minimize(residual, params, method="least_squares", calc_covar=False, diff_step=1e-4, max_nfev=400)
    return current(fit.params), list(params)


def _normalised(n: np.ndarray) -> np.ndarray:
    s = n.sum()
    return n / s if s > 0 else np.full_like(n, np.nan)


def _var_sum(cov, idx, names) -> float:
    if any(n not in idx for n in names):
        return float("nan")
    k = [idx[n] for n in names]
    return float(cov[np.ix_(k, k)].sum())
