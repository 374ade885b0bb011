"""How a QD colloid aggregates when it is cooled and frozen without a matrix.

Estimates the size of the radical-free QD domains of a frozen colloid (no silica) from
the QD concentration and rapid-coagulation kinetics, for the relayed-DNP model.
"""

from __future__ import annotations

import math

from qdkit.constants import BOLTZMANN_J_K
from qdkit.models._validate import number as _positive

#: Viscosity of 1,1,2,2-tetrachloroethane near −40 °C, where the paper sees the colloid
#: aggregate (Fig. 2b), Pa s: ≈ 1.75 mPa s at 25 °C (CRC Handbook) scaled by an Arrhenius
#: factor ≈ 3 for a 10 kJ/mol flow activation energy typical of small chlorinated
#: solvents (an estimate; the aggregate radius goes as η^(−1/3)).
TCE_VISCOSITY_PA_S = 5.4e-3
#: Temperature at which the colloid aggregates before it solidifies, K (the paper's −40 °C
#: freezer test; TCE melts at −44 °C).
AGGREGATION_TEMPERATURE_K = 233.0
#: Time the destabilised colloid aggregates before the solvent solidifies, s. ASSUMED:
#: the order of the time a rotor inserted into a cold DNP probe spends between the onset
#: of aggregation and solidification; the aggregate radius goes as t^(1/3) (1–100 s give
#: 0.5–2.5 µm).
AGGREGATION_TIME_S = 10.0


def frozen_aggregate_radius_nm(
    *,
    qd_conc_mg_ml: float,
    qd_diameter_nm: float,
    ligand_nm: float,
    qd_density_g_cm3: float,
    packing_fraction: float = 0.64,
    viscosity_pa_s: float = TCE_VISCOSITY_PA_S,
    temperature_K: float = AGGREGATION_TEMPERATURE_K,
    aggregation_time_s: float = AGGREGATION_TIME_S,
) -> float:
    """Radius of the QD aggregates in a colloid that aggregates and freezes without silica, nm.

    Model: once cooling destabilises the colloid, every encounter sticks — Smoluchowski's
    rapid (diffusion-limited) coagulation with kernel K = 8 k_B T / (3 η) (Smoluchowski,
    Z. Phys. Chem. 92, 129 (1917); Russel, Saville & Schowalter, *Colloidal Dispersions*,
    ch. 8). The mean number of QDs per aggregate grows as N = 1 + K n0 t / 2 with n0 the
    QD number density, until the solvent solidifies after ``aggregation_time_s``; a
    compact aggregate of N random-close-packed QD+ligand spheres has the radius
    (3 N v / (4π f))^(1/3), v = π (d + 2 t)³/6. A dilute-limit estimate: at the paper's
    190 mg/mL the QD+ligand volume fraction is already ~0.5, so the aggregates touch and
    this is the size of the radical-free domains rather than of separate particles.
    Defaults give ≈ 1.1 µm; R ∝ (t/η)^(1/3).

    Parameters
    ----------
    qd_conc_mg_ml : float
        QD mass per volume of solvent, mg/mL.
    qd_diameter_nm, ligand_nm : float
        QD core diameter and ligand shell thickness, nm.
    qd_density_g_cm3 : float
        Density of the QD core material, g/cm³.
    packing_fraction : float
        Volume fraction of QD+ligand spheres in an aggregate (random close packing 0.64).
    viscosity_pa_s : float
        Solvent viscosity η during aggregation, Pa s (default :data:`TCE_VISCOSITY_PA_S`).
    temperature_K : float
        Aggregation temperature, K (default :data:`AGGREGATION_TEMPERATURE_K`).
    aggregation_time_s : float
        Time the colloid aggregates before it solidifies, s (default
        :data:`AGGREGATION_TIME_S`, assumed).

    Returns
    -------
    float
        Aggregate radius, nm.

    Raises
    ------
    ModelParameterError
        If a parameter is not a positive number (``ligand_nm`` may be 0).

    Examples
    --------
    The 190 mg/mL of 3 nm InP QDs with 2 nm ligands of SI Fig. S2:

    >>> from qdkit.models.freezing import frozen_aggregate_radius_nm
    >>> r = frozen_aggregate_radius_nm(qd_conc_mg_ml=190.0, qd_diameter_nm=3.0, ligand_nm=2.0, qd_density_g_cm3=4.81)
    >>> round(r, -1)
    1140.0
    """
    conc = _positive("qd_conc_mg_ml", qd_conc_mg_ml, "QD concentration in mg per mL of solvent")
    d = _positive("qd_diameter_nm", qd_diameter_nm, "QD core diameter in nm")
    t = _positive("ligand_nm", ligand_nm, "ligand shell thickness in nm", allow_zero=True)
    rho = _positive("qd_density_g_cm3", qd_density_g_cm3, "density of the QD material in g/cm³")
    f = _positive("packing_fraction", packing_fraction, "volume fraction of QDs in an aggregate")
    eta = _positive("viscosity_pa_s", viscosity_pa_s, "solvent viscosity in Pa s")
    temp = _positive("temperature_K", temperature_K, "aggregation temperature in K")
    time_s = _positive("aggregation_time_s", aggregation_time_s, "time the colloid aggregates before freezing, s")
    n0 = conc * 1e-3 / (rho * math.pi / 6.0 * (d * 1e-7) ** 3) * 1e6  # QDs per m³ (mg/mL, g/cm³, nm)
    kernel = 8.0 * BOLTZMANN_J_K * temp / (3.0 * eta)
    count = 1.0 + 0.5 * kernel * n0 * time_s
    volume = count * math.pi / 6.0 * (d + 2.0 * t) ** 3 / f
    return (3.0 * volume / (4.0 * math.pi)) ** (1.0 / 3.0)
