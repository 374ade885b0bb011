"""Regenerate qdkit's SYNTHETIC reference datasets as Bruker TopSpin experiment folders.

Nothing here was measured. Each dataset reconstructs one spectrum (or one member of a
series) of Piveteau et al., JACS 2015 and its Supporting Information from the acquisition
parameters the SI lists (sections VI and VII: field, nucleus, spectral width, points,
scans, recycle delay, MAS rate, contact time, CPMG echoes) and from the chemical shifts,
widths and CSA the paper reports, through qdkit's own models (``qdkit.mas`` lineshapes,
``qdkit.matrix`` enhancements, ``qdkit.cp`` contact-time kinetics). The folders are written
with nmrglue like a spectrometer would write them: int32 ``fid``/``ser`` padded to
1024-byte blocks, ``acqus``/``acqu2s`` with the digital-filter parameters (DSPFVS/DECIM
table on the Avance I console at 9.4 T, GRPDLY on the Avance III consoles) and the group
delay applied to the data, thermal noise that grows with the square root of the scan
count while the signal grows with it, a zero-order phase error left for the user to fix,
and ``pdata/1`` with ``procs`` (LB, SI, SF; phases not yet set) and the title.

Run from anywhere::

    python data/make_reference_data.py            # rewrites data/reference/
    python data/make_reference_data.py --out DIR  # writes elsewhere (the test compares hashes)

The output is byte-for-byte reproducible: fixed seeds, fixed dates, sorted parameters.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import nmrglue as ng
import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from a clone without installing
    sys.path.insert(0, str(HERE.parent))

from qdkit import nuclei  # noqa: E402

#: Fixed acquisition date (2015-06-01, the paper's year) so the files never change.
DATE_S = 1433116800
#: Largest |fid| value written; leaves headroom below the int32 limit like a sensible RG.
FULL_SCALE = 2**26
ORIGIN = "SYNTHETIC reference data written by qdkit data/make_reference_data.py"


# --------------------------------------------------------------------------------------
# What one experiment is
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acquisition:
    """The SI's acquisition parameters of one experiment (units in the names)."""

    nucleus: str
    field_T: float
    sw_hz: float
    td: int  # Bruker TD: real + imaginary points of the direct dimension
    ns: int
    d1_s: float
    mas_hz: float
    temperature_K: float
    pulprog: str
    center_ppm: float  # carrier (O1) position
    contact_ms: float = 0.0
    echoes: int = 0  # CPMG: number of echoes (L22)
    echo_us: float = 0.0  # CPMG: echo period
    console: str = "Avance III"  # "Avance I" (EPFL 9.4 T DNP) uses the DSPFVS/DECIM table
    probe: str = "3.2 mm LTMAS DNP H/X"
    solvent: str = "TCE"


@dataclass(frozen=True)
class Experiment:
    """One expno: its acquisition, what it shows, and how to compute its clean signal."""

    folder: str
    expno: int
    figure: str
    label: str
    acq: Acquisition
    signal: Callable[["Acquisition", np.ndarray], np.ndarray]  # ppm grid -> absorption (per scan)
    snr: float  # S/N of the tallest point of the series' reference member (see noise_per_scan)
    series: dict[str, Any] = field(default_factory=dict)
    microwave: bool | None = None
    lb_hz: float = 100.0
    phase_deg: float = 0.0
    t2_ms: float = 20.0  # CPMG echo-train decay
    sample: str = ""


# --------------------------------------------------------------------------------------
# Spectrometer frequencies and the digital filter
# --------------------------------------------------------------------------------------


def proton_base_mhz(field_T: float) -> float:
    """1H base frequency of the nominal magnet (TopSpin style: 400.13, 600.13 ... MHz)."""
    return round(field_T * nuclei.PROTON_GAMMA_MHZ_T / 100.0) * 100.0 + 0.13


def base_frequency_mhz(nucleus: str, field_T: float) -> float:
    """BF1 of ``nucleus``: the 1H base frequency times the nucleus' IUPAC Ξ."""
    return round(proton_base_mhz(field_T) * nuclei.get(nucleus).xi_percent / 100.0, 7)


