"""Cross-polarization kinetics: second moments, the I–S buildup, core vs surface, fits."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit import cp, nanocrystal
from qdkit.errors import ModelParameterError
from qdkit.nanocrystal import ProtonLayer


@pytest.fixture(scope="module")
def inp3():
    # SI Figure S3: myristate-capped 3 nm InP in TCE
    return nanocrystal.build("InP", 3.0, ligand="myristate")


@pytest.mark.paper
def test_inp_core_to_surface_31p_ratio_grows_from_1p5_to_5_ms_contact(inp3):
    # P6, SI Figure S3: at 1.5 ms the surface signal dominates, at 5 ms the core grows.
    # The lattice-class model only shows the direction (its ×1.24 sits in the initial-rate
    # regime); the species-aware model (tests/test_cp_species.py) explains the paper's P6.
    core, surface = cp.core_surface_signal(inp3, "31P", np.array([1.5, 5.0]))
    ratio = core / surface
    assert ratio[1] / ratio[0] > 1.0
    # at 1.5 ms a surface P gives several times the signal of a core P
    m = inp3.mask("P")
    n_surf, n_core = inp3.is_surface[m].sum(), (~inp3.is_surface[m]).sum()
    assert (surface[0] / n_surf) / (core[0] / n_core) >= 2.0


@pytest.mark.paper
def test_short_contact_selects_the_surface_and_long_contact_reaches_the_core(inp3):
    # Trend the defaults were not tuned on: the surface share falls steadily with contact.
    t = np.array([0.2, 0.5, 1.5, 5.0, 10.0, 15.0])
    core, surface = cp.core_surface_signal(inp3, "31P", t)
    share = surface / (core + surface)
    assert np.all(np.diff(share) < 0)
    # at long contact the share approaches the atom fraction (0.27) from above
    assert share[-1] > inp3.surface_fraction("P")


def test_larger_dots_show_a_smaller_surface_share_at_the_same_contact_time():
    shares = []
    for d in (3.0, 4.0, 6.0):
        core, surface = cp.core_surface_signal(nanocrystal.build("InP", d, ligand="myristate"), "31P", 1.5)
        shares.append(surface / (core + surface))
    assert shares[0] > shares[1] > shares[2]


def test_site_transfer_time_grows_with_depth(inp3):
    t_is = cp.site_transfer_times_ms(inp3, "31P")
    depth = inp3.depth_A[inp3.mask("P")]
    assert np.median(t_is[depth == 0]) < np.median(t_is[depth > 5]) / 3
    # Σ r⁻⁶ falls like (distance to the protons)⁻³ for a planar proton layer: T_IS rises
    corr = np.corrcoef(depth, np.log(t_is))[0, 1]
    assert corr > 0.8


def test_r6_sum_from_a_centred_site_is_the_closed_form():
    layers = (ProtonLayer(10.0, 20.0, 0.05), ProtonLayer(20.0, np.inf, 0.01))
    expected = 4 * np.pi / 3 * (0.05 * (10.0**-3 - 20.0**-3) + 0.01 * 20.0**-3)
    assert cp.proton_r6_sum(0.0, layers) == pytest.approx(expected, rel=1e-9)


def test_r6_sum_near_a_large_sphere_is_the_half_space_value():
    # a site h below a flat proton half-space of density n sees Σ r⁻⁶ = π n / (6 h³)
    h, n, big = 3.0, 0.06, 1e5
    layers = (ProtonLayer(big, np.inf, n),)
    assert cp.proton_r6_sum(big - h, layers) == pytest.approx(np.pi * n / (6 * h**3), rel=1e-3)


def test_r6_sum_matches_a_sum_over_explicit_protons():
    rng = np.random.default_rng(7)
    n_pts, r_in, r_out = 400_000, 12.0, 18.0
    u = rng.normal(size=(n_pts, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    r = (r_in**3 + rng.random(n_pts) * (r_out**3 - r_in**3)) ** (1 / 3)
    protons = u * r[:, None]
    density = n_pts / (4 / 3 * np.pi * (r_out**3 - r_in**3))
    site = np.array([6.0, 0.0, 0.0])
    explicit = np.sum(np.linalg.norm(protons - site, axis=1) ** -6.0)
    analytic = cp.proton_r6_sum(6.0, (ProtonLayer(r_in, r_out, density),))
    assert analytic == pytest.approx(explicit, rel=0.02)


def test_van_vleck_second_moment_of_one_ch_pair():
    # one H at 1.09 Å: b/2π = 23.33 kHz, powder M2 = (4/15)·I(I+1)·b² = b²/5
    b = 2 * np.pi * 23328.0
    assert cp.heteronuclear_second_moment("13C", 1.09**-6) == pytest.approx(b**2 / 5, rel=1e-3)


def test_rigid_carbonyl_transfer_time_is_a_fraction_of_a_millisecond():
    # calibration check quoted at TAU_C_US: glycine-like C=O, Σ r⁻⁶ ≈ 0.04 Å⁻⁶
    assert 0.1 <= cp.transfer_time_ms("13C", 0.04) <= 0.5


def test_cp_gain_bound_is_the_gyromagnetic_ratio():
    assert cp.cp_gain_bound("31P") == pytest.approx(2.468, rel=1e-3)
    assert cp.cp_gain_bound("113Cd") == pytest.approx(4.488, rel=1e-3)


def test_buildup_limits():
    t = np.linspace(0, 50, 501)
    s = cp.buildup(t, 0.5, 200.0)
    assert s[0] == 0
    # T_IS ≪ T1ρ: the buildup nearly reaches the gain bound before T1ρ takes it away
    t_peak = np.log(200.0 / 0.5) * 0.5 * 200.0 / (200.0 - 0.5)
    assert 0.97 < s.max() < 1.0
    assert t[np.argmax(s)] == pytest.approx(t_peak, abs=0.1)
    # initial slope 1/T_IS
    assert cp.buildup(1e-4, 0.5, 200.0) / 1e-4 == pytest.approx(2.0, rel=1e-3)
    # T_IS = T1ρ is the smooth limit (t/T) e^{−t/T}
    nearby = cp.buildup(3.0, 5.0 * (1 + 1e-4), 5.0)
    assert cp.buildup(3.0, 5.0, 5.0) == pytest.approx(nearby, rel=1e-3)
    assert cp.buildup(3.0, 5.0, 5.0) == pytest.approx(0.6 * np.exp(-0.6))


def test_dnp_and_relaxation_act_as_expected(inp3):
    c1, s1 = cp.core_surface_signal(inp3, "31P", 2.0)
    c80, s80 = cp.core_surface_signal(inp3, "31P", 2.0, dnp_enhancement=80)
    assert c80 == pytest.approx(80 * c1) and s80 == pytest.approx(80 * s1)
    c_short, _ = cp.core_surface_signal(inp3, "31P", 2.0, t1rho_ms=5.0)
    assert c_short < c1
    c_fast, s_fast = cp.core_surface_signal(inp3, "31P", 2.0, tau_c_us=40.0)
    assert c_fast > c1 and s_fast > s1


def test_a_perdeuterated_sample_gives_no_cp_signal():
    dot = nanocrystal.build("InP", 3.0, ligand="myristate", protons_per_ligand=0, solvent_h_per_A3=0.0)
    core, surface = cp.core_surface_signal(dot, "31P", np.array([1.0, 5.0]))
    assert np.all(core == 0) and np.all(surface == 0)


def test_binned_signal_equals_the_site_sum(inp3):
    t = np.array([0.3, 1.5, 7.0])
    core, surface = cp.core_surface_signal(inp3, "31P", t)
    depth, per_site = cp.signal_by_depth(inp3, "31P", 1.5)
    gain = cp.cp_gain_bound("31P")
    surf = inp3.is_surface[inp3.mask("P")]
    assert surface[1] == pytest.approx(gain * per_site[surf].sum(), rel=1e-3)
    assert core[1] == pytest.approx(gain * per_site[~surf].sum(), rel=1e-3)
    assert np.all(depth[surf] == 0)


def test_fit_recovers_a_synthetic_buildup_within_its_errors():
    rng = np.random.default_rng(3)
    t = np.array([0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 12, 20])
    sigma = 0.02
    y = 3.0 * cp.buildup(t, 1.2, 15.0) + rng.normal(0, sigma, t.size)
    fit = cp.fit_buildup(t, y, sigma=np.full(t.size, sigma))
    assert abs(fit.t_is_ms - 1.2) < 4 * fit.t_is_err_ms
    assert abs(fit.t1rho_ms - 15.0) < 4 * fit.t1rho_err_ms
    assert abs(fit.amplitude - 3.0) < 4 * fit.amplitude_err
    assert fit.t_is_err_ms < 0.1 and fit.t_is_ms < fit.t1rho_ms
    assert fit.curve(t) == pytest.approx(y, abs=4 * sigma)


def test_fit_returns_the_branch_with_transfer_faster_than_t1rho():
    t = np.linspace(0.2, 30, 25)
    # the same curve written with T_IS and T1ρ swapped (amplitude rescaled)
    y = 2.0 * (8.0 / 1.5) * cp.buildup(t, 8.0, 1.5)
    fit = cp.fit_buildup(t, y)
    assert fit.t_is_ms == pytest.approx(1.5, rel=1e-3)
    assert fit.t1rho_ms == pytest.approx(8.0, rel=1e-3)
    assert fit.amplitude == pytest.approx(2.0, rel=1e-3)


@pytest.mark.parametrize(
    "call",
    [
        lambda: cp.buildup(1.0, -1.0, 10.0),
        lambda: cp.buildup(-1.0, 1.0, 10.0),
        lambda: cp.fit_buildup([1, 2, 3], [1, 2, 3]),
        lambda: cp.fit_buildup([1, 2, 3, 4], [1, np.nan, 3, 4]),
        lambda: cp.core_surface_signal(nanocrystal.build("InP", 3.0, ligand="myristate"), "113Cd", 1.0),
        lambda: cp.core_surface_signal(
            nanocrystal.build("InP", 3.0, ligand="myristate"), "31P", 1.0, dnp_enhancement=0
        ),
    ],
)
def test_invalid_input_raises_model_parameter_error(call):
    with pytest.raises(ModelParameterError):
        call()
