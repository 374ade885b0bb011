"""Regenerate qdkit's SYNTHETIC reference datasets as Bruker TopSpin experiment folders.

Nothing here was measured. Each dataset reconstructs one spectrum (or one member of a
series) of Piveteau et al., JACS 2015 and its Supporting Information from the acquisition
parameters the SI lists (sections VI and VII: field, nucleus, spectral width, points,
scans, recycle delay, MAS rate, contact time, CPMG echoes) and from the chemical shifts,
widths and CSA the paper reports (``data/catalog.toml``, assumed values marked there). Every
QD spectrum is ``qdkit.sample.predict`` — the same forward model the explorer plots — at the
experiment's sample and acquisition, so the explorer's prediction and these traces differ
only by noise, phase, apodization and the digital filter. The folders are written
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
import dataclasses
import json
import shutil
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    pi_us: float = 10.0  # X-channel 180° pulse (P2)
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
    signal: Callable[[Acquisition, np.ndarray], np.ndarray]  # ppm grid -> absorption (per scan)
    snr: float | None  # S/N of the tallest point; None: share the noise of the folder's first member
    series: dict[str, Any] = field(default_factory=dict)
    microwave: bool | None = None
    lb_hz: float = 100.0
    phase_deg: float = 0.0
    t2_ms: float = 20.0  # CPMG echo-train decay
    sample: str = ""
    catalog_id: str = ""  # the experiment's record in data/catalog.toml


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
        t = tau_s[start : start + 512]
        out[start : start + 512] = np.exp(2j * np.pi * np.outer(t, f)) @ a
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
        k = np.floor(t / period)  # echo k has its top in the middle of its window
        tau = t - (k + 0.5) * period
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
    d[6] = 5e-6  # ring-down delay around refocusing pulses
    p[2] = acq.pi_us
    if acq.echoes:
        loops[22] = acq.echoes
        d[3] = round(acq.echo_us * 1e-6 - acq.pi_us * 1e-6 - 2 * d[6], 9)  # acquisition window
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
        "Reconstructed from Piveteau et al., JACS 2015 (SI VI-VII) with qdkit models; see data/README.md",
    ]
    return "\n".join(line for line in lines if line) + "\n"


_EXCITATION = {
    "onepulse": ["  p1 ph1"],
    "hahnecho": ["  p1 ph1", "  d6", "  p2 ph2", "  d6"],
    "cp": ["  p3:f2 ph1", "  (p15 ph2):f1 (p15:sp40 ph10):f2"],
    "cpecho": ["  p3:f2 ph1", "  (p15 ph2):f1 (p15:sp40 ph10):f2", "  d6", "  (p2 ph3):f1", "  d6"],
}


def pulse_program_text(exp: Experiment) -> str:
    """A TopSpin-style pulse program for the acquisition (what qdkit reads timings from).

    CP programs carry the contact pulse p15; the CP-CPMG echo loop ``lo to 5 times l22``
    has the π pulse p2, the ring-down delays d6 and the acquisition window d3, whose sum
    is the echo period. Written for reading, not for running on a spectrometer.
    """
    name = exp.acq.pulprog
    head = [
        f";{name}",
        ";SYNTHETIC reference dataset written by qdkit (data/make_reference_data.py);",
        ";describes the acquisition for readers - not a runnable TopSpin pulse program.",
        "#include <Avance.incl>",
        "1 ze",
        "2 d1 do:f2",
    ]
    if name == "cpcpmg":
        body = _EXCITATION["cp"] + [
            "  d6 cpds2:f2",
            "5 (p2 ph4):f1",
            "  d6",
            "  d3",
            "  d6",
            "  lo to 5 times l22",
        ]
    elif name == "cp_dhmqc_r3":
        body = _EXCITATION["cp"] + [
            "  (p21 ph5):f3",
            "  d0",
            "  (p21 ph6):f3",
            "  (p2 ph3):f1",
            "  d0",
        ]
    else:
        body = list(_EXCITATION[name])
    tail = ["  go=2 ph31 cpds2:f2", "  30m do:f2 mc #0 to 2 F0(zd)", "exit", ""]
    return "\n".join(head + body + tail)


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
        str(path),
        dic,
        _pad_block(data_int),
        overwrite=True,
        write_prog=False,
        write_procs=True,
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

    A member with ``snr`` set fixes the per-scan noise; members with ``snr=None`` share
    the per-scan noise of the member before them, so those with fewer scans or less
    enhancement come out noisier exactly as they would on the spectrometer.
    """
    cleans = [clean_fid(e) for e in experiments]
    finished = []
    for exp, clean in zip(experiments, cleans):
        if exp.snr is not None:
            sigma1 = noise_per_scan(clean, exp.snr, exp.acq.ns)
        finished.append(finish(exp, clean, sigma1))
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
        "catalog_id": exp.catalog_id,
        "series_keys": sorted(exp.series),
    }
    rec.update(exp.series)
    return rec


