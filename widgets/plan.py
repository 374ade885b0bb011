"""PlanExplorer: pick a paper sample, a species and a target S/N; see the fastest experiment.

Every number shown comes from ``qdkit.plan.best_experiment`` (settings, hours with and
without DNP, the ranking of what it tried); the widget only reads the controls and fills a
readout, a table and the data source of one bar chart built once.
"""

from __future__ import annotations

import html
import math

import ipywidgets as W
import numpy as np
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.plotting import figure

from .display import WidgetApp, bokeh_widget
from .errors import WidgetError
from .figure import as_column
from .panel import MessageArea, Readout, format_number, guarded, read_number, tag

#: Alternatives drawn in the bar chart and listed in the table (best first).
SHOWN = 12
#: S/N of one fully relaxed, directly excited scan of the radical-free QDs: an ASSUMED
#: starting value (the one notebook 08 uses for 3.8 mg of 3 nm InP at 9.4 T); users type
#: their own spectrometer's number.
ASSUMED_REFERENCE_SNR = "0.5"
MODES = ("sensitivity", "selectivity")
_STYLE = {"description_width": "12em"}
_LAYOUT = {"width": "27em"}
_EMPTY = {"rank": [], "hours": [], "hours_without_dnp": [], "label": [], "colour": []}


def _text(name: str, description: str, value: str) -> W.Text:
    return tag(
        W.Text(description=description, value=value, continuous_update=False, style=_STYLE, layout=W.Layout(**_LAYOUT)),
        name,
    )


def _setting(option) -> str:
    """The searched settings of one ``qdkit.plan.Option`` in words."""
    if option.pore_nm is None:
        matrix = "no silica"
    else:
        matrix = f"{option.pore_nm:g} nm pores, {format_number(option.silica_mg_per_qd_mg)} mg SiO₂/mg"
    contact = "direct excitation" if option.contact_ms is None else f"CP {option.contact_ms:g} ms"
    return f"{matrix}, {option.radical_mM:g} mM radical, {contact}"


def _hours(value: float) -> float:
    """Hours for a bar: NaN (no bar) where the planner found no signal at all."""
    return value if math.isfinite(value) else math.nan


def _paper_setups() -> dict:
    """Figure → (Sample, Acquisition) of the paper's setups the catalog can describe."""
    from qdkit.errors import ModelParameterError
    from qdkit.models.setups import PAPER_FIGURES, paper_setup

    out = {}
    for fig in PAPER_FIGURES:
        try:
            out[fig] = paper_setup(fig)
        except ModelParameterError:
            continue
    if not out:
        raise WidgetError(
            "The catalog (data/catalog.toml) describes none of the paper's samples; check that data/ is complete."
        )
    return out


