"""The paper's experiments as data: every acquisition of SI sections VI–VII and every species.

Reads ``data/catalog.toml`` (hand-transcribed from Piveteau et al., JACS 2015, SI), checks
units and cross-references, and answers queries such as ``experiments(figure="S7")``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import nuclei
from .errors import QdkitError, UnknownNucleusError


class CatalogError(QdkitError):
    """The experiment catalog file is missing, malformed or contains an impossible value."""


# Plausible ranges of every numeric key (inclusive); a value outside is a transcription
# error. The bounds are generous instruments limits, not the paper's values.
_RANGES: dict[str, tuple[float, float]] = {
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
_SAMPLE_RANGES = {
    "size_nm": (0.5, 100.0),
    "radical_mM": (0.0, 200.0),
    "pore_nm": (0.5, 1000.0),
    "qd_mg": (0.0, 1000.0),
    "solution_ul": (0.0, 200.0),
}
_INTEGER_KEYS = {"ns", "td", "cpmg_echoes", "t1_increments", "ns_per_increment"}
_FILLINGS = {"one-step", "two-step", "none"}
_STATUSES = {"typo", "doubtful"}


@dataclass(frozen=True)
class Correction:
    """A value the SI prints wrongly or inconsistently, and what qdkit takes instead."""

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
    """A rotor's content: QD material, size, ligand, solvent, radical, silica, filling."""

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
    """One acquisition of the paper, as its SI table gives it (after corrections)."""

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
    """A chemical shift (and width, CSA) the paper reports, with the figure it comes from."""

    figure: str
    nucleus: str
    material: str
    assignment: str
    site: str
    iso_ppm: float
    source: str
    fwhm_hz: float | None = None
    csa_ppm: float | None = None
    range_ppm: tuple[float, float] | None = None


@dataclass(frozen=True)
class Catalog:
    """Validated contents of a catalog file."""

    path: Path
    source: dict[str, Any]
    samples_by_id: dict[str, Sample] = field(repr=False)
    experiments_all: tuple[Experiment, ...] = field(repr=False)
    species_all: tuple[Species, ...] = field(repr=False)
    corrections_general: tuple[Correction, ...] = field(repr=False)
    enhancements_all: tuple[dict[str, Any], ...] = field(repr=False)

    def experiments(self, figure: str | None = None, **match) -> list[Experiment]:
        """Experiments of ``figure`` ("S7", "3a"; "3" gives 3a, 3b, 3c) whose fields equal ``match``.

        >>> [e.mas_hz for e in experiments(figure="S7")]
        [10000.0, 12500.0]
        """
        out = [e for e in self.experiments_all if figure is None or _figure_matches(e.figure, figure)]
        for key, value in match.items():
            if key not in _EXPERIMENT_FIELDS:
                raise CatalogError(f"Experiments have no field {key!r}; fields: {sorted(_EXPERIMENT_FIELDS)}.")
            out = [e for e in out if getattr(e, key) == value]
        return out

    def experiment(self, id: str) -> Experiment:
        """The experiment with this id (e.g. ``"4"``, ``"S7-12.5kHz"``)."""
        for e in self.experiments_all:
            if e.id == id:
                return e
        raise CatalogError(
            f"No experiment {id!r} in the catalog; ids: {', '.join(e.id for e in self.experiments_all)}."
        )

    def species(
        self, nucleus: str | None = None, *, figure: str | None = None, site: str | None = None,
        material: str | None = None,
    ) -> list[Species]:
        """Reported species, filtered by nucleus, figure, site ("core"/"surface") or material text."""
        nuc = nuclei.get(nucleus).label if nucleus is not None else None
        return [
            s
            for s in self.species_all
            if (nuc is None or s.nucleus == nuc)
            and (figure is None or _figure_matches(s.figure, figure))
            and (site is None or s.site == site)
            and (material is None or material.lower() in s.material.lower())
        ]

    def samples(self) -> list[Sample]:
        return list(self.samples_by_id.values())

    def corrections(self, status: str | None = None) -> list[Correction]:
        """Every correction (per experiment and general), optionally only "typo" or "doubtful"."""
        seen: list[Correction] = []
        for c in [c for e in self.experiments_all for c in e.corrections] + list(self.corrections_general):
            if c not in seen and (status is None or c.status == status):
                seen.append(c)
        return seen

    def enhancements(self, figure: str | None = None) -> list[dict[str, Any]]:
        """Reported DNP enhancements/gains (plain records: figure, nucleus, min/max/value...)."""
        return [dict(r) for r in self.enhancements_all if figure is None or _figure_matches(r["figure"], figure)]


