"""The one forward model behind every slider: a QD sample and an acquisition in, a spectrum out.

Joins species lineshapes, species-aware CP, relayed DNP in the matrix with paramagnetic losses
and the sensitivity bookkeeping into ``predict``.

Model (DESIGN §4.3–4.5; Piveteau et al., JACS 137, 13964 (2015) and its SI)::

    y(δ) = Σ_species A_i · shape_i(δ; field, MAS)
    A_i  = (CP signal of species i per atom of the element, ×|γH/γX|) × Π / d
    Π    = ε_on/off × χ × r   (microwaves on)      Π = χ × r   (microwaves off)

with ε_on/off the sample's relayed-DNP enhancement after the recycle delay, χ the signal kept
with the radical present (MAS depolarization of the microwave-off reference × unquenched
fraction), r the ¹H recovery after the recycle delay and d the dilution of the QD solution
by the silica. Amplitudes are in units of one fully relaxed, directly excited scan of the
same QDs frozen without radical or silica in the same rotor; so is ``snr_per_scan``.

Loading (the silica mass per QD mass): the pores take up V_p = m_SiO2 · v_p of the solution
volume V. Solution beyond the pore volume (V > V_p) freezes outside the grains, where the
QDs aggregate as in a frozen colloid without silica and get the bulk ε; silica beyond it
(V_p > V) is empty pore and wall volume that dilutes the sample. The paper's printed
silica masses (0.2–1.1 mg for 20 µL, SI Fig. S2) hold only 0.2–1.0 µL at 0.91 cm³/g, so
read literally most of the solution would freeze outside; the catalog keeps that flag
(``data/catalog.toml``, corrections) and the paper's own figures behave as exactly filled
pores. The loading slider therefore starts at exact filling (V_p = V) and shows both
regimes on either side of it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace

import numpy as np

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.models import cp, cp_species, dnp, matrix, paramagnetic
from qdkit.models.materials import LIGANDS
from qdkit.simulation import mas
from qdkit.simulation.broadening import axis_grid
from qdkit.simulation.sites import Site

__all__ = ["Line", "Sample", "Acquisition", "Prediction", "MatrixState", "predict", "QD_DENSITY_G_CM3",
           "expected_snr_per_scan", "sample_matrix", "cp_buildup"]

#: Density of the QD materials, g/cm³ (bulk crystals, CRC Handbook of Chemistry and
#: Physics, 97th ed., "Physical constants of inorganic compounds"): it turns a QD mass into
#: a number of QDs (QDs per pore, aggregate size).
QD_DENSITY_G_CM3 = {"InP": 4.81, "CdSe": 5.82, "CdTe": 5.85, "PbSe": 8.10, "PbTe": 8.16,
                    "CsPbBr3": 4.42}

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


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One chemical species of the sample as its spectrum shows it.

    ``name``: the species (catalog ``assignment``); ``role``: ``"surface"`` or ``"core"``;
    ``site``: its lineshape (:class:`qdkit.mas.Site`; ``weight`` = share among lines of one
    species); ``assumed``: ``(value, reason)`` for what the paper does not print; ``field_T``:
    the field of the width (constant in ppm: :func:`predict` scales it; None: fixed in Hz).
    """

    name: str
    role: str
    site: Site
    assumed: tuple[tuple[str, str], ...] = ()
    field_T: float | None = None

    def __post_init__(self):
        if self.role not in _ROLES:
            raise ModelParameterError(f"Line {self.name!r}: role must be 'surface' or 'core', "
                                      f"got {self.role!r}.")
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
        The chemical species and their lineshapes (any nuclei; :func:`predict` takes those
        of the observed nucleus' element).
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
        (V / v_p). Ignored without silica. See the module docstring for what the two sides
        of exact filling mean.
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
        ¹H T1ρ under the CP spin lock (None: :data:`qdkit.models.cp_species.T1RHO_MS`).
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
            raise ModelParameterError(f"No model for {self.material!r} QDs; choose one of "
                                      f"{sorted(QD_DENSITY_G_CM3)}.")
        _number("diameter_nm", self.diameter_nm, "the QD core diameter in nm", low=0.8, high=20)
        if self.ligand not in LIGANDS:
            raise ModelParameterError(f"Unknown ligand {self.ligand!r}; choose one of {sorted(LIGANDS)}.")
        _number("coverage_per_nm2", self.coverage_per_nm2, "ligands per nm² of QD surface",
                low=0.1, high=10, none_ok=True)
        _number("pore_nm", self.pore_nm, "the silica pore diameter in nm (None for no silica)",
                low=0.0, high=1e5, allow_low=False, none_ok=True)
        _number("silica_mg_per_qd_mg", self.silica_mg_per_qd_mg, "mg of silica per mg of QDs",
                high=1e4, none_ok=True)
        _number("solvent_ul", self.solvent_ul, "the solution volume in µL", allow_low=False, high=1e3)
        _number("radical_mM", self.radical_mM, "the radical concentration in mM", high=1000)
        _number("qd_mg", self.qd_mg, "the QD mass in mg", allow_low=False, high=1e3)
        _number("pore_volume_cm3_g", self.pore_volume_cm3_g, "the silica pore volume in cm³/g",
                allow_low=False, high=10)
        _number("eps0", self.eps0, "the DNP enhancement of the radical solution", low=1.0, high=700)
        _number("spin_diffusion_nm2_ms", self.spin_diffusion_nm2_ms,
                "the ¹H spin-diffusion coefficient in nm²/ms", allow_low=False, high=100)
        _number("proton_t1_s", self.proton_t1_s, "the ¹H T1 in s", allow_low=False, high=1e4)
        _number("t_b_surface_s", self.t_b_surface_s, "the build-up time of the radical solution in s",
                high=1e4)
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
        return self.qd_mg / self.solvent_ul * 1e3

    def replace(self, **changes) -> Sample:
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
        return replace(self, **changes)


@dataclass(frozen=True)
class MatrixState:
    """What the matrix and the radical do to the QD signal (see :func:`predict`)."""

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
        """Sum of the components of one role (``"surface"`` or ``"core"``)."""
        rows = [y for name, y in self.components.items() if self.roles[name] == role]
        return np.sum(rows, axis=0) if rows else np.zeros_like(self.total)

    @property
    def surface(self) -> np.ndarray:
        return self.part("surface")

    @property
    def core(self) -> np.ndarray:
        return self.part("core")

    @property
    def peak(self) -> float:
        return float(np.max(self.total)) if self.total.size else 0.0


# ---------------------------------------------------------------------------------------
# Seams to the component models (one function each)
# ---------------------------------------------------------------------------------------


def _cp_amplitudes(sample: Sample, acq: Acquisition, lines: tuple[Line, ...]) -> tuple[np.ndarray, float]:
    """Signal of each line per atom of the element (CP in units of the gain bound), and the
    surface species' share of the atoms.

    Kinetics from :func:`qdkit.models.cp_species.species_kinetics`; a line takes the species
    of its name, else of its role (surface species first); lines sharing a species share its
    signal by site weight. Direct excitation (no contact time): each species' share of atoms.
    """
    kinetics = _kinetics(sample, acq.nucleus)
    n_atoms = sum(k.n_spins for k in kinetics)
    if acq.contact_ms is None:
        signal = np.array([k.n_spins for k in kinetics]) / n_atoms
    else:
        signal = np.atleast_1d(cp_species.cp_signal(kinetics, float(acq.contact_ms))) / n_atoms
    names = [k.name for k in kinetics]
    index = [names.index(ln.name) if ln.name in names else (0 if ln.role == "surface" else len(names) - 1)
             for ln in lines]
    weights = np.array([ln.site.weight for ln in lines], dtype=float)
    out = np.zeros(len(lines))
    for k in set(index):
        mine = np.array(index) == k
        if weights[mine].sum() > 0:
            out[mine] = signal[k] * weights[mine] / weights[mine].sum()
    surface = kinetics[0].n_spins / n_atoms if len(kinetics) > 1 else 0.0
    return out, float(surface)


def cp_buildup(sample: Sample, nucleus: str, contact_ms) -> dict[str, np.ndarray]:
    """CP signal of each species of ``nucleus`` versus contact time, per atom of the element,
    in units of the gain bound |γH/γX| — the kinetics :func:`predict` weighs the lines with.

    Returns
    -------
    dict
        Species name (surface species first) → signal on ``contact_ms``.
    """
    kinetics = _kinetics(sample, nuclei.get(nucleus).label)
    n_atoms = sum(k.n_spins for k in kinetics)
    t = np.asarray(contact_ms, dtype=float)
    if t.size == 0 or np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ModelParameterError("contact_ms must be contact times ≥ 0 in ms.")
    rows = np.atleast_2d(cp_species.cp_signal(kinetics, t).reshape(len(kinetics), -1))
    return {k.name: row.reshape(t.shape) / n_atoms for k, row in zip(kinetics, rows)}


def _kinetics(sample: Sample, nucleus: str):
    t1rho = cp_species.T1RHO_MS if sample.t1rho_ms is None else sample.t1rho_ms
    return cp_species.species_kinetics(sample.material, nucleus, sample.diameter_nm,
                                       ligand=sample.ligand,
                                       coverage_per_nm2=sample.coverage_per_nm2,
                                       structure=sample.structure, t1rho_ms=t1rho)


def sample_matrix(sample: Sample, acquisition: Acquisition) -> MatrixState:
    """What matrix and radical do to the QD signal: ε_on/off (in, outside the pores), solution
    in the pores, dilution, retention, T_B, recovery after the recycle delay (:func:`predict`)."""
    return _matrix_state(sample, float(acquisition.mas_hz), acquisition.recycle_s)


@functools.lru_cache(maxsize=256)
def _matrix_state(sample: Sample, mas_hz: float, recycle_s) -> MatrixState:
    """The relayed-DNP state of the sample (:func:`_relayed_state`) with the retention χ at
    this spin rate: MAS depolarization × unquenched fraction of the QD nuclei under their
    ligand shell (:func:`qdkit.models.paramagnetic.signal_retention`, as in
    :func:`qdkit.matrix.sample_sensitivity`)."""
    state = _relayed_state(sample, recycle_s)
    if not (sample.radical and sample.radical_mM > 0):
        return state
    chi = paramagnetic.signal_retention(mas_hz, sample.radical_mM, radical=sample.radical,
                                        exclusion_nm=LIGANDS[sample.ligand].length_nm,
                                        geometry="surface")
    return replace(state, retention=float(chi))


@functools.lru_cache(maxsize=256)
def _relayed_state(sample: Sample, recycle_s) -> MatrixState:
    """ε, dilution, build-up and recovery of the sample, retention 1. T_B and the microwave-off
    recovery after the recycle delay: :func:`qdkit.matrix.relayed_dnp` for the aggregate of the
    nominal pore (the bulk one without pores holding solution); ε_on/off after that delay:
    :func:`qdkit.matrix.sample_sensitivity` (pore-size spread, solution in and outside pores)."""
    radical = bool(sample.radical) and sample.radical_mM > 0
    length = matrix.diffusion_length_nm(sample.spin_diffusion_nm2_ms, sample.proton_t1_s)
    physics = dict(qd_conc_mg_ml=sample.qd_conc_mg_ml, qd_diameter_nm=sample.diameter_nm,
                   qd_density_g_cm3=QD_DENSITY_G_CM3[sample.material],
                   ligand_nm=LIGANDS[sample.ligand].length_nm,
                   eps0=sample.eps0 if radical else 1.0, diffusion_length_nm=length,
                   t1_s=sample.proton_t1_s, t_b_surface_s=sample.t_b_surface_s)
    silica = None if sample.pore_nm is None else sample.silica_mg
    common = dict(solution_ul=sample.solvent_ul, silica_mg=silica, retention=1.0,
                  pore_volume_cm3_g=sample.pore_volume_cm3_g, **physics)
    def at_delay(delay):  # the whole sample after ``delay`` (the steady state for inf)
        timed = {} if math.isinf(delay) else {"recycle_s": delay}
        return matrix.sample_sensitivity(sample.pore_nm, **timed, **common)

    r = at_delay(math.inf if recycle_s is None else float(recycle_s))
    relayed = functools.partial(matrix.relayed_dnp, r.aggregate_nm, eps0=physics["eps0"],
                                diffusion_nm2_s=sample.spin_diffusion_nm2_ms * 1e3,
                                t1_s=sample.proton_t1_s, t_b_surface_s=sample.t_b_surface_s)
    t_b = relayed().t_b_s
    recycle = dnp.optimal_recycle_s(t_b) if recycle_s is None else float(recycle_s)
    recovery = 1.0
    if math.isfinite(recycle):  # the optimal delay needed T_B first
        r = at_delay(recycle) if recycle_s is None else r
        at = relayed(recycle_s=recycle)
        recovery = at.enhancement / at.enhancement_on_off
    capacity = silica * sample.pore_volume_cm3_g if silica else 0.0
    return MatrixState(
        enhancement_on_off=float(r.enhancement),
        enhancement_in_pores=float(r.enhancement_in_pores),
        enhancement_outside=float(r.enhancement_outside),
        fraction_in_pores=float(r.fraction_in_pores), dilution=float(r.dilution),
        retention=1.0, recovery=float(recovery), t_b_s=float(t_b),
        recycle_s=recycle, qds_per_pore=float(r.qds_per_pore), aggregate_nm=float(r.aggregate_nm),
        overfilled=sample.pore_nm is not None and capacity < sample.solvent_ul * (1 - 1e-9),
    )


# ---------------------------------------------------------------------------------------
# The forward model
# ---------------------------------------------------------------------------------------


def predict(sample: Sample, acquisition: Acquisition, ppm) -> Prediction:
    """Predicted spectrum of ``sample`` measured with ``acquisition`` on the axis ``ppm``.

    Equation (module docstring): y(δ) = Σ_i A_i shape_i(δ), A_i = CP_i × |γH/γX| × Π / d,
    Π = ε_on/off χ r with microwaves on, χ r with them off. Lineshapes:
    :func:`qdkit.mas.site_spectra` (Maricq–Waugh / Herzfeld–Berger sidebands); CP: the
    classical I–S model with T_IS from the second moment to the ligand and solvent protons
    (:mod:`qdkit.models.cp`; Mehring 1983); ε, d: relayed DNP into the frozen QD
    aggregates and the pore/solution volume balance (:mod:`qdkit.models.matrix`; Rossini
    et al., JACS 136, 2324 (2014); Piveteau et al. 2015, Fig. 2 and SI Fig. S2).

    Parameters
    ----------
    sample : Sample
    acquisition : Acquisition
    ppm : array
        Evenly spaced chemical-shift axis (either direction).

    Returns
    -------
    Prediction
        Cached per (sample, acquisition, axis): a repeated call returns the same
        (read-only) arrays.

    Raises
    ------
    ModelParameterError
        If the sample has no species of the observed element, the axis is not evenly
        spaced, or a setting is outside what the models cover (the message says which).
    """
    if not isinstance(sample, Sample):
        raise ModelParameterError(f"predict() needs a qdkit.sample.Sample, got {type(sample).__name__}.")
    if not isinstance(acquisition, Acquisition):
        raise ModelParameterError(
            f"predict() needs a qdkit.sample.Acquisition, got {type(acquisition).__name__}.")
    axis = np.asarray(ppm, dtype=float)
    if axis.ndim != 1 or axis.size < 2 or not np.all(np.isfinite(axis)):
        raise ModelParameterError("ppm must be a 1D axis of at least 2 finite chemical shifts.")
    start, step, n = axis_grid(axis)
    return _predict(sample, acquisition, float(start), float(step), int(n))


def _lines_for(sample: Sample, nucleus: str, field_T: float) -> tuple[Line, ...]:
    element = nuclei.get(nucleus).symbol
    lines = tuple(replace(ln, site=ln.site.replace(
        nucleus=nucleus, fwhm_hz=ln.site.fwhm_hz * (field_T / ln.field_T if ln.field_T else 1.0)))
        for ln in sample.species if nuclei.get(ln.site.nucleus).symbol == element)
    if not lines:
        have = sorted({ln.site.nucleus for ln in sample.species})
        raise ModelParameterError(
            f"The {sample.material} sample lists no {element} species to observe with {nucleus}; "
            f"it has species of {', '.join(have)}. Choose one of those nuclei or add the species.")
    return lines


@functools.lru_cache(maxsize=512)
def _predict(sample: Sample, acq: Acquisition, start: float, step: float, n: int) -> Prediction:
    ppm = start + step * np.arange(n)
    lines = _lines_for(sample, acq.nucleus, acq.field_T)
    shapes = mas.site_spectra([ln.site for ln in lines], acq.field_T, acq.mas_hz, ppm)
    per_atom, surface_fraction = _cp_amplitudes(sample, acq, lines)
    if acq.contact_ms is not None:
        per_atom = per_atom * cp.cp_gain_bound(acq.nucleus)
    m = _matrix_state(sample, float(acq.mas_hz), acq.recycle_s)
    polarization = m.retention * m.recovery * (m.enhancement_on_off if acq.microwave else 1.0)
    amplitudes = per_atom * polarization / m.dilution
    components, roles = {}, {}
    for k, (ln, a) in enumerate(zip(lines, amplitudes)):
        name = ln.name if ln.name not in components else f"{ln.name} ({k + 1})"
        y = a * shapes[k]
        y.setflags(write=False)
        components[name], roles[name] = y, ln.role
    total = amplitudes @ shapes
    total.setflags(write=False)
    ppm.setflags(write=False)
    signal = float(amplitudes.sum())
    surface = float(sum(a for ln, a in zip(lines, amplitudes) if ln.role == "surface"))
    per_hour = signal * math.sqrt(3600.0 / m.recycle_s) if math.isfinite(m.recycle_s) else 0.0
    assumed, reasons = _assumptions(lines, m, sample)
    return Prediction(
        ppm=ppm, components=components, roles=roles, total=total,
        enhancement=m.enhancement_on_off,
        absolute_gain=m.enhancement_on_off * m.retention / m.dilution,
        absolute_gain_same_mass=m.enhancement_on_off * m.retention,
        t_b_s=m.t_b_s, recycle_s=m.recycle_s, snr_per_scan=signal, snr_per_sqrt_hour=per_hour,
        matrix=m, surface_fraction=float(surface_fraction),
        surface_share=surface / signal if signal > 0 else float("nan"),
        assumed=assumed, assumed_reasons=reasons,
    )


#: Model inputs the paper does not give for a sample, listed in every prediction.
MODEL_ASSUMPTIONS = {
    "¹H T1 in the QD aggregates and build-up time of the radical solution": (
        f"{matrix.PROTON_T1_S:g} s each, from the paper's recycle delays (1.7–3.8 s set at "
        "~1.3 T_B, SI VI): taken from the paper, not independent"),
    "ε0 of the radical solution": (f"{matrix.EPSILON0:g}, the paper's best ε (Fig. 2e): taken from "
                                   "the paper, so ε of the sample is a consistency check"),
}


def _assumptions(lines, m: MatrixState, sample: Sample) -> tuple[tuple[str, ...], dict]:
    """Short labels ("surface PO_x: CSA, η") and their reasons, species first."""
    names = {"csa_ppm": "CSA", "eta": "η", "fwhm_hz": "width", "iso_ppm": "shift",
             "cq_mhz": "C_Q", "eta_q": "η_Q"}
    labels, reasons = [], {}
    for ln in lines:
        if ln.assumed:
            label = f"{ln.name}: " + ", ".join(names.get(k, k) for k, _ in ln.assumed)
            labels.append(label)
            reasons[label] = "; ".join(f"{names.get(k, k)}: {why}" for k, why in ln.assumed)
    if sample.radical and sample.radical_mM > 0:
        for label, why in MODEL_ASSUMPTIONS.items():
            labels.append(label)
            reasons[label] = why
        data = paramagnetic.DEPOLARIZATION.get(sample.radical)
        if data is not None and data.source.startswith("assumed"):
            labels.append(f"MAS depolarization by {sample.radical}")
            reasons[labels[-1]] = data.source
    if m.overfilled:
        labels.append("solution beyond the pore volume")
        reasons[labels[-1]] = ("freezes outside the silica as a bulk colloid (bulk ε); "
                               "see qdkit.sample's loading note")
    return tuple(labels), reasons


def expected_snr_per_scan(prediction: Prediction, at: Prediction, measured_snr_per_scan: float) -> float:
    """S/N of one scan at ``prediction``'s settings, from one measured at ``at``'s settings.

    Equation: S/N₁ = S/N₁,measured × h / h_at, with h the tallest predicted point (S/N is
    peak height over noise RMS, as :func:`qdkit.processing.measure.signal_to_noise`
    measures it; the noise of one scan does not depend on the sample settings).
    """
    snr = _number("measured_snr_per_scan", measured_snr_per_scan, "S/N of one measured scan",
                  allow_low=False)
    if not at.peak > 0:
        raise ModelParameterError("The prediction at the measured settings has no signal; "
                                  "the measured S/N cannot be carried over.")
    return snr * prediction.peak / at.peak
