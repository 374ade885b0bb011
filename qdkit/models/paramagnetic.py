"""What the polarizing agent costs: MAS-induced depolarization of the reference and paramagnetic quenching.

Gives the factor that turns a measured microwave on/off enhancement into the absolute gain
over a radical-free sample (:func:`qdkit.models.dnp.absolute_gain`): depolarization × (1 − quenched fraction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qdkit.constants import AVOGADRO_PER_MOL
from qdkit.errors import ModelParameterError

# ---------------------------------------------------------------------------------------
# MAS-induced depolarization (cross-effect biradicals, microwaves off)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepolarizationData:
    """Published depolarization of one biradical: P_off(MAS)/P_Boltzmann at one spin rate.

    Attributes
    ----------
    radical : str
        Polarizing agent.
    mas_hz : float
        Spin rate of the published point, Hz.
    factor : float
        ¹H polarization with MAS and microwaves off over the static (Boltzmann) value.
    field_T, temperature_K : float
        Conditions of the measurement.
    source : str
        Where the number comes from.
    """

    radical: str
    mas_hz: float
    factor: float
    field_T: float
    temperature_K: float
    source: str

    @property
    def crossover_hz(self) -> float:
        """ν_c of the model D = 1/(1 + ν_r/ν_c) through this point: ν_r · D/(1 − D)."""
        return self.mas_hz * self.factor / (1.0 - self.factor)


#: Measured depolarization points, one per radical (9.4 T, ~100 K).
#: AMUPol and TOTAPOL: Mentink-Vigier, Paul, Lee, Feintuch, Hediger, Vega & De Paëpe,
#: Phys. Chem. Chem. Phys. 17, 21824 (2015) (10 mM in glycerol-d8/D2O/H2O, 9.4 T, ~110 K),
#: values at 10 kHz read from their depolarization-vs-spin-rate figure (≈ 0.6 for AMUPol,
#: ≈ 0.8 for TOTAPOL, whose weaker electron–electron coupling makes rotor events less
#: adiabatic); the trend with spin rate follows the theory of Thurber & Tycko, J. Chem.
#: Phys. 140, 184201 (2014) and Mentink-Vigier et al., J. Magn. Reson. 258, 102 (2015).
#: TEKPol: no depolarization curve of TEKPol in TCE was available to us; it is a bTbK-type
#: dinitroxide with the same rigid linker and a similar e–e coupling as AMUPol, so it is
#: ASSUMED to depolarize like AMUPol. Replace the point when a measured value is at hand.
DEPOLARIZATION = {
    "AMUPol": DepolarizationData(
        "AMUPol", 10_000.0, 0.60, 9.4, 110.0, "Mentink-Vigier et al., PCCP 17, 21824 (2015), 10 kHz"
    ),
    "TOTAPOL": DepolarizationData(
        "TOTAPOL", 10_000.0, 0.80, 9.4, 110.0, "Mentink-Vigier et al., PCCP 17, 21824 (2015), 10 kHz"
    ),
    "TEKPol": DepolarizationData(
        "TEKPol",
        10_000.0,
        0.60,
        9.4,
        110.0,
        "assumed equal to AMUPol (same bTbK-type linker); no TEKPol/TCE curve at hand",
    ),
}

#: Temperatures at which the tabulated depolarization applies, K. Depolarization grows
#: with the electron T1 (Lund, Equbal & Han, Phys. Chem. Chem. Phys. 20, 23976 (2018)),
#: which lengthens steeply on cooling; outside this window the table does not apply.
DEPOLARIZATION_TEMPERATURES_K = (80.0, 130.0)


def _radical(name: str) -> DepolarizationData:
    for key, data in DEPOLARIZATION.items():
        if str(name).strip().lower() == key.lower():
            return data
    raise ModelParameterError(
        f"No depolarization data for the polarizing agent {name!r}; known: {sorted(DEPOLARIZATION)}."
    )


def depolarization_factor(
    mas_hz: float, *, radical: str = "TEKPol", field_T: float = 9.4, temperature_K: float = 100.0
) -> float:
    """¹H polarization left by MAS with a cross-effect biradical and microwaves off, over Boltzmann.

    Model: in a spinning sample each rotor period sweeps the two electrons of a biradical
    through cross-effect level crossings; without microwaves these crossings drive the
    nuclei towards the electrons' (reduced) polarization difference, and the electron T1
    restores it between events (Thurber & Tycko, J. Chem. Phys. 140, 184201 (2014);
    Mentink-Vigier et al., J. Magn. Reson. 258, 102 (2015)). With the rate of rotor events
    ∝ ν_r competing with a fixed recovery rate, D = 1 / (1 + ν_r/ν_c): D = 1 static, falling
    with spin rate. ν_c comes from one published point per radical
    (:data:`DEPOLARIZATION`), so the curve passes through it exactly and interpolates (or
    extrapolates) in spin rate with the model's shape.

    Field dependence is not modelled (the table is at 9.4 T; Mentink-Vigier et al. 2015
    predict weaker depolarization at higher field, so at 14.1 T this overestimates the
    loss). ``field_T`` is accepted for the record and must be positive.

    Parameters
    ----------
    mas_hz : float
        Magic-angle spinning rate, Hz (0 = static).
    radical : str
        Polarizing agent: ``"TEKPol"``, ``"AMUPol"`` or ``"TOTAPOL"``.
    field_T : float
        Magnetic field, T.
    temperature_K : float
        Sample temperature, K (within :data:`DEPOLARIZATION_TEMPERATURES_K`).

    Returns
    -------
    float
        D = P_off,MAS / P_Boltzmann, 0 < D ≤ 1. A measured ε_on/off overstates the gain over
        a radical-free sample by 1/D.

    Raises
    ------
    ModelParameterError
        If ``mas_hz`` is not a rate ≥ 0, ``field_T`` is not positive, ``temperature_K`` lies
        outside :data:`DEPOLARIZATION_TEMPERATURES_K`, or the radical is not tabulated.

    Examples
    --------
    TEKPol (ν_c = 15 kHz from the assumed 0.60 at 10 kHz) at the 8 kHz of SI Fig. S2:

    >>> from qdkit.models.paramagnetic import depolarization_factor
    >>> round(depolarization_factor(8000.0, radical="TEKPol"), 3)
    0.652
    """
    try:
        nu = float(mas_hz)
    except (TypeError, ValueError) as exc:
        raise ModelParameterError(f"mas_hz must be the spin rate in Hz; got {mas_hz!r}.") from exc
    if not math.isfinite(nu) or nu < 0:
        raise ModelParameterError(f"mas_hz must be a spin rate ≥ 0 in Hz; got {mas_hz!r}.")
    if not (isinstance(field_T, (int, float)) and math.isfinite(field_T) and field_T > 0):
        raise ModelParameterError(f"field_T must be a positive field in tesla; got {field_T!r}.")
    lo, hi = DEPOLARIZATION_TEMPERATURES_K
    if not (isinstance(temperature_K, (int, float)) and lo <= temperature_K <= hi):
        raise ModelParameterError(
            f"temperature_K = {temperature_K!r}: the depolarization data are for DNP at {lo:g}–{hi:g} K "
            "(the electron T1, and with it the depolarization, changes steeply outside)."
        )
    data = _radical(radical)
    return 1.0 / (1.0 + nu / data.crossover_hz)


# ---------------------------------------------------------------------------------------
# Paramagnetic quenching (bleaching)
# ---------------------------------------------------------------------------------------

#: Radius around an unpaired electron inside which a nucleus is not observed (its line is
#: shifted/broadened away and its coherence lost in CP), nm. About 1 nm for nitroxides at
#: 9.4 T and 100 K: Corzilius, Andreas, Smith, Ni & Griffin, J. Magn. Reson. 240, 113
#: (2014) (signal quenching vs radical concentration in frozen solutions); Rossini et al.,
#: Chem. Sci. 3, 108 (2012) (²⁹Si quenching factor θ of surfaces in radical solutions).
QUENCHING_RADIUS_NM = 1.0

_GEOMETRIES = ("bulk", "surface")


def quenched_fraction(
    radical_mM: float,
    *,
    exclusion_nm: float = 0.0,
    quenching_radius_nm: float = QUENCHING_RADIUS_NM,
    electrons_per_radical: int = 2,
    geometry: str = "bulk",
) -> float:
    """Fraction of nuclei lost to paramagnetic quenching by randomly placed radicals.

    Model: the unpaired electrons are scattered at random (a Poisson process) with number
    density n = 2 c N_A (biradicals: two electrons each) in the space open to them; a
    nucleus is invisible when at least one electron lies within the quenching radius r_q.
    No radical centre comes closer than ``exclusion_nm`` = a (solvent contact, a ligand
    shell, a silica wall). The fraction lost is 1 − exp(−n V), with V the volume open to
    electrons within r_q of the nucleus:

    - ``"bulk"``: a nucleus inside the solution, V = 4π (r_q³ − a³)/3;
    - ``"surface"``: a nucleus at a flat particle surface under a shell of thickness a
      (electrons only on one side, beyond a), V = π h² (3 r_q − h)/3, h = r_q − a
      (a spherical cap).

    V = 0 when a ≥ r_q: a 2 nm ligand shell, or the walls of the pore that hold the
    aggregate, keep the radicals out of reach of the QD's own nuclei.

    Parameters
    ----------
    radical_mM : float
        Radical concentration in the solution, mmol/L.
    exclusion_nm : float
        Closest approach of an electron to the nucleus, nm.
    quenching_radius_nm : float
        r_q, nm (:data:`QUENCHING_RADIUS_NM`).
    electrons_per_radical : int
        2 for biradicals (TEKPol, AMUPol, TOTAPOL), 1 for TEMPO.
    geometry : str
        ``"bulk"`` or ``"surface"``.

    Returns
    -------
    float
        Fraction of the signal lost, 0 ≤ q < 1.

    Raises
    ------
    ModelParameterError
        If the concentration or ``exclusion_nm`` is negative, the quenching radius is not
        positive, ``electrons_per_radical`` is not a whole number ≥ 1, or ``geometry`` is
        unknown.

    Examples
    --------
    16 mM of a biradical around a nucleus in the solution, and under a 2 nm ligand shell:

    >>> from qdkit.models.paramagnetic import quenched_fraction
    >>> round(quenched_fraction(16.0), 3), quenched_fraction(16.0, exclusion_nm=2.0, geometry="surface")
    (0.078, 0.0)
    """
    c = float(radical_mM)
    if not math.isfinite(c) or c < 0:
        raise ModelParameterError(f"radical_mM must be a concentration ≥ 0 in mM; got {radical_mM!r}.")
    a = float(exclusion_nm)
    rq = float(quenching_radius_nm)
    if not math.isfinite(a) or a < 0:
        raise ModelParameterError(f"exclusion_nm must be a distance ≥ 0 in nm; got {exclusion_nm!r}.")
    if not math.isfinite(rq) or rq <= 0:
        raise ModelParameterError(
            f"quenching_radius_nm must be a positive distance in nm; got {quenching_radius_nm!r}."
        )
    if int(electrons_per_radical) != electrons_per_radical or electrons_per_radical < 1:
        raise ModelParameterError(
            f"electrons_per_radical must be a whole number ≥ 1 (2 for a biradical); got {electrons_per_radical!r}."
        )
    if geometry not in _GEOMETRIES:
        raise ModelParameterError(f"geometry must be one of {_GEOMETRIES}; got {geometry!r}.")
    n = electrons_per_radical * c * 1e-3 * AVOGADRO_PER_MOL * 1e-24  # electrons per nm³
    if a >= rq:
        return 0.0
    if geometry == "bulk":
        volume = 4.0 * math.pi * (rq**3 - a**3) / 3.0
    else:
        h = rq - a
        volume = math.pi * h * h * (3.0 * rq - h) / 3.0
    return -math.expm1(-n * volume)


# ---------------------------------------------------------------------------------------
# What the radical leaves of the reference signal
# ---------------------------------------------------------------------------------------


def signal_retention(
    mas_hz: float,
    radical_mM: float,
    *,
    radical: str = "TEKPol",
    field_T: float = 9.4,
    temperature_K: float = 100.0,
    exclusion_nm: float = 0.0,
    geometry: str = "bulk",
) -> float:
    """Microwave-off signal of the radical-containing sample over the radical-free one.

    Equation: χ = D (1 − q), D from :func:`depolarization_factor`, q from
    :func:`quenched_fraction` (both fully relaxed; a faster recovery with the radical
    present is a separate, recycle-delay effect — see :mod:`qdkit.models.sensitivity`).
    The absolute gain is then ε_on/off × χ / dilution (:func:`qdkit.models.dnp.absolute_gain`).

    Parameters
    ----------
    mas_hz, radical, field_T, temperature_K
        As in :func:`depolarization_factor`.
    radical_mM, exclusion_nm, geometry
        As in :func:`quenched_fraction` (QD nuclei under a ligand shell: the shell
        thickness and ``"surface"``).

    Returns
    -------
    float
        χ, 0 < χ ≤ 1.

    Raises
    ------
    ModelParameterError
        From :func:`depolarization_factor` and :func:`quenched_fraction` for inputs out of range.
    """
    d = depolarization_factor(mas_hz, radical=radical, field_T=field_T, temperature_K=temperature_K)
    q = quenched_fraction(radical_mM, exclusion_nm=exclusion_nm, geometry=geometry)
    return d * (1.0 - q)
