"""The plan explorer: it shows best_experiment's own numbers (settings, hours with and without
DNP, the ranking best first) and turns bad typed numbers into panel messages, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit.models.setups import paper_setup
from qdkit.plan import best_experiment

pytest.importorskip("jupyter_bokeh")

from qdkit_widgets.panel import format_number
from qdkit_widgets.plan import SHOWN, PlanExplorer


def _direct(figure, species, target, mode="sensitivity", reference=0.5, qd_mg=None):
    sample, acquisition = paper_setup(figure)
    return best_experiment(
        sample,
        species,
        target,
        qd_mg=sample.qd_mg if qd_mg is None else qd_mg,
        acquisition=acquisition,
        reference_snr_per_scan=reference,
        mode=mode,
    )


@pytest.fixture(scope="module")
def explorer():
    return PlanExplorer()


@pytest.fixture(scope="module")
def inp_plan():
    # Fig. 2e: 3 nm InP, surface PO_x, S/N 100, 3.8 mg, the assumed 0.5 reference S/N
    return _direct("2e", "surface PO_x", 100.0)


def test_opens_on_the_inp_surface_species_with_a_plan(explorer):
    assert explorer.message.text == ""
    assert explorer.controls["setup"].value == "2e"
    assert explorer.controls["species"].value == "surface PO_x"
    assert explorer.plan is not None and explorer.plan.species == "surface PO_x"


def test_default_plan_shows_the_planners_own_numbers(explorer, inp_plan):
    plan = explorer.plan
    # the same call made directly gives the same answer (the planner is deterministic)
    assert plan.best == inp_plan.best
    assert plan.hours == pytest.approx(inp_plan.hours, rel=1e-12)
    rows = explorer.readout.rows
    assert rows["hours to S/N 100 with DNP"] == format_number(inp_plan.hours, "h")
    assert rows["… without DNP (microwaves off)"] == format_number(inp_plan.hours_without_dnp, "h")
    assert rows["scans"] == f"{inp_plan.best.scans:,}"
    assert rows["why"] == inp_plan.why
    assert "ASSUMED" in rows["S/N of 1 reference scan"]
    # DNP saves orders of magnitude of time (ε ≈ 80 ⇒ ε² ≈ 6400 in the paper's silica)
    assert inp_plan.hours_without_dnp > 100 * inp_plan.hours


def test_bars_are_the_ranking_best_first(explorer, inp_plan):
    data = explorer.sources["ranking"].data
    expected = [o.hours for o in inp_plan.ranking[:SHOWN]]
    np.testing.assert_allclose(data["hours"], expected, rtol=1e-6)  # float32 columns
    np.testing.assert_allclose(
        data["hours_without_dnp"], [o.hours_without_dnp for o in inp_plan.ranking[:SHOWN]], rtol=1e-6
    )
    assert list(data["rank"]) == list(range(1, SHOWN + 1))
    assert np.all(np.diff(data["hours"]) >= 0)  # best first
    assert f"of the {len(inp_plan.ranking)} settings tried" in explorer.table.value


@pytest.mark.parametrize("typed", ["abc", "-5", "1e308", "", "   ", "nan", "inf", "0"])
def test_a_bad_target_is_a_message_and_the_last_plan_stays(explorer, typed):
    before, rows = explorer.plan, dict(explorer.readout.rows)
    explorer.controls["target_snr"].value = typed
    explorer.controls["plan"].click()  # must not raise
    assert "target S/N" in explorer.message.text
    assert "type a number from 1 to" in explorer.message.text
    assert explorer.plan is before and explorer.readout.rows == rows
    assert not explorer.controls["plan"].disabled
    explorer.controls["target_snr"].value = "100"


@pytest.mark.parametrize(("control", "typed", "name"), [("qd_mg", "0", "QD mass"), ("reference_snr", "x", "reference")])
def test_bad_mass_or_reference_snr_is_a_message(explorer, control, typed, name):
    good = explorer.controls[control].value
    explorer.controls[control].value = typed
    explorer.run()
    assert name in explorer.message.text
    explorer.controls[control].value = good


def test_changed_settings_ask_for_a_new_plan(explorer):
    explorer.run()
    assert explorer.message.text == ""
    explorer.controls["target_snr"].value = "200"
    assert "press Plan" in explorer.message.text
    explorer.controls["target_snr"].value = "100"


def test_selectivity_on_another_setup_matches_the_planner():
    ex = PlanExplorer(figure="3b", plan_now=False)
    assert ex.plan is None and ex.sources["ranking"].data["hours"] == []
    assert ex.controls["species"].value == "(near-)surface Se"  # surface species first
    ex.set(mode="selectivity", target_snr="30", qd_mg="10")
    ex.run()
    assert ex.message.text == ""
    direct = _direct("3b", "(near-)surface Se", 30.0, mode="selectivity", qd_mg=10.0)
    assert ex.plan.best == direct.best
    assert ex.readout.rows["hours to S/N 30 with DNP"] == format_number(direct.hours, "h")
    assert ex.readout.rows["species"].endswith("(77Se, selectivity)")


def test_switching_the_sample_offers_its_species(explorer):
    explorer.controls["setup"].value = "3a"
    sample, _ = paper_setup("3a")
    assert list(explorer.controls["species"].options) == [line.name for line in sample.species]
    assert explorer.controls["qd_mg"].value == f"{sample.qd_mg:g}"
    explorer.controls["setup"].value = "2e"


def test_unknown_control_is_a_message(explorer):
    explorer.set(pore_nm=7.0)
    assert "No control named 'pore_nm'" in explorer.message.text
