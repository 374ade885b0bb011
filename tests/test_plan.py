"""The experiment planner (issue 11): optimal recycle delay, hours consistent with the sample
model, and a ranking in which nothing beats the choice."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdkit.errors import ModelParameterError
from qdkit.models.setups import paper_setup
from qdkit.plan import best_experiment
from qdkit.sample import predict

GRID = {"pores_nm": (None, 7.0, 50.0), "loadings": (1.0, 2.0), "radical_mM": (16.0,), "contacts_ms": (0.5, 1.5, 5.0)}


def plan_surface_pox(mode: str = "sensitivity", **grid):
    """Plan S/N 100 on InP's surface PO_x (Fig. 2e's sample, 3.8 mg) over ``GRID`` (or ``grid``)."""
    sample, acquisition = paper_setup("2e")
    return best_experiment(
        sample,
        "surface PO_x",
        100.0,
        qd_mg=3.8,
        acquisition=acquisition,
        reference_snr_per_scan=0.5,
        mode=mode,
        **{**GRID, **grid},
    )


@pytest.fixture(scope="module")
def inp():
    sample, acquisition = paper_setup("2e")
    return sample, acquisition, {mode: plan_surface_pox(mode) for mode in ("sensitivity", "selectivity")}


def test_recycle_delay_is_1p2564_build_up_times(inp):
    plan = inp[2]["sensitivity"]
    # maximum of (1 − e^(−d/T_B))/√d (Rossini et al. 2013)
    assert plan.acquisition.recycle_s == pytest.approx(1.2564 * plan.prediction.t_b_s, rel=0.01)


def test_hours_are_what_the_sample_model_predicts_for_the_chosen_settings(inp):
    plan = inp[2]["sensitivity"]
    p = predict(plan.sample, plan.acquisition, plan.prediction.ppm)
    step = abs(p.ppm[1] - p.ppm[0])
    per_scan = 0.5 * float(np.sum(p.components["surface PO_x"]) * step)
    scans = math.ceil((100.0 / per_scan) ** 2 * (1 - 1e-12))
    assert plan.best.scans == scans == plan.acquisition.scans
    assert plan.hours == pytest.approx(scans * p.recycle_s / 3600.0, rel=1e-12)
    # the same from predict's own S/N per √hour, to within the rounding up to whole scans
    share = per_scan / (0.5 * p.snr_per_scan)
    assert plan.hours == pytest.approx((100.0 / (0.5 * share * p.snr_per_sqrt_hour)) ** 2, rel=0.01)


def test_no_alternative_in_its_own_ranking_is_faster(inp):
    plan = inp[2]["sensitivity"]
    assert len(plan.ranking) == 3 + 2 * 2 * 3  # no silica: one loading; 3 contact times each
    assert all(o.hours >= plan.hours for o in plan.ranking)
    assert plan.ranking[0] == plan.best


def test_dnp_saves_time_about_as_the_enhancement_squared(inp):
    plan = inp[2]["sensitivity"]
    # ε ≈ 80 in 7–50 nm pores (Fig. 2f): microwaves off needs ε² ≈ 6400 × the time
    ratio = plan.hours_without_dnp / plan.hours
    eps = plan.prediction.enhancement
    assert ratio == pytest.approx(eps**2, rel=0.05)
    assert ratio > 1000


def test_selectivity_for_the_surface_prefers_a_shorter_contact(inp):
    sens, sel = inp[2]["sensitivity"], inp[2]["selectivity"]
    top = max(o.contrast for o in sel.ranking)
    assert sel.best.contrast >= 0.9 * top
    assert sel.best.contact_ms <= sens.best.contact_ms
    qualified = [o for o in sel.ranking if o.contrast >= 0.9 * top]
    assert all(o.hours >= sel.hours for o in qualified)


def test_unknown_species_is_explained(inp):
    sample, acquisition, _ = inp
    with pytest.raises(ModelParameterError, match="no species"):
        best_experiment(sample, "PO_y", 100.0, qd_mg=3.8, acquisition=acquisition, reference_snr_per_scan=0.5)


def test_a_setting_that_changes_nothing_is_named_a_tie_not_a_choice():
    plan = plan_surface_pox(radical_mM=(8.0, 16.0, 32.0))
    same = [
        o
        for o in plan.ranking
        if (o.pore_nm, o.silica_mg_per_qd_mg, o.contact_ms)
        == (plan.best.pore_nm, plan.best.silica_mg_per_qd_mg, plan.best.contact_ms)
    ]
    print(f"\n{plan.why}\nhours at 8/16/32 mM: {sorted(round(o.hours, 6) for o in same)}")
    assert len({o.radical_mM for o in same}) == 3
    assert "radical concentration made no difference" in plan.why
    # contact time and pore size do change the time: they are choices, not ties
    assert "contact time" not in plan.why and "pore size" not in plan.why
