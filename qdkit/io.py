"""Reading spectrometer data into qdkit's data model.

:func:`read` recognises the format from the path and hands over to the vendor module
(nmrglue decodes the files underneath) and returns a :class:`~qdkit.dataset.Dataset`;
:func:`read_spectrum` returns an already processed spectrum (TopSpin's ``1r``, a JCAMP-DX
spectrum, a text export) as a :class:`~qdkit.dataset.Spectrum`. Reading never writes.
"""

from __future__ import annotations

import dataclasses
import io as io_module
import json
import os
import re
from pathlib import Path

import numpy as np

from . import bruker, jcamp, nuclei, varian
from .dataset import Dataset, Meta, Spectrum
from .errors import MetadataError, QdkitWarning, ReadError

__all__ = ["read", "read_spectrum", "read_spectrum_text", "find_datasets", "save", "QdkitWarning"]

#: qdkit's own format: one ``.npz`` (no pickles) with the arrays and a JSON header.
NATIVE_SUFFIX = ".qdkit.npz"
NATIVE_VERSION = 1

_TEXT_SUFFIXES = (".txt", ".csv", ".dat", ".tsv")


def _existing(path: str | os.PathLike) -> Path:
    p = Path(path).expanduser()
    if p.is_symlink() and not p.exists():
        raise ReadError(
            f"{p} is a symbolic link to {os.readlink(p)!s}, which does not exist. "
            "Point the link at the data or give the real path."
        )
    if not p.exists():
        raise ReadError(f"{p} does not exist. Check the path (and that the folder has been copied completely).")
    return p


def _broken_links(folder: Path) -> None:
    for name in ("fid", "ser", "acqus", "procpar"):
        f = folder / name
        if f.is_symlink() and not f.exists():
            raise ReadError(
                f"{f} is a symbolic link to {os.readlink(f)!s}, which does not exist. "
                "Copy the real file into the experiment folder."
            )


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
    p = _existing(path)
    if p.is_dir():
        _broken_links(p)
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
        _explain_folder(p)
    if jcamp.is_jcamp(p):
        return jcamp.read_jcamp(p)
    if p.name.endswith(NATIVE_SUFFIX):
        obj = _load_native(p)
        if not isinstance(obj, Dataset):
            raise ReadError(f"{p} holds a processed spectrum; load it with qdkit.io.read_spectrum(path).")
        return obj
    if p.suffix.lower() in _TEXT_SUFFIXES:
        raise ReadError(
            f"{p} is a text file, not raw spectrometer data. If it is a processed spectrum "
            "(columns of ppm/Hz and intensity), load it with qdkit.io.read_spectrum(path)."
        )
    raise ReadError(
        f"{p} is not a dataset qdkit can read. Expected a Bruker experiment folder (fid or ser "
        "+ acqus) or its pdata/N folder, a Varian .fid folder (fid + procpar), or a JCAMP-DX "
        "file (.dx/.jdx)."
    )


def _natural(name: str) -> tuple:
    """Sort key putting expno 2 before 10."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _explain_folder(p: Path) -> None:
    """Raise a helpful error for a folder that holds no single dataset."""
    try:
        children = sorted(p.iterdir())
    except PermissionError:
        raise ReadError(f"{p} cannot be listed (permission denied).") from None
    expnos = sorted((c.name for c in children if c.is_dir() and bruker.is_expno(c)), key=_natural)
    if expnos:
        shown = ", ".join(expnos[:12]) + (" ..." if len(expnos) > 12 else "")
        raise ReadError(
            f"{p} is a Bruker data folder holding several experiments ({shown}); "
            f"read one of them, e.g. qdkit.read('{p / expnos[0]}')."
        )
    texts = [c.name for c in children if c.suffix.lower() in _TEXT_SUFFIXES and "parameter" not in c.name.lower()]
    if texts:
        raise ReadError(
            f"{p} holds processed text spectra ({', '.join(texts[:6])}), not raw data. Load each "
            f"with qdkit.io.read_spectrum('{p / texts[0]}'), which returns a Spectrum."
        )
    raise ReadError(
        f"{p} contains no dataset qdkit recognises (no fid/ser + acqus, no fid + procpar, no "
        ".dx file). Point qdkit at the experiment folder itself."
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
    """
    p = _existing(path)
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
        obj = _load_native(p)
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


