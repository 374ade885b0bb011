"""The explorers in Python: real ipywidgets and bokeh objects, qdkit's real models.

The browser side (Voila + Chromium) is in test_browser_explorer.py. Samples are given
explicitly here (the paper's 31P sites of InP and 113Cd sites of CdSe, Fig. 3a) so that
these tests exercise the widgets, not the catalog.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import REPO, snapshot, writable_copy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdkit import nuclei
from qdkit.mas import Site
from qdkit.sample import Acquisition, Line, Sample
from qdkit_widgets import (
    CPBuildupExplorer,
    PolarizationExplorer,
    RelayedDiffusionExplorer,
    SensitivityExplorer,
    SpectrumExplorer,
)
from qdkit_widgets.bridge import QdkitBridge

# The explorer is rebuilt per test, not per example: examples continue from the last state.
FIXTURE_REUSED = HealthCheck.function_scoped_fixture

INP = (
    Sample(
        "InP",
        3.0,
        (
            Line("surface PO_x", "surface", Site("31P", iso_ppm=5.0, aniso_ppm=-90.0, eta=0.5, fwhm_hz=1600.0)),
            Line("InP core", "core", Site("31P", iso_ppm=-200.0, aniso_ppm=0.0, eta=0.0, fwhm_hz=9000.0)),
        ),
        ligand="myristate",
        pore_nm=7.0,
    ),
    Acquisition("31P", field_T=9.4, mas_hz=10_000.0, contact_ms=1.5, recycle_s=1.7),
)
CDSE = (
    Sample(
        "CdSe",
        3.5,
        (
            Line("surface Cd", "surface", Site("113Cd", iso_ppm=-317.0, aniso_ppm=416.0, eta=0.3, fwhm_hz=4000.0)),
            Line("core Cd", "core", Site("113Cd", iso_ppm=-20.0, aniso_ppm=80.0, eta=0.0, fwhm_hz=4000.0)),
        ),
        ligand="oleate",
        pore_nm=15.0,
    ),
    Acquisition("113Cd", field_T=9.4, mas_hz=10_000.0, contact_ms=1.5, recycle_s=3.8),
)


@pytest.fixture(scope="module")
def bridge():
    return QdkitBridge(setups=[INP, CDSE])


@pytest.fixture
def explorer(bridge):
    return SpectrumExplorer(material="InP", nucleus="31P", bridge=bridge)


def column(source, name):
    return np.asarray(source.data[name], dtype=float)


def test_explorer_starts_at_the_papers_settings_without_message(explorer):
    c = explorer.controls
    for name in ("pore_nm", "silica_per_qd"):  # on the slider grid: the page will not snap it
        steps = (math.log10(c[name].value) - c[name].min) / c[name].step
        assert steps == pytest.approx(round(steps), abs=1e-6)
    assert explorer.message.text == ""
    assert (c["mas_hz"].value, c["contact_ms"].value, c["pore_nm"].value) == (10_000, 1.5, 7.0)
    ppm = column(explorer.predicted, "ppm")
    assert ppm.size == 4096 and ppm[0] > ppm[-1]  # high → low ppm, as plotted
    # the plot's unit is the tallest predicted peak at the paper's settings
    assert float(column(explorer.predicted, "total").max()) == pytest.approx(1.0, rel=1e-6)
    assert set(explorer.controls) >= {
        "contact_ms",
        "mas_hz",
        "pore_nm",
        "no_silica",
        "silica_per_qd",
        "material",
        "nucleus",
        "field_T",
        "diameter_nm",
    }


def test_slider_replaces_columns_of_the_same_source_and_figure(explorer):
    fig, source = explorer.plot.figure, explorer.predicted
    renderers = list(fig.renderers)
    ppm_before = explorer.predicted.data["ppm"]
    total_before = column(source, "total").copy()
    explorer.controls["contact_ms"].value = 5.0
    assert explorer.plot.figure is fig and explorer.predicted is source
    assert list(fig.renderers) == renderers
    assert explorer.predicted.data["ppm"] is ppm_before  # the axis is not re-sent
    assert not np.allclose(column(source, "total"), total_before)


def test_longer_contact_time_grows_core_relative_to_surface(explorer):
    """SI Fig. S3: 1.5 ms selects the surface PO_x, 5 ms reaches the InP core (P6)."""
    c = explorer.controls
    c["components"].value = True  # surface/core columns are kept current while shown
    ratios = []
    for contact in (1.5, 5.0):
        c["contact_ms"].value = contact
        ratios.append(column(explorer.predicted, "core").sum() / column(explorer.predicted, "surface").sum())
    assert ratios[1] > 1.1 * ratios[0]  # core catches up as T_IS of deeper atoms is reached


def test_sidebands_move_with_spin_rate_and_isotropic_peak_does_not(bridge):
    """SI Fig. S7: 113Cd of CdSe at 10 and 12.5 kHz (P7)."""
    e = SpectrumExplorer(material="CdSe", nucleus="113Cd", bridge=bridge)
    tops, marks = [], []
    for rate in (10_000, 12_500):
        e.controls["mas_hz"].value = rate
        ppm, total = column(e.predicted, "ppm"), column(e.predicted, "total")
        window = (ppm < -250) & (ppm > -380)
        tops.append(ppm[window][np.argmax(total[window])])
        marks.append(np.sort(column(e.plot.sidebands, "ppm")))
    assert tops[0] == pytest.approx(-317, abs=3) and tops[1] == pytest.approx(-317, abs=3)
    ref_mhz = nuclei.get("113Cd").reference_mhz(9.4)
    first_low = [-317 - rate / ref_mhz for rate in (10_000, 12_500)]  # order −1 sideband
    assert np.min(np.abs(marks[0] - first_low[0])) < 1.0
    assert np.min(np.abs(marks[1] - first_low[1])) < 1.0
    assert np.min(np.abs(marks[1] - first_low[0])) > 5.0  # the old sideband has moved
    assert len(marks[0]) > len(marks[1]) >= 2  # faster spinning: fewer sidebands


def test_no_silica_drops_the_readout_enhancement_to_a_low_value(explorer):
    """Fig. 2d/2f: ε 60–80 in 7 nm silica, "no or very low" (~5) for the frozen solution
    (P4). The model predicts ~9 from aggregation kinetics (qdkit.models.freezing), not from
    the measured 5; the readout must show that drop."""
    in_pores = float(explorer.readout.rows["DNP enhancement ε"])
    assert 60 <= in_pores <= 80
    explorer.controls["no_silica"].value = True
    assert float(explorer.readout.rows["DNP enhancement ε"]) < min(20.0, 0.25 * in_pores)
    assert explorer.controls["pore_nm"].disabled


def _sample_rows(rows):
    return {k: v for k, v in rows.items() if not k.startswith(("time to S/N", "… without"))}


def test_spin_rate_moves_only_the_depolarization_rows_and_pore_size_the_pore_rows(explorer):
    """Faster spinning depolarizes the microwave-off reference more (Thurber & Tycko 2014):
    the retention and absolute gain fall, ε_on/off and the pore numbers stay."""
    rows = dict(explorer.readout.rows)
    explorer.controls["mas_hz"].value = 12_000
    after = _sample_rows(explorer.readout.rows)
    moved = {k for k in after if after[k] != rows[k]}
    assert moved == {
        "signal kept with the radical (MAS depolarization × quenching)",
        "absolute sensitivity gain (full rotor / same QD mass)",
        "time saving (gain²)",
    }
    kept = "signal kept with the radical (MAS depolarization × quenching)"
    assert float(after[kept]) < float(rows[kept])
    explorer.controls["pore_nm"].value = 50.0
    assert explorer.readout.rows["QDs per pore"] != rows["QDs per pore"]


def test_not_a_number_shows_message_and_keeps_last_plot(explorer):
    before = column(explorer.predicted, "total").copy()
    explorer.controls["pore_nm"].value = math.nan
    assert "Pore size" in explorer.message.text
    np.testing.assert_array_equal(column(explorer.predicted, "total"), before)
    explorer.controls["pore_nm"].value = 7.0  # a valid value clears the message
    assert explorer.message.text == ""


def test_typed_in_infinity_is_clamped_to_the_slider_end(explorer):
    pore = explorer.controls["pore_nm"]
    pore.value = math.inf
    assert pore.value == pytest.approx(pore.base**pore.max) and 900 < pore.value < 1100
    assert explorer.message.text == ""
    assert np.all(np.isfinite(column(explorer.predicted, "total")))


def test_unexpected_input_type_is_a_message_not_a_traceback(explorer):
    explorer.show_measured(12345)
    assert "measured= must be" in explorer.message.text


SLIDERS = ("contact_ms", "mas_hz", "pore_nm", "silica_per_qd", "diameter_nm")


@settings(max_examples=15, deadline=None, suppress_health_check=[FIXTURE_REUSED])
@given(
    st.lists(
        st.tuples(st.sampled_from(SLIDERS + ("no_silica", "field_T", "material")), st.floats(0, 1)),
        min_size=1,
        max_size=6,
    )
)
def test_any_slider_combination_updates_or_shows_a_message(explorer, moves):
    """Issue 7: extremes and combinations either plot finite numbers or explain themselves."""
    c = explorer.controls
    for name, u in moves:
        ctrl = c[name]
        if name == "no_silica":
            ctrl.value = u > 0.5
        elif name in ("field_T", "material"):
            options = list(ctrl.options)
            ctrl.value = options[min(int(u * len(options)), len(options) - 1)]
        elif hasattr(ctrl, "base"):  # log slider: min/max are exponents
            ctrl.value = ctrl.base ** (ctrl.min + u * (ctrl.max - ctrl.min))
        else:
            ctrl.value = ctrl.min + u * (ctrl.max - ctrl.min)
        total = column(explorer.predicted, "total")
        assert explorer.message.text or (total.size and np.all(np.isfinite(total)))


def test_users_own_real_dataset_is_the_measured_trace(bridge, real_data):
    folder = real_data / "brukerconverter_1H_zg30_liquid_with_pdata"
    expno = next(p.parent for p in sorted(folder.rglob("acqus")))
    e = SpectrumExplorer(material="InP", nucleus="31P", measured=expno, bridge=bridge)
    assert e.message.text == ""
    assert e.controls["series"].value == "your dataset"
    measured = column(e.measured, "intensity")
    assert measured.size > 1000 and np.all(np.isfinite(measured))
    assert "synthetic" not in e.plot.synthetic_label.text.lower()
    before = e.measured.data["intensity"]
    e.controls["contact_ms"].value = 4.0  # a user's dataset does not follow the sliders
    assert e.measured.data["intensity"] is before


def test_surface_and_core_components_shown_on_demand(explorer):
    assert not any(r.visible for r in explorer.plot.components)
    explorer.controls["contact_ms"].value = 7.0  # hidden components are not re-sent ...
    explorer.controls["components"].value = True  # ... until they are shown
    assert all(r.visible for r in explorer.plot.components)
    surface, core = column(explorer.predicted, "surface"), column(explorer.predicted, "core")
    np.testing.assert_allclose(surface + core, column(explorer.predicted, "total"), rtol=1e-5, atol=1e-6)


def test_displaying_the_explorer_shows_its_widget_container(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.view.model_id


@pytest.mark.parametrize(
    "cls", [PolarizationExplorer, CPBuildupExplorer, RelayedDiffusionExplorer, SensitivityExplorer]
)
def test_teaching_explorers_start_clean_and_explain_bad_input(cls):
    e = cls()
    assert e.message.text == "" and e.readout.rows
    first = next(iter(e.controls.values()))
    numeric = [c for c in e.controls.values() if isinstance(c.value, float)]
    for ctrl in numeric:
        ctrl.value = math.nan
    assert e.message.text, f"{cls.__name__} accepted NaN silently"
    assert first is next(iter(e.controls.values()))


def test_thermal_gain_of_100_K_over_room_temperature_is_about_3():
    """Main text: cooling to 100 K gains ≈ 3 (the paper quotes 2.8) (P12)."""
    e = PolarizationExplorer()
    e.controls["temperature_K"].value = 100.0
    assert float(e.readout.rows["thermal gain over 298 K"]) == pytest.approx(2.98, abs=0.05)


def test_cp_explorer_surface_share_falls_with_contact_time():
    e = CPBuildupExplorer()
    shares = []
    for t in (0.5, 10.0):
        e.controls["contact_ms"].value = t
        key = next(k for k in e.readout.rows if k.startswith("surface share"))
        shares.append(float(e.readout.rows[key]))
    assert shares[0] > shares[1]


def test_sensitivity_explorer_gives_eps_squared_time_saving():
    """Abstract: ε = 80 saves a factor 6400 in time (P3)."""
    e = SensitivityExplorer()
    e.controls["enhancement"].value = 80.0
    assert e.readout.rows["time saving"].replace(",", "") == pytest.approx("6400", abs=0) or float(
        e.readout.rows["time saving"].replace(",", "")
    ) == pytest.approx(6400, rel=1e-3)


def test_voila_config_culls_idle_kernels():
    config = json.loads((REPO / "voila.json").read_text())
    cull = config["MappingKernelManager"]
    assert 0 < cull["cull_interval"] <= 600 and 0 < cull["cull_idle_timeout"] <= 3600


def test_demo_page_is_standalone_offline_and_labels_synthetic_data(tmp_path):
    from qdkit.errors import OutputError
    from qdkit_widgets.demo import write_demo

    out = write_demo(tmp_path / "demo.html")
    html = out.read_text(encoding="utf-8")
    assert "cdn.bokeh.org" not in html and "<script" in html  # BokehJS inline
    assert "synthetic reference data" in html.lower()
    assert html.count("predicted by qdkit") == 3  # InP 31P, CdSe 113Cd, CdSe 77Se
    with pytest.raises(OutputError):
        write_demo(out)  # never overwrites without being asked


# -- processing panel on a real Bruker dataset ---------------------------------------------


@pytest.fixture
def panel(real_data):
    from qdkit_widgets import ProcessingPanel

    return ProcessingPanel(real_data / "brukerconverter_1H_zg30_liquid_with_pdata" / "1")


def test_processing_panel_starts_at_topspins_own_processing(panel):
    import qdkit
    from qdkit.processing import vendor_agreement

    assert panel.message.text == ""
    assert vendor_agreement(panel.dataset, panel.spectrum) >= 0.999
    again = qdkit.process(panel.dataset, json.loads(panel.recipe_text.value))
    np.testing.assert_allclose(again.data, panel.spectrum.data)  # the shown recipe replays


def test_processing_panel_p0_of_90_degrees_turns_dispersion_into_absorption(panel):
    before = panel.spectrum.data.copy()
    p0 = panel.controls["p0_deg"]
    p0.value = p0.value + 90.0 if p0.value <= 90.0 else p0.value - 270.0
    np.testing.assert_allclose(panel.spectrum.real, -before.imag, atol=1e-9 * np.abs(before).max())
    np.testing.assert_array_equal(np.asarray(panel.source.data["real"]), panel.spectrum.real.astype(np.float32))


def test_processing_panel_saves_recipe_and_never_overwrites(panel, tmp_path):
    target = tmp_path / "my_recipe.json"
    panel.controls["lb_hz"].value = 2.0
    panel.controls["save_path"].value = str(target)
    panel.controls["save"].click()
    saved = json.loads(target.read_text())
    assert saved == json.loads(panel.recipe_text.value)
    assert {"step": "apodize", "window": "em", "lb_hz": 2.0} in saved
    assert "saved" in panel.message.text
    panel.controls["save"].click()  # second click: refuses, says why
    assert "exists" in panel.message.text and json.loads(target.read_text()) == saved


def test_processing_panel_exports_a_procno_and_a_jcamp_file(real_data, tmp_path):
    """The two export buttons write through qdkit.io.export and report in the panel; a
    refused write (existing procno or file, the raw-data folder) is a message, not an error."""
    from qdkit import io
    from qdkit_widgets import ProcessingPanel

    expno = writable_copy(real_data / "brukerconverter_1H_zg30_liquid_with_pdata" / "1", tmp_path / "1")
    panel = ProcessingPanel(expno)
    before = snapshot(expno)
    c = panel.controls
    assert c["export_procno"].value == 101  # the first procno the experiment does not use
    c["lb_hz"].value = 2.0
    c["export_topspin"].click()
    assert "procno 101" in panel.message.text
    back = io.read_spectrum(expno / "pdata" / "101")
    assert np.corrcoef(back.real, panel.spectrum.real)[0, 1] >= 1 - 1e-9
    c["export_topspin"].click()
    assert "exists" in panel.message.text
    assert {k: v for k, v in snapshot(expno).items() if "/pdata/101/" not in k} == before

    c["export_jcamp_path"].value = str(tmp_path / "panel.jdx")
    c["export_jcamp"].click()
    assert "JCAMP-DX" in panel.message.text and (tmp_path / "panel.jdx").is_file()
    c["export_jcamp"].click()
    assert "overwrite" in panel.message.text
    c["export_jcamp_path"].value = str(expno / "inside.jdx")
    c["export_jcamp"].click()
    assert "raw data" in panel.message.text and not (expno / "inside.jdx").exists()


def test_processing_panel_explains_impossible_settings(panel):
    panel.controls["window"].value = "gm"  # Lorentz-to-Gauss needs gb in (0, 1)
    assert "gb" in panel.message.text
    panel.controls["window"].value = "em"
    assert panel.message.text == ""
    panel.controls["baseline"].value = "arpls"
    assert panel.message.text == "" and any(s["step"] == "baseline" for s in panel.spectrum.recipe)


def _set_fraction(ctrl, u: float) -> None:
    """Put a control at fraction ``u`` of its range (log sliders: of the exponent range)."""
    if isinstance(ctrl.value, bool):
        ctrl.value = u > 0.5
    elif hasattr(ctrl, "options"):
        options = list(ctrl.options)
        ctrl.value = options[min(int(u * len(options)), len(options) - 1)]
    elif hasattr(ctrl, "base"):
        ctrl.value = ctrl.base ** (ctrl.min + u * (ctrl.max - ctrl.min))
    elif hasattr(ctrl, "min"):
        ctrl.value = type(ctrl.value)(ctrl.min + u * (ctrl.max - ctrl.min))
    else:  # free text entry: typed-in extremes
        ctrl.value = [0.0, -1.0, 1e300, math.nan][int(u * 3.999)]


@settings(max_examples=12, deadline=None)
@given(
    st.sampled_from(["PolarizationExplorer", "CPBuildupExplorer", "RelayedDiffusionExplorer", "SensitivityExplorer"]),
    st.lists(st.tuples(st.integers(0, 10), st.sampled_from([0.0, 1.0, 0.5, 0.999])), min_size=1, max_size=5),
)
def test_teaching_explorers_at_extremes_update_or_explain(name, moves):
    import qdkit_widgets as widgets

    e = getattr(widgets, name)()
    names = list(e.controls)
    for index, u in moves:
        _set_fraction(e.controls[names[index % len(names)]], u)
        for src in e.sources.values():
            for col in src.data.values():
                values = np.asarray(col)
                if values.dtype.kind == "f":
                    assert e.message.text or np.all(np.isfinite(values)), (name, names)


# (baseline fits of 32k points take seconds each: the baseline control has its own test)
@settings(max_examples=10, deadline=None, suppress_health_check=[FIXTURE_REUSED])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["window", "lb_hz", "p0_deg", "p1_deg", "pivot_ppm", "sr_hz"]),
            st.sampled_from([0.0, 1.0, 0.5, 0.999]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_processing_panel_at_extremes_updates_or_explains(panel, moves):
    for name, u in moves:
        _set_fraction(panel.controls[name], u)
        shown = np.asarray(panel.source.data["real"])
        assert panel.message.text or np.all(np.isfinite(shown))


def test_experiment_time_without_microwaves_is_eps_squared_longer(bridge):
    """Abstract: time saving ∝ ε² (P3), here from the measured S/N of Fig. S7's dataset."""
    e = SpectrumExplorer(material="CdSe", nucleus="113Cd")  # the catalog's sample
    rows = e.readout.rows
    with_dnp = next(v for k, v in rows.items() if k.startswith("time to S/N"))
    hours_on = float(with_dnp.split()[0].replace(",", ""))
    days_off = float(rows["… without microwaves"].split()[0].replace(",", ""))
    eps = float(rows["DNP enhancement ε"])
    assert days_off * 24 / hours_on == pytest.approx(eps**2, rel=0.02)
    assert "in" in rows["S/N of the measured spectrum"]
    for typed in ("-1", "abc", "", "1e308"):  # typed-in nonsense: explained, not raised
        e.controls["target_snr"].value = typed
        assert "target S/N" in e.message.text and "type a number from 1" in e.message.text
    e.controls["target_snr"].value = "200"
    assert e.message.text == "" and "time to S/N 200 with DNP" in e.readout.rows


