"""Cross-polarization kinetics of quantum-dot sites: which atoms a given contact time reaches.

Each site's ¹H→X transfer rate comes from its heteronuclear second moment to the ligand and
solvent protons of a :class:`qdkit.nanocrystal.Nanocrystal`; the classical I–S model turns
rates into core and surface signals versus contact time, and fits measured buildups.

Model (classical I–S cross-polarization with an infinite ¹H reservoir; Mehring, *Principles of
High Resolution NMR in Solids*, 2nd ed., Springer 1983, ch. 4; Kolodziejski & Klinowski,
Chem. Rev. 102, 613 (2002), eq. 9)::

    S_i(t) = G · ε_H · [exp(−t/T1ρ) − exp(−t/T_IS,i)] / (1 − T_IS,i/T1ρ)

with the CP gain bound G = γH/γX (in units of the site's own Boltzmann polarization at the
same temperature) and ε_H the DNP ¹H enhancement. The transfer rate of site i is

    1/T_IS,i = M2_IS,i · J(0)

where M2_IS,i is van Vleck's heteronuclear second moment of X due to the protons
(Van Vleck, Phys. Rev. 74, 1168 (1948); Abragam, *Principles of Nuclear Magnetism*, ch. IV),
for I = 1/2 protons and a powder:

    M2_IS = (4/15) I(I+1) (μ0/4π)² γH² γX² ħ² Σ_H r_iH⁻⁶ = (1/5) (μ0/4π)² γH² γX² ħ² Σ_H r_iH⁻⁶

and J(0) = τ_c is the zero-frequency spectral density of the ¹H dipolar bath at the
Hartmann–Hahn match (Demco, Tegenfeldt & Waugh, Phys. Rev. B 11, 4133 (1975)); see
:data:`TAU_C_US` for its value.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from qdkit import nuclei
from qdkit.analysis.result import FitResult, reduced_chi_square, stderr_from_covariance
from qdkit.constants import HBAR_J_S, MU0_OVER_4PI_T_M_A
from qdkit.errors import ModelParameterError
from qdkit.models.nanocrystal import Nanocrystal, ProtonLayer

__all__ = [
    "TAU_C_US",
    "T1RHO_MS",
    "buildup",
    "proton_r6_sum",
    "heteronuclear_second_moment",
    "transfer_time_ms",
    "cp_gain_bound",
    "site_transfer_times_ms",
    "core_surface_signal",
    "signal_by_depth",
    "fit_buildup",
    "BuildupFit",
]


#: Zero-frequency spectral density J(0) of the ¹H dipolar bath (µs) that turns the
#: heteronuclear second moment into a CP rate, 1/T_IS = M2_IS · J(0).
#: For a Gaussian ¹H dipolar correlation J(0) = √(π/2)/√M2_HH (Demco et al. 1975). A rigid
#: frozen hydrocarbon (rigid polyethylene) has a ¹H second moment M2_HH ≈ 20–30 G², i.e.
#: √M2_HH ≈ 1.4e5 rad/s; under the ¹H spin lock the secular homonuclear coupling is scaled
#: by −1/2, halving √M2_HH, so J(0) ≈ 2 · 1.2533 / 1.4e5 s ≈ 18 µs. 20 µs is taken. Check: a non-protonated carbon
#: with Σ r⁻⁶ ≈ 0.04 Å⁻⁶ (glycine C=O: two Hα at 2.1 Å, NH3⁺ and neighbouring molecules)
#: then has T_CH ≈ 0.17 ms, within the 0.1–0.5 ms measured for rigid non-protonated carbons
#: (Kolodziejski & Klinowski 2002). Directly bonded C–H pairs are outside the model: their
#: transfer is coherent (oscillatory, Müller et al., Phys. Rev. Lett. 32, 1402 (1974)).
TAU_C_US = 20.0

#: ¹H T1ρ under the spin lock in frozen DNP solutions at 100 K (ms). The paper's own contact
#: times of 9.5–15 ms for 77Se and 113Cd (SI section VII) are only useful if the locked ¹H
#: polarization survives that long, i.e. T1ρ of tens of ms; 20 ms is taken.
T1RHO_MS = 20.0


def buildup(contact_ms, t_is_ms, t1rho_ms=T1RHO_MS):
    """Classical I–S CP buildup, normalised to a unit gain bound.

    S(t) = [exp(−t/T1ρ) − exp(−t/T_IS)] / (1 − T_IS/T1ρ)
    (Mehring 1983; Kolodziejski & Klinowski, Chem. Rev. 102, 613 (2002)). At T_IS = T1ρ the
    limit (t/T) exp(−t/T) is used.

    Parameters
    ----------
    contact_ms : array_like
        Contact times, ms.
    t_is_ms : array_like
        I–S transfer time(s), ms; broadcast against ``contact_ms``.
    t1rho_ms : float or array_like
        ¹H rotating-frame relaxation time, ms.

    Returns
    -------
    ndarray
        S(t) in units of the gain bound (→ 1 for T_IS ≪ t ≪ T1ρ).

    Raises
    ------
    ModelParameterError
        If a transfer time or T1ρ is not positive, or a contact time is negative.

    Examples
    --------
    >>> from qdkit.models.cp import buildup
    >>> [round(float(s), 3) for s in buildup([0.0, 1.0, 5.0], t_is_ms=0.5, t1rho_ms=20.0)]
    [0.0, 0.837, 0.799]
    """
    t = np.asarray(contact_ms, float)
    tis = np.asarray(t_is_ms, float)
    t1 = np.asarray(t1rho_ms, float)
    if np.any(tis <= 0) or np.any(t1 <= 0):
        raise ModelParameterError("T_IS and T1ρ must be positive times in ms.")
    if np.any(t < 0):
        raise ModelParameterError("contact_ms must be ≥ 0.")
    ratio = tis / t1
    close = np.abs(1.0 - ratio) < 1e-6
    safe = np.where(close, 0.5, 1.0 - ratio)
    general = (np.exp(-t / t1) - np.exp(-t / tis)) / safe
    limit = (t / t1) * np.exp(-t / t1)
    return np.where(close, limit, general)


def _shell_integral(s, r):
    """∫ over |x| < r of |x − s|⁻⁶ d³x ... antiderivative in r for a point at distance s < r.

    Angular integration of |x − s|⁻⁶ over a sphere of radius r gives
    (π r / 2s)[(r − s)⁻⁴ − (r + s)⁻⁴]; its antiderivative in r is returned (0 at r = ∞).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = r - s, r + s
        g = (np.pi / (2 * s)) * (-0.5 / a**2 - s / (3 * a**3) + 0.5 / b**2 - s / (3 * b**3))
    small = s < 1e-6 * r
    g = np.where(small, -4 * np.pi / (3 * r**3), g)
    return np.where(np.isinf(r), 0.0, g)


