"""D-HMQC prediction: recoupling scaling, powder averages, surface vs core Cd correlations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from qdkit import hmqc, nanocrystal
from qdkit.errors import ModelParameterError


@pytest.fixture(scope="module")
def cdse4():
    # Figure 4: 13C-1-oleate-capped 4 nm ZB-CdSe, CdSe_core(CdX2)_shell
    return nanocrystal.build("CdSe", 4.0, shell="CdX2", ligand="oleate")


@pytest.mark.paper
def test_consistency_surface_cd_correlates_with_carboxylate_and_core_cd_does_not_at_3_ms(cdse4):
    # P9, Figure 4: R3 recoupling, 3 ms: the -317 ppm (surface) Cd correlates with the
    # carboxylate 13C, the -20 ppm (core) Cd shows nothing.
    c = hmqc.correlation(cdse4, recoupling_ms=3.0, scheme="R3")
    assert c.surface >= 10 * c.core
    # the Cd that carry the carboxylates give the strongest cross-peaks
    top = c.site_index[np.argsort(c.site_intensity)[-20:]]
    assert np.all(cdse4.is_shell[top])


@pytest.mark.paper
def test_figure_4_cd_projection_is_dominated_by_the_surface_manifold(cdse4):
    # Figure 4 setup: 9.4 T, 9 kHz MAS, 111Cd surface -317 ppm (CSA 416 ppm), core -20 ppm,
    # both ~4 kHz wide (Figure 3a)
    from qdkit.mas import Site

    ppm = np.linspace(600, -1200, 4096)
    surface = Site("111Cd", -317.0, 416.0, 0.3, fwhm_hz=4000.0)
    core = Site("111Cd", -20.0, fwhm_hz=4000.0)
    y = hmqc.indirect_projection(
        cdse4, core_site=core, surface_site=surface, field_T=9.4, mas_hz=9000.0, ppm=ppm, recoupling_ms=3.0
    )
    # the tallest point belongs to the surface manifold (centreband or a sideband, spaced
    # by 9 kHz / 84.91 MHz = 106 ppm), and the core line reaches under half its height
    spacing = 9000.0 / 84.91
    k = (ppm[np.argmax(y)] + 317.0) / spacing
    assert abs(k - round(k)) * spacing < 30.0
    c = hmqc.correlation(cdse4, recoupling_ms=3.0)
    from qdkit import mas

    core_height = c.core * mas.mas_spectrum([core], 9.4, 9000.0, ppm).max()
    assert core_height < 0.5 * y.max()
    assert y.sum() * abs(ppm[1] - ppm[0]) == pytest.approx(c.surface + c.core, rel=0.02)


@pytest.mark.paper
def test_longer_recoupling_lets_the_core_cd_appear(cdse4):
    # Trend not used to set any default: surface cross-peaks saturate while the weak, long-
    # distance core couplings keep growing, so the surface/core contrast drops with time.
    times = (1.0, 3.0, 6.0, 10.0)
    ratios = [hmqc.correlation(cdse4, recoupling_ms=t).surface_to_core for t in times]
    assert all(a > b for a, b in zip(ratios, ratios[1:]))
    surf = [hmqc.correlation(cdse4, recoupling_ms=t).surface for t in (0.5, 1.5, 3.0, 6.0)]
    assert surf[0] < surf[1] < surf[2]
    assert surf[3] / surf[2] < 1.3  # saturating


_IX = np.array([[0, 0.5], [0.5, 0]], complex)
_IY = np.array([[0, -0.5j], [0.5j, 0]])
_IZ = np.diag([0.5, -0.5]).astype(complex)


def _rotor_propagator(b, nu_r, beta, gamma, rf, steps):
    """One rotor period of H = rf(t) + b·[MAS dipolar modulation]·I_z (S_z = +1/2 branch)."""
    wr = 2 * np.pi * nu_r
    dt = 1 / nu_r / steps
    u = np.eye(2, dtype=complex)
    for k in range(steps):
        phase = wr * (k + 0.5) * dt + gamma
        d = b * (np.sin(2 * beta) / np.sqrt(2) * np.cos(phase) + 0.5 * np.sin(beta) ** 2 * np.cos(2 * phase))
        u = expm(-1j * (rf(k / steps) + d * _IZ) * dt) @ u
    return u


def _ix_after(u):
    return np.real(np.trace(u @ _IX @ u.conj().T @ _IX)) / 0.5


def test_r3_scaling_factor_matches_a_direct_two_spin_propagation():
    # Rotary resonance nu1 = nuR on the observed spin, 27 rotor periods at 9 kHz (3 ms):
    # <I_x> must evolve as cos(kappa b |sin 2beta| tau) with kappa = sqrt(2)/4, any gamma.
    nu_r, b, n_rot = 9000.0, 2 * np.pi * 264.0, 27
    for beta, gamma in ((0.4, 0.0), (np.pi / 4, 1.3), (1.1, 2.5)):
        u = _rotor_propagator(b, nu_r, beta, gamma, lambda f: 2 * np.pi * nu_r * _IX, 120)
        kappa = hmqc.SCHEMES["R3"].kappa
        expected = np.cos(kappa * b * abs(np.sin(2 * beta)) * n_rot / nu_r)
        assert _ix_after(np.linalg.matrix_power(u, n_rot)) == pytest.approx(expected, abs=2e-3)


def test_sr4_scaling_factor_matches_a_direct_two_spin_propagation():
    # R4(1,2): four pi pulses per rotor period with phases +90/-90 deg, alternated with the
    # phase-inverted element; <I_x> evolves as cos(b/4 sin^2 beta cos 2gamma tau).
    nu_r, b, n_rot = 10000.0, 2 * np.pi * 300.0, 20
    w1 = 4 * np.pi * nu_r

    def element(sign):
        def rf(frac):
            phi = np.deg2rad(sign * (90 if int(frac * 4) % 2 == 0 else -90))
            return w1 * (np.cos(phi) * _IX + np.sin(phi) * _IY)

        return rf

    for beta, gamma in ((np.pi / 2, 0.0), (1.0, np.pi / 8)):
        pair = _rotor_propagator(b, nu_r, beta, gamma, element(-1), 80) @ _rotor_propagator(
            b, nu_r, beta, gamma, element(+1), 80
        )
        kappa = hmqc.SCHEMES["SR4"].kappa
        expected = np.cos(kappa * b * np.sin(beta) ** 2 * np.cos(2 * gamma) * n_rot / nu_r)
        signal = _ix_after(np.linalg.matrix_power(pair, n_rot // 2))
        assert signal == pytest.approx(expected, abs=5e-3)


def test_pair_transfer_falls_as_r_to_the_minus_six_at_short_times():
    b = hmqc.dipolar_coupling_hz("13C", "111Cd", np.array([3.0, 4.5, 6.0]))
    t = hmqc.pair_transfer(b, 0.02)
    assert t[0] / t[1] == pytest.approx((4.5 / 3.0) ** 6, rel=0.01)
    assert t[0] / t[2] == pytest.approx(2.0**6, rel=0.01)


def test_pair_transfer_rises_then_oscillates_about_one_half():
    b = hmqc.dipolar_coupling_hz("13C", "111Cd", 2.9)
    tau = np.linspace(0.01, 15.0, 600)
    t = hmqc.pair_transfer(b, tau)
    first_max = np.argmax(np.diff(t) < 0)
    assert 0.6 < t[first_max] < 0.8  # overshoots the powder limit
    assert np.all(np.diff(t[:first_max]) > 0)
    assert t[first_max:].min() < 0.45  # then oscillates
    assert np.mean(t[-200:]) == pytest.approx(0.5, abs=0.05)


def test_interpolated_powder_average_matches_the_quadrature():
    x = np.geomspace(1e-4, 30.0, 200)
    for scheme in ("R3", "SR4"):
        kappa = hmqc.SCHEMES[scheme].kappa
        fast = hmqc.pair_transfer(x / (2 * np.pi * kappa * 1e-3), 1.0, scheme=scheme)
        slow = hmqc.powder_sin2(x, scheme, n_beta=600)
        assert np.max(np.abs(fast - slow)) < 2e-4


def test_dipolar_couplings_of_textbook_pairs():
    assert hmqc.dipolar_coupling_hz("1H", "13C", 1.09) == pytest.approx(23.3e3, rel=0.005)
    assert hmqc.dipolar_coupling_hz("13C", "111Cd", 2.9) == pytest.approx(264.0, rel=0.005)


def test_sr4_transfers_a_quarter_of_r3_at_short_times():
    # <sin^4 beta> = <sin^2 2beta> = 8/15, <cos^2 2gamma> = 1/2: (0.25/0.354)^2 / 2 = 1/4
    b = hmqc.dipolar_coupling_hz("13C", "111Cd", 3.0)
    r3 = hmqc.pair_transfer(b, 0.05, scheme="R3")
    sr4 = hmqc.pair_transfer(b, 0.05, scheme="SR4")
    assert sr4 / r3 == pytest.approx(0.25, rel=0.01)


def test_powder_average_over_gamma_is_the_bessel_function():
    # brute-force gamma grid for the non-gamma-encoded SR4 at one x
    x = 1.7
    beta, w = np.polynomial.legendre.leggauss(200)
    cosb = 0.5 * (beta + 1)
    sin2 = 1 - cosb**2
    gamma = np.linspace(0, np.pi, 2001)[:-1]
    brute = np.mean(np.sin(x * sin2[:, None] * np.cos(2 * gamma)) ** 2, axis=1) @ (0.5 * w)
    assert hmqc.powder_sin2(x, "SR4", n_beta=200) == pytest.approx(brute, abs=1e-6)


def test_label_fraction_and_abundance_scale_every_cross_peak(cdse4):
    a = hmqc.correlation(cdse4, label_fraction=0.27)
    b = hmqc.correlation(cdse4, label_fraction=0.54)
    assert b.surface == pytest.approx(2 * a.surface) and b.core == pytest.approx(2 * a.core)
    # short recoupling (quadratic regime): intensity ∝ abundance × γ²
    a, c = (hmqc.correlation(cdse4, indirect=n, recoupling_ms=0.2) for n in ("111Cd", "113Cd"))
    expected = (5.9609155 / 5.6983131) ** 2 * 12.22 / 12.80
    assert c.surface / a.surface == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize(
    "call",
    [
        lambda: hmqc.correlation(nanocrystal.build("CdSe", 4.0)),
        lambda: hmqc.correlation(nanocrystal.build("CdSe", 4.0, shell="CdX2"), observed="31P"),
        lambda: hmqc.correlation(nanocrystal.build("CdSe", 4.0, shell="CdX2"), scheme="REDOR"),
        lambda: hmqc.correlation(nanocrystal.build("CdSe", 4.0, shell="CdX2"), label_fraction=0),
        lambda: hmqc.pair_transfer(100.0, -1.0),
        lambda: hmqc.dipolar_coupling_hz("13C", "111Cd", 0.0),
    ],
)
def test_invalid_input_raises_model_parameter_error(call):
    with pytest.raises(ModelParameterError):
        call()


def test_phosphonate_capped_cdse_correlates_31p_with_surface_cd():
    # same model, another head atom: 31P of a phosphonate (100 % abundant, 3.3 Å from Cd)
    dot = nanocrystal.build("CdSe", 4.0, shell="CdX2", ligand="phosphonate")
    c = hmqc.correlation(dot, observed="31P", label_fraction=1.0, recoupling_ms=1.0)
    assert c.surface >= 10 * c.core