# --------------------------------------------------------------------------------------
# The paper's experiments
# --------------------------------------------------------------------------------------


def powder(sites: list) -> Callable[[Acquisition, np.ndarray], np.ndarray]:
    """Absorption of a powder of ``qdkit.mas.Site`` at the acquisition's field and MAS rate."""

    def signal(acq: Acquisition, ppm: np.ndarray) -> np.ndarray:
        from qdkit.mas import mas_spectrum

        return mas_spectrum(sites, field_T=acq.field_T, mas_hz=acq.mas_hz, ppm=ppm)

    return signal


def predicted(sample, acquisition) -> Callable[[Acquisition, np.ndarray], np.ndarray]:
    """The spectrum ``qdkit.sample.predict`` gives for ``sample`` measured with
    ``acquisition`` (a ``qdkit.sample`` record), on the dataset's ppm grid."""

    def signal(acq: Acquisition, ppm: np.ndarray) -> np.ndarray:
        from qdkit.sample import predict

        return np.asarray(predict(sample, acquisition, ppm).total, dtype=float)

    return signal


def scaled(signal: Callable, factor: float) -> Callable:
    """``signal`` times ``factor`` (microwave off: 1/ε; fewer QDs; weaker CP ...)."""

    def out(acq: Acquisition, ppm: np.ndarray) -> np.ndarray:
        return factor * signal(acq, ppm)

    return out


def experiments() -> list[list[Experiment]]:
    """Every series, grouped by folder (the first member sets the series' noise level)."""
    return [
        *inp_series(),
        *cdse_series(),
        *two_step_series(),
        *survey_series(),
    ]


# --------------------------------------------------------------------------------------
# The paper's experiments (from data/catalog.toml) and species
# --------------------------------------------------------------------------------------

_PULPROG = {
    "CP": "cp",
    "CP-echo": "cpecho",
    "CP-CPMG": "cpcpmg",
    "one-pulse": "onepulse",
    "30-degree one-pulse": "onepulse",
    "echo": "hahnecho",
    "D-HMQC-R3": "cp_dhmqc_r3",
}


