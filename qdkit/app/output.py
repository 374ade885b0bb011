"""Writing results: atomically, never into a raw-data folder, never over a file unless asked.

A set of output files is checked as a whole before anything is written (so a refused
``--overwrite`` leaves no half-written set), and each file appears under its final name
only once complete (written to a temporary file in the same folder, then renamed).
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from qdkit.dataset import Spectrum
from qdkit.errors import OutputError

__all__ = [
    "check_destination",
    "write_files",
    "spectrum_csv",
    "read_spectrum_csv",
]


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def check_destination(out_dir: str | os.PathLike, raw_folders: tuple[str | os.PathLike, ...] = ()) -> Path:
    """Resolve ``out_dir`` and refuse it if it lies inside one of ``raw_folders``.

    Parameters
    ----------
    out_dir : str or path-like
        The output folder asked for.
    raw_folders : tuple of path-like
        Raw data folders that must stay untouched.

    Returns
    -------
    Path
        The resolved output folder (not created).

    Raises
    ------
    OutputError
        When ``out_dir`` lies inside a raw folder or is an existing file.
    """
    out = Path(out_dir).expanduser().resolve()
    for raw in raw_folders:
        raw_path = Path(raw).expanduser().resolve()
        if _inside(out, raw_path):
            raise OutputError(
                f"Refusing to write into {out}: it is inside the raw data folder {raw_path}. "
                "Raw data stay untouched; choose an output folder elsewhere (e.g. --out results/)."
            )
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose a folder for the outputs.")
    return out


def write_files(
    out_dir: str | os.PathLike,
    files: Mapping[str, str | bytes],
    *,
    overwrite: bool = False,
    raw_folders: tuple[str | os.PathLike, ...] = (),
) -> list[Path]:
    """Write ``{file name: content}`` into ``out_dir`` atomically.

    Parameters
    ----------
    out_dir : path
        Created if missing. Must not lie inside any of ``raw_folders``.
    files : mapping
        Plain file names (no folders) to text (UTF-8) or bytes.
    overwrite : bool
        Replace existing files of the same name. Without it, an existing file stops the
        whole set before anything is written.
    raw_folders : tuple of path-like
        Raw data folders the output must not lie in.

    Returns
    -------
    list of Path
        The written files.

    Raises
    ------
    OutputError
        For a name with folders, existing files without ``overwrite``, a destination inside a
        raw folder, or a failed write (nothing half-written is left behind).
    """
    out = check_destination(out_dir, raw_folders)
    targets = {}
    for name in files:
        if Path(name).name != name or name in ("", ".", ".."):
            raise OutputError(f"Output name {name!r} must be a plain file name, without folders.")
        targets[name] = out / name
    existing = [str(t) for t in targets.values() if t.exists()]
    if existing and not overwrite:
        raise OutputError(
            "Not overwriting existing output: "
            + ", ".join(existing)
            + ". Pass --overwrite (overwrite=True) to replace them, or choose another folder."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the output folder {out}: {exc.strerror}.") from None
    written = []
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        tmp = out / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.part"
        try:
            with open(tmp, "xb") as fh:  # 'x': never follows or reuses an existing name
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, targets[name])
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"Could not write {targets[name]}: {exc.strerror or exc}.") from None
        written.append(targets[name])
    return written


def spectrum_csv(spec: Spectrum) -> str:
    """The spectrum as CSV text: columns ``ppm,hz,real,imag`` (high ppm first).

    Values keep 10 significant digits, enough to reproduce a float32 spectrum and any
    axis to well below a millihertz.

    Parameters
    ----------
    spec : Spectrum
        A 1D spectrum.

    Returns
    -------
    str

    Raises
    ------
    OutputError
        For a spectrum that is not 1D.
    """
    data = np.asarray(spec.data)
    if data.ndim != 1:
        raise OutputError(f"CSV export takes a 1D spectrum; this one has shape {data.shape}.")
    table = np.column_stack([spec.ppm, spec.hz, data.real, data.imag])
    buf = io.StringIO()
    buf.write("ppm,hz,real,imag\n")
    np.savetxt(buf, table, fmt="%.10g", delimiter=",")
    return buf.getvalue()


def read_spectrum_csv(path: str | os.PathLike) -> np.ndarray:
    """Columns (ppm, hz, real, imag) of a CSV written by :func:`spectrum_csv`.

    Parameters
    ----------
    path : str or path-like
        The CSV file.

    Returns
    -------
    numpy.ndarray
        Shape (n_points, 4).
    """
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
