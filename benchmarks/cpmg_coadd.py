"""CPMG co-addition against TopSpin and the authors' own co-added echoes.

Prints, for the real CPMG datasets in shared/data/real:
- correlation of qdkit's co-added lineshape with the reference spectrum, with the echo
  period from the pulse program and found by cross-correlation;
- correlation of qdkit's spikelet spectrum with TopSpin's magnitude FT of the train;
- S/N of the co-added lineshape for the three echo weightings (none / amplitude / t2);
- wall time of one co-addition.

Run: python3 benchmarks/cpmg_coadd.py  [real-data folder]
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import REAL_DATA

import qdkit
from qdkit import cpmg, processing


def _real_data() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    if REAL_DATA is None:
        raise SystemExit("shared/data/real not found; set QDKIT_REAL_DATA or pass the folder as the first argument")
    return REAL_DATA


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qdkit.read(path)


def _blind(ds):
    return ds.replace(meta=ds.meta.replace(cpmg_period_us=None, cpmg_echoes=None))


def _snr(spec) -> float:
    """Tallest point over the RMS of the outer 15 % of the spectrum on both sides."""
    n = spec.real.size
    edge = np.concatenate([spec.real[: int(0.15 * n)], spec.real[-int(0.15 * n) :]])
    return float(spec.real.max() / np.std(edge))


def main() -> None:
    real = _real_data()
    rows = []

    sn = real / "cpmg_119Sn_SnO2_double_echo_CPMG"
    train = _read(sn / "1100")
    ref = _read(sn / "1101" / "pdata" / "11").vendor_spectrum.real
    for label, ds in (("pulse program", train), ("cross-correlation", _blind(train))):
        spec = cpmg.lineshape(ds, size=ref.size, magnitude=True)
        rows.append(
            ("119Sn 1100 co-add vs 1101/pdata/11 (magnitude)", label, processing.correlation(spec.real, ref), 0.98)
        )

    pb = real / "cpmg_207Pb_PbZrO3_WCPMG_MAS"
    train_pb = _read(pb / "2")
    ref_pb = _read(pb / "1" / "pdata" / "13").vendor_spectrum.real
    author = _read(pb / "1").data
    for label, ds in (("pulse program", train_pb), ("cross-correlation", _blind(train_pb))):
        spec = cpmg.lineshape(ds, size=ref_pb.size, magnitude=True)
        rows.append(
            (
                "207Pb expno 2 co-add vs expno 1 pdata/13 (magnitude)",
                label,
                processing.correlation(spec.real, ref_pb),
                0.98,
            )
        )
        echo = cpmg.coadd_echoes(ds, echo_pts=author.size).data
        xc = np.abs(np.correlate(author, echo, "full")) / (np.linalg.norm(echo) * np.linalg.norm(author))
        lag = int(np.argmax(xc)) - (echo.size - 1)
        rows.append(
            (f"207Pb co-added FID vs author's FID, complex, best lag {lag:+d} pt", label, float(xc.max()), None)
        )

    pt = _read(real / "cpmg_195Pt_Reiset_WCPMG_static_AV300" / "7")
    timing = cpmg.locate_echoes(pt)
    first = pt.replace(data=cpmg.split_echoes(pt, timing)[0], procs={})
    ref_pt = pt.vendor_spectrum.real
    spec = qdkit.process(first, [{"step": "zero_fill", "size": ref_pt.size}, {"step": "ft"}, {"step": "magnitude"}])
    rows.append(
        (
            "195Pt static first echo vs pdata/1 (magnitude, TDeff 680)",
            "pulse program",
            processing.correlation(spec.real, ref_pt),
            0.98,
        )
    )

    for folder, procno in (("cpmg_195Pt_Reiset_WCPMG_static_AV300/7", 11), ("cpmg_207Pb_PbZrO3_WCPMG_MAS/2", 1)):
        ds = _read(real / folder / "pdata" / str(procno))
        spike = cpmg.spikelet_spectrum(ds, size=int(ds.procs["SI"]), points=int(ds.procs["TDeff"]) // 2)
        rows.append(
            (
                f"spikelets {folder} vs pdata/{procno}",
                "-",
                processing.correlation(spike.real, ds.vendor_spectrum.real),
                0.999,
            )
        )

    width = max(len(r[0]) for r in rows)
    print(f"{'comparison':<{width}}  {'period from':<17}  correlation  target")
    for name, label, value, target in rows:
        ok = "" if target is None else ("ok" if value >= target else "BELOW")
        print(f"{name:<{width}}  {label:<17}  {value:11.6f}  {'' if target is None else f'>= {target}'} {ok}")

    print("\nS/N of the co-added magnitude lineshape by echo weighting (edges of the spectrum as noise)")
    for name, ds in (("119Sn 1100", train), ("207Pb expno 2", train_pb), ("195Pt static", pt)):
        values = []
        for weighting in ("none", "amplitude", "t2"):
            spec = cpmg.lineshape(ds, magnitude=True, weighting=weighting)
            values.append(f"{weighting} {_snr(spec):7.1f}")
        timing = cpmg.locate_echoes(ds)
        amps = cpmg.echo_amplitudes(cpmg.split_echoes(ds, timing))
        t2_ms = cpmg.fit_echo_decay(amps, timing.period_pts / ds.meta.sw_hz).t2_s * 1e3
        print(f"  {name:<14} {timing.n_echoes:3d} echoes, train T2 {t2_ms:8.2f} ms:  " + "   ".join(values))

    print("\nWall time of one co-addition (locate + split + sum), best of 5")
    for name, ds in (("119Sn 1100", train), ("207Pb expno 2", train_pb), ("207Pb blind period", _blind(train_pb))):
        best = np.inf
        for _ in range(5):
            t0 = time.perf_counter()
            cpmg.coadd_echoes(ds)
            best = min(best, time.perf_counter() - t0)
        print(f"  {name:<20} {best * 1e3:8.1f} ms  ({ds.data.size} points)")


if __name__ == "__main__":
    main()
