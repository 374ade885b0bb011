"""Bruker TopSpin experiment folders: raw data, parameters and TopSpin's own spectrum.

nmrglue decodes the files (JCAMP parameter files, fid/ser, 1r/1i); this module checks them
and turns TopSpin's parameters into qdkit's typed :class:`~qdkit.dataset.Meta`.
"""

from __future__ import annotations

import math
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable

import nmrglue as ng
import numpy as np

from . import nuclei
from .dataset import Dataset, Meta
from .errors import MetadataError, QdkitWarning, ReadError, UnknownNucleusError

#: Bruker's FnMODE codes for the indirect dimensions.
FNMODES = {0: "undefined", 1: "QF", 2: "QSEQ", 3: "TPPI", 4: "States", 5: "States-TPPI", 6: "Echo-Antiecho"}

_BYTES_PER_POINT = {0: 4, 2: 8}  # DTYPA: int32, float64


def warn_notes(notes: list[str]) -> None:
    """Issue each note as a :class:`QdkitWarning` pointing at the caller's own code
    (the first frame outside the qdkit package), not at qdkit internals."""
    package = str(Path(__file__).resolve().parent)
    frame, level = sys._getframe(0), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
        frame, level = frame.f_back, level + 1
    for note in notes:
        warnings.warn(note, QdkitWarning, stacklevel=level)


def is_expno(folder: Path) -> bool:
    """True if ``folder`` looks like a Bruker experiment folder (acqus with fid or ser)."""
    return (folder / "acqus").is_file() or (
        (folder / "fid").is_file() or (folder / "ser").is_file()
    ) and (folder / "acqu").is_file()


def is_procno(folder: Path) -> bool:
    """True if ``folder`` is a ``pdata/N`` folder of a Bruker experiment."""
    return folder.parent.name == "pdata" and (
        (folder / "procs").is_file() or is_expno(folder.parent.parent)
    )


class _EndGuard:
    """A file wrapper for nmrglue's parameter parser, which loops forever when a file ends
    inside an array value (it keeps asking for the rest of the list). After the end of the
    file has been returned a few times, the next request raises; nmrglue then gives up on
    that line and stops at the following end-of-file."""

    _PATIENCE = 8

    def __init__(self, fh):
        self._fh = fh
        self._ends = 0
        self.cut_short = False

    def readline(self) -> str:
        line = self._fh.readline()
        if line:
            return line
        self._ends += 1
        if self._ends == self._PATIENCE:
            self.cut_short = True
            raise EOFError("parameter file ends inside a value list")
        return ""


