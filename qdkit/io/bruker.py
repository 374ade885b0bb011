"""Bruker TopSpin experiment folders: raw data, parameters and TopSpin's own spectrum.

nmrglue decodes the files (JCAMP parameter files, fid/ser, 1r/1i); this module checks them
and turns TopSpin's parameters into qdkit's typed :class:`~qdkit.dataset.Meta`.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from qdkit.dataset import Dataset, Meta
from qdkit.errors import MetadataError, ReadError
from qdkit.io._lazy import nmrglue as ng
from qdkit.io.metadata import (
    identify_nucleus,
    microwave_from_title,
    nucleus_label,
    says_synthetic,
    spinning_rate,
    warn_notes,
)
from qdkit.io.params import num, num_at, read_parameter_file, required_num
from qdkit.io.pulseprog import cpmg_timing, is_cross_polarization, needs_pulse_program, read_pulse_program

__all__ = [
    "FNMODES",
    "is_expno",
    "is_procno",
    "group_delay_points",
    "read_bruker",
    "bruker_meta",
    "indirect_dimensions",
]


#: Bruker's FnMODE codes for the indirect dimensions.
FNMODES = {0: "undefined", 1: "QF", 2: "QSEQ", 3: "TPPI", 4: "States", 5: "States-TPPI", 6: "Echo-Antiecho"}

_BYTES_PER_POINT = {0: 4, 2: 8}  # DTYPA: int32, float64


def is_expno(folder: Path) -> bool:
    """True if ``folder`` looks like a Bruker experiment folder (acqus with fid or ser).

    Parameters
    ----------
    folder : Path
        Any folder.

    Returns
    -------
    bool
    """
    return (
        (folder / "acqus").is_file()
        or ((folder / "fid").is_file() or (folder / "ser").is_file())
        and (folder / "acqu").is_file()
    )


def is_procno(folder: Path) -> bool:
    """True if ``folder`` is a ``pdata/N`` folder of a Bruker experiment.

    Parameters
    ----------
    folder : Path
        Any folder.

    Returns
    -------
    bool
    """
    return folder.parent.name == "pdata" and ((folder / "procs").is_file() or is_expno(folder.parent.parent))


def group_delay_points(acqus: dict[str, Any]) -> float | None:
    """Digital-filter group delay in (complex) points.

    GRPDLY where TopSpin wrote it (DSPFVS >= 20); older firmware (DSPFVS 10-13) gives it
    through the DECIM/DSPFVS table (W. M. Westler and F. Abildgaard's table, as shipped
    with nmrglue); analogue filters (DSPFVS < 10) have none.

    Parameters
    ----------
    acqus : dict
        The acquisition parameters.

    Returns
    -------
    float or None
        Points by which the filter delays the signal; None without a digital filter.
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
            f"{acqus_path}: DTYPA = {dtypa} is not a raw-data type qdkit knows (0 = 32-bit integer, 2 = 64-bit float)."
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

    Raises
    ------
    ReadError
        For a missing or damaged ``fid``/``ser`` or a badly named ``pdata`` folder.
    MetadataError, UnknownNucleusError
        For missing, damaged or contradictory parameters (see :func:`bruker_meta`).
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
            f"{data_file} contains NaN or infinite values; the file is damaged. Copy it again from the spectrometer."
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

    Parameters
    ----------
    dic : dict
        Parameter files by name (``"acqus"``, ``"acqu2s"``, ``"procs"`` ...), as
        :func:`qdkit.io.params.read_parameter_file` returns them.
    expno : Path
        The experiment folder, or the parameter file itself when the parameters came from
        elsewhere (JCAMP-DX); then ``title`` is given and no pulse program or lists are read.
    pdir : Path or None
        The ``pdata/N`` folder whose ``title`` to read, if any.
    shape : tuple of int
        Shape of the data array.
    signal_points : int
        Direct-dimension points up to the last non-zero one (co-added single echoes are
        stored zero-padded to the full train length).
    title : str, optional
        Title text given by the caller instead of read from ``pdir``.
    source : Path, optional
        Path recorded as ``meta.source`` (default: ``expno``).

    Returns
    -------
    Meta
        Nucleus, field, MAS rate, contact time, CPMG timing, microwave state, synthetic flag,
        indirect dimensions, and the contradictions found in ``meta.warnings``.

    Raises
    ------
    MetadataError
        When SW_h or BF1 is not positive.
    UnknownNucleusError
        When no isotope fits the base frequency.
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
        if nucleus_label(acqus.get(f"NUC{ch}")) == "1H" and num(acqus, f"BF{ch}", 0.0) > 0:
            proton = num(acqus, f"BF{ch}")
            break
    nuc1 = nucleus_label(acqus.get("NUC1"))
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
    program = read_pulse_program(expno, acqus) if in_folder and needs_pulse_program(pulprog, acqus) else None
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


# --- nD and series ----------------------------------------------------------------------


def _read_list(expno: Path, name: str) -> list[str]:
    path = expno / name
    if not path.is_file():
        return []
    return [ln.strip() for ln in path.read_bytes().decode("latin-1").splitlines() if ln.strip()]


def indirect_dimensions(dic: dict[str, Any], expno: Path | None, shape: tuple[int, ...]) -> dict[str, Any]:
    """Indirect-dimension sizes, widths, nuclei, FnMODE and variable lists of a ser file.

    Parameters
    ----------
    dic : dict
        Parameter files by name (``"acqu2s"``, ``"acqu3s"`` are used).
    expno : Path or None
        The experiment folder holding ``vdlist``/``vclist``/``vplist`` (None: no lists).
    shape : tuple of int
        Shape of the data array.

    Returns
    -------
    dict
        Fields of :class:`~qdkit.dataset.Meta`: ``td_indirect``, ``sw_indirect_hz``,
        ``nuclei_indirect``, ``fnmode``, ``delays_s`` and ``extra`` (variable lists).

    Raises
    ------
    MetadataError
        When a ``vdlist`` or ``vclist`` cannot be read.
    """
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
        out["nuclei_indirect"] = tuple(nucleus_label(a.get("NUC1")) or "" for a in pars)
        out["larmor_mhz_indirect"] = tuple(num(a, "SFO1", 0.0) for a in pars)
    return out
