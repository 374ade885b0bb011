"""The spectrum figure: predicted and measured traces on a ppm axis running high → low.

The figure is built once; later changes only replace columns of its data sources (one
``ColumnDataSource`` each for the prediction, the measured spectrum and the sideband
markers), which is what keeps a slider move cheap in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bokeh.core.properties import value
from bokeh.models import ColumnDataSource, DataRange1d, Legend, Title
from bokeh.plotting import figure

EMPTY = np.zeros(0, dtype=np.float32)


def as_column(values) -> np.ndarray:
    """float32 column: half the bytes of float64 on the wire, ample for a plotted trace."""
    return np.ascontiguousarray(values, dtype=np.float32)


@dataclass
class SpectrumFigure:
    """A bokeh figure with the data sources and glyphs the explorers update."""

    figure: object
    predicted: ColumnDataSource  # ppm, total, surface, core
    measured: ColumnDataSource  # ppm, intensity
    sidebands: ColumnDataSource  # ppm, height
    synthetic_label: Title  # names the measured trace; red "synthetic ..." when it is
    components: list  # surface and core renderers (hidden unless asked for)

    def set_axis_label(self, nucleus: str) -> None:
        self.figure.xaxis.axis_label = f"{nucleus} chemical shift / ppm"

    _pending: dict | None = None

    @property
    def components_visible(self) -> bool:
        return all(r.visible for r in self.components)

    def show_components(self, visible: bool) -> None:
        """Show or hide the surface/core traces (sending their columns if they are stale)."""
        if visible and self._pending:
            self.predicted.data.update(self._pending)
            self._pending = None
        for renderer in self.components:
            renderer.visible = bool(visible)

    def set_predicted(self, ppm, total, surface, core, *, axis_changed: bool) -> None:
        """Replace the prediction's columns (the ppm column only when the axis changed).

        While the surface/core traces are hidden only ``total`` travels to the browser (a
        third of the bytes); their columns are sent when they are shown again.
        """
        new = {"total": as_column(total)}
        parts = {"surface": as_column(surface), "core": as_column(core)}
        if axis_changed:
            new["ppm"] = as_column(ppm)
        if self.components_visible or axis_changed:
            new.update(parts)
            self._pending = None
        else:
            self._pending = parts
        self.predicted.data.update(new)

    def set_measured(self, ppm, intensity, *, synthetic: bool, label: str = "") -> None:
        self.measured.data.update(ppm=as_column(ppm), intensity=as_column(intensity))
        text = (
            "SYNTHETIC reference data, not measured: qdkit.sample.predict (the model of the prediction) + noise"
            if synthetic
            else ""
        )
        if label:
            text = f"{text}: {label}" if text else f"measured: {label}"
        self.synthetic_label.text = text
        self.synthetic_label.text_color = "#b00020" if synthetic else "#222222"

    def set_prediction_label(self, text: str) -> None:
        """Name the predicted trace in the legend (what it was computed from)."""
        self.figure.legend[0].items[0].label = value(text)

    def set_sidebands(self, ppm, height) -> None:
        self.sidebands.data.update(ppm=as_column(ppm), height=as_column(height))


def spectrum_figure(nucleus: str = "", width: int = 860, height: int = 400) -> SpectrumFigure:
    """Create the figure with empty sources; x runs from high to low ppm as NMR people expect."""
    predicted = ColumnDataSource({"ppm": EMPTY, "total": EMPTY, "surface": EMPTY, "core": EMPTY}, name="predicted")
    measured = ColumnDataSource({"ppm": EMPTY, "intensity": EMPTY}, name="measured")
    sidebands = ColumnDataSource({"ppm": EMPTY, "height": EMPTY}, name="sidebands")
    fig = figure(
        width=width,
        height=height,
        x_range=DataRange1d(flipped=True, range_padding=0.02, only_visible=True),
        tools="xpan,xwheel_zoom,box_zoom,reset,save",
        active_scroll="xwheel_zoom",
        toolbar_location="above",
        output_backend="canvas",
        name="spectrum",
    )
    fig.yaxis.axis_label = "intensity (relative)"
    fig.grid.visible = False
    measured_line = fig.line("ppm", "intensity", source=measured, color="#222222", line_width=1.2)
    total = fig.line("ppm", "total", source=predicted, color="#1f77b4", line_width=2)
    surface = fig.line("ppm", "surface", source=predicted, color="#d62728", line_dash="dashed", visible=False)
    core = fig.line("ppm", "core", source=predicted, color="#2ca02c", line_dash="dotted", visible=False)
    marks = fig.scatter("ppm", "height", source=sidebands, marker="asterisk", size=9, color="#1f77b4")
    legend = Legend(
        items=[
            ("predicted (qdkit.sample.predict)", [total]),
            ("surface species", [surface]),
            ("core species", [core]),
            ("spinning sidebands", [marks]),
            ("measured", [measured_line]),
        ],
        location="top_left",
        click_policy="hide",
        label_text_font_size="9pt",
    )
    fig.add_layout(legend, "right")
    label = Title(
        text="", text_color="#b00020", text_font_size="10pt", text_font_style="normal", name="synthetic_label"
    )
    fig.add_layout(label, "above")
    out = SpectrumFigure(fig, predicted, measured, sidebands, label, [surface, core])
    if nucleus:
        out.set_axis_label(nucleus)
    return out
