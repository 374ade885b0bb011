"""Isotropic peaks vs spinning sidebands from several MAS rates (SI Figure S7)."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.mas import Site, mas_spectrum
from qdkit.sidebands import identify_isotropic_peaks, pick_peaks

KBR = "spinach_79Br_KBr_MAS_spectra"


def _kbr(real_data, name):
    """Spinach's processed KBr spectra: columns index, intensity, Hz, ppm."""
    table = np.loadtxt(real_data / KBR / name, delimiter=",")
    return table[:, 3], table[:, 1], float(np.median(table[:, 2] / table[:, 3]))


@pytest.fixture(scope="module")
def kbr_400(real_data):
    out = []
    for rate in (2_000, 5_000, 10_000):
        ppm, y, ref = _kbr(real_data, f"KBr_400MHz_{rate // 1000}kHz.txt")
        out.append((ppm, y, float(rate)))
    return out, ref


def test_kbr_has_one_isotropic_79br_peak_near_60_ppm(kbr_400):
    spectra, ref = kbr_400
    # 79Br at 9.4 T: the axis' Hz/ppm ratio is the 0-ppm frequency, close to the Ξ value
    assert ref == pytest.approx(nuclei.get("79Br").reference_mhz(9.4), rel=0.01)
    result = identify_isotropic_peaks(spectra, reference_mhz=ref)
    assert len(result.isotropic) == 1
    assert result.isotropic[0].ppm == pytest.approx(60.3, abs=0.3)
    # every picked peak is the centre band or one of its satellite sidebands
    assert result.unassigned == ()


def test_kbr_sidebands_sit_at_whole_multiples_of_each_spin_rate(kbr_400):
    spectra, ref = kbr_400
    result = identify_isotropic_peaks(spectra, reference_mhz=ref)
    iso = result.isotropic[0]
    for order, peak in iso.sidebands:
        expected = iso.ppm + order * peak.mas_hz / ref
        assert peak.ppm == pytest.approx(expected, abs=0.5)
    # slower spinning: more sidebands within the same satellite envelope (2 kHz: ±14 seen)
    counts = [len(iso.orders(j)) for j in range(3)]
    assert counts[0] > counts[1] > counts[2] >= 6


def test_commensurate_rates_alone_still_give_one_isotropic_peak(kbr_400):
    """5 and 10 kHz: every even-order 5 kHz sideband coincides with a 10 kHz one, so
    coincidence alone cannot tell; the family's first moment picks the centre band."""
    spectra, ref = kbr_400
    result = identify_isotropic_peaks(spectra[1:], reference_mhz=ref)
    assert result.isotropic_ppm == pytest.approx([60.34], abs=0.3)


def test_spectra_read_by_qdkit_carry_their_own_rates_and_reference(real_data):
    """The user's path: qdkit.io reads the text spectra (MAS rate from the file name,
    reference from Hz/ppm); no rates or frequencies need to be typed in."""
    from qdkit.io import read_spectrum

    spectra = [read_spectrum(real_data / KBR / f"KBr_400MHz_{k}kHz.txt") for k in (2, 5, 10)]
    result = identify_isotropic_peaks(spectra)
    assert result.isotropic_ppm == pytest.approx([60.3], abs=0.3)


def test_a_single_rate_is_refused():
    ppm = np.linspace(100, -100, 512)
    with pytest.raises(ModelParameterError, match="two or more"):
        identify_isotropic_peaks([(ppm, np.exp(-(ppm**2)), 10_000)], reference_mhz=88.8)


def test_peak_picking_refines_positions_between_points():
    ppm = np.linspace(10, -10, 201)
    y = np.exp(-0.5 * ((ppm - 1.234) / 0.8) ** 2)
    (peak,) = pick_peaks(ppm, y)
    assert peak.ppm == pytest.approx(1.234, abs=0.01)


@pytest.mark.paper
def test_cd_sidebands_move_with_spin_rate_while_isotropic_peaks_stay_p7():
    """P7 (SI Fig. S7): 113Cd CP-MAS of ZB-CdSe at 10 and 12.5 kHz. Synthetic spectra from
    the paper's two sites (−317 ppm, CSA ≈ 416 ppm; −20 ppm core, small CSA; 4 kHz lines;
    9.4 T) with noise at S/N 200: the isotropic peaks are found at −317 and −20 ppm and
    the surface sidebands move by k·2.5 kHz."""
    ref = nuclei.get("113Cd").reference_mhz(9.4)
    ppm = np.linspace(600, -1200, 4096)
    sites = [Site("113Cd", -317, 416, 0.3, 4000), Site("113Cd", -20, 60, 0.0, 4000, weight=0.5)]
    rng = np.random.default_rng(2015)
    spectra = []
    for rate in (10_000.0, 12_500.0):
        y = mas_spectrum(sites, 9.4, rate, ppm)
        spectra.append((ppm, y + rng.normal(0, y.max() / 200, y.size), rate))
    result = identify_isotropic_peaks(spectra, reference_mhz=ref)
    assert sorted(result.isotropic_ppm) == pytest.approx([-317, -20], abs=3)
    surface = min(result.isotropic, key=lambda r: abs(r.ppm + 317))
    # the same sideband order moves by k·Δν_r/ν_ref = k × 28 ppm between the two rates
    by_rate = [{k: p.ppm for k, p in surface.sidebands if p.spectrum == j} for j in (0, 1)]
    common = sorted(set(by_rate[0]) & set(by_rate[1]))
    assert len(common) >= 3
    for k in common:
        moved = by_rate[1][k] - by_rate[0][k]
        assert moved == pytest.approx(k * 2_500 / ref, abs=result.tolerance_ppm)
        assert abs(moved) > 20
    # the centre bands themselves moved by less than the tolerance
    for iso in result.isotropic:
        assert abs(iso.centre_peaks[0].ppm - iso.centre_peaks[1].ppm) <= result.tolerance_ppm