def digital_filter(acq: Acquisition) -> dict[str, Any]:
    """DSPFVS, DECIM and GRPDLY of the console, and the group delay in points it implies.

    Avance I (DSPFVS 12) does not store GRPDLY; the delay follows from DECIM through the
    DSPFVS/DECIM table (as shipped with nmrglue). Avance III (DSPFVS 20) stores GRPDLY.
    DECIM is the oversampling ratio of the ~20 MHz ADC for the chosen spectral width.
    """
    ratio = 20e6 / acq.sw_hz
    if acq.console == "Avance I":
        table = ng.bruker.bruker_dsp_table[12]
        decim = min(table, key=lambda d: abs(d - ratio))
        return {"DSPFVS": 12, "DECIM": int(decim), "GRPDLY": -1, "delay_pts": float(table[decim])}
    grpdly = 67.98583984375  # typical Avance III value (fractional delay, in points)
    return {"DSPFVS": 20, "DECIM": float(round(ratio, 4)), "GRPDLY": grpdly, "delay_pts": grpdly}


def apply_group_delay(fid: np.ndarray, delay_pts: float) -> np.ndarray:
    """Delay a FID by ``delay_pts`` (fractional) points, as the digital filter does.

    The inverse of the correction qdkit and nmrglue apply: a linear phase ramp in the
    frequency domain, so the echo top moves from point 0 to point ``delay_pts`` and the
    decayed end of the FID wraps onto the first points.
    """
    n = fid.shape[-1]
    ramp = np.exp(-2j * np.pi * np.fft.fftfreq(n) * delay_pts)
    return np.fft.ifft(np.fft.fft(fid, axis=-1) * ramp, axis=-1)


# --------------------------------------------------------------------------------------
# Time-domain signals from frequency-domain lineshapes
# --------------------------------------------------------------------------------------