def _peak(source, column_name):
    return float(np.max(np.asarray(source.data[column_name], dtype=float)))


def test_microwaves_off_divides_prediction_by_eps_and_shows_the_off_spectrum():
    """Fig. 2d/e, SI Fig. S2: the same rotor without microwaves gives ε times less signal."""
    e = SpectrumExplorer(material="InP", nucleus="31P")  # the catalog's sample
    e.controls["series"].value = next(o for o in e.controls["series"].options if "microwave" in o)
    on_pred, on_meas = _peak(e.predicted, "total"), _peak(e.measured, "intensity")
    e.controls["microwave"].value = False
    eps = float(e.readout.rows["DNP enhancement ε"])
    assert on_pred / _peak(e.predicted, "total") == pytest.approx(eps, rel=0.01)
    assert "microwave off" in e.plot.synthetic_label.text
    assert on_meas / _peak(e.measured, "intensity") > 20  # the measured (synthetic) ε


def test_pore_series_keeps_measured_intensities_drop_above_100_nm():
    """Fig. 2f (P4): measured traces of one series keep their relative intensities."""
    e = SpectrumExplorer(material="InP", nucleus="31P")
    e.controls["series"].value = next(o for o in e.controls["series"].options if "pore" in o)
    peaks = {}
    for pore in (7.0, 50.0, 250.0):
        e.controls["pore_nm"].value = pore
        peaks[pore] = _peak(e.measured, "intensity")
    assert peaks[50.0] > 0.85 * peaks[7.0]
    assert peaks[250.0] < 0.8 * peaks[7.0]


