"""Giving processed spectra back to the spectrometer world: a new TopSpin procno, a JCAMP-DX file.

:func:`write_topspin_procno` adds ``pdata/N`` to a Bruker experiment (nothing else is touched);
:func:`write_jcamp` writes one JCAMP-DX 5.01 NMR spectrum. Both write atomically.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import warnings
from datetime import UTC, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from qdkit.app import output
from qdkit.dataset import Spectrum
from qdkit.errors import OutputError, QdkitError
from qdkit.io._lazy import nmrglue as ng
from qdkit.io.bruker import is_expno, is_procno
from qdkit.io.params import read_parameter_file
from qdkit.processing import recipe as recipes
from qdkit.processing.fid import TOPSPIN_WINDOWS
from qdkit.processing.referencing import basic_frequency_mhz

__all__ = [
    "write_topspin_procno",
    "write_jcamp",
    "jcamp_text",
    "topspin_scaling",
    "experiment_folder",
    "next_free_procno",
]

#: Processed data are stored as int32 scaled so that the largest value lies in
#: (2**28, 2**29], as TopSpin itself does: a 2- to 4-fold headroom for later
#: additions, and 28-29 significant bits (relative rounding below 4e-9 of the tallest point).
_TOPSPIN_BITS = 29
#: JCAMP-DX ordinates are written as integers up to 2**30 times a power-of-two FACTOR.
_JCAMP_BITS = 30
_MAX_PROCNO = 99999
_AXIS_TOLERANCE = 1e-3  # largest deviation of one axis step from the mean step, in steps
_VALUES_PER_LINE = 5  # keeps every data line below JCAMP-DX's 80 characters


# --- checks shared by both writers ------------------------------------------------------


def _checked_axis(spectrum: Spectrum) -> tuple[np.ndarray, float, float]:
    """The complex data, the (uniform, descending) point spacing in Hz and SF in MHz."""
    if not isinstance(spectrum, Spectrum):
        raise OutputError(
            f"Export takes a processed qdkit Spectrum, got {type(spectrum).__name__}; "
            "process the dataset first (qdkit.process(qdkit.read(path)))."
        )
    data = np.asarray(spectrum.data)
    if data.ndim != 1 or data.size < 2:
        raise OutputError(f"Export takes a 1D spectrum of at least 2 points; this one has shape {data.shape}.")
    if not np.all(np.isfinite(data)):
        raise OutputError("The spectrum contains NaN or infinite values; check the processing recipe before exporting.")
    ref = spectrum.meta.reference_mhz
    if ref is None or not float(ref) > 0:
        raise OutputError(
            "The spectrum has no reference frequency (meta.reference_mhz, the frequency of 0 ppm); "
            "a ppm axis cannot be written without it."
        )
    hz = np.asarray(spectrum.hz, dtype=float)
    steps = np.diff(hz)
    step = (hz[-1] - hz[0]) / (hz.size - 1)
    # 0.1 % of a step allows the rounding of text exports (ppm to 6 decimals); the file gets
    # the uniform axis through the first and last point
    if not step < 0 or np.max(np.abs(steps - step)) > _AXIS_TOLERANCE * abs(step):
        raise OutputError(
            "The spectrum's axis is not evenly spaced from high to low frequency, which TopSpin and "
            "JCAMP-DX require; export the spectrum as qdkit.process returns it (not a cut or resampled copy)."
        )
    return data.astype(complex), float(-step), float(ref)


def _power_of_two_scale(largest: float, bits: int) -> int:
    """Exponent e such that largest / 2**e lies in (2**(bits-1), 2**bits] (0 for an all-zero spectrum)."""
    if largest <= 0:
        return 0
    return math.ceil(math.log2(largest)) - bits


def topspin_scaling(data) -> tuple[int, np.ndarray, np.ndarray]:
    """NC_proc and the int32 words of 1r and 1i for a complex spectrum.

    TopSpin stores ``value = word · 2**NC_proc`` (Bruker, *TopSpin Processing Parameters*:
    NC_proc, DTYPP = 0). NC_proc is chosen so the largest |word| lies in (2**28, 2**29].

    Parameters
    ----------
    data : array_like
        The complex (or real) spectrum, any intensity units.

    Returns
    -------
    nc_proc : int
        The power-of-two exponent (0 for an all-zero spectrum).
    real_words, imag_words : numpy.ndarray of int32
        Little-endian words of the real and imaginary parts.

    Examples
    --------
    >>> from qdkit.io.export import topspin_scaling
    >>> nc_proc, real_words, imag_words = topspin_scaling([1.0, -0.5 + 0.25j])
    >>> nc_proc, real_words.tolist(), imag_words.tolist()
    (-29, [536870912, -268435456], [0, 134217728])
    """
    data = np.asarray(data, dtype=complex)
    largest = float(max(np.max(np.abs(data.real)), np.max(np.abs(data.imag))))
    nc_proc = _power_of_two_scale(largest, _TOPSPIN_BITS)
    scale = 2.0**-nc_proc
    return nc_proc, np.rint(data.real * scale).astype("<i4"), np.rint(data.imag * scale).astype("<i4")


# --- TopSpin procno --------------------------------------------------------------------


def _template_procs(expno: Path, spectrum: Spectrum) -> dict[str, Any]:
    """TopSpin parameters to start from: those of the procno the spectrum came from, else the
    lowest procno of the experiment, else a minimal set. Only the processing history they carry
    (window, phase) is kept; every key that describes the stored data is rewritten."""
    source = Path(spectrum.meta.source) if spectrum.meta.source else None
    candidates = []
    if source is not None and is_procno(source) and source.parent.parent.resolve() == expno.resolve():
        candidates.append(source / "procs")
    pdata = expno / "pdata"
    if pdata.is_dir():
        numbered = sorted((p for p in pdata.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
        candidates += [p / "procs" for p in numbered]
    for procs in candidates:
        if procs.is_file():
            try:
                return read_parameter_file(procs)
            except QdkitError:  # a damaged template is no reason to refuse the export
                continue
    return {
        "_coreheader": [
            "##TITLE= Parameter file, written by qdkit",
            "##JCAMPDX= 5.0",
            "##DATATYPE= Parameter Values",
            "##ORIGIN= qdkit",
            "##OWNER= qdkit",
        ],
        "_comments": [],
    }


#: Recipe steps that only move the ppm axis; TopSpin keeps that in SF/SR, written anyway.
_AXIS_STEPS = {"reference_sr", "reference_unified", "reference_to_standard", "change_reference_compound"}
_WINDOW_CODES = {name: code for code, name in TOPSPIN_WINDOWS.items()}


def _topspin_processing(spectrum: Spectrum, step_hz: float) -> tuple[dict[str, Any] | None, str]:
    """TopSpin processing parameters (TDeff, FCOR, BC_mod, WDW, LB, GB, SSB, PH_mod, PHC0,
    PHC1) equivalent to the spectrum's recipe, the inverse of
    :func:`qdkit.processing.defaults.topspin_recipe`; ``(None, reason)`` when a step has no
    TopSpin equivalent."""
    out: dict[str, Any] = {"TDeff": 0, "FCOR": 1.0, "BC_mod": 0, "WDW": 0, "LB": 0.0, "GB": 0.0, "SSB": 0.0}
    group_delay = p0_first = p1 = 0.0
    magnitude = False
    width = step_hz * np.size(spectrum.data)
    first_hz = float(spectrum.hz[0])
    for entry in spectrum.recipe:
        name = entry.get("step")
        if name == "truncate":
            out["TDeff"] = 2 * int(entry["points"])
        elif name == "scale_first_point":
            out["FCOR"] = float(entry["factor"])
        elif name == "dc_offset":
            out["BC_mod"] = 2
        elif name == "apodize" and entry.get("window", "em") in _WINDOW_CODES:
            out.update(
                WDW=_WINDOW_CODES[entry.get("window", "em")],
                LB=float(entry.get("lb_hz", 0.0)),
                GB=float(entry.get("gb", 0.0)),
                SSB=float(entry.get("ssb", 0.0)),
            )
        elif name == "remove_group_delay":
            group_delay = float(entry["points"])
        elif name in ("phase", "autophase"):
            pivot = entry.get("pivot_ppm")
            pivot_hz = first_hz if pivot is None else float(pivot) * float(spectrum.meta.reference_mhz)
            p0_first += float(entry["p0_deg"]) + float(entry.get("p1_deg", 0.0)) * (pivot_hz - first_hz) / width
            p1 += float(entry.get("p1_deg", 0.0))
        elif name == "magnitude":
            magnitude = True
        elif name not in ("zero_fill", "ft") and name not in _AXIS_STEPS:
            return None, f"the step {name!r} has no TopSpin processing parameter"
    if magnitude:
        out.update(PH_mod=2, PHC0=0.0, PHC1=0.0)
    else:  # TopSpin adds 180°·GRPDLY itself when it removes the digital filter
        out.update(PH_mod=1, PHC0=(p0_first - 180.0 * group_delay + 180.0) % 360.0 - 180.0, PHC1=p1)
    return out, ""


def _replays(spectrum: Spectrum, expno: Path, procs: dict[str, Any]) -> bool:
    """True when TopSpin's parameters ``procs``, applied to the experiment's own FID by
    qdkit's TopSpin-equivalent processing, give ``spectrum`` back (same axis, correlation
    ≥ 1 − 1e-9 of real and imaginary parts)."""
    from qdkit.io.bruker import read_bruker
    from qdkit.processing.pipeline import process

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = read_bruker(expno)
            again = process(ds.replace(procs=procs, meta=ds.meta.replace(reference_mhz=float(procs["SF"]))))
    except QdkitError:
        return False
    a, b = np.asarray(again.data), np.asarray(spectrum.data)
    if a.shape != b.shape or np.max(np.abs(again.hz - spectrum.hz)) > 1e-6 * abs(spectrum.hz[0] - spectrum.hz[1]):
        return False
    return all(
        np.std(x) == 0 == np.std(y) or 1 - np.corrcoef(x, y)[0, 1] <= 1e-9
        for x, y in ((a.real, b.real), (a.imag, b.imag))
    )


def _procs_for(
    spectrum: Spectrum, expno: Path, data: np.ndarray, step_hz: float, sf_mhz: float, nc_proc: int, words: np.ndarray
) -> tuple[dict[str, Any], str]:
    """The procs to write and a note for the title when they cannot reproduce the spectrum."""
    dic = _template_procs(expno, spectrum)
    n = data.size
    offset_ppm = float(spectrum.hz[0]) / sf_mhz
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    dic["_comments"] = [f"$$ {stamp} qdkit export (qdkit.io.export.write_topspin_procno)"]
    dic.update(
        {
            "SI": n,
            "XDIM": n,
            "FTSIZE": n,
            "STSI": n,
            "STSR": 0,
            "PPARMOD": 0,
            "SF": sf_mhz,
            "OFFSET": offset_ppm,
            "SW_p": step_hz * n,
            "NC_proc": nc_proc,
            "BYTORDP": 0,
            "DTYPP": 0,
            "YMAX_p": int(words.max()),
            "YMIN_p": int(words.min()),
        }
    )
    try:
        acqus = read_parameter_file(expno / "acqus")
        dic["SR"] = (sf_mhz - float(acqus["BF1"])) * 1e6
    except (QdkitError, KeyError, TypeError, ValueError):  # no readable BF1: keep the template's SR
        pass
    if spectrum.meta.nucleus:
        dic["AXNUC"] = spectrum.meta.nucleus
    dic = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in dic.items()}
    processing, why = _topspin_processing(spectrum, step_hz)
    if processing is not None:
        trial = {**dic, **processing}
        if _replays(spectrum, expno, trial):
            return trial, ""
        why = "TopSpin's processing of this experiment's FID with them does not give this spectrum back"
    return dic, (
        f"The processing parameters (WDW, LB, PHC0 ...) are those of the procno copied, not "
        f"this spectrum's: {why}. Reprocessing in TopSpin would replace it; the qdkit "
        "recipe is in qdkit.recipe.json."
    )


def _title_text(spectrum: Spectrum, title: str | None, note: str) -> str:
    lines = [title or spectrum.meta.title or "qdkit export"]
    lines.append(f"processed with qdkit from {spectrum.meta.source or 'memory'}; recipe in qdkit.recipe.json")
    if note:
        lines.append(note)
    return "\n".join(lines) + "\n"


def _fill_procno(folder: Path, spectrum: Spectrum, expno: Path, title: str | None) -> None:
    data, step_hz, sf_mhz = _checked_axis(spectrum)
    nc_proc, real_words, imag_words = topspin_scaling(data)
    procs, note = _procs_for(spectrum, expno, data, step_hz, sf_mhz, nc_proc, real_words)
    files: dict[str, bytes] = {"1r": real_words.tobytes()}
    if np.any(imag_words != 0):
        files["1i"] = imag_words.tobytes()
    files["title"] = _title_text(spectrum, title, note).encode("utf-8")
    files["qdkit.recipe.json"] = (recipes.to_json(list(spectrum.recipe)) + "\n").encode("utf-8")
    for name, content in files.items():
        with open(folder / name, "xb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
    for name in ("procs", "proc"):  # TopSpin keeps the status (procs) and current (proc) sets
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ng.bruker.write_jcamp(procs, str(folder / name), overwrite=False)


def _expno_folder(expno_dir) -> Path:
    expno = Path(expno_dir).expanduser()
    if is_procno(expno):
        raise OutputError(
            f"{expno} is a processing folder (pdata/{expno.name}); give its experiment folder "
            f"{expno.parent.parent} and the new procno."
        )
    if not expno.is_dir() or not is_expno(expno):
        raise OutputError(
            f"{expno} is not a Bruker experiment folder (acqus with fid or ser); a TopSpin procno "
            "can only be added to one."
        )
    return expno


def experiment_folder(path) -> Path:
    """The Bruker experiment folder of ``path`` (itself, or the expno of a ``pdata/N`` folder).

    Parameters
    ----------
    path : str or Path
        A Bruker experiment folder or one of its ``pdata/N`` processing folders.

    Returns
    -------
    Path
        The experiment folder (holding ``acqus`` and ``fid``/``ser``).

    Raises
    ------
    OutputError
        When ``path`` is neither (a Varian folder, a JCAMP-DX or text file ...).
    """
    p = Path(path).expanduser()
    return _expno_folder(p.parent.parent if is_procno(p) else p)


def next_free_procno(expno_dir, *, start: int = 101) -> int:
    """The lowest procno from ``start`` that ``<expno_dir>/pdata`` does not use yet.

    Parameters
    ----------
    expno_dir : str or Path
        The Bruker experiment folder.
    start : int
        First procno to consider.

    Returns
    -------
    int
        A procno without a ``pdata`` folder of that number.

    Raises
    ------
    OutputError
        If ``expno_dir`` is not an experiment folder, or every procno from ``start`` to
        99999 is taken.
    """
    pdata = _expno_folder(expno_dir) / "pdata"
    used = {int(q.name) for q in pdata.iterdir() if q.name.isdigit()} if pdata.is_dir() else set()
    procno = start
    while procno in used:
        procno += 1
    if procno > _MAX_PROCNO:
        raise OutputError(f"{pdata} has no free procno from {start} to {_MAX_PROCNO}.")
    return procno


def write_topspin_procno(
    spectrum: Spectrum, expno_dir, procno: int, *, overwrite: bool = False, title: str | None = None
) -> Path:
    """Write ``spectrum`` as a new TopSpin processing ``<expno_dir>/pdata/<procno>``.

    The folder gets ``1r`` (and ``1i`` when the spectrum has an imaginary part) as int32
    words scaled by 2**NC_proc, ``procs`` and ``proc`` (the parameters of an existing procno
    of the experiment with SI, SF, OFFSET, SW_p, NC_proc, BYTORDP, DTYPP, SR, YMAX_p/YMIN_p
    rewritten for this spectrum), ``title`` and ``qdkit.recipe.json`` (the recipe that made it).
    TopSpin's axis convention: point i lies at OFFSET − i·SW_p/(SI·SF) ppm.

    Where the recipe has TopSpin equivalents (TDeff, FCOR, BC_mod, WDW/LB/GB/SSB, PH_mod,
    PHC0/PHC1) they are written too, but only after checking that they reproduce the
    spectrum from the experiment's FID (qdkit's TopSpin-equivalent processing, correlation
    ≥ 1 − 1e-9); otherwise the copied procno's values stay and ``title`` says so.

    Parameters
    ----------
    spectrum : Spectrum
        A processed 1D spectrum on an evenly spaced axis (as :func:`qdkit.process` returns).
    expno_dir : path
        The Bruker experiment folder (holding ``acqus`` and ``fid``/``ser``).
    procno : int
        The processing number to create, 1 … 99999.
    overwrite : bool
        Replace an existing ``pdata/<procno>`` (its old content is removed). Without it an
        existing procno is refused and nothing is written.
    title : str, optional
        First line of the procno's ``title`` (default: the dataset's title).

    Returns
    -------
    Path
        The written ``pdata/<procno>`` folder.

    Raises
    ------
    OutputError
        Not an experiment folder, a bad procno, an existing procno without ``overwrite``,
        a spectrum that cannot be stored, or a folder that cannot be written.

    Notes
    -----
    The files are first written into a hidden temporary folder beside the target inside
    ``pdata`` and appear under ``pdata/<procno>`` by one rename, so TopSpin or a reader
    never sees a half-written procno. Nothing outside ``pdata/<procno>`` is changed (the
    ``pdata`` folder itself is created when the experiment has none).
    """
    expno = _expno_folder(expno_dir)
    if isinstance(procno, bool) or not isinstance(procno, (int, np.integer)) or not 1 <= int(procno) <= _MAX_PROCNO:
        raise OutputError(f"procno must be a whole number from 1 to {_MAX_PROCNO}, got {procno!r}.")
    _checked_axis(spectrum)
    pdata = expno / "pdata"
    target = pdata / str(int(procno))
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise OutputError(
            f"{target} exists already (TopSpin procno {int(procno)} of this experiment); choose "
            "another procno, or pass --overwrite (overwrite=True) to replace it."
        )
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError(
            f"{target} is not a plain folder; qdkit will not replace it. Remove it or choose another procno."
        )
    token = secrets.token_hex(4)
    tmp = pdata / f".qdkit-{int(procno)}-{token}.part"
    try:
        pdata.mkdir(exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"Cannot write into {pdata}: {exc.strerror or exc}. Check the folder's permissions.") from exc
    old = None
    try:
        _fill_procno(tmp, spectrum, expno, title)
        if target.exists():
            old = pdata / f".qdkit-{int(procno)}-{token}.old"
            os.rename(target, old)
        try:
            os.rename(tmp, target)
        except OSError:
            if old is not None:
                os.rename(old, target)
                old = None
            raise
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"Could not write {target}: {exc.strerror or exc}.") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


# --- JCAMP-DX ---------------------------------------------------------------------------


def _jcamp_number(value: float) -> str:
    return repr(float(value))


def _data_table(x_hz: np.ndarray, words: np.ndarray, symbol: str) -> list[str]:
    lines = [f"##DATA TABLE= (X++({symbol}..{symbol})), XYDATA"]
    for start in range(0, words.size, _VALUES_PER_LINE):
        chunk = words[start : start + _VALUES_PER_LINE]
        lines.append(f"{x_hz[start]:.6f} " + " ".join(str(int(w)) for w in chunk))
    return lines


def jcamp_text(spectrum: Spectrum) -> str:
    """The spectrum as JCAMP-DX 5.01 text (NMR SPECTRUM, NTUPLES with real and imaginary pages).

    Follows Davies & Lampen, "JCAMP-DX for NMR", Appl. Spectrosc. 47, 1093 (1993): the x
    axis in Hz from the 0-ppm frequency, ``.OBSERVE FREQUENCY`` = that frequency (TopSpin's
    SF), so ppm = Hz / .OBSERVE FREQUENCY; ordinates as integers (AFFN) times a power-of-two
    FACTOR (relative rounding below 1e-9 of the tallest point). TopSpin's ``$SF``, ``$SFO1``,
    ``$BF1``, ``$OFFSET``, ``$SW_p`` and ``$SI`` are added for programs that look for them.

    Parameters
    ----------
    spectrum : Spectrum
        A processed 1D spectrum on an evenly spaced axis with ``meta.reference_mhz``.

    Returns
    -------
    str
        The file's text, one ``##`` record per line, ending with ``##END=``.

    Raises
    ------
    OutputError
        If the spectrum is not 1D, holds NaN/inf, has no reference frequency or an uneven
        axis (raised by the shared axis check).
    """
    data, step_hz, sf_mhz = _checked_axis(spectrum)
    meta = spectrum.meta
    n = data.size
    hz = float(spectrum.hz[0]) - np.arange(n) * step_hz
    largest = float(max(np.max(np.abs(data.real)), np.max(np.abs(data.imag))))
    exponent = _power_of_two_scale(largest, _JCAMP_BITS)
    factor = 2.0**exponent
    real_words = np.rint(data.real / factor).astype(np.int64)
    imag_words = np.rint(data.imag / factor).astype(np.int64)
    title = " ".join((meta.title or "qdkit spectrum").split())[:70]
    nucleus = f"^{meta.nucleus}" if meta.nucleus else "^UNKNOWN"
    offset_ppm = hz[0] / sf_mhz
    stamp = datetime.now(UTC).strftime("%Y/%m/%d %H:%M:%S+0000")
    r_first, r_last = data.real[0], data.real[-1]
    i_first, i_last = data.imag[0], data.imag[-1]
    head = [
        f"##TITLE= {title}",
        "##JCAMP-DX= 5.01 $$ qdkit export",
        "##DATA TYPE= NMR SPECTRUM",
        "##DATA CLASS= NTUPLES",
        "##ORIGIN= qdkit",
        "##OWNER= qdkit user",
        f"##LONG DATE= {stamp}",
        f"##.OBSERVE FREQUENCY= {_jcamp_number(sf_mhz)}",
        f"##.OBSERVE NUCLEUS= {nucleus}",
        f"##.SHIFT REFERENCE= (INTERNAL, UNKNOWN, 1, {_jcamp_number(offset_ppm)})",
        f"##$SF= {_jcamp_number(sf_mhz)}",
    ]
    if meta.larmor_mhz is not None:
        # BF1 (= SFO1 − O1) names the nucleus unambiguously: TopSpin derives it from the 1H
        # base frequency times the nucleus' Ξ, which SF (shifted by SR) does not keep
        head.append(f"##$SFO1= {_jcamp_number(meta.larmor_mhz)}")
        head.append(f"##$BF1= {_jcamp_number(basic_frequency_mhz(meta))}")
    if meta.mas_hz is not None:
        head.append(f"##$MASR= {_jcamp_number(meta.mas_hz)}")
    head += [
        f"##$OFFSET= {_jcamp_number(offset_ppm)}",
        f"##$SW_p= {_jcamp_number(step_hz * n)}",
        f"##$SI= {n}",
        f"##$QDKIT_RECIPE= {recipes.to_json(list(spectrum.recipe)).replace(chr(10), ' ')}",
        "##NTUPLES= NMR SPECTRUM",
        "##VAR_NAME= FREQUENCY, SPECTRUM/REAL, SPECTRUM/IMAG",
        "##SYMBOL= X, R, I",
        "##VAR_TYPE= INDEPENDENT, DEPENDENT, DEPENDENT",
        "##VAR_FORM= AFFN, AFFN, AFFN",
        f"##VAR_DIM= {n}, {n}, {n}",
        "##UNITS= HZ, ARBITRARY UNITS, ARBITRARY UNITS",
        f"##FACTOR= 1, {_jcamp_number(factor)}, {_jcamp_number(factor)}",
        f"##FIRST= {_jcamp_number(hz[0])}, {_jcamp_number(r_first)}, {_jcamp_number(i_first)}",
        f"##LAST= {_jcamp_number(hz[-1])}, {_jcamp_number(r_last)}, {_jcamp_number(i_last)}",
        f"##MIN= {_jcamp_number(hz[-1])}, {_jcamp_number(data.real.min())}, {_jcamp_number(data.imag.min())}",
        f"##MAX= {_jcamp_number(hz[0])}, {_jcamp_number(data.real.max())}, {_jcamp_number(data.imag.max())}",
    ]
    body = [
        "##PAGE= N=1",
        *_data_table(hz, real_words, "R"),
        "##PAGE= N=2",
        *_data_table(hz, imag_words, "I"),
        "##END NTUPLES= NMR SPECTRUM",
        "##END=",
    ]
    return "\n".join(head + body) + "\n"


def write_jcamp(spectrum: Spectrum, path, *, overwrite: bool = False, raw_folders=()) -> Path:
    """Write ``spectrum`` as a JCAMP-DX 5.01 NMR spectrum file (see :func:`jcamp_text`).

    Parameters
    ----------
    spectrum : Spectrum
        A processed 1D spectrum on an evenly spaced axis.
    path : path
        The file to write (``.jdx`` or ``.dx`` recommended).
    overwrite : bool
        Replace an existing file; without it an existing file is refused.
    raw_folders : tuple of paths
        Folders the file must not be written into (the dataset's own raw-data folder).

    Returns
    -------
    Path
        The written file. Written atomically (temporary file, then rename).

    Raises
    ------
    OutputError
        If ``path`` names no file, the spectrum cannot be stored (:func:`jcamp_text`), the
        file exists without ``overwrite``, it lies in a raw-data folder, or the write fails.
    """
    p = Path(path).expanduser()
    if p.name in ("", ".", ".."):
        raise OutputError(f"{path!r} names no file; give a file name such as spectrum.jdx.")
    text = jcamp_text(spectrum)
    return output.write_files(p.parent, {p.name: text}, overwrite=overwrite, raw_folders=tuple(raw_folders))[0]
