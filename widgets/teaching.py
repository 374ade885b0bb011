"""Small explorers for teaching: one idea each, one figure, a few sliders.

* :class:`PolarizationExplorer` — thermal (Boltzmann) polarization vs field and temperature,
  and what a DNP enhancement adds (``qdkit.dnp``).
* :class:`CPBuildupExplorer` — CP signal of surface and core species vs contact time
  (``qdkit.sample.cp_buildup`` and ``qdkit.sample.predict``).
* :class:`RelayedDiffusionExplorer` — relayed DNP into a QD aggregate by ¹H spin diffusion
  vs aggregate size, the aggregate a pore allows (``qdkit.matrix``) and the ε of the paper's
  sample with those inputs (``qdkit.sample``).
* :class:`SensitivityExplorer` — from S/N per scan and ε to experiment time with and without
  DNP (``qdkit.dnp.plan``).

Every curve and number comes from the qdkit function named in the explorer's docstring.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from bokeh.models import ColumnDataSource, Span
from bokeh.plotting import figure

from .display import WidgetApp, bokeh_widget
from .figure import as_column
from .panel import MessageArea, Readout, format_number, guarded, on_log_grid, tag

_STYLE = {"description_width": "12em"}
_LAYOUT = {"width": "27em"}


def _float(cls, name, description, **kw):
    return tag(
        cls(description=description, continuous_update=True, style=_STYLE, layout=W.Layout(**_LAYOUT), **kw), name
    )


class _SmallExplorer(WidgetApp):
    """Controls on the left, one bokeh figure and a readout on the right."""

    title = ""

    def __init__(self):
        self.message = MessageArea()
        self.readout = Readout(self.title)
        self._guard = guarded(self.message)
        self.controls = self._controls()
        self.figure, self.sources = self._figure()
        self._guard(self._update)()
        for ctrl in self.controls.values():
            ctrl.observe(self._guard(lambda change: self._update()), "value")
        self.plot_widget = bokeh_widget(self.figure)  # last: see widgets.display
        self.view = W.HBox(
            [
                W.VBox(list(self.controls.values())),
                W.VBox([self.plot_widget, self.message.widget, self.readout.widget]),
            ]
        )

    def _controls(self) -> dict:
        raise NotImplementedError

    def _figure(self):
        raise NotImplementedError

    def _update(self) -> None:
        raise NotImplementedError


class PolarizationExplorer(_SmallExplorer):
    """Boltzmann polarization P = tanh(ħγB0/2kT) vs temperature (``qdkit.dnp``).

    The curve is P(T) at the chosen field for the chosen nucleus; the readout gives P at
    the chosen temperature, the thermal gain over room temperature and the polarization a
    DNP enhancement ε would bring.
    """

    title = "Polarization (qdkit.dnp)"
    NUCLEI = ("1H", "13C", "31P", "77Se", "113Cd", "125Te", "133Cs")

    def _controls(self):
        return {
            "nucleus": tag(
                W.Dropdown(
                    description="nucleus", options=self.NUCLEI, value="1H", style=_STYLE, layout=W.Layout(**_LAYOUT)
                ),
                "nucleus",
            ),
            "field_T": _float(W.FloatSlider, "field_T", "field / T", min=1.0, max=28.2, step=0.1, value=9.4),
            "temperature_K": _float(
                W.FloatLogSlider,
                "temperature_K",
                "temperature / K",
                base=10,
                min=0.0,
                max=np.log10(300.0),
                step=0.01,
                value=100.0,
                readout_format=".3g",
            ),
            "enhancement": _float(
                W.FloatSlider, "enhancement", "DNP enhancement ε", min=1.0, max=200.0, step=1.0, value=80.0
            ),
        }

    def _figure(self):
        src = ColumnDataSource({"T": np.zeros(0), "P": np.zeros(0)}, name="polarization")
        dnp = ColumnDataSource({"T": np.zeros(0), "P": np.zeros(0)}, name="dnp_polarization")
        fig = figure(
            width=560,
            height=330,
            x_axis_type="log",
            y_axis_type="log",
            x_axis_label="temperature / K",
            y_axis_label="polarization",
            tools="pan,wheel_zoom,reset,save",
        )
        fig.line("T", "P", source=src, line_width=2, legend_label="thermal (Boltzmann)")
        fig.line("T", "P", source=dnp, line_width=2, color="#d62728", line_dash="dashed", legend_label="× ε (DNP)")
        self._marker = Span(location=100.0, dimension="height", line_dash="dotted")
        fig.add_layout(self._marker)
        fig.legend.location = "bottom_left"
        return fig, {"thermal": src, "dnp": dnp}

    def _update(self):
        from qdkit import dnp

        c = {k: v.value for k, v in self.controls.items()}
        temps = np.geomspace(1.0, 300.0, 200)
        pol = np.array([dnp.boltzmann_polarization(c["nucleus"], c["field_T"], t) for t in temps])
        p_now = dnp.boltzmann_polarization(c["nucleus"], c["field_T"], c["temperature_K"])
        self.sources["thermal"].data.update(T=as_column(temps), P=as_column(pol))
        with_dnp = [dnp.dnp_polarization(c["nucleus"], c["field_T"], t, c["enhancement"]) for t in temps]
        self.sources["dnp"].data.update(T=as_column(temps), P=as_column(with_dnp))
        self._marker.location = float(c["temperature_K"])
        gain = dnp.boltzmann_gain(c["temperature_K"], nucleus=c["nucleus"], field_T=c["field_T"])
        self.readout.update(
            {
                f"{c['nucleus']} polarization at {c['temperature_K']:.3g} K": format_number(p_now),
                "thermal gain over 298 K": format_number(gain),
                "with DNP (ε × thermal)": format_number(
                    dnp.dnp_polarization(c["nucleus"], c["field_T"], c["temperature_K"], c["enhancement"])
                ),
                "time saving ε²": format_number(dnp.time_saving(c["enhancement"])),
            }
        )


class CPBuildupExplorer(_SmallExplorer):
    """CP signal of each species vs contact time (``qdkit.sample.cp_buildup``, the kinetics
    ``qdkit.sample.predict`` weighs the spectrum with).

    The samples are the paper's (``qdkit.models.setups``); the QD is an atomistic model with
    its ligand protons; short contacts select the surface, long ones reach into the core
    (SI Fig. S3). The readout is ``qdkit.sample.predict`` at the chosen contact time.
    """

    title = "Cross-polarization (qdkit.sample)"

    def _controls(self):
        from qdkit.models.setups import PAPER_FIGURES, paper_setup

        self._setups = {}
        for fig_id in PAPER_FIGURES:
            sample, acq = paper_setup(fig_id)
            self._setups[f"{sample.material} / {acq.nucleus}"] = (sample, acq)
        return {
            "sample": tag(
                W.Dropdown(
                    description="QD / nucleus", options=list(self._setups), style=_STYLE, layout=W.Layout(**_LAYOUT)
                ),
                "sample",
            ),
            "diameter_nm": _float(
                W.FloatSlider, "diameter_nm", "QD diameter / nm", min=1.5, max=8.0, step=0.1, value=3.0
            ),
            "contact_ms": _float(
                W.FloatSlider, "contact_ms", "contact time / ms", min=0.1, max=30.0, step=0.1, value=1.5
            ),
            "t1rho_ms": _float(W.FloatSlider, "t1rho_ms", "¹H T1ρ / ms", min=1.0, max=100.0, step=1.0, value=20.0),
        }

    def _figure(self):
        src = ColumnDataSource({k: np.zeros(0) for k in ("t", "core", "surface")}, name="buildup")
        fig = figure(
            width=560,
            height=330,
            x_axis_label="contact time / ms",
            y_axis_label="CP signal per atom (units of γH/γX)",
            tools="pan,wheel_zoom,reset,save",
        )
        fig.line("t", "surface", source=src, color="#d62728", line_width=2, legend_label="surface species")
        fig.line("t", "core", source=src, color="#2ca02c", line_width=2, legend_label="core species")
        self._marker = Span(location=1.5, dimension="height", line_dash="dotted")
        fig.add_layout(self._marker)
        fig.legend.location = "top_right"
        return fig, {"buildup": src}

    def _update(self):
        from qdkit import cp, nuclei
        from qdkit import sample as qs

        c = {k: v.value for k, v in self.controls.items()}
        sample, acq = self._setups[c["sample"]]
        sample = sample.replace(diameter_nm=c["diameter_nm"], t1rho_ms=c["t1rho_ms"])
        t = np.linspace(0.0, 30.0, 301)
        curves = list(qs.cp_buildup(sample, acq.nucleus, t).values())
        self.sources["buildup"].data.update(t=as_column(t), surface=as_column(curves[0]), core=as_column(curves[-1]))
        self._marker.location = float(c["contact_ms"])
        ppm = np.linspace(
            max(ln.site.iso_ppm for ln in sample.species) + 300,
            min(ln.site.iso_ppm for ln in sample.species) - 300,
            1024,
        )
        p = qs.predict(sample, acq.replace(contact_ms=c["contact_ms"]), ppm)
        element = nuclei.get(acq.nucleus).symbol
        self.readout.update(
            {
                f"surface fraction of {element} atoms": format_number(p.surface_fraction),
                f"surface share of the signal at {c['contact_ms']:.3g} ms": format_number(p.surface_share),
                "CP gain bound γH/γX": format_number(cp.cp_gain_bound(acq.nucleus)),
            }
        )


class RelayedDiffusionExplorer(_SmallExplorer):
    """Relayed DNP into a QD aggregate vs its radius (``qdkit.matrix.relayed_enhancement``).

    ε(R) = 1 + (ε0 − 1) · 3 (x coth x − 1)/x², x = R/L with L = √(D T1) (:func:`qdkit.matrix.
    diffusion_length_nm`); the marker is the aggregate a pore of the chosen size allows
    (:func:`qdkit.matrix.aggregate_radius_nm`), or the bulk aggregate without silica.
    """

    title = "Relayed DNP (qdkit.matrix)"

    def _controls(self):
        controls = {
            "diffusion_nm2_ms": _float(
                W.FloatSlider,
                "diffusion_nm2_ms",
                "¹H spin diffusion / nm²ms⁻¹",
                min=0.05,
                max=2.0,
                step=0.05,
                value=0.8,
            ),
            "t1_s": _float(W.FloatSlider, "t1_s", "¹H T1 / s", min=0.2, max=20.0, step=0.1, value=2.0),
            "eps0": _float(
                W.FloatSlider, "eps0", "ε at the aggregate surface", min=1.0, max=200.0, step=1.0, value=80.0
            ),
            "pore_nm": _float(
                W.FloatLogSlider,
                "pore_nm",
                "silica pore / nm",
                base=10,
                min=np.log10(3.0),
                max=np.log10(5000.0),
                step=0.02,
                value=7.0,
                readout_format=".3g",
            ),
            "no_silica": tag(W.Checkbox(description="no silica", value=False, indent=False), "no_silica"),
        }
        on_log_grid(controls["pore_nm"], 7.0)
        return controls

    def _figure(self):
        src = ColumnDataSource({"R": np.zeros(0), "eps": np.zeros(0)}, name="relayed")
        fig = figure(
            width=560,
            height=330,
            x_axis_type="log",
            x_axis_label="aggregate radius / nm",
            y_axis_label="DNP enhancement ε",
            tools="pan,wheel_zoom,reset,save",
        )
        fig.line("R", "eps", source=src, line_width=2)
        self._marker = Span(location=10.0, dimension="height", line_dash="dotted", line_color="#d62728")
        fig.add_layout(self._marker)
        return fig, {"relayed": src}

    def _update(self):
        from qdkit import matrix

        c = {k: v.value for k, v in self.controls.items()}
        length = matrix.diffusion_length_nm(c["diffusion_nm2_ms"], c["t1_s"])
        radii = np.geomspace(1.0, 1e4, 300)
        eps = matrix.relayed_enhancement(radii, eps0=c["eps0"], diffusion_length_nm=length)
        self.sources["relayed"].data.update(R=as_column(radii), eps=as_column(eps))
        pore = None if c["no_silica"] else c["pore_nm"]
        self.controls["pore_nm"].disabled = pore is None
        radius = matrix.aggregate_radius_nm(pore)
        self._marker.location = float(radius)
        from qdkit.models.setups import paper_setup
        from qdkit.sample import sample_matrix

        sample, acq = paper_setup("2e")
        sample = sample.replace(
            pore_nm=pore, eps0=c["eps0"], proton_t1_s=c["t1_s"], spin_diffusion_nm2_ms=c["diffusion_nm2_ms"]
        )
        self.readout.update(
            {
                "spin-diffusion length L": format_number(length, "nm"),
                "aggregate radius": format_number(radius, "nm"),
                "ε of that aggregate": format_number(
                    matrix.relayed_enhancement(radius, eps0=c["eps0"], diffusion_length_nm=length)
                ),
                "ε of the paper's InP sample (qdkit.sample, pore-size spread)": format_number(
                    sample_matrix(sample, acq).enhancement_on_off
                ),
            }
        )


class SensitivityExplorer(_SmallExplorer):
    """Scans and hours to a target S/N with and without DNP (``qdkit.dnp.plan``)."""

    title = "Experiment time (qdkit.dnp.plan)"

    def _controls(self):
        return {
            "target_snr": _float(W.BoundedFloatText, "target_snr", "target S/N", min=0.0, max=1e6, value=50.0),
            "snr_per_scan": _float(
                W.BoundedFloatText, "snr_per_scan", "S/N of one DNP scan", min=0.0, max=1e6, value=0.5
            ),
            "enhancement": _float(
                W.FloatSlider, "enhancement", "enhancement ε", min=1.0, max=200.0, step=1.0, value=80.0
            ),
            "d1_s": _float(W.FloatSlider, "d1_s", "recycle delay / s", min=0.1, max=60.0, step=0.1, value=3.0),
            "increments": _float(W.BoundedIntText, "increments", "t1 increments (2D)", min=1, max=4096, value=1),
        }

    def _figure(self):
        src = ColumnDataSource({"what": ["with DNP", "without DNP"], "hours": [1.0, 1.0]}, name="hours")
        fig = figure(
            width=560,
            height=300,
            x_range=["with DNP", "without DNP"],
            y_axis_type="log",
            y_axis_label="experiment time / h",
            tools="save",
        )
        fig.vbar(x="what", top="hours", bottom=1e-4, width=0.6, source=src)
        return fig, {"hours": src}

    def _update(self):
        from qdkit import dnp

        c = {k: v.value for k, v in self.controls.items()}
        p = dnp.plan(
            target_snr=c["target_snr"],
            snr_per_scan=c["snr_per_scan"],
            enhancement=c["enhancement"],
            d1_s=c["d1_s"],
            increments=int(c["increments"]),
        )
        self.sources["hours"].data.update(hours=[p.with_dnp.hours, p.without_dnp.hours])
        self.readout.update(
            {
                "scans with DNP": format_number(p.with_dnp.total_scans),
                "time with DNP": format_number(p.with_dnp.hours, "h"),
                "time without DNP": format_number(p.without_dnp.days, "days"),
                "time saving": format_number(p.time_saving),
            }
        )


__all__ = ["PolarizationExplorer", "CPBuildupExplorer", "RelayedDiffusionExplorer", "SensitivityExplorer"]
