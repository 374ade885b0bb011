"""A small standalone HTML page showing one spectrum: inline SVG plot, metadata, recipe.

No JavaScript and no plotting library: the page opens anywhere, offline, and can be
mailed or archived beside the CSV it describes.
"""

from __future__ import annotations

import html
import json
import math

import numpy as np

from qdkit.dataset import Spectrum

__all__ = [
    "nice_ticks",
    "envelope",
    "spectrum_svg",
    "spectrum_html",
]


WIDTH, HEIGHT = 900, 420
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 20, 20, 50


def nice_ticks(lo: float, hi: float, target: int = 8) -> list[float]:
    """Round tick values (1, 2 or 5 × 10ⁿ apart) covering [lo, hi].

    Parameters
    ----------
    lo, hi : float
        The range.
    target : int, default 8
        About how many ticks.

    Returns
    -------
    list of float

    Examples
    --------
    >>> nice_ticks(0.0, 10.0, target=5)
    [0, 2, 4, 6, 8, 10]
    """
    if not math.isfinite(lo) or not math.isfinite(hi) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    v = first
    while v <= hi + 1e-9 * step:
        ticks.append(round(v, 12))
        v += step
    return ticks


def envelope(x: np.ndarray, y: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Thin a long trace to at most ~2 points per pixel column, keeping each column's
    minimum and maximum so that narrow peaks survive.

    Parameters
    ----------
    x, y : numpy.ndarray
        The trace.
    columns : int
        Pixel columns of the plot.

    Returns
    -------
    (x, y) : tuple of numpy.ndarray
        The thinned trace (the input itself when it is already short).
    """
    n = y.size
    if n <= 2 * columns:
        return x, y
    edges = np.linspace(0, n, columns + 1).astype(int)
    xs, ys = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        seg = y[a:b]
        i, j = int(np.argmin(seg)), int(np.argmax(seg))
        for k in sorted((i, j)):
            xs.append(x[a + k])
            ys.append(seg[k])
    return np.asarray(xs), np.asarray(ys)


def spectrum_svg(spec: Spectrum, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """SVG of the real part against ppm, high ppm on the left as NMR spectra are drawn.

    Parameters
    ----------
    spec : Spectrum
        A 1D spectrum.
    width, height : int
        Size in pixels.

    Returns
    -------
    str
        SVG markup.
    """
    ppm = np.asarray(spec.ppm, dtype=float)
    y = np.asarray(spec.real, dtype=float)
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    x_hi, x_lo = float(np.max(ppm)), float(np.min(ppm))
    y_lo, y_hi = float(np.min(y)), float(np.max(y))
    if y_hi == y_lo:
        y_hi, y_lo = y_hi + 1.0, y_lo - 1.0
    pad = 0.05 * (y_hi - y_lo)
    y_lo, y_hi = y_lo - pad, y_hi + pad
    if x_hi == x_lo:
        x_hi, x_lo = x_hi + 1.0, x_lo - 1.0

    def sx(v):
        return MARGIN_LEFT + (x_hi - v) / (x_hi - x_lo) * plot_w

    def sy(v):
        return MARGIN_TOP + (y_hi - v) / (y_hi - y_lo) * plot_h

    xs, ys = envelope(ppm, y, plot_w)
    points = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(xs, ys))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="spectrum">',
        f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{plot_w}" height="{plot_h}" fill="white" stroke="#444"/>',
    ]
    for t in nice_ticks(x_lo, x_hi):
        X = sx(t)
        parts.append(
            f'<line x1="{X:.1f}" y1="{MARGIN_TOP + plot_h}" x2="{X:.1f}" y2="{MARGIN_TOP + plot_h + 5}" stroke="#444"/>'
        )
        parts.append(
            f'<text x="{X:.1f}" y="{MARGIN_TOP + plot_h + 18}" font-size="12" text-anchor="middle">{t:g}</text>'
        )
    for t in nice_ticks(y_lo, y_hi, 5):
        Y = sy(t)
        parts.append(f'<line x1="{MARGIN_LEFT - 5}" y1="{Y:.1f}" x2="{MARGIN_LEFT}" y2="{Y:.1f}" stroke="#444"/>')
        parts.append(f'<text x="{MARGIN_LEFT - 8}" y="{Y + 4:.1f}" font-size="11" text-anchor="end">{t:.3g}</text>')
    label = f"δ({html.escape(spec.meta.nucleus or '?')}) / ppm"
    parts.append(
        f'<text x="{MARGIN_LEFT + plot_w / 2:.0f}" y="{height - 10}" font-size="13" text-anchor="middle">{label}</text>'
    )
    parts.append(f'<polyline fill="none" stroke="#1f4e9c" stroke-width="1" points="{points}"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _is_synthetic(spec: Spectrum) -> bool:
    from qdkit.io.metadata import says_synthetic

    extra = spec.meta.extra or {}
    return (
        bool(extra.get("synthetic"))
        or (spec.meta.vendor or "").lower() == "synthetic"
        or says_synthetic(spec.meta.title or "")
    )


def spectrum_html(spec: Spectrum, *, title: str | None = None) -> str:
    """A standalone HTML page: heading, SVG plot, acquisition facts, warnings, recipe.

    Synthetic data are labelled synthetic on the page.

    Parameters
    ----------
    spec : Spectrum
        A 1D spectrum.
    title : str, optional
        Page heading (default: the dataset's title, else its source).

    Returns
    -------
    str
        HTML text.
    """
    m = spec.meta
    heading = title or m.title or m.source or "spectrum"
    facts = [
        ("nucleus", m.nucleus),
        ("field / T", f"{m.field_T:.4f}" if m.field_T else None),
        ("MAS / Hz", f"{m.mas_hz:g}" if m.mas_hz is not None else None),
        ("scans", m.ns),
        ("recycle delay / s", m.d1_s),
        ("contact time / ms", m.contact_ms),
        ("temperature / K", m.temperature_K),
        ("pulse program", m.pulprog),
        ("microwaves", {True: "on", False: "off"}.get(m.microwave)),
        ("CPMG echoes", m.cpmg_echoes),
        ("source", m.source),
    ]
    rows = "\n".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts if v is not None
    )
    notes = "".join(f"<li>{html.escape(w)}</li>" for w in m.warnings)
    synthetic = (
        '<p class="synthetic"><strong>Synthetic data</strong>: simulated, not measured.</p>'
        if _is_synthetic(spec)
        else ""
    )
    recipe = html.escape(json.dumps(list(spec.recipe), indent=2))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(str(heading))}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; }} th, td {{ text-align: left; padding: 2px 10px; }}
.synthetic {{ color: #a00; }} pre {{ background: #f4f4f4; padding: 8px; }}
</style>
</head>
<body>
<h1>{html.escape(str(heading))}</h1>
{synthetic}
{spectrum_svg(spec)}
<h2>Acquisition</h2>
<table>
{rows}
</table>
{"<h2>Warnings</h2><ul>" + notes + "</ul>" if notes else ""}
<h2>Processing recipe</h2>
<pre>{recipe}</pre>
<p>Written by qdkit.</p>
</body>
</html>
"""