def proton_r6_sum(radius_A, layers: tuple[ProtonLayer, ...]):
    """Σ_H r⁻⁶ (Å⁻⁶) from a site at ``radius_A`` to protons in concentric uniform shells.

    Exact integral of n·|x − s|⁻⁶ over each shell (site inside the innermost shell).

    Parameters
    ----------
    radius_A : array_like
        Distance of each site from the dot centre, Å.
    layers : tuple of ProtonLayer
        Concentric uniform proton shells (radii in Å, density in H per Å³), e.g.
        ``Nanocrystal.proton_layers``.

    Returns
    -------
    ndarray
        Σ r⁻⁶ per site, Å⁻⁶.

    Raises
    ------
    ModelParameterError
        If a site lies at or beyond the inner radius of the innermost proton shell.
    """
    s = np.asarray(radius_A, float)[..., None]
    r_in = np.array([lay.r_in_A for lay in layers])
    r_out = np.array([lay.r_out_A for lay in layers])
    n = np.array([lay.h_per_A3 for lay in layers])
    if np.any(s >= r_in.min()):
        raise ModelParameterError("a site lies inside the proton shell; increase the proton gap.")
    s = np.maximum(s, 1e-9)
    return np.sum(n * (_shell_integral(s, r_out) - _shell_integral(s, r_in)), axis=-1)


def heteronuclear_second_moment(nucleus, r6_sum_A6):
    """Van Vleck heteronuclear second moment of X due to protons, rad² s⁻².

    M2 = (4/15) I(I+1) (μ0/4π)² γH² γX² ħ² Σ r⁻⁶ with I = 1/2 (powder average;
    Van Vleck 1948, Abragam ch. IV).

    Parameters
    ----------
    nucleus : str or Nucleus
        Observed X nucleus, e.g. ``"13C"`` or ``"113Cd"``.
    r6_sum_A6 : float or array_like
        Σ_H r⁻⁶ from the X site to the protons, Å⁻⁶ (see :func:`proton_r6_sum`).

    Returns
    -------
    ndarray
        M2_IS, rad² s⁻², same shape as ``r6_sum_A6``.
    """
    x = nuclei.get(nucleus)
    h = nuclei.get("1H")
    pref = 0.2 * MU0_OVER_4PI_T_M_A**2 * h.gamma**2 * x.gamma**2 * HBAR_J_S**2
    return pref * np.asarray(r6_sum_A6, float) * 1e60


