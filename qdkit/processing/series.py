"""Pseudo-2D series (variable delay or contact time): phase cycles, delay lists, per-row integrals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from qdkit.dataset import Dataset, Spectrum
from qdkit.errors import ProcessingError
from qdkit.io import read
from qdkit.processing.measure import integrate
from qdkit.processing.pipeline import process

__all__ = [
    "pulse_program_phase_lists",
    "cycle_phases_deg",
    "combine_phase_cycle",
    "collapse_phase_cycle",
    "series_delays_s",
    "split_series",
    "series_integrals",
    "contact_series",
]


# --- pseudo-2D series ----------------------------------------------------------------


def pulse_program_phase_lists(folder) -> dict[str, list[float]]:
    """Phase lists (``ph1=0 1 2 3`` …) of a Bruker ``pulseprogram``, in degrees.

    Bruker writes phases in units of 90° unless a list states another unit; only the
    plain form is read here (enough to know a phase-cycle dimension stored row by row).

    Parameters
    ----------
    folder : str or Path
        The experiment folder holding ``pulseprogram``.

    Returns
    -------
    dict
        List name (``"ph1"``) → phases in degrees.

    Raises
    ------
    ProcessingError
        When the folder has no ``pulseprogram``.
    """
    import re
    from pathlib import Path

    path = Path(folder) / "pulseprogram"
    if not path.is_file():
        raise ProcessingError(f"{path} not found; give the phases of the cycle explicitly.")
    lists: dict[str, list[float]] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        m = re.match(r"\s*(ph\d+)\s*=\s*([0-9\s]+?)\s*(;.*)?$", line)
        if m:
            lists[m.group(1)] = [90.0 * int(v) for v in m.group(2).split()]
    return lists


def cycle_phases_deg(pulse_phases_deg, receiver_phases_deg=None) -> list[float]:
    """Phase of each phase-cycle row's signal in qdkit's spectra, from the pulse program.

    A pulse phase φp with receiver phase φr turns the signal by −(φp − φr) on the
    frequency axis of :func:`qdkit.processing.ft` (which conjugates Bruker's raw data).
    E.g. ``ph1 = 0 1 2 3`` with ``ph31 = 0`` gives 0, 270, 180, 90°.

    Parameters
    ----------
    pulse_phases_deg : sequence of float
        The pulse's phase at each step, degrees.
    receiver_phases_deg : sequence of float, optional
        The receiver's phase at each step (default 0).

    Returns
    -------
    list of float
        Degrees, in [0, 360).

    Raises
    ------
    ProcessingError
        When the two lists differ in length.
    """
    pulse = np.asarray(pulse_phases_deg, dtype=float)
    rx = np.zeros_like(pulse) if receiver_phases_deg is None else np.asarray(receiver_phases_deg, dtype=float)
    if rx.shape != pulse.shape:
        raise ProcessingError(f"{pulse.size} pulse phases but {rx.size} receiver phases.")
    return [float(v) for v in np.mod(-(pulse - rx), 360.0)]


def combine_phase_cycle(data: np.ndarray, phases_deg) -> np.ndarray:
    """Add phase-cycle steps stored as separate rows (second-to-last axis = steps).

    ``phases_deg`` is the phase of each row's signal in qdkit's spectra
    (:func:`cycle_phases_deg` derives it from the pulse program); row k is multiplied by
    exp(−iφk) so that all rows add in phase. (On the DNPLab ``jf_zg_ph`` sets, ph1 =
    0 1 2 3 with ph31 = 0 gives φ = 0, 270, 180, 90°: the four rows add to 3.4× one row;
    the opposite sense leaves 0.8×.)

    Parameters
    ----------
    data : numpy.ndarray
        Rows of one cycle on the second-to-last axis.
    phases_deg : sequence of float
        One phase per row.

    Returns
    -------
    numpy.ndarray
        The sum, with the step axis removed.

    Raises
    ------
    ProcessingError
        When the number of phases does not match the rows.
    """
    rows = np.asarray(data)
    phases = np.asarray(phases_deg, dtype=float)
    if rows.shape[-2] != phases.size:
        raise ProcessingError(f"{phases.size} phases given for {rows.shape[-2]} phase-cycle rows.")
    return np.tensordot(np.exp(-1j * np.deg2rad(phases)), rows, axes=([0], [-2]))


def collapse_phase_cycle(ds: Dataset, *, phases_deg) -> Dataset:
    """A 1D dataset from a ser whose rows are the steps of a phase cycle (see
    :func:`combine_phase_cycle`); ``meta.ns`` is multiplied by the number of steps.

    Parameters
    ----------
    ds : Dataset
        2D data, one row per step.
    phases_deg : sequence of float
        One phase per row.

    Returns
    -------
    Dataset

    Raises
    ------
    ProcessingError
        For data that is not 2D.
    """
    data = np.asarray(ds.data)
    if data.ndim != 2:
        raise ProcessingError(f"A phase-cycle ser has 2D data (steps × points), got shape {data.shape}.")
    fid = combine_phase_cycle(data, phases_deg)
    ns = ds.meta.ns * data.shape[0] if ds.meta.ns else None
    meta = ds.meta.replace(ndim=1, td_indirect=(), sw_indirect_hz=(), fnmode=None, ns=ns)
    return ds.replace(data=fid, meta=meta)


def series_delays_s(ds: Dataset) -> tuple[float, ...]:
    """The variable delays of a pseudo-2D series: ``meta.delays_s`` (vdlist, Varian array).

    Parameters
    ----------
    ds : Dataset
        A pseudo-2D series.

    Returns
    -------
    tuple of float
        Seconds, one per row.

    Raises
    ------
    ProcessingError
        When the dataset carries no delay list.
    """
    if ds.meta.delays_s:
        return tuple(float(v) for v in ds.meta.delays_s)
    raise ProcessingError(
        "This dataset carries no delay list (no vdlist / arrayed delay). Pass delays_s= "
        "to split_series with one delay per row."
    )


def split_series(
    ds: Dataset,
    *,
    delays_s=None,
    cycle_phases_deg=None,
) -> list[Dataset]:
    """Split a pseudo-2D series into one 1D dataset per delay.

    Parameters
    ----------
    ds : Dataset
        2D data, one row per delay (Bruker ser with vdlist, Varian arrayed fid). If the
        rows are a whole multiple m of the delays, the series has a phase-cycle dimension
        stored row by row (the m steps of one delay next to each other); they are added
        by :func:`combine_phase_cycle` with the row phases ``cycle_phases_deg``.
    delays_s : sequence of float, optional
        Defaults to :func:`series_delays_s`.
    cycle_phases_deg : sequence of float, optional
        Row phases of a phase cycle stored row by row (see :func:`cycle_phases_deg`).

    Returns
    -------
    list of Dataset
        1D datasets; ``meta.delays_s`` holds the one delay of each.

    Raises
    ------
    ProcessingError
        When the rows do not match the delays (or a stored phase cycle lacks its phases).
    """
    data = np.asarray(ds.data)
    if data.ndim != 2:
        raise ProcessingError(f"A pseudo-2D series has 2D data (rows × points), got shape {data.shape}.")
    delays = tuple(float(v) for v in (delays_s if delays_s is not None else series_delays_s(ds)))
    rows = data.shape[0]
    if rows == len(delays):
        fids = data
    elif len(delays) and rows % len(delays) == 0:
        m = rows // len(delays)
        if cycle_phases_deg is None or len(cycle_phases_deg) != m:
            raise ProcessingError(
                f"{rows} rows for {len(delays)} delays: {m} phase-cycle steps per delay are stored "
                f"separately. Pass cycle_phases_deg= with the {m} row phases (qdkit.twod.cycle_phases_deg "
                "turns the pulse program's phase lists into them)."
            )
        fids = combine_phase_cycle(data.reshape(len(delays), m, -1), cycle_phases_deg)
    else:
        raise ProcessingError(
            f"The series has {rows} rows but {len(delays)} delays; the delay list does not match "
            "the data (check vdlist / the arrayed parameter)."
        )
    out = []
    for d, fid in zip(delays, fids):
        meta = ds.meta.replace(ndim=1, td_indirect=(), sw_indirect_hz=(), fnmode=None, delays_s=(d,))
        out.append(Dataset(data=np.asarray(fid), meta=meta, procs=ds.procs, raw=ds.raw, recipe=ds.recipe))
    return out


def series_integrals(
    ds: Dataset,
    *,
    region_ppm,
    recipe: list[dict[str, Any]] | None = None,
    delays_s=None,
    cycle_phases_deg=None,
) -> tuple[np.ndarray, np.ndarray, list[Spectrum]]:
    """Integrals of every spectrum of a pseudo-2D series, with one common phase.

    Every row is processed with the same recipe. When no recipe is given, qdkit's default
    1D recipe is resolved on the row with the largest signal (the most relaxed one) and
    replayed on all rows: the phase is then common, so rows with inverted magnetization
    (inversion recovery) integrate negative instead of being phased positive one by one.

    Parameters
    ----------
    ds : Dataset
        A pseudo-2D series.
    region_ppm : (float, float)
        Region to integrate.
    recipe : list of dict, optional
        Processing of every row (default: resolved on the strongest row, see above).
    delays_s, cycle_phases_deg : optional
        As for :func:`split_series`.

    Returns
    -------
    delays_s : ndarray
    integrals : ndarray
        Real integrals over ``region_ppm`` (:func:`qdkit.processing.integrate`).
    spectra : list of Spectrum
    """
    rows = split_series(ds, delays_s=delays_s, cycle_phases_deg=cycle_phases_deg)
    if recipe is None:
        strongest = max(rows, key=lambda r: float(np.sum(np.abs(r.data) ** 2)))
        recipe = list(process(strongest.replace(procs={})).recipe)
    spectra = [process(r, recipe) for r in rows]
    delays = np.array([r.meta.delays_s[0] for r in rows])
    integrals = np.array([integrate(s, region_ppm) for s in spectra])
    return delays, integrals, spectra


def _vplist_ms(entries) -> tuple[float, ...] | None:
    """Contact times of a Bruker vplist whose entries carry units (u, m, s)."""
    scale = {"u": 1e-3, "m": 1.0, "s": 1e3}
    out = []
    for e in entries:
        e = str(e).strip().lower()
        if not e or e[-1] not in scale:
            return None
        try:
            out.append(float(e[:-1]) * scale[e[-1]])
        except ValueError:
            return None
    return tuple(out)


def contact_series(spectra, contact_ms=None, *, recipe=None) -> tuple[list[Spectrum], np.ndarray]:
    """Processed spectra and contact times (ms) of a variable-contact-time series.

    Parameters
    ----------
    spectra : Spectrum, Dataset, path, or a sequence of them
        Processed spectra; 1D datasets (one per contact time, e.g. a list of expnos read with
        :func:`qdkit.read`); or one pseudo-2D series whose rows are the contact times
        (Bruker ser with a vdlist or a vplist with units, Varian array).
    contact_ms : sequence of float, optional
        One per spectrum. Default: each spectrum's ``meta.contact_ms`` (Bruker P15), or the
        series' vdlist / vplist.
    recipe : list, optional
        Processing recipe for datasets. Default: qdkit's recipe resolved on the strongest
        spectrum and replayed on all, so every spectrum shares one phase.

    Returns
    -------
    spectra : list of Spectrum
    contact_ms : ndarray

    Raises
    ------
    ProcessingError
        If the series is empty, holds something else than spectra, datasets or paths, or
        the contact times are missing, of the wrong number or not positive.
    """
    items = [spectra] if isinstance(spectra, (Spectrum, Dataset, str, Path)) else list(spectra)
    if not items:
        raise ProcessingError("The contact series is empty; give at least two spectra.")
    rows: list = []
    series_ms: list[float] = []
    for item in items:
        if isinstance(item, (str, Path)):
            item = read(item)
        if isinstance(item, Dataset) and np.ndim(item.data) == 2:
            vp = _vplist_ms(item.meta.extra.get("vplist", ()))
            delays = None
            if item.meta.delays_s:
                series_ms += [1e3 * d for d in item.meta.delays_s]
            elif vp:
                series_ms += list(vp)
                delays = [v * 1e-3 for v in vp]
            elif contact_ms is not None:
                delays = [1e-3 * float(v) for v in contact_ms][len(rows) :]
            rows += split_series(item, delays_s=delays)
        elif isinstance(item, (Dataset, Spectrum)):
            rows.append(item)
            if item.meta.contact_ms is not None:
                series_ms.append(float(item.meta.contact_ms))
        else:
            raise ProcessingError(
                f"A contact series holds processed Spectrum objects, datasets from qdkit.read or "
                f"paths; got {type(item).__name__}."
            )
    datasets = [r for r in rows if isinstance(r, Dataset)]
    if datasets and recipe is None:
        strongest = max(datasets, key=lambda r: float(np.sum(np.abs(r.data) ** 2)))
        recipe = list(process(strongest.replace(procs={})).recipe)
    out = [process(r, recipe) if isinstance(r, Dataset) else r for r in rows]
    if contact_ms is None:
        if len(series_ms) != len(out):
            raise ProcessingError(
                "The contact times are not in the data (no P15 contact time per spectrum and no "
                "vdlist/vplist with units); pass contact_ms= with one time per spectrum."
            )
        contact_ms = series_ms
    t = np.asarray(contact_ms, float).ravel()
    if t.size != len(out):
        raise ProcessingError(f"{t.size} contact times for {len(out)} spectra; give one per spectrum.")
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ProcessingError("Contact times must be positive numbers of milliseconds.")
    return out, t