def from_catalog(catalog_id: str, *, center_ppm: float, **overrides) -> Acquisition:
    """The acquisition of catalog experiment ``catalog_id`` (SI VI-VII), carrier at ``center_ppm``.

    The 9.4 T DNP spectrometer (EPFL) had an Avance I console, the others Avance III (SI V).
    A CP-CPMG record without echo parameters (Fig. S10) becomes a plain CP acquisition.
    """
    from qdkit import catalog

    e = catalog.experiment(catalog_id)
    echoes = e.cpmg_echoes or 0
    pulprog = _PULPROG[e.sequence]
    if pulprog == "cpcpmg" and not echoes:
        pulprog = "cp"
    rotor = e.rotor_mm or 3.2
    low_t = e.temperature_K < 200
    values = dict(
        nucleus=e.nucleus,
        field_T=e.field_T,
        sw_hz=e.sw_hz,
        td=e.td,
        ns=e.ns,
        d1_s=e.d1_s,
        mas_hz=e.mas_hz or 0.0,
        temperature_K=e.temperature_K,
        pulprog=pulprog,
        center_ppm=center_ppm,
        contact_ms=e.contact_ms or 0.0,
        echoes=echoes,
        echo_us=e.echo_us or 0.0,
        pi_us=e.p180_X_us or 10.0,
        console="Avance I" if (low_t and abs(e.field_T - 9.4) < 0.05) else "Avance III",
        probe=f"{rotor:g} mm LTMAS DNP H/X" if low_t else f"{rotor:g} mm MAS BB/1H",
        solvent=(e.sample.solvent or "none"),
    )
    values.update(overrides)
    return Acquisition(**values)


def reported(nucleus: str, figure: str, site: str | None = None, material: str | None = None):
    """The one species the catalog lists for (nucleus, figure[, site, material])."""
    from qdkit import catalog

    found = catalog.species(nucleus, figure=figure, site=site, material=material)
    if len(found) != 1:
        raise LookupError(f"expected one catalog species for {nucleus} {figure} {site} {material}, got {found}")
    return found[0]


def sample_text(catalog_id: str) -> str:
    from qdkit import catalog

    s = catalog.experiment(catalog_id).sample
    parts = [f"{s.ligand or ''}-capped {s.size_nm or ''} nm {s.structure or ''} {s.qd} QDs".replace("  ", " ")]
    if s.radical:
        parts.append(f"{s.radical_mM:g} mM {s.radical} in {s.solvent}")
    if s.pore_nm:
        parts.append(f"{s.pore_nm:g} nm pore silica, {s.filling} filling")
    elif getattr(s, "form", None):
        parts.append(s.form)
    return ", ".join(parts)


def setup(figure: str):
    """The explorer's sample and acquisition for ``figure`` (``qdkit.models.setups``)."""
    from qdkit.models.setups import paper_setup

    return paper_setup(figure)


def measured(catalog_id: str, **changes):
    """The ``qdkit.sample.Acquisition`` of catalog experiment ``catalog_id``, changed by ``changes``."""
    from qdkit.models.setups import experiment_acquisition

    return experiment_acquisition(catalog_id).replace(**changes)


def dried_powder(sample):
    """The same QDs dried, without radical or silica (single-pulse references, SI Fig. S4/S5)."""
    return sample.replace(pore_nm=None, radical=None, radical_mM=0.0)


def catalog_site(
    nucleus: str,
    figure: str,
    site: str | None = None,
    material: str | None = None,
    *,
    observe: str | None = None,
    **changes,
):
    """The lineshape of the one catalog species (``qdkit.catalog.site``), seen as the isotope
    ``observe`` if given, changed by ``changes``."""
    from qdkit import catalog

    return catalog.site(reported(nucleus, figure, site, material), nucleus=observe).replace(**changes)


def ligand_sites() -> list:
    """13C of 13C-1-oleate (27 % labelled carboxylate) and the TCE solvent (Fig. 3c).

    The paper shows but does not list these shifts; typical values are used: Cd-bound
    carboxylate 184 ppm, olefinic 130 ppm, TCE 74 ppm, chain CH2 32 and 24 ppm, CH3 14 ppm.
    """
    from qdkit.mas import Site

    return [
        Site("13C", iso_ppm=184.0, aniso_ppm=-80.0, eta=0.6, fwhm_hz=600.0, weight=0.55),
        Site("13C", iso_ppm=130.0, fwhm_hz=500.0, weight=0.12),
        Site("13C", iso_ppm=74.0, fwhm_hz=400.0, weight=1.0),
        Site("13C", iso_ppm=32.0, fwhm_hz=700.0, weight=0.6),
        Site("13C", iso_ppm=24.0, fwhm_hz=600.0, weight=0.15),
        Site("13C", iso_ppm=14.0, fwhm_hz=400.0, weight=0.08),
    ]


