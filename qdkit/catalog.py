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
from .catalog_records import (
    EXPERIMENT_RANGES,
    FILLINGS,
    INTEGER_KEYS,
    LINESHAPE_RANGES,
    SAMPLE_RANGES,
    STATUSES,
    Correction,
    Experiment,
    Sample,
    Species,
)
from .errors import CatalogError, UnknownNucleusError


@dataclass(frozen=True)
class Catalog:
    """Validated contents of a catalog file.

    Attributes
    ----------
    path : Path
        The file read.
    source : dict
        The paper and its SI sections, as the file states them.
    samples_by_id : dict
        Sample id → :class:`~qdkit.catalog_records.Sample`.
    experiments_all, species_all : tuple
        Every experiment and species.
    corrections_general : tuple of Correction
        Corrections that concern no single experiment.
    enhancements_all : tuple of dict
        Reported DNP enhancements and gains.
    """

    path: Path
    source: dict[str, Any]
    samples_by_id: dict[str, Sample] = field(repr=False)
    experiments_all: tuple[Experiment, ...] = field(repr=False)
    species_all: tuple[Species, ...] = field(repr=False)
    corrections_general: tuple[Correction, ...] = field(repr=False)
    enhancements_all: tuple[dict[str, Any], ...] = field(repr=False)

    def experiments(self, figure: str | None = None, **match) -> list[Experiment]:
        """Experiments of ``figure`` ("S7", "3a"; "3" gives 3a, 3b, 3c) whose fields equal ``match``.

        Parameters
        ----------
        figure : str, optional
            The paper's figure.
        **match
            Field → value that every experiment returned has.

        Returns
        -------
        list of Experiment

        Raises
        ------
        CatalogError
            For a field experiments do not have.

        Examples
        --------
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
        """The experiment with this id (e.g. ``"4"``, ``"S7-12.5kHz"``).

        Parameters
        ----------
        id : str

        Returns
        -------
        Experiment

        Raises
        ------
        CatalogError
            For an unknown id (the message lists the known ones).
        """
        for e in self.experiments_all:
            if e.id == id:
                return e
        raise CatalogError(
            f"No experiment {id!r} in the catalog; ids: {', '.join(e.id for e in self.experiments_all)}."
        )

    def species(
        self,
        nucleus: str | None = None,
        *,
        figure: str | None = None,
        site: str | None = None,
        material: str | None = None,
    ) -> list[Species]:
        """Reported species, filtered by nucleus, figure, site ("core"/"surface") or material text.

        Parameters
        ----------
        nucleus : str, optional
            Isotope (any spelling :func:`qdkit.nuclei.get` accepts).
        figure, site : str, optional
            The paper's figure; ``"core"`` or ``"surface"``.
        material : str, optional
            Text contained in the material's name (case-insensitive).

        Returns
        -------
        list of Species
        """
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
        """Every sample, in the file's order.

        Returns
        -------
        list of Sample
        """
        return list(self.samples_by_id.values())

    def species_field_T(self, species: Species) -> float | None:
        """Field (T) of the first experiment of the species' figure on its nucleus, if any.

        Parameters
        ----------
        species : Species

        Returns
        -------
        float or None
        """
        for e in self.experiments(figure=species.figure):
            if e.nucleus == species.nucleus:
                return e.field_T
        return None

    def site(self, species: Species, *, weight: float = 1.0, nucleus: str | None = None, field_T: float | None = None):
        """The species' lineshape as a :class:`qdkit.mas.Site` (see :func:`site`).

        Parameters
        ----------
        species, weight, nucleus, field_T
            As for :func:`site`.

        Returns
        -------
        qdkit.mas.Site

        Raises
        ------
        CatalogError
            For a ``field_T`` that is not a field in tesla, or an unknown ``nucleus``.
        """
        from qdkit.simulation.sites import Site

        fwhm = species.fwhm_hz
        if field_T is not None:
            if not (isinstance(field_T, (int, float)) and 0 < field_T <= 40):
                raise CatalogError(f"field_T={field_T!r} is not a magnet field in tesla (0–40 T).")
            own = self.species_field_T(species)
            if own is not None:
                fwhm = fwhm * float(field_T) / own  # inhomogeneous: constant width in ppm
        return Site(
            nucleus=_check_nucleus("site()", nucleus) if nucleus is not None else species.nucleus,
            iso_ppm=species.iso_ppm,
            aniso_ppm=species.csa_ppm,
            eta=species.eta,
            fwhm_hz=fwhm,
            weight=float(weight),
            cq_mhz=species.cq_mhz or 0.0,
            eta_q=species.eta_q or 0.0,
        )

    def corrections(self, status: str | None = None) -> list[Correction]:
        """Every correction (per experiment and general), optionally only "typo" or "doubtful".

        Parameters
        ----------
        status : {"typo", "doubtful"}, optional

        Returns
        -------
        list of Correction
        """
        seen: list[Correction] = []
        for c in [c for e in self.experiments_all for c in e.corrections] + list(self.corrections_general):
            if c not in seen and (status is None or c.status == status):
                seen.append(c)
        return seen

    def enhancements(self, figure: str | None = None) -> list[dict[str, Any]]:
        """Reported DNP enhancements/gains (plain records: figure, nucleus, min/max/value...).

        Parameters
        ----------
        figure : str, optional
            Only those of this figure.

        Returns
        -------
        list of dict
        """
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
    if key in INTEGER_KEYS and not float(value).is_integer():
        _fail(where, f"{key} must be a whole number, got {value!r}.")
    lo, hi = ranges[key]
    if not (math.isfinite(value) and lo <= value <= hi):
        _fail(where, f"{key} = {value!r} is outside the plausible range {lo:g}…{hi:g}; a transcription error?")
    return int(value) if key in INTEGER_KEYS else float(value)


def _check_nucleus(where: str, label) -> str:
    try:
        return nuclei.get(label).label
    except UnknownNucleusError as exc:
        _fail(where, str(exc))


def _correction(where: str, raw: dict, default_where: str) -> Correction:
    for key in ("printed", "taken", "status", "reason"):
        if key not in raw:
            _fail(where, f"a correction needs {key!r}.")
    if raw["status"] not in STATUSES:
        _fail(where, f"correction status must be one of {sorted(STATUSES)}, got {raw['status']!r}.")
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
    if raw["filling"] not in FILLINGS:
        _fail(where, f"filling must be one of {sorted(FILLINGS)}, got {raw['filling']!r}.")
    values = dict(raw)
    for key in SAMPLE_RANGES:
        if key in values:
            values[key] = _check_number(where, key, values[key], SAMPLE_RANGES)
    if "pore_series_nm" in values:
        values["pore_series_nm"] = tuple(
            _check_number(where, "pore_nm", v, SAMPLE_RANGES) for v in values["pore_series_nm"]
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
    for key in EXPERIMENT_RANGES:
        if key in values:
            values[key] = _check_number(where, key, values[key], EXPERIMENT_RANGES)
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
    required = ["fwhm_hz", "csa_ppm", "eta"]
    if nuclei.get(values["nucleus"]).is_quadrupolar:
        required += ["cq_mhz", "eta_q"]
    missing = [k for k in required if k not in values]
    if missing:
        _fail(
            where,
            f"missing {', '.join(missing)}; give the value and, if the paper does not "
            "print it, its reason under [species.assumed].",
        )
    for key in LINESHAPE_RANGES:
        if key in values:
            values[key] = _check_number(where, key, values[key], LINESHAPE_RANGES)
    assumed = values.get("assumed", {})
    if not isinstance(assumed, dict):
        _fail(where, 'assumed must be a table of field = "reason and source".')
    for key, reason in assumed.items():
        if key not in LINESHAPE_RANGES or key not in values:
            _fail(
                where,
                f"assumed names {key!r}, which is not a lineshape value of this species "
                f"({', '.join(k for k in LINESHAPE_RANGES if k in values)}).",
            )
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            _fail(where, f"the assumed {key} needs its reason and source, not {reason!r}.")
    values["assumed"] = tuple((str(k), str(v)) for k, v in assumed.items())
    if "range_ppm" in values:
        lo, hi = (float(v) for v in values["range_ppm"])
        if not lo <= values["iso_ppm"] <= hi:
            _fail(where, f"iso_ppm {values['iso_ppm']} lies outside its range {lo}…{hi} ppm.")
        values["range_ppm"] = (lo, hi)
    return Species(**values)


def default_path() -> Path:
    """The catalog shipped with the package (``qdkit/data/catalog.toml``, which in a checkout
    is a link to the repository's ``data/catalog.toml``).

    Returns
    -------
    Path
    """
    return Path(__file__).resolve().parent / "data" / "catalog.toml"


def load(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalog file (default: the bundled ``data/catalog.toml``).

    Parameters
    ----------
    path : str or Path, optional
        A catalog file.

    Returns
    -------
    Catalog

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
        raise CatalogError(f"Cannot read the experiment catalog {p}: {exc}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{p} is not valid TOML: {exc}.") from exc
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
    """Experiments of the bundled catalog; see :meth:`Catalog.experiments`.

    Parameters
    ----------
    figure : str, optional
    **match
        As for :meth:`Catalog.experiments`.

    Returns
    -------
    list of Experiment
    """
    return _default().experiments(figure, **match)


def experiment(id: str) -> Experiment:
    """One experiment of the bundled catalog by id; see :meth:`Catalog.experiment`.

    Parameters
    ----------
    id : str

    Returns
    -------
    Experiment
    """
    return _default().experiment(id)


def species(nucleus: str | None = None, **filters) -> list[Species]:
    """Reported species of the bundled catalog; see :meth:`Catalog.species`.

    Parameters
    ----------
    nucleus : str, optional
    **filters
        ``figure``, ``site``, ``material`` as for :meth:`Catalog.species`.

    Returns
    -------
    list of Species
    """
    return _default().species(nucleus, **filters)


def samples() -> list[Sample]:
    """Every sample of the bundled catalog.

    Returns
    -------
    list of Sample
    """
    return _default().samples()


def species_field_T(species: Species) -> float | None:
    """Field (T) at which the species' width is recorded: its figure's experiment on its nucleus.

    Parameters
    ----------
    species : Species
        A species record of the bundled catalog.

    Returns
    -------
    float or None
        The field in tesla, or None if no experiment of the figure observes that nucleus.
    """
    return _default().species_field_T(species)


def site(species: Species, *, weight: float = 1.0, nucleus: str | None = None, field_T: float | None = None):
    """A catalog species as a :class:`qdkit.mas.Site`: the one place for the catalog→Site rules.

    Rules: δiso = ``iso_ppm``; δaniso (Haeberlen) = ``csa_ppm``; η = ``eta``; Gaussian FWHM =
    ``fwhm_hz``, scaled by ``field_T`` / the field of the species' figure when ``field_T`` is
    given (an inhomogeneous width is constant in ppm); ``cq_mhz``/``eta_q`` as recorded (0 for
    spin-1/2). Printed and assumed values are used alike; ``species.assumptions`` says which
    are assumed.

    Parameters
    ----------
    species : Species
        From :func:`species`.
    weight : float
        The site's integral (e.g. its CP signal).
    nucleus : str, optional
        Observe another isotope of the same element (``"111Cd"`` for a ``"113Cd"`` record);
        ppm-scale values carry over.
    field_T : float, optional
        Field the lineshape is wanted at, T (default: the widths as recorded).

    Returns
    -------
    qdkit.mas.Site
    """
    return _default().site(species, weight=weight, nucleus=nucleus, field_T=field_T)


def corrections(status: str | None = None) -> list[Correction]:
    """SI typos and doubtful values with what qdkit took; see :meth:`Catalog.corrections`.

    Parameters
    ----------
    status : {"typo", "doubtful"}, optional

    Returns
    -------
    list of Correction
    """
    return _default().corrections(status)


def enhancements(figure: str | None = None) -> list[dict[str, Any]]:
    """Reported DNP enhancements of the bundled catalog; see :meth:`Catalog.enhancements`.

    Parameters
    ----------
    figure : str, optional

    Returns
    -------
    list of dict
    """
    return _default().enhancements(figure)