# --- text spectra ------------------------------------------------------------------------

_NUCLEUS_WORD = re.compile(r"(?<![A-Za-z0-9])(\d{1,3})([A-Z][a-z]?)(?![a-z])")
_KHZ = re.compile(r"(\d+(?:\.\d+)?)\s*kHz", re.IGNORECASE)
_MHZ = re.compile(r"(\d+(?:\.\d+)?)\s*MHz", re.IGNORECASE)


def _parameters_file(spectrum: Path) -> Path | None:
    """The ``* Parameters.txt`` beside ``spectrum`` that names the same spectrometer (MHz)."""
    candidates = [c for c in spectrum.parent.iterdir() if "parameter" in c.name.lower() and c.is_file()]
    m = _MHZ.search(spectrum.stem.replace("_", " "))
    if m:
        same = [c for c in candidates if _MHZ.search(c.name) and _MHZ.search(c.name).group(1) == m.group(1)]
        if same:
            return same[0]
    return candidates[0] if len(candidates) == 1 else None


def _parse_parameters(text: str) -> dict[str, object]:
    """Acquisition facts from a free-text parameter note ('NS:8', 'D1: 4 s', 'TD: 8192' ...)."""
    out: dict[str, object] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        value = value.strip()
        if not value:
            continue
        if key == "ns":
            out["ns"] = int(float(value.split()[0]))
        elif key == "d1":
            out["d1_s"] = float(value.split()[0])
        elif key == "td":
            out["td"] = int(float(value.split()[0]))
        elif key == "sw":
            hz = re.search(r"([\d.]+)\s*Hz", value)
            if hz:
                out["sw_hz"] = float(hz.group(1))
        elif key == "o1":
            hz = re.search(r"([-\d.]+)\s*Hz", value)
            if hz:
                out["o1_hz"] = float(hz.group(1))
        elif key.startswith("pulse seq"):
            out["pulprog"] = value
            m = _NUCLEUS_WORD.search(value)
            if m:
                out["nucleus"] = f"{m.group(1)}{m.group(2)}"
    return out


def _numeric_table(p: Path, text: str) -> np.ndarray:
    """The numeric columns of a text export (header lines skipped), via numpy's C reader."""
    lines = text.splitlines()
    skip = 0
    for line in lines:
        body = line.split("#", 1)[0].strip()
        if not body:
            skip += 1
            continue
        try:
            [float(v) for v in re.split(r"[,\t; ]+", body) if v]
            break
        except ValueError:
            skip += 1
    if skip >= len(lines):
        raise ReadError(f"{p} has no lines of numbers; expected columns such as index, intensity, Hz, ppm.")
    first = lines[skip]
    delimiter = "," if "," in first else (";" if ";" in first else None)
    try:
        table = np.loadtxt(lines[skip:], delimiter=delimiter, comments="#", ndmin=2)
    except ValueError as exc:
        raise ReadError(f"{p}: the columns are not all numbers or not all the same length ({exc}).") from None
    if table.shape[0] < 2:
        raise ReadError(f"{p}: expected rows with the same number of columns (index, intensity, Hz, ppm).")
    if not np.all(np.isfinite(table)):
        raise ReadError(f"{p} contains NaN or infinite values.")
    return table


