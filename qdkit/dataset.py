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

    Attributes
    ----------
    nucleus : str or None
        Observed isotope, ``"113Cd"``.
    field_T : float or None
        Magnetic field, T.
    larmor_mhz : float or None
        Carrier frequency (Bruker SFO1), MHz.
    reference_mhz : float or None
        Frequency of 0 ppm (Bruker SF = BF1 + SR), MHz.
    sw_hz : float or None
        Spectral width of the direct dimension, Hz.
    td : int or None
        Complex points of the direct dimension as acquired.
    ns : int or None
        Number of scans.
    d1_s : float or None
        Recycle delay, s.
    mas_hz : float or None
        Magic-angle spinning rate, Hz (0 = static).
    contact_ms : float or None
        Cross-polarization contact time, ms.
    temperature_K : float or None
        Sample temperature, K.
    pulprog, title : str or None
        Pulse program name and experiment title.
    microwave : bool or None
        DNP microwaves on (True) or off (False).
    cpmg_echoes : int or None
        Echoes of a CPMG train held in the data.
    cpmg_period_us : float or None
        CPMG echo period, µs.
    o1_hz : float or None
        Carrier offset from the basic frequency (Bruker O1), Hz.
    group_delay_pts : float or None
        Digital-filter group delay, points.
    vendor, source : str or None
        The reader (``"bruker"``, ``"varian"``, ``"jcamp"``, ``"text"`` ...) and the path read.
    ndim : int
        Number of dimensions.
    td_indirect, sw_indirect_hz, nuclei_indirect, larmor_mhz_indirect : tuple
        Points, spectral width (Hz), isotope and carrier (MHz) of each indirect dimension.
    fnmode : str or None
        Quadrature mode of the indirect dimension (Bruker FnMODE name).
    delays_s : tuple of float
        Variable delays of a pseudo-2D series (vdlist, Varian array), s.
    warnings : tuple of str
        Contradictions found in the files and the value kept for each.
    extra : dict
        Anything else a reader found worth keeping.
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

    def replace(self, **changes) -> Meta:
        """A copy with ``changes`` applied (the record is frozen).

        Parameters
        ----------
        **changes
            Field name → new value.

        Returns
        -------
        Meta
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary (tuples become lists).

        Returns
        -------
        dict
        """
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

    Attributes
    ----------
    data : numpy.ndarray
        Complex time-domain data.
    meta : Meta
    procs : dict
        Vendor processing parameters.
    vendor_spectrum : numpy.ndarray or None
        The vendor's processed spectrum.
    raw : dict
        The reader's parameter dictionary.
    recipe : tuple of dict
        Processing steps already applied (e.g. echo co-addition).
    """

    data: np.ndarray
    meta: Meta
    procs: dict[str, Any] = field(default_factory=dict)
    vendor_spectrum: np.ndarray | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    recipe: tuple[dict[str, Any], ...] = ()

    def replace(self, **changes) -> Dataset:
        """A copy with ``changes`` applied (the record is frozen).

        Parameters
        ----------
        **changes
            Field name → new value.

        Returns
        -------
        Dataset
        """
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

    Attributes
    ----------
    data : numpy.ndarray
        Complex spectrum.
    hz : numpy.ndarray
        Offset of each point from the reference frequency, Hz.
    meta : Meta
    recipe : tuple of dict
        Every step from the raw data to this spectrum; replays with :func:`qdkit.process`.
    """

    data: np.ndarray
    hz: np.ndarray
    meta: Meta
    recipe: tuple[dict[str, Any], ...] = ()

    def replace(self, **changes) -> Spectrum:
        """A copy with ``changes`` applied (the record is frozen).

        Parameters
        ----------
        **changes
            Field name → new value.

        Returns
        -------
        Spectrum
        """
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
