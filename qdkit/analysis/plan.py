"""The experiment planner: the fastest route to a target S/N of one species of a QD sample.

Searches pore size, silica loading, radical concentration and contact time with the sample
model (:func:`qdkit.sample.predict`) at the optimal recycle delay, and ranks what it tried.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qdkit.errors import ModelParameterError
from qdkit.models.dnp import optimal_recycle_s
from qdkit.models.sample import Acquisition, Prediction, Sample, predict

__all__ = ["Option", "ExperimentPlan", "best_experiment", "PORES_NM", "LOADINGS", "RADICAL_MM", "CONTACTS_MS"]

#: Pore sizes tried by default (nm; None = no silica): the paper's silica series (Fig. 2f).
PORES_NM = (None, 3.3, 4.0, 7.0, 15.0, 30.0, 50.0, 250.0)
#: Silica loadings tried, as multiples of exact pore filling (pores hold the solution).
LOADINGS = (0.5, 1.0, 2.0)
#: Radical concentrations tried, mM (the paper's TEKPol: 16 mM).
RADICAL_MM = (8.0, 16.0, 32.0)
#: Contact times tried, ms (the paper's range: 1.5–15 ms).
CONTACTS_MS = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0)


@dataclass(frozen=True)
class Option:
    """One setting the planner tried, with what the sample model predicts for it.

    Attributes
    ----------
    pore_nm, silica_mg_per_qd_mg : float or None
        Silica pore size, nm, and silica mass per mg of QDs (None: no silica).
    radical_mM : float
        Radical concentration, mM.
    contact_ms : float or None
        CP contact time, ms (None: direct excitation).
    recycle_s, t_b_s : float
        Recycle delay 1.2564·T_B, s, and the predicted build-up time T_B, s.
    snr_per_scan, snr_per_scan_without_dnp : float
        Predicted S/N of the species in one scan, microwaves on and off.
    contrast : float
        Species signal over all other signal of the element (inf when there is none).
    scans, hours, scans_without_dnp, hours_without_dnp : int, float, int, float
        Scans to reach the target S/N and the time they take (inf when no signal), with and without DNP.
    """

    pore_nm: float | None
    silica_mg_per_qd_mg: float | None
    radical_mM: float
    contact_ms: float | None
    recycle_s: float
    t_b_s: float
    snr_per_scan: float
    snr_per_scan_without_dnp: float
    contrast: float
    scans: int
    hours: float
    scans_without_dnp: int
    hours_without_dnp: float


@dataclass(frozen=True)
class ExperimentPlan:
    """The planner's answer: settings, times with and without DNP, and the ranking behind it.

    ``sample`` and ``acquisition`` are the chosen settings (scans and recycle delay filled
    in; ``qdkit.sample.predict(plan.sample, plan.acquisition, ppm)`` reproduces ``prediction``).
    ``ranking`` lists every option tried, best first; ``why`` says in words why this one.

    Attributes
    ----------
    sample, acquisition : qdkit.sample.Sample, qdkit.sample.Acquisition
        The chosen settings.
    species, mode, target_snr : str, str, float
        What was asked for (see :func:`best_experiment`).
    best, prediction : Option, qdkit.sample.Prediction
        The chosen option and the sample model's prediction for it.
    ranking : tuple of Option
        Every option tried, best first (for ``"selectivity"``, the qualifying ones first).
    why : str
        Why this option, in words.
    """

    sample: Sample
    acquisition: Acquisition
    species: str
    mode: str
    target_snr: float
    best: Option
    prediction: Prediction
    ranking: tuple[Option, ...]
    why: str

    @property
    def hours(self) -> float:
        """Hours to the target S/N with DNP (``best.hours``)."""
        return self.best.hours

    @property
    def hours_without_dnp(self) -> float:
        """Hours to the target S/N without DNP (``best.hours_without_dnp``)."""
        return self.best.hours_without_dnp


def _scans(target: float, per_scan: float) -> tuple[int, float]:
    if not per_scan > 0:
        return 0, math.inf
    n = max(1, math.ceil((target / per_scan) ** 2 * (1 - 1e-12)))
    return n, float(n)


def _species_signal(p: Prediction, species: str) -> tuple[float, float]:
    """(signal of ``species``, signal of everything else) in the prediction's units."""
    step = abs(float(p.ppm[1] - p.ppm[0]))
    mine = float(np.sum(p.components[species]) * step)
    rest = float(sum(np.sum(y) for name, y in p.components.items() if name != species) * step)
    return mine, rest


