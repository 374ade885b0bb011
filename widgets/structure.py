"""StructureExplorer: from a variable-contact-time CP series to site populations and QD size.

Every number comes from qdkit: the joint fit (``qdkit.infer.site_populations``), the
structure (``qdkit.infer.structure``) and, for the synthetic series, ``qdkit.simulation.
cp_series``. The figures are built once; updates replace the columns of their sources.
"""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, Title
from bokeh.plotting import figure

from .display import WidgetApp, bokeh_widget
from .errors import WidgetError
from .figure import as_column
from .panel import MessageArea, Readout, format_number, guarded, tag

S3 = "Figure S3 (SYNTHETIC reference data)"
SYNTHETIC = "synthetic series (SYNTHETIC)"
USER = "your series"
COLOURS = ("#d62728", "#2ca02c", "#1f77b4")
MAX_SITES = len(COLOURS)
MATERIALS = ("InP", "CdSe", "CdTe", "PbSe", "PbTe", "CsPbBr3")
#: Lineshape parameters refined with the build-ups (the catalog's CSAs are partly assumed).
VARY = ("iso_ppm", "fwhm_hz", "aniso_ppm")
_STYLE = {"description_width": "12em"}
_LAYOUT = {"width": "27em"}


def _slider(cls, name, description, **kw):
    return tag(
        cls(description=description, continuous_update=False, style=_STYLE, layout=W.Layout(**_LAYOUT), **kw), name
    )


def _empty(*names):
    return {n: np.zeros(0, np.float32) for n in names}


def s3_sites():
    """Starting sites of the Figure S3 fit: the InP ³¹P species of the catalog (Fig. 2e; its
    CSA and widths are assumptions the fit refines), via ``qdkit.catalog.site``."""
    from qdkit import catalog

    species = {s.site: s for s in catalog.species("31P") if s.material.startswith("InP") and s.figure == "2e"}
    return [catalog.site(species["surface"]), catalog.site(species["core"])]


