"""The one forward model behind every slider: a QD sample and an acquisition in, a spectrum out.

Joins species lineshapes, species-aware CP, relayed DNP in the matrix with paramagnetic losses
and the sensitivity bookkeeping into ``predict``. Its records (:class:`Sample`,
:class:`Acquisition`, :class:`Line`, :class:`Prediction`) live in
:mod:`qdkit.models.sample_records` and are importable from here.

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
from dataclasses import replace

import numpy as np

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.models import cp, cp_species, dnp, loading, matrix, paramagnetic
from qdkit.models.materials import LIGANDS
from qdkit.models.sample_records import (
    QD_DENSITY_G_CM3,
    Acquisition,
    Line,
    MatrixState,
    Prediction,
    Sample,
    _number,
)
from qdkit.simulation import mas
from qdkit.simulation.broadening import axis_grid

__all__ = [
    "Line",
    "Sample",
    "Acquisition",
    "Prediction",
    "MatrixState",
    "predict",
    "QD_DENSITY_G_CM3",
    "expected_snr_per_scan",
    "sample_matrix",
    "cp_buildup",
]


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
    index = [
        names.index(ln.name) if ln.name in names else (0 if ln.role == "surface" else len(names) - 1) for ln in lines
    ]
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

    Parameters
    ----------
    sample : Sample
        The QDs (material, size, ligand, coverage, structure, T1ρ are used).
    nucleus : str
        Observed X nucleus, e.g. ``"31P"``.
    contact_ms : float or array_like
        Contact time(s), ms (≥ 0).

    Returns
    -------
    dict
        Species name (surface species first) → signal on ``contact_ms``.

    Raises
    ------
    ModelParameterError
        If ``contact_ms`` is empty, not finite or negative.

    Examples
    --------
    >>> from qdkit.models.setups import paper_setup
    >>> sample, _ = paper_setup("2e")
    >>> {name: round(float(s), 3) for name, s in cp_buildup(sample, "31P", 1.5).items()}
    {'surface PO_x': 0.168, 'InP core': 0.066}
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
    return cp_species.species_kinetics(
        sample.material,
        nucleus,
        sample.diameter_nm,
        ligand=sample.ligand,
        coverage_per_nm2=sample.coverage_per_nm2,
        structure=sample.structure,
        t1rho_ms=t1rho,
    )


def sample_matrix(sample: Sample, acquisition: Acquisition) -> MatrixState:
    """What matrix and radical do to the QD signal: ε_on/off (in, outside the pores), solution
    in the pores, dilution, retention, T_B, recovery after the recycle delay (:func:`predict`).

    Parameters
    ----------
    sample : Sample
        What is in the rotor.
    acquisition : Acquisition
        Its spin rate (for the MAS depolarization) and recycle delay are used.

    Returns
    -------
    MatrixState
        Cached per (sample, spin rate, recycle delay).

    Examples
    --------
    The InP QDs of Fig. 2e in 7 nm MSU-H silica, exactly filled:

    >>> from qdkit.models.setups import paper_setup
    >>> m = sample_matrix(*paper_setup("2e"))
    >>> round(m.enhancement_on_off), round(m.dilution, 2), m.overfilled
    (80, 1.41, False)
    """
    return _matrix_state(sample, float(acquisition.mas_hz), acquisition.recycle_s)


@functools.lru_cache(maxsize=256)
def _matrix_state(sample: Sample, mas_hz: float, recycle_s) -> MatrixState:
    """The relayed-DNP state of the sample (:func:`_relayed_state`) with the retention χ at
    this spin rate: MAS depolarization × unquenched fraction of the QD nuclei under their
    ligand shell (:func:`qdkit.models.paramagnetic.signal_retention`, as in
    :func:`qdkit.models.loading.sample_sensitivity`)."""
    state = _relayed_state(sample, recycle_s)
    if not (sample.radical and sample.radical_mM > 0):
        return state
    chi = paramagnetic.signal_retention(
        mas_hz,
        sample.radical_mM,
        radical=sample.radical,
        exclusion_nm=LIGANDS[sample.ligand].length_nm,
        geometry="surface",
    )
    return replace(state, retention=float(chi))


@functools.lru_cache(maxsize=256)
def _relayed_state(sample: Sample, recycle_s) -> MatrixState:
    """ε, dilution, build-up and recovery of the sample, retention 1. T_B and the microwave-off
    recovery after the recycle delay: :func:`qdkit.matrix.relayed_dnp` for the aggregate of the
    nominal pore (the bulk one without pores holding solution); ε_on/off after that delay:
    :func:`qdkit.models.loading.sample_sensitivity` (pore-size spread, solution in and outside pores)."""
    radical = bool(sample.radical) and sample.radical_mM > 0
    length = matrix.diffusion_length_nm(sample.spin_diffusion_nm2_ms, sample.proton_t1_s)
    physics = dict(
        qd_conc_mg_ml=sample.qd_conc_mg_ml,
        qd_diameter_nm=sample.diameter_nm,
        qd_density_g_cm3=QD_DENSITY_G_CM3[sample.material],
        ligand_nm=LIGANDS[sample.ligand].length_nm,
        eps0=sample.eps0 if radical else 1.0,
        diffusion_length_nm=length,
        t1_s=sample.proton_t1_s,
        t_b_surface_s=sample.t_b_surface_s,
    )
    silica = None if sample.pore_nm is None else sample.silica_mg
    common = dict(
        solution_ul=sample.solvent_ul,
        silica_mg=silica,
        retention=1.0,
        pore_volume_cm3_g=sample.pore_volume_cm3_g,
        **physics,
    )

    def at_delay(delay):  # the whole sample after ``delay`` (the steady state for inf)
        timed = {} if math.isinf(delay) else {"recycle_s": delay}
        return loading.sample_sensitivity(sample.pore_nm, **timed, **common)

    r = at_delay(math.inf if recycle_s is None else float(recycle_s))
    relayed = functools.partial(
        matrix.relayed_dnp,
        r.aggregate_nm,
        eps0=physics["eps0"],
        diffusion_nm2_s=sample.spin_diffusion_nm2_ms * 1e3,
        t1_s=sample.proton_t1_s,
        t_b_surface_s=sample.t_b_surface_s,
    )
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
        fraction_in_pores=float(r.fraction_in_pores),
        dilution=float(r.dilution),
        retention=1.0,
        recovery=float(recovery),
        t_b_s=float(t_b),
        recycle_s=recycle,
        qds_per_pore=float(r.qds_per_pore),
        aggregate_nm=float(r.aggregate_nm),
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
        raise ModelParameterError(f"predict() needs a qdkit.sample.Acquisition, got {type(acquisition).__name__}.")
    axis = np.asarray(ppm, dtype=float)
    if axis.ndim != 1 or axis.size < 2 or not np.all(np.isfinite(axis)):
        raise ModelParameterError("ppm must be a 1D axis of at least 2 finite chemical shifts.")
    start, step, n = axis_grid(axis)
    return _predict(sample, acquisition, float(start), float(step), int(n))


def _lines_for(sample: Sample, nucleus: str, field_T: float) -> tuple[Line, ...]:
    element = nuclei.get(nucleus).symbol
    lines = tuple(
        replace(
            ln,
            site=ln.site.replace(
                nucleus=nucleus, fwhm_hz=ln.site.fwhm_hz * (field_T / ln.field_T if ln.field_T else 1.0)
            ),
        )
        for ln in sample.species
        if nuclei.get(ln.site.nucleus).symbol == element
    )
    if not lines:
        have = sorted({ln.site.nucleus for ln in sample.species})
        raise ModelParameterError(
            f"The {sample.material} sample lists no {element} species to observe with {nucleus}; "
            f"it has species of {', '.join(have)}. Choose one of those nuclei or add the species."
        )
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
        ppm=ppm,
        components=components,
        roles=roles,
        total=total,
        enhancement=m.enhancement_on_off,
        absolute_gain=m.enhancement_on_off * m.retention / m.dilution,
        absolute_gain_same_mass=m.enhancement_on_off * m.retention,
        t_b_s=m.t_b_s,
        recycle_s=m.recycle_s,
        snr_per_scan=signal,
        snr_per_sqrt_hour=per_hour,
        matrix=m,
        surface_fraction=float(surface_fraction),
        surface_share=surface / signal if signal > 0 else float("nan"),
        assumed=assumed,
        assumed_reasons=reasons,
    )


#: Model inputs the paper does not give for a sample, listed in every prediction.
MODEL_ASSUMPTIONS = {
    "¹H T1 in the QD aggregates and build-up time of the radical solution": (
        f"{matrix.PROTON_T1_S:g} s each, from the paper's recycle delays (1.7–3.8 s set at "
        "~1.3 T_B, SI VI): taken from the paper, not independent"
    ),
    "ε0 of the radical solution": (
        f"{matrix.EPSILON0:g}, the paper's best ε (Fig. 2e): taken from "
        "the paper, so ε of the sample is a consistency check"
    ),
}


def _assumptions(lines, m: MatrixState, sample: Sample) -> tuple[tuple[str, ...], dict]:
    """Short labels ("surface PO_x: CSA, η") and their reasons, species first."""
    names = {"csa_ppm": "CSA", "eta": "η", "fwhm_hz": "width", "iso_ppm": "shift", "cq_mhz": "C_Q", "eta_q": "η_Q"}
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
        reasons[labels[-1]] = "freezes outside the silica as a bulk colloid (bulk ε); see qdkit.sample's loading note"
    return tuple(labels), reasons


def expected_snr_per_scan(prediction: Prediction, at: Prediction, measured_snr_per_scan: float) -> float:
    """S/N of one scan at ``prediction``'s settings, from one measured at ``at``'s settings.

    Equation: S/N₁ = S/N₁,measured × h / h_at, with h the tallest predicted point (S/N is
    peak height over noise RMS, as :func:`qdkit.processing.measure.signal_to_noise`
    measures it; the noise of one scan does not depend on the sample settings).

    Parameters
    ----------
    prediction : Prediction
        The settings to predict the S/N for.
    at : Prediction
        The settings at which the S/N was measured (same axis units).
    measured_snr_per_scan : float
        S/N of one scan measured at ``at``'s settings (S/N of the spectrum / √scans).

    Returns
    -------
    float
        Expected S/N of one scan at ``prediction``'s settings.

    Raises
    ------
    ModelParameterError
        If the measured S/N is not positive, or ``at`` predicts no signal.

    Examples
    --------
    S/N 50 per scan with microwaves on; with them off it falls by ε:

    >>> import numpy as np
    >>> from qdkit.models.setups import paper_setup
    >>> sample, acq = paper_setup("2e")
    >>> ppm = np.linspace(100.0, -100.0, 401)
    >>> on = predict(sample, acq, ppm)
    >>> off = predict(sample, acq.replace(microwave=False), ppm)
    >>> round(expected_snr_per_scan(off, on, 50.0), 2), round(50.0 / on.enhancement, 2)
    (0.63, 0.63)
    """
    snr = _number("measured_snr_per_scan", measured_snr_per_scan, "S/N of one measured scan", allow_low=False)
    if not at.peak > 0:
        raise ModelParameterError(
            "The prediction at the measured settings has no signal; the measured S/N cannot be carried over."
        )
    return snr * prediction.peak / at.peak
