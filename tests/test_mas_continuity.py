"""Slow spinning in qdkit.mas: the spectrum changes continuously with the spin rate, from the
exact sideband average through the quasi-static envelope down to a crawling rotor."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit import nuclei
from qdkit.mas import Site, mas_spectrum
from qdkit.simulation.csa import EXACT_RATIO, QUASI_STATIC_RATIO

FIELD_T = 9.4
REF_MHZ = nuclei.get("113Cd").reference_mhz(FIELD_T)
# the paper's surface Cd (Fig. 3a): δaniso 416 ppm = 36.9 kHz at 9.4 T
SURFACE = Site("113Cd", iso_ppm=-317, aniso_ppm=416, eta=0.3)
PPM = np.linspace(100, -800, 8192)  # 9.8 Hz per point


def _rate_hz(ratio: float) -> float:
    """Spin rate at which the anisotropy is ``ratio`` times the rate."""
    return SURFACE.aniso_ppm * REF_MHZ / ratio


def _step(site: Site, ratio: float, ppm=PPM, factor: float = 1.01) -> float:
    """Largest change of the spectrum, % of its tallest peak, when the rate changes 1 %."""
    slow = mas_spectrum([site], FIELD_T, _rate_hz(ratio * factor), ppm)
    fast = mas_spectrum([site], FIELD_T, _rate_hz(ratio), ppm)
    return 100 * np.abs(slow - fast).max() / fast.max()


# ratios just below each end of the blend (a 1 % step crosses it); shared by the tests so
# each exact sideband average is computed once
BELOW_EXACT_END = EXACT_RATIO / 1.005
BELOW_QUASI_STATIC = QUASI_STATIC_RATIO / 1.005


@pytest.mark.parametrize("ratio", [BELOW_EXACT_END, BELOW_QUASI_STATIC])
@pytest.mark.parametrize("fwhm_hz", [300.0, 1000.0])
def test_spectrum_moves_under_one_percent_when_the_rate_moves_one_percent_at_both_blend_ends(ratio, fwhm_hz):
    """At 250 and 400 sidebands per anisotropy (148 and 92 Hz) lines of 300 Hz and more
    have merged the sidebands into an envelope, which a 1 % change of rate barely moves;
    before the blend the quasi-static switch at 400 jumped by 3 % for 1 kHz lines."""
    assert _step(SURFACE.replace(fwhm_hz=fwhm_hz), ratio) < 1.0


def test_no_jump_at_the_old_switch_point_for_150_hz_lines():
    """150 Hz lines at ratio 400 (92 Hz): sidebands nearly as far apart as the lines are wide
    still ripple, so a 1 % step changes the spectrum by 1–2 % by itself; the step across
    400 must not exceed the step just below it by more than 1 % of the tallest peak (it was
    19 % between ratios 395 and 405 with the old switch)."""
    site = SURFACE.replace(fwhm_hz=150.0)
    across = _step(site, BELOW_QUASI_STATIC)
    below = _step(site, BELOW_QUASI_STATIC / 1.01)
    assert across < below + 1.0


def test_switch_to_the_binned_static_pattern_is_smooth_on_a_coarse_axis():
    """Where sidebands come closer than one axis point the engine bins the static pattern
    instead of drawing millions of sidebands; with lines only 3 points wide (50 Hz points,
    150 Hz lines) the switch must still change the spectrum by < 1 % for a 1 % rate change."""
    ppm = np.linspace(100, -800, 1600)
    point_hz = abs(ppm[1] - ppm[0]) * REF_MHZ
    switch_ratio = SURFACE.aniso_ppm * REF_MHZ / point_hz
    assert _step(SURFACE.replace(fwhm_hz=150.0), switch_ratio / 1.005, ppm=ppm) < 1.0


def test_a_crawling_rotor_gives_the_static_pattern():
    """0.001 Hz would be ~4e10 sidebands: the engine must give the static pattern (and do so
    in bounded time and memory, as the binned static pattern costs O(points))."""
    site = SURFACE.replace(fwhm_hz=1000.0)
    crawl = mas_spectrum([site], FIELD_T, 0.001, PPM)
    static = mas_spectrum([site], FIELD_T, 0.0, PPM)
    np.testing.assert_allclose(crawl, static, atol=1e-6 * static.max())


def test_blended_intensities_still_sum_to_one_and_keep_the_centre_band_order():
    """Inside the blend the sideband set is the union of the exact and envelope sets: it
    still sums to 1 and has the centre band (order 0)."""
    from qdkit.mas import sideband_intensities

    order, inten = sideband_intensities(BELOW_QUASI_STATIC, 0.3)
    assert inten.sum() == pytest.approx(1.0, abs=1e-9)
    assert 0 in order and np.all(np.diff(order) == 1)


def test_a_crawling_rotor_gives_the_static_shape_of_a_quadrupolar_site():
    """Satellites of 51V (C_Q 2 MHz) at 0.001 Hz would span ~10¹⁰ sidebands: like a CSA, the
    site must fall back to its static shape (satellites and central transition alike)."""
    site = Site("51V", -500, -300, 0.6, 2000, cq_mhz=2.0, eta_q=0.3, euler_deg=(35, 70, 120))
    ppm = np.linspace(1500, -2500, 2048)
    crawl = mas_spectrum([site], 14.1, 0.001, ppm)
    static = mas_spectrum([site], 14.1, 0.0, ppm)
    np.testing.assert_allclose(crawl, static, atol=1e-6 * static.max())