class StructureExplorer(WidgetApp):
    """Fit a contact series, see the build-ups, the populations and the inferred QD size.

    Parameters
    ----------
    series : sequence of paths / datasets / spectra, or one pseudo-2D dataset, optional
        Your own contact series (see ``qdkit.infer.contact_series``); shown as "your series".
    sites : sequence of qdkit.mas.Site, optional
        Lineshapes of your series' sites (up to three).
    contact_ms : sequence of float, optional
        Contact times of your series if its files do not state them.
    material : str
        QD material of your series (for the structure).

    Attributes
    ----------
    controls : dict[str, ipywidgets.Widget]
    fit, structure_result : the latest qdkit results (or None)
    sources : dict[str, bokeh.models.ColumnDataSource]
    """

    def __init__(self, series=None, sites=None, contact_ms=None, material: str = "InP"):
        self.message = MessageArea()
        self.readout = Readout("Fit and structure (qdkit.infer)")
        self.assumptions = tag(W.HTML(value=""), "assumptions")
        self._guard = guarded(self.message)
        self._user = (series, sites, contact_ms)
        self.fit = self.structure_result = None
        self.controls = self._controls(series is not None, material)
        self.layout, self.sources, self.label = self._figures()
        self._quiet = False
        self._guard(self._update)()
        for ctrl in self.controls.values():
            ctrl.observe(self._guard(lambda change: None if self._quiet else self._update()), "value")
        self.plot_widget = bokeh_widget(self.layout)  # last: see widgets.display
        self.view = W.HBox(
            [
                W.VBox(list(self.controls.values())),
                W.VBox([self.plot_widget, self.message.widget, self.readout.widget, self.assumptions]),
            ]
        )

    def set(self, **values) -> None:
        """Set several controls at once (by name) with one refit, e.g. ``set(snr=30, seed=4)``."""
        self._quiet = True
        try:
            for name, value in values.items():
                if name not in self.controls:
                    self.message.show(f"No control named {name!r}; the controls are {sorted(self.controls)}.")
                    return
                self.controls[name].value = value
        except Exception as exc:
            self.message.show(f"{name} cannot be {value!r}: {exc}")
            return
        finally:
            self._quiet = False
        self._guard(self._update)()

    # -- building ------------------------------------------------------------------------
    def _controls(self, has_user: bool, material: str) -> dict:
        options = [S3, SYNTHETIC] + ([USER] if has_user else [])
        dd = {"style": _STYLE, "layout": W.Layout(**_LAYOUT)}
        return {
            "source": tag(
                W.Dropdown(description="series", options=options, value=USER if has_user else S3, **dd), "source"
            ),
            "t1rho": tag(
                W.Dropdown(
                    description="¹H T1ρ",
                    value="fixed at T1ρ below",
                    options=["shared", "per site", "fixed at T1ρ below"],
                    **dd,
                ),
                "t1rho",
            ),
            "t1rho_ms": _slider(
                W.FloatSlider, "t1rho_ms", "T1ρ (true / fixed) / ms", min=2.0, max=200.0, step=1.0, value=20.0
            ),
            "fit_lineshapes": tag(
                W.Checkbox(description="fit shifts, widths and CSA", value=True, indent=False), "fit_lineshapes"
            ),
            "material": tag(
                W.Dropdown(
                    description="QD material",
                    options=MATERIALS,
                    value=material if material in MATERIALS else "InP",
                    **dd,
                ),
                "material",
            ),
            "surface_site": tag(W.Dropdown(description="surface site", options=[0, 1], value=0, **dd), "surface_site"),
            "size_spread": _slider(
                W.FloatSlider, "size_spread", "size spread (σ ln D)", min=0.03, max=0.2, step=0.01, value=0.08
            ),
            "surface_population": _slider(
                W.FloatSlider, "surface_population", "true surface share", min=0.05, max=0.95, step=0.01, value=0.27
            ),
            "t_is_surface_ms": _slider(
                W.FloatLogSlider,
                "t_is_surface_ms",
                "true T_IS surface / ms",
                base=10,
                min=-1.5,
                max=1.0,
                step=0.05,
                value=0.5,
            ),
            "t_is_core_ms": _slider(
                W.FloatLogSlider,
                "t_is_core_ms",
                "true T_IS core / ms",
                base=10,
                min=-1.0,
                max=1.5,
                step=0.05,
                value=3.0,
            ),
            "n_contacts": _slider(W.IntSlider, "n_contacts", "contact times", min=2, max=12, value=8),
            "snr": _slider(
                W.FloatLogSlider, "snr", "S/N per spectrum", base=10, min=1.0, max=3.0, step=0.05, value=50.0
            ),
            "seed": _slider(W.IntSlider, "seed", "noise seed", min=0, max=99, value=0),
        }

    def _figures(self):
        points = [ColumnDataSource(_empty("t", "a", "lo", "hi"), name=f"points{k}") for k in range(MAX_SITES)]
        curves = [ColumnDataSource(_empty("t", "fit", "lo", "hi"), name=f"curve{k}") for k in range(MAX_SITES)]
        buildup = figure(
            width=430,
            height=300,
            x_axis_type="log",
            x_axis_label="contact time / ms",
            y_axis_label="site amplitude",
            tools="pan,wheel_zoom,box_zoom,reset,save",
            name="buildup",
        )
        for k, colour in enumerate(COLOURS):
            buildup.varea("t", "lo", "hi", source=curves[k], fill_color=colour, fill_alpha=0.2)
            buildup.line("t", "fit", source=curves[k], color=colour, line_width=2)
            buildup.segment("t", "lo", "t", "hi", source=points[k], color=colour)
            buildup.scatter("t", "a", source=points[k], color=colour, size=7)
        spectra = ColumnDataSource({"xs": [], "ys": [], "colour": []}, name="spectra")
        fits = ColumnDataSource({"xs": [], "ys": [], "colour": []}, name="fits")
        spec_fig = figure(
            width=430,
            height=300,
            x_axis_label="chemical shift / ppm",
            y_axis_label="intensity (offset per contact time)",
            tools="xpan,xwheel_zoom,box_zoom,reset,save",
            name="spectra",
        )
        spec_fig.x_range.flipped = True
        spec_fig.multi_line("xs", "ys", source=spectra, color="#222222", line_width=1)
        spec_fig.multi_line("xs", "ys", source=fits, color="colour", line_width=1.5, line_dash="dashed")
        pops = ColumnDataSource({**_empty("x", "p", "lo", "hi", "truth"), "colour": []}, name="populations")
        pop_fig = figure(
            width=430,
            height=260,
            x_axis_label="site",
            y_axis_label="population (1σ bars)",
            y_range=(0, 1),
            tools="save",
            name="populations",
        )
        pop_fig.vbar("x", 0.6, "p", source=pops, color="colour", alpha=0.6)
        pop_fig.segment("x", "lo", "x", "hi", source=pops, color="#222222", line_width=2)
        pop_fig.scatter(
            "x", "truth", source=pops, marker="dash", size=30, color="#222222", legend_label="synthetic truth"
        )
        pop_fig.xaxis.ticker = list(range(MAX_SITES))
        sizes = ColumnDataSource(_empty("d", "w"), name="sizes")
        size_fig = figure(
            width=430,
            height=260,
            x_axis_label="diameter / nm",
            y_axis_label="number fraction",
            tools="save",
            name="sizes",
        )
        size_fig.line("d", "w", source=sizes, line_width=2)
        label = Title(text="", text_color="#b00020", text_font_size="10pt", name="synthetic_label")
        spec_fig.add_layout(label, "above")
        sources = {
            "points": points,
            "curves": curves,
            "spectra": spectra,
            "fits": fits,
            "populations": pops,
            "sizes": sizes,
        }
        return column(row(buildup, spec_fig), row(pop_fig, size_fig)), sources, label

    # -- updating ------------------------------------------------------------------------
    def _series(self, c):
        """(spectra or paths, contact_ms, sites, truth or None, label)."""
        from qdkit.paths import reference_dataset
        from qdkit.simulation.cp_series import synthetic_contact_series

        if c["source"] == S3:
            paths = [reference_dataset("S3", contact_ms=t) for t in (1.5, 5.0)]
            return paths, None, s3_sites(), None, "SYNTHETIC reference data, Figure S3 (not measured)"
        if c["source"] == SYNTHETIC:
            sites = s3_sites()
            contact = np.geomspace(0.1, 20.0, int(c["n_contacts"]))
            share = float(c["surface_population"])
            spectra, truth = synthetic_contact_series(
                sites,
                [share, 1.0 - share],
                [c["t_is_surface_ms"], c["t_is_core_ms"]],
                c["t1rho_ms"],
                contact,
                field_T=9.4,
                mas_hz=8000.0,
                snr=float(c["snr"]),
                seed=int(c["seed"]),
            )
            return spectra, None, sites, truth, "SYNTHETIC series made by qdkit (known truth)"
        series, sites, contact = self._user
        if not sites:
            raise WidgetError("Your series needs its sites: StructureExplorer(series, sites=[Site(...), ...]).")
        return series, contact, list(sites), None, "your series"

    def _update(self):
        from qdkit.infer import site_populations, structure

        c = {k: v.value for k, v in self.controls.items()}
        spectra, contact, sites, truth, label = self._series(c)
        if len(sites) > MAX_SITES:
            raise WidgetError(f"The explorer shows up to {MAX_SITES} sites; fit more with qdkit.infer directly.")
        t1rho = {"shared": "shared", "per site": "per_site"}.get(c["t1rho"], float(c["t1rho_ms"]))
        self.fit = fit = site_populations(
            spectra, contact, sites, t1rho=t1rho, fit_lineshapes=bool(c["fit_lineshapes"]), vary_lineshape=VARY
        )
        self._show_fit(fit, truth, label)
        options = list(range(len(sites)))
        if list(self.controls["surface_site"].options) != options:
            self.controls["surface_site"].options = options
        self.structure_result = res = structure(
            fit, c["material"], surface_sites=[c["surface_site"]], size_spread=float(c["size_spread"])
        )
        d, w = res.size_distribution
        self.sources["sizes"].data.update(d=as_column(d), w=as_column(w))
        self._show_numbers(fit, res, truth)

    def _show_fit(self, fit, truth, label):
        t = fit.contact_ms
        grid = np.geomspace(t.min() / 2, t.max() * 1.5, 120)
        mean, band = fit.buildup_curves(grid)
        n = len(fit.site_list)
        for k in range(MAX_SITES):
            if k < n:
                a, e = fit.amplitudes[:, k], fit.amplitudes_stderr[:, k]
                self.sources["points"][k].data.update(
                    t=as_column(t), a=as_column(a), lo=as_column(a - e), hi=as_column(a + e)
                )
                self.sources["curves"][k].data.update(
                    t=as_column(grid),
                    fit=as_column(mean[k]),
                    lo=as_column(mean[k] - band[k]),
                    hi=as_column(mean[k] + band[k]),
                )
            else:
                self.sources["points"][k].data.update(_empty("t", "a", "lo", "hi"))
                self.sources["curves"][k].data.update(_empty("t", "fit", "lo", "hi"))
        step = 1.1 * max(float(np.abs(m).max()) for m in fit.models)
        xs = [as_column(s.ppm) for s in fit.spectra]
        self.sources["spectra"].data.update(
            xs=xs, ys=[as_column(s.real + j * step) for j, s in enumerate(fit.spectra)], colour=["#222222"] * len(xs)
        )
        self.sources["fits"].data.update(
            xs=xs, ys=[as_column(m + j * step) for j, m in enumerate(fit.models)], colour=["#1f77b4"] * len(xs)
        )
        p, e = fit.populations, fit.populations_stderr
        self.sources["populations"].data.update(
            x=as_column(np.arange(n)),
            p=as_column(p),
            lo=as_column(p - e),
            hi=as_column(p + e),
            truth=as_column(truth.populations if truth is not None else np.full(n, np.nan)),
            colour=list(COLOURS[:n]),
        )
        self.label.text = label
        self.label.text_color = "#222222" if label == "your series" else "#b00020"

    def _show_numbers(self, fit, res, truth):
        rows = {}
        for k, site in enumerate(fit.site_list):
            true = f" (truth {truth.populations[k]:.3f})" if truth is not None else ""
            rows[f"site {k} at {site.iso_ppm:.1f} ppm: population"] = (
                f"{format_number(fit.populations[k])} ± {format_number(fit.populations_stderr[k])}{true}"
            )
            rows[f"site {k}: T_IS / ms"] = f"{format_number(fit.t_is_ms[k])} ± {format_number(fit.t_is_ms_stderr[k])}"
        rows["T1ρ / ms"] = f"{np.round(fit.t1rho_ms, 2)} ± {np.round(fit.t1rho_ms_stderr, 2)}"
        rows["reduced χ²"] = format_number(fit.redchi)
        rows["noise correlation factor"] = format_number(fit.noise_correlation)
        rows["undetermined by the series"] = ", ".join(fit.undetermined) or "nothing"
        rows[f"surface {res.element} fraction"] = (
            f"{format_number(res.surface_fraction)} ± {format_number(res.surface_fraction_stderr)}"
        )
        lo, hi = res.diameter_interval_nm
        rows[f"{res.material} diameter / nm"] = (
            f"{format_number(res.diameter_nm)} ± {format_number(res.diameter_nm_stderr)} (1σ {lo:.2f}–{hi:.2f})"
        )
        self.readout.update(rows)
        items = "".join(f"<li>{html.escape(a)}</li>" for a in (*res.assumptions, *fit.notes))
        self.assumptions.value = f"<b>The answer rests on</b><ul style='margin:0'>{items}</ul>"
