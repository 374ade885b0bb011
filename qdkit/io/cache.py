"""Processed spectra kept between sessions, so that showing a dataset again is a file load.

A kernel that shows the bundled reference spectra (every explorer, every student's kernel in
a class) would otherwise decode the vendor files again, and the first decode imports
nmrglue and with it ``scipy.signal`` (about 0.6 CPU-s). :func:`processed` gives qdkit's
default processing of an experiment folder and keeps the result, in qdkit's own file format,
in a cache folder outside the data: ``$QDKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/qdkit/spectra``,
else ``~/.cache/qdkit/spectra``. ``QDKIT_CACHE_DIR=""`` switches the cache off.

An entry is found by a digest of every file of the experiment folder (names and bytes) and of
the reading and processing code (file sizes and times): a changed dataset or a changed qdkit
is processed afresh. The raw data are only read; a cache folder that cannot be written is
skipped without a word (the spectrum is then processed every time, as without a cache).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from qdkit.dataset import Spectrum
from qdkit.errors import QdkitError

__all__ = ["CACHE_ENV", "cache_dir", "processed"]

#: Environment variable naming the cache folder ("" = no cache).
CACHE_ENV = "QDKIT_CACHE_DIR"

_CODE = Path(__file__).resolve().parents[1]  # the qdkit package


def cache_dir() -> Path | None:
    """The cache folder in use, or None when ``QDKIT_CACHE_DIR`` is set to "".

    Returns
    -------
    Path or None
        Not created until something is written into it.
    """
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory (some service accounts): no cache
            return None
    return Path(base) / "qdkit" / "spectra"


@functools.cache
def _code_digest() -> bytes:
    """Digest of the reading and processing code, once per process (the imported code
    cannot change under a running process)."""
    h = hashlib.sha256()
    for sub in ("io", "processing"):
        for f in sorted((_CODE / sub).glob("*.py")):
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    for f in ("dataset.py", "__init__.py"):
        st = (_CODE / f).stat()
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.digest()


def _key(folder: Path) -> str:
    h = hashlib.sha256(_code_digest())
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()[:40]


def processed(path: str | os.PathLike) -> Spectrum:
    """``qdkit.process(qdkit.read(path))``, from the cache when nothing has changed.

    Parameters
    ----------
    path : str or path-like
        An experiment folder (e.g. a Bruker expno). Anything else (a file, a ``pdata``
        folder) is read and processed without the cache.

    Returns
    -------
    Spectrum
        The default-processed spectrum, with its metadata and recipe.

    Raises
    ------
    QdkitError
        Whatever reading or processing the dataset raises (nothing is cached then).

    Examples
    --------
    >>> from qdkit import paths
    >>> from qdkit.io.cache import processed
    >>> spec = processed(paths.reference_dataset("3a"))   # decoded once, then loaded
    >>> spec.data.ndim
    1
    """
    from qdkit.io import read
    from qdkit.io.native import load_native, save
    from qdkit.processing import process

    folder = Path(path)
    where = cache_dir()
    if where is None or not folder.is_dir():
        return process(read(folder))
    try:
        entry = where / f"{_key(folder)}.qdkit.npz"
    except OSError:  # an unreadable file: let the reader say what is wrong
        return process(read(folder))
    if entry.is_file():
        try:
            cached = load_native(entry)
        except QdkitError:
            cached = None  # damaged or from another qdkit: made again below
        if isinstance(cached, Spectrum):
            return cached
    spec = process(read(folder))
    try:
        save(spec, entry, overwrite=True)
    except (OSError, QdkitError):
        pass  # a cache that cannot be written is no cache; the spectrum is still right
    return spec
