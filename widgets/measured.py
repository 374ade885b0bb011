"""Measured traces for the explorers: the paper's reference series, or the user's own data.

A *series* is a set of reference datasets of one figure that differ in one setting (MAS
rates of Fig. S7, contact times of Fig. S3, pore sizes of Fig. 2f, microwave on/off); the
explorer shows the one nearest to the current slider value. The reference datasets are
synthetic (rebuilt from the paper's parameters) and always labelled so on the plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qdkit.dataset import Dataset, Spectrum
from qdkit.errors import QdkitError

from .errors import WidgetError

#: series key in the reference index → explorer control that selects along it
SERIES_CONTROLS = {"mas_hz": "mas_hz", "contact_ms": "contact_ms", "pore_nm": "pore_nm", "microwave": None}


@dataclass(frozen=True)
class MeasuredTrace:
    """A processed spectrum ready to plot, with where it came from."""

    ppm: np.ndarray
    intensity: np.ndarray
    label: str
    synthetic: bool
    spectrum: Spectrum | None = None


@dataclass(frozen=True)
class Series:
    """Reference datasets of one figure, ordered along the setting ``key``."""

    figure: str
    key: str
    records: tuple[dict, ...]

    @property
    def name(self) -> str:
        what = {
            "mas_hz": "spin rate",
            "contact_ms": "contact time",
            "pore_nm": "pore size",
            "microwave": "microwave on/off",
        }.get(self.key, self.key)
        return f"Fig. {self.figure}: {what}"

    def nearest(self, settings) -> dict:
        """Record whose ``key`` value is nearest the explorer's current setting.

        Pore sizes compare on a log scale (3 nm vs 7 nm matters as much as 100 vs 250 nm);
        "no silica" picks the record without silica when the series has one. Records are
        taken with microwaves on or off as the explorer's microwave switch says, when the
        series has both.
        """
        wanted = bool(getattr(settings, "microwave", True))
        records = [r for r in self.records if bool(r.get("microwave")) == wanted]
        records = records or list(self.records)
        if self.key == "microwave":
            return records[0]
        value = getattr(settings, self.key)
        if self.key == "pore_nm":
            bulk = [r for r in records if not r.get("pore_nm")]
            silica = [r for r in records if r.get("pore_nm")]
            if value is None:
                return (bulk or silica)[0]
            if not silica:
                return bulk[0]
            return min(silica, key=lambda r: abs(math.log(r["pore_nm"]) - math.log(value)))
        return min(records, key=lambda r: abs(float(r[self.key]) - float(value)))


def reference_series(material: str, nucleus: str) -> list[Series]:
    """Every reference series for this material and nucleus (empty if none is bundled)."""
    from qdkit import paths

    try:
        index = paths.reference_index()
    except QdkitError:
        return []
    mat = material.lower()
    groups: dict[tuple[str, str], list[dict]] = {}
    for rec in index:
        if rec.get("nucleus") != nucleus:
            continue
        if mat not in str(rec.get("sample", "")).lower() + str(rec.get("label", "")).lower():
            continue
        keys = [k for k in rec.get("series_keys", []) if k in SERIES_CONTROLS]
        if len(keys) > 1 and "microwave" in keys:  # e.g. pore series measured on and off
            keys.remove("microwave")
        for key in keys:
            groups.setdefault((rec["figure"], key), []).append(rec)
    return [Series(fig, key, tuple(recs)) for (fig, key), recs in sorted(groups.items()) if len(recs) >= 1]


def load_trace(
    source, label: str | None = None, synthetic: bool | None = None, *, autophase: bool = False
) -> MeasuredTrace:
    """Read and process a dataset (path, ``Dataset`` or ``Spectrum``) into a plottable trace.

    Paths and datasets get qdkit's default processing (a path's result is kept in qdkit's
    cache, :mod:`qdkit.io.cache`, so the next kernel loads it instead of decoding it); ``autophase`` adds qdkit's automatic
    zero-order phase on top (the bundled reference datasets are stored unphased, like a
    fresh acquisition). A ``Spectrum`` is shown as it is.

    Raises
    ------
    WidgetError
        When the source is of a kind the explorer cannot show; reading and processing
        errors arrive as the ``QdkitError`` that qdkit raised.
    """
    import qdkit
    from qdkit import processing
    from qdkit.io.cache import processed

    if isinstance(source, (str, Path)):
        path = Path(source)
        spec = processed(path)  # qdkit.process(qdkit.read(path)), kept between sessions
        label = label or path.name
    elif isinstance(source, Dataset):
        spec = qdkit.process(source)
    elif isinstance(source, Spectrum):
        spec = source
    else:
        raise WidgetError(
            f"measured= must be a dataset folder path, a qdkit Dataset or a processed "
            f"Spectrum; got {type(source).__name__}."
        )
    if autophase and not isinstance(source, Spectrum):
        spec = processing.autophase(spec)
    if spec.data.ndim != 1:
        raise WidgetError(
            "The explorer plots 1D spectra; process a 2D dataset to a projection first (see qdkit.processing)."
        )
    if synthetic is None:
        title = (spec.meta.title or "") + " " + str(spec.meta.source or "")
        synthetic = "synthetic" in title.lower()
    intensity = np.asarray(spec.real, dtype=float)
    peak = float(np.max(np.abs(intensity))) if intensity.size else 0.0
    if not math.isfinite(peak) or peak == 0:
        raise WidgetError(
            f"The measured spectrum {label or ''} is empty or all zero; check the dataset and its processing."
        )
    return MeasuredTrace(
        np.asarray(spec.ppm, dtype=float),
        intensity / peak,
        label or (spec.meta.title or "your dataset"),
        bool(synthetic),
        spec,
    )
