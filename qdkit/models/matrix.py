"""The mesoporous-silica matrix: why QDs in pores are polarized and QDs in bulk are not.

Models aggregation of QDs on freezing (bounded by the pore and by the QDs a pore holds),
relayed DNP into the aggregates by ¹H spin diffusion, and the dilution by the silica
(Piveteau et al., JACS 2015, Figure 2 and SI Figure S2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qdkit.errors import ModelParameterError
from qdkit.models import dnp, paramagnetic
from qdkit.models._validate import number
from qdkit.models.freezing import frozen_aggregate_radius_nm
from qdkit.models.relayed import relayed_dnp, relayed_signals, steady_fraction

__all__ = [
    "SILICA_SKELETAL_DENSITY_G_CM3",
    "MSU_H_PORE_VOLUME_CM3_G",
    "EPSILON0",
    "SPIN_DIFFUSION_NM2_MS",
    "PROTON_T1_S",
    "DIFFUSION_LENGTH_NM",
    "RANDOM_CLOSE_PACKING",
    "PORE_SPREAD",
    "QD_DIAMETER_NM",
    "LIGAND_NM",
    "QD_CONC_MG_ML",
    "INP_DENSITY_G_CM3",
    "porosity",
    "dilution",
    "diffusion_length_nm",
    "relayed_enhancement",
    "relayed_dnp",
    "qds_per_pore",
    "aggregate_radius_nm",
    "enhancement",
]

# ------------------------------------------------------- Defaults, each with its source
#: Skeletal density of SiO2 used by the paper, g/cm³ (SI Fig. S2; this is the density of
#: quartz — amorphous silica walls are nearer 2.2 g/cm³, which would give φ = 0.67).
SILICA_SKELETAL_DENSITY_G_CM3 = 2.65
#: Pore volume of MSU-H (hexagonal mesostructured silica, 7 nm pores), cm³/g (SI Fig. S2).
MSU_H_PORE_VOLUME_CM3_G = 0.91
#: DNP enhancement of the QD signal when every QD touches the radical solution: the best
#: ε of the surface PO_x of InP QDs in meso-SiO2 (main text and Fig. 2e: "up to 80").
EPSILON0 = 80.0
#: ¹H spin-diffusion coefficient in the rigid, proton-dense ligand/solvent glass at 100 K,
#: nm²/ms (≈ 0.8 nm²/ms for rigid organic solids: Clauss, Schmidt-Rohr & Spiess, Acta
#: Polym. 44, 1 (1993); values of 0.2–1 nm²/ms are used for relayed DNP by Rossini et
#: al., J. Am. Chem. Soc. 136, 2324 (2014)).
SPIN_DIFFUSION_NM2_MS = 0.8
#: ¹H T1 (≈ DNP build-up time) of the QD-ligand protons at 100 K, s. The paper's recycle
#: delays of 1.7–3.8 s (SI section VI) are set at ~1.3 T_B, so T_B ≈ 1.3–2.9 s.
PROTON_T1_S = 2.0
#: Spin-diffusion length L = √(D T1) = √(0.8 nm²/ms × 2000 ms) = 40 nm.
DIFFUSION_LENGTH_NM = math.sqrt(SPIN_DIFFUSION_NM2_MS * PROTON_T1_S * 1e3)
#: Random-close-packing fraction of monodisperse spheres (Scott & Kilgour, J. Phys. D 2,
#: 863 (1969); Bernal).
RANDOM_CLOSE_PACKING = 0.64
#: Spread of the pore-size distribution: standard deviation of ln(D). The paper's 3.3 nm
#: silica spans 1–8 nm (main text); ±2σ with σ = 0.5 covers 1.2–9.0 nm.
PORE_SPREAD = 0.5
#: QD core diameter, nm: the 3 nm myristate-capped InP QDs of Fig. 2 and SI Fig. S2.
QD_DIAMETER_NM = 3.0
#: Ligand shell thickness, nm: "a 2 nm-thick ligand shell" (main text; 1.5–2.5 nm ligands).
LIGAND_NM = 2.0
#: QD concentration in the solution that fills the pores, mg per mL of solvent: SI Fig. S2,
#: 3.8 mg InP QDs in 20 µL TCE = 190 mg/mL.
QD_CONC_MG_ML = 190.0
#: Density of zinc-blende InP, g/cm³ (CRC Handbook; 4 × 145.79 g/mol in (5.869 Å)³).
INP_DENSITY_G_CM3 = 4.81

# Gauss-weighted nodes in ln(D) for the pore-size average, fixed once: ±3.5σ in 57 steps
# is converged to < 0.1 % of ε and keeps one evaluation at a few tens of microseconds.
_Z = np.linspace(-3.5, 3.5, 57)
_W = np.exp(-0.5 * _Z**2)


# ---------------------------------------------------------------- Porosity and dilution


def porosity(
    pore_volume_cm3_g: float = MSU_H_PORE_VOLUME_CM3_G,
    skeletal_density_g_cm3: float = SILICA_SKELETAL_DENSITY_G_CM3,
) -> float:
    """Pore fraction of a silica grain.

    Equation: φ = v_p / (v_p + 1/ρ_s) (SI Fig. S2: 0.91 cm³/g and 2.65 g/cm³ → 0.71).

    Parameters
    ----------
    pore_volume_cm3_g : float
        Specific pore volume (BET/BJH), cm³ per g of silica.
    skeletal_density_g_cm3 : float
        Density of the silica walls, g/cm³.

    Returns
    -------
    float
    """
    vp = number("pore_volume_cm3_g", pore_volume_cm3_g, "pore volume per gram of silica")
    rho = number("skeletal_density_g_cm3", skeletal_density_g_cm3, "density of the silica walls")
    return vp / (vp + 1.0 / rho)


def dilution(
    pore_volume_cm3_g: float = MSU_H_PORE_VOLUME_CM3_G,
    skeletal_density_g_cm3: float = SILICA_SKELETAL_DENSITY_G_CM3,
) -> float:
    """Dilution of the analyte by exactly filled silica: 1/φ (SI Fig. S2: ≈ 1.4 for MSU-H).

    Parameters
    ----------
    pore_volume_cm3_g, skeletal_density_g_cm3 : float
        Silica pore volume (cm³/g) and wall density (g/cm³), as in :func:`porosity`.

    Returns
    -------
    float
    """
    return 1.0 / porosity(pore_volume_cm3_g, skeletal_density_g_cm3)


# -------------------------------------------------------- Relayed DNP into an aggregate


def diffusion_length_nm(diffusion_nm2_ms: float = SPIN_DIFFUSION_NM2_MS, t1_s: float = PROTON_T1_S) -> float:
    """¹H spin-diffusion length L = √(D T1), nm (defaults give 40 nm).

    Parameters
    ----------
    diffusion_nm2_ms, t1_s : float
        ¹H spin-diffusion coefficient D (nm²/ms) and ¹H T1 (s).

    Returns
    -------
    float
    """
    d = number("diffusion_nm2_ms", diffusion_nm2_ms, "¹H spin-diffusion coefficient in nm²/ms")
    t1 = number("t1_s", t1_s, "proton T1 in seconds")
    return math.sqrt(d * t1 * 1e3)


def relayed_enhancement(radius_nm, *, eps0: float = EPSILON0, diffusion_length_nm: float = DIFFUSION_LENGTH_NM):
    """Steady-state average enhancement of a sphere polarized from its surface by spin diffusion.

    Equation: ε(R) = 1 + (ε0 − 1) · 3 (x coth x − 1) / x², x = R / L — the steady state of
    ∂p/∂t = D∇²p − (p − 1)/T1 inside a sphere whose surface is held at ε0, volume-averaged
    (Rossini et al., J. Am. Chem. Soc. 136, 2324 (2014), relayed DNP of organic particles;
    Pinon et al., J. Phys. Chem. C 121, 15993 (2017)). The interior keeps its own thermal
    polarization (the 1): small x: ε → ε0 − (ε0 − 1) x²/15; large x: ε → 1 + 3 (ε0 − 1) L/R.
    For a finite recycle delay and the build-up time see
    :func:`qdkit.models.relayed.relayed_dnp`.

    Parameters
    ----------
    radius_nm : float or array
        Aggregate radius, nm.
    eps0 : float
        Enhancement at the aggregate surface (in contact with the radical solution).
    diffusion_length_nm : float
        L = √(D T1), nm (:func:`diffusion_length_nm`).

    Returns
    -------
    float or ndarray
        ε(R), shape of ``radius_nm``.
    """
    out = 1.0 + (eps0 - 1.0) * np.asarray(steady_fraction(np.asarray(radius_nm, dtype=float) / diffusion_length_nm))
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------- QDs in pores and their aggregates


def _qd_number_density_nm3(qd_conc_mg_ml, qd_diameter_nm, qd_density_g_cm3) -> float:
    qd_mass_g = qd_density_g_cm3 * math.pi / 6.0 * qd_diameter_nm**3 * 1e-21
    return qd_conc_mg_ml * 1e-3 / qd_mass_g * 1e-21  # per cm³ → per nm³


def qds_per_pore(
    pore_nm,
    *,
    qd_conc_mg_ml: float = QD_CONC_MG_ML,
    qd_diameter_nm: float = QD_DIAMETER_NM,
    qd_density_g_cm3: float = INP_DENSITY_G_CM3,
):
    """Mean number of QDs in one spherical pore filled with the QD solution.

    Equation: N = c / m_QD × π D³ / 6, with m_QD = ρ π d³ / 6 the mass of one QD core.
    (The paper quotes "as high as 20 QDs per pore" for 300 mg/mL of 3 nm InP in 50 nm
    pores; spheres of 50 nm hold ~290 by this count — the paper's 20 corresponds to a
    ~20 nm pore, or to cylindrical channels counted per cross-section.)

    Parameters
    ----------
    pore_nm : float or array
        Pore diameter, nm.
    qd_conc_mg_ml : float
        QD mass per volume of solvent, mg/mL.
    qd_diameter_nm, qd_density_g_cm3 : float
        QD core diameter (nm) and density (g/cm³).

    Returns
    -------
    float or ndarray

    Raises
    ------
    ModelParameterError
        If a pore diameter or QD parameter is not a positive finite number.
    """
    pore = np.asarray(pore_nm, dtype=float)
    if np.any(~np.isfinite(pore)) or np.any(pore <= 0):
        raise ModelParameterError(f"pore_nm must be a positive pore diameter in nm; got {pore_nm!r}.")
    n = _qd_number_density_nm3(
        number("qd_conc_mg_ml", qd_conc_mg_ml, "QD concentration in mg/mL", allow_zero=True),
        number("qd_diameter_nm", qd_diameter_nm, "QD core diameter in nm"),
        number("qd_density_g_cm3", qd_density_g_cm3, "density of the QD material"),
    )
    out = n * math.pi / 6.0 * pore**3
    return float(out) if out.ndim == 0 else out


def bounded_aggregate_radius(pore, fill, single, bulk):
    """Aggregate radius in pores of diameter ``pore``: bounded by the pore and by the QDs it holds.

    Parameters
    ----------
    pore : array_like or None
        Pore diameters, nm (None: no silica, the bulk aggregate).
    fill : float
        (φ_QD/φ_rcp)^(1/3), the linear fraction of a pore the packed QDs fill.
    single : float
        Radius of one QD with its ligand shell, nm (the smallest aggregate).
    bulk : float
        Radius of the aggregate in frozen solution without silica, nm (the largest).

    Returns
    -------
    numpy.ndarray or float
        Aggregate radii, nm.
    """
    if pore is None:
        return bulk
    return np.minimum(bulk, np.maximum(single, 0.5 * pore * fill))


def aggregate_radius_nm(
    pore_nm=None,
    *,
    qd_conc_mg_ml: float = QD_CONC_MG_ML,
    qd_diameter_nm: float = QD_DIAMETER_NM,
    ligand_nm: float = LIGAND_NM,
    qd_density_g_cm3: float = INP_DENSITY_G_CM3,
    packing_fraction: float = RANDOM_CLOSE_PACKING,
    bulk_aggregate_nm: float | None = None,
):
    """Radius of the frozen QD aggregate in a pore of diameter ``pore_nm`` (None: no silica).

    Model: all N QDs of a pore (:func:`qds_per_pore`) gather into one sphere of
    random-close-packed QD+ligand spheres, R_N = (3 N v / (4π f))^(1/3) with
    v = π (d + 2 t)³ / 6; the pore caps it at D/2, and a single QD with its ligand shell,
    d/2 + t, is the smallest aggregate. Since N ∝ D³, R = D/2 · min(1, (φ/f)^(1/3)) with φ
    the QD+ligand volume fraction of the solution. Without silica the aggregate has the
    radius ``bulk_aggregate_nm`` (default: :func:`frozen_aggregate_radius_nm`), which also
    caps the aggregates in pores wider than that: such a pore is bulk solution.

    Parameters
    ----------
    pore_nm : float, array or None
        Pore diameter(s), nm; ``None`` for a frozen colloid without silica.
    qd_conc_mg_ml, qd_diameter_nm, ligand_nm, qd_density_g_cm3, packing_fraction : float
        As in :func:`enhancement`.
    bulk_aggregate_nm : float, optional
        Aggregate radius without silica, nm (default :func:`frozen_aggregate_radius_nm`).

    Returns
    -------
    float or ndarray
        Aggregate radius, nm (3.5 nm for 7 nm pores with the defaults).

    Raises
    ------
    ModelParameterError
        If ``pore_nm`` is not a positive diameter or a parameter is out of range.
    """
    p = physics_params(
        dict(
            qd_conc_mg_ml=qd_conc_mg_ml,
            qd_diameter_nm=qd_diameter_nm,
            ligand_nm=ligand_nm,
            qd_density_g_cm3=qd_density_g_cm3,
            packing_fraction=packing_fraction,
            bulk_aggregate_nm=bulk_aggregate_nm,
        )
    )
    if pore_nm is None:
        return p.bulk
    pore = np.asarray(pore_nm, dtype=float)
    if np.any(~np.isfinite(pore)) or np.any(pore <= 0):
        raise ModelParameterError(
            f"pore_nm must be a positive pore diameter in nm (or None for no silica); got {pore_nm!r}."
        )
    out = bounded_aggregate_radius(pore, p.fill, p.single, p.bulk)
    return float(out) if np.ndim(out) == 0 else out


PHYSICS_DEFAULTS = dict(
    qd_conc_mg_ml=QD_CONC_MG_ML,
    qd_diameter_nm=QD_DIAMETER_NM,
    ligand_nm=LIGAND_NM,
    qd_density_g_cm3=INP_DENSITY_G_CM3,
    packing_fraction=RANDOM_CLOSE_PACKING,
    eps0=EPSILON0,
    diffusion_length_nm=DIFFUSION_LENGTH_NM,
    bulk_aggregate_nm=None,
    pore_spread=PORE_SPREAD,
)


def physics_params(physics: dict) -> _Params:
    """Validated physical parameters from keyword overrides of :data:`PHYSICS_DEFAULTS`.

    Parameters
    ----------
    physics : dict
        Parameter name → value, any of :data:`PHYSICS_DEFAULTS`.

    Returns
    -------
    _Params
        The checked parameters the enhancement functions share.

    Raises
    ------
    ModelParameterError
        For an unknown name or a value outside its domain.
    """
    unknown = set(physics) - set(PHYSICS_DEFAULTS)
    if unknown:
        raise ModelParameterError(f"Unknown sample parameter(s) {sorted(unknown)}; known: {sorted(PHYSICS_DEFAULTS)}.")
    return _Params.make(**{**PHYSICS_DEFAULTS, **physics})


@dataclass(frozen=True)
class _Params:
    """Validated physical parameters shared by the enhancement functions."""

    fill: float
    single: float
    bulk: float
    eps0: float
    length: float
    spread: float
    qd_diameter: float
    number_density: float

    @classmethod
    def make(
        cls,
        *,
        qd_conc_mg_ml,
        qd_diameter_nm,
        ligand_nm,
        qd_density_g_cm3,
        packing_fraction,
        eps0,
        diffusion_length_nm,
        bulk_aggregate_nm,
        pore_spread,
    ):
        conc = number("qd_conc_mg_ml", qd_conc_mg_ml, "QD concentration in mg per mL of solvent", allow_zero=True)
        d = number("qd_diameter_nm", qd_diameter_nm, "QD core diameter in nm")
        t = number("ligand_nm", ligand_nm, "ligand shell thickness in nm", allow_zero=True)
        rho = number("qd_density_g_cm3", qd_density_g_cm3, "density of the QD material in g/cm³")
        f = number("packing_fraction", packing_fraction, "volume fraction of QDs in an aggregate")
        if f > 0.7405:
            raise ModelParameterError(
                f"packing_fraction {packing_fraction} exceeds the densest packing of spheres (0.74); "
                "random close packing is 0.64."
            )
        eps0 = number("eps0", eps0, "DNP enhancement at the aggregate surface")
        length = number("diffusion_length_nm", diffusion_length_nm, "¹H spin-diffusion length in nm")
        spread = number("pore_spread", pore_spread, "standard deviation of ln(pore diameter)", allow_zero=True)
        n = _qd_number_density_nm3(conc, d, rho)
        if n * math.pi / 6.0 * d**3 > f:
            raise ModelParameterError(
                f"{conc:g} mg/mL of {d:g} nm QDs (density {rho:g} g/cm³) would pack the QD cores "
                f"denser than {f:g}; no colloid is that concentrated — check the concentration units (mg/mL)."
            )
        phi = n * math.pi / 6.0 * (d + 2 * t) ** 3
        fill = min(1.0, (phi / f) ** (1.0 / 3.0))
        if bulk_aggregate_nm is None:
            bulk = frozen_aggregate_radius_nm(
                qd_conc_mg_ml=conc, qd_diameter_nm=d, ligand_nm=t, qd_density_g_cm3=rho, packing_fraction=f
            )
        else:
            bulk = number("bulk_aggregate_nm", bulk_aggregate_nm, "aggregate radius without silica in nm")
        return cls(fill, 0.5 * d + t, bulk, eps0, length, spread, d, n)


def enhancement(
    pore_nm: float | None = None,
    *,
    qd_conc_mg_ml: float = QD_CONC_MG_ML,
    qd_diameter_nm: float = QD_DIAMETER_NM,
    ligand_nm: float = LIGAND_NM,
    qd_density_g_cm3: float = INP_DENSITY_G_CM3,
    packing_fraction: float = RANDOM_CLOSE_PACKING,
    eps0: float = EPSILON0,
    diffusion_length_nm: float = DIFFUSION_LENGTH_NM,
    bulk_aggregate_nm: float | None = None,
    pore_spread: float = PORE_SPREAD,
    recycle_s: float | None = None,
    t1_s: float = PROTON_T1_S,
    t_b_surface_s: float = 0.0,
) -> float:
    """DNP enhancement of QDs frozen in silica of nominal pore size ``pore_nm``.

    Model (Fig. 2c of Piveteau et al.): on freezing, the QDs of each pore aggregate and
    exclude the biradical (:func:`aggregate_radius_nm`); the ligand protons inside an
    aggregate of radius R are polarized only by ¹H spin diffusion from its surface,
    :func:`relayed_enhancement` ε(R) = 1 + (ε0 − 1) · 3 (x coth x − 1)/x², x = R/L, or,
    with a recycle delay, the on/off ratio after that delay
    (:func:`qdkit.models.relayed.relayed_signals`; ε = Σ on / Σ off over the QDs). The pore
    diameters follow a log-normal pore-volume distribution of median ``pore_nm`` and
    spread σ = ``pore_spread`` in ln D (the paper's 3.3 nm silica spans 1–8 nm); the QDs
    fill the pores in proportion to their volume, pores narrower than a QD core take none,
    and the returned ε is the average over all QDs.

    Parameters
    ----------
    pore_nm : float or None
        Nominal (median) pore diameter, nm; ``None`` for a frozen colloid without silica.
    qd_conc_mg_ml : float
        QD mass per volume of solvent, mg/mL (default 190, SI Fig. S2).
    qd_diameter_nm, ligand_nm, qd_density_g_cm3 : float
        QD core diameter, ligand shell thickness, core density (3 nm InP, 2 nm ligands).
    packing_fraction : float
        Volume fraction of QD+ligand spheres in an aggregate (random close packing 0.64).
    eps0 : float
        Enhancement of QDs in direct contact with the radical solution (80).
    diffusion_length_nm : float
        ¹H spin-diffusion length L (40 nm; :func:`diffusion_length_nm`).
    bulk_aggregate_nm : float, optional
        Aggregate radius without silica, nm (default :func:`frozen_aggregate_radius_nm`).
    pore_spread : float
        Standard deviation of ln(pore diameter); 0 for identical pores.
    recycle_s : float, optional
        Recycle delay, s; ``None`` for the steady state (infinite delay).
    t1_s : float
        ¹H T1 inside the aggregates, s (with ``diffusion_length_nm`` it fixes D = L²/T1).
    t_b_surface_s : float
        Build-up time of the radical solution at the aggregate surface, s.

    Returns
    -------
    float
        DNP enhancement ε (on/off) of the QD signal (≈ 80 for 7 nm MSU-H, ≈ 9 without silica).

    Examples
    --------
    >>> round(enhancement(7.0), 1), round(enhancement(None), 1)
    (79.9, 9.0)
    """
    p = _Params.make(
        qd_conc_mg_ml=qd_conc_mg_ml,
        qd_diameter_nm=qd_diameter_nm,
        ligand_nm=ligand_nm,
        qd_density_g_cm3=qd_density_g_cm3,
        packing_fraction=packing_fraction,
        eps0=eps0,
        diffusion_length_nm=diffusion_length_nm,
        bulk_aggregate_nm=bulk_aggregate_nm,
        pore_spread=pore_spread,
    )
    if pore_nm is None:
        radii, weights = np.array([p.bulk]), np.ones(1)
    else:
        radii, weights = pore_aggregates(pore_nm, p)
    if recycle_s is None:
        return float(
            np.dot(weights, relayed_enhancement(radii, eps0=p.eps0, diffusion_length_nm=p.length)) / weights.sum()
        )
    t1 = number("t1_s", t1_s, "¹H T1 inside the aggregates in seconds")
    on, off = relayed_signals(
        radii, eps0=p.eps0, diffusion_nm2_s=p.length**2 / t1, t1_s=t1, recycle_s=recycle_s, t_b_surface_s=t_b_surface_s
    )
    return float(np.dot(weights, on) / np.dot(weights, off))


def pore_aggregates(pore_nm, p):
    """Aggregate radii and QD weights over the log-normal pore-size distribution.

    Parameters
    ----------
    pore_nm : float
        Nominal pore diameter, nm.
    p : _Params
        Validated parameters (:func:`physics_params`).

    Returns
    -------
    radii : numpy.ndarray
        Aggregate radius in each pore class that admits a QD, nm.
    weights : numpy.ndarray
        Relative number of QDs in each class.

    Raises
    ------
    ModelParameterError
        If even the widest pores are narrower than one QD.
    """
    pore = number("pore_nm", pore_nm, "nominal pore diameter of the silica in nm, or None for no silica")
    diameters = pore * np.exp(p.spread * _Z)
    weights = _W * (diameters >= p.qd_diameter)
    total = weights.sum()
    if total <= 0:
        raise ModelParameterError(
            f"QDs of {p.qd_diameter:g} nm do not fit in silica with {pore:g} nm pores "
            f"(even the widest pores, ~{diameters[-1]:.3g} nm, are narrower); choose a larger pore size."
        )
    keep = weights > 0
    return bounded_aggregate_radius(diameters[keep], p.fill, p.single, p.bulk), weights[keep]