def frequency_grid(acq: Acquisition, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets from the carrier (Hz, ascending) and their ppm values on an ``n``-point grid."""
    bf1 = base_frequency_mhz(acq.nucleus, acq.field_T)
    o1_hz = acq.center_ppm * bf1
    hz = np.fft.fftshift(np.fft.fftfreq(n, d=1.0 / acq.sw_hz))
    return hz, (o1_hz + hz) / bf1


def echo_signal(spectrum: np.ndarray, hz: np.ndarray, tau_s: np.ndarray) -> np.ndarray:
    """Time signal Σ_k A_k exp(+2πi f_k τ) of a real absorption spectrum at times ``tau_s``.

    Bruker's convention: a line above the carrier precesses with a positive phase
    (checked against TopSpin's 1r of a real dataset). A whole echo (τ from −T/2 to T/2)
    Fourier-transforms to a pure absorption lineshape.
    """
    keep = spectrum != 0
    a, f = spectrum[keep], hz[keep]
    out = np.empty(tau_s.shape, dtype=complex)
    for start in range(0, tau_s.size, 512):  # bounded memory for long CPMG trains
        t = tau_s[start:start + 512]
        out[start:start + 512] = np.exp(2j * np.pi * np.outer(t, f)) @ a
    return out


def clean_fid(exp: Experiment) -> np.ndarray:
    """Noise-free complex FID (or CPMG echo train) per scan, before filter and phase."""
    acq = exp.acq
    n_td = acq.td // 2
    dt = 1.0 / acq.sw_hz
    if acq.echoes:
        n_grid = 4096
        hz, ppm = frequency_grid(acq, n_grid)
        spectrum = exp.signal(acq, ppm)
        period = acq.echo_us * 1e-6
        t = np.arange(n_td) * dt
        k = np.floor((t + period / 2) / period)
        tau = t - k * period
        train = echo_signal(spectrum, hz, tau) * np.exp(-t / (exp.t2_ms * 1e-3))
        train[k >= acq.echoes] = 0.0
        return train / n_grid
    n_grid = 2 * n_td
    hz, ppm = frequency_grid(acq, n_grid)
    spectrum = exp.signal(acq, ppm)
    g = np.fft.ifft(np.fft.ifftshift(spectrum))  # = Σ A_k exp(+2πi f_k m dt) / n_grid
    fid = 2.0 * g[:n_td]
    fid[0] *= 0.5  # the causal half of a real spectrum: Re(FT) gives the absorption back
    return fid


def noise_per_scan(clean: np.ndarray, snr: float, ns: int) -> float:
    """Per-scan noise σ (each of real/imag, per point) giving S/N ``snr`` after ``ns`` scans.

    S/N is the tallest point of the Fourier-transformed spectrum (no line broadening) over
    the RMS of its noise; the signal adds coherently (∝ ns) and the noise in quadrature
    (∝ √ns), so σ₁ = H₁ √ns / (snr √N).
    """
    height = np.max(np.abs(np.fft.fft(clean)))
    return height * np.sqrt(ns) / (snr * np.sqrt(clean.size))


# --------------------------------------------------------------------------------------
# Bruker parameter files
# --------------------------------------------------------------------------------------


def _jcamp(values: dict[str, Any], title: str) -> dict[str, Any]:
    dic = {k: _plain(v) for k, v in values.items()}
    dic["_coreheader"] = [
        f"##TITLE= {title}",
        "##JCAMPDX= 5.0",
        "##DATATYPE= Parameter Values",
        "##NPOINTS= 0",
        "##ORIGIN= Bruker BioSpin GmbH (format); SYNTHETIC data, not from a spectrometer",
        "##OWNER= qdkit",
    ]
    dic["_comments"] = [f"$$ {ORIGIN}", "$$ Reconstructed from Piveteau et al., JACS 2015, SI VI-VII"]
    return dic


def _plain(value: Any) -> Any:
    """Python scalars only: nmrglue writes repr(), and numpy 2 scalars repr as np.float64(...)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def acqus_parameters(exp: Experiment, n_fids: int = 1) -> dict[str, Any]:
    """The acqus dictionary of ``exp`` (TopSpin names and units)."""
    acq = exp.acq
    bf1 = base_frequency_mhz(acq.nucleus, acq.field_T)
    bf_h = proton_base_mhz(acq.field_T)
    o1 = round(acq.center_ppm * bf1, 3)
    filt = digital_filter(acq)
    p = [0.0] * 64
    p[1] = 2.5  # 1H 90° (all DNP experiments: 2.5 µs)
    p[15] = acq.contact_ms * 1000.0
    d = [0.0] * 64
    d[1] = acq.d1_s
    cnst = [1.0] * 64
    cnst[31] = acq.mas_hz
    loops = [1] * 32
    if acq.echoes:
        loops[22] = acq.echoes
        d[6] = acq.echo_us * 0.5e-6  # half echo period (s)
    nuc = ["off"] * 8
    bf = [bf_h] * 8
    sfo = [bf_h] * 8
    nuc[0], bf[0], sfo[0] = acq.nucleus, bf1, round(bf1 + o1 * 1e-6, 9)
    if acq.pulprog.startswith(("cp", "dhmqc")):
        nuc[1] = "1H"
    values = {
        "ACQT0": 0.0,
        "AQ_mod": 3,
        "AQSEQ": 0,
        "BYTORDA": 0,
        "CNST": cnst,
        "D": d,
        "DATE": DATE_S,
        "DECIM": filt["DECIM"],
        "DIGMOD": 1,
        "DIGTYP": 12 if acq.console == "Avance I" else 16,
        "DS": 4,
        "DSPFVS": filt["DSPFVS"],
        "DTYPA": 0,
        "FnMODE": 0,
        "GRPDLY": filt["GRPDLY"],
        "IN": [0.0] * 64,
        "INSTRUM": f"DNP{int(round(bf_h))}" if acq.temperature_K < 200 else f"AV{int(round(bf_h))}",
        "L": loops,
        "MASR": acq.mas_hz,
        "NBL": 1,
        "NC": 0,
        "NS": acq.ns,
        "O1": o1,
        "P": p,
        "PARMODE": 0 if n_fids == 1 else 1,
        "PROBHD": acq.probe,
        "PULPROG": acq.pulprog,
        "RG": 203.0,
        "SOLVENT": acq.solvent,
        "SW": round(acq.sw_hz / bf1, 6),
        "SW_h": float(acq.sw_hz),
        "TD": acq.td,
        "TE": acq.temperature_K,
    }
    for i in range(8):
        values[f"NUC{i + 1}"] = nuc[i]
        values[f"BF{i + 1}"] = bf[i]
        values[f"SFO{i + 1}"] = sfo[i]
        values[f"O{i + 1}"] = o1 if i == 0 else 0.0
    return values


def procs_parameters(exp: Experiment, si: int) -> dict[str, Any]:
    """procs of pdata/1: apodization and size chosen, referencing set, phases NOT yet set."""
    acq = exp.acq
    bf1 = base_frequency_mhz(acq.nucleus, acq.field_T)
    sfo1 = bf1 + acq.center_ppm * bf1 * 1e-6
    offset = (sfo1 - bf1) / bf1 * 1e6 + acq.sw_hz / 2 / bf1
    return {
        "ABSF1": 1000.0,
        "ABSF2": -1000.0,
        "BYTORDP": 0,
        "DTYPP": 0,
        "FT_mod": 6,
        "GB": 0.0,
        "LB": float(exp.lb_hz),
        "MC2": 0,
        "NC_proc": 0,
        "OFFSET": round(offset, 6),
        "PHC0": 0.0,
        "PHC1": 0.0,
        "PKNL": True,
        "SF": bf1,
        "SI": si,
        "SR": 0.0,
        "SSB": 0,
        "SW_p": float(acq.sw_hz),
        "TDeff": 0,
        "WDW": 1,
    }


def title_text(exp: Experiment) -> str:
    acq = exp.acq
    mw = {True: "microwave on (DNP)", False: "microwave off", None: "conventional NMR, no DNP"}[exp.microwave]
    lines = [
        f"SYNTHETIC reference data (qdkit) - not measured - Fig. {exp.figure}: {exp.label}",
        f"{exp.sample}",
        f"{acq.nucleus} {acq.pulprog} at {acq.field_T:g} T, {acq.temperature_K:g} K, MAS {acq.mas_hz / 1000:g} kHz, {mw}",
        "Reconstructed from Piveteau et al., JACS 2015 (SI VI-VII) with qdkit models; "
        "see data/README.md",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def pulse_program_text(exp: Experiment) -> str:
    return (
        f";{exp.acq.pulprog}\n"
        f";SYNTHETIC reference dataset written by qdkit (data/make_reference_data.py).\n"
        ";This is a placeholder, not a runnable TopSpin pulse program.\n"
    )


def _pad_block(data: np.ndarray) -> np.ndarray:
    """Pad the direct dimension to whole 1024-byte blocks (256 int32 = 128 complex points)."""
    n = data.shape[-1]
    padded = -(-n // 128) * 128
    if padded == n:
        return data
    pad = [(0, 0)] * (data.ndim - 1) + [(0, padded - n)]
    return np.pad(data, pad)


def write_expno(path: Path, exp: Experiment, data_int: np.ndarray, extra: dict[str, Any] | None = None) -> None:
    """Write one experiment folder (fid/ser, acqus/acqu, acqu2s, pulseprogram, pdata/1)."""
    path.mkdir(parents=True, exist_ok=True)
    n_fids = 1 if data_int.ndim == 1 else data_int.shape[0]
    dic = {"acqus": _jcamp(acqus_parameters(exp, n_fids), "Parameter file, TOPSPIN  Version 3.2")}
    if extra:
        dic.update(extra)
    n_td = exp.acq.td // 2
    si = 1 << int(np.ceil(np.log2(max(n_td, 16))))
    si = max(si * 2, 1024)
    dic["procs"] = _jcamp(procs_parameters(exp, si), "Parameter file, TOPSPIN  Version 3.2")
    ng.bruker.write(
        str(path), dic, _pad_block(data_int), overwrite=True, write_prog=False, write_procs=True,
        pdata_folder=1,
    )
    (path / "pulseprogram").write_text(pulse_program_text(exp), encoding="utf-8")
    (path / "pdata" / "1" / "title").write_text(title_text(exp), encoding="utf-8")


# --------------------------------------------------------------------------------------
# Assembling a series
# --------------------------------------------------------------------------------------


def _seed(*parts: Any) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def finish(exp: Experiment, clean_per_scan: np.ndarray, sigma1: float) -> np.ndarray:
    """Accumulate ``ns`` scans, add noise, phase error and digital-filter delay (float)."""
    acq = exp.acq
    rng = np.random.default_rng(_seed(exp.folder, exp.expno))
    signal = clean_per_scan * acq.ns * np.exp(1j * np.deg2rad(exp.phase_deg))
    sigma = sigma1 * np.sqrt(acq.ns)
    noise = rng.normal(0.0, sigma, signal.shape) + 1j * rng.normal(0.0, sigma, signal.shape)
    return apply_group_delay(signal + noise, digital_filter(acq)["delay_pts"])


def to_int32(data: np.ndarray, scale: float) -> np.ndarray:
    """Round to the int32 ADC words TopSpin stores (real and imaginary parts interleaved)."""
    re = np.rint(data.real * scale).astype(np.int32)
    im = np.rint(data.imag * scale).astype(np.int32)
    return re + 1j * im.astype(np.float64)


def write_series(root: Path, experiments: list[Experiment]) -> list[dict[str, Any]]:
    """Write all expnos of one folder with one common intensity scale (as with one RG).

    The first experiment is the series' reference: its S/N is ``snr``; the per-scan noise
    it implies is shared by every member, so members with fewer scans or less enhancement
    come out noisier exactly as they would on the spectrometer.
    """
    cleans = [clean_fid(e) for e in experiments]
    ref = experiments[0]
    sigma1 = noise_per_scan(cleans[0], ref.snr, ref.acq.ns)
    finished = [finish(e, c, sigma1) for e, c in zip(experiments, cleans)]
    scale = FULL_SCALE / max(float(np.max(np.abs(f))) for f in finished)
    records = []
    for exp, data in zip(experiments, finished):
        write_expno(root / exp.folder / str(exp.expno), exp, to_int32(data, scale))
        records.append(index_record(exp))
    return records


def index_record(exp: Experiment) -> dict[str, Any]:
    acq = exp.acq
    rec = {
        "path": f"{exp.folder}/{exp.expno}",
        "figure": exp.figure,
        "label": exp.label,
        "sample": exp.sample,
        "nucleus": acq.nucleus,
        "field_T": acq.field_T,
        "mas_hz": acq.mas_hz,
        "contact_ms": acq.contact_ms,
        "ns": acq.ns,
        "microwave": exp.microwave,
        "temperature_K": acq.temperature_K,
        "pulprog": acq.pulprog,
        "synthetic": True,
        "series_keys": sorted(exp.series),
    }
    rec.update(exp.series)
    return rec


# --------------------------------------------------------------------------------------
# The paper's experiments
# --------------------------------------------------------------------------------------


def gaussian_lines(lines: list[tuple[float, float, float]]) -> Callable[[Acquisition, np.ndarray], np.ndarray]:
    """Absorption from (iso_ppm, fwhm_hz, weight) Gaussians, each of unit-weight area."""

    def signal(acq: Acquisition, ppm: np.ndarray) -> np.ndarray:
        bf1 = base_frequency_mhz(acq.nucleus, acq.field_T)
        step = abs(ppm[1] - ppm[0])
        out = np.zeros_like(ppm)
        for iso, fwhm_hz, weight in lines:
            s = fwhm_hz / bf1 / 2.3548
            out += weight * np.exp(-0.5 * ((ppm - iso) / s) ** 2) * step / (s * np.sqrt(2 * np.pi))
        return out

    return signal


def experiments() -> list[list[Experiment]]:
    """Every series, grouped by folder (first member = the series' S/N reference)."""
    inp_31p_94 = Acquisition(
        nucleus="31P", field_T=9.4, sw_hz=100e3, td=2048, ns=128, d1_s=1.7, mas_hz=8000,
        temperature_K=100, pulprog="cpecho", center_ppm=-100, contact_ms=1.5, console="Avance I",
    )
    inp = gaussian_lines([(5.0, 1500.0, 1.0), (-200.0, 9000.0, 1.0)])
    sample = "myristate-capped 3 nm InP QDs, 16 mM TEKPol in TCE"
    fig2 = [
        Experiment("fig2de_inp_31p_mw_onoff", 1, "2e", "31P CP-echo, InP QDs in 7 nm MSU-H silica",
                   inp_31p_94, inp, snr=300, series={"silica": True, "pore_nm": 7.0}, microwave=True,
                   phase_deg=37.0, sample=sample + ", impregnated into MSU-H (7 nm pores)"),
        Experiment("fig2de_inp_31p_mw_onoff", 2, "2e", "31P CP-echo, InP QDs in 7 nm MSU-H silica",
                   _with(inp_31p_94, ns=512), _scaled(inp, 1 / 80.0), snr=300,
                   series={"silica": True, "pore_nm": 7.0}, microwave=False, phase_deg=37.0,
                   sample=sample + ", impregnated into MSU-H (7 nm pores)"),
    ]
    return [fig2]


def _with(acq: Acquisition, **changes) -> Acquisition:
    import dataclasses

    return dataclasses.replace(acq, **changes)


def _scaled(signal, factor: float):
    def scaled(acq, ppm):
        return factor * signal(acq, ppm)

    return scaled


def generate(out: Path) -> list[dict[str, Any]]:
    """Write every reference dataset under ``out`` and its ``index.json``; return the index."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    index: list[dict[str, Any]] = []
    for series in experiments():
        target = out / series[0].folder
        if target.exists():
            shutil.rmtree(target)
        index += write_series(out, series)
    (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "reference", help="output folder")
    args = parser.parse_args(argv)
    index = generate(args.out)
    print(f"wrote {len(index)} SYNTHETIC reference datasets under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