def transfer_time_ms(nucleus, r6_sum_A6, tau_c_us=TAU_C_US):
    """T_IS (ms) from Σ r⁻⁶: 1/T_IS = M2_IS · J(0) (Demco, Tegenfeldt & Waugh 1975).

    Parameters
    ----------
    nucleus : str or Nucleus
        Observed X nucleus.
    r6_sum_A6 : float or array_like
        Σ_H r⁻⁶ from the X site to the protons, Å⁻⁶.
    tau_c_us : float
        ¹H bath spectral density J(0), µs (default :data:`TAU_C_US`).

    Returns
    -------
    ndarray
        T_IS, ms; ``inf`` where Σ r⁻⁶ = 0 (no protons in reach).

    Raises
    ------
    ModelParameterError
        If ``tau_c_us`` is not positive.

    Examples
    --------
    A non-protonated carbon with Σ r⁻⁶ = 0.04 Å⁻⁶ (the check of :data:`TAU_C_US`):

    >>> from qdkit.models.cp import transfer_time_ms
    >>> round(float(transfer_time_ms("13C", 0.04)), 2)
    0.17
    """
    if tau_c_us <= 0:
        raise ModelParameterError("tau_c_us must be positive (µs).")
    rate = heteronuclear_second_moment(nucleus, r6_sum_A6) * tau_c_us * 1e-6
    with np.errstate(divide="ignore"):
        return 1e3 / rate


def cp_gain_bound(nucleus) -> float:
    """Largest CP gain over direct X polarization, |γH/γX| (e.g. 2.47 for 31P, 4.5 for 113Cd).

    Parameters
    ----------
    nucleus : str or Nucleus
        Observed X nucleus.

    Returns
    -------
    float
        |γ(¹H)/γ(X)|, dimensionless.

    Examples
    --------
    >>> from qdkit.models.cp import cp_gain_bound
    >>> round(cp_gain_bound("31P"), 2), round(cp_gain_bound("113Cd"), 2)
    (2.47, 4.49)
    """
    x = nuclei.get(nucleus)
    return abs(nuclei.get("1H").gamma / x.gamma)


def _element(nucleus) -> str:
    return nuclei.get(nucleus).symbol


@functools.lru_cache(maxsize=128)
def _site_times(dot: Nanocrystal, nucleus: str, tau_c_us: float):
    if not dot.proton_layers:
        raise ModelParameterError("the nanocrystal has no proton shell; build it with a ligand.")
    m = dot.mask(_element(nucleus))
    r6 = proton_r6_sum(dot.radius_A[m], dot.proton_layers)
    t_is = transfer_time_ms(nucleus, r6, tau_c_us)
    t_is.flags.writeable = False
    return m, t_is


def site_transfer_times_ms(dot: Nanocrystal, nucleus: str, *, tau_c_us: float = TAU_C_US):
    """T_IS (ms) of every atom of the nucleus' element, in the order of ``dot.mask(element)``.

    Cached per (dot, nucleus, tau_c_us): a widget can call it on every slider move.

    Parameters
    ----------
    dot : Nanocrystal
        Built with a ligand (its ``proton_layers`` drive the transfer).
    nucleus : str
        Observed X nucleus, e.g. ``"113Cd"``.
    tau_c_us : float
        ¹H bath spectral density J(0), µs (default :data:`TAU_C_US`).

    Returns
    -------
    ndarray
        T_IS per site, ms (read-only; ``inf`` for sites without protons in reach).

    Raises
    ------
    ModelParameterError
        If the nanocrystal has no proton shell, or a site lies inside it (raised by the
        cached helper and :func:`proton_r6_sum`).
    """
    return _site_times(dot, nuclei.get(nucleus).label, float(tau_c_us))[1]


@functools.lru_cache(maxsize=128)
def _grouped(dot: Nanocrystal, nucleus: str, tau_c_us: float, n_bins: int = 64):
    """Sites binned by log T_IS per class (core, surface): (t_is, counts) pairs.

    Binning to 64 log-spaced T_IS values per class changes the signal by < 1e-3 relative
    and makes one evaluation cost O(64 × n_contact) instead of O(n_sites × n_contact).
    """
    m, t_is = _site_times(dot, nucleus, tau_c_us)
    surf = dot.is_surface[m]
    out = []
    for cls in (~surf, surf):
        t = t_is[cls & np.isfinite(t_is)]  # sites without protons in reach never polarize
        if len(t) == 0:
            out.append((np.ones(1), np.zeros(1)))
            continue
        edges = np.geomspace(t.min() * 0.999, t.max() * 1.001, n_bins + 1)
        idx = np.clip(np.searchsorted(edges, t) - 1, 0, n_bins - 1)
        counts = np.bincount(idx, minlength=n_bins).astype(float)
        sums = np.bincount(idx, weights=np.log(t), minlength=n_bins)
        used = counts > 0
        out.append((np.exp(sums[used] / counts[used]), counts[used]))
    return tuple(out)


