"""The spectrum figure: predicted and measured traces on a ppm axis running high → low.

The figure is built once; later changes only replace columns of its data sources (one
``ColumnDataSource`` each for the prediction, the measured spectrum and the sideband
markers), which is what keeps a slider move cheap in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bokeh.models import ColumnDataSource, DataRange1d, Label, Legend
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
    synthetic_label: Label
    components: list  # surface and core renderers (hidden unless asked for)

    def set_axis_label(self, nucleus: str) -> None:
        self.figure.xaxis.axis_label = f"{nucleus} chemical shift / ppm"

    def show_components(self, visible: bool) -> None:
        for renderer in self.components:
            renderer.visible = bool(visible)

    def set_predicted(self, ppm, total, surface, core, *, axis_changed: bool) -> None:
        """Replace the prediction's columns (the ppm column only when the axis changed)."""
        new = {"total": as_column(total), "surface": as_column(surface), "core": as_column(core)}
        if axis_changed:
            new["ppm"] = as_column(ppm)
        self.predicted.data.update(new)

    def set_measured(self, ppm, intensity, *, synthetic: bool, label: str = "") -> None:
        self.measured.data.update(ppm=as_column(ppm), intensity=as_column(intensity))
        text = "synthetic reference data" if synthetic else ""
        if label:
            text = f"{text}: {label}" if text else label
        self.synthetic_label.text = text
        self.synthetic_label.visible = bool(text)

    def set_sidebands(self, ppm, height) -> None:
        self.sidebands.data.update(ppm=as_column(ppm), height=as_column(height))


def spectrum_figure(nucleus: str = "", width: int = 720, height: int = 380) -> SpectrumFigure:
    """Create the figure with empty sources; x runs from high to low ppm as NMR people expect."""
    predicted = ColumnDataSource(
        {"ppm": EMPTY, "total": EMPTY, "surface": EMPTY, "core": EMPTY}, name="predicted"
    )
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
    surface = fig.line(
        "ppm", "surface", source=predicted, color="#d62728", line_dash="dashed", visible=False
    )
    core = fig.line(
        "ppm", "core", source=predicted, color="#2ca02c", line_dash="dotted", visible=False
    )
    marks = fig.scatter(
        "ppm", "height", source=sidebands, marker="asterisk", size=9, color="#1f77b4"
    )
    legend = Legend(
        items=[
            ("predicted (qdkit model)", [total]),
            ("surface sites", [surface]),
            ("core sites", [core]),
            ("spinning sidebands", [marks]),
            ("measured", [measured_line]),
        ],
        location="top_left",
        click_policy="hide",
        label_text_font_size="9pt",
    )
    fig.add_layout(legend)
    label = Label(
        x=10,
        y=10,
        x_units="screen",
        y_units="screen",
        text="",
        text_color="#b00020",
        text_font_size="10pt",
        visible=False,
        name="synthetic_label",
    )
    fig.add_layout(label)
    out = SpectrumFigure(fig, predicted, measured, sidebands, label, [surface, core])
    if nucleus:
        out.set_axis_label(nucleus)
    return out
