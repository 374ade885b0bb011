"""The paper's samples and acquisitions as inputs of the one forward model (``qdkit.sample``).

Reads the figures' species, samples and experiments from ``data/catalog.toml`` and turns
them into :class:`qdkit.sample.Sample`, :class:`~qdkit.sample.Line` and
:class:`~qdkit.sample.Acquisition` records; every value the paper does not print is marked.
"""

from __future__ import annotations

from qdkit import catalog
from qdkit.errors import ModelParameterError
from qdkit.models.materials import LIGANDS
from qdkit.models.sample import Acquisition, Line, Sample

__all__ = ["PAPER_FIGURES", "paper_setup", "catalog_line", "experiment_acquisition"]

#: Figures of the main text whose reported species split into surface and core sites: the
#: setups :func:`paper_setup` builds (InP ³¹P Fig. 2e, CdSe ¹¹³Cd Fig. 3a, CdSe ⁷⁷Se Fig. 3b).
PAPER_FIGURES = ("2e", "3a", "3b")

_ROLES = ("surface", "core")


def catalog_line(sp, nucleus: str | None = None, field_T: float | None = None) -> Line:
    """A catalog species as a :class:`~qdkit.sample.Line`.

    Its lineshape comes through :func:`qdkit.catalog.site` (the one place for the
    catalog→Site rules, widths scaled to ``field_T`` as a constant ppm width), with its role
    and its assumed values with their reasons.

    Parameters
    ----------
    sp : qdkit.catalog.Species
        A species of ``data/catalog.toml`` (e.g. from :func:`qdkit.catalog.species`).
    nucleus : str, optional
        Observed isotope if it differs from the species' own (e.g. ``"111Cd"``).
    field_T : float, optional
        Field the line is simulated at, T (default: the field of the species' own figure).

    Returns
    -------
    Line
        ``name`` = the species' assignment, ``role`` = its site (``"surface"``/``"core"``).

    Raises
    ------
    CatalogError
        From :func:`qdkit.catalog.site`: a ``field_T`` outside 0–40 T or an unknown nucleus.
    """
    site = catalog.site(sp, nucleus=nucleus, field_T=field_T)
    return Line(sp.assignment, sp.site, site, tuple(sp.assumed), field_T=field_T or catalog.species_field_T(sp))


def _ligand_name(text: str | None) -> str:
    text = (text or "").lower()
    return next((name for name in sorted(LIGANDS, key=len, reverse=True) if name in text), "oleate")


def paper_setup(figure: str) -> tuple[Sample, Acquisition]:
    """The sample and acquisition of one of the paper's figures (:data:`PAPER_FIGURES`).

    Species: the figure's surface and core species from ``data/catalog.toml`` with their
    lineshapes (assumed values marked; :func:`catalog_line`); sample (QD, size, ligand,
    silica, radical, QD mass, solution volume) and acquisition (nucleus, field, temperature, MAS, contact time,
    recycle delay, scans) from the figure's first experiment. A sample without a printed
    solution volume or QD mass takes 20 µL and 3.8 mg (SI Fig. S2).

    Parameters
    ----------
    figure : str
        One of :data:`PAPER_FIGURES`, e.g. ``"2e"``.

    Returns
    -------
    sample : Sample
    acquisition : Acquisition

    Raises
    ------
    ModelParameterError
        If the catalog has no surface/core species or no experiment for ``figure``.
    """
    exp_list = catalog.experiments(figure=figure)
    species = [sp for sp in catalog.species(figure=figure) if sp.site in _ROLES]
    if not exp_list or not species:
        raise ModelParameterError(
            f"The catalog has no surface/core species and experiment for figure {figure!r}; "
            f"use one of {', '.join(PAPER_FIGURES)}."
        )
    exp = exp_list[0]
    s = exp.sample
    lines = tuple(catalog_line(sp, exp.nucleus, exp.field_T) for sp in species)
    structure = (s.structure or "").replace(" ", "").replace("-", "") or None
    sample = Sample(
        material=s.qd,
        diameter_nm=float(s.size_nm),
        species=lines,
        ligand=_ligand_name(s.ligand),
        structure=structure if structure in ("zincblende", "wurtzite") else None,
        pore_nm=s.pore_nm,
        solvent_ul=s.solution_ul or 20.0,
        radical=s.radical,
        radical_mM=s.radical_mM or 0.0,
        qd_mg=s.qd_mg or 3.8,
    )
    return sample, experiment_acquisition(exp.id)


def experiment_acquisition(catalog_id: str) -> Acquisition:
    """The acquisition of one catalog experiment (SI VI–VII).

    Nucleus, field, temperature, MAS (0 if not given), contact time (None for direct
    excitation), recycle delay, scans (1 if not given), and microwaves on when the catalog
    says so or, if it does not, when the experiment is a DNP one.

    Parameters
    ----------
    catalog_id : str
        Experiment id in ``data/catalog.toml``, e.g. ``"2e-a"``.

    Returns
    -------
    Acquisition

    Raises
    ------
    CatalogError
        For an unknown id (from :func:`qdkit.catalog.experiment`).

    Examples
    --------
    >>> from qdkit.models.setups import experiment_acquisition
    >>> acq = experiment_acquisition("2e-a")
    >>> acq.nucleus, acq.field_T, acq.mas_hz, acq.contact_ms
    ('31P', 9.4, 8000.0, 1.5)
    """
    exp = catalog.experiment(catalog_id)
    return Acquisition(
        nucleus=exp.nucleus,
        field_T=exp.field_T,
        temperature_K=exp.temperature_K,
        mas_hz=exp.mas_hz or 0.0,
        contact_ms=exp.contact_ms,
        recycle_s=exp.d1_s,
        scans=exp.ns or 1,
        microwave=bool(exp.dnp if exp.microwave is None else exp.microwave),
    )
