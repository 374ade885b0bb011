"""The MAS lineshape engine: contract of qdkit.mas (DESIGN §2), conventions and accuracy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.mas import (
    Site,
    haeberlen_from_herzfeld_berger,
    haeberlen_from_mehring,
    herzfeld_berger_from_haeberlen,
    mas_spectrum,
    mehring_from_haeberlen,
    sideband_intensities,
    site_spectra,
    static_pattern,
)
from qdkit.mrsim import mrsim_spectra_isolated

PPM = np.linspace(400.0, -1000.0, 4096)
STEP = abs(PPM[1] - PPM[0])
# Fig. 3a of the paper: surface Cd at −317 ppm with a CSA of ~416 ppm, core Cd at −20 ppm,
# both ~4 kHz wide, 9.4 T, 10 kHz MAS
SURFACE_CD = Site("113Cd", iso_ppm=-317, aniso_ppm=416, eta=0.3, fwhm_hz=4000)
CORE_CD = Site("113Cd", iso_ppm=-20, aniso_ppm=0, eta=0, fwhm_hz=4000)


def _local_maxima(y, ppm, floor):
    inner = (y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:]) & (y[1:-1] > floor)
    return ppm[1:-1][inner]


# ---------------------------------------------------------------------------- contract


def test_site_round_trips_through_json():
    site = Site("Cd113", -317, 416, 0.3, 4000, lorentz_hz=50, weight=2.5)
    again = Site.from_dict(json.loads(json.dumps(site.to_dict())))
    assert again == site
    assert again.nucleus == "113Cd"


def test_site_refuses_eta_outside_haeberlen_range():
    with pytest.raises(ModelParameterError, match="haeberlen_from_mehring"):
        Site("113Cd", -317, 416, eta=1.4)


def test_spin_half_site_cannot_carry_a_quadrupole_coupling():
    with pytest.raises(ModelParameterError, match="no quadrupole moment"):
        Site("113Cd", -317, 416, cq_mhz=1.0)


@pytest.mark.parametrize("mas_hz", [0.0, 4_000.0, 10_000.0, 60_000.0])
def test_each_site_integrates_to_its_weight(mas_hz):
    sites = [SURFACE_CD.replace(weight=3.0), CORE_CD.replace(weight=0.5)]
    # ±2000 ppm holds every sideband with visible intensity even at 60 kHz (±675 ppm apart)
    ppm = np.linspace(2000.0, -2600.0, 8192)
    y = mas_spectrum(sites, field_T=9.4, mas_hz=mas_hz, ppm=ppm)
    assert y.sum() * abs(ppm[1] - ppm[0]) == pytest.approx(3.5, rel=1e-3)


def test_line_narrower_than_a_point_keeps_its_area():
    ppm = np.linspace(100, -100, 501)  # 0.4 ppm = 36 Hz per point for 113Cd at 9.4 T
    # δaniso·ν_ref/ν_r ≈ 0.9: sidebands beyond ±4 orders (±90 ppm) carry < 1e-7
    y = mas_spectrum([Site("113Cd", -3.33, 20, 0.2, fwhm_hz=5.0)], 9.4, 2_000, ppm)
    assert y.sum() * abs(ppm[1] - ppm[0]) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("fwhm_hz, lorentz_hz", [(2000.0, 0.0), (0.0, 1500.0)])
def test_isotropic_line_has_the_requested_width_in_hz(fwhm_hz, lorentz_hz):
    """A CSA-free line: FWHM in ppm × ν_ref(113Cd, 9.4 T) equals the width asked for."""
    ppm = np.linspace(200, -200, 8001)
    y = mas_spectrum([Site("113Cd", 0.0, 0, 0, fwhm_hz, lorentz_hz)], 9.4, 10_000, ppm)
    above = ppm[y >= y.max() / 2]
    width_hz = (above.max() - above.min()) * nuclei.get("113Cd").reference_mhz(9.4)
    assert width_hz == pytest.approx(fwhm_hz + lorentz_hz, abs=2 * 0.05 * 88.8)


def test_axis_direction_does_not_change_the_spectrum():
    up = mas_spectrum([SURFACE_CD], 9.4, 10_000, PPM[::-1])
    down = mas_spectrum([SURFACE_CD], 9.4, 10_000, PPM)
    np.testing.assert_allclose(up[::-1], down, rtol=1e-9, atol=1e-12)


def test_weights_only_rescale_cached_site_shapes():
    rows = site_spectra([SURFACE_CD, CORE_CD], 9.4, 10_000, PPM)
    y = mas_spectrum([SURFACE_CD.replace(weight=0.2), CORE_CD.replace(weight=1.7)], 9.4, 10_000, PPM)
    np.testing.assert_allclose(np.array([0.2, 1.7]) @ rows, y, rtol=1e-12, atol=1e-15)


def test_uneven_axis_is_refused_with_advice():
    with pytest.raises(ModelParameterError, match="evenly spaced"):
        mas_spectrum([SURFACE_CD], 9.4, 10_000, np.geomspace(1, 100, 50))


# ---------------------------------------------------------------------------- conventions


def test_mehring_to_haeberlen_orders_by_distance_from_iso():
    # δ11, δ22, δ33 = 100, 0, −40: δiso 20; |100−20| = 80 is zz, |−40−20| = 60 is xx
    iso, aniso, eta = haeberlen_from_mehring(100, 0, -40)
    assert (iso, aniso, eta) == pytest.approx((20.0, 80.0, 0.5))
    assert mehring_from_haeberlen(iso, aniso, eta) == pytest.approx((100, 0, -40))


@pytest.mark.parametrize("aniso, eta", [(416, 0.3), (-416, 0.3), (120, 0.0), (-50, 1.0)])
def test_herzfeld_berger_round_trip(aniso, eta):
    iso, span, skew = herzfeld_berger_from_haeberlen(-317, aniso, eta)
    # an axially symmetric tensor has skew ∓1: δaniso > 0 (prolate, δ11 unique) gives −1
    if eta == 0:
        assert skew == pytest.approx(-np.sign(aniso))
    assert span == pytest.approx(
        max(mehring_from_haeberlen(-317, aniso, eta)) - min(mehring_from_haeberlen(-317, aniso, eta))
    )
    assert haeberlen_from_herzfeld_berger(iso, span, skew) == pytest.approx((-317, aniso, eta))


def test_site_from_principal_components_and_from_span_and_skew_are_the_same_site():
    d11, d22, d33 = mehring_from_haeberlen(-317, 416, 0.3)
    a = Site.from_principal("113Cd", d33, d11, d22, fwhm_hz=4000)  # order does not matter
    _, span, skew = herzfeld_berger_from_haeberlen(-317, 416, 0.3)
    b = Site.from_herzfeld_berger("113Cd", -317, span, skew, fwhm_hz=4000)
    for site in (a, b):
        assert (site.iso_ppm, site.aniso_ppm, site.eta) == pytest.approx((-317, 416, 0.3))
        assert site.fwhm_hz == 4000


def test_negative_gamma_cd_appears_at_its_shift_with_sidebands_at_spin_rate():
    """113Cd has γ < 0; in ppm the site still sits at −317 with sidebands k·ν_r/ν_ref away."""
    ref = nuclei.get("113Cd").reference_mhz(9.4)
    narrow = SURFACE_CD.replace(fwhm_hz=300)
    y = mas_spectrum([narrow], 9.4, 10_000, PPM)
    peaks = _local_maxima(y, PPM, 0.002 * y.max())
    # orders −4 … +4 all stand above 0.2 % of the tallest peak
    for p in -317 + np.arange(-4, 5) * 10_000 / ref:
        assert np.min(np.abs(peaks - p)) < 1.5 * STEP
    # Ξ, not γB0: the bare Larmor frequency would misplace the 6th sideband by ~2 ppm
    larmor = nuclei.get("113Cd").larmor_mhz(9.4)
    assert abs(6 * 10_000 / ref - 6 * 10_000 / larmor) > 2 * STEP


def test_pattern_in_ppm_does_not_depend_on_the_sign_of_gamma():
    """Same CSA in ppm, same ν_aniso/ν_r: 113Cd (γ<0) and 31P (γ>0) give the same spectrum."""
    cd, p = nuclei.get("113Cd").reference_mhz(9.4), nuclei.get("31P").reference_mhz(9.4)
    y_cd = mas_spectrum([SURFACE_CD], 9.4, 10_000, PPM)
    y_p = mas_spectrum([SURFACE_CD.replace(nucleus="31P", fwhm_hz=4000 * p / cd)], 9.4, 10_000 * p / cd, PPM)
    np.testing.assert_allclose(y_p, y_cd, atol=1e-6 * y_cd.max())


def test_positive_anisotropy_puts_the_sideband_envelope_maximum_near_iso_minus_half_aniso():
    """Slow spinning: the envelope follows the static pattern, whose δ⊥ horn (η = 0) lies at
    δiso − δaniso/2 for δaniso > 0 and mirrors for δaniso < 0."""
    ratio = 40.0
    order, inten = sideband_intensities(ratio, 0.0)
    assert order[np.argmax(inten)] == pytest.approx(-ratio / 2, abs=0.2 * ratio)
    order_neg, inten_neg = sideband_intensities(-ratio, 0.0)
    np.testing.assert_allclose(inten_neg, inten[::-1], atol=1e-9)
    np.testing.assert_array_equal(order_neg, -order[::-1])


def test_sideband_intensities_sum_to_one_and_centre_band_dominates_fast_spinning():
    order, inten = sideband_intensities(0.3, 0.5)
    assert inten.sum() == pytest.approx(1.0, abs=1e-12)
    assert inten[order == 0][0] > 0.9


@pytest.mark.parametrize("scheme, density, tol", [("zcw", 48, 1e-3), ("lebedev", 41, 1e-5)])
def test_orientation_schemes_agree_on_sideband_intensities(scheme, density, tol):
    """ZCW (2304 points) and Lebedev (order 41) converge to the Gauss product grid."""
    ratio = 416 * nuclei.get("113Cd").reference_mhz(9.4) / 10_000
    ref_order, ref_inten = sideband_intensities(ratio, 0.3)
    order, inten = sideband_intensities(ratio, 0.3, scheme=scheme, density=density)
    lookup = dict(zip(ref_order.tolist(), ref_inten))
    assert max(abs(lookup.get(k, 0.0) - v) for k, v in zip(order.tolist(), inten)) < tol * ref_inten.max()


# ---------------------------------------------------------------------------- static limit


def test_static_pattern_matches_random_crystallites():
    """Exact-in-β static pattern vs a histogram of 2·10⁶ random orientations."""
    rng = np.random.default_rng(7)
    u = rng.uniform(-1, 1, 2_000_000)
    alpha = rng.uniform(0, 2 * np.pi, u.size)
    aniso, eta = 300.0, 0.4
    shift = aniso * (0.5 * (3 * u**2 - 1) - 0.5 * eta * (1 - u**2) * np.cos(2 * alpha))
    edges = np.linspace(-400, 400, 161)
    counts = np.histogram(shift, edges)[0] / u.size
    exact = static_pattern(0.0, aniso, eta, edges)
    # Poisson noise of ~10⁴ counts per bin is ~1 %; allow 5σ
    sigma = np.sqrt(np.maximum(counts, 1e-6) / u.size)
    assert np.all(np.abs(exact - counts) < 5 * sigma + 1e-6)


def test_slow_spinning_sidebands_trace_the_static_pattern():
    ppm = np.linspace(-200, -480, 1400)
    site = Site("113Cd", -317, 120, 0.5, fwhm_hz=2500)
    static = mas_spectrum([site], 9.4, 0, ppm)
    slow = mas_spectrum([site], 9.4, 300, ppm)  # 300 Hz ≈ 3.4 ppm, far below the 2.5 kHz width
    # at ν_aniso/ν_r ≈ 36 the sideband envelope still rounds the δ⊥ horn by a few percent
    assert np.abs(slow - static).max() < 0.035 * static.max()


# ---------------------------------------------------------------------------- mrsimulator


ORACLE_CASES = [
    # (site, field_T, mas_hz): the paper's surface Cd, its static pattern, a negative
    # anisotropy, fast spinning at high field, slow spinning, a positive-γ nucleus
    (SURFACE_CD, 9.4, 10_000.0),
    (SURFACE_CD, 9.4, 0.0),
    (SURFACE_CD.replace(aniso_ppm=-416, eta=0.8), 9.4, 12_500.0),
    (Site("113Cd", -100, 1000, 0.0, 6000), 21.1, 60_000.0),
    (Site("31P", 5, 150, 1.0, 800), 7.05, 2_000.0),
    (Site("77Se", -300, 700, 0.5, 1500), 14.1, 25_000.0),
]


def _oracle_axis(site, field_T, mas_hz):
    ref = nuclei.get(site.nucleus).reference_mhz(field_T)
    half = 1.3 * abs(site.aniso_ppm) + 6 * site.fwhm_hz / ref + 2 * mas_hz / ref + 20
    return np.linspace(site.iso_ppm + half, site.iso_ppm - half, 4096)


@pytest.fixture(scope="module")
def oracle_spectra():
    cases = [dict(sites=[s], field_T=b, mas_hz=r, ppm=_oracle_axis(s, b, r)) for s, b, r in ORACLE_CASES]
    return mrsim_spectra_isolated(cases)


@pytest.mark.parametrize("case", range(len(ORACLE_CASES)))
def test_agrees_with_mrsimulator_within_one_percent_of_tallest_peak(case, oracle_spectra):
    site, field_T, mas_hz = ORACLE_CASES[case]
    ppm = _oracle_axis(site, field_T, mas_hz)
    ours = mas_spectrum([site], field_T, mas_hz, ppm)
    theirs = oracle_spectra[case]
    assert np.abs(ours - theirs).max() < 0.01 * theirs.max()


# ---------------------------------------------------------------------------- paper


def _visible_sidebands(aniso_ppm, eta, mas_hz, field_T=9.4, fraction=0.05):
    """Sidebands (k ≠ 0) reaching ``fraction`` of the tallest band of the manifold."""
    ratio = aniso_ppm * nuclei.get("113Cd").reference_mhz(field_T) / mas_hz
    order, inten = sideband_intensities(ratio, eta)
    return int(((inten >= fraction * inten.max()) & (order != 0)).sum())


@pytest.mark.paper
def test_consistency_surface_cd_has_many_sidebands_core_cd_few_p8():
    """P8 (Fig. 3a): 113Cd at 9.4 T, 10 kHz. The surface Cd (−317 ppm, CSA ≈ 416 ppm) shows
    an extensive sideband manifold; the core Cd (−20 ppm), in a near-tetrahedral site whose
    CSA is at most tens of ppm, shows few."""
    surface = _visible_sidebands(416, 0.3, 10_000)
    assert surface >= 6
    for core_aniso in (0, 30, 60):
        assert _visible_sidebands(core_aniso, 0.3, 10_000) <= 1
    # in the spectrum itself: the surface manifold has many resolved maxima, the core none
    ref = nuclei.get("113Cd").reference_mhz(9.4)
    y_surface = mas_spectrum([SURFACE_CD], 9.4, 10_000, PPM)
    y_core = mas_spectrum([CORE_CD.replace(aniso_ppm=30)], 9.4, 10_000, PPM)
    assert len(_local_maxima(y_surface, PPM, 0.05 * y_surface.max())) >= 6
    core_peaks = _local_maxima(y_core, PPM, 0.05 * y_core.max())
    np.testing.assert_allclose(core_peaks, [-20], atol=1.0)
    assert 10_000 / ref > 100  # sidebands are >100 ppm apart: well resolved from 45 ppm lines


def test_number_of_sidebands_grows_with_csa_and_falls_with_spin_rate():
    counts = [_visible_sidebands(a, 0.5, 10_000) for a in (50, 150, 300, 450, 700)]
    assert counts == sorted(counts) and counts[-1] > counts[0] + 4
    by_rate = [_visible_sidebands(416, 0.5, r) for r in (5_000, 10_000, 12_500, 20_000)]
    assert by_rate == sorted(by_rate, reverse=True) and by_rate[0] > by_rate[-1] + 4


def test_a_crawling_spin_rate_gives_the_static_pattern_quickly_and_in_bounded_memory():
    """0.01 Hz on a 416 ppm 113Cd CSA would be ~4e9 sidebands; below one axis point per
    sideband the quasi-static envelope is the static pattern, so the two must agree
    (before this, such a rate typed into a widget took minutes and ~10 GB)."""
    ppm = np.linspace(400, -1000, 2048)
    site = [Site("113Cd", iso_ppm=-317, aniso_ppm=416, eta=0.3, fwhm_hz=4000)]
    crawl = mas_spectrum(site, field_T=9.4, mas_hz=0.01, ppm=ppm)
    static = mas_spectrum(site, field_T=9.4, mas_hz=0.0, ppm=ppm)
    np.testing.assert_allclose(crawl, static, atol=1e-6 * static.max())
