"""ProcessingPanel: phase, apodize, baseline and reference a real dataset by hand.

Every change rebuilds the recipe (a list of qdkit processing steps) and replays it with
``qdkit.recipe.apply``; the recipe is shown as JSON and can be saved next to your results,
so ``qdkit.process(qdkit.read(path), recipe)`` gives the same spectrum again. The time-
domain part (apodization) is cached, so moving a phase or baseline control does not repeat
the Fourier transform.
"""

from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as W
import numpy as np

from qdkit.errors import OutputError, QdkitError

from .display import WidgetApp, bokeh_widget
from .errors import WidgetError
from .figure import as_column
from .panel import MessageArea, guarded, tag

_STYLE = {"description_width": "9em"}
_WIDE = W.Layout(width="26em")
NO_BASELINE = "none"
NO_STANDARD = "none (use SR)"
# Steps of the automatic recipe that this panel sets itself.
_MANUAL = {"apodize", "phase", "autophase", "magnitude", "baseline", "reference_sr", "reference_to_standard"}


def _wrap_deg(angle: float) -> float:
    """The same phase in (−180°, 180°] (TopSpin's PHC0 often carries whole turns)."""
    return float((angle + 180.0) % 360.0 - 180.0) if angle != -180.0 else 180.0


class ProcessingPanel(WidgetApp):
    """Interactive processing of one 1D dataset with the recipe shown and savable.

    Parameters
    ----------
    dataset : path or qdkit Dataset
        A dataset folder (Bruker expno or pdata/N, Varian, JCAMP-DX) or a read ``Dataset``.

    Attributes
    ----------
    controls : dict[str, ipywidgets.Widget]
        ``window``, ``lb_hz``, ``p0_deg``, ``p1_deg``, ``pivot_ppm``, ``auto_phase``,
        ``baseline``, ``sr_hz``, ``standard`` and ``observed_ppm`` (re-reference with a
        secondary standard measured at that shift, e.g. Cd(ClO4)2·6H2O at −641 ppm),
        ``save_path``, ``save``; ``export_procno`` and ``export_topspin`` (write the spectrum
        as a new TopSpin procno of the experiment), ``export_jcamp_path`` and ``export_jcamp``
        (write it as a JCAMP-DX file). Nothing is ever overwritten; each click says in the
        message area what was written or why not.
    spectrum : qdkit Spectrum
        The current result; ``spectrum.recipe`` is what is shown and saved.
    source : bokeh ColumnDataSource
        Columns ``ppm`` and ``real`` of the plotted spectrum.
    """

    def __init__(self, dataset):
        import qdkit
        from qdkit import processing, referencing

        self.message = MessageArea()
        self._guard = guarded(self.message)
        self.dataset = qdkit.read(dataset) if isinstance(dataset, (str, Path)) else dataset
        if getattr(self.dataset, "data", None) is None or self.dataset.data.ndim != 1:
            raise WidgetError("The processing panel takes 1D datasets; give a 1D experiment.")
        auto = processing.default_recipe(self.dataset)
        self._time_steps = [s for s in auto if s["step"] not in _MANUAL]
        phase = next((s for s in auto if s["step"] in ("phase", "autophase")), {})
        apod = next((s for s in auto if s["step"] == "apodize"), {})
        self._ft_cache: dict = {}
        self.spectrum = None
        self.controls = self._build_controls(
            window=apod.get("window", "em"),
            lb_hz=apod.get("lb_hz", 0.0),
            p0=_wrap_deg(phase.get("p0_deg") or 0.0),
            p1=phase.get("p1_deg", 0.0),
            sr_hz=referencing.sr_hz(self.dataset.meta),
            procno=self._free_procno(),
        )
        self.recipe_text = tag(W.Textarea(value="", layout=W.Layout(width="40em", height="14em")), "recipe")
        self.recipe_text.disabled = True
        self._figure()
        self._guard(self._set_pivot_range)()
        self._guard(self._update)()
        for name, ctrl in self.controls.items():
            if isinstance(ctrl, W.Button):
                continue
            if name not in ("save_path", "export_procno", "export_jcamp_path"):
                ctrl.observe(self._guard(lambda change: self._update()), "value")
        self.controls["auto_phase"].on_click(self._guard(lambda _: self._auto_phase()))
        self.controls["save"].on_click(self._guard(lambda _: self.save()))
        self.controls["export_topspin"].on_click(self._guard(lambda _: self.export_topspin()))
        self.controls["export_jcamp"].on_click(self._guard(lambda _: self.export_jcamp()))
        self.plot_widget = bokeh_widget(self.figure)
        c = self.controls
        self.view = tag(
            W.HBox(
                [
                    W.VBox(
                        [
                            W.HTML("<b>Apodization</b>"),
                            c["window"],
                            c["lb_hz"],
                            W.HTML("<b>Phase</b>"),
                            c["p0_deg"],
                            c["p1_deg"],
                            c["pivot_ppm"],
                            c["auto_phase"],
                            W.HTML("<b>Baseline and referencing</b>"),
                            c["baseline"],
                            c["sr_hz"],
                            c["standard"],
                            c["observed_ppm"],
                            W.HTML("<b>Recipe</b>"),
                            c["save_path"],
                            c["save"],
                            W.HTML("<b>Export</b>"),
                            c["export_procno"],
                            c["export_topspin"],
                            c["export_jcamp_path"],
                            c["export_jcamp"],
                        ]
                    ),
                    W.VBox([self.plot_widget, self.message.widget, self.recipe_text]),
                ]
            ),
            "processing-panel",
        )

    # -- building ------------------------------------------------------------------------
    def _build_controls(self, *, window, lb_hz, p0, p1, sr_hz, procno):
        from qdkit import processing

        def slider(name, description, **kw):
            return tag(
                W.FloatSlider(description=description, continuous_update=True, style=_STYLE, layout=_WIDE, **kw), name
            )

        return {
            "window": tag(
                W.Dropdown(
                    description="window", options=list(processing.WINDOWS), value=window, style=_STYLE, layout=_WIDE
                ),
                "window",
            ),
            "lb_hz": slider("lb_hz", "LB / Hz", min=0.0, max=2000.0, step=5.0, value=lb_hz),
            "p0_deg": slider("p0_deg", "p0 / °", min=-180.0, max=180.0, step=0.5, value=p0),
            "p1_deg": slider("p1_deg", "p1 / °", min=-720.0, max=720.0, step=1.0, value=p1),
            "pivot_ppm": slider("pivot_ppm", "pivot / ppm", min=-1e4, max=1e4, step=0.01, value=0.0),
            "auto_phase": tag(W.Button(description="automatic zero order"), "auto_phase"),
            "baseline": tag(
                W.Dropdown(
                    description="baseline",
                    options=[NO_BASELINE, *processing.BASELINE_METHODS],
                    value=NO_BASELINE,
                    style=_STYLE,
                    layout=_WIDE,
                ),
                "baseline",
            ),
            "sr_hz": tag(W.FloatText(description="SR / Hz", value=float(sr_hz), style=_STYLE, layout=_WIDE), "sr_hz"),
            "standard": tag(
                W.Dropdown(
                    description="secondary std",
                    options=self._standards(),
                    value=NO_STANDARD,
                    style=_STYLE,
                    layout=_WIDE,
                ),
                "standard",
            ),
            "observed_ppm": tag(
                W.FloatText(description="std seen at / ppm", value=0.0, style=_STYLE, layout=_WIDE), "observed_ppm"
            ),
            "save_path": tag(
                W.Text(description="save as", value="recipe.json", style=_STYLE, layout=_WIDE), "save_path"
            ),
            "save": tag(W.Button(description="save recipe (JSON)"), "save"),
            "export_procno": tag(
                W.BoundedIntText(
                    description="TopSpin procno", value=procno, min=1, max=99999, style=_STYLE, layout=_WIDE
                ),
                "export_procno",
            ),
            "export_topspin": tag(W.Button(description="export to TopSpin procno"), "export_topspin"),
            "export_jcamp_path": tag(
                W.Text(description="JCAMP-DX file", value="spectrum.jdx", style=_STYLE, layout=_WIDE),
                "export_jcamp_path",
            ),
            "export_jcamp": tag(W.Button(description="export JCAMP-DX"), "export_jcamp"),
        }

    def _figure(self):
        from bokeh.models import ColumnDataSource, DataRange1d
        from bokeh.plotting import figure

        self.source = ColumnDataSource({"ppm": np.zeros(0), "real": np.zeros(0)}, name="processed")
        nucleus = self.dataset.meta.nucleus or ""
        self.figure = figure(
            width=680,
            height=340,
            x_range=DataRange1d(flipped=True),
            x_axis_label=f"{nucleus} chemical shift / ppm",
            y_axis_label="intensity",
            tools="xpan,xwheel_zoom,box_zoom,reset,save",
            active_scroll="xwheel_zoom",
        )
        self.figure.line("ppm", "real", source=self.source, line_width=1.2)

    # -- processing ----------------------------------------------------------------------
    def recipe(self) -> list[dict]:
        """The recipe for the current controls: the dataset's own time-domain steps with the
        chosen apodization, FT, then phase, baseline and referencing."""
        c = self.controls
        steps = []
        for s in self._time_steps:
            starts_freq = s["step"] in ("zero_fill", "remove_group_delay", "ft")
            if starts_freq and not any(x["step"] == "apodize" for x in steps) and c["window"].value != "none":
                steps.append({"step": "apodize", "window": c["window"].value, "lb_hz": float(c["lb_hz"].value)})
            steps.append(dict(s))
        steps.append(
            {
                "step": "phase",
                "p0_deg": float(c["p0_deg"].value),
                "p1_deg": float(c["p1_deg"].value),
                "pivot_ppm": float(c["pivot_ppm"].value),
            }
        )
        if c["baseline"].value != NO_BASELINE:
            steps.append({"step": "baseline", "method": c["baseline"].value})
        steps.append({"step": "reference_sr", "sr_hz": float(c["sr_hz"].value)})
        if c["standard"].value != NO_STANDARD:
            steps.append(
                {
                    "step": "reference_to_standard",
                    "standard_name": c["standard"].value,
                    "observed_ppm": float(c["observed_ppm"].value),
                }
            )
        return steps

    def _standards(self) -> list[str]:
        """Reference compounds qdkit tabulates for this dataset's nucleus (SI IV-V)."""
        from qdkit import nuclei, referencing

        try:
            label = nuclei.normalize_label(self.dataset.meta.nucleus or "")
        except QdkitError:
            return [NO_STANDARD]
        return [NO_STANDARD, *(s.name for s in referencing.STANDARDS if label in s.nuclei)]

    def _transformed(self, steps):
        """Spectrum right after the FT for these steps (cached on the time-domain part)."""
        import qdkit
        from qdkit import recipe as recipes

        cut = next(i for i, s in enumerate(steps) if s["step"] == "ft") + 1
        key = recipes.to_json(steps[:cut])
        if key not in self._ft_cache:
            self._ft_cache = {key: qdkit.process(self.dataset, steps[:cut])}
        return self._ft_cache[key], steps[cut:]

    def _set_pivot_range(self) -> None:
        """Pivot slider spans the spectrum and starts at its first point (TopSpin's pivot)."""
        spec, _ = self._transformed(self.recipe())
        ppm = np.asarray(spec.ppm, dtype=float)
        pivot = self.controls["pivot_ppm"]
        lo, hi = float(ppm.min()), float(ppm.max())
        pivot.max = max(hi, pivot.min)
        pivot.min, pivot.max = lo, hi
        pivot.step = (hi - lo) / 2000 if hi > lo else 0.01
        pivot.value = float(ppm[0])

    def _update(self) -> None:
        from qdkit import recipe as recipes

        spec, rest = self._transformed(self.recipe())
        spec = recipes.apply(spec, rest)
        self.spectrum = spec
        self.source.data.update(ppm=as_column(spec.ppm), real=as_column(spec.real))
        self.recipe_text.value = recipes.to_json(spec.recipe)

    def _auto_phase(self) -> None:
        """Set p0 from qdkit's automatic zero-order phase (p1 and pivot as chosen)."""
        from qdkit import processing

        c = self.controls
        spec, _ = self._transformed(self.recipe())
        found = processing.autophase(spec, p1_deg=float(c["p1_deg"].value), pivot_ppm=float(c["pivot_ppm"].value))
        c["p0_deg"].value = _wrap_deg(found.recipe[-1]["p0_deg"])

    def save(self, path=None, *, overwrite: bool = False) -> Path:
        """Write the recipe as JSON (atomically; an existing file is never overwritten
        unless ``overwrite``). Returns the path written."""
        from qdkit import recipe as recipes

        path = Path(path or self.controls["save_path"].value).expanduser()
        if path.exists() and not overwrite:
            raise OutputError(f"{path} exists; choose another name (the panel never overwrites a file).")
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            tmp.write_text(recipes.to_json(self.spectrum.recipe) + "\n", encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"Cannot write the recipe to {path}: {exc}.") from None
        self.message.show(f"Recipe saved to {path}.", level="info")
        return path

    def _free_procno(self) -> int:
        """A procno the experiment does not use yet (101 upward), or 101 for non-Bruker data."""
        from qdkit.io import export

        try:
            return export.next_free_procno(export.experiment_folder(self.dataset.meta.source or ""))
        except QdkitError:
            return 101

    def export_topspin(self, procno=None) -> Path:
        """Write the current spectrum as TopSpin procno ``procno`` (default: the control's) of
        the dataset's experiment (:func:`qdkit.io.export.write_topspin_procno`; an existing
        procno is refused). Returns the procno folder."""
        from qdkit.io import export

        procno = int(self.controls["export_procno"].value if procno is None else procno)
        expno = export.experiment_folder(self.dataset.meta.source or "")
        written = export.write_topspin_procno(self.spectrum, expno, procno)
        self.message.show(f"Spectrum written as TopSpin procno {procno} ({written}).", level="info")
        return written

    def export_jcamp(self, path=None) -> Path:
        """Write the current spectrum as a JCAMP-DX file (:func:`qdkit.io.export.write_jcamp`;
        never over an existing file, never into the raw-data folder). Returns the file."""
        from qdkit.app.cli import raw_folder
        from qdkit.io import export

        path = Path(path or self.controls["export_jcamp_path"].value).expanduser()
        source = self.dataset.meta.source
        written = export.write_jcamp(self.spectrum, path, raw_folders=(raw_folder(source),) if source else ())
        self.message.show(f"Spectrum written as JCAMP-DX to {written}.", level="info")
        return written


__all__ = ["ProcessingPanel"]