def sample_enhancement(sample, acquisition) -> float:
    """ε_on/off of ``sample`` (``qdkit.sample.sample_matrix``)."""
    from qdkit.sample import sample_matrix

    return sample_matrix(sample, acquisition).enhancement_on_off


def inp_series() -> list[list[Experiment]]:
    """Figures 2d-f, S2, S3, S4: the explorer's InP 31P sample (Fig. 2e) through qdkit.sample."""
    from qdkit import catalog

    sample, _ = setup("2e")
    pores = [7.0] + [None] + [p for p in catalog.experiment("2f").sample.pore_series_nm if p != 7.0]
    pore_series = []
    for i, pore in enumerate(pores):
        here = sample.replace(pore_nm=pore)
        where = f"in {pore:g} nm pore silica" if pore is not None else "frozen colloid without silica"
        fig, ids = ("2d", ("2d-a", "2d-b")) if pore is None else ("2e", ("2e-a", "2e-b"))
        shown = fig if pore in (None, 7.0) else "2f"
        eps = sample_enhancement(here, measured(ids[0]))
        for mw, cid in ((True, ids[0]), (False, ids[1])):
            pore_series.append(
                Experiment(
                    "fig2_inp_31p_pore_series",
                    10 * (i + 1) + (1 if mw else 2),
                    "2f",
                    f"31P CP-echo of InP QDs {where} (Fig. {shown}); model enhancement {eps:.1f}",
                    from_catalog(cid, center_ppm=-100.0),
                    predicted(here, measured(cid, microwave=mw)),
                    snr=800.0 if i == 0 and mw else None,
                    series={"pore_nm": pore, "microwave": mw, "enhancement_model": round(eps, 3)},
                    microwave=mw,
                    lb_hz=200.0,
                    phase_deg=37.0 + 11.0 * i,
                    catalog_id=cid,
                    sample=f"myristate-capped 3 nm InP QDs, 16 mM TEKPol in TCE, {where}",
                )
            )

    s2 = from_catalog("S2", center_ppm=-100.0)
    s2_sample = "3.8 mg myristate-capped 3 nm InP QDs, 20 uL TCE"
    colloid = sample.replace(pore_nm=None, radical=None, radical_mM=0.0)
    kinds = (
        ("silica+radical", True, sample, "in MSU-H, microwave on", " with 16 mM TEKPol, MSU-H (7 nm) filled"),
        ("silica+radical", False, sample, "in MSU-H, microwave off", " with 16 mM TEKPol, MSU-H (7 nm) filled"),
        ("colloid only", False, colloid, "frozen colloid without radical or silica", ", no radical, no silica"),
    )
    absolute = [
        Experiment(
            "figS2_inp_31p_absolute_gain",
            k + 1,
            "S2",
            f"31P CP-echo, InP {what}",
            s2,
            predicted(rotor, measured("S2", microwave=mw)),
            snr=400.0 if k == 0 else None,
            series={"sample_kind": kind, "microwave": mw},
            microwave=mw,
            lb_hz=200.0,
            phase_deg=-52.0,
            catalog_id="S2",
            sample=s2_sample + text,
        )
        for k, (kind, mw, rotor, what, text) in enumerate(kinds)
    ]

    contact = [
        Experiment(
            "figS3_inp_31p_contact_series",
            k + 1,
            "S3",
            f"31P CP-echo of InP QDs in MSU-H, contact {ct:g} ms",
            from_catalog(cid, center_ppm=-100.0),
            predicted(sample, measured(cid)),
            snr=300.0 if k == 0 else None,
            series={"contact_ms": ct},
            microwave=True,
            lb_hz=200.0,
            phase_deg=64.0,
            catalog_id=cid,
            sample=sample_text(cid),
        )
        for k, (cid, ct) in enumerate((("S3-1.5ms", 1.5), ("S3-5ms", 5.0)))
    ]

    single = [
        Experiment(
            "figS4_inp_31p_single_pulse",
            1,
            "S4",
            "31P single-pulse MAS of dried InP QDs (all P atoms excited)",
            from_catalog("S4", center_ppm=-100.0),
            predicted(dried_powder(sample), measured("S4")),
            snr=120.0,
            microwave=None,
            lb_hz=300.0,
            phase_deg=-23.0,
            catalog_id="S4",
            sample="50 mg myristate-capped 3 nm InP QDs, dried powder",
        )
    ]
    return [pore_series, absolute, contact, single]


