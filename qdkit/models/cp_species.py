"""Species-aware ¹H→X cross-polarization kinetics: which chemical species a contact time reaches.

Every ligand proton (head group, CH₂ chain, CH₃ end) and surface P–OH is placed explicitly
around an atomistic dot, the frozen solvent is a continuum, and each species' Σ r⁻⁶ gives its T_IS.

Model (classical I–S cross-polarization with a ¹H bath in internal equilibrium; Mehring,
*Principles of High Resolution NMR in Solids*, 2nd ed., Springer 1983, ch. 4; Kolodziejski &
Klinowski, Chem. Rev. 102, 613 (2002))::

    S_i(t) = [exp(−t/T1ρ) − exp(−t/T_IS,i)] / (1 − T_IS,i/T1ρ)
    1/T_IS,i = M2_IS,i · τc                                       (Demco, Tegenfeldt & Waugh,
    M2_IS,i = (1/5) (μ0/4π)² γH² γX² ħ² Σ_H r_iH⁻⁶                  Phys. Rev. B 11, 4133 (1975))
    τc = J(0) = √(π/2) / √M2_HH,lock,  M2_HH,lock = M2_HH / 4       (Gaussian ¹H bath correlation;
                                                                    the spin lock scales the secular
                                                                    ¹H–¹H coupling by −1/2)

M2_IS is Van Vleck's powder second moment of X due to the protons (Van Vleck, Phys. Rev. 74,
1168 (1948)). Inputs are bond lengths and angles of the ligands and of the oxidised surface
(crystallographic averages), the rigid-lattice ¹H second moment of alkyl chains and the ¹H T1ρ;
none comes from the paper's contact-time series (SI Figure S3), which the model must explain.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.models import cp, nanocrystal
from qdkit.models.materials import (
    HYDROCARBON_H_PER_A3,
    LIGANDS,
    MATERIALS,
    TCE_H_PER_A3,
    ProtonLayer,
)

__all__ = [
    "M2_HH_ALKYL_G2",
    "POH_FRACTION",
    "T1RHO_MS",
    "SpeciesKinetics",
    "bath_correlation_us",
    "cp_maximum_ms",
    "cp_signal",
    "species_kinetics",
]

#: Rigid-lattice ¹H second moment of packed alkyl chains, G². Crystalline polyethylene:
#: ≈ 25 G² calculated from its crystal structure, 20–28 G² measured below the glass
#: transition (McBrierty & Packer, *Nuclear Magnetic Resonance in Solid Polymers*, Cambridge
#: University Press 1993, ch. 4; Slichter, *Principles of Magnetic Resonance*, 3rd ed., §3.10
#: for the method). The ligand shell at 100 K is such a rigid alkyl solid.
M2_HH_ALKYL_G2 = 25.0

#: ¹H T1ρ under the CP spin lock in the frozen DNP glass at 100 K, ms. Rigid organic solids
#: show ¹H T1ρ of 1–100 ms at 50–100 kHz lock fields (Kolodziejski & Klinowski 2002). The
#: paper's acquisition table (SI section VII, not the Fig. S3 observation) uses 9.5–15 ms
#: contacts for ⁷⁷Se and ¹¹³Cd, which only pays if the locked ¹H magnetization survives that
#: long: T1ρ ≳ 15 ms. 20 ms is taken; benchmarks/cp_selectivity.py shows 5–50 ms.
T1RHO_MS = 20.0

#: Fraction of the surface PO_x units of InP that carry a P–OH. InP QDs made with myristic
#: acid are oxidised by the water of the acid's ketonization, giving hydrated phosphate
#: (Cros-Gagneux et al., JACS 132, 18147 (2010)); half protonated (HPO₄-like) is assumed.
POH_FRACTION = 0.5

# Bond lengths (Å) and angles (°), crystallographic averages (Allen et al., J. Chem. Soc.
# Perkin Trans. 2, S1 (1987); Corbridge, *Phosphorus*, 5th ed., Elsevier 1995 for P–O).
_C_C = 1.53
_C_H = 1.09
_HEAD_C = {"C": 1.53, "P": 1.80, "N": 1.47}  # head atom–Cα (carboxylate C–C, P–C, N–C)
_CCC_DEG = 112.0  # all-trans chain
_P_O = 1.57  # P–O(H); terminal P=O is 1.50
_O_H = 0.97
_POH_DEG = 115.0
_HCH_DEG = 109.47
#: No proton is placed closer than this to an observed atom (non-bonded X···H contact).
_MIN_XH_A = 2.0


@dataclass(frozen=True)
class SpeciesKinetics:
    """CP kinetics of one chemical species of a dot (see :func:`species_kinetics`).

    Attributes
    ----------
    name : str
        The species' ``assignment`` in ``data/catalog.toml`` (e.g. ``"surface PO_x"``).
    n_spins : float
        Number of atoms of the species in one dot (relative population).
    t_is_ms : float
        Effective I–S transfer time, 1/⟨1/T_IS,i⟩ over the species' atoms (sets the initial
        slope n_spins/t_is_ms of the build-up), ms.
    t1rho_ms : float
        ¹H T1ρ, ms.
    t_is_bins_ms, bin_fractions : tuple of float
        The distribution of T_IS,i over the species' atoms (log bins, fractions sum to 1).
    mean_r6_A6 : float
        Mean Σ_H r⁻⁶ of the species' atoms, Å⁻⁶.
    """

    name: str
    n_spins: float
    t_is_ms: float
    t1rho_ms: float
    t_is_bins_ms: tuple[float, ...] = ()
    bin_fractions: tuple[float, ...] = ()
    mean_r6_A6: float = float("nan")


def bath_correlation_us(m2_hh_g2: float = M2_HH_ALKYL_G2) -> float:
    """τc = J(0) of the spin-locked ¹H bath, µs, from its rigid-lattice second moment (G²).

    τc = √(π/2)/√(M2_HH/4) for a Gaussian correlation (Demco, Tegenfeldt & Waugh 1975); the
    factor 4 is the −1/2 scaling of the secular ¹H–¹H coupling under the spin lock.
    25 G² gives 18.7 µs.

    Parameters
    ----------
    m2_hh_g2 : float
        Rigid-lattice ¹H second moment, G² (default :data:`M2_HH_ALKYL_G2`).

    Returns
    -------
    float
        τc = J(0), µs.

    Raises
    ------
    ModelParameterError
        If ``m2_hh_g2`` is not positive.

    Examples
    --------
    >>> from qdkit.models.cp_species import bath_correlation_us
    >>> round(bath_correlation_us(25.0), 1)
    18.7
    """
    if not m2_hh_g2 > 0:
        raise ModelParameterError("the ¹H second moment must be positive (G²; alkyl chains ≈ 25).")
    gamma_h = nuclei.get("1H").gamma * 1e-4  # rad s⁻¹ G⁻¹
    return 1e6 * math.sqrt(math.pi / 2.0) / (0.5 * gamma_h * math.sqrt(m2_hh_g2))


# --------------------------------------------------------------------------- geometry


def _frame(u):
    """Two unit vectors perpendicular to each row of u (and to each other)."""
    helper = np.where(np.abs(u[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    a = np.cross(u, helper)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    return a, np.cross(u, a)


def _chain_protons(heads, anchors_pos, ligand, offset_A):
    """Explicit all-trans chain protons of every ligand, Å (M, 3).

    The chain axis runs from the binding metal through the head atom; carbon k ≥ 1 (Cα = 1)
    sits k·d_rise along it, zig-zagging ±d_zig across; each CH₂ carries two H at 1.09 Å
    along the outer bisector (H–C–H 109.5°), the last carbon is a CH₃. Protons per ligand =
    ``ligand.protons_per_ligand`` (vinyl CH of oleate counted as CH₂ positions).
    """
    n_h = int(ligand.protons_per_ligand)
    if n_h == 0 or len(heads) == 0:
        return np.zeros((0, 3))
    n_ch2 = max(0, (n_h - 3) // 2)
    u = heads - anchors_pos
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    a, b = _frame(u)
    half = math.radians(_CCC_DEG) / 2
    rise, zig = _C_C * math.sin(half), 0.5 * _C_C * math.cos(half)
    first = _HEAD_C.get(ligand.head, _C_C)
    out = []
    hh = math.radians(_HCH_DEG) / 2
    for k in range(1, n_ch2 + 2):
        side = 1.0 if k % 2 else -1.0
        c = heads + (first + (k - 1) * rise + offset_A) * u + side * zig * a
        if k <= n_ch2:
            for s in (1.0, -1.0):
                out.append(c + _C_H * (math.cos(hh) * side * a + s * math.sin(hh) * b))
        else:  # CH₃: three H around the chain axis, tetrahedral
            for phi in (0.0, 2 * math.pi / 3, 4 * math.pi / 3):
                radial = math.cos(phi) * a + math.sin(phi) * b
                out.append(c + _C_H * (math.cos(math.radians(70.53)) * u + math.sin(math.radians(70.53)) * radial))
    return np.vstack(out)


def _poh_protons(positions, fraction, offset_A):
    """One P–O–H per chosen PO_x: O 1.57 Å outward, H 0.97 Å from O at P–O–H 115°."""
    n = len(positions)
    k = round(fraction * n)
    if k == 0:
        return np.zeros((0, 3)), np.zeros(n, bool)
    chosen = np.zeros(n, bool)
    chosen[np.random.default_rng(0).permutation(n)[:k]] = True
    p = positions[chosen]
    u = p / np.linalg.norm(p, axis=1, keepdims=True)
    a, _ = _frame(u)
    o = p + (_P_O + offset_A) * u
    tilt = math.radians(180.0 - _POH_DEG)
    return o + _O_H * (math.cos(tilt) * u + math.sin(tilt) * a), chosen


def _r6_explicit(sites, protons, chunk=256):
    """Σ_H |x_i − x_H|⁻⁶ for every site (distances floored at the X···H contact), Å⁻⁶."""
    out = np.zeros(len(sites))
    if len(protons) == 0:
        return out
    for lo in range(0, len(sites), chunk):
        d2 = ((sites[lo : lo + chunk, None, :] - protons[None, :, :]) ** 2).sum(-1)
        out[lo : lo + chunk] = (np.maximum(d2, _MIN_XH_A**2) ** -3).sum(-1)
    return out


def _solvent_layers(dot, ligand, n_lig, solvent_h_per_A3, n_slices=24):
    """Frozen solvent as concentric shells: displaced by the chains inside the ligand shell."""
    r0 = dot.envelope_radius_A + 3.0
    if ligand is None or n_lig == 0:
        return (ProtonLayer(r0, np.inf, solvent_h_per_A3),)
    length = ligand.length_nm * 10.0
    edges = r0 + length * np.linspace(0.0, 1.0, n_slices + 1)
    mid = 0.5 * (edges[1:] + edges[:-1])
    chains = np.minimum(n_lig * ligand.protons_per_ligand / (4 * np.pi * mid**2 * length), HYDROCARBON_H_PER_A3)
    solvent = solvent_h_per_A3 * (1.0 - chains / HYDROCARBON_H_PER_A3)
    layers = [ProtonLayer(float(lo), float(hi), float(n)) for lo, hi, n in zip(edges[:-1], edges[1:], solvent)]
    return tuple(layers) + (ProtonLayer(float(edges[-1]), np.inf, solvent_h_per_A3),)


# --------------------------------------------------------------------------- species

#: Which atoms form which catalog species, per (material, nucleus): (name, selector) pairs;
#: the last species takes every atom of the element not claimed before.
_SPECIES = {
    ("InP", "P"): ("surface PO_x", "InP core"),
    ("CdSe", "Cd"): ("surface Cd (CdX2 shell, Cd-oleate)", "CdSe core"),
    ("CdSe", "Se"): ("(near-)surface Se", "core Se (lower-intensity peak)"),
}
_X_LIGANDS = {"C", "P"}  # carboxylates and phosphonates bind as X-type (CdX2 shell)


def _surface_mask(dot, element):
    """Atoms of the surface species: shell metal, else under-coordinated or shell-bonded."""
    m = dot.mask(element)
    if dot.is_shell.any() and dot.is_shell[m].any():
        return dot.is_shell[m]
    surf = dot.is_surface.copy()
    if dot.is_shell.any():
        bonded = cKDTree(dot.positions[dot.is_shell]).query_ball_point(
            dot.positions, MATERIALS[(dot.material, dot.structure)].bond_cutoff_A
        )
        surf |= np.array([len(b) > 0 for b in bonded])
    return surf[m]


def _bins(t_is, weights, n_bins=48):
    """Log bins of T_IS: (bin T_IS, fraction of the weight) with geometric means per bin.

    Atoms out of reach of every proton (T_IS = ∞) keep their share of the weight but no bin.
    """
    finite = np.isfinite(t_is)
    t, w = t_is[finite], weights[finite]
    if len(t) == 0:
        return (math.inf,), (1.0,)
    edges = np.geomspace(t.min() * 0.999, t.max() * 1.001, n_bins + 1)
    idx = np.clip(np.searchsorted(edges, t) - 1, 0, n_bins - 1)
    mass = np.bincount(idx, weights=w, minlength=n_bins)
    logs = np.bincount(idx, weights=w * np.log(t), minlength=n_bins)
    used = mass > 0
    frac = mass[used] / weights.sum()
    return tuple(np.exp(logs[used] / mass[used]).tolist()), tuple(frac.tolist())


def species_kinetics(
    material: str,
    nucleus: str,
    diameter_nm: float,
    *,
    ligand: str = "myristate",
    coverage_per_nm2: float | None = None,
    structure: str | None = None,
    tau_c_us: float | None = None,
    t1rho_ms: float = T1RHO_MS,
    poh_fraction: float = POH_FRACTION,
    proton_offset_A: float = 0.0,
    solvent_h_per_A3: float = TCE_H_PER_A3,
    size_dispersion: float = 0.0,
) -> tuple[SpeciesKinetics, ...]:
    """CP kinetics of each chemical species of ``nucleus`` in one dot, surface species first.

    Species: InP ³¹P — surface PO_x (the under-coordinated P, oxidised; a fraction carries a
    P–OH) and the InP core; CdSe ¹¹³Cd/¹¹¹Cd — the Cd of the CdX₂ shell (Cd bound to two
    carboxylates or phosphonates) and the CdSe core; CdSe ⁷⁷Se — Se bonded to the shell or
    under-coordinated, and the core Se. Other materials: surface (under-coordinated) and core.
    Per atom, Σ r⁻⁶ sums the explicit ligand and P–OH protons and the solvent continuum
    (:func:`qdkit.cp.proton_r6_sum`); T_IS follows from the module's equations.

    Parameters
    ----------
    material : str
        ``"InP"``, ``"CdSe"``, ``"CdTe"``, ... (see :data:`qdkit.models.materials.MATERIALS`).
    nucleus : str
        Observed X nucleus, e.g. ``"31P"``, ``"113Cd"``, ``"77Se"``.
    diameter_nm : float
        Core diameter, nm.
    ligand : str
        ``"myristate"``, ``"oleate"``, ``"phosphonate"`` or ``"oleylamine"``.
    coverage_per_nm2 : float, optional
        Ligands per nm² (default the ligand's, 4.0 for carboxylates).
    structure : str, optional
        ``"zincblende"`` or ``"wurtzite"`` for CdSe.
    tau_c_us : float, optional
        ¹H bath correlation time J(0), µs (default :func:`bath_correlation_us`, 18.7 µs).
    t1rho_ms : float
        ¹H T1ρ, ms (default :data:`T1RHO_MS`).
    poh_fraction : float
        Fraction of PO_x units with a P–OH (InP only; default :data:`POH_FRACTION`).
    proton_offset_A : float
        Moves every explicit proton this far outward along its bond to the surface (Å;
        a sensitivity knob for the distances, 0 = crystallographic geometry).
    solvent_h_per_A3 : float
        Proton density of the frozen solvent (TCE 0.0114 H/Å³; 0 = deuterated).
    size_dispersion : float
        Relative standard deviation σ/D of the sample's size distribution. 0 (default) is one
        lattice cut, which jumps between "magic" sizes (3 nm InP: 72 PO_x, 3.05 nm: 60);
        σ > 0 averages 9 dots over ±2σ with Gaussian weights (colloidal QDs: 5–10 %, Murray,
        Norris & Bawendi, JACS 115, 8706 (1993)), as ``nanocrystal.ensemble_surface_fraction``.

    Returns
    -------
    tuple of SpeciesKinetics
        Cached: a repeated call with the same arguments costs a dictionary look-up.

    Raises
    ------
    ModelParameterError
        From the cached helpers: an unknown ligand, ``poh_fraction`` outside 0–1,
        ``proton_offset_A`` outside −1…3 Å, a non-positive τc or T1ρ, or
        ``size_dispersion`` outside 0 ≤ σ/D < 0.25.
    """
    tau = bath_correlation_us() if tau_c_us is None else float(tau_c_us)
    return _species_kinetics(
        material,
        nuclei.get(nucleus).label,
        float(diameter_nm),
        ligand,
        None if coverage_per_nm2 is None else float(coverage_per_nm2),
        structure,
        tau,
        float(t1rho_ms),
        float(poh_fraction),
        float(proton_offset_A),
        float(solvent_h_per_A3),
        float(size_dispersion),
    )


@functools.lru_cache(maxsize=64)
def _species_r6(material, nucleus, diameter_nm, ligand, coverage, structure, poh_fraction, offset_A, solvent):
    """(names, masks, Σ r⁻⁶ per atom) of one dot: the geometry part, independent of τc, T1ρ."""
    if not 0.0 <= poh_fraction <= 1.0:
        raise ModelParameterError("poh_fraction is a fraction of the PO_x units, 0–1.")
    if not -1.0 <= offset_A <= 3.0:
        raise ModelParameterError("proton_offset_A must lie within −1…3 Å of the bonded geometry.")
    if ligand not in LIGANDS:
        raise ModelParameterError(f"unknown ligand {ligand!r}; use one of {sorted(LIGANDS)}.")
    lig = LIGANDS[ligand]
    element = nuclei.get(nucleus).symbol
    shell = "CdX2" if material in ("CdSe", "CdTe") and lig.head in _X_LIGANDS else None
    dot = nanocrystal.build(
        material,
        diameter_nm,
        structure=structure,
        shell=shell,
        ligand=lig,
        ligands_per_nm2=coverage,
        solvent_h_per_A3=solvent,
    )
    m = dot.mask(element)
    sites = dot.positions[m]
    surface = _surface_mask(dot, element)
    protons = _chain_protons(dot.ligand_heads, dot.positions[dot.ligand_anchor], lig, offset_A)
    if (material, element) == ("InP", "P"):
        poh, _ = _poh_protons(sites[surface], poh_fraction, offset_A)
        protons = np.vstack([protons, poh])
    layers = _solvent_layers(dot, lig, len(dot.ligand_heads), solvent)
    r6 = _r6_explicit(sites, protons) + cp.proton_r6_sum(np.linalg.norm(sites, axis=1), layers)
    r6.flags.writeable = False
    names = _SPECIES.get((material, element), (f"surface {element}", f"core {element}"))
    return names, (surface, ~surface), r6


@functools.lru_cache(maxsize=512)
def _species_kinetics(
    material,
    nucleus,
    diameter_nm,
    ligand,
    coverage,
    structure,
    tau_c_us,
    t1rho_ms,
    poh_fraction,
    offset_A,
    solvent,
    size_dispersion,
):
    if not (tau_c_us > 0 and t1rho_ms > 0):
        raise ModelParameterError("tau_c_us and t1rho_ms must be positive (µs, ms).")
    if not 0.0 <= size_dispersion < 0.25:
        raise ModelParameterError("size_dispersion is a relative width σ/D, 0 ≤ σ/D < 0.25.")
    z = np.linspace(-2.0, 2.0, 9) if size_dispersion > 0 else np.zeros(1)
    dots = np.exp(-0.5 * z**2)
    dots /= dots.sum()
    per_species: dict[str, list] = {}
    for zi, w in zip(z, dots):
        d = round(diameter_nm * (1.0 + size_dispersion * zi), 3)
        names, masks, r6 = _species_r6(
            material, nucleus, d, ligand, coverage, structure, poh_fraction, offset_A, solvent
        )
        for name, sel in zip(names, masks):
            per_species.setdefault(name, []).append((w, r6[sel]))
    out = []
    for name, parts in per_species.items():
        r6 = np.concatenate([r for _, r in parts])
        weights = np.concatenate([np.full(len(r), w) for w, r in parts])
        if weights.sum() == 0:
            continue
        with np.errstate(divide="ignore"):
            t_is = 1e3 / (cp.heteronuclear_second_moment(nucleus, r6) * tau_c_us * 1e-6)
        bins, fractions = _bins(t_is, weights)
        rate = float(np.average(1.0 / t_is, weights=weights))
        out.append(
            SpeciesKinetics(
                name,
                float(weights.sum()),
                1.0 / rate if rate > 0 else math.inf,
                t1rho_ms,
                bins,
                fractions,
                float(np.average(r6, weights=weights)),
            )
        )
    return tuple(out)


def cp_signal(kinetics, contact_ms) -> np.ndarray:
    """CP build-up of each species: n_spins · Σ_bins f_b S(t; T_IS,b, T1ρ), unit gain bound.

    S(t) = [exp(−t/T1ρ) − exp(−t/T_IS)] / (1 − T_IS/T1ρ) (classical I–S model, module
    docstring). Multiply by the gain bound |γH/γX| (:func:`qdkit.cp.cp_gain_bound`) and the
    ¹H DNP enhancement for the signal relative to the X Boltzmann polarization.

    Parameters
    ----------
    kinetics : SpeciesKinetics or sequence of them
        Usually the result of :func:`species_kinetics`.
    contact_ms : float or array_like
        Contact time(s), ms.

    Returns
    -------
    ndarray
        Shape ``(n_species,) + shape(contact_ms)`` (no leading axis for a single species).

    Raises
    ------
    ModelParameterError
        If an item of ``kinetics`` is not a :class:`SpeciesKinetics`.
    """
    single = isinstance(kinetics, SpeciesKinetics)
    ks = (kinetics,) if single else tuple(kinetics)
    t = np.asarray(contact_ms, float)
    rows = []
    for k in ks:
        if not isinstance(k, SpeciesKinetics):
            raise ModelParameterError("cp_signal takes SpeciesKinetics from species_kinetics().")
        bins = np.asarray(k.t_is_bins_ms or (k.t_is_ms,), float)
        frac = np.asarray(k.bin_fractions or (1.0,), float)
        finite = np.isfinite(bins)
        s = cp.buildup(t[..., None], bins[finite], k.t1rho_ms) @ frac[finite] if finite.any() else np.zeros(t.shape)
        rows.append(k.n_spins * s)
    out = np.array(rows)
    return out[0] if single else out


def cp_maximum_ms(kinetics, *, t_max_ms: float = 500.0) -> np.ndarray:
    """Contact time (ms) at which each species' build-up peaks (log grid, 0.5 % resolution).

    For one T_IS the peak of the module's S(t) lies at
    t = T_IS T1ρ / (T1ρ − T_IS) · ln(T1ρ/T_IS); with a distribution of T_IS the grid
    maximum of :func:`cp_signal` is taken.

    Parameters
    ----------
    kinetics : SpeciesKinetics or sequence of them
        Usually the result of :func:`species_kinetics`.
    t_max_ms : float
        Longest contact time searched, ms (the grid starts at 1 µs).

    Returns
    -------
    ndarray
        Peak contact time per species, ms, shape ``(n_species,)`` (``(1,)`` for one species).

    Examples
    --------
    T_IS = 1 ms and T1ρ = 20 ms peak at 20/19 · ln 20 = 3.15 ms:

    >>> from qdkit.models.cp_species import SpeciesKinetics, cp_maximum_ms
    >>> k = SpeciesKinetics("test species", n_spins=1.0, t_is_ms=1.0, t1rho_ms=20.0)
    >>> round(float(cp_maximum_ms(k)[0]), 2)
    3.16
    """
    t = np.geomspace(1e-3, t_max_ms, 2400)
    s = np.atleast_2d(cp_signal(kinetics, t))
    return t[np.argmax(s, axis=-1)]
