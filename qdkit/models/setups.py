"""The paper's samples and acquisitions as inputs of the one forward model (``qdkit.sample``).

Reads the figures' species, samples and experiments from ``data/catalog.toml`` and turns
them into :class:`qdkit.sample.Sample`, :class:`~qdkit.sample.Line` and
:class:`~qdkit.sample.Acquisition` records; every value the paper does not print is marked.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdkit import catalog
from qdkit.errors import ModelParameterError
from qdkit.models.materials import LIGANDS
from qdkit.models.sample import Acquisition, Line, Sample

__all__ = [
    "PAPER_FIGURES",
    "paper_setup",
    "experiment_setup",
    "catalog_line",
    "catalog_lines",
    "experiment_acquisition",
    "LineShare",
    "UNMODELLED_EXPERIMENTS",
]

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


def _ligand_name(text: str | None) -> str | None:
    text = (text or "").lower()
    return next((name for name in sorted(LIGANDS, key=len, reverse=True) if name in text), None)


def _sample(exp, species) -> Sample:
    """The Sample of catalog experiment ``exp`` with ``species`` (catalog records) as its lines."""
    s = exp.sample
    lines = tuple(catalog_line(sp, exp.nucleus, exp.field_T) for sp in species)
    structure = (s.structure or "").replace(" ", "").replace("-", "") or None
    return Sample(
        material=s.qd,
        diameter_nm=float(s.size_nm),
        species=lines,
        ligand=_ligand_name(s.ligand) or "oleate",
        structure=structure if structure in ("zincblende", "wurtzite") else None,
        pore_nm=s.pore_nm,
        solvent_ul=s.solution_ul or 20.0,
        radical=s.radical,
        radical_mM=s.radical_mM or 0.0,
        qd_mg=s.qd_mg or 3.8,
    )


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
    return _sample(exp, species), experiment_acquisition(exp.id)


def experiment_setup(catalog_id: str) -> tuple[Sample, Acquisition]:
    """The sample and acquisition of any catalog experiment the forward model covers.

    Species: the surface/core species of the experiment's figure and nucleus whose material
    names the experiment's QDs (``data/catalog.toml``; assumed values marked, see
    :func:`catalog_line`); sample and acquisition as in :func:`paper_setup`. The model needs
    an organic ligand it knows (:data:`qdkit.models.materials.LIGANDS`) and a printed QD size;
    for the experiments without them (:data:`UNMODELLED_EXPERIMENTS`) use :func:`catalog_lines`.

    Parameters
    ----------
    catalog_id : str
        Experiment id in ``data/catalog.toml``, e.g. ``"S9-cdte"``.

    Returns
    -------
    tuple of (Sample, Acquisition)
        The inputs of :func:`qdkit.sample.predict` for this experiment.

    Raises
    ------
    ModelParameterError
        If the sample has no ligand the CP model knows (inorganic S²⁻/Se²⁻ capping, none),
        no printed size, or the catalog lists no species for it.
    CatalogError
        For an unknown id.

    Examples
    --------
    >>> from qdkit.models.setups import experiment_setup
    >>> sample, acq = experiment_setup("S9-pbte")
    >>> sample.material, sample.ligand, sample.pore_nm, [ln.name for ln in sample.species]
    ('PbTe', 'oleate', 7.0, ['surface Te oxide'])
    """
    exp = catalog.experiment(catalog_id)
    s = exp.sample
    if catalog_id in UNMODELLED_EXPERIMENTS or _ligand_name(s.ligand) is None or s.size_nm is None:
        raise ModelParameterError(
            f"The forward model does not cover experiment {catalog_id!r}: its {s.qd} sample has "
            f"ligand {s.ligand!r} and size {s.size_nm!r} nm, and the CP model needs an organic ligand "
            f"({', '.join(sorted(LIGANDS))}) and a size. Use catalog_lines({catalog_id!r})."
        )
    species = [
        sp
        for sp in catalog.species(exp.nucleus, figure=exp.figure)
        if sp.site in _ROLES and s.qd.lower() in sp.material.lower()
    ]
    if not species:
        raise ModelParameterError(f"The catalog lists no {exp.nucleus} species of {s.qd} for figure {exp.figure}.")
    return _sample(exp, species), experiment_acquisition(catalog_id)


@dataclass(frozen=True)
class LineShare:
    """One catalog species of an experiment the forward model does not cover, with its share.

    Attributes
    ----------
    figure, site : str
        Select the species: ``catalog.species(<experiment nucleus>, figure=figure, site=site)``.
    share : float
        Its signal relative to the experiment's main line (1 for the main line itself).
    reason : str
        Why that share (empty for the main line): the paper prints no intensities.
    """

    figure: str
    site: str
    share: float = 1.0
    reason: str = ""


_SE2_SHOULDER = (
    "not printed; 0.45 of the core line makes the co-added 77Se echo of Fig. 5a visibly "
    "'asymmetrically broader' towards high frequency than the oleate-capped one (Fig. S8) while "
    "its maximum stays at the printed -565 ppm: chosen to show the paper's description"
)
_POXSY_PEAK = "not printed; the arrowed peak of Fig. 5c is much smaller than the PO_x line: about a third (0.35) taken"

#: Experiments whose sample the forward model (:func:`qdkit.sample.predict`) does not cover,
#: with the catalog species that make up their spectrum and each line's assumed share:
#: selenide/sulfide-capped QDs (no organic ligand, so no CP model; Figs. 5a-c) and CsPbBr3
#: grown in the pores without ligands and without a printed size, and its bulk powder
#: (Fig. S10). :func:`catalog_lines` turns them into sites.
UNMODELLED_EXPERIMENTS: dict[str, tuple[LineShare, ...]] = {
    "5a": (LineShare("5a", "core"), LineShare("5a", "surface", 0.45, _SE2_SHOULDER)),
    "5b": (LineShare("5b", "surface"),),
    **{
        cid: (LineShare("5b", "surface"), LineShare("5c", "surface", 0.35, _POXSY_PEAK))
        for cid in ("5c-a", "5c-b", "5c-c")
    },
    "S10-cspbbr3-dnp": (LineShare("S10", "surface"),),
    "S10-cspbbr3-bulk": (LineShare("S10", "core"),),
}


def catalog_lines(catalog_id: str) -> tuple:
    """The catalog species of an experiment the forward model does not cover, as sites.

    Each :class:`LineShare` of :data:`UNMODELLED_EXPERIMENTS` picks one species of the
    experiment's nucleus (``data/catalog.toml``; assumed values marked there) and turns it into
    a :class:`qdkit.mas.Site` at the experiment's field (:func:`qdkit.catalog.site`) weighted by
    its share; :func:`qdkit.mas.mas_spectrum` at the experiment's spin rate gives the spectrum.

    Parameters
    ----------
    catalog_id : str
        One of :data:`UNMODELLED_EXPERIMENTS`, e.g. ``"5c-a"``.

    Returns
    -------
    tuple of qdkit.mas.Site

    Raises
    ------
    ModelParameterError
        If the experiment is not one of :data:`UNMODELLED_EXPERIMENTS` (use
        :func:`experiment_setup`) or a share does not select exactly one species.

    Examples
    --------
    >>> from qdkit.models.setups import catalog_lines
    >>> [(s.iso_ppm, s.weight) for s in catalog_lines("5c-a")]
    [(3.0, 1.0), (30.0, 0.35)]
    """
    if catalog_id not in UNMODELLED_EXPERIMENTS:
        raise ModelParameterError(
            f"Experiment {catalog_id!r} is covered by the forward model: use experiment_setup({catalog_id!r}) "
            f"and qdkit.sample.predict. catalog_lines knows {', '.join(UNMODELLED_EXPERIMENTS)}."
        )
    exp = catalog.experiment(catalog_id)
    sites = []
    for pick in UNMODELLED_EXPERIMENTS[catalog_id]:
        found = catalog.species(exp.nucleus, figure=pick.figure, site=pick.site)
        if len(found) != 1:
            raise ModelParameterError(
                f"{catalog_id}: expected one {exp.nucleus} {pick.site} species of figure {pick.figure}, "
                f"found {len(found)}."
            )
        sites.append(catalog.site(found[0], weight=pick.share, field_T=exp.field_T))
    return tuple(sites)


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