def read_spectrum_text(path: str | os.PathLike, *, nucleus: str | None = None, mas_hz: float | None = None) -> Spectrum:
    """Read a processed spectrum exported as text columns.

    Understood layouts (comma, tab or space separated; '#' comments):
    four columns ``index, intensity, Hz, ppm`` (TopSpin/Spinach text export: the
    reference frequency is Hz/ppm), or two columns ``ppm, intensity`` (then ``nucleus``
    and a ``* Parameters.txt`` beside the file, or the file name, must give the frequency).
    Acquisition facts (nucleus, NS, D1, TD, SW, O1) come from a ``* Parameters.txt`` beside
    the file that names the same spectrometer frequency; the MAS rate from the file name
    (``..._10kHz.txt``) unless ``mas_hz`` is given.

    Returns
    -------
    Spectrum
        Intensity as (real) complex data, high ppm first; ``meta.vendor == "text"``.
    """
    p = _existing(path)
    if p.is_dir():
        _explain_folder(p)
    raw = p.read_bytes()
    if not raw.strip():
        raise ReadError(f"{p} is empty; expected columns of numbers (index, intensity, Hz, ppm).")
    table = _numeric_table(p, raw.decode("latin-1"))
    facts: dict[str, object] = {}
    pfile = _parameters_file(p)
    if pfile is not None:
        facts = _parse_parameters(pfile.read_bytes().decode("latin-1"))
    label = nucleus or facts.get("nucleus")
    if table.shape[1] == 4:
        y, hz, ppm = table[:, 1], table[:, 2], table[:, 3]
        nz = np.abs(ppm) > 1e-9
        reference_mhz = float(np.median(hz[nz] / ppm[nz]))
        hz = ppm * reference_mhz
    elif table.shape[1] == 2:
        ppm, y = table[:, 0], table[:, 1]
        m = _MHZ.search(p.stem.replace("_", " "))
        if label is None or m is None:
            raise MetadataError(
                f"{p} has ppm and intensity only; give nucleus= and name the spectrometer (e.g. "
                "'_400MHz_' in the file name) so qdkit can place the Hz axis."
            )
        # the nominal spectrometer frequency (e.g. 400 for 400.13 MHz): ppm stay exact,
        # Hz are good to ~0.03 %
        reference_mhz = nuclei.get(label).xi_percent / 100.0 * float(m.group(1))
        hz = ppm * reference_mhz
    else:
        raise ReadError(f"{p}: {table.shape[1]} columns; expected 4 (index, intensity, Hz, ppm) or 2 (ppm, intensity).")
    notes: list[str] = []
    if label is None:
        raise MetadataError(
            f"{p}: no nucleus stated (no '* Parameters.txt' with 'Pulse seq: <nucleus> ...' beside it); "
            "pass nucleus='79Br' (for example)."
        )
    label, field_T, nuc_notes = bruker.identify_nucleus(str(label), reference_mhz, None, str(p))
    notes += nuc_notes
    if mas_hz is None:
        m = _KHZ.search(p.stem.replace("_", " "))
        mas_hz = float(m.group(1)) * 1e3 if m else None
    meta = Meta(
        nucleus=label,
        field_T=field_T,
        larmor_mhz=reference_mhz + float(facts.get("o1_hz", 0.0)) * 1e-6,
        reference_mhz=reference_mhz,
        sw_hz=facts.get("sw_hz"),
        td=facts.get("td"),
        ns=facts.get("ns"),
        d1_s=facts.get("d1_s"),
        mas_hz=mas_hz,
        pulprog=facts.get("pulprog"),
        title=p.stem,
        o1_hz=facts.get("o1_hz"),
        vendor="text",
        source=str(p),
        warnings=tuple(notes),
        extra={"parameters_file": str(pfile) if pfile else None},
    )
    if hz[0] < hz[-1]:
        hz, y = hz[::-1], y[::-1]
    return Spectrum(data=np.asarray(y, dtype=complex), hz=np.asarray(hz, dtype=float), meta=meta)


# --- finding datasets under a folder -----------------------------------------------------

_NOT_SPECTRA = re.compile(r"parameter|readme|licen[cs]e|source|notes?\b", re.IGNORECASE)


