"""The data model: a typed metadata record, raw datasets and processed spectra.

Objects are immutable: processing returns new objects and appends itself to ``recipe``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Meta:
    """What qdkit knows about an acquisition, with units in the names.

    Values that a file does not state are ``None``. ``warnings`` lists every place where
    the files contradicted themselves and which value was kept.
    """

    nucleus: str | None = None
    field_T: float | None = None
    larmor_mhz: float | None = None  # carrier frequency (SFO1)
    reference_mhz: float | None = None  # frequency of 0 ppm (Bruker SF / BF1 + SR)
    sw_hz: float | None = None
    td: int | None = None  # complex points in the direct dimension as acquired
    ns: int | None = None
    d1_s: float | None = None
    mas_hz: float | None = None
    contact_ms: float | None = None
    temperature_K: float | None = None
    pulprog: str | None = None
    title: str | None = None
    microwave: bool | None = None
    cpmg_echoes: int | None = None
    cpmg_period_us: float | None = None
    o1_hz: float | None = None
    group_delay_pts: float | None = None
    vendor: str | None = None
    source: str | None = None
    ndim: int = 1
    td_indirect: tuple[int, ...] = ()
    sw_indirect_hz: tuple[float, ...] = ()
    nuclei_indirect: tuple[str, ...] = ()
    larmor_mhz_indirect: tuple[float, ...] = ()  # carrier of each indirect dimension (SFO1 of acqu2s)
    fnmode: str | None = None
    delays_s: tuple[float, ...] = ()
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def replace(self, **changes) -> "Meta":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary (tuples become lists)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out


@dataclass(frozen=True, eq=False)
class Dataset:
    """Time-domain data as read from disk.

    ``data`` is complex; the last axis is the direct dimension. ``procs`` holds the vendor
    processing parameters of the chosen procno (empty if none). ``vendor_spectrum`` is the
    vendor's own processed real spectrum when the folder carries one. ``raw`` is the
    reader's parameter dictionary, kept for advanced users.
    """

    data: np.ndarray
    meta: Meta
    procs: dict[str, Any] = field(default_factory=dict)
    vendor_spectrum: np.ndarray | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    recipe: tuple[dict[str, Any], ...] = ()

    def replace(self, **changes) -> "Dataset":
        return dataclasses.replace(self, **changes)

    @property
    def time_s(self) -> np.ndarray:
        """Acquisition time of each direct-dimension point, seconds."""
        n = self.data.shape[-1]
        return np.arange(n) / float(self.meta.sw_hz)


@dataclass(frozen=True, eq=False)
class Spectrum:
    """A frequency-domain spectrum with its axis.

    ``hz`` is the offset from the reference (0 ppm) frequency and ``ppm = hz /
    meta.reference_mhz``; both run in the order of ``data`` (high ppm first, as plotted).
    """

    data: np.ndarray
    hz: np.ndarray
    meta: Meta
    recipe: tuple[dict[str, Any], ...] = ()

    def replace(self, **changes) -> "Spectrum":
        return dataclasses.replace(self, **changes)

    @property
    def ppm(self) -> np.ndarray:
        return self.hz / float(self.meta.reference_mhz)

    @property
    def real(self) -> np.ndarray:
        return self.data.real

    @property
    def imag(self) -> np.ndarray:
        return self.data.imag
