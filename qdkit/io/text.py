"""Two-column text spectra (ppm or Hz axis) and the parameter notes that travel with them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from qdkit import nuclei
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import MetadataError, ReadError
from qdkit.io.folders import existing_path, explain_folder
from qdkit.io.metadata import identify_nucleus

__all__ = [
    "read_spectrum_text",
]


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

    Parameters
    ----------
    path : str or path-like
        The text file.
    nucleus : str, optional
        Observed isotope (``"79Br"``), needed for a two-column file whose frequency nothing
        else gives.
    mas_hz : float, optional
        Spinning rate, Hz; overrides what the file name says.

    Returns
    -------
    Spectrum
        Intensity as (real) complex data, high ppm first; ``meta.vendor == "text"``.

    Raises
    ------
    ReadError
        For a file that is not a table of numbers in one of the layouts above.
    MetadataError
        When no nucleus is stated (pass ``nucleus``), or the spectrometer frequency of a
        two-column file cannot be found.
    """
    p = existing_path(path)
    if p.is_dir():
        explain_folder(p)
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
    label, field_T, nuc_notes = identify_nucleus(str(label), reference_mhz, None, str(p))
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
