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
def test_surface_cd_correlates_with_carboxylate_and_core_cd_does_not_at_3_ms(cdse4):
    # P9, Figure 4: R3 recoupling, 3 ms: the -317 ppm (surface) Cd correlates with the
    # carboxylate 13C, the -20 ppm (core) Cd shows nothing.
    c = hmqc.correlation(cdse4, recoupling_ms=3.0, scheme="R3")
    assert c.surface >= 10 * c.core
    # the Cd that carry the carboxylates give the strongest cross-peaks
    top = c.site_index[np.argsort(c.site_intensity)[-20:]]
    assert np.all(cdse4.is_shell[top])


@pytest.mark.paper
def test_longer_recoupling_lets_the_core_cd_appear(cdse4):
    # Trend not used to set any default: surface cross-peaks saturate while the weak, long-
    # distance core couplings keep growing, so the surface/core contrast drops with time.
    ratios = [hmqc.correlation(cdse4, recoupling_ms=t).surface_to_core for t in (1.0, 3.0, 6.0, 10.0)]
    assert all(a > b for a, b in zip(ratios, ratios[1:]))
    surf = [hmqc.correlation(cdse4, recoupling_ms=t).surface for t in (0.5, 1.5, 3.0, 6.0)]
    assert surf[0] < surf[1] < surf[2]
    assert surf[3] / surf[2] < 1.3  # saturating


def test_r3_scaling_factor_matches_a_direct_two_spin_propagation():
    # Rotary resonance nu1 = nuR on the observed spin, 27 rotor periods at 9 kHz (3 ms):
    # <I_x> must evolve as cos(kappa b |sin 2beta| tau) with kappa = sqrt(2)/4.
    nu_r, b_hz, n_rot, steps = 9000.0, 264.0, 27, 120
    wr, b = 2 * np.pi * nu_r, 2 * np.pi * b_hz
    ix = np.array([[0, 0.5], [0.5, 0]], complex)
    iz = np.diag([0.5, -0.5]).astype(complex)
    dt = 1 / nu_r / steps
    for beta, gamma in ((0.4, 0.0), (np.pi / 4, 1.3), (1.1, 2.5)):
        u_rotor = np.eye(2, dtype=complex)
        for k in range(steps):
            phase = wr * (k + 0.5) * dt + gamma
            d = b * (np.sin(2 * beta) / np.sqrt(2) * np.cos(phase) + 0.5 * np.sin(beta) ** 2 * np.cos(2 * phase))
            # S_z = +1/2 branch of 2 I_z S_z
            u_rotor = expm(-1j * (wr * ix + d * iz) * dt) @ u_rotor
        u = np.linalg.matrix_power(u_rotor, n_rot)
        signal = np.real(np.trace(u @ ix @ u.conj().T @ ix)) / 0.5
        kappa = hmqc.SCHEMES["R3"].kappa
        expected = np.cos(kappa * b * abs(np.sin(2 * beta)) * n_rot / nu_r)
        assert signal == pytest.approx(expected, abs=2e-3)


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
        slow = hmqc.powder_sin2(x, scheme, n_beta=1000)
        assert np.max(np.abs(fast - slow)) < 2e-4


def test_dipolar_couplings_of_textbook_pairs():
    assert hmqc.dipolar_coupling_hz("1H", "13C", 1.09) == pytest.approx(23.3e3, rel=0.005)
    assert hmqc.dipolar_coupling_hz("13C", "111Cd", 2.9) == pytest.approx(264.0, rel=0.005)


def test_sr4_transfers_less_than_r3_at_short_times():
    # smaller kappa and <sin^4 beta> = 8/15 vs <sin^2 2beta> = 8/15: ratio (0.25/0.354)^2
    b = hmqc.dipolar_coupling_hz("13C", "111Cd", 3.0)
    r3 = hmqc.pair_transfer(b, 0.05, scheme="R3")
    sr4 = hmqc.pair_transfer(b, 0.05, scheme="SR4")
    assert sr4 / r3 == pytest.approx((0.25 / (np.sqrt(2) / 4)) ** 2, rel=0.01)


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
