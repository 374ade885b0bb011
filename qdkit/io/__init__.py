"""Reading spectrometer data into qdkit's data model.

:func:`read` recognises the format from the path and hands over to the vendor module
(nmrglue decodes the files underneath) and returns a :class:`~qdkit.dataset.Dataset`;
:func:`read_spectrum` returns an already processed spectrum (TopSpin's ``1r``, a JCAMP-DX
spectrum, a text export) as a :class:`~qdkit.dataset.Spectrum`. Reading never writes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from qdkit.dataset import Dataset, Spectrum
from qdkit.errors import MetadataError, QdkitWarning, ReadError
from qdkit.io import bruker, jcamp, varian
from qdkit.io.folders import TEXT_SUFFIXES, broken_links, existing_path, explain_folder, natural_order
from qdkit.io.native import NATIVE_SUFFIX, load_native, save
from qdkit.io.text import read_spectrum_text

__all__ = ["read", "read_spectrum", "read_spectrum_text", "find_datasets", "save", "QdkitWarning"]


def read(path: str | os.PathLike, *, procno: int | None = None) -> Dataset:
    """Read a dataset from disk.

    Parameters
    ----------
    path : str or path-like
        A Bruker experiment folder (``fid``/``ser`` + ``acqus``) or one of its ``pdata/N``
        folders; a Varian/Agilent ``.fid`` folder (``fid`` + ``procpar``); or a JCAMP-DX
        file (``.dx``, ``.jdx``); or a ``*.qdkit.npz`` file written by :func:`save`.
    procno : int, optional
        Bruker processing number whose ``procs`` and spectrum to load (default: the one in
        ``path``, else 1).

    Returns
    -------
    Dataset
        Complex time-domain data (last axis direct), a typed :class:`~qdkit.dataset.Meta`,
        the vendor processing parameters and the vendor's spectrum where present.

    Raises
    ------
    ReadError, MetadataError, UnknownNucleusError
        With the file, what was expected and what to do.

    Notes
    -----
    Where the files contradict themselves (NUC1 vs the frequency, a stale MAS rate) the
    trustworthy value is kept, the choice is listed in ``meta.warnings`` and a
    :class:`QdkitWarning` is issued.
    """
    p = existing_path(path)
    if p.is_dir():
        broken_links(p)
        if bruker.is_expno(p) or bruker.is_procno(p):
            return bruker.read_bruker(p, procno=procno)
        if varian.is_varian(p):
            return varian.read_varian(p)
        if (p / "acqus").is_file() or (p / "acqu").is_file():
            raise ReadError(
                f"{p} has TopSpin parameters but neither a 'fid' nor a 'ser' file; the raw data "
                "are missing. Copy the whole experiment folder."
            )
        if (p / "fid").is_file() and not (p / "procpar").is_file():
            raise MetadataError(
                f"{p} has a 'fid' but no 'acqus' (Bruker) or 'procpar' (Varian) parameter file; "
                "qdkit cannot tell the format. Copy the parameter file along with the data."
            )
        explain_folder(p)
    if jcamp.is_jcamp(p):
        return jcamp.read_jcamp(p)
    if p.name.endswith(NATIVE_SUFFIX):
        obj = load_native(p)
        if not isinstance(obj, Dataset):
            raise ReadError(f"{p} holds a processed spectrum; load it with qdkit.io.read_spectrum(path).")
        return obj
    if p.suffix.lower() in TEXT_SUFFIXES:
        raise ReadError(
            f"{p} is a text file, not raw spectrometer data. If it is a processed spectrum "
            "(columns of ppm/Hz and intensity), load it with qdkit.io.read_spectrum(path)."
        )
    raise ReadError(
        f"{p} is not a dataset qdkit can read. Expected a Bruker experiment folder (fid or ser "
        "+ acqus) or its pdata/N folder, a Varian .fid folder (fid + procpar), or a JCAMP-DX "
        "file (.dx/.jdx)."
    )


def read_spectrum(path: str | os.PathLike, *, procno: int | None = None) -> Spectrum:
    """Read an already processed spectrum as a :class:`~qdkit.dataset.Spectrum`.

    Parameters
    ----------
    path : str or path-like
        A Bruker expno or ``pdata/N`` folder (TopSpin's ``1r``/``1i``, scaled by
        2**NC_proc, on TopSpin's axis), a JCAMP-DX spectrum file, or a text spectrum
        (see :func:`read_spectrum_text`).
    procno : int, optional
        Bruker processing number (default: from ``path``, else 1).

    Returns
    -------
    Spectrum
        High ppm first, ``recipe`` empty (the vendor processed it).

    Raises
    ------
    ReadError
        When the path holds no processed spectrum (e.g. a Bruker folder without ``pdata/N/1r``,
        or a qdkit file holding raw data), with what to read instead.
    """
    p = existing_path(path)
    if p.is_dir() and (bruker.is_expno(p) or bruker.is_procno(p)):
        ds = bruker.read_bruker(p, procno=procno)
        if ds.vendor_spectrum is None:
            raise ReadError(
                f"{p} has no processed 1D spectrum (pdata/N/1r); process it in TopSpin, or read the "
                "raw data with qdkit.read and qdkit.process."
            )
        return bruker_axis_spectrum(ds)
    if p.is_file() and jcamp.is_jcamp(p):
        return jcamp.read_jcamp_spectrum(p)
    if p.is_file() and p.name.endswith(NATIVE_SUFFIX):
        obj = load_native(p)
        if not isinstance(obj, Spectrum):
            raise ReadError(f"{p} holds time-domain data; load it with qdkit.read(path).")
        return obj
    if p.is_file():
        return read_spectrum_text(p)
    raise ReadError(f"{p} is not a spectrum qdkit can read (Bruker pdata, JCAMP-DX or a text spectrum).")


def bruker_axis_spectrum(ds: Dataset) -> Spectrum:
    """TopSpin's processed spectrum of ``ds`` on TopSpin's own axis.

    Point i sits at OFFSET − i·SW_p/(SI·SF) ppm (TopSpin's convention: OFFSET is the ppm of
    the first, leftmost point).

    Parameters
    ----------
    ds : Dataset
        A Bruker dataset read with its processing parameters (``procs``) and ``1r``/``1i``.

    Returns
    -------
    Spectrum
        The vendor spectrum, high ppm first, with an empty recipe.

    Raises
    ------
    MetadataError
        When ``procs`` lacks SW_p, SF or OFFSET, so the axis cannot be drawn.
    """
    p = ds.procs
    y = np.asarray(ds.vendor_spectrum)
    n = y.shape[-1]
    try:
        sf, offset, sw_p = float(p["SF"]), float(p["OFFSET"]), float(p["SW_p"])
    except KeyError as exc:
        raise MetadataError(f"{ds.meta.source}/procs lacks {exc.args[0]}; cannot place the ppm axis.") from None
    ppm = offset - np.arange(n) * sw_p / n / sf
    return Spectrum(data=y.astype(complex), hz=ppm * sf, meta=ds.meta.replace(reference_mhz=sf))


# --- finding datasets under a folder -----------------------------------------------------

_NOT_SPECTRA = re.compile(r"parameter|readme|licen[cs]e|source|notes?\b", re.IGNORECASE)


def _looks_like_text_spectrum(path: Path) -> bool:
    """A text file whose first data line is at least two numbers (cheap: reads 512 bytes)."""
    if path.suffix.lower() not in TEXT_SUFFIXES or _NOT_SPECTRA.search(path.name):
        return False
    try:
        head = path.open("rb").read(512).decode("latin-1")
    except OSError:
        return False
    for line in head.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            return len([float(v) for v in re.split(r"[,\t; ]+", line) if v]) >= 2
        except ValueError:
            return False
    return False


def find_datasets(root: str | os.PathLike) -> list[Path]:
    """Every dataset under ``root``, in natural order.

    Bruker expno folders, Varian ``.fid`` folders, JCAMP-DX files and text spectra. Does not
    descend into a dataset (so ``pdata`` folders are not listed separately) and does not
    follow symbolic links to folders (no loops).

    Parameters
    ----------
    root : str or path-like
        The folder to search.

    Returns
    -------
    list of Path
        One path per dataset, expno 2 before expno 10.
    """
    root = existing_path(root)
    if root.is_file():
        return [root]
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        # a folder with any raw-data or parameter file is listed, complete or not, so that
        # a damaged experiment shows up (and is explained) instead of vanishing silently
        if (
            bruker.is_expno(here)
            or varian.is_varian(here)
            or any((here / name).is_file() for name in ("fid", "ser", "acqus", "acqu"))
        ):
            found.append(here)
            dirs[:] = []
            continue
        dirs[:] = sorted((d for d in dirs if not d.startswith(".")), key=natural_order)
        for name in sorted(files, key=natural_order):
            f = here / name
            if jcamp.is_jcamp(f) or _looks_like_text_spectrum(f):
                found.append(f)
    return found
