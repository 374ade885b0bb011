"""JCAMP-DX NMR files (FIDs and spectra), decoded by ``nmrglue.jcampdx``.

Files exported by TopSpin carry every acqus/procs parameter as ``##$NAME=`` records; those
go through the same metadata code as a Bruker folder. Other files give what the core
JCAMP-DX labels state (.OBSERVE FREQUENCY, .OBSERVE NUCLEUS, the x axis).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from qdkit.dataset import Dataset, Meta, Spectrum
from qdkit.errors import MetadataError, ReadError
from qdkit.io._lazy import nmrglue as ng
from qdkit.io.bruker import bruker_meta
from qdkit.io.metadata import identify_nucleus
from qdkit.io.params import num, num_value, required_num

__all__ = [
    "SUFFIXES",
    "is_jcamp",
    "read_jcamp",
    "read_jcamp_spectrum",
]


SUFFIXES = (".dx", ".jdx", ".jcamp", ".jcm")

# nmrglue upper-cases labels and drops '_'; these are the TopSpin spellings qdkit uses.
_TOPSPIN_NAMES = {
    "SWH": "SW_h",
    "NCPROC": "NC_proc",
    "SWP": "SW_p",
    "FTMOD": "FT_mod",
    "TDEFF": "TDeff",
    "AQMOD": "AQ_mod",
    "FNMODE": "FnMODE",
    "PHC0": "PHC0",
    "PHC1": "PHC1",
}


def is_jcamp(path: Path) -> bool:
    """True for a file whose name ends like a JCAMP-DX file.

    Parameters
    ----------
    path : Path
        Any path.

    Returns
    -------
    bool
    """
    return path.is_file() and path.suffix.lower() in SUFFIXES


def _bruker_value(raw: str) -> Any:
    text = raw.strip()
    m = re.match(r"\(\s*\d+\s*\.\.\s*\d+\s*\)\s*(.*)", text, re.DOTALL)
    if m:
        return [ng.bruker.parse_jcamp_value(v) for v in m.group(1).split()]
    return ng.bruker.parse_jcamp_value(text)


def _topspin_parameters(dic: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, values in dic.items():
        if not key.startswith("$") or not values:
            continue
        name = key[1:]
        try:
            out[_TOPSPIN_NAMES.get(name, name)] = _bruker_value(str(values[0]))
        except (ValueError, IndexError):
            continue
    return out


def _decode(path: Path) -> tuple[dict[str, Any], np.ndarray, str]:
    if path.stat().st_size == 0:
        raise ReadError(f"{path} is empty (0 bytes); expected a JCAMP-DX file. Copy it again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dic, data = ng.jcampdx.read(str(path))
    except Exception as exc:
        raise ReadError(
            f"{path} could not be decoded as JCAMP-DX ({exc}). Expected '##LABEL=' records and an "
            "XYDATA or NTUPLES block; the file is damaged or in another format."
        ) from None
    kind = " ".join(dic.get("DATATYPE", dic.get("DATA TYPE", [""]))).upper()
    try:
        arr = np.asarray(data, dtype=float)
    except (ValueError, TypeError):  # ragged or non-numeric columns
        raise ReadError(
            f"{path}: the JCAMP-DX data columns have different lengths or hold non-numbers; "
            "the file is damaged. Export it again from the spectrometer software."
        ) from None
    if arr.size == 0:
        raise ReadError(f"{path} holds no data points; the JCAMP-DX data block is missing or empty.")
    values = arr[0] + 1j * arr[1] if arr.ndim == 2 and arr.shape[0] == 2 else arr.astype(complex)
    if not np.all(np.isfinite(values)):
        raise ReadError(f"{path} contains NaN or infinite values; the file is damaged.")
    return dic, values, kind


def _first(dic: dict, key: str, default: str = "") -> str:
    return str(dic.get(key, [default])[0]).strip()


def _meta(path: Path, dic: dict[str, Any], n_points: int, is_fid: bool) -> tuple[Meta, dict[str, Any]]:
    params = _topspin_parameters(dic)
    title = _first(dic, "TITLE")
    if "BF1" in params and "SW_h" in params and "TD" in params:
        procs = {
            k: params[k]
            for k in (
                "SF",
                "SI",
                "NC_proc",
                "OFFSET",
                "SW_p",
                "PHC0",
                "PHC1",
                "LB",
                "GB",
                "WDW",
                "FT_mod",
                "SR",
                "SSB",
                "BC_mod",
                "TDeff",
                "MC2",
            )
            if k in params
        }
        td = required_num(params, "TD", path, int) // 2 if not is_fid else n_points
        meta = bruker_meta({"acqus": params, "procs": procs}, path, None, (td,), td, title=title, source=path)
        return meta.replace(vendor="jcamp-dx (TopSpin)"), procs
    freq = num_value(_first(dic, ".OBSERVEFREQUENCY", "0"), 0.0)
    label = _first(dic, ".OBSERVENUCLEUS").lstrip("^") or None
    if freq <= 0:
        raise MetadataError(
            f"{path} states no .OBSERVE FREQUENCY; qdkit needs it for the ppm axis. Export the "
            "file again with its acquisition parameters."
        )
    # a $BF1 (as qdkit's own export writes) names the nucleus more surely than the observe
    # frequency, which may carry the referencing offset (SR)
    bf1 = num(params, "BF1")
    nucleus, field_T, notes = identify_nucleus(label, bf1 if bf1 and bf1 > 0 else freq, None, str(path))
    meta = Meta(
        nucleus=nucleus,
        field_T=field_T,
        larmor_mhz=num(params, "SFO1", freq),
        reference_mhz=freq,
        td=n_points,
        mas_hz=num(params, "MASR"),
        title=title or None,
        vendor="jcamp-dx",
        source=str(path),
        warnings=tuple(notes),
    )
    return meta, {}


def read_jcamp(path: Path) -> Dataset:
    """Read a JCAMP-DX NMR file into a :class:`Dataset`.

    An FID file gives the complex time data. A spectrum file gives an empty time axis and
    the spectrum as ``vendor_spectrum`` (``meta.extra["content"] == "spectrum"``); use
    :func:`read_jcamp_spectrum` to get it as a :class:`Spectrum` with its axis.

    Parameters
    ----------
    path : Path
        A ``.dx`` or ``.jdx`` file.

    Returns
    -------
    Dataset

    Raises
    ------
    ReadError, MetadataError, UnknownNucleusError
        For a damaged file or one without the frequency and spectral width.
    """
    path = Path(path)
    dic, values, kind = _decode(path)
    is_fid = "FID" in kind
    if is_fid:
        meta, procs = _meta(path, dic, values.size, True)
        if meta.sw_hz is None:
            meta = meta.replace(sw_hz=_x_step_inverse(dic, values.size))
        return Dataset(data=values, meta=meta, procs=procs, raw={"jcamp": dic})
    meta, procs = _meta(path, dic, values.size, False)
    meta = meta.replace(extra={**meta.extra, "content": "spectrum"})
    nc_proc = num(procs, "NC_proc", 0.0)
    if abs(nc_proc) <= 64:  # TopSpin exports the stored integers; scale like 1r (x 2**NC_proc)
        values = values * 2.0**nc_proc
    return Dataset(data=np.zeros(0, complex), meta=meta, procs=procs, vendor_spectrum=values, raw={"jcamp": dic})


def _x_step_inverse(dic: dict[str, Any], n: int) -> float | None:
    try:
        first = float(_first(dic, "FIRST").split(",")[0])
        last = float(_first(dic, "LAST").split(",")[0])
    except ValueError:
        return None
    return (n - 1) / abs(last - first) if last != first else None


def read_jcamp_spectrum(path: Path) -> Spectrum:
    """Read a JCAMP-DX spectrum file as a :class:`Spectrum` (high ppm first).

    TopSpin exports: axis from OFFSET (ppm of the first point), SW_p and SF, as TopSpin
    draws it. Other files: the x axis in Hz (``FIRST``/``LAST``) relative to the observe
    frequency.

    Parameters
    ----------
    path : Path
        A JCAMP-DX file holding a spectrum (not an FID).

    Returns
    -------
    Spectrum

    Raises
    ------
    ReadError
        When the file holds an FID or no spectrum.
    MetadataError
        When the axis cannot be drawn (no OFFSET/SW_p/SF and no FIRST/LAST).
    """
    ds = read_jcamp(path)
    if ds.vendor_spectrum is None:
        raise ReadError(f"{path} is an FID, not a spectrum; read it with qdkit.read and process it.")
    y = ds.vendor_spectrum
    n = y.size
    p = ds.procs
    offset, sw_p, sf = num(p, "OFFSET"), num(p, "SW_p"), num(p, "SF")
    if offset is not None and sw_p and sf and sf > 0:
        ppm = offset - np.arange(n) * sw_p / n / sf
        hz = ppm * sf
        meta = ds.meta.replace(reference_mhz=sf)
    else:
        dic = ds.raw["jcamp"]
        first = num_value(_first(dic, "FIRST").split(",")[0])
        last = num_value(_first(dic, "LAST").split(",")[0])
        if first is None or last is None or first == last:
            raise MetadataError(f"{path} gives no usable x axis (FIRST/LAST); cannot place the spectrum in Hz.")
        hz = np.linspace(first, last, n)
        meta = ds.meta
    if hz[0] < hz[-1]:
        hz, y = hz[::-1], y[::-1]
    return Spectrum(data=y, hz=hz, meta=meta)
