"""Where qdkit's bundled data live: the repository's ``data/`` folder and its reference sets.

Notebooks, widgets and tests find data through these functions, never through absolute
paths, so that the same notebook runs in a clone, on Binder and under Voilà.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import ReadError

#: Environment variable that overrides where the ``data/`` folder is.
DATA_ENV = "QDKIT_DATA"


def data_dir() -> Path:
    """The repository's ``data/`` folder.

    Looked up, in order: the ``QDKIT_DATA`` environment variable; ``data/`` beside the
    installed (editable) package; ``data/`` in the current folder or any of its parents
    (a notebook started inside ``notebooks/`` finds ``../data``).

    Returns
    -------
    Path

    Raises
    ------
    ReadError
        If no ``data/`` folder with the reference datasets is found.
    """
    env = os.environ.get(DATA_ENV)
    if env:
        path = Path(env).expanduser()
        if path.is_dir():
            return path.resolve()
        raise ReadError(f"{DATA_ENV}={env!r} is not a folder; point it at the repository's data/ folder or unset it.")
    candidates = [Path(__file__).resolve().parents[1] / "data"]
    here = Path.cwd().resolve()
    candidates += [p / "data" for p in (here, *here.parents)]
    for cand in candidates:
        if (cand / "reference").is_dir() or (cand / "README.md").is_file():
            return cand
    raise ReadError(
        "Could not find qdkit's data/ folder (looked beside the qdkit package and in the "
        f"current folder and its parents). Run from inside the repository or set {DATA_ENV}."
    )


def reference_dir() -> Path:
    """Folder of the synthetic reference Bruker datasets (``data/reference``).

    Returns
    -------
    Path
    """
    return data_dir() / "reference"


def real_dir() -> Path:
    """Folder of the bundled real (public, MIT-licensed) datasets (``data/real``).

    Returns
    -------
    Path
    """
    return data_dir() / "real"


#: Environment variable naming the folder of the unbundled (GPL) real datasets.
SHARED_REAL_ENV = "QDKIT_REAL_DATA"


def shared_real_dir() -> Path | None:
    """Folder of the real datasets that may not be bundled (GPL), or ``None`` if absent.

    Looked up: the ``QDKIT_REAL_DATA`` environment variable, then ``shared/data/real``
    beside the repository (or beside any folder above it, or above the current folder).
    Notebooks use it to skip those datasets gracefully where they are not present.

    Returns
    -------
    pathlib.Path or None
        The folder, or ``None`` when it is not there (a plain clone).
    """
    env = os.environ.get(SHARED_REAL_ENV)
    if env:
        path = Path(env).expanduser()
        return path if path.is_dir() else None
    here = Path.cwd().resolve()
    repo = Path(__file__).resolve().parents[1]
    for parent in (repo, *repo.parents, here, *here.parents):
        cand = parent / "shared" / "data" / "real"
        if cand.is_dir():
            return cand
    return None


def reference_index() -> list[dict]:
    """Records of every synthetic reference dataset (``data/reference/index.json``).

    Each record has ``path`` (relative to ``data/reference``), ``figure``, ``label``,
    ``nucleus`` and the series keys that vary across its series (``microwave``,
    ``pore_nm``, ``mas_hz``, ``contact_ms``, ...).

    Returns
    -------
    list of dict

    Raises
    ------
    ReadError
        When the index is missing or unreadable.
    """
    index = reference_dir() / "index.json"
    try:
        return json.loads(index.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReadError(
            f"Cannot read {index}: {exc}. Regenerate it with `python data/make_reference_data.py`."
        ) from None


def reference_dataset(figure: str, **series) -> Path:
    """Path of the reference experiment for ``figure`` whose series keys match ``series``.

    Parameters
    ----------
    figure : str
        The paper's figure, ``"S7"``, ``"2f"`` ...
    **series
        Series keys and values (``mas_hz=12500``, ``microwave=True`` ...).

    Returns
    -------
    Path

    Examples
    --------
    >>> reference_dataset("S7", mas_hz=12500)              # doctest: +SKIP
    PosixPath('.../data/reference/figS7_cdse_113cd_mas_series/2')

    Raises
    ------
    ReadError
        If no record or more than one record matches; the message lists the candidates.
    """
    records = [r for r in reference_index() if r["figure"].lower() == str(figure).lower()]
    matches = [r for r in records if all(r.get(k) == v for k, v in series.items())]
    if len(matches) != 1:
        listing = (
            "; ".join(f"{r['path']} ({', '.join(f'{k}={r[k]}' for k in r.get('series_keys', []))})" for r in records)
            or "none"
        )
        what = "No" if not matches else "More than one"
        raise ReadError(
            f"{what} reference dataset for figure {figure!r} matches {series}. Datasets for that figure: {listing}."
        )
    return reference_dir() / matches[0]["path"]
