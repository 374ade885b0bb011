"""SpectrumExplorer: move contact time, spin rate, pore size and loading; watch the spectra.

The predicted spectrum comes from ``qdkit.sample.predict`` through
:class:`widgets.bridge.QdkitBridge`;
the measured one is the nearest dataset of the chosen reference series or the dataset
the user passed. Updates replace columns of the figure's data sources; the figure itself
is built once. In real-data mode (``real_series=``) the measured trace is the nearest
spectrum of a measured spin-rate series and the prediction comes from sites fitted to it
(:mod:`qdkit.analysis.mas_series`).
"""

from __future__ import annotations

import contextlib

import ipywidgets as W
import numpy as np

from qdkit.errors import QdkitError

from .bridge import QdkitBridge, Settings
from .display import WidgetApp, bokeh_widget
from .errors import WidgetError
from .figure import spectrum_figure
from .measured import MeasuredTrace, Series, load_trace, reference_series
from .panel import (
    MessageArea,
    Readout,
    format_number,
    guarded,
    on_log_grid,
    read_number,
    tag,
)
from .real_series import draw_rate

FIELDS_T = (9.4, 11.7, 14.1, 16.4, 18.8)
NO_SERIES = "none"
USER_SERIES = "your dataset"

# Controls whose change only re-weights cached lineshapes (the fast path).
FAST = ("contact_ms", "pore_nm", "no_silica", "silica_per_qd", "microwave")


def _slider(cls, name, description, **kw):
    kw.setdefault("continuous_update", True)
    kw.setdefault("style", {"description_width": "11em"})
    kw.setdefault("layout", W.Layout(width="26em"))
    return tag(cls(description=description, **kw), name)