def cdse_series() -> list[list[Experiment]]:
    """Figures 3a-c, S5, S6, S7: the explorer's CdSe samples (Fig. 3a, 3b) through qdkit.sample."""
    cd, _ = setup("3a")
    text = sample_text("3a-a")
    fig3a = [
        Experiment(
            "fig3a_cdse_113cd_cp",
            1,
            "3a",
            "113Cd CP-echo: surface and core Cd",
            from_catalog("3a-a", center_ppm=-250.0),
            predicted(cd, measured("3a-a")),
            snr=60.0,
            microwave=True,
            lb_hz=500.0,
            phase_deg=121.0,
            catalog_id="3a-a",
            sample=text,
        )
    ]
    mas = [
        Experiment(
            "figS7_cdse_113cd_mas_series",
            k + 1,
            "S7",
            f"113Cd CP-echo at {rate / 1000:g} kHz MAS (isotropic peaks stay, sidebands move)",
            from_catalog(cid, center_ppm=-250.0),
            predicted(cd, measured(cid)),
            snr=150.0 if k == 0 else None,
            series={"mas_hz": rate},
            microwave=True,
            lb_hz=500.0,
            phase_deg=-75.0,
            catalog_id=cid,
            sample=text,
        )
        for k, (cid, rate) in enumerate((("S7-10kHz", 10000.0), ("S7-12.5kHz", 12500.0)))
    ]
    from qdkit.models.setups import catalog_line

    powder_cd = dried_powder(cd).replace(species=(catalog_line(reported("113Cd", "S5")),))
    conventional = [
        Experiment(
            "figS5_cdse_113cd_single_pulse",
            1,
            "S5",
            "113Cd spin-echo MAS of dried ZB-CdSe QDs (core only)",
            from_catalog("S5", center_ppm=-100.0),
            predicted(powder_cd, measured("S5")),
            snr=25.0,
            microwave=None,
            lb_hz=800.0,
            phase_deg=48.0,
            catalog_id="S5",
            sample="50 mg oleate-capped 3.5 nm ZB-CdSe QDs, dried powder",
        )
    ]

    se, _ = setup("3b")
    fig3b = [
        Experiment(
            "fig3b_cdse_77se_cpmg",
            1,
            "3b",
            "77Se CP-CPMG of ZB-CdSe: two Se environments",
            from_catalog("3b", center_ppm=-600.0),
            predicted(se, measured("3b")),
            snr=40.0,
            microwave=True,
            lb_hz=0.0,
            phase_deg=15.0,
            t2_ms=25.0,
            catalog_id="3b",
            sample=sample_text("3b"),
        )
    ]
    wz = [
        Experiment(
            "figS6_wz_cdse_77se_cpmg",
            1,
            "S6",
            "77Se CP-CPMG of WZ-CdSe QDs",
            from_catalog("S6-wz", center_ppm=-556.0),
            powder([catalog_site("77Se", "S6")]),
            snr=100.0,  # S/N of the spikelet spectrum: the co-added echo of this 6 kHz line is noisier microwave=True, lb_hz=0.0, phase_deg=-140.0, t2_ms=8.0, catalog_id="S6-wz",
            sample=sample_text("S6-wz"),
        )
    ]

    oleate = powder(ligand_sites())
    eps15 = sample_enhancement(cd, measured("3c-a"))
    fig3c = [
        Experiment(
            "fig3c_cdse_13c_mw_onoff",
            k + 1,
            "3c",
            f"13C CP of 13C-1-oleate on ZB-CdSe, microwave {'on' if mw else 'off'}",
            from_catalog(cid, center_ppm=100.0),
            scaled(oleate, eps15 if mw else 1.0),
            snr=150.0 if mw else None,
            series={"microwave": mw, "enhancement_model": round(eps15, 3)},
            microwave=mw,
            lb_hz=50.0,
            phase_deg=88.0,
            catalog_id=cid,
            sample=sample_text(cid),
        )
        for k, (cid, mw) in enumerate((("3c-a", True), ("3c-b", False)))
    ]
    return [fig3a, mas, conventional, fig3b, wz, fig3c]