_EXPERIMENT_FIELDS = {f.name for f in dataclasses.fields(Experiment)}
_SAMPLE_FIELDS = {f.name for f in dataclasses.fields(Sample)}
_SPECIES_FIELDS = {f.name for f in dataclasses.fields(Species)}


def _figure_matches(figure: str, query: str) -> bool:
    f, q = str(figure).lower(), str(query).lower()
    return f == q or (q.isdigit() and f.rstrip("abcdefgh") == q)


def _fail(where: str, message: str):
    raise CatalogError(f"{where}: {message}")


def _check_number(where: str, key: str, value, ranges) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(where, f"{key} must be a number, got {value!r}.")
    if key in _INTEGER_KEYS and not float(value).is_integer():
        _fail(where, f"{key} must be a whole number, got {value!r}.")
    lo, hi = ranges[key]
    if not (math.isfinite(value) and lo <= value <= hi):
        _fail(where, f"{key} = {value!r} is outside the plausible range {lo:g}…{hi:g}; a transcription error?")
    return int(value) if key in _INTEGER_KEYS else float(value)


def _check_nucleus(where: str, label) -> str:
    try:
        return nuclei.get(label).label
    except UnknownNucleusError as exc:
        _fail(where, str(exc))


def _correction(where: str, raw: dict, default_where: str) -> Correction:
    for key in ("printed", "taken", "status", "reason"):
        if key not in raw:
            _fail(where, f"a correction needs {key!r}.")
    if raw["status"] not in _STATUSES:
        _fail(where, f"correction status must be one of {sorted(_STATUSES)}, got {raw['status']!r}.")
    return Correction(
        where=str(raw.get("where", default_where)),
        field=str(raw.get("field", "")),
        printed=str(raw["printed"]),
        taken=raw["taken"],
        status=raw["status"],
        reason=str(raw["reason"]),
    )


def _sample(raw: dict) -> Sample:
    where = f"sample {raw.get('id', '?')!r}"
    unknown = set(raw) - _SAMPLE_FIELDS
    if unknown:
        _fail(where, f"unknown keys {sorted(unknown)}.")
    for key in ("id", "qd", "filling"):
        if key not in raw:
            _fail(where, f"missing {key!r}.")
    if raw["filling"] not in _FILLINGS:
        _fail(where, f"filling must be one of {sorted(_FILLINGS)}, got {raw['filling']!r}.")
    values = dict(raw)
    for key in _SAMPLE_RANGES:
        if key in values:
            values[key] = _check_number(where, key, values[key], _SAMPLE_RANGES)
    if "pore_series_nm" in values:
        values["pore_series_nm"] = tuple(
            _check_number(where, "pore_nm", v, _SAMPLE_RANGES) for v in values["pore_series_nm"]
        )
    if values["filling"] == "none" and "pore_nm" in values:
        _fail(where, "a sample without silica (filling 'none') cannot have a pore size.")
    if "radical_mM" in values and "radical" not in values:
        _fail(where, "radical_mM given without naming the radical.")
    return Sample(**values)


def _experiment(raw: dict, samples: dict[str, Sample]) -> Experiment:
    where = f"experiment {raw.get('id', '?')!r} (Fig. {raw.get('figure', '?')})"
    unknown = set(raw) - _EXPERIMENT_FIELDS
    if unknown:
        _fail(where, f"unknown keys {sorted(unknown)}.")
    for key in ("id", "figure", "sample", "nucleus", "field_T", "temperature_K", "sequence"):
        if key not in raw:
            _fail(where, f"missing {key!r}.")
    values = dict(raw)
    if values["sample"] not in samples:
        _fail(where, f"refers to unknown sample {values['sample']!r}.")
    values["sample"] = samples[values["sample"]]
    values["nucleus"] = _check_nucleus(where, values["nucleus"])
    if "indirect_nucleus" in values:
        values["indirect_nucleus"] = _check_nucleus(where, values["indirect_nucleus"])
    for key in _RANGES:
        if key in values:
            values[key] = _check_number(where, key, values[key], _RANGES)
    for key in ("dnp", "microwave"):
        if key in values and not isinstance(values[key], bool):
            _fail(where, f"{key} must be true or false, got {values[key]!r}.")
    if values.get("microwave") and values.get("dnp") is False:
        _fail(where, "microwave is on but the experiment is marked as not DNP.")
    if values.get("dnp") and values["temperature_K"] > 150:
        _fail(where, "a DNP experiment at room temperature; MAS-DNP runs near 100 K.")
    if values.get("cpmg_echoes") and "CPMG" not in values["sequence"]:
        _fail(where, f"echo count given for a non-CPMG sequence {values['sequence']!r}.")
    values["corrections"] = tuple(
        _correction(where, c, f"Fig. {values['figure']}") for c in values.get("corrections", ())
    )
    return Experiment(**values)


