"""Recovery and DNP build-up fits (qdkit.relaxation): mono-, stretched- and bi-exponential, σ, BIC, recycle delay.

Synthetic curves (labelled SYNTHETIC) have a known truth; the real ones are DNPLab's 1H ODNP
inversion recoveries (compared with DNPLab's own T1 CSV) and ssNake's 87Rb saturation recovery.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from conftest import odnp_inversion_recovery

import qdkit
from qdkit import relaxation, twod
from qdkit.errors import ProcessingError
from qdkit.models import sensitivity

DELAYS_S = np.geomspace(0.05, 60.0, 12)


def _noisy(model, params, sigma, seed, delays=DELAYS_S):
    rng = np.random.default_rng(seed)
    return relaxation.recovery_curve(delays, model, params) + rng.normal(0.0, sigma, delays.size)


def test_mono_exponential_buildup_gives_t_b_and_the_sensitivity_optimum():
    """SYNTHETIC: T_B = 5 s, S∞ = 100, 1 % noise. The BIC keeps the mono-exponential, and
    the optimal recycle delay sits where d/dd[(1 − e^(−d/T_B))/√d] = 0, i.e. 2x = e^x − 1."""
    truth = {"m_inf": 100.0, "efficiency": 1.0, "t_s": 5.0}
    choice = relaxation.fit_recovery_models(DELAYS_S, _noisy("mono", truth, 1.0, 3), kind="buildup")
    assert choice.best.model == "mono"
    t_b = choice.best.params["t_s"]
    assert t_b.determined and t_b.value == pytest.approx(5.0, abs=3 * t_b.sigma)
    d = choice.best.optimal_recycle
    x = d.value / t_b.value
    assert 2 * x == pytest.approx(math.expm1(x), rel=1e-6)
    assert d.sigma == pytest.approx(x * t_b.sigma, rel=0.02)  # σ(d) = (d/T)·σ(T) for a mono-exponential


def test_stretched_buildup_is_chosen_and_its_beta_recovered():
    """SYNTHETIC: β = 0.6 (between the Tse–Hartmann 1/2 of no spin diffusion and 1)."""
    truth = {"m_inf": 100.0, "efficiency": 1.0, "t_s": 4.0, "beta": 0.6}
    choice = relaxation.fit_recovery_models(DELAYS_S, _noisy("stretched", truth, 0.5, 5), kind="buildup")
    assert choice.best.model == "stretched"
    assert choice.delta_bic["mono"] > 10  # the mono-exponential is strongly disfavoured
    beta = choice.best.params["beta"]
    assert beta.value == pytest.approx(0.6, abs=3 * beta.sigma)
    assert choice.best.params["t_s"].value == pytest.approx(4.0, abs=3 * choice.best.params["t_s"].sigma)
    assert choice.best.optimal_recycle.determined


def test_stretched_beta_of_one_half_has_no_recycle_optimum_above_zero():
    """SYNTHETIC: for β ≤ 1/2 (1 − e^(−(d/T)^β))/√d grows as d → 0; qdkit says so instead of a σ."""
    truth = {"m_inf": 100.0, "efficiency": 1.0, "t_s": 5.0, "beta": 0.45}
    fit = relaxation.fit_recovery(DELAYS_S, _noisy("stretched", truth, 0.3, 8), kind="buildup", model="stretched")
    assert fit.params["beta"].value < 0.5
    assert not fit.optimal_recycle.determined and fit.optimal_recycle.sigma is None
    assert "shortest delay" in fit.optimal_recycle.note


def test_two_reservoir_buildup_is_resolved_into_fast_and_slow_parts():
    """SYNTHETIC: 40 % at 0.5 s (near the radicals) and 60 % at 20 s (the core)."""
    truth = {"m_inf": 100.0, "efficiency": 1.0, "t_fast_s": 0.5, "t_slow_s": 20.0, "fraction_fast": 0.4}
    choice = relaxation.fit_recovery_models(DELAYS_S, _noisy("bi", truth, 0.3, 11), kind="buildup")
    assert choice.best.model == "bi"
    p = choice.best.params
    for name in ("t_fast_s", "t_slow_s", "fraction_fast"):
        assert p[name].determined
        assert p[name].value == pytest.approx(truth[name], abs=3 * p[name].sigma)


def test_inversion_recovery_efficiency_near_two():
    """SYNTHETIC: T1 = 0.8 s, an imperfect inversion (k = 1.9)."""
    truth = {"m_inf": 50.0, "efficiency": 1.9, "t_s": 0.8}
    tau = np.geomspace(0.01, 6.0, 12)
    fit = relaxation.fit_recovery(tau, _noisy("mono", truth, 0.5, 2, tau), kind="inversion")
    k = fit.params["efficiency"]
    assert k.value == pytest.approx(1.9, abs=3 * k.sigma)
    assert fit.params["t_s"].value == pytest.approx(0.8, abs=3 * fit.params["t_s"].sigma)


@pytest.mark.parametrize("known_sigma", [False, True])
def test_one_sigma_of_t_b_covers_the_truth_about_two_thirds_of_the_time(known_sigma):
    """SYNTHETIC, 200 noise realisations. With σ given the interval is a Gaussian 1σ (68 %);
    estimated from the residuals (12 points, 3 parameters) it is Student-t with 9 degrees of
    freedom (66 %). Either must land in 60–76 % (binomial 2σ for 200 trials is ±6.6 %)."""
    truth = {"m_inf": 100.0, "efficiency": 1.0, "t_s": 5.0}
    noise = 2.0
    covered = 0
    for seed in range(200):
        y = _noisy("mono", truth, noise, 1000 + seed)
        fit = relaxation.fit_recovery(DELAYS_S, y, kind="buildup", sigma=noise if known_sigma else None)
        t = fit.params["t_s"]
        covered += abs(t.value - 5.0) <= t.sigma
    assert 0.60 <= covered / 200 <= 0.76


def test_a_curve_that_never_recovers_leaves_its_time_constant_undetermined():
    """SYNTHETIC: T_B = 100 s sampled only up to 2 s; S∞ and T trade off, so T gets no σ."""
    truth = {"m_inf": 100.0, "efficiency": 1.0, "t_s": 100.0}
    tau = np.linspace(0.1, 2.0, 10)
    fit = relaxation.fit_recovery(tau, _noisy("mono", truth, 0.05, 4, tau), kind="buildup")
    assert "t_s" in fit.undetermined
    assert fit.params["t_s"].sigma is None and fit.params["t_s"].note
    assert not fit.optimal_recycle.determined


def test_kernel_recycle_search_agrees_with_the_mono_exponential_root():
    """The grid-and-bracket maximiser used for stretched and bi-exponential curves finds, for
    a mono-exponential kernel, the root of 2x = e^x − 1 that qdkit.models.sensitivity solves."""
    for t_b in (0.3, 2.0, 40.0):
        searched = relaxation.optimal_recycle_for_kernel_s(lambda d, t=t_b: np.exp(-d / t), t_b)
        assert searched == pytest.approx(sensitivity.optimal_recycle_s(t_b), rel=1e-6)
        x = searched / t_b
        assert 2 * x == pytest.approx(math.expm1(x), rel=1e-5)


def test_bad_curves_are_refused_with_a_reason():
    with pytest.raises(ProcessingError, match="free parameters"):
        relaxation.fit_recovery([0.1, 1.0, 2.0], [0.0, 5.0, 7.0], model="mono")
    with pytest.raises(ProcessingError, match="negative"):
        relaxation.fit_recovery([-1.0, 1.0, 2.0, 3.0, 4.0], [0, 1, 2, 3, 4])
    with pytest.raises(ProcessingError, match="kind"):
        relaxation.fit_recovery(DELAYS_S, DELAYS_S, kind="echo")
    choice = relaxation.fit_recovery_models(DELAYS_S[:4], [1.0, 2.0, 3.0, 3.5], kind="buildup")
    assert set(choice.skipped) == {"stretched", "bi"}  # 4 points: only the mono-exponential fits


# --- real data ------------------------------------------------------------------------


@pytest.mark.parametrize("expno", [28, 304])
def test_odnp_inversion_recovery_models_against_dnplab(real_data, expno):
    """1H T1 of DNPLab's ODNP sample (28: microwaves on, 304: off), 8 delays 20 ms – 30 s.

    The mono-exponential T1 matches DNPLab's CSV within 10 % (DNPLab also aligns the rows in
    frequency; see test_twod) with a σ below 5 %. The BIC keeps the mono-exponential: a
    stretched fit runs onto β = 1 and the 5-parameter bi-exponential finds no second
    component, and both are flagged as undetermined rather than given a σ.
    """
    delays, integrals, (t1_dnplab, _) = odnp_inversion_recovery(real_data, expno)
    choice = relaxation.fit_recovery_models(delays, integrals, kind="inversion")
    assert choice.best.model == "mono"
    t1 = choice.best.params["t_s"]
    assert t1.determined and t1.value == pytest.approx(t1_dnplab, rel=0.10)
    assert t1.sigma < 0.05 * t1.value
    print(f"\nDNPLab expno {expno}: T1 = {t1.value:.3f} ± {t1.sigma:.3f} s (DNPLab {t1_dnplab:.3f} s)")
    assert "beta" in choice.fits["stretched"].undetermined
    assert choice.fits["bi"].undetermined
    d = choice.best.optimal_recycle
    assert d.value == pytest.approx(sensitivity.optimal_recycle_s(t1.value), rel=1e-4)


def test_87rb_saturation_recovery_is_mono_exponential(real_data):
    """ssNake's 87Rb saturation recovery (12 delays): a single exponential that the BIC keeps
    (the half-way point check of test_twod shows the curve is mono-exponential by eye)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qdkit.read(real_data / "ssnake_87Rb_satrec2D_varian" / "satrec2D.fid")
    rows = twod.split_series(ds)
    last = qdkit.process(rows[-1].replace(procs={}))
    centre = last.ppm[np.argmax(last.real)]
    delays, integrals, _ = twod.series_integrals(ds, region_ppm=(centre - 5, centre + 5))
    choice = relaxation.fit_recovery_models(delays, integrals, kind="saturation")
    t1 = choice.fits["mono"].params["t_s"]
    assert choice.best.model == "mono"
    assert t1.determined and 0.05 < t1.value < 2.0 and t1.sigma < 0.05 * t1.value
    d = choice.fits["mono"].optimal_recycle
    assert d.value == pytest.approx(sensitivity.optimal_recycle_s(t1.value), rel=1e-4)


