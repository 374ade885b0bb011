"""The real-data spin-rate explorer (widgets/real_series.py): controls and plots only,
never raising on input. Its data here are a SYNTHETIC two-rate series (fast); the notebook
shows it on the real KBr series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdkit.analysis.fit import FitData, fit_sites
from qdkit.analysis.mas_series import SpinRateSeries, predict_series
from qdkit.mas import Site, mas_spectrum
from qdkit_widgets.real_series import RealSeriesExplorer

PPM = np.linspace(700.0, -1300.0, 1024)
CD = Site("113Cd", -317.0, 416.0, 0.3, 4000.0)


@pytest.fixture(scope="module")
def explorer():
    rng = np.random.default_rng(5)
    spectra = []
    for rate in (10_000.0, 12_500.0):
        y = mas_spectrum([CD], 9.4, rate, PPM)
        spectra.append(FitData(PPM, y + rng.normal(0, y.max() / 50, y.size), 9.4, rate))
    series = SpinRateSeries("113Cd", tuple(spectra), "synthetic 113Cd")
    result = fit_sites(series.spectra[0], [Site("113Cd", -314, 380, 0.4, 3500)])
    return RealSeriesExplorer(predict_series(series, 0, result), synthetic=True)


def test_slider_shows_the_nearest_measured_spectrum_and_its_prediction(explorer):
    explorer.rate.value = 12.0  # kHz: nearer 12.5 than 10
    assert explorer.shown == 1
    np.testing.assert_allclose(
        explorer.plot.measured.data["intensity"], explorer.prediction.series.spectra[1].y.astype(np.float32)
    )
    np.testing.assert_allclose(
        explorer.plot.predicted.data["total"], explorer.prediction.predicted[1].astype(np.float32)
    )
    assert explorer.readout.rows["trace drawn"] == "predicted"
    assert float(explorer.readout.rows["correlation, whole spectrum"]) >= 0.99
    assert explorer.plot.synthetic_label.text.startswith("SYNTHETIC")
    explorer.rate.value = 10.2
    assert explorer.shown == 0 and explorer.readout.rows["trace drawn"] == "the fit itself"


@pytest.mark.parametrize("bad", [math.nan, "fast", None, -1e300])
def test_bad_rates_become_a_message_not_an_exception(explorer, bad):
    shown = explorer.shown
    index = explorer.show_rate(bad)
    if index is None:
        assert explorer.message.text and explorer.shown == shown
    else:  # a finite number, however odd, still picks the nearest measured rate
        assert index in (0, 1)
