"""The records of the paper's catalog: samples, experiments, species and SI corrections.

Frozen dataclasses whose fields are the keys of ``data/catalog.toml``; :mod:`qdkit.catalog`
reads, checks and queries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import CatalogError

__all__ = [
    "Correction",
    "Sample",
    "Experiment",
    "Species",
    "EXPERIMENT_RANGES",
    "SAMPLE_RANGES",
    "LINESHAPE_RANGES",
    "INTEGER_KEYS",
    "FILLINGS",
    "STATUSES",
]

#: Plausible ranges of every numeric experiment key (inclusive); a value outside is a
#: transcription error. The bounds are generous instrument limits, not the paper's values.
EXPERIMENT_RANGES: dict[str, tuple[float, float]] = {
    "field_T": (1.0, 30.0),
    "temperature_K": (1.0, 500.0),
    "rotor_mm": (0.5, 7.5),
    "ns": (1, 10_000_000),
    "d1_s": (0.01, 3600.0),
    "sw_khz": (1.0, 5000.0),
    "mas_hz": (0.0, 150_000.0),
    "td": (8, 10_000_000),
    "p90_1H_us": (0.5, 50.0),
    "p90_X_us": (0.5, 200.0),
    "p180_X_us": (0.5, 400.0),
    "p90_indirect_us": (0.5, 200.0),
    "cpmg_echoes": (1, 10_000),
    "echo_us": (5.0, 100_000.0),
    "contact_ms": (0.005, 50.0),
    "rf_1H_contact_khz": (1.0, 300.0),
    "rf_X_contact_khz": (1.0, 300.0),
    "rf_1H_decoupling_khz": (1.0, 300.0),
    "t1_increment_us": (0.1, 100_000.0),
    "t1_increments": (1, 100_000),
    "ns_per_increment": (1, 10_000_000),
    "recoupling_hz": (0.0, 200_000.0),
    "recoupling_ms": (0.0, 100.0),
}
#: Plausible ranges of the numeric sample keys (inclusive).
SAMPLE_RANGES = {
    "size_nm": (0.5, 100.0),
    "radical_mM": (0.0, 200.0),
    "pore_nm": (0.5, 1000.0),
    "qd_mg": (0.0, 1000.0),
    "solution_ul": (0.0, 200.0),
}
#: Experiment keys that must be whole numbers.
INTEGER_KEYS = {"ns", "td", "cpmg_echoes", "t1_increments", "ns_per_increment"}
#: How a sample's solution went into the silica.
FILLINGS = {"one-step", "two-step", "none"}
#: A correction is certain ("typo") or a judgement call ("doubtful").
STATUSES = {"typo", "doubtful"}

#: Lineshape values every species must carry (printed or assumed); quadrupolar nuclei add
#: cq_mhz and eta_q. Ranges are plausibility bounds, not the paper's values.
LINESHAPE_RANGES = {
    "iso_ppm": (-10_000.0, 10_000.0),
    "fwhm_hz": (1.0, 1e6),
    "csa_ppm": (-10_000.0, 10_000.0),
    "eta": (0.0, 1.0),
    "cq_mhz": (0.0, 200.0),
    "eta_q": (0.0, 1.0),
}


@dataclass(frozen=True)
class Correction:
    """A value the SI prints wrongly or inconsistently, and what qdkit takes instead.

    Attributes
    ----------
    where : str
        The SI table or text the value comes from.
    field : str
        The record field(s) it concerns (comma-separated when several).
    printed : str
        What the SI prints.
    taken : object
        What qdkit uses instead.
    status : {"typo", "doubtful"}
        Certain, or a judgement call.
    reason : str
        Why.
    """

    where: str
    field: str
    printed: str
    taken: Any
    status: str
    reason: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The record fields this correction covers (``field`` may list several, comma-separated)."""
        return tuple(f.strip() for f in self.field.split(",") if f.strip())


@dataclass(frozen=True)
class Sample:
    """A rotor's content: QD material, size, ligand, solvent, radical, silica, filling.

    Attributes
    ----------
    id : str
        Referenced by experiments.
    qd, structure, ligand, solvent : str
        QD material, crystal structure, ligand and frozen solvent.
    filling : {"one-step", "two-step", "none"}
        How the solution went into the silica (none: no silica).
    size_nm : float or None
        QD diameter, nm.
    radical, radical_mM : str, float or None
        Polarizing agent and its concentration, mM.
    pore_nm, pore_series_nm : float or None, tuple of float
        Silica pore diameter, or the pore sizes of a series, nm.
    silica, form, preparation : str or None
        The silica, the sample's physical form, and how it was made.
    qd_mg, solution_ul : float or None
        QD mass (mg) and solution volume (µL).
    """

    id: str
    qd: str
    filling: str
    structure: str | None = None
    size_nm: float | None = None
    ligand: str | None = None
    solvent: str | None = None
    radical: str | None = None
    radical_mM: float | None = None
    pore_nm: float | None = None
    pore_series_nm: tuple[float, ...] = ()
    silica: str | None = None
    form: str | None = None
    qd_mg: float | None = None
    solution_ul: float | None = None
    preparation: str | None = None


