"""Records of the one forward model: what is in the rotor, how it is measured, what it predicts.

:func:`qdkit.models.sample.predict` takes a Sample and an Acquisition and returns a Prediction;
all are importable from :mod:`qdkit.models.sample` (and ``qdkit.sample``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.models import matrix
from qdkit.models.materials import LIGANDS
from qdkit.simulation.sites import Site

__all__ = ["Line", "Sample", "Acquisition", "MatrixState", "Prediction", "QD_DENSITY_G_CM3"]

#: Density of the QD materials, g/cm³ (bulk crystals, CRC Handbook of Chemistry and
#: Physics, 97th ed., "Physical constants of inorganic compounds"): it turns a QD mass into
#: a number of QDs (QDs per pore, aggregate size).
QD_DENSITY_G_CM3 = {"InP": 4.81, "CdSe": 5.82, "CdTe": 5.85, "PbSe": 8.10, "PbTe": 8.16, "CsPbBr3": 4.42}

_ROLES = ("surface", "core")


def _number(name, value, what, *, low=0.0, high=math.inf, allow_low=True, none_ok=False):
    """A finite number within [low, high] or a ModelParameterError saying what it is for."""
    if value is None and none_ok:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ModelParameterError(f"{name} must be a number ({what}); got {value!r}.") from exc
    bound = f"{'≥' if allow_low else '>'} {low:g}" + (f" and ≤ {high:g}" if math.isfinite(high) else "")
    if math.isnan(v) or v < low or v > high or (v == low and not allow_low):
        raise ModelParameterError(f"{name} = {value!r} is out of range: {what} must be {bound}.")
    return v


@dataclass(frozen=True)
class Line:
    """One chemical species of the sample as its spectrum shows it.

    Attributes
    ----------
    name : str
        The species (catalog ``assignment``, e.g. ``"surface PO_x"``).
    role : str
        ``"surface"`` or ``"core"``.
    site : Site
        Its lineshape (:class:`qdkit.simulation.sites.Site`; ``weight`` = share among the
        lines of one species).
    assumed : tuple of (str, str)
        ``(parameter, reason)`` for each lineshape value the paper does not print.
    field_T : float or None
        Field at which ``site``'s width holds, T: :func:`qdkit.models.sample.predict` scales
        the width to the acquisition's field (constant in ppm); None: fixed in Hz.

    Raises
    ------
    ModelParameterError
        If ``role`` is neither ``"surface"`` nor ``"core"``, or ``site`` is not a Site.
    """

    name: str
    role: str
    site: Site
    assumed: tuple[tuple[str, str], ...] = ()
    field_T: float | None = None

    def __post_init__(self):
        if self.role not in _ROLES:
            raise ModelParameterError(f"Line {self.name!r}: role must be 'surface' or 'core', got {self.role!r}.")
        if not isinstance(self.site, Site):
            raise ModelParameterError(f"Line {self.name!r}: site must be a qdkit.mas.Site.")


@dataclass(frozen=True)
class Sample:
    """What is in the rotor.

    Attributes
    ----------
    material : str
        QD material, e.g. ``"InP"``, ``"CdSe"``.
    diameter_nm : float
        QD core diameter, nm.
    species : tuple of Line
        The chemical species and their lineshapes (any nuclei;
        :func:`qdkit.models.sample.predict` takes those of the observed nucleus' element).
    ligand : str
        Capping ligand (``qdkit.models.materials.LIGANDS``), e.g. ``"myristate"``; a
        carboxylate or phosphonate on CdSe/CdTe brings the CdX2 shell
        (:mod:`qdkit.models.cp_species`).
    coverage_per_nm2 : float or None
        Ligands per nm² (None: the ligand's default, 4.0 for carboxylates).
    structure : str or None
        ``"zincblende"`` / ``"wurtzite"`` for CdSe.
    pore_nm : float or None
        Nominal pore diameter of the mesoporous silica, nm; None: no silica (frozen solution).
    silica_mg_per_qd_mg : float or None
        Loading: mg of silica per mg of QDs; None: exactly enough to take up the solution
        (V / v_p). Ignored without silica. See :mod:`qdkit.models.sample` for what the two
        sides of exact filling mean.
    solvent_ul : float
        Volume of QD + radical solution, µL (SI Fig. S2: 20 µL).
    radical : str or None
        Polarizing agent (``"TEKPol"``, ``"AMUPol"``, ``"TOTAPOL"``); None: none.
    radical_mM : float
        Its concentration, mM (16 mM TEKPol in the paper).
    qd_mg : float
        Mass of QDs in the solution, mg (SI Fig. S2: 3.8 mg).
    pore_volume_cm3_g : float
        Specific pore volume of the silica (MSU-H 0.91 cm³/g, SI Fig. S2).
    eps0 : float
        ε_on/off of the radical solution at the aggregate surface (paper: up to 80, Fig. 2e;
        :data:`qdkit.matrix.EPSILON0`).
    spin_diffusion_nm2_ms : float
        ¹H spin-diffusion coefficient inside the QD aggregates (0.8 nm²/ms, rigid organic
        solids; :data:`qdkit.matrix.SPIN_DIFFUSION_NM2_MS`).
    proton_t1_s : float
        ¹H T1 inside the aggregates (:data:`qdkit.matrix.PROTON_T1_S`).
    t_b_surface_s : float
        DNP build-up time of the radical solution at the aggregate surface, s (τs of
        :func:`qdkit.matrix.relayed_dnp`). Default 2 s: the paper's recycle delays (1.7–3.8 s,
        SI VI) set at ~1.3 T_B — taken from the paper, listed as assumed.
    t1rho_ms : float or None
        ¹H T1ρ under the CP spin lock, ms (None: :data:`qdkit.models.cp_species.T1RHO_MS`).

    Raises
    ------
    ModelParameterError
        If the material or ligand has no model, a number is outside the range the models
        cover (the message names it), or ``species`` is not a non-empty tuple of Line.
    """

    material: str
    diameter_nm: float
    species: tuple[Line, ...]
    ligand: str = "oleate"
    coverage_per_nm2: float | None = None
    structure: str | None = None
    pore_nm: float | None = 7.0
    silica_mg_per_qd_mg: float | None = None
    solvent_ul: float = 20.0
    radical: str | None = "TEKPol"
    radical_mM: float = 16.0
    qd_mg: float = 3.8
    pore_volume_cm3_g: float = matrix.MSU_H_PORE_VOLUME_CM3_G
    eps0: float = matrix.EPSILON0
    spin_diffusion_nm2_ms: float = matrix.SPIN_DIFFUSION_NM2_MS
    proton_t1_s: float = matrix.PROTON_T1_S
    t_b_surface_s: float = matrix.PROTON_T1_S
    t1rho_ms: float | None = None

    def __post_init__(self):
        if self.material not in QD_DENSITY_G_CM3:
            raise ModelParameterError(f"No model for {self.material!r} QDs; choose one of {sorted(QD_DENSITY_G_CM3)}.")
        _number("diameter_nm", self.diameter_nm, "the QD core diameter in nm", low=0.8, high=20)
        if self.ligand not in LIGANDS:
            raise ModelParameterError(f"Unknown ligand {self.ligand!r}; choose one of {sorted(LIGANDS)}.")
        _number(
            "coverage_per_nm2", self.coverage_per_nm2, "ligands per nm² of QD surface", low=0.1, high=10, none_ok=True
        )
        _number(
            "pore_nm",
            self.pore_nm,
            "the silica pore diameter in nm (None for no silica)",
            low=0.0,
            high=1e5,
            allow_low=False,
            none_ok=True,
        )
        _number("silica_mg_per_qd_mg", self.silica_mg_per_qd_mg, "mg of silica per mg of QDs", high=1e4, none_ok=True)
        _number("solvent_ul", self.solvent_ul, "the solution volume in µL", allow_low=False, high=1e3)
        _number("radical_mM", self.radical_mM, "the radical concentration in mM", high=1000)
        _number("qd_mg", self.qd_mg, "the QD mass in mg", allow_low=False, high=1e3)
        _number(
            "pore_volume_cm3_g", self.pore_volume_cm3_g, "the silica pore volume in cm³/g", allow_low=False, high=10
        )
        _number("eps0", self.eps0, "the DNP enhancement of the radical solution", low=1.0, high=700)
        _number(
            "spin_diffusion_nm2_ms",
            self.spin_diffusion_nm2_ms,
            "the ¹H spin-diffusion coefficient in nm²/ms",
            allow_low=False,
            high=100,
        )
        _number("proton_t1_s", self.proton_t1_s, "the ¹H T1 in s", allow_low=False, high=1e4)
        _number("t_b_surface_s", self.t_b_surface_s, "the build-up time of the radical solution in s", high=1e4)
        _number("t1rho_ms", self.t1rho_ms, "the ¹H T1ρ in ms", allow_low=False, high=1e4, none_ok=True)
        if not self.species or not all(isinstance(x, Line) for x in self.species):
            raise ModelParameterError("A Sample needs its species as a tuple of qdkit.sample.Line.")

    @property
    def silica_mg(self) -> float:
        """Silica in the rotor, mg (0 without silica; exact filling when not given)."""
        if self.pore_nm is None:
            return 0.0
        if self.silica_mg_per_qd_mg is None:
            return self.solvent_ul / self.pore_volume_cm3_g
        return self.silica_mg_per_qd_mg * self.qd_mg

    @property
    def exact_loading(self) -> float:
        """mg of silica per mg of QDs whose pores hold exactly the solution: V / (v_p m_QD)."""
        return self.solvent_ul / self.pore_volume_cm3_g / self.qd_mg

    @property
    def qd_conc_mg_ml(self) -> float:
        """QD mass per volume of solution, mg/mL."""
        return self.qd_mg / self.solvent_ul * 1e3

    def replace(self, **changes) -> Sample:
        """A copy with some fields changed (validated again).

        Parameters
        ----------
        **changes
            Field names and their new values, e.g. ``pore_nm=None``.

        Returns
        -------
        Sample

        Raises
        ------
        ModelParameterError
            If a changed value is out of range (as for a new Sample).
        """
        return replace(self, **changes)


@dataclass(frozen=True)
class Acquisition:
    """How the sample is measured.

    Attributes
    ----------
    nucleus, field_T, temperature_K, mas_hz
        Observed nucleus (``"31P"``), field (T), sample temperature (K), MAS rate (Hz, 0: static).
    contact_ms : float or None
        ¹H→X contact time, ms; None: direct excitation (every atom counts alike).
    recycle_s : float or None
        Recycle delay, s (``math.inf``: fully relaxed); None: the optimal delay for the
        predicted build-up time, ≈ 1.2564 T_B.
    scans, microwave
        Number of scans; microwaves on (DNP) or off.

    Raises
    ------
    ModelParameterError
        If a number is outside the range the models cover or ``scans`` is not a whole
        number ≥ 1 (an unknown nucleus raises from :func:`qdkit.nuclei.get`).
    """

    nucleus: str
    field_T: float = 9.4
    temperature_K: float = 100.0
    mas_hz: float = 10_000.0
    contact_ms: float | None = 1.5
    recycle_s: float | None = None
    scans: int = 1
    microwave: bool = True

    def __post_init__(self):
        object.__setattr__(self, "nucleus", nuclei.get(self.nucleus).label)
        _number("field_T", self.field_T, "the magnet field in tesla", low=0.5, high=40)
        _number("temperature_K", self.temperature_K, "the sample temperature in K", low=1, high=500)
        _number("mas_hz", self.mas_hz, "the spin rate in Hz (0 = static)", high=2e5)
        _number("contact_ms", self.contact_ms, "the CP contact time in ms", high=1000, none_ok=True)
        _number("recycle_s", self.recycle_s, "the recycle delay in s", allow_low=False, none_ok=True)
        if int(self.scans) != self.scans or self.scans < 1:
            raise ModelParameterError(f"scans must be a whole number ≥ 1; got {self.scans!r}.")

    def replace(self, **changes) -> Acquisition:
        """A copy with some fields changed (validated again).

        Parameters
        ----------
        **changes
            Field names and their new values, e.g. ``microwave=False``.

        Returns
        -------
        Acquisition

        Raises
        ------
        ModelParameterError
            If a changed value is out of range (as for a new Acquisition).
        """
        return replace(self, **changes)


@dataclass(frozen=True)
class MatrixState:
    """What the matrix and the radical do to the QD signal (see :func:`qdkit.models.sample.predict`).

    Attributes
    ----------
    enhancement_on_off : float
        ε_on/off of the whole sample after the recycle delay (pore and outside QDs).
    enhancement_in_pores, enhancement_outside : float
        ε_on/off of the QDs in the pores and of those frozen outside them.
    fraction_in_pores : float
        Fraction of the solution (and QDs) held by the pores.
    dilution : float
        d, rotor volume per volume of solution (1 without silica).
    retention : float
        χ, microwave-off signal with the radical over that without it (1 without radical).
    recovery : float
        r, microwave-off ¹H polarization of the aggregate after the recycle delay over its
        fully relaxed value (1 for an infinite delay).
    t_b_s : float
        DNP build-up time of the aggregate in a pore of the nominal size (the bulk aggregate
        when no solution is held in pores), s.
    recycle_s : float
        Recycle delay used, s (the acquisition's, else the optimum ≈ 1.2564 T_B).
    qds_per_pore : float
        Mean number of QDs in a pore of the nominal size.
    aggregate_nm : float
        Radius of the frozen QD aggregate in that pore (or without silica), nm.
    overfilled : bool
        True when the solution exceeds the pore volume and partly freezes outside.
    """

    enhancement_on_off: float
    enhancement_in_pores: float
    enhancement_outside: float
    fraction_in_pores: float
    dilution: float
    retention: float
    recovery: float
    t_b_s: float
    recycle_s: float
    qds_per_pore: float
    aggregate_nm: float
    overfilled: bool  # solution beyond the pore volume (freezes outside)


@dataclass(frozen=True)
class Prediction:
    """A predicted spectrum with its parts and the numbers behind it.

    ``components`` maps each species to its trace on ``ppm``; ``total`` is their sum.
    ``enhancement`` is ε_on/off as a spectroscopist measures it; ``absolute_gain`` the
    signal per fully relaxed scan over the radical-free frozen colloid in the same rotor
    (ε × χ / d, SI Fig. S2), ``absolute_gain_same_mass`` the same for equal QD masses in the
    coil (ε × χ, SI Fig. S2's 3.8 mg samples); ``snr_per_scan`` the integrated signal of one
    scan at this recycle delay in units of one fully relaxed, directly excited scan of that
    colloid, ``snr_per_sqrt_hour`` the same per √hour; ``assumed`` what the paper does not print.

    Attributes
    ----------
    ppm : ndarray
        Chemical-shift axis, ppm (read-only).
    components : dict
        Species name → its trace on ``ppm`` (read-only arrays).
    roles : dict
        Species name → ``"surface"`` or ``"core"``.
    total : ndarray
        Sum of the components.
    enhancement : float
        ε_on/off of the sample after the recycle delay.
    absolute_gain, absolute_gain_same_mass : float
        ε × χ / d and ε × χ (see above).
    t_b_s, recycle_s : float
        DNP build-up time and the recycle delay used, s.
    snr_per_scan : float
        Integrated signal of one scan in units of one fully relaxed, directly excited scan
        of the radical-free colloid.
    snr_per_sqrt_hour : float
        ``snr_per_scan`` × √(3600 s / ``recycle_s``) (0 for an infinite delay).
    matrix : MatrixState
        The matrix and radical numbers behind the amplitudes.
    surface_fraction : float
        Surface species' share of the atoms of the observed element (0 with one species).
    surface_share : float
        Surface lines' share of the predicted signal (NaN without signal).
    assumed : tuple of str
        Short labels of the inputs the paper does not print.
    assumed_reasons : dict
        Label → why that value was taken.
    """

    ppm: np.ndarray
    components: dict
    roles: dict
    total: np.ndarray
    enhancement: float
    absolute_gain: float
    absolute_gain_same_mass: float
    t_b_s: float
    recycle_s: float
    snr_per_scan: float
    snr_per_sqrt_hour: float
    matrix: MatrixState
    surface_fraction: float
    surface_share: float
    assumed: tuple[str, ...] = ()
    assumed_reasons: dict = field(default_factory=dict)

    def part(self, role: str) -> np.ndarray:
        """Sum of the components of one role.

        Parameters
        ----------
        role : str
            ``"surface"`` or ``"core"``.

        Returns
        -------
        ndarray
            The summed traces on ``ppm`` (zeros when no component has that role).
        """
        rows = [y for name, y in self.components.items() if self.roles[name] == role]
        return np.sum(rows, axis=0) if rows else np.zeros_like(self.total)

    @property
    def surface(self) -> np.ndarray:
        """Sum of the surface components."""
        return self.part("surface")

    @property
    def core(self) -> np.ndarray:
        """Sum of the core components."""
        return self.part("core")

    @property
    def peak(self) -> float:
        """Tallest point of ``total`` (0 for an empty axis)."""
        return float(np.max(self.total)) if self.total.size else 0.0
