"""D-HMQC correlation intensities between ligand head atoms and metal sites of a quantum dot.

Predicts which metal sites of a :class:`qdkit.nanocrystal.Nanocrystal` correlate with the
ligand's ¹³C (paper Figure 4: ¹³C-1-oleate with ¹¹¹Cd of ZB-CdSe, R³ recoupling, 3 ms) from
their dipolar couplings, the recoupling scheme's scaling factor and the recoupling time.

Model (dilute spin pairs; D-HMQC with R³ of Gan, Amoureux & Trébosc, Chem. Phys. Lett. 435,
163 (2007), and the comparison of recoupling schemes by Hu, Trébosc & Amoureux, J. Magn.
Reson. 192, 112 (2008)). With a heteronuclear recoupling on the observed
spin I the average Hamiltonian of an I–S pair is ω_eff(Ω) · 2 I_φ S_z with

    ω_eff(β, γ) = κ · b · f(β) · g(γ),   b = (μ0/4π) γI γS ħ / r³  (rad/s),

and the D-HMQC filter, two recoupling blocks of τ each around t1, passes the fraction

    T(τ) = ⟨ sin²(ω_eff τ) ⟩_powder = ½ − ½ ⟨ cos(2 ω_eff τ) ⟩_powder

of the I magnetisation through I–S multiple-quantum coherence (the Euler angles β, γ take
the internuclear vector to the rotor frame). For γ-encoded schemes g = 1; for schemes
whose recoupled term is 2 I_z S_z with g = cos 2γ the γ average is a Bessel function,
⟨cos(a cos 2γ)⟩_γ = J0(a), as in REDOR.

A metal site's cross-peak is Σ over head atoms of (¹³C label fraction) × T. The metal
isotope's abundance (¹¹¹Cd 12.8 %) scales every cross-peak equally and is applied too;
dephasing of one ¹³C by several Cd is neglected (dilute ¹¹¹Cd).

Scaling factors (the ``SCHEMES`` table):

- **R3** (first-order rotary resonance, ν1 = νR on I; Oas, Griffin & Levitt, J. Chem. Phys.
  89, 692 (1988)), the scheme of the paper. Under MAS the coupling's m = ±1 rotor component
  is (b/√2)·sin 2β·cos(ωR t + γ); averaging it against the rf toggling-frame modulation
  cos ωR t gives ω_eff = (b/2√2) |sin 2β|, i.e. κ = √2/4 ≈ 0.354, f(β) = |sin 2β|.
  ``tests/test_hmqc.py`` checks this against a direct propagation of the two-spin system.
  The recoupled operator lies in the plane normal to the spin-locked I_x, so the
  dephasing of I_x does not depend on γ (γ-encoded, g = 1).
- **SR4** (SR4₁², Brinkmann & Kentgens, JACS 128, 14758 (2006)): four π pulses per rotor
  period (ν1 = 2νR) flip I_z at 2ωR and pick the m = ±2 component ½ b sin²β cos(2ωR t + 2γ);
  the average is ω_eff = (b/4) sin²β cos 2γ · 2 I_z S_z: κ = 1/4, f = sin²β, g = cos 2γ
  (not γ-encoded). Also checked by direct propagation in ``tests/test_hmqc.py``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from qdkit import nuclei
from qdkit.constants import HBAR_J_S, MU0_OVER_4PI_T_M_A
from qdkit.errors import ModelParameterError
from qdkit.models.nanocrystal import Nanocrystal

__all__ = [
    "Recoupling",
    "SCHEMES",
    "dipolar_coupling_hz",
    "pair_transfer",
    "powder_sin2",
    "correlation",
    "Correlation",
    "indirect_projection",
]


@dataclass(frozen=True)
class Recoupling:
    """A heteronuclear recoupling scheme: scaling factor κ and its powder dependence.

    ``order`` is the rotor harmonic recoupled (1 → f = |sin 2β|, 2 → f = sin²β);
    ``gamma_encoded`` False means an extra factor cos 2γ (see the module docstring).

    Attributes
    ----------
    name : str
        ``"R3"``, ``"SR4"`` ...
    kappa : float
        Scaling factor κ of the dipolar coupling.
    order : int
        Rotor harmonic recoupled (1 or 2).
    gamma_encoded : bool
        Whether the recoupled coupling is independent of the powder angle γ.
    """

    name: str
    kappa: float
    order: int
    gamma_encoded: bool = True

    def orientation(self, beta):
        """f(β) of the recoupled coupling.

        Parameters
        ----------
        beta : array_like
            Powder angle β, rad.

        Returns
        -------
        numpy.ndarray
            ``abs(sin 2β)`` for order 1, sin²β for order 2.
        """
        beta = np.asarray(beta, float)
        if self.order == 1:
            return np.abs(np.sin(2 * beta))
        return np.sin(beta) ** 2


SCHEMES: dict[str, Recoupling] = {
    "R3": Recoupling("R3", np.sqrt(2) / 4, 1, gamma_encoded=True),
    "SR4": Recoupling("SR4", 0.25, 2, gamma_encoded=False),
}


def dipolar_coupling_hz(nucleus_a: str, nucleus_b: str, distance_A):
    """Dipolar coupling constant b/2π = (μ0/4π) |γa γb| ħ / (2π r³), Hz.

    Parameters
    ----------
    nucleus_a, nucleus_b : str
        The two isotopes.
    distance_A : array_like
        Distance, Å.

    Returns
    -------
    float or numpy.ndarray
        Hz.

    Raises
    ------
    ModelParameterError
        For distances that are not positive.

    Examples
    --------
    >>> round(float(dipolar_coupling_hz("13C", "111Cd", 2.9)))
    264
    """
    r = np.asarray(distance_A, float)
    if np.any(r <= 0):
        raise ModelParameterError("distances must be positive (Å).")
    ga, gb = nuclei.get(nucleus_a).gamma, nuclei.get(nucleus_b).gamma
    return MU0_OVER_4PI_T_M_A * abs(ga * gb) * HBAR_J_S / (2 * np.pi * (r * 1e-10) ** 3)


@functools.lru_cache(maxsize=8)
def _beta_nodes(n: int):
    # Gauss–Legendre in cos β on (0, 1): the powder weight sin β dβ is uniform in cos β.
    x, w = np.polynomial.legendre.leggauss(n)
    cosb = 0.5 * (x + 1.0)
    return np.arccos(cosb), 0.5 * w


def pair_transfer(coupling_hz, recoupling_ms, *, scheme: str = "R3"):
    """Powder-averaged D-HMQC transfer of an isolated I–S pair, ⟨sin²(κ b f g τ)⟩.

    Parameters
    ----------
    coupling_hz : array_like
        Dipolar coupling constants b/2π, Hz.
    recoupling_ms : array_like
        Duration τ of EACH of the two recoupling blocks, ms (broadcast against couplings).
    scheme : {"R3", "SR4"}

    Returns
    -------
    ndarray
        Transfer fraction, 0 … 1 (powder limit 1/2 at long times).

    Raises
    ------
    ModelParameterError
        For a negative recoupling time or an unknown scheme.
    """
    rec = _scheme(scheme)
    tau = np.asarray(recoupling_ms, float)
    if np.any(tau < 0):
        raise ModelParameterError("recoupling_ms must be ≥ 0.")
    phase = 2 * np.pi * rec.kappa * np.asarray(coupling_hz, float) * tau * 1e-3
    return _powder_table(rec)(phase)


def powder_sin2(phase, scheme: str = "R3", n_beta: int = 192):
    """⟨sin²(x f(β) g(γ))⟩ over a powder by Gauss–Legendre quadrature in cos β.

    ``x`` = κ b τ in rad. The γ average is exact: g = 1 (γ-encoded) or, for g = cos 2γ,
    ⟨cos(a cos 2γ)⟩_γ = J0(a). :func:`pair_transfer` interpolates a table of this function.

    Parameters
    ----------
    phase : array_like
        x = κ b τ, rad.
    scheme : {"R3", "SR4"}, default "R3"
        Recoupling scheme (sets f and g).
    n_beta : int, default 192
        Gauss–Legendre points in cos β.

    Returns
    -------
    numpy.ndarray
        The powder average, 0 … 1.
    """
    from scipy.special import j0

    rec = _scheme(scheme)
    beta, w = _beta_nodes(int(n_beta))
    a = 2.0 * np.asarray(phase, float)[..., None] * rec.orientation(beta)
    mean_cos = np.cos(a) if rec.gamma_encoded else j0(a)
    return 0.5 - 0.5 * (mean_cos @ w)


@functools.lru_cache(maxsize=8)
def _powder_table(rec: Recoupling):
    """Interpolant of ⟨sin²(x f(β))⟩ on log-spaced x (error < 2e-4 for x ≤ 30 rad).

    Below x = 1e-3 the small-angle limit x² ⟨f² g²⟩ is exact to 1e-6 relative; above x = 200
    the powder average is 1/2 to within 1e-3.
    """
    x = np.geomspace(1e-3, 200.0, 8000)
    y = powder_sin2(x, rec, n_beta=400)
    beta, w = _beta_nodes(400)
    f2 = float(rec.orientation(beta) ** 2 @ w) * (1.0 if rec.gamma_encoded else 0.5)

    def table(phase):
        p = np.abs(np.asarray(phase, float))
        out = np.interp(np.log(np.maximum(p, 1e-300)), np.log(x), y)
        return np.where(p < x[0], f2 * p**2, np.where(p > x[-1], 0.5, out))

    return table


def _scheme(scheme):
    if isinstance(scheme, Recoupling):
        return scheme
    if scheme not in SCHEMES:
        raise ModelParameterError(f"unknown recoupling {scheme!r}; use one of {sorted(SCHEMES)}.")
    return SCHEMES[scheme]


@dataclass(frozen=True, eq=False)
class Correlation:
    """D-HMQC cross-peak intensities of the metal sites of a dot.

    ``site_intensity[k]`` belongs to metal atom ``site_index[k]`` of the dot; ``surface``
    and ``core`` sum it over under-coordinated and fully coordinated metals. Units: fraction
    of one ligand head atom's polarization, summed over the dot.

    Attributes
    ----------
    site_index : numpy.ndarray
        Indices of the metal atoms in the dot.
    site_intensity : numpy.ndarray
        Cross-peak intensity of each.
    is_surface : numpy.ndarray
        Whether each is under-coordinated (a surface atom).
    surface, core : float
        Summed intensities of the surface and core metals.
    """

    site_index: np.ndarray
    site_intensity: np.ndarray
    is_surface: np.ndarray
    surface: float
    core: float

    @property
    def surface_to_core(self) -> float:
        return float(self.surface / self.core) if self.core > 0 else float("inf")


def correlation(
    dot: Nanocrystal,
    *,
    observed: str = "13C",
    indirect: str = "111Cd",
    recoupling_ms: float = 3.0,
    scheme: str = "R3",
    label_fraction: float = 0.27,
    cutoff_A: float = 15.0,
) -> Correlation:
    """Predicted D-HMQC correlation of ligand head atoms with the dot's metal sites.

    Parameters
    ----------
    dot : Nanocrystal
        Built with a ligand whose head atom is the observed element (oleate → ¹³C).
    observed, indirect : str
        Observed nucleus on the ligand head, indirect nucleus on the metal.
    recoupling_ms : float
        Duration of each recoupling block, ms (the paper: 3 ms, SI section VII, Figure 4).
    scheme : {"R3", "SR4"}
        Recoupling scheme (the paper used R³).
    label_fraction : float
        ¹³C enrichment of the head atom (27 % ¹³C-1-oleate in the paper).
    cutoff_A : float
        Pairs farther apart are ignored (at 15 Å a ¹³C–¹¹¹Cd pair transfers < 1e-4 at 3 ms).

    Returns
    -------
    Correlation

    Raises
    ------
    ModelParameterError
        For a dot without ligands, a ligand head that is not the observed element, or a
        label fraction outside (0, 1].
    """
    obs = nuclei.get(observed)
    ind = nuclei.get(indirect)
    if dot.ligand is None or len(dot.ligand_heads) == 0:
        raise ModelParameterError("the nanocrystal has no ligands; build it with ligand=...")
    if dot.ligand.head != obs.symbol:
        raise ModelParameterError(
            f"the ligand head atom is {dot.ligand.head}, not {obs.symbol}; choose observed "
            f"accordingly (e.g. '13C' for carboxylates, '31P' for phosphonates)."
        )
    if not 0 < label_fraction <= 1:
        raise ModelParameterError("label_fraction must be in (0, 1].")
    metal = np.flatnonzero(dot.mask(ind.symbol))
    tree = cKDTree(dot.ligand_heads)
    dist = tree.sparse_distance_matrix(cKDTree(dot.positions[metal]), cutoff_A, output_type="coo_matrix")
    b = dipolar_coupling_hz(observed, indirect, dist.data)
    t = pair_transfer(b, recoupling_ms, scheme=scheme)
    per_site = np.bincount(dist.col, weights=t, minlength=len(metal))
    per_site *= label_fraction * ind.abundance / 100.0
    surf = dot.is_surface[metal]
    return Correlation(
        site_index=metal,
        site_intensity=per_site,
        is_surface=surf,
        surface=float(per_site[surf].sum()),
        core=float(per_site[~surf].sum()),
    )


def indirect_projection(
    dot: Nanocrystal,
    *,
    core_site,
    surface_site,
    field_T: float,
    mas_hz: float,
    ppm,
    observed: str = "13C",
    recoupling_ms: float = 3.0,
    scheme: str = "R3",
    label_fraction: float = 0.27,
):
    """Predicted projection of the D-HMQC spectrum on the indirect (metal) axis.

    The surface and core cross-peak intensities of :func:`correlation` weight the MAS
    lineshapes (sidebands included) of two :class:`qdkit.mas.Site` records of the indirect
    nucleus, e.g. ¹¹¹Cd surface −317 ppm (CSA 416 ppm) and core −20 ppm for Figure 4.

    Parameters
    ----------
    dot : Nanocrystal
        As for :func:`correlation`.
    core_site, surface_site : Site
        Lineshapes of the core and surface metal sites (same nucleus).
    field_T : float
        Magnetic field, T.
    mas_hz : float
        Spinning rate, Hz.
    ppm : array_like
        Indirect-dimension axis.
    observed, recoupling_ms, scheme, label_fraction
        As for :func:`correlation`.

    Returns
    -------
    ndarray
        Intensity per ppm on ``ppm``; its integral is the summed cross-peak intensity.

    Raises
    ------
    ModelParameterError
        When the two sites are of different nuclei.
    """
    from qdkit.simulation import mas

    if core_site.nucleus != surface_site.nucleus:
        raise ModelParameterError(
            f"core and surface sites must be the same nucleus, got {core_site.nucleus} and {surface_site.nucleus}."
        )
    c = correlation(
        dot,
        observed=observed,
        indirect=core_site.nucleus,
        recoupling_ms=recoupling_ms,
        scheme=scheme,
        label_fraction=label_fraction,
    )
    shapes = mas.site_spectra([core_site, surface_site], field_T, mas_hz, ppm)
    return np.array([c.core, c.surface]) @ shapes