def core_surface_signal(
    dot: Nanocrystal,
    nucleus: str,
    contact_ms,
    *,
    t1rho_ms: float = T1RHO_MS,
    tau_c_us: float = TAU_C_US,
    dnp_enhancement: float = 1.0,
):
    """CP signal of the core and of the surface atoms of one element versus contact time.

    Σ over sites of G · ε_H · S_i(t) (see the module docstring), in units of the Boltzmann
    signal of one site at the same temperature without DNP; G = |γH/γX|.
    Core = fully coordinated atoms, surface = under-coordinated ones (shell metals included).

    Parameters
    ----------
    dot : Nanocrystal
        Built with a ligand (its protons drive the transfer).
    nucleus : str
        Observed X nucleus, e.g. ``"31P"``, ``"113Cd"``, ``"77Se"``.
    contact_ms : float or array_like
        Contact time(s), ms.
    t1rho_ms : float
        ¹H T1ρ, ms (default :data:`T1RHO_MS`).
    tau_c_us : float
        ¹H bath spectral density J(0), µs (default :data:`TAU_C_US`).
    dnp_enhancement : float
        ¹H DNP enhancement ε_H (1 = microwaves off).

    Returns
    -------
    core, surface : ndarray
        Same shape as ``contact_ms``.

    Raises
    ------
    ModelParameterError
        If ``dnp_enhancement`` is not positive (and, from the helpers, if the dot has no
        proton shell or a time is not positive).

    Notes
    -----
    After the first call for a (dot, nucleus, tau_c_us) the site rates are cached; one call
    then costs a few tens of µs (see ``benchmarks/models.py``).
    """
    if dnp_enhancement <= 0:
        raise ModelParameterError("dnp_enhancement must be > 0 (1 = microwaves off).")
    label = nuclei.get(nucleus).label
    (tc, nc), (ts, ns) = _grouped(dot, label, float(tau_c_us))
    t = np.asarray(contact_ms, float)
    scale = cp_gain_bound(label) * dnp_enhancement
    tt = t[..., None]
    core = scale * (buildup(tt, tc, t1rho_ms) @ nc)
    surface = scale * (buildup(tt, ts, t1rho_ms) @ ns)
    return core, surface


def signal_by_depth(
    dot: Nanocrystal,
    nucleus: str,
    contact_ms: float,
    *,
    t1rho_ms: float = T1RHO_MS,
    tau_c_us: float = TAU_C_US,
):
    """Per-site CP signal at one contact time, with each site's depth (for depth profiles).

    Parameters
    ----------
    dot : Nanocrystal
        Built with a ligand (its protons drive the transfer).
    nucleus : str
        Observed X nucleus, e.g. ``"77Se"``.
    contact_ms : float
        Contact time, ms.
    t1rho_ms : float
        ¹H T1ρ, ms (default :data:`T1RHO_MS`).
    tau_c_us : float
        ¹H bath spectral density J(0), µs (default :data:`TAU_C_US`).

    Returns
    -------
    depth_A, signal : ndarray
        Depth below the surface (Å) and S_i(t) / gain bound of every atom of the element.
    """
    label = nuclei.get(nucleus).label
    m, t_is = _site_times(dot, label, float(tau_c_us))
    return dot.depth_A[m], buildup(float(contact_ms), t_is, t1rho_ms)


