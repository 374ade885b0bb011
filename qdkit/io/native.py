"""qdkit's own file format: one ``.npz`` (no pickles) with the arrays and a JSON header."""

from __future__ import annotations

import dataclasses
import io as io_module
import json
import os
from pathlib import Path

import numpy as np

from qdkit.dataset import Dataset, Meta, Spectrum
from qdkit.errors import ReadError

__all__ = [
    "NATIVE_SUFFIX",
    "NATIVE_VERSION",
    "save",
    "load_native",
]


#: qdkit's own format: one ``.npz`` (no pickles) with the arrays and a JSON header.
NATIVE_SUFFIX = ".qdkit.npz"
NATIVE_VERSION = 1


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

    Parameters
    ----------
    obj : Dataset or Spectrum
        What to save.
    path : str or path-like
        Target file; ``.qdkit.npz`` is appended when the name does not end with it.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The file written.
    """
    from qdkit.app import output

    p = Path(path)
    if not p.name.endswith(NATIVE_SUFFIX):
        p = p.with_name(p.name + NATIVE_SUFFIX)
    kind = "dataset" if isinstance(obj, Dataset) else "spectrum"
    header = {
        "format": "qdkit",
        "version": NATIVE_VERSION,
        "kind": kind,
        "meta": obj.meta.to_dict(),
        "recipe": list(obj.recipe),
    }
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


def load_native(p: Path) -> Dataset | Spectrum:
    """Load a ``*.qdkit.npz`` file written by :func:`save`.

    Parameters
    ----------
    p : Path
        The file.

    Returns
    -------
    Dataset or Spectrum
        Whatever was saved, with its metadata and recipe.

    Raises
    ------
    ReadError
        For a damaged file, one from another program, or one written by a newer qdkit.
    """
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
        return Dataset(
            data=arrays["data"],
            meta=meta,
            procs=header.get("procs", {}),
            vendor_spectrum=arrays.get("vendor_spectrum"),
            recipe=recipe,
        )
    return Spectrum(data=arrays["data"], hz=arrays["hz"], meta=meta, recipe=recipe)
