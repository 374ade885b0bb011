"""Half-integer quadrupolar nuclei in qdkit.mas: 79Br, 133Cs, 115In against theory and mrsimulator."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit import nuclei
from qdkit.mas import Site, mas_spectrum
from qdkit.mrsim import mrsim_spectra_isolated
from qdkit.quadrupolar import second_order_shifts_hz, transition_weights


@pytest.mark.parametrize("spin, expected", [(1.5, [3, 4, 3]), (3.5, [7, 12, 15, 16, 15, 12, 7])])
def test_nonselective_transition_intensities_follow_i_i_plus_1_minus_m_m_minus_1(spin, expected):
    _, w = transition_weights(spin)
    np.testing.assert_allclose(w, np.array(expected) / sum(expected))


@pytest.mark.parametrize("two_i, eta_q", [(3, 0.0), (7, 0.5), (9, 1.0)])
def test_central_transition_isotropic_shift_is_the_textbook_value(two_i, eta_q):
    """Powder average of the second-order CT shift under MAS:
    −(ν_Q²/30ν0)·[I(I+1) − 3/4]·(1 + η²/3), ν_Q = 3C_Q/(2I(2I−1)) (e.g. Freude, Encycl.
    Anal. Chem. 2000). The engine gets it from perturbation theory, not from this formula."""
    spin, cq_mhz, larmor_mhz = two_i / 2, 2.0, 100.0
    shifts, weight = second_order_shifts_hz(two_i, cq_mhz, eta_q, larmor_mhz, True)
    nu_q = 3 * cq_mhz * 1e6 / (2 * spin * (2 * spin - 1))
    expected = -(nu_q**2 / (30 * larmor_mhz * 1e6)) * (spin * (spin + 1) - 0.75) * (1 + eta_q**2 / 3)
    assert weight @ shifts[:, two_i // 2] == pytest.approx(expected, rel=1e-6)


def test_central_transition_under_mas_narrows_about_threefold_from_static():
    """The MAS central-transition pattern (rank-4 part scaled by P4(cos θm) = −7/18) is
    roughly 3–4 times narrower than the static one (η = 0: ~3.6)."""
    ppm = np.linspace(200, -300, 4096)
    site = Site("115In", 0, 0, 0, fwhm_hz=200, cq_mhz=10, eta_q=0.0)

    def span(y):
        above = ppm[y > 0.05 * y.max()]
        return above.max() - above.min()

    static = mas_spectrum([site], 9.4, 0, ppm, transitions="central")
    spinning = mas_spectrum([site], 9.4, 20_000, ppm, transitions="central")
    assert 2.5 < span(static) / span(spinning) < 4.5


CASES = [
    # KBr-like 79Br: cubic site with a small distributed coupling, satellites as sidebands
    (Site("79Br", 60, 0, 0, 200, cq_mhz=0.1), 9.4, 2_000.0, (560.0, -440.0, 8192), "all"),
    # 133Cs with a CSA (CsPbBr3-like surface Cs, SI Fig. S10)
    # (800 Hz lines: 12 points per width on this wide axis, or mrsimulator's binning shows)
    (Site("133Cs", 50, 100, 0.8, 800, cq_mhz=1.0, eta_q=0.7), 9.4, 10_000.0, (5050.0, -4950.0, 8192), "all"),
    # 115In central transition with a large coupling
    (Site("115In", 100, 0, 0, 500, cq_mhz=8, eta_q=0.3), 9.4, 10_000.0, (400.0, -400.0, 4096), "central"),
]


@pytest.fixture(scope="module")
def oracle():
    return mrsim_spectra_isolated(
        [
            dict(sites=[s], field_T=b, mas_hz=r, ppm=np.linspace(*axis), options={"transitions": tr})
            for s, b, r, axis, tr in CASES
        ]
    )


@pytest.mark.parametrize("case", range(len(CASES)))
def test_quadrupolar_spectra_agree_with_mrsimulator(case, oracle):
    """Within 3 % of the tallest peak on these free axes: mrsimulator puts each quadrupolar
    line into its nearest axis point (up to half a point off; tests/test_mas_euler.py
    aligns the axis and holds 2 %), and both programs sample the powder pattern."""
    site, field_T, mas_hz, axis, transitions = CASES[case]
    ppm = np.linspace(*axis)
    ours = mas_spectrum([site], field_T, mas_hz, ppm, transitions=transitions)
    theirs = oracle[case]
    assert np.abs(ours - theirs).max() < 0.03 * theirs.max()
    h = abs(ppm[1] - ppm[0])
    assert ours.sum() * h == pytest.approx(1.0, abs=0.01)


def test_satellite_sidebands_of_79br_sit_at_multiples_of_the_spin_rate():
    ppm = np.linspace(560.0, -440.0, 8192)
    ref = nuclei.get("79Br").reference_mhz(9.4)
    y = mas_spectrum([Site("79Br", 60, 0, 0, 200, cq_mhz=0.1)], 9.4, 5_000, ppm)
    for k in (-3, -1, 1, 2, 4):
        i = np.argmin(np.abs(ppm - (60 + k * 5_000 / ref)))
        window = y[i - 20 : i + 21]
        assert window.argmax() == pytest.approx(20, abs=2)
        assert window.max() > 0.01 * y.max()
