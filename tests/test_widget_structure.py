"""The structure explorer: fits shown from qdkit's numbers, SYNTHETIC labelled, and never a
traceback into the notebook whatever the controls are set to."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdkit.infer import site_populations

pytest.importorskip("jupyter_bokeh")

from qdkit_widgets.structure import S3, SYNTHETIC, USER, VARY, StructureExplorer


@pytest.fixture(scope="module")
def explorer():
    return StructureExplorer()


def test_opens_on_the_figure_s3_series_labelled_synthetic(explorer):
    assert explorer.message.text == ""
    assert explorer.controls["source"].value == S3
    assert "SYNTHETIC" in explorer.label.text
    assert list(explorer.fit.contact_ms) == [1.5, 5.0]
    assert len(explorer.sources["spectra"].data["xs"]) == 2


def test_synthetic_series_shows_the_fit_and_its_truth(explorer):
    explorer.controls["source"].value = SYNTHETIC
    assert explorer.message.text == ""
    fit = explorer.fit
    # the plotted bars and the readout are qdkit's numbers, not the widget's
    np.testing.assert_allclose(explorer.sources["populations"].data["p"], fit.populations, rtol=1e-6)
    truth = explorer.sources["populations"].data["truth"]
    assert np.all(np.abs(fit.populations - truth) <= 3 * fit.populations_stderr)
    points = explorer.sources["points"][0].data
    np.testing.assert_allclose(points["a"], fit.amplitudes[:, 0], rtol=1e-6)
    assert len(explorer.sources["points"][2].data["t"]) == 0  # two sites: third set empty
    _d, w = explorer.structure_result.size_distribution
    np.testing.assert_allclose(explorer.sources["sizes"].data["w"], w, rtol=1e-6)
    assert "diameter" in " ".join(explorer.readout.rows)


def test_two_contact_times_with_free_t1rho_are_flagged_not_hidden(explorer):
    explorer.set(source=SYNTHETIC, t1rho="shared", n_contacts=2)
    assert explorer.message.text == ""
    assert "log_t1rho" in explorer.fit.undetermined
    assert "log_t1rho" in explorer.readout.rows["undetermined by the series"]
    explorer.set(t1rho="fixed at T1ρ below", n_contacts=8)


def test_a_material_without_the_observed_element_is_a_message(explorer):
    explorer.controls["material"].value = "CsPbBr3"
    assert "no P atoms" in explorer.message.text
    explorer.controls["material"].value = "InP"
    assert explorer.message.text == ""


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    share=st.floats(0.05, 0.95),
    t_is=st.floats(-1.5, 1.0),
    snr=st.floats(1.0, 3.0),
    n=st.integers(2, 12),
    mode=st.sampled_from(["shared", "per site", "fixed at T1ρ below"]),
    site=st.integers(0, 1),
    spread=st.floats(0.03, 0.2),
)
def test_no_setting_raises_into_the_notebook(explorer, share, t_is, snr, n, mode, site, spread):
    explorer.set(
        source=SYNTHETIC,
        surface_population=share,
        t_is_surface_ms=10**t_is,
        snr=10**snr,
        n_contacts=n,
        t1rho=mode,
        surface_site=site,
        size_spread=spread,
    )
    # either a clean update or a message a chemist can read, never an exception
    assert "Unexpected problem" not in explorer.message.text


def test_set_refuses_unknown_controls_with_a_message(explorer):
    explorer.set(colour="red")
    assert "No control named 'colour'" in explorer.message.text


def test_your_own_series_is_fitted_with_your_sites():
    from qdkit.mas import Site
    from qdkit.simulation.cp_series import synthetic_contact_series

    sites = [Site("31P", 5.0, -90.0, 0.5, 1600.0), Site("31P", -8.0, 0.0, 0.0, 2500.0)]
    spectra, _truth = synthetic_contact_series(sites, [0.3, 0.7], [0.3, 1.8], 25.0, np.geomspace(0.1, 15, 8), seed=1)
    ex = StructureExplorer(spectra, sites=sites, material="InP")
    assert ex.controls["source"].value == USER and ex.message.text == ""
    ex.controls["t1rho"].value = "shared"
    direct = site_populations(spectra, None, sites, t1rho="shared", fit_lineshapes=True, vary_lineshape=VARY)
    np.testing.assert_allclose(ex.fit.populations, direct.populations, rtol=1e-6)
    assert ex.label.text == "your series"


def test_your_series_without_sites_says_what_to_give():
    ex = StructureExplorer(["somewhere"], sites=None)
    assert "needs its sites" in ex.message.text