def two_step_series() -> list[list[Experiment]]:
    """Figures 5 and S8: selenide-capped CdSe (two-step filling), sulfide-capped InP (one vs
    two step), and the 77Se shifts of the Se species involved.

    The S2-/Se2--capped QDs have no organic ligand, so the forward model's CP part does not
    cover them: their spectra are the catalog species of each experiment with the assumed
    line shares of ``qdkit.models.setups.UNMODELLED_EXPERIMENTS`` (``catalog_lines``).
    """
    from qdkit.models.setups import catalog_lines

    fig5a = [
        Experiment(
            "fig5a_cdse_selenide_77se_cpmg",
            1,
            "5a",
            "77Se CP-CPMG of Se2--capped ZB-CdSe, two-step filling",
            from_catalog("5a", center_ppm=-550.0),
            powder(catalog_lines("5a")),
            snr=60.0,
            microwave=True,
            lb_hz=0.0,
            phase_deg=-33.0,
            t2_ms=25.0,
            catalog_id="5a",
            sample=sample_text("5a"),
        )
    ]

    filling = [
        Experiment(
            "fig5bc_inp_sulfide_31p_filling",
            1,
            "5b",
            "31P CP-echo of S2--capped InP, one-step filling (AMUPol, water)",
            from_catalog("5b", center_ppm=10.0),
            powder(catalog_lines("5b")),
            snr=80.0,
            series={"filling": "one-step"},
            microwave=True,
            lb_hz=100.0,
            phase_deg=141.0,
            catalog_id="5b",
            sample=sample_text("5b"),
        ),
        Experiment(
            "fig5bc_inp_sulfide_31p_filling",
            2,
            "5c",
            "31P CP-echo of S2--capped InP, two-step filling (TEKPol/TCE, water-free)",
            from_catalog("5c-a", center_ppm=10.0),
            powder(catalog_lines("5c-a")),
            snr=80.0,
            series={"filling": "two-step"},
            microwave=True,
            lb_hz=100.0,
            phase_deg=141.0,
            catalog_id="5c-a",
            sample=sample_text("5c-a"),
        ),
    ]

    controls = [
        Experiment(
            "figS8_k2se_77se_controls",
            1,
            "S8",
            "77Se CP-echo of K2Se dissolved in formamide (frozen)",
            from_catalog("S8-k2se-fa", center_ppm=-400.0),
            powder([catalog_site("77Se", "S8", material="formamide")]),
            snr=25.0,
            series={"species": "K2Se in FA"},
            microwave=False,
            lb_hz=500.0,
            phase_deg=72.0,
            catalog_id="S8-k2se-fa",
            sample="1.3 mg K2Se in 20 uL formamide, no radical",
        ),
        Experiment(
            "figS8_k2se_77se_controls",
            2,
            "S8",
            "77Se one-pulse MAS of K2Se powder",
            from_catalog("S8-k2se-powder", center_ppm=-416.0),
            powder([catalog_site("77Se", "S8", material="powder")]),
            snr=40.0,
            series={"species": "K2Se powder"},
            microwave=None,
            lb_hz=20.0,
            phase_deg=-101.0,
            catalog_id="S8-k2se-powder",
            sample="K2Se powder, filled under inert atmosphere",
        ),
    ]
    return [fig5a, filling, controls]


