"""qdkit.sample: the one forward model behind the explorers, notebooks and reference data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdkit import matrix
from qdkit.errors import ModelParameterError
from qdkit.mas import Site
from qdkit.models.setups import PAPER_FIGURES, paper_setup
from qdkit.sample import Acquisition, Line, Sample, expected_snr_per_scan, predict, sample_matrix

PPM = np.linspace(300.0, -700.0, 4096)


@pytest.fixture(scope="module")
def inp():
    return paper_setup("2e")


def test_paper_setup_of_fig_2e_is_the_si_sample_and_experiment(inp):
    sample, acq = inp
    # SI Fig. S2 / section VI: 3 nm myristate InP, 3.8 mg in 20 uL TCE, 16 mM TEKPol, 7 nm MSU-H;
    # 31P CP at 9.4 T, 8 kHz MAS, 1.5 ms contact, 1.7 s recycle delay
    assert (sample.material, sample.diameter_nm, sample.ligand, sample.pore_nm) == ("InP", 3.0, "myristate", 7.0)
    assert (sample.qd_mg, sample.solvent_ul, sample.radical, sample.radical_mM) == (3.8, 20.0, "TEKPol", 16.0)
    assert (acq.nucleus, acq.field_T, acq.mas_hz, acq.contact_ms, acq.recycle_s) == ("31P", 9.4, 8000.0, 1.5, 1.7)
    assert {ln.role for ln in sample.species} == {"surface", "core"}


def test_components_add_up_to_the_total_and_integrate_to_the_signal_per_scan(inp):
    sample, acq = inp
    p = predict(sample, acq, PPM)
    np.testing.assert_allclose(sum(p.components.values()), p.total, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p.surface + p.core, p.total, rtol=1e-12, atol=1e-12)
    # every sideband of both lines lies inside ±500 ppm at 8 kHz: the area is the whole signal
    area = p.total.sum() * abs(PPM[1] - PPM[0])
    assert area == pytest.approx(p.snr_per_scan, rel=0.01)
    assert p.components["surface PO_x"].flags.writeable is False  # cached arrays are shared


@pytest.mark.paper
def test_consistency_microwaves_off_divide_the_spectrum_by_the_measured_enhancement(inp):
    """Fig. 2d/e: same rotor, microwaves on and off; the ratio is ε_on/off."""
    sample, acq = inp
    on, off = predict(sample, acq, PPM), predict(sample, acq.replace(microwave=False), PPM)
    assert on.peak / off.peak == pytest.approx(on.enhancement, rel=1e-9)
    assert 60 <= on.enhancement <= 85  # P4: 60-80 in 7 nm MSU-H (consistency: ε0 = 80 is the paper's)


@pytest.mark.paper
def test_consistency_exactly_filled_msu_h_dilutes_by_the_porosity_1_4(inp):
    """P1 (SI Fig. S2): at exact filling the dilution is 1/φ = 1.41 (0.91 cm³/g, 2.65 g/cm³)."""
    sample, acq = inp
    m = sample_matrix(sample, acq)
    assert m.fraction_in_pores == pytest.approx(1.0)
    assert m.dilution == pytest.approx(1.0 / matrix.porosity(), rel=1e-9)
    assert not m.overfilled


def test_solution_beyond_the_pore_volume_freezes_outside_with_the_bulk_enhancement(inp):
    # The paper's printed 1.1 mg of silica for 20 uL holds 1.0 uL at 0.91 cm³/g: 95 % outside.
    sample, acq = inp
    printed = sample.replace(silica_mg_per_qd_mg=1.1 / sample.qd_mg)
    m = sample_matrix(printed, acq)
    assert m.overfilled and m.fraction_in_pores == pytest.approx(1.1 * 0.91 / 20.0, rel=1e-6)
    mix = m.fraction_in_pores * m.enhancement_in_pores + (1 - m.fraction_in_pores) * m.enhancement_outside
    assert m.enhancement_on_off == pytest.approx(mix, rel=1e-6)
    bulk = sample_matrix(sample.replace(pore_nm=None), acq)
    assert m.enhancement_outside == pytest.approx(bulk.enhancement_on_off, rel=1e-6)
    assert "solution beyond the pore volume" in predict(printed, acq, PPM).assumed


def test_silica_beyond_the_pore_volume_dilutes_without_changing_the_enhancement(inp):
    sample, acq = inp
    exact = sample_matrix(sample, acq)
    double = sample_matrix(sample.replace(silica_mg_per_qd_mg=2 * sample.exact_loading), acq)
    assert double.enhancement_on_off == pytest.approx(exact.enhancement_on_off, rel=1e-9)
    # twice the silica: twice the pore + wall volume for the same solution
    assert double.dilution == pytest.approx(2 * exact.dilution, rel=1e-9)
    p_exact, p_double = (
        predict(sample.replace(silica_mg_per_qd_mg=x), acq, PPM)
        for x in (sample.exact_loading, 2 * sample.exact_loading)
    )
    assert p_double.peak / p_exact.peak == pytest.approx(0.5, rel=1e-9)


@pytest.mark.paper
def test_longer_contact_lowers_the_surface_share_of_the_inp_signal(inp):
    """SI Fig. S3 (P6): 1.5 ms favours the surface PO_x, 5 ms reaches the core (direction only;
    the size of the effect is tested in test_cp_species)."""
    sample, acq = inp
    shares = [predict(sample, acq.replace(contact_ms=t), PPM).surface_share for t in (0.5, 1.5, 5.0, 10.0)]
    assert np.all(np.diff(shares) < 0)


def test_direct_excitation_counts_atoms(inp):
    """SI Fig. S4: a single-pulse spectrum weighs the species by their atoms (P5: about a quarter
    of the P atoms are at the surface of 3 nm InP)."""
    sample, acq = inp
    dried = sample.replace(pore_nm=None, radical=None, radical_mM=0.0)
    p = predict(dried, acq.replace(contact_ms=None, microwave=False, temperature_K=298.0), PPM)
    assert p.surface_share == pytest.approx(p.surface_fraction, rel=1e-9)
    assert 0.18 < p.surface_fraction < 0.33


def test_no_recycle_delay_given_means_the_optimal_one(inp):
    sample, acq = inp
    p = predict(sample, acq.replace(recycle_s=None), PPM)
    assert p.recycle_s == pytest.approx(1.2564 * p.t_b_s, rel=1e-4)
    relaxed = predict(sample, acq.replace(recycle_s=math.inf), PPM)
    assert relaxed.snr_per_sqrt_hour == 0.0 and relaxed.snr_per_scan > p.snr_per_scan
    # S/N per unit time: per scan × √(scans per hour)
    assert p.snr_per_sqrt_hour == pytest.approx(p.snr_per_scan * math.sqrt(3600 / p.recycle_s))


def test_measured_snr_carries_over_by_the_predicted_peak_heights(inp):
    sample, acq = inp
    at, now = predict(sample, acq, PPM), predict(sample, acq.replace(microwave=False), PPM)
    assert expected_snr_per_scan(now, at, 10.0) == pytest.approx(10.0 / at.enhancement, rel=1e-9)


def test_every_paper_sample_lists_what_it_assumed():
    for figure in PAPER_FIGURES:
        sample, acq = paper_setup(figure)
        p = predict(sample, acq, PPM)
        assert p.assumed and all(label in p.assumed_reasons for label in p.assumed)
        assert any(ln.assumed for ln in sample.species)


def test_a_repeated_prediction_is_the_cached_one(inp):
    sample, acq = inp
    assert predict(sample, acq, PPM) is predict(sample, acq, PPM.copy())


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda s, a: s.replace(diameter_nm=-3.0), "diameter_nm"),
        (lambda s, a: s.replace(ligand="butter"), "ligand"),
        (lambda s, a: s.replace(material="Unobtainium"), "Unobtainium"),
        (lambda s, a: a.replace(mas_hz=-10.0), "spin rate"),
        (lambda s, a: a.replace(scans=2.5), "scans"),
        (lambda s, a: a.replace(contact_ms="long"), "contact time"),
    ],
)
def test_bad_input_is_explained(inp, make, message):
    sample, acq = inp
    with pytest.raises(ModelParameterError, match=message):
        make(sample, acq)


def test_observing_a_nucleus_the_sample_has_no_species_of_is_explained(inp):
    sample, acq = inp
    with pytest.raises(ModelParameterError, match="no Cd species"):
        predict(sample, acq.replace(nucleus="113Cd"), PPM)
    with pytest.raises(ModelParameterError, match="evenly spaced"):
        predict(sample, acq, np.array([1.0, 2.0, 4.0]))


def test_a_sample_of_your_own_species():
    lines = (
        Line("surface", "surface", Site("31P", 5.0, aniso_ppm=-60.0, eta=0.5, fwhm_hz=1500.0)),
        Line("core", "core", Site("31P", -200.0, fwhm_hz=9000.0)),
    )
    p = predict(Sample("InP", 4.0, lines, ligand="oleate", pore_nm=15.0), Acquisition("31P"), PPM)
    assert set(p.components) == {"surface", "core"} and p.peak > 0
    assert not any("surface:" in label for label in p.assumed)  # nothing marked assumed


def test_line_widths_are_constant_in_ppm_when_the_field_changes(inp):
    """An inhomogeneous width is a spread of shifts: at 18.8 T it is twice the Hz of 9.4 T
    (the catalog's widths are given at their figure's field)."""
    sample, acq = inp
    core = next(ln for ln in sample.species if ln.role == "core")
    assert core.field_T == 9.4
    static = acq.replace(mas_hz=0.0, contact_ms=5.0)

    def fwhm_ppm(field_T):
        p = predict(sample, static.replace(field_T=field_T), PPM)
        y = p.components[core.name]
        above = PPM[y >= 0.5 * y.max()]
        return above.max() - above.min()

    assert fwhm_ppm(18.8) == pytest.approx(fwhm_ppm(9.4), abs=2 * abs(PPM[1] - PPM[0]))