def test_processing_panel_secondary_standard_moves_the_axis_by_the_offset():
    """SI IV-V: a Cd(ClO4)2·6H2O line seen 10 ppm too high moves every line down 10 ppm."""
    from qdkit import paths
    from qdkit_widgets import ProcessingPanel

    p = ProcessingPanel(paths.reference_dataset("S7", mas_hz=10000.0))
    assert "Cd(ClO4)2·6H2O" in p.controls["standard"].options
    top = float(p.spectrum.ppm[np.argmax(p.spectrum.real)])
    p.controls["standard"].value = "Cd(ClO4)2·6H2O"
    p.controls["observed_ppm"].value = -631.0
    assert p.message.text == ""
    moved = float(p.spectrum.ppm[np.argmax(p.spectrum.real)])
    assert moved - top == pytest.approx(-10.0, abs=0.2)
    assert p.spectrum.recipe[-1]["step"] == "reference_to_standard"


def test_unknown_sample_falls_back_with_a_warning(bridge):
    e = SpectrumExplorer(material="PbS", nucleus="207Pb", bridge=bridge)
    assert "no 207Pb experiment on PbS" in e.message.text
    assert e.controls["material"].value in ("InP", "CdSe")
    assert np.asarray(e.predicted.data["total"]).size == 4096