def survey_series() -> list[list[Experiment]]:
    """Figures S9 and S10: 77Se/125Te of CdTe, PbSe, PbTe and 133Cs of CsPbBr3.

    The paper shows these spectra without listing shifts; the catalog's S9/S10 species carry
    the assumed ones with their reasons. The oleate-capped CdTe, PbSe and PbTe dots are
    ``qdkit.sample.predict`` at their sample and acquisition (``experiment_setup``); CsPbBr3
    grown in the pores (no ligand, no printed size) and its bulk powder are the catalog
    lines (``catalog_lines``).
    """
    from qdkit.models.setups import catalog_lines, experiment_setup

    def s9(folder, cid, label, center_ppm, phase_deg, snr):
        return Experiment(
            folder,
            1,
            "S9",
            label,
            from_catalog(cid, center_ppm=center_ppm),
            predicted(*experiment_setup(cid)),
            snr=snr,
            microwave=True,
            lb_hz=0.0,
            phase_deg=phase_deg,
            t2_ms=6.0,
            catalog_id=cid,
            sample=sample_text(cid),
        )

    survey = [
        s9(
            "figS9_cdte_125te_cpmg",
            "S9-cdte",
            "125Te CP-CPMG of oleate-capped CdTe QDs (not oxidized)",
            -900.0,
            27.0,
            30.0,
        ),
        s9("figS9_pbse_77se_cpmg", "S9-pbse", "77Se CP-CPMG of oleate-capped PbSe QDs", -600.0, -61.0, 25.0),
        s9("figS9_pbte_125te_cpmg", "S9-pbte", "125Te CP-CPMG of PbTe QDs: only Te-oxide signal", 1200.0, 96.0, 20.0),
    ]
    cesium = [
        Experiment(
            "figS10_cspbbr3_133cs",
            1,
            "S10",
            "133Cs CP of CsPbBr3 nanostructures in 7 nm silica",
            from_catalog("S10-cspbbr3-dnp", center_ppm=60.0),
            powder(catalog_lines("S10-cspbbr3-dnp")),
            snr=30.0,
            series={"sample_kind": "nanocomposite"},
            microwave=True,
            lb_hz=100.0,
            phase_deg=-12.0,
            catalog_id="S10-cspbbr3-dnp",
            sample="CsPbBr3 in 7 nm pore silica, 10 uL 16 mM TEKPol in TCE",
        ),
        Experiment(
            "figS10_cspbbr3_133cs",
            2,
            "S10",
            "133Cs spin-echo MAS of bulk CsPbBr3",
            from_catalog("S10-cspbbr3-bulk", center_ppm=60.0),
            powder(catalog_lines("S10-cspbbr3-bulk")),
            snr=60.0,
            series={"sample_kind": "bulk"},
            microwave=None,
            lb_hz=20.0,
            phase_deg=33.0,
            catalog_id="S10-cspbbr3-bulk",
            sample="bulk CsPbBr3 powder",
        ),
    ]
    return [survey[:1], survey[1:2], survey[2:], cesium]


# --------------------------------------------------------------------------------------
# The 2D D-HMQC of Figure 4
# --------------------------------------------------------------------------------------