def _looks_like_text_spectrum(path: Path) -> bool:
    """A text file whose first data line is at least two numbers (cheap: reads 512 bytes)."""
    if path.suffix.lower() not in _TEXT_SUFFIXES or _NOT_SPECTRA.search(path.name):
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
    """Every dataset under ``root``: Bruker expno folders, Varian ``.fid`` folders,
    JCAMP-DX files and text spectra, in natural order. Does not descend into a dataset
    (so ``pdata`` folders are not listed separately) and does not follow symbolic links to
    folders (no loops)."""
    root = _existing(root)
    if root.is_file():
        return [root]
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        # a folder with any raw-data or parameter file is listed, complete or not, so that
        # a damaged experiment shows up (and is explained) instead of vanishing silently
        if bruker.is_expno(here) or varian.is_varian(here) or any(
            (here / name).is_file() for name in ("fid", "ser", "acqus", "acqu")
        ):
            found.append(here)
            dirs[:] = []
            continue
        dirs[:] = sorted((d for d in dirs if not d.startswith(".")), key=_natural)
        for name in sorted(files, key=_natural):
            f = here / name
            if jcamp.is_jcamp(f) or _looks_like_text_spectrum(f):
                found.append(f)
    return found


# --- qdkit's own format ------------------------------------------------------------------

def _meta_from_dict(values: dict) -> Meta:
    fields = {f.name: f for f in dataclasses.fields(Meta)}
    kwargs, unknown = {}, {}
    for key, value in values.items():
        if key not in fields:
            unknown[key] = value
        elif isinstance(value, list) and key != "extra":
            kwargs[key] = tuple(value)
        else:
            kwargs[key] = value
    if unknown:
        kwargs["extra"] = {**kwargs.get("extra", {}), "unknown_fields": unknown}
    return Meta(**kwargs)


def save(obj: Dataset | Spectrum, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Save a Dataset or Spectrum in qdkit's own format (``*.qdkit.npz``).

    The file holds the arrays and a JSON header (format version, metadata, vendor
    parameters, recipe); no pickled objects, so it is safe to open from anyone.
    Written atomically; an existing file is kept unless ``overwrite``.
    """
    from . import output

    p = Path(path)
    if not p.name.endswith(NATIVE_SUFFIX):
        p = p.with_name(p.name + NATIVE_SUFFIX)
    kind = "dataset" if isinstance(obj, Dataset) else "spectrum"
    header = {"format": "qdkit", "version": NATIVE_VERSION, "kind": kind, "meta": obj.meta.to_dict(),
              "recipe": list(obj.recipe)}
    arrays = {"data": np.asarray(obj.data)}
    if isinstance(obj, Dataset):
        header["procs"] = obj.procs
        if obj.vendor_spectrum is not None:
            arrays["vendor_spectrum"] = np.asarray(obj.vendor_spectrum)
    else:
        arrays["hz"] = np.asarray(obj.hz)
    arrays["header"] = np.frombuffer(json.dumps(header, default=str).encode("utf-8"), dtype=np.uint8)
    buf = io_module.BytesIO()
    np.savez_compressed(buf, **arrays)
    output.write_files(p.parent, {p.name: buf.getvalue()}, overwrite=overwrite)
    return p


def _load_native(p: Path) -> Dataset | Spectrum:
    try:
        with np.load(p, allow_pickle=False) as z:
            header = json.loads(bytes(z["header"]).decode("utf-8"))
            arrays = {k: z[k] for k in z.files if k != "header"}
    except Exception as exc:
        raise ReadError(f"{p} is not a readable qdkit file ({exc}); it is damaged or from another program.") from None
    if header.get("format") != "qdkit" or int(header.get("version", 0)) > NATIVE_VERSION:
        raise ReadError(
            f"{p} is a qdkit file of version {header.get('version')}; this qdkit reads up to "
            f"{NATIVE_VERSION}. Update qdkit."
        )
    meta = _meta_from_dict(header["meta"])
    recipe = tuple(header.get("recipe", []))
    if header["kind"] == "dataset":
        return Dataset(data=arrays["data"], meta=meta, procs=header.get("procs", {}),
                       vendor_spectrum=arrays.get("vendor_spectrum"), recipe=recipe)
    return Spectrum(data=arrays["data"], hz=arrays["hz"], meta=meta, recipe=recipe)