def test_qdkit_demo_command_writes_the_page_once(tmp_path, capsys):
    from qdkit import cli

    out = tmp_path / "explorer.html"
    assert cli.main(["demo", "--out", str(out)]) == 0 and out.stat().st_size > 1e6
    assert cli.main(["demo", "--out", str(out)]) == 2  # exists: refused, explained
    assert "--force" in capsys.readouterr().err


def _paper_pairs():
    from qdkit_widgets.bridge import paper_setups

    return sorted(paper_setups())


@pytest.mark.parametrize("pair", _paper_pairs(), ids=lambda p: f"{p[0]}-{p[1]}")
def test_spin_rate_slider_changes_every_prediction_with_a_csa(pair):
    """Issue 10: between 5 and 15 kHz the prediction changes by ≥ 1 % of its maximum for every
    sample the explorer offers whose species carry a CSA (printed or assumed)."""
    e = SpectrumExplorer(material=pair[0], nucleus=pair[1])
    sample, _ = e.bridge.setup(*pair)
    if not any(ln.site.aniso_ppm for ln in sample.species):
        pytest.skip("no species of this sample has a CSA")
    traces = []
    for rate in (5_000.0, 15_000.0):
        e.controls["mas_hz"].value = rate
        assert e.message.text == ""
        traces.append(column(e.predicted, "total"))
    change = np.max(np.abs(traces[1] - traces[0])) / max(traces[0].max(), traces[1].max())
    assert change >= 0.01