# --- TopSpin's relaxation-module output ----------------------------------------------------
# No ct1t2.txt exists in shared/data/real (searched: no t1ires, ct1t2.txt or relaxation
# results in any pdata folder). This file is one WE WROTE in the layout TopSpin's T1/T2
# module uses (header with the fitted function, per integral a Results block and a table
# Point/Tau/Expt/Calc/Difference with unit-suffixed delays); its numbers are SYNTHETIC.


def _ct1t2_text(tau_s, measured, calculated) -> str:
    def tau_token(t):
        return f"{t * 1e3:.3f}m" if t < 1 else f"{t:.3f}s"

    rows = "\n".join(
        f"{i + 1:>6}  {tau_token(t):>10}  {m:>12.4e}  {c:>12.4e}  {m - c:>12.4e}"
        for i, (t, m, c) in enumerate(zip(tau_s, measured, calculated))
    )
    return (
        "Dataset : /opt/data/synthetic/3/pdata/1\n\nINTENSITY fit :\nI[t]=I[0]+P*exp(-t/T1)\n\n"
        f"{len(tau_s)} points for Integral 1, Integral Region from 8.50 to 7.90 ppm\n"
        "Results       Comp. 1\nI[0]     =    1.000e+00\nP        =   -1.900e+00\nT1       =      2.400s\n"
        "SD       =    4.100e-03\n\n    Point        Tau          Expt          Calc    Difference\n"
        f"{rows}\n\n"
        f"{len(tau_s)} points for Integral 2, Integral Region from 2.10 to 1.80 ppm\n"
        "Results       Comp. 1\nI[0]     =    5.000e-01\nP        =   -9.500e-01\nT1       =    850.000m\n"
        "SD       =    2.000e-03\n\n    Point        Tau          Expt          Calc    Difference\n"
        f"{rows}\n"
    )


