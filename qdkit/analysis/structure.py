"""From CP-corrected site populations to a quantum dot's diameter and its CdX₂ shell.

Inverts the size-ensemble surface fraction of the atomistic model
(:mod:`qdkit.models.size_ensemble`) and says which model assumptions the answer rests on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.models.materials import DEFAULT_STRUCTURE, LIGANDS, MATERIALS
from qdkit.models.size_ensemble import (
    GRID_DIAMETERS_NM,
    count_table,
    ensemble_counts,
    ensemble_surface_fraction,
    size_weights,
)

__all__ = [
    "StructureResult",
    "diameter_from_cation_excess",
    "diameter_from_surface_fraction",
    "monotonic_range_nm",
    "shell_metals_per_nm2",
    "structure",
]


def _diameter_range(size_spread: float) -> tuple[float, float]:
    """Mean diameters whose ±2 s distribution stays inside the table, nm."""
    return (
        float(GRID_DIAMETERS_NM[0] * np.exp(2 * size_spread)) * 1.0001,
        float(GRID_DIAMETERS_NM[-1] * np.exp(-2 * size_spread)) * 0.9999,
    )


@functools.lru_cache(maxsize=256)
def monotonic_range_nm(
    material: str, element: str, size_spread: float = 0.08, structure: str | None = None, termination: str | None = None
) -> tuple[float, float]:
    """Diameters (nm) over which the sample's surface fraction falls strictly with D.

    The largest such interval that reaches the biggest tabulated sample. Below it, a narrow
    distribution of small dots still shows the lattice's layer-by-layer jumps (perovskite
    CsPbBr3 below ~3.5 nm at 8 % spread), so a fraction there matches several diameters.

    Parameters
    ----------
    material, element : str
        Material (``"InP"``, ``"CdSe"``, …) and observed element (``"P"``, ``"Cd"``, …).
    size_spread : float
        Relative width s of the lognormal size distribution.
    structure, termination : str, optional
        Crystal structure and surface termination (defaults of :mod:`qdkit.models.size_ensemble`).

    Returns
    -------
    (float, float)
        Smallest and largest median diameter of the interval, nm.
    """
    lo, hi = _diameter_range(size_spread)
    grid = np.geomspace(lo, hi, 600)
    f = np.array(
        [
            ensemble_surface_fraction(
                material, element, d, size_spread=size_spread, structure=structure, termination=termination
            )
            for d in grid
        ]
    )
    rising = np.flatnonzero(np.diff(f) >= 0)
    start = 0 if rising.size == 0 else int(rising[-1]) + 1
    return float(grid[start]), float(grid[-1])


def diameter_from_surface_fraction(
    material: str,
    element: str,
    fraction: float,
    *,
    size_spread: float = 0.08,
    structure: str | None = None,
    termination: str | None = None,
) -> float:
    """Median diameter (nm) of a sample whose ``element`` atoms are ``fraction`` surface.

    Inverts :func:`qdkit.models.size_ensemble.ensemble_surface_fraction` by Brent's method
    on the diameters where it falls monotonically (:func:`monotonic_range_nm`).

    Parameters
    ----------
    material, element : str
        Material (``"InP"``, ``"CdSe"``, …) and observed element (``"P"``, ``"Cd"``, …).
    fraction : float
        Surface share of the ``element`` atoms, 0 … 1.
    size_spread, structure, termination
        As in :func:`monotonic_range_nm`.

    Returns
    -------
    float
        Median diameter, nm.

    Raises
    ------
    ModelParameterError
        If the fraction is outside what those dots give.
    """
    f = float(fraction)
    lo, hi = monotonic_range_nm(material, element, float(size_spread), structure, termination)

    def g(d):
        return (
            ensemble_surface_fraction(
                material, element, d, size_spread=size_spread, structure=structure, termination=termination
            )
            - f
        )

    g_lo, g_hi = g(lo), g(hi)
    if not (np.isfinite(f) and g_lo >= 0 >= g_hi):
        raise ModelParameterError(
            f"A surface fraction of {fraction} for {element} in {material} is outside what "
            f"{lo:.1f}–{hi:.1f} nm samples give ({g_hi + f:.3f}–{g_lo + f:.3f}; smaller dots are "
            "ambiguous in the model); check which sites you counted as surface."
        )
    return float(brentq(g, lo, hi, xtol=1e-5))


def shell_metals_per_nm2(
    material: str,
    element: str,
    fraction: float,
    diameter_nm: float,
    *,
    size_spread: float = 0.08,
    structure: str | None = None,
) -> float:
    """Shell metal atoms per nm² of core sphere that make ``fraction`` of the metal surface.

    Z-type M(X)₂ shell on a stoichiometric core (the CdSe_core(CdX₂)_shell model, Anderson
    et al., JACS 135, 18536 (2013)): every shell metal is surface, so with the core's mean
    surface and total metal counts S, N and mean sphere area A = ⟨πD²⟩ of the sample,
    f = (S + ρA)/(N + ρA), i.e. ρ = (fN − S)/((1 − f)A). Adding shell metals leaves the
    core metals' coordination unchanged (only cation–anion bonds count).

    Parameters
    ----------
    material, element : str
        Material (``"InP"``, ``"CdSe"``, …) and observed element (``"P"``, ``"Cd"``, …).
    fraction : float
        Measured surface share f of the metal, 0 ≤ f < 1.
    diameter_nm : float
        Median core diameter, nm.
    size_spread, structure
        Relative lognormal width and crystal structure, as in :func:`monotonic_range_nm`.

    Returns
    -------
    float
        ρ, shell metal atoms per nm² (negative when f is below the bare core's share).

    Raises
    ------
    ModelParameterError
        ``fraction`` outside 0 … 1 (1 excluded).
    """
    d, _, _ = count_table(material, element, structure=structure, termination="stoichiometric")
    s, n = ensemble_counts(
        material, element, diameter_nm, size_spread=size_spread, structure=structure, termination="stoichiometric"
    )
    area = float(size_weights(diameter_nm, size_spread, d) @ (np.pi * d**2))
    f = float(fraction)
    if not 0 <= f < 1:
        raise ModelParameterError(f"The surface fraction must lie in 0–1, got {fraction}.")
    return (f * n - s) / ((1 - f) * area)


def diameter_from_cation_excess(
    material: str,
    element: str,
    fraction: float,
    cation_excess: float,
    *,
    size_spread: float = 0.08,
    structure: str | None = None,
) -> float:
    """Core diameter (nm) of a M(X)₂-shelled sample from its metal excess x = M/X − 1.

    Core metals are the non-surface share of all metals: x + 1 = (N − S)/((1 − f)·N_X),
    with N, S, N_X the mean metal, surface-metal and anion counts of the stoichiometric
    core (:func:`qdkit.models.size_ensemble.ensemble_counts`); solved for D by Brent's method.

    Parameters
    ----------
    material, element : str
        Material (``"InP"``, ``"CdSe"``, …) and observed element (``"P"``, ``"Cd"``, …).
    fraction : float
        Measured surface share f of the metal, 0 ≤ f < 1.
    cation_excess : float
        x = M/X − 1 of the sample (e.g. from elemental analysis).
    size_spread, structure
        Relative lognormal width and crystal structure, as in :func:`monotonic_range_nm`.

    Returns
    -------
    float
        Median core diameter, nm.

    Raises
    ------
    ModelParameterError
        ``fraction`` outside 0 … 1 (1 excluded), or no tabulated core diameter matches the excess.
    """
    structure = structure or DEFAULT_STRUCTURE.get(material)
    anion = MATERIALS[(material, structure)].anions[0]
    f, x = float(fraction), float(cation_excess)
    if not 0 <= f < 1:
        raise ModelParameterError(f"The surface fraction must lie in 0–1, got {fraction}.")
    lo, hi = _diameter_range(size_spread)

    def g(d):
        s, n = ensemble_counts(
            material, element, d, size_spread=size_spread, structure=structure, termination="stoichiometric"
        )
        _, n_x = ensemble_counts(
            material, anion, d, size_spread=size_spread, structure=structure, termination="stoichiometric"
        )
        return (n - s) / ((1 - f) * n_x) - 1 - x

    g_lo, g_hi = g(lo), g(hi)
    if not (np.isfinite(x) and g_lo * g_hi <= 0):
        raise ModelParameterError(
            f"A metal excess of {cation_excess} with {f:.3f} of the {element} at the surface matches "
            f"no {lo:.1f}–{hi:.1f} nm {material} core with a shell; check both numbers."
        )
    return float(brentq(g, lo, hi, xtol=1e-5))


@dataclass(frozen=True)
class StructureResult:
    """What :func:`structure` infers, with 1σ errors and the assumptions behind it.

    Attributes
    ----------
    material, element : str
        The material and the observed element.
    surface_fraction, surface_fraction_stderr : float
        Share f of the element's atoms in surface sites, and its σ.
    diameter_nm, diameter_nm_stderr : float
        Median (core) diameter, nm, and its σ.
    diameter_interval_nm : (float, float)
        Diameters at f ∓ σ_f (no shell) or D ± σ_D (shell), nm.
    size_spread : float
        Relative width of the lognormal size distribution used.
    size_distribution : (ndarray, ndarray)
        (diameters_nm, number fractions) of the inferred sample.
    shell_metals_per_nm2, shell_metals_per_nm2_stderr : float
        Z-type shell metal density, nm⁻², and its σ; NaN when no shell was inferred.
    shell_coverage, shell_coverage_stderr : float
        That density over the model's full shell (one metal per two X ligands at the oleate default coverage), and
        its σ; NaN when no shell was inferred.
    assumptions : tuple of str
        The model assumptions the answer rests on, in words.
    """

    material: str
    element: str
    surface_fraction: float
    surface_fraction_stderr: float
    diameter_nm: float
    diameter_nm_stderr: float
    diameter_interval_nm: tuple[float, float]
    size_spread: float
    size_distribution: tuple[np.ndarray, np.ndarray]
    shell_metals_per_nm2: float
    shell_metals_per_nm2_stderr: float
    shell_coverage: float
    shell_coverage_stderr: float
    assumptions: tuple[str, ...]


def _surface_share(populations, surface_sites, stderr, cov):
    p = np.asarray(populations, float)
    if p.ndim != 1 or p.size < 2 or not np.all(np.isfinite(p)):
        raise ModelParameterError("structure needs the populations of at least two sites (finite numbers).")
    p = p / p.sum()
    idx = sorted({int(i) for i in surface_sites})
    if not idx or any(i < 0 or i >= p.size for i in idx) or len(idx) == p.size:
        raise ModelParameterError(
            f"surface_sites must name some but not all of the {p.size} sites by index, got {surface_sites}."
        )
    mask = np.zeros(p.size)
    mask[idx] = 1.0
    if cov is None:
        err = np.zeros(p.size) if stderr is None else np.asarray(stderr, float)
        # normalised shares sum to one: the surface share's σ is that of the core share too;
        # without a covariance, the larger of the two independent-error estimates is used
        var = max(float(mask @ err**2), float((1 - mask) @ err**2))
    else:
        var = float(mask @ np.asarray(cov, float) @ mask)
    return float(mask @ p), float(np.sqrt(max(var, 0.0)))


def structure(
    populations,
    material: str,
    *,
    surface_sites,
    element: str | None = None,
    populations_stderr=None,
    size_spread: float = 0.08,
    structure: str | None = None,
    shell: bool = False,
    diameter_nm: float | None = None,
    diameter_nm_stderr: float = 0.0,
    cation_excess: float | None = None,
    cation_excess_stderr: float = 0.0,
) -> StructureResult:
    """Diameter (and CdX₂/PbX₂ shell density) of a QD sample from its site populations.

    Without a shell, the share of surface atoms f = Σ_surface p_i is inverted through the
    size-ensemble model, D = f⁻¹(f) (:func:`diameter_from_surface_fraction`), σ_D = |dD/df|·σ_f.
    With ``shell=True`` the core diameter comes either from elsewhere (``diameter_nm``, e.g.
    from the first excitonic absorption peak) or from the sample's metal excess
    x = M/X − 1 (``cation_excess``, elemental analysis): the core metals are the non-surface
    share of all metals, so x + 1 = (N − S)/((1 − f)·N_X) with the stoichiometric core's
    mean metal, surface-metal and anion counts N, S, N_X, which fixes D. The surface-metal
    excess beyond the core is read as shell metals (:func:`shell_metals_per_nm2`), with
    the errors of f and D (or x) propagated.

    Parameters
    ----------
    populations : PopulationFit or sequence of float
        CP-corrected populations (a :class:`qdkit.analysis.infer.PopulationFit` brings its
        covariance and nucleus).
    material : str
        ``"InP"``, ``"CdSe"``, ...
    surface_sites : sequence of int
        Indices of the surface sites (e.g. the PO_x of InP, the −317 ppm Cd of CdSe).
    element : str, optional
        Element observed (default: from the fit's nucleus).
    populations_stderr : sequence of float, optional
        When plain numbers are given.
    size_spread : float
        Relative width of the lognormal size distribution (default 8 %).
    structure : str, optional
        Crystal structure of the material (default: the material's usual one).
    shell : bool
        Infer a Z-type M(X)₂ shell (needs ``diameter_nm`` or ``cation_excess``).
    diameter_nm, diameter_nm_stderr : float
        Core diameter and its σ for the shell inference.
    cation_excess, cation_excess_stderr : float
        Metal excess M/X − 1 of the sample and its σ (instead of ``diameter_nm``).

    Returns
    -------
    StructureResult

    Raises
    ------
    ModelParameterError
        No element given or known from the fit, fewer than two finite populations, ``surface_sites`` not naming some
        but not all sites, a shell asked for without ``diameter_nm`` or ``cation_excess``, a diameter outside the
        tabulated range, or a fraction/excess the model cannot give.
    """
    cov = None
    fit_assumptions: list[str] = []
    if hasattr(populations, "populations_covariance"):
        cov = populations.populations_covariance
        if element is None and populations.site_list:
            element = nuclei.get(populations.site_list[0].nucleus).symbol
        fit_assumptions = [
            (
                "populations are CP plateau amplitudes N_i of the classical I–S model: every site "
                "draws on the same ¹H reservoir (same CP gain bound and DNP enhancement)"
            ),
            {"shared": "one T1ρ for all sites, fitted", "per_site": "a T1ρ per site, fitted"}.get(
                populations.t1rho_mode
            )
            or f"T1ρ fixed at {float(populations.t1rho_ms):g} ms, not fitted",
        ]
        if populations.undetermined:
            fit_assumptions.append("undetermined by the series: " + ", ".join(populations.undetermined))
        populations = populations.populations
    if element is None:
        raise ModelParameterError("Give element= (the observed element, e.g. 'P' or 'Cd').")
    mat_struct = structure or DEFAULT_STRUCTURE.get(material)
    f, f_err = _surface_share(populations, surface_sites, populations_stderr, cov)
    assumptions = fit_assumptions + [
        (
            f"sites {sorted(int(i) for i in surface_sites)} are surface {element}, the others core "
            "(the user's assignment)"
        ),
        (
            f"surface = under-coordinated {element} of a spherical cut of bulk {material} "
            f"({mat_struct}) with bulk lattice constants (qdkit.nanocrystal.build)"
        ),
        (f"lognormal size distribution, {size_spread:.0%} relative spread; each dot counts with its number of atoms"),
    ]
    lo, hi = _diameter_range(size_spread)
    if not shell:
        term = None
        d = diameter_from_surface_fraction(material, element, f, size_spread=size_spread, structure=mat_struct)

        d_lo, d_hi = monotonic_range_nm(material, element, float(size_spread), mat_struct)
        f_range = [
            ensemble_surface_fraction(material, element, x, size_spread=size_spread, structure=mat_struct)
            for x in (d_hi, d_lo)
        ]

        def inv(x):
            return diameter_from_surface_fraction(
                material, element, float(np.clip(x, *f_range)), size_spread=size_spread, structure=mat_struct
            )

        h = max(1e-4, 0.01 * f_err)
        slope = (inv(f + h) - inv(f - h)) / (2 * h)
        d_err = abs(slope) * f_err
        interval = (inv(f + f_err), inv(f - f_err))
        rho = rho_err = cov_frac = cov_err = float("nan")
        assumptions.append(
            "no Z-type shell: surface "
            + (
                "atoms are the metal-rich cut's under-coordinated ones (cation-rich termination)"
                if mat_struct != "perovskite"
                else "of the stoichiometric perovskite cut"
            )
        )
    else:
        term = "stoichiometric"
        if diameter_nm is None and cation_excess is None:
            raise ModelParameterError(
                "A shell inference needs the core diameter (diameter_nm=, e.g. from the "
                "excitonic absorption peak) or the metal excess (cation_excess=, e.g. from "
                "elemental analysis): one population ratio cannot give both size and shell."
            )
        if diameter_nm is None:
            d = diameter_from_cation_excess(
                material, element, f, cation_excess, size_spread=size_spread, structure=mat_struct
            )
            h_f, h_x = max(1e-4, 0.01 * f_err), max(1e-4, 0.01 * cation_excess_stderr)

            def d_of(ff, xx):
                return diameter_from_cation_excess(
                    material, element, ff, xx, size_spread=size_spread, structure=mat_struct
                )

            d_err = float(
                np.hypot(
                    (d_of(f + h_f, cation_excess) - d_of(f - h_f, cation_excess)) / (2 * h_f) * f_err,
                    (d_of(f, cation_excess + h_x) - d_of(f, cation_excess - h_x)) / (2 * h_x) * cation_excess_stderr,
                )
            )
            source = f"core diameter from the metal excess {cation_excess:g} ± {cation_excess_stderr:g}"
        else:
            d, d_err = float(diameter_nm), float(diameter_nm_stderr)
            source = f"core diameter {d:g} ± {d_err:g} nm given by the user"
        if not lo <= d <= hi:
            raise ModelParameterError(f"diameter_nm={d:.3g} is outside {lo:.1f}–{hi:.1f} nm.")
        interval = (d - d_err, d + d_err)
        rho = shell_metals_per_nm2(material, element, f, d, size_spread=size_spread, structure=mat_struct)
        h_f = max(1e-4, 0.01 * f_err)
        h_d = max(1e-3, 0.01 * d_err)
        g_f = (
            shell_metals_per_nm2(material, element, f + h_f, d, size_spread=size_spread, structure=mat_struct)
            - shell_metals_per_nm2(material, element, f - h_f, d, size_spread=size_spread, structure=mat_struct)
        ) / (2 * h_f)
        g_d = (
            shell_metals_per_nm2(material, element, f, min(d + h_d, hi), size_spread=size_spread, structure=mat_struct)
            - shell_metals_per_nm2(
                material, element, f, max(d - h_d, lo), size_spread=size_spread, structure=mat_struct
            )
        ) / (min(d + h_d, hi) - max(d - h_d, lo))
        rho_err = float(np.hypot(g_f * f_err, g_d * d_err))
        full = LIGANDS["oleate"].ligands_per_nm2 / 2.0
        cov_frac, cov_err = rho / full, rho_err / full
        assumptions += [
            (
                f"Z-type {element}X₂ shell on a stoichiometric core: every shell {element} is surface, "
                "shell metals do not change the core atoms' coordination"
            ),
            (
                f"full shell = one {element} per two X ligands at {2 * full:g} ligands/nm² "
                "(qdkit.models.materials.LIGANDS)"
            ),
            source,
        ]
        if rho < 0:
            assumptions.append(
                "fewer surface metals than a bare stoichiometric core has: no shell "
                "is seen (negative density reported as measured)"
            )
    weights = size_weights(d, size_spread)
    keep = weights > 1e-6 * weights.max()
    return StructureResult(
        material=material,
        element=element,
        surface_fraction=f,
        surface_fraction_stderr=f_err,
        diameter_nm=float(d),
        diameter_nm_stderr=float(d_err),
        diameter_interval_nm=(float(min(interval)), float(max(interval))),
        size_spread=float(size_spread),
        size_distribution=(GRID_DIAMETERS_NM[keep].copy(), weights[keep]),
        shell_metals_per_nm2=float(rho),
        shell_metals_per_nm2_stderr=float(rho_err),
        shell_coverage=float(cov_frac),
        shell_coverage_stderr=float(cov_err),
        assumptions=tuple(assumptions) + ((f"termination: {term}",) if term else ()),
    )
