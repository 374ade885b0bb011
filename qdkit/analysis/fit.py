"""Least-squares fits of MAS/static lineshapes: CSA, shifts, widths and weights with errors.

One set of sites can be fitted to several spectra at once (several spinning rates, or microwave on and off): the
tensor, shift and width parameters are shared, the amplitudes belong to each spectrum (or share their ratios), and
each spectrum may carry its own zero-order phase and polynomial baseline as nuisance parameters. Residuals are divided
by each spectrum's noise σ, so standard errors need no rescaling and χ²_red ≈ 1 says the model fits to the noise.
Built on lmfit (Newville et al., doi:10.5281/zenodo.11813) with scipy's trust-region least squares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qdkit.analysis import result as _result
from qdkit.errors import ModelParameterError
from qdkit.processing.measure import noise_rms
from qdkit.simulation.mas import Site, site_spectra

__all__ = [
    "FitData",
    "FitResult",
    "noise_sigma",
    "fit_sites",
    "SidebandCSA",
    "fit_sideband_intensities",
    "undetermined_parameters",
    "result_from_minimizer",
]

_SITE_PARAMS = ("iso_ppm", "aniso_ppm", "eta", "fwhm_hz", "lorentz_hz")
_Z95 = 1.959963984540054


@dataclass(frozen=True, eq=False)
class FitData:
    """One spectrum to fit: axis, real intensities and the conditions it was taken at.

    Attributes
    ----------
    ppm, y, field_T, mas_hz, sigma, noise_region_ppm, label
        Evenly spaced ppm axis, the real spectrum on it, field (T), spinning rate (Hz, 0 = static), noise σ of one
        point (None: measured by :func:`noise_sigma` in ``noise_region_ppm``, or without a region from the whole
        spectrum) and a name for messages.
    """

    ppm: np.ndarray
    y: np.ndarray
    field_T: float
    mas_hz: float
    sigma: float | None = None
    noise_region_ppm: tuple[float, float] | None = None
    label: str = ""

    @classmethod
    def from_spectrum(cls, spectrum, **kwargs) -> FitData:
        """From a processed qdkit ``Spectrum`` (field and MAS rate from its metadata)."""
        meta = spectrum.meta
        kwargs.setdefault("field_T", meta.field_T)
        kwargs.setdefault("mas_hz", meta.mas_hz if meta.mas_hz is not None else 0.0)
        kwargs.setdefault("label", meta.title or "")
        return cls(ppm=np.asarray(spectrum.ppm, float), y=np.asarray(spectrum.real, float), **kwargs)


def noise_sigma(ppm, y, region_ppm: tuple[float, float] | None = None) -> float:
    """Noise σ of ``y`` on the axis ``ppm``: :func:`qdkit.processing.measure.noise_rms`.

    Parameters
    ----------
    ppm, y : array_like
        The ppm axis and the real spectrum values on it.
    region_ppm : (float, float), optional
        A signal-free region; without it σ comes from second differences of all points.

    Returns
    -------
    float
        σ of one point.
    """
    return noise_rms(np.asarray(y, float), region_ppm, ppm=np.asarray(ppm, float))


@dataclass(frozen=True, eq=False)
class FitResult(_result.FitResult):
    """Best-fit sites with standard errors and 95 % confidence intervals.

    Attributes
    ----------
    sites, ci95, varied, models, sigmas
        ``sites[j]``: fitted sites with the weights of spectrum j; ±1.96σ intervals (unless profile intervals were
        requested); names of the fitted parameters; best-fit model and noise σ of each spectrum.
    values, stderr, undetermined, redchi, success, message, params, lmfit_result
        As in :class:`qdkit.analysis.result.FitResult`, keyed like ``ci95`` by name (``s0_iso_ppm``, ``a1_0`` =
        amplitude of site 0 in spectrum 1, ``phase0_deg``, ``b0_1`` = baseline coefficient ...); undetermined
        parameters (:func:`undetermined_parameters`) keep where the fit stopped, with NaN σ and interval.
    """

    sites: tuple[tuple[Site, ...], ...]
    ci95: dict[str, tuple[float, float]]
    varied: tuple[str, ...]
    models: tuple[np.ndarray, ...]
    sigmas: tuple[float, ...]

    def site_value(self, site: int, name: str) -> tuple[float, float]:
        """(value, standard error) of one site parameter, e.g. ``(0, "aniso_ppm")``.

        Parameters
        ----------
        site, name : int, str
            Site index and parameter (``iso_ppm``, ``aniso_ppm``, ``eta``, ``fwhm_hz``, ``lorentz_hz``).

        Returns
        -------
        (float, float)
        """
        key = f"s{site}_{name}"
        return self.values[key], self.stderr.get(key, float("nan"))

    def table(self) -> str:
        """Plain-text table of every varied parameter: value, σ and 95 % interval.

        Returns
        -------
        str
        """
        rows = [f"{'parameter':<16} {'value':>12} {'std err':>10} {'95 % interval':>26}"]
        for name in self.varied:
            lo, hi = self.ci95.get(name, (float("nan"), float("nan")))
            if name in self.undetermined:
                rows.append(f"{name:<16} {self.values[name]:12.4g} {'—':>10}   not determined by the data")
                continue
            rows.append(
                f"{name:<16} {self.values[name]:12.4g} {self.stderr.get(name, float('nan')):10.3g}"
                f"   [{lo:11.4g}, {hi:11.4g}]"
            )
        rows.append(f"reduced chi-square {self.redchi:.3f}  ({'converged' if self.success else 'NOT converged'})")
        return "\n".join(rows)


def _dispersion(absorption: np.ndarray) -> np.ndarray:
    """Dispersion partner of an absorption spectrum (Hilbert transform, Kramers–Kronig)."""
    from scipy.signal import hilbert

    return np.imag(hilbert(absorption))


def fit_sites(
    data: FitData | Sequence[FitData],
    sites: Sequence[Site],
    *,
    vary: Sequence[str] = ("iso_ppm", "aniso_ppm", "eta", "fwhm_hz"),
    fix: Sequence[str] = (),
    amplitudes: str = "per_spectrum",
    phase: bool = False,
    baseline_order: int | None = None,
    ci: str = "stderr",
    iso_window_ppm: float = 30.0,
    max_nfev: int = 2000,
) -> FitResult:
    """Fit sites (δiso, δaniso, η, widths, weights) to one or several spectra.

    Parameters
    ----------
    data, sites : FitData or sequence of FitData, sequence of Site
        The spectra (all of the sites' nucleus) and the starting sites (quadrupolar couplings are kept fixed).
    vary, fix : sequence of str
        Site parameters to fit for every site (of iso_ppm, aniso_ppm, eta, fwhm_hz, lorentz_hz; amplitudes are always
        fitted), and individual parameters to hold, by name (e.g. ``"s1_aniso_ppm"``).
    amplitudes : ``"per_spectrum"`` or ``"shared_ratios"``
        Every spectrum gets its own amplitude for every site (microwave on/off: an enhancement per site), or one scale
        per spectrum times site weights common to all (one sample at several spinning rates).
    phase, baseline_order : bool, int or None
        Fit a zero-order phase (the model's dispersion from its Hilbert transform) and a polynomial baseline of this
        order per spectrum.
    ci : ``"stderr"`` or ``"profile"``
        95 % intervals as ±1.96σ (default, free), or by profile likelihood (:func:`lmfit.conf_interval`, slower).
    iso_window_ppm, max_nfev : float, int
        δiso may move this far from its starting value (ppm); most model evaluations per least-squares run.

    Returns
    -------
    FitResult

    Raises
    ------
    ModelParameterError
        No spectra or sites, an unknown name in ``vary``/``fix`` or ``amplitudes``, or a noise σ that is not > 0.
    """
    import lmfit

    datasets = [data] if isinstance(data, FitData) else list(data)
    if not datasets:
        raise ModelParameterError("fit_sites needs at least one spectrum.")
    sites = list(sites)
    if not sites:
        raise ModelParameterError("fit_sites needs at least one starting Site.")
    unknown = set(vary) - set(_SITE_PARAMS)
    if unknown:
        raise ModelParameterError(f"Cannot vary {sorted(unknown)}; choose from {_SITE_PARAMS}.")
    if amplitudes not in ("per_spectrum", "shared_ratios"):
        raise ModelParameterError("amplitudes must be 'per_spectrum' or 'shared_ratios'.")

    sigmas = []
    for d in datasets:
        s = d.sigma if d.sigma is not None else noise_sigma(d.ppm, d.y, d.noise_region_ppm)
        if not s > 0:
            raise ModelParameterError(f"Noise σ of spectrum {d.label!r} is {s}; it must be positive.")
        sigmas.append(float(s))

    params = lmfit.Parameters()
    for i, site in enumerate(sites):
        p = f"s{i}_"
        params.add(
            p + "iso_ppm",
            site.iso_ppm,
            min=site.iso_ppm - iso_window_ppm,
            max=site.iso_ppm + iso_window_ppm,
            vary="iso_ppm" in vary,
        )
        params.add(p + "aniso_ppm", site.aniso_ppm, min=-3000, max=3000, vary="aniso_ppm" in vary)
        params.add(p + "eta", site.eta, min=0.0, max=1.0, vary="eta" in vary)
        params.add(p + "fwhm_hz", max(site.fwhm_hz, 1.0), min=1.0, max=2e5, vary="fwhm_hz" in vary)
        params.add(p + "lorentz_hz", site.lorentz_hz, min=0.0, max=2e5, vary="lorentz_hz" in vary)
    # starting amplitudes by linear least squares on the starting shapes
    for j, d in enumerate(datasets):
        rows = site_spectra(sites, d.field_T, d.mas_hz, d.ppm)
        amp, *_ = np.linalg.lstsq(rows.T, d.y, rcond=None)
        amp = np.where(np.isfinite(amp), amp, 1.0)
        if amplitudes == "per_spectrum":
            for i in range(len(sites)):
                params.add(f"a{j}_{i}", amp[i])
        else:
            params.add(
                f"scale{j}",
                1.0
                if j == 0
                else float(amp.sum() / max(1e-300, sum(params[f"w{i}"].value for i in range(len(sites))))),
                vary=j != 0,
            )
            if j == 0:
                for i in range(len(sites)):
                    params.add(f"w{i}", amp[i])
            for i in range(len(sites)):
                params.add(f"a{j}_{i}", expr=f"scale{j} * w{i}")
        if phase:
            params.add(f"phase{j}_deg", 0.0, min=-180.0, max=180.0)
        if baseline_order is not None:
            for k in range(baseline_order + 1):
                params.add(f"b{j}_{k}", 0.0)
    for name in fix:
        if name not in params:
            raise ModelParameterError(f"fix names unknown parameter {name!r}; known: {list(params)}.")
        params[name].set(vary=False)

    def current_sites(pv, j):
        out = []
        for i, site in enumerate(sites):
            p = f"s{i}_"
            out.append(
                site.replace(
                    iso_ppm=pv[p + "iso_ppm"],
                    aniso_ppm=pv[p + "aniso_ppm"],
                    eta=min(max(pv[p + "eta"], 0.0), 1.0),
                    fwhm_hz=pv[p + "fwhm_hz"],
                    lorentz_hz=pv[p + "lorentz_hz"],
                    weight=pv[f"a{j}_{i}"],
                )
            )
        return out

    def model(pv, j):
        d = datasets[j]
        cur = current_sites(pv, j)
        rows = site_spectra(cur, d.field_T, d.mas_hz, d.ppm)
        y = np.array([s.weight for s in cur]) @ rows
        if phase:
            ph = np.deg2rad(pv[f"phase{j}_deg"])
            y = np.cos(ph) * y - np.sin(ph) * _dispersion(y)
        if baseline_order is not None:
            x = (d.ppm - d.ppm.mean()) / max(np.ptp(d.ppm) / 2, 1e-12)
            y = y + np.polynomial.polynomial.polyval(x, [pv[f"b{j}_{k}"] for k in range(baseline_order + 1)])
        return y

    def residual(p):
        pv = p.valuesdict()
        return np.concatenate([(d.y - model(pv, j)) / sigmas[j] for j, d in enumerate(datasets)])

    minimizer = lmfit.Minimizer(residual, params, scale_covar=False)
    out = minimizer.minimize(method="least_squares", diff_step=_DIFF_STEP, max_nfev=max_nfev)
    pv = out.params.valuesdict()
    models = tuple(model(pv, j) for j in range(len(datasets)))
    return result_from_minimizer(
        minimizer,
        out,
        sites=tuple(tuple(current_sites(pv, j)) for j in range(len(datasets))),
        models=models,
        sigmas=tuple(sigmas),
        ci=ci,
        max_nfev=max_nfev,
    )


#: relative finite-difference step: the powder average is in single precision (~1e-7), so steps stay well above it
_DIFF_STEP = 1e-4
#: χ² quantile of one degree of freedom at 95 %: a profile rise below it excludes nothing
_CHI2_95 = 3.841458820694124


def undetermined_parameters(minimizer, out, *, max_nfev: int = 2000) -> tuple[str, ...]:
    """Varied parameters whose whole allowed range fits the data (none of it excluded at 95 %).

    Covariance screen: a parameter with finite bounds is a candidate when its σ is missing or exceeds a quarter of
    its range (±2σ would span it). Profile-likelihood test (Venzon & Moolgavkar, Appl. Stat. 37, 87 (1988); Raue et
    al., Bioinformatics 25, 1923 (2009)): the candidate is held at each end of its range and the others refitted; if
    χ² rises by less than 3.84 at both ends (× χ²_red when the model does not reach the noise), no value in the
    range is excluded at 95 % and the parameter is undetermined. Classic case: the η of a small CSA (δaniso·ν_ref ≲
    ν_r and the line width), where any η draws nearly the same spectrum.

    Parameters
    ----------
    minimizer, out, max_nfev : lmfit.Minimizer, lmfit.minimizer.MinimizerResult, int
        The fit's minimizer, its least-squares result, and the evaluation limit of each profile refit.

    Returns
    -------
    tuple of str
    """
    return tuple(_profile_undetermined(minimizer, out, max_nfev))


def _profile_undetermined(minimizer, out, max_nfev: int) -> dict:
    """{name: (fit held at the lower bound, fit at the upper)} of each undetermined parameter."""
    chisqr = float(out.chisqr)
    threshold = _CHI2_95 * max(1.0, float(out.redchi))
    found = {}
    for name, par in out.params.items():
        if not par.vary or not (np.isfinite(par.min) and np.isfinite(par.max)):
            continue
        span = par.max - par.min
        if par.stderr is not None and np.isfinite(par.stderr) and par.stderr <= span / 4:
            continue
        ends = []
        for end in (par.min, par.max):
            trial = out.params.copy()
            trial[name].set(value=end, vary=False)
            ends.append(
                minimizer.minimize(method="least_squares", params=trial, diff_step=_DIFF_STEP, max_nfev=max_nfev)
            )
        if max(float(e.chisqr) - chisqr for e in ends) < threshold:
            found[name] = tuple(ends)
    return found


def _spread_from_undetermined(out, ends_by_name: dict, name: str) -> float:
    """Variance the undetermined parameters add to parameter ``name``.

    An undetermined parameter u may lie anywhere in its range [a, b]; taking it as uniform there and ``name`` as
    linear in it between the two profile fits (v_a, v_b), the mean square distance of v(u) from the reported value
    v(û) is (v_b − v_a)² (1/3 − t + t²) with t = (û − a)/(b − a).
    """
    total = 0.0
    for u, (at_min, at_max) in ends_by_name.items():
        par = out.params[u]
        t = (par.value - par.min) / (par.max - par.min)
        delta = at_max.params[name].value - at_min.params[name].value
        total += delta * delta * (1.0 / 3.0 - t + t * t)
    return total


def _at_bound(par) -> bool:
    span = par.max - par.min if np.isfinite(par.max - par.min) else max(abs(par.value), 1.0)
    return any(np.isfinite(b) and abs(par.value - b) <= 1e-9 * span for b in (par.min, par.max))


def _one_sided_sigma(minimizer, out, name: str) -> float:
    """Distance from a parameter's value, away from its nearer bound, to where χ² has risen by 1 (by χ²_red when
    errors are rescaled), the others held at the optimum.

    At or near a bound the curvature can vanish (η = 0: the powder spectrum is even in η, since η → −η only swaps the
    x and y axes), so the covariance says nothing or too much; the χ² rise on the open side is the 68 % interval.
    """
    from scipy.optimize import brentq

    par = out.params[name]
    inward = 1.0 if abs(par.value - par.min) <= abs(par.value - par.max) else -1.0
    far = par.max if inward > 0 else par.min
    if not np.isfinite(far):
        far = par.value + inward * max(abs(par.value), 1.0)
    target = float(out.redchi) if minimizer.scale_covar else 1.0
    trial = out.params.copy()

    def rise(value):
        trial[name].set(value=value)
        res = minimizer.userfcn(trial, *minimizer.userargs, **minimizer.userkws)
        return float(np.sum(np.square(res))) - float(out.chisqr) - target

    if rise(far) <= 0:  # the whole open side fits within 1σ
        return abs(far - par.value)
    return abs(brentq(rise, par.value, far, xtol=1e-6 * abs(far - par.value)) - par.value)


def result_from_minimizer(
    minimizer, out, *, sites, models, sigmas, ci: str = "stderr", check_determined: bool = True, max_nfev: int = 2000
) -> FitResult:
    """The :class:`FitResult` of an lmfit least-squares fit (the one result type).

    Flags undetermined parameters (:func:`undetermined_parameters`); those ending on a bound get a one-sided σ from
    the χ² rise (:func:`_one_sided_sigma`). The others' covariance is recomputed with both kinds held (at a bound of
    zero curvature the full one is singular), plus the spread an undetermined parameter causes across its range
    (:func:`_spread_from_undetermined`): held at one wrong value it would bias the others beyond their σ.

    Parameters
    ----------
    minimizer, out, sites, models, sigmas
        The lmfit Minimizer (residuals divided by σ), its least-squares result, and what the FitResult stores.
    ci, check_determined, max_nfev : str, bool, int
        ``"stderr"`` or ``"profile"`` intervals; whether to test for undetermined parameters; refit evaluation limit.

    Returns
    -------
    FitResult

    Raises
    ------
    ModelParameterError
        ``ci`` is neither ``"stderr"`` nor ``"profile"``, or lmfit's profile intervals fail.
    """
    import lmfit

    if ci not in ("stderr", "profile"):
        raise ModelParameterError("ci must be 'stderr' or 'profile'.")
    values = {k: float(v) for k, v in out.params.valuesdict().items()}
    varied = tuple(k for k, par in out.params.items() if par.vary)
    ends = _profile_undetermined(minimizer, out, max_nfev) if check_determined else {}
    undetermined = tuple(ends)
    bounded = tuple(k for k in varied if k not in undetermined and _at_bound(out.params[k]))
    errs_from = out
    if undetermined or bounded:
        held = out.params.copy()
        for name in undetermined + bounded:
            held[name].set(vary=False)
        errs_from = minimizer.minimize(method="least_squares", params=held, diff_step=_DIFF_STEP, max_nfev=max_nfev)
    stderr = {
        k: float(np.sqrt(par.stderr**2 + _spread_from_undetermined(out, ends, k)))
        for k, par in errs_from.params.items()
        if par.vary and par.stderr is not None and np.isfinite(par.stderr)
    }
    stderr.update({k: _one_sided_sigma(minimizer, out, k) for k in bounded})
    # an interval past a bound is the linearisation failing (η near 0: spectrum ∝ η²); the χ² rise gives it instead
    for k in varied:
        par = out.params[k]
        if (
            k in stderr
            and k not in bounded
            and np.isfinite(stderr[k])
            and (values[k] - stderr[k] < par.min or values[k] + stderr[k] > par.max)
        ):
            stderr[k] = _one_sided_sigma(minimizer, out, k)
    stderr.update({k: float("nan") for k in undetermined})
    if ci == "profile":
        try:
            intervals = lmfit.conf_interval(minimizer, errs_from, sigmas=[_Z95])
        except Exception as exc:  # lmfit raises plain exceptions for degenerate problems
            raise ModelParameterError(f"Profile confidence intervals failed: {exc}") from exc
        ci95 = {k: (float(v[0][1]), float(v[-1][1])) for k, v in intervals.items()}
    else:
        ci95 = {k: (values[k] - _Z95 * s, values[k] + _Z95 * s) for k, s in stderr.items()}
    ci95.update({k: (float("nan"), float("nan")) for k in undetermined})
    return FitResult(
        sites=sites,
        values=values,
        stderr=stderr,
        ci95=ci95,
        varied=varied,
        models=models,
        sigmas=tuple(sigmas),
        redchi=float(out.redchi),
        success=bool(out.success),
        message=str(out.message),
        lmfit_result=out,
        params=out.params,
        undetermined=undetermined,
    )


@dataclass(frozen=True)
class SidebandCSA:
    """CSA from sideband intensities (:func:`fit_sideband_intensities`), with standard errors.

    Attributes
    ----------
    aniso_ppm, aniso_err, eta, eta_err, redchi, scales
        δaniso (ppm) and η with their standard errors, reduced χ², and the intensity scale of each spinning rate.
    """

    aniso_ppm: float
    aniso_err: float
    eta: float
    eta_err: float
    redchi: float
    scales: tuple[float, ...]

    @property
    def ci95(self) -> dict[str, tuple[float, float]]:
        return {
            "aniso_ppm": (self.aniso_ppm - _Z95 * self.aniso_err, self.aniso_ppm + _Z95 * self.aniso_err),
            "eta": (self.eta - _Z95 * self.eta_err, self.eta + _Z95 * self.eta_err),
        }


def fit_sideband_intensities(manifolds, reference_mhz: float, *, sigma=None) -> SidebandCSA:
    """Herzfeld–Berger analysis: δaniso and η from the intensities of a sideband manifold.

    Parameters
    ----------
    manifolds : sequence of (mas_hz, orders, intensities)
        One entry per spinning rate: the sideband orders seen (0 = centre band) and their intensities (heights of
        equally broadened lines, or integrals), in any units — each rate gets its own scale.
    reference_mhz : float
        Frequency of 0 ppm, MHz (turns ppm into Hz).
    sigma : sequence of arrays, optional
        Standard deviations of the intensities; if omitted, all are weighted equally and the errors are scaled by the
        residual scatter.

    Returns
    -------
    SidebandCSA

    Raises
    ------
    ModelParameterError
        No manifold, or one whose orders and intensities differ in shape or hold fewer than 2 bands.

    Notes
    -----
    Intensities from :func:`qdkit.mas.sideband_intensities` (Herzfeld & Berger, J. Chem. Phys. 73, 6021 (1980)); the
    side of the centre band with the stronger sidebands fixes the sign of δaniso, so fits start from both signs.
    """
    from scipy.optimize import least_squares

    from qdkit.simulation.mas import sideband_intensities

    entries = []
    for j, (rate, orders, inten) in enumerate(manifolds):
        orders = np.asarray(orders, int)
        inten = np.asarray(inten, float)
        if orders.shape != inten.shape or orders.size < 2:
            raise ModelParameterError("Each manifold needs matching orders and intensities (≥ 2 bands).")
        err = np.ones_like(inten) if sigma is None else np.asarray(sigma[j], float)
        entries.append((float(rate), orders, inten, err))
    if not entries:
        raise ModelParameterError("fit_sideband_intensities needs at least one manifold.")

    def predicted(aniso, eta, rate, orders):
        k, i = sideband_intensities(aniso * reference_mhz / rate, min(max(eta, 0.0), 1.0))
        lookup = dict(zip(k.tolist(), i.tolist()))
        return np.array([lookup.get(int(o), 0.0) for o in orders])

    def residual(x, return_scales=False):
        res, scales = [], []
        for rate, orders, inten, err in entries:
            p = predicted(x[0], x[1], rate, orders)
            w = 1.0 / err**2
            scale = float(np.sum(w * p * inten) / max(np.sum(w * p * p), 1e-300))
            scales.append(scale)
            res.append((inten - scale * p) / err)
        return (np.concatenate(res), scales) if return_scales else np.concatenate(res)

    # rough magnitude from the widest sideband seen: |k|·ν_r spans up to ~|δaniso|
    reach = max(np.abs(o).max() * r for r, o, _, _ in entries) / reference_mhz
    best = None
    for sign in (1.0, -1.0):
        for eta0 in (0.2, 0.8):
            for frac in (0.6, 1.0):
                sol = least_squares(
                    residual, [sign * max(frac * reach, 1.0), eta0], bounds=([-5e3, 0.0], [5e3, 1.0]), diff_step=1e-4
                )
                if best is None or sol.cost < best.cost:
                    best = sol
    n_data = sum(e[1].size for e in entries)
    dof = max(n_data - 2 - len(entries), 1)
    redchi = 2.0 * best.cost / dof
    try:
        cov = np.linalg.inv(best.jac.T @ best.jac)
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    if sigma is None:
        cov = cov * redchi
    _, scales = residual(best.x, return_scales=True)
    errs = np.sqrt(np.clip(np.diag(cov), 0, None))
    return SidebandCSA(
        aniso_ppm=float(best.x[0]),
        aniso_err=float(errs[0]),
        eta=float(best.x[1]),
        eta_err=float(errs[1]),
        redchi=float(redchi),
        scales=tuple(scales),
    )