@dataclass(frozen=True)
class Experiment:
    """One acquisition of the paper, as its SI table gives it (after corrections).

    Fields mirror the keys of ``data/catalog.toml``; units are in their names.

    Attributes
    ----------
    id, figure, variant : str
        Identifier, the paper's figure, and the variant of a split "a/b/c" table row.
    sample : Sample
    nucleus, indirect_nucleus : str
        Observed isotope, and the indirect one of a 2D experiment.
    field_T, temperature_K, mas_hz : float
        Magnet, sample temperature and spinning rate.
    rotor_mm, rotor : float, str or None
        Rotor diameter and material.
    sequence, note : str
        Pulse sequence as the SI names it; remarks.
    dnp, microwave : bool or None
        Microwaves available; microwaves on (None when the SI does not say).
    ns, d1_s, sw_khz, td : number or None
        Scans, recycle delay, spectral width, points.
    p90_1H_us, p90_X_us, p180_X_us, p90_indirect_us : float or None
        Pulse lengths.
    cpmg_echoes, echo_us : number or None
        CPMG echo count and echo spacing.
    contact_ms, rf_1H_contact_khz, rf_X_contact_khz, rf_1H_decoupling_khz : float or None
        CP contact time and the contact and decoupling RF fields.
    t1_increment_us, t1_increments, ns_per_increment : number or None
        Sampling of a 2D experiment's indirect dimension.
    recoupling_hz, recoupling_ms : float or None
        D-HMQC recoupling RF field and time.
    corrections : tuple of Correction
        SI values corrected in this record.
    """

    id: str
    figure: str
    sample: Sample
    nucleus: str
    field_T: float
    temperature_K: float
    sequence: str
    variant: str | None = None
    rotor_mm: float | None = None
    rotor: str | None = None
    dnp: bool | None = None
    microwave: bool | None = None
    ns: int | None = None
    d1_s: float | None = None
    sw_khz: float | None = None
    mas_hz: float | None = None
    td: int | None = None
    p90_1H_us: float | None = None
    p90_X_us: float | None = None
    p180_X_us: float | None = None
    cpmg_echoes: int | None = None
    echo_us: float | None = None
    contact_ms: float | None = None
    rf_1H_contact_khz: float | None = None
    rf_X_contact_khz: float | None = None
    rf_1H_decoupling_khz: float | None = None
    indirect_nucleus: str | None = None
    p90_indirect_us: float | None = None
    t1_increment_us: float | None = None
    t1_increments: int | None = None
    ns_per_increment: int | None = None
    recoupling_hz: float | None = None
    recoupling_ms: float | None = None
    note: str | None = None
    corrections: tuple[Correction, ...] = ()

    @property
    def experiment_hours(self) -> float:
        """Acquisition time from scans × increments × recycle delay, hours."""
        if self.ns is None or self.d1_s is None:
            raise CatalogError(f"Experiment {self.id!r} has no scan count or recycle delay.")
        return self.ns * (self.t1_increments or 1) * self.d1_s / 3600.0

    @property
    def sw_hz(self) -> float | None:
        return None if self.sw_khz is None else self.sw_khz * 1e3


@dataclass(frozen=True)
class Species:
    """A species the paper reports: its shift and full lineshape, with the figure it comes from.

    ``csa_ppm`` is the Haeberlen anisotropy δaniso = δzz − δiso, ``eta`` its asymmetry,
    ``fwhm_hz`` the Gaussian width at the field of the species' figure; ``cq_mhz`` and
    ``eta_q`` for quadrupolar nuclei. ``assumed`` lists the values the paper does not print,
    each with its reason and source (``(field, reason)`` pairs); turn a species into a
    :class:`qdkit.mas.Site` with :func:`site`.

    Attributes
    ----------
    figure, nucleus, material, assignment : str
        Where the paper reports it, the isotope, the material and the paper's assignment.
    site : str
        ``"core"`` or ``"surface"`` (or another class the catalog names).
    iso_ppm, fwhm_hz, csa_ppm, eta, cq_mhz, eta_q : float or None
        The lineshape (above).
    source : str
        Where the values come from.
    range_ppm : (float, float) or None
        The span the paper gives, when it gives a range.
    assumed : tuple of (str, str)
        ``(field, reason)`` for each value qdkit assumed.
    """

    figure: str
    nucleus: str
    material: str
    assignment: str
    site: str
    iso_ppm: float
    source: str
    fwhm_hz: float | None = None
    csa_ppm: float | None = None
    eta: float | None = None
    cq_mhz: float | None = None
    eta_q: float | None = None
    range_ppm: tuple[float, float] | None = None
    assumed: tuple[tuple[str, str], ...] = ()

    @property
    def assumptions(self) -> dict[str, str]:
        """Field → reason and source, for every value the paper does not print."""
        return dict(self.assumed)

    def is_assumed(self, field: str) -> bool:
        """True if ``field`` (e.g. ``"csa_ppm"``) is qdkit's assumption, not the paper's value.

        Parameters
        ----------
        field : str
            A lineshape field.

        Returns
        -------
        bool
        """
        return field in self.assumptions