class PlanExplorer(WidgetApp):
    """Plan the fastest route to a target S/N on one species of a paper sample.

    Parameters
    ----------
    figure : str
        Paper setup to start from (one of ``qdkit.models.setups.PAPER_FIGURES``).
    plan_now : bool
        Plan the default case when the explorer is built (otherwise wait for "Plan").

    Attributes
    ----------
    controls : dict[str, ipywidgets.Widget]
    plan : qdkit.plan.ExperimentPlan or None
        The latest plan; it stays in place when a later request fails.
    sources : dict[str, bokeh.models.ColumnDataSource]
    """

    def __init__(self, figure: str = "2e", plan_now: bool = True):
        self.message = MessageArea()
        self.readout = Readout("Plan (qdkit.plan.best_experiment)")
        self.table = tag(W.HTML(value=""), "ranking")
        self._guard = guarded(self.message)
        self.plan = None
        self._setups = _paper_setups()
        self.controls = self._controls(figure if figure in self._setups else next(iter(self._setups)))
        self.figure, self.sources = self._figure()
        self._fill_species()
        self.controls["setup"].observe(self._guard(lambda change: self._fill_species()), "value")
        for name, ctrl in self.controls.items():
            if name != "plan":
                ctrl.observe(lambda change: self._stale(), "value")
        self.controls["plan"].on_click(lambda _button: self.run())
        if plan_now:
            self.run()
        self.plot_widget = bokeh_widget(self.figure)  # last: see widgets.display
        self.view = W.HBox(
            [
                W.VBox(list(self.controls.values())),
                W.VBox([self.message.widget, self.readout.widget, self.plot_widget, self.table]),
            ]
        )

    # -- building ------------------------------------------------------------------------
    def _controls(self, figure: str) -> dict:
        dd = {"style": _STYLE, "layout": W.Layout(**_LAYOUT)}
        setups = []
        for fig, (sample, acq) in self._setups.items():
            how = "direct" if acq.contact_ms is None else "CP"
            setups.append((f"Fig. {fig}: {sample.diameter_nm:g} nm {sample.material}, {acq.nucleus} {how}", fig))
        sample = self._setups[figure][0]
        return {
            "setup": tag(W.Dropdown(description="sample (paper)", options=setups, value=figure, **dd), "setup"),
            "species": tag(W.Dropdown(description="species", options=[], **dd), "species"),
            "target_snr": _text("target_snr", "target S/N", "100"),
            "qd_mg": _text("qd_mg", "QD mass / mg", f"{sample.qd_mg:g}"),
            "reference_snr": _text("reference_snr", "S/N of 1 reference scan", ASSUMED_REFERENCE_SNR),
            "mode": tag(W.ToggleButtons(description="mode", options=MODES, value=MODES[0], style=_STYLE), "mode"),
            "plan": tag(W.Button(description="Plan", button_style="primary", icon="search"), "plan"),
        }

    def _figure(self):
        bars = ColumnDataSource(dict(_EMPTY), name="ranking")
        fig = figure(
            width=520,
            height=320,
            y_range=(SHOWN + 0.5, 0.5),
            x_axis_label="hours to the target S/N with DNP",
            y_axis_label="rank (1 = chosen)",
            tools="save",
            name="ranking",
        )
        fig.hbar(y="rank", right="hours", left=0, height=0.7, source=bars, color="colour", alpha=0.75)
        fig.yaxis.ticker = list(range(1, SHOWN + 1))
        fig.add_tools(
            HoverTool(
                tooltips=[
                    ("setting", "@label"),
                    ("hours with DNP", "@hours{0.000}"),
                    ("hours without DNP", "@hours_without_dnp{0.0}"),
                ]
            )
        )
        return fig, {"ranking": bars}

    # -- updating ------------------------------------------------------------------------
    def _fill_species(self) -> None:
        sample = self._setups[self.controls["setup"].value][0]
        names = [line.name for line in sample.species]
        species = self.controls["species"]
        if list(species.options) != names:
            species.options = names
        surface = [line.name for line in sample.species if line.role == "surface"]
        species.value = surface[0] if surface else names[0]
        self.controls["qd_mg"].value = f"{sample.qd_mg:g}"

    def _stale(self) -> None:
        if self.plan is not None and not self.message.text:
            self.message.show("Settings changed: press Plan to update the plan below.", "info")

    def set(self, **values) -> None:
        """Set several controls by name (no planning; call :meth:`run` or press Plan)."""
        for name, value in values.items():
            if name not in self.controls or name == "plan":
                self.message.show(f"No control named {name!r}; the controls are {sorted(self.controls)}.")
                return
            try:
                self.controls[name].value = value
            except Exception as exc:  # a value the control rejects: say so, keep going
                self.message.show(f"{name} cannot be {value!r}: {exc}")
                return

    def run(self) -> None:
        """Plan with the current controls (what the "Plan" button does); never raises."""
        button = self.controls["plan"]
        button.disabled = True
        try:
            self._guard(self._plan)()
        finally:
            button.disabled = False

    def _plan(self) -> None:
        from qdkit.plan import best_experiment

        c = {k: v.value for k, v in self.controls.items() if k != "plan"}
        target = read_number(c["target_snr"], "target S/N", 1.0, 1e6)
        qd_mg = read_number(c["qd_mg"], "QD mass (mg)", 0.01, 1000.0)
        reference = read_number(c["reference_snr"], "S/N of 1 reference scan", 1e-6, 1e6)
        sample, acquisition = self._setups[c["setup"]]
        self.message.show("Planning… (the sample model is run for every setting tried; a few seconds)", "info")
        plan = best_experiment(
            sample,
            c["species"],
            target,
            qd_mg=qd_mg,
            acquisition=acquisition,
            reference_snr_per_scan=reference,
            mode=c["mode"],
        )
        self.plan = plan
        self._show(plan, reference)
        self.message.clear()

    def _show(self, plan, reference: float) -> None:
        b = plan.best
        rows = {
            "species": f"{plan.species} ({plan.acquisition.nucleus}, {plan.mode})",
            "chosen setting": _setting(b),
            "recycle delay": f"{format_number(b.recycle_s, 's')} (T_B {format_number(b.t_b_s, 's')})",
            "scans": f"{b.scans:,}",
            f"hours to S/N {format_number(plan.target_snr)} with DNP": format_number(plan.hours, "h"),
            "… without DNP (microwaves off)": format_number(plan.hours_without_dnp, "h"),
            "S/N per scan with / without DNP": (
                f"{format_number(b.snr_per_scan)} / {format_number(b.snr_per_scan_without_dnp)}"
            ),
            "species / other signal (contrast)": format_number(b.contrast),
            "why": plan.why,
        }
        if self.controls["reference_snr"].value.strip() == ASSUMED_REFERENCE_SNR:
            rows["S/N of 1 reference scan"] = f"{format_number(reference)} (ASSUMED: type your spectrometer's)"
        self.readout.update(rows)
        shown = plan.ranking[:SHOWN]
        self.sources["ranking"].data.update(
            {
                "rank": as_column(np.arange(1, len(shown) + 1)),
                "hours": as_column([_hours(o.hours) for o in shown]),
                "hours_without_dnp": as_column([_hours(o.hours_without_dnp) for o in shown]),
                "label": [_setting(o) for o in shown],
                "colour": ["#1b9e77" if k == 0 else "#7570b3" for k in range(len(shown))],
            }
        )
        head = "".join(
            f"<th style='padding:0 .6em'>{h}</th>"
            for h in ("#", "setting", "recycle / s", "scans", "h with DNP", "h without DNP", "contrast")
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td style='padding:0 .6em'>{html.escape(v)}</td>"
                for v in (
                    str(k + 1),
                    _setting(o),
                    format_number(o.recycle_s),
                    f"{o.scans:,}",
                    format_number(o.hours),
                    format_number(o.hours_without_dnp),
                    format_number(o.contrast),
                )
            )
            + "</tr>"
            for k, o in enumerate(shown)
        )
        self.table.value = (
            f"<b>Best {len(shown)} of the {len(plan.ranking)} settings tried</b>"
            f"<table style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"
        )
