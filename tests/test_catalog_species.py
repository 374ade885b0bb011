"""Every species of the catalog carries a full lineshape, printed or assumed with a reason,
and ``qdkit.catalog.site`` is the one way from a catalog species to a ``qdkit.mas.Site``."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit import catalog
from qdkit.catalog import CatalogError
from qdkit.errors import ModelParameterError
from qdkit.mas import Site, mas_spectrum
from qdkit.models import cp_species
from qdkit.models.setups import UNMODELLED_EXPERIMENTS, catalog_lines, experiment_setup

LINESHAPE = ("iso_ppm", "csa_ppm", "eta", "fwhm_hz")
#: The explorer's samples (qdkit.models.setups.PAPER_FIGURES): figure → (material, ligand, d)
EXPLORER = {"2e": ("InP", "myristate", 3.0), "3a": ("CdSe", "oleate", 4.0), "3b": ("CdSe", "oleate", 4.0)}


@pytest.mark.parametrize("sp", catalog.species(), ids=lambda s: f"{s.figure}-{s.nucleus}-{s.assignment}")
def test_every_species_has_a_full_lineshape_with_its_assumptions_named(sp):
    for name in LINESHAPE:
        assert getattr(sp, name) is not None, f"{sp.assignment}: no {name}"
    for name, reason in sp.assumptions.items():
        assert name in LINESHAPE + ("cq_mhz", "eta_q")
        assert len(reason) > 20, f"{sp.assignment}: the reason for assuming {name} is too short"
    assert 0.0 <= sp.eta <= 1.0
    assert sp.fwhm_hz > 0


def test_what_the_paper_prints_is_not_marked_assumed():
    # Fig. 3a main text prints the surface Cd shift, width and CSA; Fig. 2e the PO_x and core shifts
    surface_cd = catalog.species("113Cd", figure="3a", site="surface")[0]
    assert not any(surface_cd.is_assumed(f) for f in ("iso_ppm", "fwhm_hz", "csa_ppm"))
    assert surface_cd.is_assumed("eta")
    pox = catalog.species("31P", figure="2e", site="surface")[0]
    assert not pox.is_assumed("iso_ppm")
    assert pox.is_assumed("csa_ppm") and pox.is_assumed("fwhm_hz")


def test_core_cd_csa_is_one_value_for_every_caller():
    # the three places of issue 10 (reference data −, bridge 0, notebooks 80) now read one record
    core = catalog.species("113Cd", figure="3a", site="core")[0]
    assert catalog.site(core).aniso_ppm == core.csa_ppm
    # the paper sees 'fewer' core sidebands than surface ones: smaller, nonzero CSA
    surface = catalog.species("113Cd", figure="3a", site="surface")[0]
    assert 0 < abs(core.csa_ppm) < abs(surface.csa_ppm)


def test_site_carries_the_species_lineshape():
    sp = catalog.species("113Cd", figure="3a", site="surface")[0]
    s = catalog.site(sp, weight=2.0)
    assert isinstance(s, Site)
    assert (s.nucleus, s.iso_ppm, s.aniso_ppm, s.eta, s.fwhm_hz, s.weight) == (
        "113Cd",
        -317.0,
        416.0,
        sp.eta,
        4000.0,
        2.0,
    )
    # the same Cd seen as 111Cd keeps its ppm-scale parameters
    assert catalog.site(sp, nucleus="111Cd").iso_ppm == -317.0


def test_site_width_scales_with_field_as_an_inhomogeneous_ppm_width():
    # 4000 Hz at 9.4 T (Fig. 3a) is 45 ppm; at 14.1 T the same ppm width is 1.5 × the Hz
    sp = catalog.species("113Cd", figure="3a", site="core")[0]
    assert catalog.site(sp, field_T=14.1).fwhm_hz == pytest.approx(4000.0 * 14.1 / 9.4, rel=1e-9)
    assert catalog.site(sp, field_T=9.4).fwhm_hz == pytest.approx(4000.0)


@pytest.mark.parametrize("figure", sorted(EXPLORER))
def test_spin_rate_changes_every_explorer_prediction_by_at_least_1_percent(figure):
    # Issue 10: between 5 and 15 kHz MAS the spectrum must change visibly (≥ 1 % of its
    # maximum) for every material/nucleus the explorer offers; species weighted by the
    # species-aware CP model at the figure's own contact time.
    material, ligand, d = EXPLORER[figure]
    exp = catalog.experiments(figure=figure)[0]
    species = [s for s in catalog.species(exp.nucleus, figure=figure) if s.site in ("surface", "core")]
    kinetics = {k.name: k for k in cp_species.species_kinetics(material, exp.nucleus, d, ligand=ligand)}
    weights = {name: float(cp_species.cp_signal(k, exp.contact_ms)) for name, k in kinetics.items()}
    sites = [catalog.site(s, weight=weights[s.assignment], field_T=exp.field_T) for s in species]
    iso = [s.iso_ppm for s in sites]
    ppm = np.linspace(max(iso) + 600.0, min(iso) - 600.0, 8192)
    slow = mas_spectrum(sites, exp.field_T, 5_000.0, ppm)
    fast = mas_spectrum(sites, exp.field_T, 15_000.0, ppm)
    change = np.max(np.abs(fast - slow)) / max(np.max(slow), np.max(fast))
    assert change >= 0.01


def test_the_spin_rate_test_covers_every_sample_the_explorer_offers():
    from qdkit.models.setups import PAPER_FIGURES  # the explorer's samples (qdkit_widgets.bridge)

    assert set(PAPER_FIGURES) <= set(EXPLORER)


def _catalog_text(species_extra: str) -> str:
    return f"""