def dhmqc_experiment() -> tuple[Experiment, Acquisition, list]:
    """13C-111Cd D-HMQC (catalog "4"): F2 13C carboxylate, F1 111Cd, States, 48 FIDs."""
    from qdkit import catalog, hmqc, nanocrystal
    from qdkit.mas import Site

    rec = catalog.experiment("4")
    f2 = from_catalog("4", center_ppm=180.0)
    f1 = dataclasses.replace(
        f2, nucleus=rec.indirect_nucleus, sw_hz=1e6 / rec.t1_increment_us, td=rec.t1_increments, center_ppm=-200.0
    )
    dot = nanocrystal.build("CdSe", 4.0, structure="zincblende", shell="CdX2", ligand="oleate")
    corr = hmqc.correlation(dot, recoupling_ms=rec.recoupling_ms or 3.0)
    cd = [
        catalog_site(rec.indirect_nucleus, "4", "surface", weight=corr.surface),
        catalog_site("113Cd", "3a", "core", observe=rec.indirect_nucleus, weight=corr.core),
    ]
    carboxylate = [Site("13C", iso_ppm=184.0, aniso_ppm=-80.0, eta=0.6, fwhm_hz=600.0)]
    exp = Experiment(
        "fig4_cdse_dhmqc_2d",
        1,
        "4",
        "13C-111Cd D-HMQC of 13C-1-oleate on ZB-CdSe (R3, 3 ms)",
        f2,
        powder(carboxylate),
        snr=25.0,
        series={"surface_to_core_model": round(min(corr.surface_to_core, 1e6), 3)},
        microwave=True,
        lb_hz=50.0,
        phase_deg=58.0,
        catalog_id="4",
        sample=sample_text("4"),
    )
    return exp, f1, cd


def write_dhmqc(root: Path) -> dict[str, Any]:
    """Write the 2D as a ser file: for each t1 increment a cos- and a sin-modulated FID."""
    exp, f1, cd = dhmqc_experiment()
    h = clean_fid(exp)
    n1 = f1.td // 2
    hz, ppm = frequency_grid(f1, 2 * n1)
    spec1 = powder(cd)(f1, ppm)
    g1 = np.fft.ifft(np.fft.ifftshift(spec1))[:n1] * 2.0
    g1[0] *= 0.5
    rows = np.empty((f1.td, h.size), dtype=complex)
    rows[0::2] = np.outer(g1.real, h)
    rows[1::2] = np.outer(g1.imag, h)
    sigma1 = noise_per_scan(np.outer(g1, h).ravel(), exp.snr, exp.acq.ns)
    data = np.stack([finish(dataclasses.replace(exp, expno=1000 + i), row, sigma1) for i, row in enumerate(rows)])
    scale = FULL_SCALE / float(np.max(np.abs(data)))
    acqu2 = {
        "BF1": base_frequency_mhz(f1.nucleus, f1.field_T),
        "FnMODE": 4,
        "NUC1": f1.nucleus,
        "O1": round(f1.center_ppm * base_frequency_mhz(f1.nucleus, f1.field_T), 3),
        "SFO1": round(base_frequency_mhz(f1.nucleus, f1.field_T) * (1 + f1.center_ppm * 1e-6), 9),
        "SW": round(f1.sw_hz / base_frequency_mhz(f1.nucleus, f1.field_T), 6),
        "SW_h": float(f1.sw_hz),
        "TD": f1.td,
        "IN": [1.0 / f1.sw_hz] + [0.0] * 63,
    }
    extra = {"acqu2s": _jcamp(acqu2, "Parameter file, TOPSPIN  Version 3.2")}
    write_expno(root / exp.folder / str(exp.expno), exp, to_int32(data, scale), extra=extra)
    rec = index_record(exp)
    rec.update(
        {"indirect_nucleus": f1.nucleus, "td_indirect": f1.td, "fnmode": "States", "t1_increment_us": 1e6 / f1.sw_hz}
    )
    return rec


def generate(out: Path) -> list[dict[str, Any]]:
    """Write every reference dataset under ``out`` and its ``index.json``; return the index."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("fig*"):  # every dataset folder is rewritten; stale names go
        if old.is_dir():
            shutil.rmtree(old)
    index: list[dict[str, Any]] = []
    for series in experiments():
        index += write_series(out, series)
    index.append(write_dhmqc(out))
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
