"""Every qdkit fitter returns one result type, :class:`qdkit.analysis.result.FitResult`.

Each fit runs on small synthetic data (known truth plus Gaussian noise, fixed seed): the
shared fields must agree with the fitter's own physics-named attributes, recover the truth
within a few standard errors, and flag what the data cannot determine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdkit.analysis import relaxation
from qdkit.analysis.result import FitResult, reduced_chi_square, stderr_from_covariance
from qdkit.errors import ModelParameterError
from qdkit.models import cp
from qdkit.processing.echo_weighting import EchoDecayFit, fit_echo_decay

DELAYS_S = np.geomspace(0.05, 40.0, 14)  # brackets T = 4 s by two decades each side


def _recovery(t_s, *, kind="saturation", m_inf=100.0, noise=0.5, seed=1, delays_s=DELAYS_S):
    k = 2.0 if kind == "inversion" else 1.0
    rng = np.random.default_rng(seed)
    return m_inf * (1 - k * np.exp(-delays_s / t_s)) + rng.normal(0, noise, delays_s.size)


def _shared_fields_hold(fit: FitResult) -> None:
    assert isinstance(fit, FitResult)
    assert set(fit.stderr) == set(fit.values)
    assert set(fit.undetermined) <= set(fit.values)
    for name in fit.undetermined:
        assert math.isnan(fit.stderr[name])
    table = fit.table()
    for name in fit.values:
        assert name in table
    assert "reduced chi-square" in table


def test_a_recovery_fit_reports_t1_within_three_standard_errors():
    fit = relaxation.fit_recovery(DELAYS_S, _recovery(4.0), kind="saturation")
    _shared_fields_hold(fit)
    value, err = fit.value("t_s")
    assert value == fit.params["t_s"].value and err == fit.params["t_s"].sigma
    assert abs(value - 4.0) < 3 * err and err < 0.1  # σ 0.5 on a 100 plateau pins T to ~1 %
    assert fit.undetermined == () and fit.success
    # unknown σ: the residual variance is the noise variance (0.25), within χ² scatter
    assert 0.25 / 3 < fit.redchi < 0.25 * 3
    assert fit.lmfit_result is fit.result and fit.lmfit_result.params["t_s"].value == value


def test_a_time_constant_beyond_the_delays_is_undetermined_with_nan_stderr():
    # T = 400 s sampled to 40 s: the curve is still a straight line, T is extrapolated
    fit = relaxation.fit_recovery(DELAYS_S, _recovery(400.0, noise=0.05), kind="saturation")
    _shared_fields_hold(fit)
    assert "t_s" in fit.undetermined and math.isnan(fit.value("t_s")[1])
    assert "undetermined" in fit.table()


def test_the_model_choice_returns_a_fit_result_for_every_model():
    choice = relaxation.fit_recovery_models(DELAYS_S, _recovery(4.0, seed=2), kind="buildup")
    for fit in choice.fits.values():
        _shared_fields_hold(fit)
    assert choice.best.model == "mono"


def test_a_t1_fit_carries_the_lmfit_parameters_and_agrees_with_its_own_fields():
    fit = relaxation.fit_t1(DELAYS_S, _recovery(4.0, kind="inversion", seed=3), kind="inversion")
    _shared_fields_hold(fit)
    assert fit.value("t_s") == (fit.t1_s, fit.t1_err_s)
    assert fit.values["m_inf"] == fit.m_inf and fit.values["efficiency"] == fit.efficiency
    assert abs(fit.t1_s - 4.0) < 3 * fit.t1_err_s
    assert fit.params["t_s"].value == fit.t1_s  # lmfit Parameters


def test_a_cp_buildup_fit_reports_the_covariance_errors_and_chi_square_near_one():
    rng = np.random.default_rng(11)
    t = np.geomspace(0.1, 20.0, 40)
    sigma = 0.02
    y = 3.0 * cp.buildup(t, 1.2, 15.0) + rng.normal(0, sigma, t.size)
    fit = cp.fit_buildup(t, y, sigma=np.full(t.size, sigma))
    _shared_fields_hold(fit)
    assert fit.value("t_is_ms") == (fit.t_is_ms, fit.t_is_err_ms)
    assert fit.value("t1rho_ms") == (fit.t1rho_ms, fit.t1rho_err_ms)
    assert fit.value("amplitude") == (fit.amplitude, fit.amplitude_err)
    assert abs(fit.t_is_ms - 1.2) < 3 * fit.stderr["t_is_ms"]
    assert fit.params is None and fit.lmfit_result is None  # a scipy fit
    chi2 = np.sum(((fit.curve(t) - y) / sigma) ** 2)
    assert fit.redchi == pytest.approx(chi2 / (t.size - 3), rel=1e-9)
    # weighted by the true σ, χ²_red of 37 degrees of freedom lies in [0.4, 1.9] (99.9 %)
    assert 0.4 < fit.redchi < 1.9


def test_an_echo_decay_fit_still_unpacks_as_t2_and_a0():
    rng = np.random.default_rng(5)
    period_s = 1e-4
    k = np.arange(30)
    amps = 2.0 * np.exp(-k * period_s / 1.2e-3) + rng.normal(0, 0.01, k.size)
    fit = fit_echo_decay(amps, period_s)
    assert isinstance(fit, EchoDecayFit)
    _shared_fields_hold(fit)
    t2_s, a0 = fit
    assert (t2_s, a0) == (fit.t2_s, fit.a0) == (fit.values["t2_s"], fit.values["a0"])
    assert abs(t2_s - 1.2e-3) < 3 * fit.stderr["t2_s"]
    assert 0.01**2 / 3 < fit.redchi < 0.01**2 * 3  # residual variance ≈ noise variance


def test_asking_for_a_parameter_the_fit_lacks_names_the_ones_it_has():
    fit = relaxation.fit_recovery(DELAYS_S, _recovery(4.0), kind="saturation")
    with pytest.raises(ModelParameterError, match="t_s"):
        fit.value("t1_ms")


def test_a_singular_covariance_gives_nan_and_flags_the_parameter():
    stderr, undetermined = stderr_from_covariance(("a", "b"), [[4.0, 0.0], [0.0, np.inf]])
    assert stderr["a"] == 2.0 and math.isnan(stderr["b"]) and undetermined == ("b",)
    assert reduced_chi_square([1.0, -1.0, 1.0], 1) == pytest.approx(1.5)
    assert math.isnan(reduced_chi_square([1.0], 1))


def test_the_lineshape_fit_result_is_the_shared_type():
    from qdkit.analysis import fit

    assert issubclass(fit.FitResult, FitResult)
