"""Time-dependent relayed DNP into a sphere against an independent finite-volume solution."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from relayed_reference import reference

from qdkit.errors import ModelParameterError
from qdkit.models.relayed import (
    average_polarization,
    relayed_dnp,
    relayed_signals,
    steady_fraction,
)

# Corners of the range the issue asks for (R 5–5000 nm, L 5–200 nm, recycle 0.1 s–∞,
# τs 0–10 s) with T1 = 2 s, and interior points with other T1 values.
CORNERS = [
    (r, length, 2.0, recycle, ts)
    for r, length, recycle, ts in itertools.product((5.0, 5000.0), (5.0, 200.0), (0.1, math.inf), (0.0, 10.0))
]
INTERIOR = [
    (40.0, 40.0, 2.0, 3.0, 1.0),
    (300.0, 20.0, 30.0, 10.0, 2.0),
    (1000.0, 100.0, 0.5, 0.7, 0.3),
    (15.0, 8.0, 8.0, 12.0, 5.0),
]


@pytest.mark.parametrize("radius, length, t1, recycle, ts", CORNERS + INTERIOR)
def test_relayed_dnp_matches_finite_volume_solution(radius, length, t1, recycle, ts):
    # Both solve ∂p/∂t = D∇²p − (p − 1)/T1, p(R,t) = ε0(1 − e^(−t/τs)), p(r,0) = 0; the
    # finite-volume grid is fine enough (first shell ≤ L/30) to be converged to ~1e-4, so
    # 1 % is the model's own error budget, not the reference's.
    d = length**2 / t1
    want = reference(radius, eps0=80.0, diffusion_nm2_s=d, t1_s=t1, recycle_s=recycle, t_b_surface_s=ts)
    got = relayed_dnp(radius, eps0=80.0, diffusion_nm2_s=d, t1_s=t1, recycle_s=recycle, t_b_surface_s=ts)
    assert got.enhancement == pytest.approx(want[0], rel=0.01)
    assert got.enhancement_on_off == pytest.approx(want[1], rel=0.01)
    assert got.t_b_s == pytest.approx(want[2], rel=0.01)
    assert got.steady_state == pytest.approx(want[3], rel=0.01)


def test_steady_state_has_the_boltzmann_floor():
    # 1 + (ε0 − 1) f: a sphere far larger than L still has its thermal polarization (→ 1),
    # a sphere far smaller is at ε0; f → 3/x for large x (a shell ~L deep is enhanced).
    big = relayed_dnp(40_000.0, eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0)
    assert big.steady_state == pytest.approx(1.0 + 79.0 * 3.0 * 40.0 / 40_000.0, rel=2e-3)
    small = relayed_dnp(0.01, eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0)
    assert small.steady_state == pytest.approx(80.0, rel=1e-6)
    assert steady_fraction(1.0) == pytest.approx(3.0 * (1.0 / math.tanh(1.0) - 1.0), rel=1e-12)
    # Just below |x| = 0.1 the Taylor series is used; there the closed form still has
    # ~13 good digits, so the two must agree to 1e-10.
    x = 0.0999999
    assert steady_fraction(x) == pytest.approx(3.0 * (x / math.tanh(x) - 1.0) / x**2, rel=1e-10)


def test_enhancement_is_linear_in_eps0_and_microwaves_off_gives_on_off_of_one():
    kw = dict(diffusion_nm2_s=800.0, t1_s=2.0, recycle_s=1.5, t_b_surface_s=0.8)
    e = [relayed_dnp(120.0, eps0=x, **kw).enhancement for x in (1.0, 41.0, 81.0)]
    assert e[2] - e[1] == pytest.approx(e[1] - e[0], rel=1e-9)
    assert relayed_dnp(120.0, eps0=1.0, **kw).enhancement_on_off == pytest.approx(1.0, rel=1e-12)


def test_long_recycle_and_fast_surface_approach_their_limits_continuously():
    kw = dict(eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0)
    steady = relayed_dnp(200.0, **kw)
    assert relayed_dnp(200.0, recycle_s=2000.0, **kw).enhancement == pytest.approx(steady.enhancement, rel=1e-6)
    instant = relayed_dnp(200.0, recycle_s=1.0, **kw)
    nearly = relayed_dnp(200.0, recycle_s=1.0, t_b_surface_s=1e-7, **kw)
    assert nearly.enhancement == pytest.approx(instant.enhancement, rel=1e-5)
    assert nearly.t_b_s == pytest.approx(instant.t_b_s, rel=1e-4)


def test_buildup_rises_monotonically_from_zero_to_the_steady_state():
    r = relayed_dnp(300.0, eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0, t_b_surface_s=1.0)
    t = np.geomspace(1e-4, 200.0, 200)
    p = r.buildup(t)
    # Rises until it sits on the plateau (where only round-off, ~1e-12 of it, remains).
    assert np.all(np.diff(p) > -1e-10 * r.steady_state)
    assert np.all(np.diff(p[t < 10.0]) > 0)
    assert p[0] < 1e-3 * r.steady_state and p[-1] == pytest.approx(r.steady_state, rel=1e-6)
    assert r.buildup(r.t_b_s) == pytest.approx((1 - math.exp(-1)) * r.steady_state, rel=1e-6)
    assert average_polarization(0.0, 300.0, eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0) == 0.0


@pytest.mark.parametrize("radius, d, t1", [(1e5, 1e-3, 1e3), (1e-3, 1e6, 1e-2), (1e4, 1.0, 1e-3)])
def test_extreme_sizes_and_rates_give_finite_physical_numbers(radius, d, t1):
    r = relayed_dnp(radius, eps0=200.0, diffusion_nm2_s=d, t1_s=t1, recycle_s=0.1, t_b_surface_s=10.0)
    values = (r.enhancement, r.enhancement_on_off, r.t_b_s, r.steady_state)
    assert all(math.isfinite(v) and v > 0 for v in values)
    assert 1.0 <= r.steady_state <= 200.0 and r.enhancement <= r.steady_state * (1 + 1e-9)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(radius_nm=-1.0), "radius_nm"),
        (dict(eps0=0.0), "eps0"),
        (dict(diffusion_nm2_s=math.nan), "diffusion_nm2_s"),
        (dict(t1_s="long"), "t1_s"),
        (dict(recycle_s=0.0), "recycle_s"),
        (dict(t_b_surface_s=math.inf), "t_b_surface_s"),
    ],
)
def test_relayed_dnp_rejects_unphysical_inputs_by_name(kwargs, word):
    args = dict(radius_nm=50.0, eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0) | kwargs
    radius = args.pop("radius_nm")
    with pytest.raises(ModelParameterError, match=word):
        relayed_dnp(radius, **args)


def test_vectorised_signals_agree_with_one_sphere_at_a_time():
    # relayed_signals serves size distributions (matrix.enhancement); same model, one call.
    radii = np.array([3.0, 40.0, 700.0, 5000.0])
    kw = dict(eps0=80.0, diffusion_nm2_s=800.0, t1_s=2.0, t_b_surface_s=0.5)
    for recycle in (1.7, math.inf):
        on, off = relayed_signals(radii, recycle_s=recycle, **kw)
        for r, a, b in zip(radii, on, off):
            one = relayed_dnp(r, recycle_s=recycle, **kw)
            assert a == pytest.approx(one.enhancement, rel=1e-12)
            assert a / b == pytest.approx(one.enhancement_on_off, rel=1e-12)
    with pytest.raises(ModelParameterError, match="radius_nm"):
        relayed_signals([10.0, -1.0], recycle_s=1.0, **kw)