_AXES = (
    ("pore_nm", "pore size"),
    ("silica_mg_per_qd_mg", "silica loading"),
    ("radical_mM", "radical concentration"),
    ("contact_ms", "contact time"),
)


def _no_effect(options: list[Option], best: Option) -> str:
    """Name the searched settings that change nothing once the others are at their best.

    A setting whose every tried value gives the same time (the others held at the chosen
    ones) is one the sample model does not resolve; saying so keeps the ranking from
    suggesting a choice that was really a tie (e.g. the radical concentration, while the
    model's ε0 and T_B do not depend on it).
    """
    idle = []
    for attr, label in _AXES:
        others = [a for a, _ in _AXES if a != attr]
        row = [o for o in options if all(getattr(o, a) == getattr(best, a) for a in others)]
        values = {getattr(o, attr) for o in row}
        hours = [o.hours for o in row]
        if len(values) > 1 and all(math.isfinite(h) for h in hours) and max(hours) - min(hours) <= 1e-9 * max(hours):
            idle.append(label)
    if not idle:
        return ""
    return f"; {' and '.join(idle)} made no difference to the time in the sample model (a tie, not a choice)"


def best_experiment(
    sample: Sample,
    species: str,
    target_snr: float,
    *,
    qd_mg: float,
    acquisition: Acquisition,
    reference_snr_per_scan: float,
    mode: str = "sensitivity",
    pores_nm=PORES_NM,
    loadings=LOADINGS,
    radical_mM=RADICAL_MM,
    contacts_ms=CONTACTS_MS,
    ppm=None,
    selectivity_tolerance: float = 0.9,
) -> ExperimentPlan:
    """Fastest settings to reach ``target_snr`` on ``species``, with and without DNP.

    For every combination of pore size, silica loading, radical concentration and contact
    time (direct excitation keeps ``acquisition.contact_ms=None``), the sample model
    (:func:`qdkit.sample.predict`) gives T_B; the recycle delay is the optimum
    d = 1.2564·T_B (:func:`qdkit.dnp.optimal_recycle_s`); the species' S/N per scan is
    ``reference_snr_per_scan`` × its predicted signal, the scans n = ⌈(S/N_target / S/N₁)²⌉
    and the time n·d. The same settings with microwaves off give the time without DNP.
    ``mode="sensitivity"`` takes the fastest; ``mode="selectivity"`` the fastest among the
    options whose contrast (species signal / all other signal of the element) is at least
    ``selectivity_tolerance`` × the best contrast found.

    Parameters
    ----------
    sample : qdkit.sample.Sample
        The QD sample (material, size, species, ligand, solution); the searched settings
        replace its pore size, loading and radical concentration.
    species : str
        Name of the species to observe (a ``Line.name`` of the sample, e.g. ``"surface PO_x"``).
    target_snr : float
        S/N wanted on that species' signal.
    qd_mg : float
        Mass of QDs available, mg.
    acquisition : qdkit.sample.Acquisition
        Nucleus, field, temperature, MAS and CP or direct excitation; its recycle delay,
        scans and contact time are chosen here.
    reference_snr_per_scan : float
        S/N of one fully relaxed, directly excited scan of all the element's atoms of the
        same QD mass frozen without radical or silica (the unit of ``predict``'s signals).
    pores_nm, loadings, radical_mM, contacts_ms : sequences
        What to try (loadings as multiples of exact pore filling).
    ppm : array, optional
        Axis for the predictions (default: 2048 points over the species ± 5 line widths
        and sidebands).
    mode : ``"sensitivity"`` or ``"selectivity"``
        Fastest option, or fastest among those with at least ``selectivity_tolerance`` × the best contrast.
    selectivity_tolerance : float
        Fraction (0 … 1) of the best contrast an option needs in ``"selectivity"`` mode.

    Returns
    -------
    ExperimentPlan

    Raises
    ------
    ModelParameterError
        An unknown ``mode`` or species, a non-positive target S/N, reference S/N or QD mass, or no setting giving
        any signal of the species.
    """
    if mode not in ("sensitivity", "selectivity"):
        raise ModelParameterError("mode must be 'sensitivity' (most signal) or 'selectivity' (most contrast).")
    if not (target_snr > 0 and reference_snr_per_scan > 0 and qd_mg > 0):
        raise ModelParameterError("target_snr, reference_snr_per_scan and qd_mg must be positive numbers.")
    names = [ln.name for ln in sample.species]
    if species not in names:
        raise ModelParameterError(f"The sample has no species {species!r}; it has {names}.")
    base = sample.replace(qd_mg=float(qd_mg))
    if ppm is None:
        sites = [ln.site for ln in base.species]
        reach = max(abs(s.aniso_ppm) + 5 * s.fwhm_hz / 100.0 for s in sites) + 200.0
        ppm = np.linspace(max(s.iso_ppm for s in sites) + reach, min(s.iso_ppm for s in sites) - reach, 2048)
    contacts = (None,) if acquisition.contact_ms is None else tuple(contacts_ms)
    options, settings = [], []
    for pore in pores_nm:
        for load in loadings if pore is not None else (None,):
            silica = None if load is None else load * base.exact_loading
            for mm in radical_mM:
                s = base.replace(pore_nm=pore, silica_mg_per_qd_mg=silica, radical_mM=float(mm))
                for ct in contacts:
                    acq = acquisition.replace(contact_ms=ct, scans=1, microwave=True)
                    t_b = predict(s, acq.replace(recycle_s=math.inf), ppm).t_b_s
                    d1 = optimal_recycle_s(t_b)
                    on = predict(s, acq.replace(recycle_s=d1), ppm)
                    off = predict(s, acq.replace(recycle_s=d1, microwave=False), ppm)
                    mine, rest = _species_signal(on, species)
                    mine_off, _ = _species_signal(off, species)
                    n_on, _ = _scans(target_snr, reference_snr_per_scan * mine)
                    n_off, _ = _scans(target_snr, reference_snr_per_scan * mine_off)
                    options.append(
                        Option(
                            pore_nm=pore,
                            silica_mg_per_qd_mg=silica,
                            radical_mM=float(mm),
                            contact_ms=ct,
                            recycle_s=d1,
                            t_b_s=t_b,
                            snr_per_scan=reference_snr_per_scan * mine,
                            snr_per_scan_without_dnp=reference_snr_per_scan * mine_off,
                            contrast=mine / rest if rest > 0 else math.inf,
                            scans=n_on,
                            hours=n_on * d1 / 3600.0 if n_on else math.inf,
                            scans_without_dnp=n_off,
                            hours_without_dnp=n_off * d1 / 3600.0 if n_off else math.inf,
                        )
                    )
                    settings.append((s, acq.replace(recycle_s=d1, scans=max(n_on, 1))))
    if mode == "selectivity":
        top = max(o.contrast for o in options)
        qualifies = [o.contrast >= selectivity_tolerance * top for o in options]
    else:
        qualifies = [True] * len(options)
    order = sorted(range(len(options)), key=lambda k: (not qualifies[k], options[k].hours))
    k = order[0]
    best = options[k]
    if not math.isfinite(best.hours):
        raise ModelParameterError(f"No setting tried gives any {species} signal; check the species and the nucleus.")
    chosen_sample, chosen_acq = settings[k]
    runner = options[order[1]] if len(order) > 1 else None
    why = (
        f"{'fastest' if mode == 'sensitivity' else 'fastest with ≥ ' + format(selectivity_tolerance, '.0%') + ' of the best contrast'}"
        f" of {len(options)} settings: {best.hours:.3g} h ({best.scans} scans of {best.recycle_s:.3g} s = 1.2564·T_B)"
        + (f"; next best {runner.hours:.3g} h" if runner else "")
        + f"; without DNP {best.hours_without_dnp:.3g} h"
        + _no_effect(options, best)
    )
    return ExperimentPlan(
        sample=chosen_sample,
        acquisition=chosen_acq,
        species=species,
        mode=mode,
        target_snr=float(target_snr),
        best=best,
        prediction=predict(chosen_sample, chosen_acq, ppm),
        ranking=tuple(options[i] for i in order),
        why=why,
    )
