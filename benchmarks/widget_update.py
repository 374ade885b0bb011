"""Python side of one explorer slider move: qdkit call + bokeh data-source update.

Prints the median and 90th percentile per control, in ms, for the main explorer at the
paper's settings (InP 31P for contact/pore/loading, CdSe 113Cd for the spin rate, whose
CSA gives many sidebands). The bokeh document change is serialised by jupyter_bokeh as it
would be in a kernel. Spin rate is measured twice: every move a rate never seen before
(qdkit.mas caches cleared first: the cold case), and a sweep back over the same rates (the
lineshape cache of the explorer hits). Target (issue 5): ≤ 5 ms contact/pore/loading,
≤ 10 ms spin rate.

    python benchmarks/widget_update.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np


def timed_moves(control, values) -> list[float]:
    out = []
    for v in values:
        t0 = time.perf_counter()
        control.value = float(v)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def report(name: str, ms: list[float], target: float) -> None:
    med = statistics.median(ms)
    p90 = float(np.percentile(ms, 90))
    verdict = "meets" if med <= target else "MISSES"
    print(f"{name:<34} median {med:6.2f} ms   p90 {p90:6.2f} ms   n={len(ms):3d}   "
          f"({verdict} ≤ {target:g} ms)")


def main() -> None:
    from qdkit import mas
    from widgets import SpectrumExplorer

    inp = SpectrumExplorer(material="InP", nucleus="31P")
    assert inp.message.text == "", inp.message.text
    c = inp.controls
    report("contact time (InP 31P)", timed_moves(c["contact_ms"], np.linspace(1.6, 12, 60)), 5)
    report("pore size (InP 31P)", timed_moves(c["pore_nm"], np.geomspace(3, 300, 60)), 5)
    report("loading silica/QD (InP 31P)",
           timed_moves(c["silica_per_qd"], np.geomspace(0.5, 50, 60)), 5)
    report("spin rate (InP 31P)", timed_moves(c["mas_hz"], 8000 + 250 * np.arange(1, 41)), 10)

    cdse = SpectrumExplorer(material="CdSe", nucleus="113Cd")
    assert cdse.message.text == "", cdse.message.text
    rates = 10_000 + 250 * np.arange(1, 41)
    mas.clear_caches()
    report("spin rate cold (CdSe 113Cd)", timed_moves(cdse.controls["mas_hz"], rates), 10)
    report("spin rate cached (CdSe 113Cd)", timed_moves(cdse.controls["mas_hz"], rates[::-1]), 10)
    report("contact time (CdSe 113Cd)",
           timed_moves(cdse.controls["contact_ms"], np.linspace(1, 20, 60)), 5)


if __name__ == "__main__":
    main()