def _series_members():
    """(material, nucleus, series name, record) of every reference series the explorer offers."""
    from qdkit_widgets.measured import reference_series

    out = []
    for material, nucleus in _paper_pairs():
        for ser in reference_series(material, nucleus):
            out += [(material, nucleus, ser, rec) for rec in ser.records]
    return out


@pytest.mark.parametrize("member", _series_members(), ids=lambda m: m[3]["path"])
def test_explorer_prediction_matches_every_reference_series_member(member):
    """The synthetic reference data are qdkit.sample.predict at each member's sample and
    acquisition (data/make_reference_data.py), so the explorer set to that member's settings
    must draw the same spectrum up to noise, phase and apodization: correlation ≥ 0.95 after
    correcting for the noise (r / √(1 − σ²/var), σ from the points where nothing is predicted)."""
    material, nucleus, ser, rec = member
    e = SpectrumExplorer(material=material, nucleus=nucleus)
    c = e.controls
    c["microwave"].value = rec.get("microwave") is not False
    c["mas_hz"].value = rec["mas_hz"]
    if rec["contact_ms"]:
        c["contact_ms"].value = rec["contact_ms"]
    if "pore_nm" in rec.get("series_keys", ()):
        c["no_silica"].value = rec["pore_nm"] is None
        if rec["pore_nm"] is not None:
            c["pore_nm"].value = rec["pore_nm"]
    assert e.message.text == ""
    ppm, total = column(e.predicted, "ppm"), column(e.predicted, "total")
    trace = e._reference_trace(rec)  # read, processed and phased as the explorer shows it
    inside = (trace.ppm <= ppm.max()) & (trace.ppm >= ppm.min())
    predicted = np.interp(trace.ppm[inside], ppm[::-1], total[::-1])
    measured = trace.intensity[inside]
    r = np.corrcoef(predicted, measured)[0, 1]
    quiet = predicted < 2e-3 * predicted.max()
    assert quiet.sum() > 100, "no signal-free stretch to measure the noise on"
    noise = np.var(measured[quiet])
    assert r / math.sqrt(1.0 - noise / np.var(measured)) >= 0.95


def test_plot_says_prediction_and_reference_come_from_one_model_and_the_reference_is_synthetic(explorer):
    e = SpectrumExplorer(material="InP", nucleus="31P")
    label = e.plot.synthetic_label.text
    assert "SYNTHETIC" in label and "qdkit.sample.predict" in label
    legend = [item.label["value"] for item in e.plot.figure.legend[0].items]
    assert any("qdkit.sample.predict" in text for text in legend)
