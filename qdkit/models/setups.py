"""The paper's samples and acquisitions as inputs of the one forward model (``qdkit.sample``).

Reads the figures' species, samples and experiments from ``data/catalog.toml`` and turns
them into :class:`qdkit.sample.Sample`, :class:`~qdkit.sample.Line` and
:class:`~qdkit.sample.Acquisition` records; every value the paper does not print is marked.
"""

from __future__ import annotations

from qdkit import catalog, nuclei
from qdkit.errors import ModelParameterError
from qdkit.models.materials import LIGANDS
from qdkit.models.sample import Acquisition, Line, Sample
from qdkit.simulation.sites import Site

__all__ = ["PAPER_FIGURES", "UNREPORTED_FWHM_HZ", "paper_setup", "catalog_line"]

#: Figures of the main text whose reported species split into surface and core sites: the
#: setups :func:`paper_setup` builds (InP ³¹P Fig. 2e, CdSe ¹¹³Cd Fig. 3a, CdSe ⁷⁷Se Fig. 3b).
PAPER_FIGURES = ("2e", "3a", "3b")

#: Width used where the catalog gives neither a width nor a shift range (Hz); marked
#: assumed in every line that uses it.
UNREPORTED_FWHM_HZ = 8000.0

_ROLES = ("surface", "core")


def catalog_line(sp, nucleus: str, field_T: float) -> Line:
    """A catalog species as a Line: δiso; δaniso = the reported CSA (0 if none), η = 0; FWHM =
    the reported width, else the reported shift range, else :data:`UNREPORTED_FWHM_HZ`."""
    assumed = []
    if sp.fwhm_hz:
        fwhm = sp.fwhm_hz
    elif sp.range_ppm:
        fwhm = abs(sp.range_ppm[1] - sp.range_ppm[0]) * nuclei.get(nucleus).reference_mhz(field_T)
        assumed.append(("fwhm_hz", "the printed shift range taken as the line width"))
    else:
        fwhm = UNREPORTED_FWHM_HZ
        assumed.append(("fwhm_hz", f"no width printed; {UNREPORTED_FWHM_HZ:.0f} Hz assumed"))
    if not sp.csa_ppm:
        assumed.append(("csa_ppm", "no CSA printed; taken as 0"))
    assumed.append(("eta", "no asymmetry printed; taken as 0"))
    site = Site(nucleus, iso_ppm=sp.iso_ppm, aniso_ppm=sp.csa_ppm or 0.0, eta=0.0, fwhm_hz=fwhm)
    return Line(sp.assignment, sp.site, site, tuple(assumed))


def _ligand_name(text: str | None) -> str:
    text = (text or "").lower()
    return next((name for name in sorted(LIGANDS, key=len, reverse=True) if name in text), "oleate")


def _shell(material: str, ligand: str, species) -> str | None:
    """The CdX2 shell of the CdSe_core(CdX2)_shell model (Anderson et al., JACS 135, 18536
    (2013); the paper's Fig. 3): Cd chalcogenides capped by X-type carboxylates or
    phosphonates, or any figure whose species name the shell."""
    if any("CdX2" in sp.assignment for sp in species):
        return "CdX2"
    x_type = LIGANDS[ligand].head in ("C", "P")
    return "CdX2" if material in ("CdSe", "CdTe") and x_type else None


def paper_setup(figure: str) -> tuple[Sample, Acquisition]:
    """The sample and acquisition of one of the paper's figures (:data:`PAPER_FIGURES`).

    Species: the figure's surface and core species from ``data/catalog.toml`` with their
    lineshapes (assumed values marked; :func:`catalog_line`); sample (QD, size, ligand, silica, radical, QD mass,
    solution volume) and acquisition (nucleus, field, temperature, MAS, contact time,
    recycle delay, scans) from the figure's first experiment; CdSe and CdTe capped by
    carboxylates or phosphonates get the CdX2 shell.

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
            f"use one of {', '.join(PAPER_FIGURES)}.")
    exp = exp_list[0]
    s = exp.sample
    lines = tuple(catalog_line(sp, exp.nucleus, exp.field_T) for sp in species)
    structure = (s.structure or "").replace(" ", "").replace("-", "") or None
    sample = Sample(
        material=s.qd, diameter_nm=float(s.size_nm), species=lines, ligand=_ligand_name(s.ligand),
        shell=_shell(s.qd, _ligand_name(s.ligand), species),
        structure=structure if structure in ("zincblende", "wurtzite") else None,
        pore_nm=s.pore_nm, solvent_ul=s.solution_ul or 20.0, radical=s.radical,
        radical_mM=s.radical_mM or 0.0, qd_mg=s.qd_mg or 3.8,
    )
    acq = Acquisition(nucleus=exp.nucleus, field_T=exp.field_T, temperature_K=exp.temperature_K,
                      mas_hz=exp.mas_hz or 0.0, contact_ms=exp.contact_ms, recycle_s=exp.d1_s,
                      scans=exp.ns or 1, microwave=exp.microwave is not False)
    return sample, acq
