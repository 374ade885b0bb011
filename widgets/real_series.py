"""Real-data mode of the spectrum explorer: a measured spin-rate series against its prediction.

The spin-rate slider picks the nearest measured spectrum; the trace drawn with it is the
prediction of :func:`qdkit.analysis.mas_series.predict_series` from sites fitted at one rate.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .display import WidgetApp, bokeh_widget
from .figure import spectrum_figure
from .panel import MessageArea, Readout, format_number, guarded, tag

#: Legend entry of the predicted trace in real-data mode.
PREDICTION_LABEL = "predicted from the fitted sites (qdkit.analysis.mas_series)"


def draw_rate(plot, readout, prediction, index: int, *, source: str, synthetic: bool = False) -> None:
    """Draw measured spectrum ``index`` of ``prediction.series`` and its prediction.

    Parameters
    ----------
    plot : widgets.figure.SpectrumFigure
        Where the two traces go (the measured one labelled with ``source`` and the rate).
    readout : widgets.panel.Readout
        Gets the rate shown, the rate fitted and the two correlations (from qdkit).
    prediction : qdkit.analysis.mas_series.SeriesPrediction
        The fit at one rate and the predictions at every measured rate.
    index : int
        Which measured spectrum (``prediction.series.nearest(mas_hz)``).
    source : str
        Where the spectra come from (names the data and its licence).
    synthetic : bool
        The series was simulated: the label then says so, in red.
    """
    series = prediction.series
    data = series.spectra[index]
    label = f"{source}, {format_number(data.mas_hz / 1e3, 'kHz')} MAS"
    plot.set_measured(data.ppm, data.y, synthetic=False, label=label)
    if synthetic:  # the figure's own synthetic label names the reference data; this is not
        plot.synthetic_label.text = f"SYNTHETIC series, not measured: {label}"
        plot.synthetic_label.text_color = "#b00020"
    blank = np.zeros(data.ppm.size)
    plot.set_prediction_label(PREDICTION_LABEL)
    plot.set_predicted(data.ppm, prediction.predicted[index], blank, blank, axis_changed=True)
    fitted = series.rates_hz[prediction.fitted]
    kind = "the fit itself" if index == prediction.fitted else "predicted"
    readout.update(
        {
            "measured spectrum shown": format_number(data.mas_hz / 1e3, "kHz"),
            "sites fitted at": format_number(fitted / 1e3, "kHz"),
            "trace drawn": kind,
            "correlation, whole spectrum": format_number(prediction.correlation[index], digits=4),
            "correlation, sidebands only": format_number(prediction.sideband_correlation[index], digits=4),
        }
    )


class RealSeriesExplorer(WidgetApp):
    """Measured spectra of one sample at several spinning rates, with qdkit's prediction.

    Parameters
    ----------
    prediction : qdkit.analysis.mas_series.SeriesPrediction
        A fit at one measured rate and the predictions at every measured rate.
    source : str
        Where the spectra come from, shown above the plot (the data are real: never
        labelled synthetic here unless ``synthetic=True``).
    synthetic : bool
        The series was simulated (then the label says so, in red).

    Hooking it into another explorer: build it with the same ``SeriesPrediction`` and call
    :meth:`show_rate` from that explorer's spin-rate slider (or place ``.view`` in its
    layout); :meth:`show_rate` never raises, a bad rate becomes a message.
    """

    def __init__(self, prediction, *, source: str = "", synthetic: bool = False):
        self.prediction = prediction
        series = prediction.series
        self.message = MessageArea()
        self.readout = Readout("Fitted at one rate, predicted at the others")
        self._guard = guarded(self.message)
        rates_khz = [r / 1e3 for r in series.rates_hz]
        low, high = min(rates_khz), max(rates_khz)
        self.rate = tag(
            W.FloatSlider(
                value=rates_khz[prediction.fitted],
                min=max(0.0, low - 1.0),
                max=high + 1.0,
                step=0.1,
                description="spin rate (kHz)",
                continuous_update=True,
                style={"description_width": "9em"},
                layout=W.Layout(width="27em"),
            ),
            "mas_khz",
        )
        self.shown = None
        self.plot = spectrum_figure(series.nucleus)
        self.synthetic = bool(synthetic)
        self.source = source or series.label
        self.show_rate(self.rate.value * 1e3)
        self.rate.observe(self._guard(lambda change: self.show_rate(change["new"] * 1e3)), "value")
        self.plot_widget = bokeh_widget(self.plot.figure)  # last: see widgets.display
        self.view = W.VBox([self.rate, self.plot_widget, self.message.widget, self.readout.widget])

    def show_rate(self, mas_hz) -> int | None:
        """Show the measured spectrum nearest ``mas_hz`` and its prediction; returns its index
        (``None`` and a message when the rate is not a number)."""
        return self._guard(self._show)(mas_hz)

    def _show(self, mas_hz) -> int:
        series = self.prediction.series
        index = series.nearest(mas_hz)
        if index == self.shown:
            return index
        draw_rate(self.plot, self.readout, self.prediction, index, source=self.source, synthetic=self.synthetic)
        self.shown = index
        return index