class SpectrumExplorer(WidgetApp):
    """Predicted vs measured DNP SENS spectrum of a quantum-dot sample, live.

    Parameters
    ----------
    material, nucleus : str
        Starting QD material (e.g. ``"InP"``, ``"CdSe"``) and observed nucleus (``"31P"``).
        The other settings start from the paper's experiment for that pair.
    measured : path, Dataset or Spectrum, optional
        Your own dataset to show as the measured trace. Without it the measured trace is
        the nearest reference dataset of the chosen series (synthetic, labelled so).
    bridge : QdkitBridge, optional
        Where predictions come from (default: qdkit's models).
    real_series : qdkit.analysis.mas_series.SeriesPrediction, optional
        Real-data mode: the measured trace is the spectrum of this measured spin-rate series
        nearest the spin-rate slider (the slider's range spans the series), the predicted
        trace its prediction from the sites fitted at one rate
        (:func:`qdkit.analysis.mas_series.predict_series`). The other controls are disabled:
        the series fixes sample, field and contact. Not together with ``measured``.
    real_source : str
        Real-data mode: where the spectra come from and their licence, shown with the
        measured trace (default: the series' label).

    Attributes
    ----------
    controls : dict[str, ipywidgets.Widget]
        ``material``, ``nucleus``, ``field_T``, ``diameter_nm``, ``contact_ms``,
        ``mas_hz``, ``pore_nm``, ``no_silica``, ``silica_per_qd`` (the loading: mg of
        mesoporous silica per mg of QDs; QDs per pore is shown in the readout),
        ``microwave``, ``series`` (which measured trace), ``components`` (surface and
        core traces) and ``target_snr`` (for the experiment-time estimate).
    measured_trace : MeasuredTrace or None
        The dataset shown as the measured trace, with its processed spectrum.
    real_shown : int or None
        Real-data mode: index of the measured spectrum shown (in ``real_series.series``).
    predicted, measured : bokeh.models.ColumnDataSource
        Columns ``ppm, total, surface, core`` and ``ppm, intensity``. ``surface`` and
        ``core`` are refreshed only while shown (``controls["components"]``), which keeps a
        slider move to one column on the wire.
    """

    def __init__(
        self,
        material: str = "InP",
        nucleus: str = "31P",
        measured=None,
        *,
        bridge: QdkitBridge | None = None,
        real_series=None,
        real_source: str = "",
    ):
        if real_series is not None and measured is not None:
            raise WidgetError("Give either your own dataset (measured=) or a measured spin-rate series, not both.")
        self.real_series = real_series
        self.real_shown: int | None = None
        self.bridge = bridge or QdkitBridge()
        self.message = MessageArea()
        self.readout = Readout("Derived numbers (qdkit)")
        self.plot = spectrum_figure(nucleus)
        self._axis_key = None
        self._reference_scale = None
        self._series: dict[str, Series] = {}
        self._measured_key = None
        self.measured_trace: MeasuredTrace | None = None
        self._user_trace: MeasuredTrace | None = None
        self._sensitivity = None
        self._traces: dict[str, MeasuredTrace] = {}
        self.controls = self._build_controls(material, nucleus)
        self._guard = guarded(self.message)
        if real_series is None:
            self._start(material, nucleus, measured)
        else:
            self._start_real(real_source)
        for name, ctrl in self.controls.items():
            ctrl.observe(self._guard(lambda change, name=name: self._changed(name)), "value")
        # The bokeh widget is made last: in Voila, figure changes made between its
        # creation and the end of the cell would never reach the browser.
        self.plot_widget = bokeh_widget(self.plot.figure)
        self.view = self._layout()

    # -- public --------------------------------------------------------------------------
    @property
    def predicted(self):
        return self.plot.predicted

    @property
    def measured(self):
        return self.plot.measured

    def settings(self) -> Settings:
        c = self.controls
        return Settings(
            material=c["material"].value,
            nucleus=c["nucleus"].value,
            field_T=float(c["field_T"].value),
            diameter_nm=float(c["diameter_nm"].value),
            contact_ms=float(c["contact_ms"].value),
            mas_hz=float(c["mas_hz"].value),
            pore_nm=None if c["no_silica"].value else float(c["pore_nm"].value),
            silica_per_qd=float(c["silica_per_qd"].value),
            microwave=bool(c["microwave"].value),
        )

    def show_measured(self, source, label: str | None = None) -> None:
        """Show your own dataset (path, Dataset or Spectrum) as the measured trace."""
        self._guard(self._set_user)(source, label)

    # -- building ------------------------------------------------------------------------
    def _build_controls(self, material, nucleus) -> dict[str, W.Widget]:
        dd = {"style": {"description_width": "11em"}, "layout": W.Layout(width="26em")}
        c = {
            "material": tag(
                W.Dropdown(description="QD material", options=[material], value=material, **dd), "material"
            ),
            "nucleus": tag(
                W.Dropdown(description="observed nucleus", options=[nucleus], value=nucleus, **dd), "nucleus"
            ),
            "field_T": tag(W.Dropdown(description="field / T", options=list(FIELDS_T), value=9.4, **dd), "field_T"),
            "diameter_nm": _slider(
                W.FloatSlider, "diameter_nm", "QD diameter / nm", min=1.5, max=10.0, step=0.1, value=3.0
            ),
            "contact_ms": _slider(
                W.FloatSlider, "contact_ms", "contact time / ms", min=0.1, max=20.0, step=0.1, value=1.5
            ),
            "mas_hz": _slider(
                W.FloatSlider,
                "mas_hz",
                "spin rate / Hz",
                min=0.0,
                max=25_000.0,
                step=250.0,
                value=10_000.0,
                readout_format=".0f",
            ),
            "pore_nm": _slider(
                W.FloatLogSlider,
                "pore_nm",
                "silica pore / nm",
                base=10,
                min=np.log10(2.0),
                max=np.log10(1000.0),
                step=0.02,
                value=7.0,
                readout_format=".3g",
            ),
            "no_silica": tag(
                W.Checkbox(description="no silica (frozen solution)", value=False, indent=False), "no_silica"
            ),
            "silica_per_qd": _slider(
                W.FloatLogSlider,
                "silica_per_qd",
                "silica / QD (mg/mg)",
                base=10,
                min=-1.0,
                max=2.0,
                step=0.02,
                value=5.0,
                readout_format=".3g",
            ),
            "series": tag(
                W.Dropdown(description="measured trace", options=[NO_SERIES], value=NO_SERIES, **dd), "series"
            ),
            "components": tag(
                W.Checkbox(description="show surface and core separately", value=False, indent=False), "components"
            ),
            "target_snr": tag(
                W.Text(description="target S/N", value="100", continuous_update=False, **dd), "target_snr"
            ),
            "microwave": tag(W.Checkbox(description="microwaves on (DNP)", value=True, indent=False), "microwave"),
        }
        return c

    def _layout(self) -> W.Widget:
        c = self.controls
        sample = W.VBox(
            [
                W.HTML("<b>Sample</b>"),
                c["material"],
                c["nucleus"],
                c["diameter_nm"],
                c["pore_nm"],
                c["no_silica"],
                c["silica_per_qd"],
            ]
        )
        experiment = W.VBox(
            [
                W.HTML("<b>Experiment</b>"),
                c["microwave"],
                c["field_T"],
                c["mas_hz"],
                c["contact_ms"],
                W.HTML("<b>Display</b>"),
                c["series"],
                c["components"],
                c["target_snr"],
            ]
        )
        left = W.VBox([sample, experiment], layout=W.Layout(min_width="27em"))
        right = W.VBox([self.plot_widget, self.message.widget, self.readout.widget])
        return tag(W.HBox([left, right]), "spectrum-explorer")

    def _start(self, material, nucleus, measured) -> None:
        """Fill pickers from the catalog, apply the paper's settings and draw once."""

        @self._guard
        def fill():
            c = self.controls
            c["material"].options = self.bridge.materials()
            if material in c["material"].options:
                c["material"].value = material
            self._fill_nuclei(nucleus)
            self._apply_defaults()

        fill()
        if measured is not None:
            self._guard(self._set_user)(measured, None)
        self._guard(self._changed)("material")
        chosen = (self.controls["material"].value, self.controls["nucleus"].value)
        if not self.message.text and chosen != (material, nucleus):
            self.message.show(
                f"qdkit's catalog has no {nucleus} experiment on {material} QDs; showing "
                f"{chosen[1]} of {chosen[0]}. Pick another material or nucleus above.",
                level="warning",
            )

    def _start_real(self, source: str) -> None:
        """Real-data mode: controls show the series (spin rate the only one enabled); draw once."""
        series = self.real_series.series
        self._real_source = source or series.label or series.nucleus
        rates = series.rates_hz
        c = self.controls
        with self._quiet():
            c["material"].options = [series.label or series.nucleus]
            c["nucleus"].options = [series.nucleus]
            field = float(series.spectra[0].field_T)
            c["field_T"].options = sorted(set(c["field_T"].options) | {field})
            c["field_T"].value = field
            c["series"].options = [self._real_source]
            mas = c["mas_hz"]
            mas.min, mas.max = 0.0, max(rates) + 1000.0
            mas.min = max(0.0, min(rates) - 1000.0)
            mas.value = rates[self.real_series.fitted]
            for name, ctrl in c.items():
                ctrl.disabled = name != "mas_hz"
        self.readout.title = "Fitted at one rate, predicted at the others (qdkit)"
        self.plot.set_axis_label(series.nucleus)
        self._guard(self._show_real)()

    def _show_real(self) -> None:
        """Draw the measured spectrum nearest the slider and its prediction (if it changed)."""
        index = self.real_series.series.nearest(self.controls["mas_hz"].value)
        if index != self.real_shown:
            draw_rate(self.plot, self.readout, self.real_series, index, source=self._real_source)
            self.real_shown = index

    def _fill_nuclei(self, preferred=None) -> None:
        c = self.controls
        options = self.bridge.nuclei(c["material"].value)
        keep = preferred if preferred in options else options[0]
        with self._quiet():
            c["nucleus"].options = options
            c["nucleus"].value = keep

    def _apply_defaults(self) -> None:
        c = self.controls
        d = self.bridge.defaults(c["material"].value, c["nucleus"].value)
        with self._quiet():
            if d.get("field_T") and d["field_T"] not in c["field_T"].options:
                c["field_T"].options = sorted(set(c["field_T"].options) | {d["field_T"]})
            for name in ("field_T", "mas_hz", "contact_ms", "diameter_nm"):
                if d.get(name) is not None:
                    c[name].value = d[name]
            if d.get("silica_per_qd"):
                on_log_grid(c["silica_per_qd"], d["silica_per_qd"])
            if d.get("pore_nm"):
                on_log_grid(c["pore_nm"], d["pore_nm"])
                c["no_silica"].value = False
            elif "pore_nm" in d:
                c["no_silica"].value = True

    _muted = False

    @contextlib.contextmanager
    def _quiet(self):
        """Set controls without reacting to each change (one redraw afterwards)."""
        before, self._muted = self._muted, True
        try:
            yield
        finally:
            self._muted = before

    # -- reacting ------------------------------------------------------------------------
    def _changed(self, name: str) -> None:
        if self._muted:
            return
        if self.real_series is not None:
            if name == "mas_hz":
                self._show_real()
            return
        c = self.controls
        if name == "components":
            self.plot.show_components(c["components"].value)
            return
        if name == "material":
            self._fill_nuclei(c["nucleus"].value)
            self._apply_defaults()
        if name == "nucleus":
            self._apply_defaults()
        if name in ("material", "nucleus"):
            self.plot.set_axis_label(c["nucleus"].value)
            self._fill_series()
        if name == "no_silica":
            c["pore_nm"].disabled = c["no_silica"].value
            c["silica_per_qd"].disabled = c["no_silica"].value
        if name not in FAST + ("series", "mas_hz"):
            self._reference_scale = None
        # measured first: the experiment-time rows of the readout use its S/N
        self._update_measured(force=name in ("series", "material", "nucleus", "field_T", "diameter_nm"))
        self._update_prediction()

    def _fill_series(self) -> None:
        c = self.controls
        s = self.settings()
        self._series = {ser.name: ser for ser in reference_series(s.material, s.nucleus)}
        options = [NO_SERIES, *self._series]
        if self._user_trace is not None:
            options.append(USER_SERIES)
        preferred = USER_SERIES if self._user_trace is not None else (next(iter(self._series), NO_SERIES))
        with self._quiet():
            c["series"].options = options
            c["series"].value = preferred

    def _paper_settings(self, s: Settings) -> dict:
        """The paper's sample and experiment settings for this material and nucleus."""
        d = self.bridge.defaults(s.material, s.nucleus)
        keys = ("mas_hz", "contact_ms", "pore_nm", "silica_per_qd")
        return {"microwave": True, **{k: d[k] for k in keys if k in d}}

    def _scale(self, s: Settings) -> float:
        """Tallest predicted peak at the paper's settings: the y unit of the plot."""
        if self._reference_scale is None:
            ref = s.replace(**self._paper_settings(s))
            peak = float(np.max(self.bridge.predict(ref).total))
            self._reference_scale = peak if peak > 0 else 1.0
        return self._reference_scale

    def _update_prediction(self) -> None:
        s = self.settings()
        p = self.bridge.predict(s)
        k = 1.0 / self._scale(s)
        changed = p.axis_key != self._axis_key
        self.plot.set_predicted(p.ppm, p.total * k, p.surface * k, p.core * k, axis_changed=changed)
        self._axis_key = p.axis_key
        self.plot.set_sidebands(p.sideband_ppm, p.sideband_height * k)
        self.readout.update({**p.readout, **self._time_rows(p)})

    def _time_rows(self, p) -> dict[str, str]:
        """S/N of the measured spectrum and the time to the target S/N (qdkit.dnp.plan) at
        the current settings: one scan's S/N scales with the predicted peak height."""
        target = read_number(self.controls["target_snr"].value, "target S/N", 1.0, 1e6)
        if self._sensitivity is None:
            return {}
        from qdkit import dnp
        from qdkit import sample as qdkit_sample

        per_scan, ns, own_p, d1_s, why = self._sensitivity
        if why:
            return {"experiment time": why}
        if not p.numbers.get("microwave", True):  # plan from the DNP signal
            p = self.bridge.predict(self.settings().replace(microwave=True))
        now = qdkit_sample.expected_snr_per_scan(p.model, own_p, per_scan)
        plan = dnp.plan(target_snr=target, snr_per_scan=now, enhancement=p.numbers["enhancement"], d1_s=d1_s)
        return {
            "S/N of the measured spectrum": f"{format_number(per_scan * ns**0.5)} in {ns} scans",
            f"time to S/N {format_number(target)} with DNP": format_number(plan.with_dnp.hours, "h"),
            "… without microwaves": format_number(plan.without_dnp.days, "days"),
        }

    def _set_user(self, source, label) -> None:
        self._user_trace = load_trace(source, label=label)
        self._fill_series()
        self._update_measured(force=True)

    def _update_measured(self, force: bool = False) -> None:
        """Show the nearest dataset of the chosen series; send nothing if it is unchanged."""
        choice = self.controls["series"].value
        s = self.settings()
        if choice == USER_SERIES and self._user_trace is not None:
            key = ("user", id(self._user_trace))
        elif choice in self._series:
            ser = self._series[choice]
            record = ser.nearest(s)
            key = ("ref", record["path"])
        else:
            key = None
        if key == self._measured_key and not force:
            return
        self._measured_key = None
        if key is None:
            self.plot.set_measured(np.zeros(0), np.zeros(0), synthetic=False)
            self._sensitivity = None
            return
        paper = s.replace(**self._paper_settings(s))
        if key[0] == "user":
            # your own dataset: its tallest peak is set to the prediction at the paper's
            # settings (its own settings are not known to the explorer)
            trace, own = self._user_trace, paper
            height = float(np.max(self.bridge.predict(own).total)) / self._scale(s)
            y = trace.intensity * height
        else:
            # a reference series keeps its members' relative intensities (per scan): one
            # factor, fixed by the member nearest the paper's settings, maps the whole series
            # onto the prediction, so a measured ε or pore-size trend shows as measured
            trace = self._reference_trace(record)
            own = s.replace(**{**self._paper_settings(s), **self._record_settings(ser, record)})
            anchor = ser.nearest(paper)
            anchor_own = s.replace(**{**self._paper_settings(s), **self._record_settings(ser, anchor)})
            unit = self._per_scan_peak(self._reference_trace(anchor))
            k = float(np.max(self.bridge.predict(anchor_own).total)) / unit / self._scale(s)
            y = self._per_scan(trace) * k
        self.plot.set_measured(trace.ppm, y, synthetic=trace.synthetic, label=trace.label)
        self.measured_trace = trace
        self._measured_key = key
        own_p = self.bridge.predict(own)
        self._sensitivity = None if not own.microwave else self._measured_sensitivity(trace, own_p)

    @staticmethod
    def _record_settings(ser: Series, record: dict) -> dict:
        """Explorer settings a reference dataset was recorded at (its series values)."""
        at = {}
        if ser.key in ("mas_hz", "contact_ms"):
            at[ser.key] = float(record[ser.key])
        if "pore_nm" in record.get("series_keys", ()):
            at["pore_nm"] = record.get("pore_nm") or None
        if record.get("microwave") is not None:
            at["microwave"] = bool(record["microwave"])
        return at

    def _reference_trace(self, record: dict) -> MeasuredTrace:
        """Read, process and auto-phase a reference dataset once per explorer."""
        path = record["path"]
        if path not in self._traces:
            from qdkit import paths

            self._traces[path] = load_trace(
                paths.reference_dir() / path, label=record.get("label"), synthetic=True, autophase=True
            )
        return self._traces[path]

    @staticmethod
    def _per_scan(trace: MeasuredTrace) -> np.ndarray:
        spec = trace.spectrum
        return np.asarray(spec.real, dtype=float) / float(spec.meta.ns or 1)

    def _per_scan_peak(self, trace: MeasuredTrace) -> float:
        peak = float(np.max(self._per_scan(trace)))
        if not peak > 0:
            raise WidgetError(f"The reference spectrum {trace.label} has no positive peak; check its processing.")
        return peak

    def _measured_sensitivity(self, trace, own_p):
        """(S/N per scan, scans, qdkit prediction at the dataset's settings, d1, reason)."""
        from qdkit.processing import measure

        signal = own_p.ppm[own_p.total > 0.02 * float(np.max(own_p.total))]
        spec = trace.spectrum
        d1_s = spec.meta.d1_s if spec is not None else None
        try:
            if not d1_s or spec is None:
                raise WidgetError("the dataset does not state its recycle delay (D1)")
            per_scan, ns = measure.snr_per_scan(spec, (float(signal.min()), float(signal.max())))
        except QdkitError as exc:
            return (0.0, 0, own_p.model, 0.0, f"not estimated: {exc}")
        return (per_scan, ns, own_p.model, float(d1_s), "")


__all__ = ["SpectrumExplorer"]
