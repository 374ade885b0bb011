"""Varian/Agilent (VnmrJ) experiment folders: ``fid`` + ``procpar``, including arrayed series.

nmrglue decodes the files; this module checks them and fills qdkit's :class:`~qdkit.dataset.Meta`.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from qdkit import nuclei
from qdkit.dataset import Dataset, Meta
from qdkit.errors import MetadataError, ReadError, UnknownNucleusError
from qdkit.io._lazy import nmrglue as ng
from qdkit.io.metadata import microwave_from_title, warn_notes
from qdkit.io.params import num_value

__all__ = [
    "is_varian",
    "read_varian",
    "varian_meta",
]


#: Arrayed parameters that are delays in seconds (a relaxation or build-up series).
_DELAY_NAME = re.compile(r"^(d\d+|tau\w*|vd\w*|t_?rec\w*|delay\w*|mix\w*|tm\w*)$", re.IGNORECASE)


def is_varian(folder: Path) -> bool:
    """True if ``folder`` holds a VnmrJ ``fid`` and ``procpar``.

    Parameters
    ----------
    folder : Path
        Any folder.

    Returns
    -------
    bool
    """
    return (folder / "procpar").is_file() and (folder / "fid").is_file()


def _value(procpar: dict, name: str, cast=float, default=None):
    """First value of a procpar entry as ``cast`` (str, or a finite number), else ``default``."""
    entry = procpar.get(name)
    if not isinstance(entry, dict) or not entry.get("values"):
        return default
    raw = entry["values"][0]
    if cast is str:
        return str(raw)
    return num_value(raw, default, cast)


def _active(procpar: dict, name: str) -> bool:
    return str(procpar.get(name, {}).get("active", "1")) == "1"


def read_varian(folder: Path) -> Dataset:
    """Read a VnmrJ ``.fid`` folder.

    Arrayed experiments (``array`` names a parameter, e.g. ``tau_recovery``) come back as
    a 2D ``data`` array, one FID per array element, with the array values in
    ``meta.delays_s`` when they are delays and always in ``meta.extra["array"]``.

    Parameters
    ----------
    folder : Path
        The ``.fid`` folder (``fid`` + ``procpar``).

    Returns
    -------
    Dataset

    Raises
    ------
    ReadError
        For a missing, empty or damaged ``fid``.
    MetadataError
        For a damaged ``procpar`` or one without a usable frequency or spectral width.
    """
    folder = Path(folder)
    procpar_path = folder / "procpar"
    fid_path = folder / "fid"
    for f, what in ((procpar_path, "the acquisition parameters"), (fid_path, "the raw data")):
        if not f.is_file():
            raise ReadError(f"{f} is missing; a VnmrJ .fid folder needs it for {what}. Copy the whole folder.")
        if f.stat().st_size == 0:
            raise ReadError(f"{f} is empty (0 bytes); copy the VnmrJ folder again.")
    try:
        procpar = ng.varian.read_procpar(str(procpar_path))
    except Exception as exc:
        raise MetadataError(
            f"{procpar_path} could not be parsed as a VnmrJ procpar file ({exc}); the file is damaged."
        ) from None
    for needed in ("sfrq", "sw", "np"):
        value = _value(procpar, needed)
        if value is None or value <= 0:
            raise MetadataError(
                f"{procpar_path} has no usable '{needed}' parameter (a positive number is needed); "
                "the file is damaged - copy the folder again."
            )
    n_points = int(_value(procpar, "np")) // 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dic, data = ng.varian.read(str(folder), as_2d=True)
    except Exception as exc:
        raise ReadError(
            f"{fid_path} could not be decoded as VnmrJ FID data ({exc}). The file is truncated or "
            "damaged; copy it again."
        ) from None
    data = np.asarray(data, dtype=complex)
    if data.ndim == 2 and data.shape[0] == 1:
        data = data[0]
    if data.shape[-1] < n_points:
        raise ReadError(
            f"{fid_path} is truncated: procpar says np = {2 * n_points} (that is {n_points} complex "
            f"points per FID) but the file holds {data.shape[-1]}. Copy the folder again."
        )
    if not np.all(np.isfinite(data)):
        raise ReadError(f"{fid_path} contains NaN or infinite values; the file is damaged.")
    meta = varian_meta(procpar, folder, data.shape)
    return Dataset(data=data, meta=meta, procs={}, vendor_spectrum=None, raw={"procpar": procpar})


def varian_meta(procpar: dict[str, Any], folder: Path, shape: tuple[int, ...]) -> Meta:
    """The typed metadata record from a procpar dictionary.

    Parameters
    ----------
    procpar : dict
        Parameters as nmrglue reads them (name → dict with ``"values"``).
    folder : Path
        The ``.fid`` folder (for messages and the title).
    shape : tuple of int
        Shape of the data array (arrayed experiments are 2D).

    Returns
    -------
    Meta

    Raises
    ------
    UnknownNucleusError
        When the observed nucleus (``tn``) is not in qdkit's isotope table.
    """
    where = str(folder / "procpar")
    notes: list[str] = []
    sfrq = _value(procpar, "sfrq")
    reffrq = _value(procpar, "reffrq")
    h1ref = _value(procpar, "H1reffrq")
    tn = _value(procpar, "tn", str, "")
    try:
        nuc = nuclei.get(tn)
    except UnknownNucleusError:
        # the 1H reference frequency fixes the field; the carrier then names the nucleus
        hits = nuclei.nucleus_from_frequency(sfrq, nuclei.field_from_proton_mhz(h1ref)) if h1ref else []
        if not hits:
            raise UnknownNucleusError(
                f"{where}: observe nucleus tn = {tn!r} is not in qdkit's isotope table and sfrq = "
                f"{sfrq} MHz matches no tabulated nucleus. Add it to qdkit.nuclei or fix tn in procpar."
            ) from None
        nuc = hits[0]
        notes.append(f"{where}: tn = {tn!r} is unknown; sfrq = {sfrq} MHz at H1reffrq = {h1ref} MHz is {nuc.label}.")
    field_T = nuclei.field_from_reference(nuc, sfrq)
    referencing_ok = True
    if h1ref:
        field_h1 = nuclei.field_from_proton_mhz(h1ref)
        if abs(field_h1 - field_T) <= 1e-3 * field_T:
            field_T = field_h1
        else:
            referencing_ok = False
            notes.append(
                f"{where}: H1reffrq = {h1ref} MHz does not fit {nuc.label} at sfrq = {sfrq} MHz; "
                f"took the field ({field_T:.4f} T) from sfrq and put 0 ppm at the carrier."
            )
    if reffrq and referencing_ok and abs(reffrq - sfrq) <= 0.02 * sfrq:
        reference_mhz = reffrq
    else:
        reference_mhz = nuc.reference_mhz(field_T)
    probe = _value(procpar, "probe_", str, "") or ""
    srate = _value(procpar, "srate", float, 0.0) or 0.0
    if "MAS" in probe.upper():
        mas_hz = srate
    else:
        mas_hz = None
        if srate >= 500:
            mas_hz = srate
            notes.append(f"{where}: probe {probe!r} is not named as a MAS probe but srate = {srate:g} Hz; using srate.")
    temp_c = _value(procpar, "temp") if _active(procpar, "temp") else None
    title = (folder / "text").read_bytes().decode("latin-1").strip() if (folder / "text").is_file() else ""
    # The folder name is where VnmrJ users write what the experiment was (e.g. "..._mw_off").
    stated = f"{folder.name.removesuffix('.fid').replace('_', ' ')}\n{title}"
    array_name = _value(procpar, "array", str, "") or ""
    extra: dict[str, Any] = {"probe": probe}
    delays: tuple[float, ...] = ()
    if array_name and "," not in array_name and len(shape) > 1:
        values = procpar.get(array_name, {}).get("values", [])
        try:
            numbers = [float(v) for v in values]
        except ValueError:
            numbers = []
        extra["array"] = {array_name: numbers or values}
        if numbers and _DELAY_NAME.match(array_name):
            delays = tuple(numbers)
    ni = _value(procpar, "ni", int, 1) or 1
    td_indirect = (ni,) if ni > 1 else ((shape[0],) if len(shape) > 1 else ())
    meta = Meta(
        nucleus=nuc.label,
        field_T=field_T,
        larmor_mhz=sfrq,
        reference_mhz=reference_mhz,
        sw_hz=_value(procpar, "sw"),
        td=int(shape[-1]),
        ns=_value(procpar, "ct", int) or _value(procpar, "nt", int),
        d1_s=_value(procpar, "d1"),
        mas_hz=mas_hz,
        temperature_K=temp_c + 273.15 if temp_c is not None else None,
        pulprog=_value(procpar, "seqfil", str),
        title=title or folder.name,
        microwave=microwave_from_title(stated),
        o1_hz=_value(procpar, "tof"),
        group_delay_pts=0.0,  # VnmrJ FIDs need no digital-filter shift (nmrglue and ssNake apply none)
        vendor="varian",
        source=str(folder),
        ndim=len(shape),
        td_indirect=td_indirect,
        sw_indirect_hz=(_value(procpar, "sw1"),) if ni > 1 and _value(procpar, "sw1") else (),
        fnmode=None,
        delays_s=delays,
        warnings=tuple(notes),
        extra=extra,
    )
    warn_notes(notes)
    return meta