[[samples]]
id = "s"
qd = "InP"
filling = "none"

[[species]]
figure = "2e"
nucleus = "31P"
material = "InP"
assignment = "x"
site = "surface"
iso_ppm = 5.0
source = "test"
{species_extra}
"""


@pytest.mark.parametrize(
    "extra, message",
    [
        ("fwhm_hz = 1000.0\neta = 0.0", "csa_ppm"),
        ("fwhm_hz = 1000.0\ncsa_ppm = 10.0\neta = 1.5", "eta"),
        (
            "fwhm_hz = 1000.0\ncsa_ppm = 10.0\neta = 0.0\n[species.assumed]\nwidth = 'a long enough reason here'",
            "width",
        ),
        ("fwhm_hz = 1000.0\ncsa_ppm = 10.0\neta = 0.0\n[species.assumed]\ncsa_ppm = ''", "reason"),
    ],
)
def test_incomplete_or_unexplained_species_are_refused(tmp_path, extra, message):
    path = tmp_path / "catalog.toml"
    path.write_text(_catalog_text(extra), encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        catalog.load(path)


# --- Figures 5, S9, S10: the lines of the two-step and survey experiments -------------------


@pytest.mark.parametrize("catalog_id", sorted(UNMODELLED_EXPERIMENTS))
def test_lines_of_experiments_the_model_does_not_cover_are_catalog_species(catalog_id):
    exp = catalog.experiment(catalog_id)
    sites = catalog_lines(catalog_id)
    for pick, site in zip(UNMODELLED_EXPERIMENTS[catalog_id], sites, strict=True):
        (sp,) = catalog.species(exp.nucleus, figure=pick.figure, site=pick.site)
        assert (site.iso_ppm, site.aniso_ppm, site.eta, site.cq_mhz) == (sp.iso_ppm, sp.csa_ppm, sp.eta, sp.cq_mhz or 0)
        # the width is the species' ppm width at the experiment's field
        assert site.fwhm_hz == pytest.approx(sp.fwhm_hz * exp.field_T / catalog.species_field_T(sp))
        assert site.weight == pick.share
        assert pick.share == 1.0 or len(pick.reason) > 20  # a share other than the main line's is explained
    with pytest.raises(ModelParameterError, match="catalog_lines"):
        experiment_setup(catalog_id)


def test_bulk_cspbbr3_line_is_300_hz_at_the_11_7_t_of_its_spectrum():
    (bulk,) = catalog_lines("S10-cspbbr3-bulk")
    assert catalog.experiment("S10-cspbbr3-bulk").field_T == 11.7
    assert bulk.fwhm_hz == pytest.approx(300.0, rel=0.01)


@pytest.mark.parametrize(
    "catalog_id, material, pore_nm, iso_ppm",
    [("S9-cdte", "CdTe", 30.0, -1000.0), ("S9-pbse", "PbSe", 7.0, -600.0), ("S9-pbte", "PbTe", 7.0, 1300.0)],
)
def test_survey_dots_are_forward_model_samples_with_their_catalog_species(catalog_id, material, pore_nm, iso_ppm):
    sample, acq = experiment_setup(catalog_id)
    assert (sample.material, sample.ligand, sample.pore_nm, acq.mas_hz) == (material, "oleate", pore_nm, 10_000.0)
    (line,) = sample.species
    assert line.site.iso_ppm == iso_ppm and {k for k, _ in line.assumed} >= {"iso_ppm", "fwhm_hz"}


def test_assumed_survey_and_two_step_values_say_why():
    # the Cs of the nanocomposite: shift, CSA and C_Q all assumed; the selenide-capped core
    # Se keeps the printed -565 ppm of Fig. S8
    (cs,) = catalog.species("133Cs", figure="S10", site="surface")
    assert {"iso_ppm", "csa_ppm", "cq_mhz"} <= set(cs.assumptions) and cs.cq_mhz > 0
    core = catalog.species("77Se", figure="5a", site="core")[0]
    assert core.iso_ppm == -565.0 and not core.is_assumed("iso_ppm")
    shoulder = catalog.species("77Se", figure="5a", site="surface")[0]
    assert core.iso_ppm < shoulder.iso_ppm < catalog.species("77Se", figure="S8", material="powder")[0].iso_ppm
