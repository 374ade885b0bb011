"""Referencing: the paper's Cd table S1, its secondary standards, IUPAC Ξ and TopSpin SR."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import qdkit
from qdkit import recipe as rc
from qdkit import referencing as ref
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import ProcessingError

# SI Table S1 as printed: row = reference compound of the scale, column = compound whose
# shift is listed on that scale (ppm).
TABLE_S1_COMPOUNDS = ["Me2Cd", "CdCl2", "Cd(ClO4)2·6H2O", "0.1 M Cd(ClO4)2", "Cd(NO3)2·4H2O"]
TABLE_S1 = [
    [0, -435, -641, -641, -741],
    [435, 0, -206, -206, -306],
    [641, 206, 0, 0, -100],
    [641, 206, 0, 0, -100],
    [741, 306, 100, 100, 0],
]


@pytest.mark.paper
@pytest.mark.parametrize("nucleus", ["113Cd", "111Cd"])
def test_table_s1_cd_reference_conversions_are_exact(nucleus):
    for i, row in enumerate(TABLE_S1_COMPOUNDS):
        for j, col in enumerate(TABLE_S1_COMPOUNDS):
            # the column compound sits at 0 ppm on its own scale
            assert ref.convert(0.0, nucleus, from_ref=col, to_ref=row) == TABLE_S1[i][j]


@pytest.mark.paper
def test_paper_secondary_standards_on_their_primary_scales():
    assert ref.convert(0.0, "77Se", "Na2SeO3", "Me2Se") == 1260.0
    assert ref.convert(0.0, "77Se", "NaSeO3", "Me2Se") == 1260.0  # the paper's spelling
    assert ref.convert(0.0, "113Cd", "Cd(ClO4)2*6H2O", "Me2Cd") == -641.0
    assert ref.convert(0.0, "125Te", "Te(OH)6", "Me2Te") == 713.0


@pytest.mark.paper
def test_surface_cd_at_minus_317_vs_me2cd_reads_324_vs_cd_perchlorate():
    assert ref.convert(-317.0, "113Cd", "Me2Cd", "Cd(ClO4)2·6H2O") == 324.0
    exact = ref.convert(-317.0, "113Cd", "Me2Cd", "Cd(ClO4)2·6H2O", frequency_exact=True)
    # exact frequency ratio differs by about δ·Δ·1e-6 ppm
    assert exact - 324.0 == pytest.approx(-317 * 641e-6 + 641 * 641e-6, rel=0.01)


@pytest.mark.parametrize("frequency_exact", [False, True])
def test_conversions_round_trip(frequency_exact):
    shifts = np.linspace(-1500, 1500, 31)
    for a in TABLE_S1_COMPOUNDS:
        for b in TABLE_S1_COMPOUNDS:
            there = ref.convert(shifts, "113Cd", a, b, frequency_exact=frequency_exact)
            back = ref.convert(there, "113Cd", b, a, frequency_exact=frequency_exact)
            np.testing.assert_allclose(back, shifts, atol=1e-9)


def test_wrong_nucleus_or_unknown_compound_is_explained():
    with pytest.raises(ProcessingError, match="not 77Se"):
        ref.convert(0.0, "77Se", "CdCl2", "Me2Se")
    with pytest.raises(ProcessingError, match="Unknown reference compound"):
        ref.convert(0.0, "113Cd", "CdSO4", "Me2Cd")


def test_unified_scale_uses_iupac_xi():
    # 113Cd: Ξ = 22.193175 % (Harris 2001)
    assert ref.xi_reference_mhz("113Cd", 400.0) == pytest.approx(88.7727, abs=1e-4)
    assert ref.xi_reference_mhz("77Se", 600.0) == pytest.approx(600 * 0.19071513)


def _line_spectrum(nucleus, reference_mhz, line_ppm, n=4096, sw_hz=200_000.0):
    """Synthetic spectrum (made up here): one Lorentzian at ``line_ppm`` on the given scale."""
    meta = Meta(nucleus=nucleus, reference_mhz=reference_mhz, larmor_mhz=reference_mhz, sw_hz=sw_hz, o1_hz=0.0)
    hz = sw_hz / 2 - np.arange(n) * sw_hz / n
    x0 = line_ppm * reference_mhz
    y = 1.0 / (1.0 + ((hz - x0) / 200.0) ** 2)
    return Spectrum(data=y.astype(complex), hz=hz, meta=meta)


@pytest.mark.paper
def test_na2seo3_secondary_standard_puts_its_line_at_1260_ppm():
    """Set up on an arbitrary scale; the Na2SeO3 line is observed at +3.0 ppm there."""
    nu0 = 114.4  # 77Se at 14.1 T, MHz (rough: the value does not matter)
    std = _line_spectrum("77Se", nu0, 3.0)
    fixed = ref.reference_to_standard(std, standard_name="Na2SeO3", observed_ppm=3.0)
    assert fixed.ppm[np.argmax(fixed.real)] == pytest.approx(1260.0, abs=0.5)
    # the absolute frequency axis is untouched
    np.testing.assert_allclose(fixed.hz / 1e6 + fixed.meta.reference_mhz, std.hz / 1e6 + nu0, rtol=0, atol=1e-9)
    assert fixed.recipe[-1] == {"step": "reference_to_standard", "standard_name": "Na2SeO3", "observed_ppm": 3.0}


@pytest.mark.paper
def test_cdcl2_referenced_spectrum_re_expressed_vs_me2cd():
    """A peak at 118 ppm vs CdCl2 is surface Cd at −317 ppm vs Me2Cd (Table S1: −435)."""
    spec = _line_spectrum("113Cd", 88.77, 118.0)
    moved = ref.change_reference_compound(spec, from_ref="CdCl2", to_ref="Me2Cd")
    peak = moved.ppm[np.argmax(moved.real)]
    assert peak == pytest.approx(118.0 - 435.0, abs=0.3)
    back = ref.change_reference_compound(moved, from_ref="Me2Cd", to_ref="CdCl2")
    np.testing.assert_allclose(back.ppm, spec.ppm, atol=1e-9)


def test_referencing_steps_replay_from_a_recipe():
    spec = _line_spectrum("113Cd", 88.77, 118.0)
    out = ref.reference_to_standard(spec, standard_name="Cd(ClO4)2·6H2O", observed_ppm=-2.0)
    out = ref.change_reference_compound(out, from_ref="Me2Cd", to_ref="CdCl2")
    again = rc.apply(spec, rc.from_json(rc.to_json(out.recipe)))
    np.testing.assert_array_equal(again.hz, out.hz)


def test_topspin_sr_is_recovered_and_reapplied(real_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qdkit.read(real_data / "brukerconverter_1H_zg30_liquid_with_pdata/1/pdata/1")
    spec = qdkit.process(ds)
    sr = ref.sr_hz(spec.meta)
    # procs SF = 500.32 MHz equals BF1 here: SR = 0
    assert sr == pytest.approx((float(ds.procs["SF"]) - float(ds.raw["acqus"]["BF1"])) * 1e6, abs=1e-3)
    shifted = ref.reference_sr(spec, sr_hz=sr + 500.32)  # 1 ppm of 1H at 500 MHz
    # δ moves by 1 ppm up to the δ·1e-6 term of dividing by the new reference (≤ 2e-5 here)
    np.testing.assert_allclose(shifted.ppm, spec.ppm - 1.0, atol=2e-5)
    assert abs(shifted.ppm - spec.ppm + 1.0).max() > 1e-6  # and it is a frequency ratio, not a plain shift


def test_unified_scale_step_places_zero_ppm_at_xi_times_the_tms_frequency():
    """113Cd at 9.4 T: 1H of TMS at 400.13 MHz puts Me2Cd's 0 ppm at 88.8016 MHz; a line
    observed 10 kHz above that frequency reads 10e3/88.8016 = 112.61 ppm."""
    proton = 400.13
    nu0 = 0.22193175 * proton
    spec = _line_spectrum("113Cd", 88.79, 0.0)  # provisional reference 11.6 kHz off
    line_hz_abs = nu0 * 1e6 + 10e3
    hz = spec.hz
    y = 1.0 / (1.0 + ((hz + 88.79e6 - line_hz_abs) / 200.0) ** 2)
    spec = spec.replace(data=y.astype(complex))
    out = ref.reference_unified(spec, proton_reference_mhz=proton)
    assert out.meta.reference_mhz == pytest.approx(nu0, rel=1e-12)
    assert out.ppm[np.argmax(out.real)] == pytest.approx(10e3 / nu0, abs=0.6)
