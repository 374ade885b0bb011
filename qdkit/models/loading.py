"""Loading a rotor: solution vs silica pore volume, dilution and the absolute sensitivity gain.

Turns the relayed-DNP enhancement of :mod:`qdkit.models.matrix` into what a rotor of QD
solution plus mesoporous silica gives compared with the frozen colloid alone (SI Fig. S2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qdkit.errors import ModelParameterError
from qdkit.models import dnp, paramagnetic
from qdkit.models._validate import number
from qdkit.models.freezing import frozen_aggregate_radius_nm
from qdkit.models.matrix import (
    LIGAND_NM,
    MSU_H_PORE_VOLUME_CM3_G,
    PHYSICS_DEFAULTS,
    SILICA_SKELETAL_DENSITY_G_CM3,
    bounded_aggregate_radius,
    enhancement,
    physics_params,
    pore_aggregates,
    porosity,
)
from qdkit.models.relayed import relayed_dnp, relayed_signals, steady_fraction

__all__ = ["SampleSensitivity", "sample_sensitivity"]


# ------------------------------ Loading: solution vs pore volume, and the absolute gain


@dataclass(frozen=True)
class SampleSensitivity:
    """What a rotor of QD solution + silica gives, relative to the frozen colloid alone.

    Attributes
    ----------
    enhancement : float
        Microwave on/off ε of the whole sample (pore QDs and any overflow).
    enhancement_in_pores, enhancement_outside : float
        ε of QDs in the pores and of QDs frozen outside them (bulk aggregates).
    fraction_in_pores : float
        Fraction of the solution (and QDs) held by the pores.
    porosity : float
        Pore fraction of the silica grains.
    dilution : float
        Rotor volume per volume of solution (1 without silica; 1/φ at exact filling).
    retention : float
        Microwave-off signal with the radical over that without it: MAS depolarization ×
        (1 − quenched fraction) (:func:`qdkit.models.paramagnetic.signal_retention`).
    absolute_gain : float
        ε × retention / dilution: signal per scan over a full rotor of the radical-free
        frozen colloid (the rotor volume is what is fixed).
    absolute_gain_same_mass : float
        ε × retention: signal over the radical-free colloid when both rotors hold the same
        QD mass inside the coil (SI Fig. S2: 3.8 mg in every sample), so that the silica's
        volume does not dilute the QDs.
    qds_per_pore : float
        Mean QDs per pore of the nominal diameter.
    aggregate_nm : float
        Aggregate radius in a pore of the nominal diameter, nm (the bulk aggregate radius
        when no solution is held in pores).
    """

    enhancement: float
    enhancement_in_pores: float
    enhancement_outside: float
    fraction_in_pores: float
    porosity: float
    dilution: float
    retention: float
    absolute_gain: float
    absolute_gain_same_mass: float
    qds_per_pore: float
    aggregate_nm: float

    @property
    def effective_dilution(self) -> float:
        """ε / absolute gain: everything the matrix and the radical cost (SI Fig. S2: 1.5–1.6)."""
        return self.enhancement / self.absolute_gain


TIME_KEYWORDS = ("recycle_s", "t1_s", "t_b_surface_s")


def sample_sensitivity(
    pore_nm: float | None = 7.0,
    *,
    solution_ul: float = 20.0,
    silica_mg: float | None = None,
    pore_volume_cm3_g: float = MSU_H_PORE_VOLUME_CM3_G,
    skeletal_density_g_cm3: float = SILICA_SKELETAL_DENSITY_G_CM3,
    mas_hz: float = 8000.0,
    radical: str = "TEKPol",
    radical_mM: float = 16.0,
    retention: float | None = None,
    **physics,
) -> SampleSensitivity:
    """Enhancement, dilution and absolute gain of a loaded rotor.

    Model: the silica's pores hold V_p = m_SiO2 × v_p of the solution volume V; any excess
    (V > V_p) freezes between the grains as bulk colloid (ε of :func:`enhancement` with
    ``None``); the rotor holds V + m/ρ_s if the solution overflows, V_p + m/ρ_s if the
    silica is in excess (empty pores dilute), so dilution = (max(V, V_p) + m/ρ_s) / V,
    which is 1/φ (:func:`dilution`) at exact filling. Absolute gain =
    ε × retention / dilution (:func:`qdkit.dnp.absolute_gain`), the retention computed
    from the MAS depolarization of the microwave-off reference and the quenching of QD
    nuclei under a ligand shell of ``ligand_nm`` (:mod:`qdkit.models.paramagnetic`).
    SI Fig. S2 reports 80 → 51; see ``absolute_gain_same_mass`` for that comparison.

    Parameters
    ----------
    pore_nm : float or None
        Nominal pore diameter, nm (None: no silica, ``silica_mg`` must be 0 or None).
    solution_ul : float
        Volume of QD + radical solution, µL (SI Fig. S2: 20 µL).
    silica_mg : float, optional
        Silica mass, mg; default: exactly enough to take up the solution, V / v_p (22 mg
        for 20 µL of MSU-H). The paper's printed 0.2–1.1 mg (SI Fig. S2) cannot hold 20 µL at
        0.91 cm³/g (the catalog flags it as doubtful); given such a mass, the model lets the
        excess solution freeze outside the pores as bulk colloid, as the physics demands.
    pore_volume_cm3_g, skeletal_density_g_cm3 : float
        Silica pore volume and wall density (MSU-H: 0.91 cm³/g, 2.65 g/cm³).
    mas_hz, radical, radical_mM
        Spin rate, polarizing agent and its concentration (SI Fig. S2: 8 kHz, 16 mM TEKPol).
    retention : float, optional
        Override the computed signal retention (0–1).
    **physics
        Any keyword of :func:`enhancement` (QD size, concentration, L, ε0, ...).

    Returns
    -------
    SampleSensitivity

    Raises
    ------
    ModelParameterError
        If ``silica_mg`` is given without a pore size, or a number is out of range.
    """
    volume = number("solution_ul", solution_ul, "volume of QD solution in the rotor in µL")
    vp = number("pore_volume_cm3_g", pore_volume_cm3_g, "pore volume per gram of silica")
    rho = number("skeletal_density_g_cm3", skeletal_density_g_cm3, "density of the silica walls")
    if pore_nm is None:
        if silica_mg not in (None, 0, 0.0):
            raise ModelParameterError(
                "silica_mg was given but pore_nm is None (no silica); give the silica's pore size."
            )
        mass = 0.0
    else:
        mass = (
            volume / vp
            if silica_mg is None
            else number("silica_mg", silica_mg, "mass of silica in the rotor in mg", allow_zero=True)
        )
    # the time keywords (recycle_s, t1_s, t_b_surface_s) go to enhancement() only
    p = physics_params({k: v for k, v in physics.items() if k not in TIME_KEYWORDS})
    eps_bulk = enhancement(None, **physics)
    capacity_ul = mass * vp  # mg × cm³/g = µL
    frac_in = min(1.0, capacity_ul / volume)
    if frac_in > 0:
        eps_pore = enhancement(pore_nm, **physics)
        n_pore = p.number_density * math.pi / 6.0 * pore_nm**3
        agg = float(bounded_aggregate_radius(pore_nm, p.fill, p.single, p.bulk))
    else:
        eps_pore, n_pore, agg = eps_bulk, 0.0, p.bulk
    eps = frac_in * eps_pore + (1.0 - frac_in) * eps_bulk
    dil = (max(volume, capacity_ul) + mass / rho) / volume
    phi = porosity(vp, rho)
    if retention is None:
        retention = paramagnetic.signal_retention(
            mas_hz,
            radical_mM,
            radical=radical,
            exclusion_nm=physics.get("ligand_nm", LIGAND_NM),
            geometry="surface",
        )
    gain = dnp.absolute_gain(eps, dilution=dil, retention=retention)
    return SampleSensitivity(
        enhancement=eps,
        enhancement_in_pores=eps_pore,
        enhancement_outside=eps_bulk,
        fraction_in_pores=frac_in,
        porosity=phi,
        dilution=dil,
        retention=retention,
        absolute_gain=gain,
        absolute_gain_same_mass=dnp.absolute_gain(eps, retention=retention),
        qds_per_pore=float(n_pore),
        aggregate_nm=float(agg),
    )
