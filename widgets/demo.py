"""``qdkit demo --out FILE.html``: the explorer as one standalone HTML page, no kernel needed.

The page holds bokeh figures with BokehJS inline (opens offline) for the paper's samples:
the spectrum predicted by qdkit's models on a grid of contact times and spin rates
(sliders pick the grid point in the browser, no computation there) and the bundled
synthetic reference spectrum of the same figure, labelled synthetic.
"""

from __future__ import annotations

from pathlib import Path

#: Grid of the precomputed predictions (the page has no Python to compute new ones).
CONTACT_GRID_MS = (0.5, 1.0, 1.5, 2.5, 4.0, 6.0, 10.0, 15.0, 20.0)
MAS_GRID_HZ = (0.0, 5_000.0, 8_000.0, 10_000.0, 12_500.0, 15_000.0, 20_000.0)
N_POINTS = 2048


def add_demo(subparsers) -> None:
    """Register ``qdkit demo --out FILE.html`` (called by qdkit.cli)."""
    p = subparsers.add_parser("demo", help="write the explorer as a standalone HTML page")
    p.add_argument("--out", required=True, help="HTML file to write (not overwritten unless --force)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(run=run_demo)


def run_demo(args) -> int:
    out = write_demo(args.out, overwrite=args.force)
    print(f"wrote {out}")
    return 0


def _sample_panel(bridge, material: str, nucleus: str):
    import numpy as np
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, CustomJS, Div, Slider

    from .bridge import Settings
    from .figure import as_column, spectrum_figure
    from .measured import load_trace, reference_series

    d = bridge.defaults(material, nucleus)
    base = Settings(
        material,
        nucleus,
        d["field_T"],
        d["diameter_nm"],
        d["contact_ms"],
        d["mas_hz"],
        d.get("pore_nm"),
        d["silica_per_qd"],
    )
    preds = {}
    for t in CONTACT_GRID_MS:
        for r in MAS_GRID_HZ:
            preds[(t, r)] = bridge.predict(base.replace(contact_ms=t, mas_hz=r))
    scale = float(np.max(bridge.predict(base).total)) or 1.0
    fig = spectrum_figure(nucleus, width=760, height=340)
    ppm = next(iter(preds.values())).ppm
    t0 = min(CONTACT_GRID_MS, key=lambda t: abs(t - base.contact_ms))
    r0 = min(MAS_GRID_HZ, key=lambda r: abs(r - base.mas_hz))
    p0 = preds[(t0, r0)]
    fig.set_predicted(ppm, p0.total / scale, p0.surface / scale, p0.core / scale, axis_changed=True)
    table = ColumnDataSource(
        {
            f"{i}_{j}": as_column(preds[(t, r)].total / scale)
            for i, t in enumerate(CONTACT_GRID_MS)
            for j, r in enumerate(MAS_GRID_HZ)
        },
        name="grid",
    )
    series = [s for s in reference_series(material, nucleus)]
    note = ""
    if series:
        record = series[0].nearest(base)
        from qdkit import paths

        trace = load_trace(
            paths.reference_dir() / record["path"], label=record.get("label"), synthetic=True, autophase=True
        )
        fig.set_measured(trace.ppm, trace.intensity, synthetic=True, label=trace.label)
        note = " Black: the bundled synthetic reference spectrum (normalised to 1)."
    contact = Slider(
        title="contact time / ms (precomputed grid)",
        start=0,
        end=len(CONTACT_GRID_MS) - 1,
        step=1,
        value=CONTACT_GRID_MS.index(t0),
        format="0",
    )
    spin = Slider(
        title="spin rate (grid index)", start=0, end=len(MAS_GRID_HZ) - 1, step=1, value=MAS_GRID_HZ.index(r0)
    )
    label = Div(text="")
    pick = CustomJS(
        args=dict(
            src=fig.predicted,
            grid=table,
            contact=contact,
            spin=spin,
            label=label,
            times=list(CONTACT_GRID_MS),
            rates=list(MAS_GRID_HZ),
        ),
        code="""
        const k = `${contact.value}_${spin.value}`;
        src.data = {...src.data, total: grid.data[k]};
        label.text = `contact ${times[contact.value]} ms, spin rate ${rates[spin.value]} Hz`;
    """,
    )
    contact.js_on_change("value", pick)
    spin.js_on_change("value", pick)
    label.text = f"contact {t0} ms, spin rate {r0} Hz"
    intro = Div(
        text=f"<h3>{material} QDs, {nucleus} (predicted by qdkit)</h3>"
        f"<p>Blue: qdkit's prediction at the paper's sample settings.{note}</p>"
    )
    return column(intro, fig.figure, contact, spin, label)


def write_demo(out, *, overwrite: bool = False) -> Path:
    """Write the standalone page; refuses to overwrite unless ``overwrite``."""
    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.resources import INLINE

    from qdkit.errors import OutputError

    from .bridge import QdkitBridge

    out = Path(out)
    if out.exists() and not overwrite:
        raise OutputError(f"{out} exists; pass --force to overwrite it or choose another name.")
    bridge = QdkitBridge(n_points=N_POINTS)
    panels = [_sample_panel(bridge, m, n) for (m, n) in sorted(bridge.setups())]
    html = file_html(column(*panels), INLINE, title="qdkit explorer (standalone demo)")
    tmp = out.with_name(f".{out.name}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