def _species(raw: dict) -> Species:
    where = f"species {raw.get('assignment', '?')!r} (Fig. {raw.get('figure', '?')})"
    unknown = set(raw) - _SPECIES_FIELDS
    if unknown:
        _fail(where, f"unknown keys {sorted(unknown)}.")
    for key in ("figure", "nucleus", "material", "assignment", "site", "iso_ppm", "source"):
        if key not in raw:
            _fail(where, f"missing {key!r}.")
    values = dict(raw)
    values["nucleus"] = _check_nucleus(where, values["nucleus"])
    shift_ranges = {"iso_ppm": (-10_000.0, 10_000.0), "fwhm_hz": (1.0, 1e6), "csa_ppm": (-10_000.0, 10_000.0)}
    for key in shift_ranges:
        if key in values:
            values[key] = _check_number(where, key, values[key], shift_ranges)
    if "range_ppm" in values:
        lo, hi = (float(v) for v in values["range_ppm"])
        if not lo <= values["iso_ppm"] <= hi:
            _fail(where, f"iso_ppm {values['iso_ppm']} lies outside its range {lo}…{hi} ppm.")
        values["range_ppm"] = (lo, hi)
    return Species(**values)


def default_path() -> Path:
    """The catalog shipped with the package (``qdkit/data/catalog.toml``, which in a checkout
    is a link to the repository's ``data/catalog.toml``)."""
    return Path(__file__).resolve().parent / "data" / "catalog.toml"


def load(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalog file (default: the bundled ``data/catalog.toml``).

    Raises
    ------
    CatalogError
        If the file is missing, is not valid TOML, or a record is incomplete, refers to an
        unknown sample, names an unknown nucleus or holds a value outside plausible units.
    """
    p = Path(path) if path is not None else default_path()
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"Cannot read the experiment catalog {p}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{p} is not valid TOML: {exc}.") from None
    samples: dict[str, Sample] = {}
    for r in raw.get("samples", []):
        s = _sample(r)
        if s.id in samples:
            _fail(f"sample {s.id!r}", "the id is used twice.")
        samples[s.id] = s
    experiments = [_experiment(r, samples) for r in raw.get("experiments", [])]
    ids = [e.id for e in experiments]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CatalogError(f"{p}: experiment ids used more than once: {dupes}.")
    general = tuple(_correction("corrections", c, c.get("where", "")) for c in raw.get("corrections", []))
    for r in raw.get("enhancements", []):
        if "figure" not in r or "nucleus" not in r:
            _fail("enhancements", f"a record needs a figure and a nucleus: {r!r}.")
    return Catalog(
        path=p,
        source=dict(raw.get("source", {})),
        samples_by_id=samples,
        experiments_all=tuple(experiments),
        species_all=tuple(_species(r) for r in raw.get("species", [])),
        corrections_general=general,
        enhancements_all=tuple(raw.get("enhancements", [])),
    )


@functools.lru_cache(maxsize=1)
def _default() -> Catalog:
    return load()


def experiments(figure: str | None = None, **match) -> list[Experiment]:
    """Experiments of the bundled catalog; see :meth:`Catalog.experiments`."""
    return _default().experiments(figure, **match)


def experiment(id: str) -> Experiment:
    """One experiment of the bundled catalog by id; see :meth:`Catalog.experiment`."""
    return _default().experiment(id)


def species(nucleus: str | None = None, **filters) -> list[Species]:
    """Reported species of the bundled catalog; see :meth:`Catalog.species`."""
    return _default().species(nucleus, **filters)


def samples() -> list[Sample]:
    return _default().samples()


def corrections(status: str | None = None) -> list[Correction]:
    """SI typos and doubtful values with what qdkit took; see :meth:`Catalog.corrections`."""
    return _default().corrections(status)


def enhancements(figure: str | None = None) -> list[dict[str, Any]]:
    return _default().enhancements(figure)
