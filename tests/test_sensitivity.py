"""Sensitivity per unit time: the optimal recycle delay and the time a slowly relaxing reference costs
(P10 itself, with the planner, is in test_dnp.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdkit.errors import ModelParameterError
from qdkit.models.sensitivity import (
    optimal_recycle_s,
    saturation_recovery,
    sensitivity_per_sqrt_time,
    time_ratio,
)


def test_optimal_recycle_delay_is_1p2564_build_up_times_and_is_the_maximum():
    # (1 − e^(−d/T_B))/√d peaks at d = 1.2564 T_B: check against a brute-force grid.
    d = np.linspace(0.01, 6.0, 600_001)
    psi = -np.expm1(-d) / np.sqrt(d)
    assert optimal_recycle_s(1.0) == pytest.approx(d[np.argmax(psi)], abs=2e-5)
    assert optimal_recycle_s(1.0) == pytest.approx(1.2564, abs=1e-4)
    assert optimal_recycle_s(3.0) == pytest.approx(3.0 * optimal_recycle_s(1.0), rel=1e-12)


def test_time_spent_outside_the_delay_makes_the_best_delay_longer():
    # With an acquisition/overhead t_o per scan, waiting longer costs relatively less.
    plain = optimal_recycle_s(2.0)
    assert optimal_recycle_s(2.0, overhead_s=0.5) > plain
    best = optimal_recycle_s(2.0, overhead_s=0.5)
    for d in (0.9 * best, 1.1 * best):
        assert sensitivity_per_sqrt_time(d, t_b_s=2.0, overhead_s=0.5) < sensitivity_per_sqrt_time(
            best, t_b_s=2.0, overhead_s=0.5
        )


def test_equal_delays_and_recovery_give_the_epsilon_squared_time_saving():
    # The paper's abstract: ε = 80 saves a factor 6400 when both experiments recover alike.
    assert time_ratio(
        gain=80.0, recycle_s=2.7, t_b_s=2.0, reference_t1_s=2.0, reference_recycle_s=2.7
    ) == pytest.approx(6400.0)


def test_a_slowly_relaxing_reference_costs_time_in_proportion_to_its_t1():
    # At its optimal delay the reference's S/N per √time ∝ 1/√T1, so the time ratio ∝ T1.
    a = time_ratio(gain=40.0, recycle_s=2.7, t_b_s=2.15, reference_t1_s=10.0)
    b = time_ratio(gain=40.0, recycle_s=2.7, t_b_s=2.15, reference_t1_s=20.0)
    assert b / a == pytest.approx(2.0, rel=1e-9)


def test_saturation_recovery_limits_and_bad_inputs():
    assert saturation_recovery(0.0, 2.0) == 0.0
    assert saturation_recovery(math.inf, 2.0) == 1.0
    assert saturation_recovery(2.0, 2.0) == pytest.approx(1 - math.exp(-1))
    with pytest.raises(ModelParameterError, match="t_b_s"):
        optimal_recycle_s(0.0)
    with pytest.raises(ModelParameterError, match="recycle_s"):
        sensitivity_per_sqrt_time(-1.0, t_b_s=1.0)