def test_topspin_relaxation_output_is_read_and_refitted(tmp_path):
    """SYNTHETIC ct1t2.txt in TopSpin's layout (see above): T1 = 2.4 s, k = 1.9, 1 % noise."""
    from qdkit.errors import ReadError
    from qdkit.io.topspin_relaxation import read_topspin_relaxation

    tau = np.array([0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0])
    calc = relaxation.recovery_curve(tau, "mono", {"m_inf": 1.0, "efficiency": 1.9, "t_s": 2.4})
    measured = np.round(calc + np.random.default_rng(6).normal(0, 0.01, tau.size), 4)
    procno = tmp_path / "3" / "pdata" / "1"
    procno.mkdir(parents=True)
    (procno / "ct1t2.txt").write_text(_ct1t2_text(tau, measured, calc))

    curves = read_topspin_relaxation(tmp_path / "3")  # found under pdata/1
    assert [c.label.split(",")[0] for c in curves] == ["Integral 1", "Integral 2"]
    first = curves[0]
    assert first.delays_s == pytest.approx(tuple(tau), rel=1e-4)  # '10.000m' read as 0.01 s
    assert first.measured == pytest.approx(tuple(measured), abs=1e-4)
    assert first.results["T1_s"] == pytest.approx(2.4) and curves[1].results["T1_s"] == pytest.approx(0.85)
    assert first.results["P"] == pytest.approx(-1.9) and first.function.startswith("I[t]=")
    fit = relaxation.fit_recovery(first.delays_s, first.measured, kind="inversion")
    assert fit.params["t_s"].value == pytest.approx(first.results["T1_s"], abs=3 * fit.params["t_s"].sigma)

    with pytest.raises(ReadError, match="no TopSpin relaxation result"):
        read_topspin_relaxation(tmp_path)
    (tmp_path / "empty.txt").write_text("Dataset : nothing\n")
    with pytest.raises(ReadError, match="no table"):
        read_topspin_relaxation(tmp_path / "empty.txt")