def read_parameter_file(path: Path) -> dict[str, Any]:
    """Parse one JCAMP-style TopSpin parameter file (acqus, procs ...) with nmrglue.

    Latin-1 decoding never fails, so stray non-UTF-8 bytes (owner names, comments) do not
    stop the read; the numeric parameters are ASCII in every TopSpin version.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise MetadataError(
            f"{path} is missing. A Bruker experiment folder needs its parameter file "
            f"'{path.name}' next to the data; copy the whole experiment folder from the spectrometer."
        ) from None
    if size == 0:
        raise MetadataError(
            f"{path} is empty (0 bytes); it should hold TopSpin's parameters as '##$NAME= value' "
            "lines. Copy the file again from the spectrometer."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open(path, encoding="latin-1") as fh:
                lines = _EndGuard(fh)
                dic = ng.bruker.parse_jcamp_file(lines, {"_coreheader": [], "_comments": []})
    except Exception as exc:  # nmrglue raises bare ValueError/IndexError on garbage
        raise MetadataError(
            f"{path} could not be parsed as a TopSpin parameter file ({exc}). "
            "Expected '##$NAME= value' lines; the file is probably damaged - copy it again."
        ) from None
    if lines.cut_short:
        raise MetadataError(
            f"{path} ends in the middle of a list of values (the file was cut short). "
            "Copy the file again from the spectrometer."
        )
    if not any(k in dic for k in ("TD", "SI", "SW_h", "SF")):
        raise MetadataError(
            f"{path} holds no TopSpin parameters (no TD, SW_h, SI or SF found). "
            "Expected '##$NAME= value' lines; the file is damaged or not a parameter file - "
            "copy it again from the spectrometer."
        )
    return dic


def required_num(dic: dict, key: str, path: Path, cast=float):
    try:
        value = float(dic[key])
        if not math.isfinite(value):
            raise ValueError
        return int(value) if cast is int else cast(value)
    except KeyError:
        raise MetadataError(
            f"{path} has no {key} parameter, which qdkit needs to read the data. "
            "The parameter file is incomplete; copy it again from the spectrometer."
        ) from None
    except (TypeError, ValueError, OverflowError):
        raise MetadataError(
            f"{path}: parameter {key} = {dic[key]!r} is not a number. The file is damaged; "
            "copy it again from the spectrometer."
        ) from None


def num(dic: dict[str, Any], key: str, default=None, cast=float):
    """Optional numeric parameter: ``default`` when absent or not a finite number.

    Only the parameters that fix the data layout are required (see :func:`required_num`);
    a garbled MASR or TE must not stop the data from being read.
    """
    return num_value(dic.get(key), default, cast)


def num_value(value: Any, default=None, cast=float):
    """``cast(value)`` for a finite number (or numeric text), else ``default``."""
    if value is None or isinstance(value, (list, dict, tuple)):
        return default
    try:
        x = float(value)
        if not math.isfinite(x):
            return default
        return int(x) if cast is int else cast(x)
    except (TypeError, ValueError, OverflowError):
        return default


def num_at(values: Any, index: int, default=None):
    """Element ``index`` of an array parameter (P, D, CNST, L) as a float, else ``default``."""
    if not isinstance(values, (list, tuple)) or index >= len(values):
        return default
    return num_value(values[index], default)


def group_delay_points(acqus: dict[str, Any]) -> float | None:
    """Digital-filter group delay in (complex) points.

    GRPDLY where TopSpin wrote it (DSPFVS >= 20); older firmware (DSPFVS 10-13) gives it
    through the DECIM/DSPFVS table (W. M. Westler and F. Abildgaard's table, as shipped
    with nmrglue); analogue filters (DSPFVS < 10) have none.
    """
    grpdly = num(acqus, "GRPDLY", -1.0)
    if grpdly > 0:
        return grpdly
    dspfvs = num(acqus, "DSPFVS", None, int)
    decim = num(acqus, "DECIM", None)
    if dspfvs is None or decim is None:
        return None
    if dspfvs < 10 or decim <= 1:
        return 0.0  # analogue filter, or no decimation: no digital-filter delay
    table = ng.bruker.bruker_dsp_table.get(dspfvs, {})
    decim_key = int(decim) if decim.is_integer() else decim
    if decim_key in table:
        return float(table[decim_key])
    return None


def _title(folder: Path) -> tuple[str, list[str]]:
    """Text of ``folder/title``; non-UTF-8 bytes are read as Windows-1252 with a note."""
    path = folder / "title"
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return "", []
    try:
        return raw.decode("utf-8").strip(), []
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace").strip(), [
            f"{path} is not UTF-8; read it as Windows-1252 (check special characters in the title)."
        ]


def _binary_layout(dic: dict[str, Any], data_file: Path) -> tuple[tuple[int, ...], bool, bool]:
    """Shape (complex points), endianness and float flag of fid/ser, checked against its size."""
    acqus = dic["acqus"]
    acqus_path = data_file.parent / "acqus"
    td = required_num(acqus, "TD", acqus_path, int)
    dtypa = required_num(acqus, "DTYPA", acqus_path, int) if "DTYPA" in acqus else 0
    if dtypa not in _BYTES_PER_POINT:
        raise MetadataError(
            f"{acqus_path}: DTYPA = {dtypa} is not a raw-data type qdkit knows "
            "(0 = 32-bit integer, 2 = 64-bit float)."
        )
    if td < 2:
        raise MetadataError(f"{acqus_path}: TD = {td}; a dataset needs at least one complex point.")
    size = data_file.stat().st_size
    if size == 0:
        raise ReadError(
            f"{data_file} is empty (0 bytes) but acqus says TD = {td}. The acquisition was "
            "probably stopped before the first scan was stored; re-acquire or copy the file again."
        )
    nbytes = _BYTES_PER_POINT[dtypa]
    n_fids = 1
    if data_file.name == "ser":
        for key in ("acqu2s", "acqu3s"):
            if key in dic:
                n_fids *= max(1, required_num(dic[key], "TD", data_file.parent / key, int))
    # every FID of a ser file starts on a 1024-byte boundary (TopSpin's NBL layout)
    block = math.ceil(td * nbytes / 1024) * 1024 if n_fids > 1 else td * nbytes
    need = (n_fids - 1) * block + td * nbytes
    if size < need:
        stored = f" (about {size // block} of {n_fids} FIDs)" if n_fids > 1 else ""
        raise ReadError(
            f"{data_file} is truncated: it holds {size} bytes{stored}, but TD = {td} "
            f"({'x ' + str(n_fids) + ' FIDs, ' if n_fids > 1 else ''}{nbytes}-byte words) needs "
            f"{need} bytes. The acquisition was interrupted or the copy is incomplete; "
            "copy the experiment folder again."
        )
    try:
        shape, cplex = ng.bruker.guess_shape(dict(dic, FILE_SIZE=size))
    except (ValueError, ZeroDivisionError, KeyError) as exc:
        raise MetadataError(
            f"{acqus_path}: the data layout (TD, AQ_mod, acqu2s TD) does not fit {data_file} ({exc})."
        ) from None
    if cplex:
        shape = tuple(shape[:-1]) + (shape[-1] // 2,)
    bytorda = required_num(acqus, "BYTORDA", acqus_path, int) if "BYTORDA" in acqus else 0
    if bytorda not in (0, 1):
        raise MetadataError(f"{acqus_path}: BYTORDA = {bytorda}; expected 0 (little-endian) or 1 (big-endian).")
    return shape, bytorda == 1, dtypa == 2


def _read_vendor_spectrum(pdir: Path, procs: dict[str, Any]) -> np.ndarray | None:
    """TopSpin's processed 1D spectrum 1r (+ 1i) scaled by 2**NC_proc, or None if absent."""
    one_r = pdir / "1r"
    if not one_r.is_file():
        return None
    big = num(procs, "BYTORDP", 0, int) == 1
    isfloat = num(procs, "DTYPP", 0, int) == 2
    si = num(procs, "SI", 0, int)
    if si <= 0:
        raise MetadataError(f"{pdir / 'procs'}: SI = {procs.get('SI')!r} is not a spectrum size.")
    nbytes = 8 if isfloat else 4
    if one_r.stat().st_size < si * nbytes:
        raise ReadError(
            f"{one_r} is truncated: SI = {si} points need {si * nbytes} bytes, the file has "
            f"{one_r.stat().st_size}. Reprocess in TopSpin or read the raw data only."
        )
    nc_proc = num(procs, "NC_proc", 0.0)
    if abs(nc_proc) > 64:
        raise MetadataError(f"{pdir / 'procs'}: NC_proc = {nc_proc:g} is no intensity scaling TopSpin writes.")
    parts = []
    for name in ("1r", "1i"):
        f = pdir / name
        if f.is_file() and f.stat().st_size >= si * nbytes:
            # a 1D processed file is SI plain words: no submatrix layout to undo
            try:
                _, d = ng.bruker.read_pdata_binary(str(f), big=big, isfloat=isfloat)
            except ValueError:  # numpy: the byte count is not a whole number of data words
                raise ReadError(
                    f"{f} has {f.stat().st_size} bytes, not a whole number of {nbytes}-byte "
                    "words; the processed spectrum is damaged. Reprocess it in TopSpin, or "
                    "read the raw data only."
                ) from None
            parts.append(np.asarray(d[:si], dtype=float) * 2.0**nc_proc)
    if len(parts) == 2:
        return parts[0] + 1j * parts[1]
    return parts[0]