@dataclass(frozen=True)
class BuildupFit(FitResult):
    """Result of :func:`fit_buildup`: values and one-standard-error uncertainties.

    Attributes
    ----------
    amplitude : float
        A, the plateau scale in the units of the fitted signal.
    t_is_ms, t1rho_ms : float
        Fitted I–S transfer time and ¹H T1ρ, ms (T_IS < T1ρ).
    amplitude_err, t_is_err_ms, t1rho_err_ms : float
        One-standard-error uncertainties of the three values (same units).
    residual_rms : float
        Root-mean-square residual of the fit, in signal units.
    values, stderr, undetermined, redchi, success, message, params, lmfit_result
        As for :class:`~qdkit.analysis.result.FitResult` (keyword-only; keys ``amplitude``,
        ``t_is_ms``, ``t1rho_ms``; ``params`` and ``lmfit_result`` are None: scipy fit).
    """

    amplitude: float
    t_is_ms: float
    t1rho_ms: float
    amplitude_err: float
    t_is_err_ms: float
    t1rho_err_ms: float
    residual_rms: float

    def curve(self, contact_ms):
        """The fitted buildup at ``contact_ms``.

        Parameters
        ----------
        contact_ms : float or array_like
            Contact time(s), ms.

        Returns
        -------
        ndarray
            A · S(t; T_IS, T1ρ), in the units of the fitted signal.
        """
        return self.amplitude * buildup(contact_ms, self.t_is_ms, self.t1rho_ms)


def fit_buildup(contact_ms, signal, *, sigma=None) -> BuildupFit:
    """Fit a measured CP buildup with A · S(t; T_IS, T1ρ) (least squares, scipy).

    The model is symmetric under T_IS ↔ T1ρ with A → A·T_IS/T1ρ; the solution with
    T_IS < T1ρ is returned (transfer faster than the ¹H spin-lock decay).

    Parameters
    ----------
    contact_ms, signal : array_like
        At least four contact times and the integrated intensities.
    sigma : array_like, optional
        Standard deviations of ``signal`` (then the errors are absolute).

    Returns
    -------
    BuildupFit
        Fitted A, T_IS, T1ρ with their standard errors.

    Raises
    ------
    ModelParameterError
        If the arrays differ in shape, hold fewer than four points or non-finite signals,
        or if no starting guess converges.
    """
    from scipy.optimize import curve_fit

    t = np.asarray(contact_ms, float)
    y = np.asarray(signal, float)
    if t.shape != y.shape or t.size < 4:
        raise ModelParameterError("fit_buildup needs matching contact_ms and signal arrays with at least 4 points.")
    if not np.all(np.isfinite(y)):
        raise ModelParameterError("signal contains NaN or inf; remove those points first.")

    def model(tt, amp, t_is, t1):
        return amp * buildup(tt, t_is, t1)

    i_max = int(np.argmax(y))
    t_peak = max(t[i_max], t[t > 0].min() if np.any(t > 0) else 1.0)
    best = None
    guesses = ((t_peak / 3, t_peak * 5), (t_peak / 10, t_peak * 20), (t_peak, t.max() * 10))
    for guess_is, guess_t1 in guesses:
        p0 = (max(y.max(), 1e-12) * 1.2, guess_is, guess_t1)
        try:
            p, cov = curve_fit(
                model,
                t,
                y,
                p0=p0,
                sigma=sigma,
                absolute_sigma=sigma is not None,
                bounds=([0, 1e-4, 1e-3], [np.inf, 1e4, 1e6]),
                maxfev=20000,
            )
        except RuntimeError:
            continue
        res = float(np.sqrt(np.mean((model(t, *p) - y) ** 2)))
        if best is None or res < best[2]:
            best = (p, cov, res)
    if best is None:
        raise ModelParameterError("the buildup fit did not converge; check that the curve rises.")
    p, cov, res = best
    amp, t_is, t1 = p
    if t_is > t1:  # pick the conventional branch of the symmetric solution
        amp, t_is, t1 = amp * t_is / t1, t1, t_is
        p, cov = curve_fit(
            model,
            t,
            y,
            p0=(amp, t_is, t1),
            sigma=sigma,
            absolute_sigma=sigma is not None,
            bounds=([0, 1e-4, 1e-3], [np.inf, 1e4, 1e6]),
            maxfev=20000,
        )
        amp, t_is, t1 = p
        res = float(np.sqrt(np.mean((model(t, *p) - y) ** 2)))
    err = np.sqrt(np.clip(np.diag(cov), 0, np.inf))
    stderr, undetermined = stderr_from_covariance(("amplitude", "t_is_ms", "t1rho_ms"), cov)
    weights = 1.0 if sigma is None else 1.0 / np.broadcast_to(np.asarray(sigma, float), y.shape)
    return BuildupFit(
        float(amp),
        float(t_is),
        float(t1),
        float(err[0]),
        float(err[1]),
        float(err[2]),
        res,
        values={"amplitude": float(amp), "t_is_ms": float(t_is), "t1rho_ms": float(t1)},
        stderr=stderr,
        undetermined=undetermined,
        redchi=reduced_chi_square((model(t, *p) - y) * weights, 3),
    )