def read_bruker(path: Path, procno: int | None = None) -> Dataset:
    """Read a Bruker experiment folder (or one of its ``pdata/N`` folders).

    Parameters
    ----------
    path : Path
        The expno folder (``.../<expno>``) or ``.../<expno>/pdata/<procno>``.
    procno : int, optional
        Which processing (``pdata/<procno>``) supplies ``procs`` and the vendor spectrum.
        Defaults to the one named by ``path``, else 1, else the lowest present.

    Returns
    -------
    Dataset
        Complex time data (digital filter still in; ``meta.group_delay_pts`` says how
        many points it delays the echo), metadata, procs and TopSpin's spectrum.
    """
    path = Path(path)
    if is_procno(path):
        expno = path.parent.parent
        if procno is None:
            try:
                procno = int(path.name)
            except ValueError:
                raise ReadError(f"{path}: a pdata folder name should be a number, e.g. pdata/1.") from None
    else:
        expno = path
    data_file = expno / "fid" if (expno / "fid").is_file() else expno / "ser"
    if not data_file.is_file():
        raise ReadError(
            f"{expno} has neither a 'fid' nor a 'ser' file. A Bruker experiment folder holds "
            "the raw data (fid for 1D, ser for 2D and series) next to acqus; copy the whole folder."
        )
    dic: dict[str, Any] = {"acqus": read_parameter_file(expno / "acqus")}
    for dim in (2, 3):
        f = expno / f"acqu{dim}s"
        if f.is_file() and data_file.name == "ser":
            dic[f"acqu{dim}s"] = read_parameter_file(f)
    shape, big, isfloat = _binary_layout(dic, data_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, data = ng.bruker.read_binary(str(data_file), shape=shape, cplex=True, big=big, isfloat=isfloat)
        except ValueError:  # numpy: the byte count is not a whole number of data words
            raise ReadError(
                f"{data_file} has {data_file.stat().st_size} bytes, which is not a whole number of "
                f"{8 if isfloat else 4}-byte data words (DTYPA in acqus); the file is damaged or "
                "has stray bytes appended. Copy it again from the spectrometer."
            ) from None
    td_complex = required_num(dic["acqus"], "TD", expno / "acqus", int) // 2
    data = np.asarray(data, dtype=complex)[..., :td_complex]
    if not np.all(np.isfinite(data)):
        raise ReadError(
            f"{data_file} contains NaN or infinite values; the file is damaged. Copy it again "
            "from the spectrometer."
        )

    procs: dict[str, Any] = {}
    vendor = None
    pdir = None
    pdata = expno / "pdata"
    if procno is None and pdata.is_dir():
        numbered = sorted(int(p.name) for p in pdata.iterdir() if p.name.isdigit() and (p / "procs").is_file())
        procno = 1 if 1 in numbered else (numbered[0] if numbered else None)
    if procno is not None:
        pdir = pdata / str(procno)
        if not pdir.is_dir():
            present = sorted(int(q.name) for q in pdata.iterdir() if q.name.isdigit()) if pdata.is_dir() else []
            raise ReadError(
                f"{pdir} does not exist; choose a procno that is present under {pdata} "
                f"({', '.join(map(str, present)) or 'none'})."
            )
        if (pdir / "procs").is_file():
            procs = read_parameter_file(pdir / "procs")
            vendor = _read_vendor_spectrum(pdir, procs) if data.ndim == 1 else None
    dic["procs"] = procs
    nonzero = np.flatnonzero(np.any(data.reshape(-1, data.shape[-1]) != 0, axis=0))
    signal_points = int(nonzero[-1]) + 1 if nonzero.size else 0
    meta = bruker_meta(dic, expno, pdir, data.shape, signal_points)
    return Dataset(data=data, meta=meta, procs=procs, vendor_spectrum=vendor, raw=dic)


def _nucleus_label(value: Any) -> str | None:
    text = str(value or "").strip().strip("<>").strip()
    if not text or text.lower() == "off":
        return None
    return text


def identify_nucleus(nuc1: str | None, bf1_mhz: float, proton_mhz: float | None, where: str):
    """Nucleus and field of channel 1, trusting the frequency over the NUC1 label.

    TopSpin derives every base frequency from the spectrometer's 1H base frequency
    (a value given to 0.01 MHz, e.g. 500.13) times the nucleus' Ξ. So the right nucleus is
    the one whose Ξ maps BF1 back onto the 1H base: the 1H channel's BF where one is
    set, otherwise a round 0.01 MHz value.

    Returns
    -------
    (label, field_T, notes) : tuple
        ``notes`` lists contradictions found.
    """
    notes: list[str] = []
    claimed = None
    if nuc1 is not None:
        try:
            claimed = nuclei.get(nuc1)
        except UnknownNucleusError:
            claimed = None
            notes.append(
                f"{where}: NUC1 = {nuc1!r} is not in qdkit's isotope table; "
                f"identified the nucleus from BF1 = {bf1_mhz} MHz."
            )

    def proton_base(nuc):
        return bf1_mhz / (nuc.xi_percent / 100.0)

    def fits(nuc):
        base = proton_base(nuc)
        # TopSpin computes BFn from the 1H base with the IUPAC Ξ: measured residuals are
        # ~1e-6 MHz, so the window is tight enough that chance matches are rare
        if proton_mhz:
            return abs(base - proton_mhz) <= 5e-8 * proton_mhz + 5e-6
        return abs(base - round(base, 2)) <= 5e-8 * base + 5e-6

    if claimed is not None and fits(claimed):
        return claimed.label, nuclei.field_from_reference(claimed, bf1_mhz), notes
    candidates = [n for n in nuclei.NUCLEI.values() if fits(n)]
    if proton_mhz is None and claimed is not None:
        # Without a 1H channel the round-number test is weaker; keep NUC1 unless exactly
        # one tabulated nucleus explains BF1 as a whole 0.01 MHz 1H base frequency.
        if len(candidates) != 1:
            return claimed.label, nuclei.field_from_reference(claimed, bf1_mhz), notes
    if not candidates:
        if claimed is not None:
            notes.append(
                f"{where}: BF1 = {bf1_mhz} MHz does not match NUC1 = {claimed.label} at the field "
                "of the 1H channel; kept NUC1."
            )
            return claimed.label, nuclei.field_from_reference(claimed, bf1_mhz), notes
        raise UnknownNucleusError(
            f"{where}: cannot tell the observed nucleus: NUC1 = {nuc1!r} and no tabulated nucleus "
            f"matches BF1 = {bf1_mhz} MHz. Add the isotope to qdkit.nuclei or fix NUC1 in acqus."
        )
    best = min(candidates, key=lambda n: abs(proton_base(n) - round(proton_base(n), 2)))
    if claimed is not None:
        notes.append(
            f"{where}: NUC1 says {claimed.label} but BF1 = {bf1_mhz} MHz is the {best.label} frequency "
            f"of a {proton_base(best):.2f} MHz (1H) magnet; using {best.label}."
        )
    return best.label, nuclei.field_from_reference(best, bf1_mhz), notes


_MAS_IN_TITLE = re.compile(
    r"(?:\bmas\b|spinning|spin rate|\bnu_?r\b|\bvr\b)\s*[:=@]?\s*(\d+(?:[.,]\d+)?)\s*(khz|hz)\b", re.IGNORECASE
)
_STATIC_IN_TITLE = re.compile(r"\bstatic\b|\bnon[- ]?spinning\b", re.IGNORECASE)
_MW_OFF = re.compile(
    r"\b(?:mw|microwaves?|[µμu]-?waves?|dnp)\s*off\b"
    r"|\bwithout microwaves?\b",
    re.IGNORECASE,
)
_MW_ON = re.compile(
    r"\b(?:mw|microwaves?|[µμu]-?waves?)\s*on\b|\bwith microwaves?\b"
    r"|\b(?:DNP|power|series),?\s+set\s+\d"  # Bridge12 ODNP titles: "DNP, set 20.0" (power setting)
    r"|\bmw[_ ]?\d+\s*dBm\b",
    re.IGNORECASE,
)


def mas_from_title(title: str) -> tuple[float | None, bool]:
    """(MAS rate in Hz stated in the title or None, title says static and never MAS)."""
    m = _MAS_IN_TITLE.search(title)
    if m:
        value = float(m.group(1).replace(",", "."))
        return value * (1e3 if m.group(2).lower() == "khz" else 1.0), False
    # "static" on a line about the reference sample must not win over a MAS experiment
    says_mas = re.search(r"MAS", title) is not None
    return None, bool(_STATIC_IN_TITLE.search(title)) and not says_mas


def says_synthetic(title: str) -> bool:
    """True if the title declares the data simulated (qdkit's reference sets say 'SYNTHETIC')."""
    return re.search(r"\bsynthetic\b|\bsimulated\b", title or "", re.IGNORECASE) is not None


def microwave_from_title(title: str) -> bool | None:
    """Microwave state where the title says it (DNP experiments), else None."""
    if _MW_OFF.search(title):
        return False
    if _MW_ON.search(title):
        return True
    return None


def _is_mas_probe(probhd: str) -> bool:
    return bool(re.search(r"\bMAS|\bCPMAS|\bHX\b|\bHXY\b|\bBL\d|\bDVT\b|\bWVT\b", probhd or "", re.IGNORECASE))


def spinning_rate(
    acqus: dict[str, Any], title: str, where: str, uses_cnst31: Callable[[], bool] = lambda: False
) -> tuple[float | None, list[str]]:
    """MAS rate in Hz from the title, CNST31 and MASR, cross-checked (stale MASR is common).

    Priority: a rate written in the title (the operator's note); then CNST31 where the
    pulse program times itself with it (``d31 = 1s/cnst31``: the sequence was set up for
    that rate, so a different MASR is the stale one); then MASR. A liquid-state probe gives
    None (MASR there is a left-over); a title saying "static" gives 0. ``uses_cnst31`` is
    asked only when CNST31 and MASR disagree (it reads the pulse program).
    """
    notes: list[str] = []
    masr = num(acqus, "MASR", 0.0)
    cnst31 = num_at(acqus.get("CNST"), 31, 0.0)
    title_rate, title_static = mas_from_title(title)
    pulprog = str(acqus.get("PULPROG", ""))
    title_static = title_static and "mas" not in pulprog.lower()
    probhd = str(acqus.get("PROBHD", ""))

    def differ(a, b):
        return abs(a - b) > 0.02 * max(a, b)

    cnst31_counts = cnst31 > 100 and (not masr > 1 or differ(cnst31, masr)) and uses_cnst31()
    if title_rate is not None:
        checks = [("MASR", masr)] + ([("CNST31", cnst31)] if cnst31_counts else [])
        for name, value in checks:
            if value > 1 and differ(value, title_rate):
                notes.append(
                    f"{where}: {name} = {value:g} Hz but the title says {title_rate:g} Hz MAS; using the title."
                )
        return title_rate, notes
    if title_static:
        if masr > 1:
            notes.append(f"{where}: MASR = {masr:g} Hz is stale; the title says the sample was static.")
        return 0.0, notes
    if not _is_mas_probe(probhd):
        return None, notes
    if cnst31_counts:
        if masr > 1:
            notes.append(
                f"{where}: MASR = {masr:g} Hz but the pulse program is timed for CNST31 = {cnst31:g} Hz; "
                "using CNST31 (MASR is often left over from an earlier run)."
            )
        return cnst31, notes
    return (masr if masr > 1 else 0.0), notes


def bruker_meta(
    dic: dict[str, Any],
    expno: Path,
    pdir: Path | None,
    shape: tuple[int, ...],
    signal_points: int,
    *,
    title: str | None = None,
    source: Path | None = None,
) -> Meta:
    """Collect the typed metadata record from TopSpin's parameter dictionaries.

    ``signal_points`` is the number of direct-dimension points up to the last non-zero one
    (co-added single echoes are stored zero-padded to the full train length). ``expno`` is
    the experiment folder, or the parameter file itself when the parameters came from
    elsewhere (JCAMP-DX); then ``title`` is given and no pulse program or lists are read.
    """
    acqus = dic["acqus"]
    procs = dic.get("procs") or {}
    in_folder = expno.is_dir()
    apath = expno / "acqus" if in_folder else expno
    where = str(apath)
    notes: list[str] = []
    if title is None:
        title, title_notes = _title(pdir) if pdir is not None else ("", [])
        notes += title_notes
    if not title:
        title = str(acqus.get("TITLE", "") or "").strip()
        if title.startswith("Parameter file"):
            title = ""
    bf1 = required_num(acqus, "BF1", apath)
    sfo1 = required_num(acqus, "SFO1", apath)
    sw_hz = required_num(acqus, "SW_h", apath)
    if sw_hz <= 0 or bf1 <= 0:
        raise MetadataError(f"{apath}: SW_h = {sw_hz} and BF1 = {bf1} must be positive; the file is damaged.")
    proton = None
    for ch in range(2, 9):
        if _nucleus_label(acqus.get(f"NUC{ch}")) == "1H" and num(acqus, f"BF{ch}", 0.0) > 0:
            proton = num(acqus, f"BF{ch}")
            break
    nuc1 = _nucleus_label(acqus.get("NUC1"))
    label, field_T, nuc_notes = identify_nucleus(nuc1, bf1, proton, where)
    notes += nuc_notes
    def uses_cnst31() -> bool:
        program = read_pulse_program(expno, acqus) if in_folder else None
        return bool(program) and any(re.search(r"\bcnst31\b", line, re.IGNORECASE) for line in program)

    mas_hz, mas_notes = spinning_rate(acqus, title, where, uses_cnst31)
    notes += mas_notes
    pulprog = str(acqus.get("PULPROG", "") or "").strip().strip("<>") or None
    p = acqus.get("P") or []
    d = acqus.get("D") or []
    program = read_pulse_program(expno, acqus) if in_folder and _needs_pulse_program(pulprog, acqus) else None
    contact_ms = None
    if pulprog and is_cross_polarization(pulprog, program) and num_at(p, 15, 0.0) > 0:
        contact_ms = num_at(p, 15) / 1000.0
    echoes, period_us, cpmg_extra = cpmg_timing(program, acqus, signal_points, sw_hz) if program else (None, None, {})
    dims = indirect_dimensions(dic, expno if in_folder else None, shape)
    te = num(acqus, "TE", 0.0)
    ref_mhz = num(procs, "SF", 0.0) or bf1
    if abs(ref_mhz - bf1) > 2e-3 * bf1:
        # SF = BF1 + SR; a referencing offset of more than 2000 ppm is a procs file from
        # another nucleus or spectrometer (the DNPLab sets carry SF 14.15 MHz for 1H at 14.83)
        notes.append(
            f"{pdir / 'procs' if pdir is not None else where}: SF = {ref_mhz:.6f} MHz is "
            f"{(ref_mhz / bf1 - 1) * 1e6:.0f} ppm away from BF1 = {bf1:.6f} MHz; ignored it and "
            "put 0 ppm at BF1 (re-reference the spectrum if you know the right frequency)."
        )
        ref_mhz = bf1
    meta = Meta(
        nucleus=label,
        field_T=field_T,
        larmor_mhz=sfo1,
        reference_mhz=ref_mhz,
        sw_hz=sw_hz,
        td=int(shape[-1]),
        ns=num(acqus, "NS", 0, int) or None,
        d1_s=num_at(d, 1),
        mas_hz=mas_hz,
        contact_ms=contact_ms,
        temperature_K=te if te > 0 else None,
        pulprog=pulprog,
        title=title or None,
        microwave=microwave_from_title(title),
        o1_hz=num(acqus, "O1"),
        group_delay_pts=group_delay_points(acqus),
        cpmg_echoes=echoes,
        cpmg_period_us=period_us,
        vendor="bruker",
        source=str(source or (pdir if pdir is not None else expno)),
        ndim=len(shape),
        td_indirect=dims["td_indirect"],
        sw_indirect_hz=dims["sw_indirect_hz"],
        nuclei_indirect=dims["nuclei_indirect"],
        larmor_mhz_indirect=dims["larmor_mhz_indirect"],
        fnmode=dims["fnmode"],
        delays_s=dims["delays_s"],
        warnings=tuple(notes),
        extra={
            **cpmg_extra,
            **dims["extra"],
            "probe": str(acqus.get("PROBHD", "")).strip().strip("<>").strip(),
            **({"synthetic": True} if says_synthetic(title) else {}),
        },
    )
    warn_notes(notes)
    return meta


# --- pulse programs ---------------------------------------------------------------------

_CPMG_NAME = re.compile(r"cpmg", re.IGNORECASE)
_CP_NAME = re.compile(r"cp(?!mg|d)", re.IGNORECASE)  # cp, cpmas, cp90 ... but not cpmg or cpd


def _needs_pulse_program(pulprog: str | None, acqus: dict[str, Any]) -> bool:
    """Only CP and CPMG experiments need the pulse program text (keeps reading fast)."""
    name = pulprog or ""
    return bool(_CPMG_NAME.search(name) or _CP_NAME.search(name) or "cpmg" in str(acqus.get("ZGOPTNS", "")).lower())


def read_pulse_program(expno: Path, acqus: dict[str, Any]) -> list[str] | None:
    """Lines of the pulse program stored with the data, with comments removed and the
    ``#ifdef NAME`` blocks resolved for the ``-DNAME`` options in ZGOPTNS."""
    path = expno / "pulseprogram"
    try:
        text = path.read_bytes().decode("latin-1")
    except OSError:
        return None
    defined = set(re.findall(r"-D\s*(\w+)", str(acqus.get("ZGOPTNS", ""))))
    lines: list[str] = []
    active = [True]
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        m = re.match(r"#\s*(ifdef|ifndef)\s+(\w+)", line)
        if m:
            cond = (m.group(2) in defined) == (m.group(1) == "ifdef")
            active.append(active[-1] and cond)
            continue
        if re.match(r"#\s*else\b", line) and len(active) > 1:
            active[-1] = (not active[-1]) and active[-2]
            continue
        if re.match(r"#\s*endif\b", line) and len(active) > 1:
            active.pop()
            continue
        if line and not line.startswith("#") and active[-1]:
            lines.append(line)
    return lines


def is_cross_polarization(pulprog: str, program: list[str] | None) -> bool:
    """A CP experiment: 'cp' in the program name (not cpmg/cpd) and, where the pulse program
    is at hand, a contact pulse p15 in it (Bruker's convention for the CP contact time)."""
    if not _CP_NAME.search(pulprog):
        return False
    if program is None:
        return True
    return any(re.search(r"\bp15\b", line) for line in program)


_UNITS_S = {"": 1e-6, "u": 1e-6, "m": 1e-3, "s": 1.0}  # a bare number in a pulse program is µs


def _duration_s(token: str, acqus: dict[str, Any]) -> float | None:
    """Duration of one pulse-program event (``d6``, ``p1``, ``de``, ``1u``, ``30m``)."""
    token = token.strip("()")
    token = token.split(":", 1)[0]
    m = re.fullmatch(r"([dp])(\d+)", token, re.IGNORECASE)
    if m:
        values = acqus.get("D" if m.group(1).lower() == "d" else "P") or []
        i = int(m.group(2))
        if i >= len(values):
            return None
        value = num_value(values[i])
        return None if value is None else value * (1.0 if m.group(1).lower() == "d" else 1e-6)
    if token.lower() == "de":
        return num(acqus, "DE", 0.0) * 1e-6
    m = re.fullmatch(r"(\d+(?:\.\d*)?)([usm]?)", token)
    if m:
        return float(m.group(1)) * _UNITS_S[m.group(2)]
    return None


def cpmg_timing(program: list[str], acqus: dict[str, Any], n_points: int, sw_hz: float):
    """Number of echoes in the data and the echo period, from the pulse program's echo loop.

    The echo loop is the ``lo to LABEL times lN`` loop whose body holds a pulse and a
    receiver window; its period is the sum of the durations of its events (values from
    acqus: TopSpin stores the evaluated D and P there). The echo count is ``lN`` (plus one
    when the program opens the receiver once more just before the loop, as in double-echo
    CPMG), capped at what the stored data can hold: co-added single echoes are 1.

    Returns
    -------
    (echoes, period_us, extra)
    """
    labels = {}
    for i, line in enumerate(program):
        m = re.match(r"(\d+)\s+(.*)", line)
        if m:
            labels[m.group(1)] = i
    for i, line in enumerate(program):
        m = re.match(r"lo\s+to\s+(\d+)\s+times\s+(l\d+|\d+)", line, re.IGNORECASE)
        if not m or m.group(1) not in labels:
            continue
        start = labels[m.group(1)]
        body = [re.sub(r"^\d+\s+", "", ln) for ln in program[start:i]]
        if not any(re.search(r"\bp\d+\b", ln) for ln in body):
            continue
        total = 0.0
        for ln in body:
            token = ln.split()[0]
            dt = _duration_s(token, acqus)
            if dt is None:
                break
            total += dt
        else:
            if total <= 0:
                continue
            count_token = m.group(2).lower()
            if count_token.startswith("l"):
                loops = acqus.get("L") or []
                k = int(count_token[1:])
                loop_echoes = num_at(loops, k)
                loop_echoes = int(loop_echoes) if loop_echoes is not None and loop_echoes >= 0 else None
            else:
                loop_echoes = int(count_token)
            if loop_echoes is None:
                return None, None, {}
            before = program[max(0, start - 3) : start]
            if any("REC_UNBLK" in ln for ln in before):
                loop_echoes += 1
            period_us = round(total * 1e6, 6)
            acquired_us = n_points / sw_hz * 1e6
            in_data = min(loop_echoes, max(1, math.ceil(acquired_us / period_us)))
            return in_data, period_us, {"cpmg_echoes_acquired": loop_echoes}
    return None, None, {}


# --- nD and series ----------------------------------------------------------------------

def _read_list(expno: Path, name: str) -> list[str]:
    path = expno / name
    if not path.is_file():
        return []
    return [ln.strip() for ln in path.read_bytes().decode("latin-1").splitlines() if ln.strip()]


def indirect_dimensions(dic: dict[str, Any], expno: Path | None, shape: tuple[int, ...]) -> dict[str, Any]:
    """Indirect-dimension sizes, widths, nuclei, FnMODE and variable lists of a ser file."""
    out: dict[str, Any] = {
        "td_indirect": (),
        "sw_indirect_hz": (),
        "nuclei_indirect": (),
        "larmor_mhz_indirect": (),
        "fnmode": None,
        "delays_s": (),
        "extra": {},
    }
    if len(shape) < 2:
        return out
    pars = [dic[k] for k in ("acqu3s", "acqu2s") if k in dic]  # slowest dimension first
    out["td_indirect"] = tuple(num(a, "TD", 0, int) for a in pars)
    out["sw_indirect_hz"] = tuple(num(a, "SW_h", 0.0) for a in pars)
    fnmode_code = num(pars[-1], "FnMODE", 0, int) if pars else 0
    out["fnmode"] = FNMODES.get(fnmode_code, str(fnmode_code))
    if expno is None:
        out["extra"]["pseudo_nd"] = fnmode_code == 0
        return out
    vd = expno / "vdlist"
    if vd.is_file():
        try:
            out["delays_s"] = tuple(float(v) for v in ng.bruker.read_vdlist(str(expno)))
        except Exception:
            raise MetadataError(
                f"{vd} could not be read as a delay list (one delay per line, e.g. '20m' or '1.5'). "
                "Fix or remove the file."
            ) from None
    vc = _read_list(expno, "vclist")
    if vc:
        try:
            out["extra"]["vclist"] = [int(float(v)) for v in vc]
        except ValueError:
            raise MetadataError(f"{expno / 'vclist'} should hold one whole number per line.") from None
    vp = _read_list(expno, "vplist")
    if vp:
        out["extra"]["vplist"] = vp
    pseudo = fnmode_code == 0 or bool(out["delays_s"]) or bool(vc) or bool(vp)
    out["extra"]["pseudo_nd"] = pseudo
    if not pseudo:
        out["nuclei_indirect"] = tuple(_nucleus_label(a.get("NUC1")) or "" for a in pars)
        out["larmor_mhz_indirect"] = tuple(num(a, "SFO1", 0.0) for a in pars)
    return out
