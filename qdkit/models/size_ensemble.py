"""Surface fractions of a quantum-dot sample averaged over its size distribution.

A tabulated count of surface and total atoms per element for every diameter of a fine grid
turns the jumpy single-dot surface fraction into a smooth, monotonic sample average.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from qdkit.errors import ModelParameterError
from qdkit.models.materials import DEFAULT_STRUCTURE, MATERIALS

__all__ = [
    "GRID_DIAMETERS_NM",
    "SIZE_SPREAD_RANGE",
    "TABLE_KEYS",
    "TABLE_PATH",
    "count_table",
    "ensemble_counts",
    "ensemble_surface_fraction",
    "size_weights",
    "table_key",
]

#: Where the precomputed counts live (regenerate with ``python data/make_size_ensemble_table.py``).
TABLE_PATH = Path(__file__).with_name("size_ensemble_table.json")

#: Diameters of the table: 1.5–16 nm in 1 % geometric steps. With the default 8 % spread a
#: sample's distribution then spans ~8 grid points per standard deviation, so the weighted
#: average is smooth in the mean diameter although each single cut is piecewise constant.
GRID_DIAMETERS_NM = np.round(np.geomspace(1.5, 16.0, 239), 4)

#: Relative size spreads (σ of ln D) the table resolves: below 2 % the grid is too coarse,
#: above 25 % a sample is no longer a colloidal QD batch (5–10 % is typical: Murray, Norris
#: & Bawendi, JACS 115, 8706 (1993)).
SIZE_SPREAD_RANGE = (0.02, 0.25)

#: (material, structure, termination) of the tables in the file: every material's default
#: termination, and the stoichiometric core that the CdX2/PbX2 shell model grows on.
TABLE_KEYS = [(m, s, "stoichiometric" if s == "perovskite" else "cation_rich") for (m, s) in MATERIALS]
TABLE_KEYS += [(m, s, "stoichiometric") for (m, s) in MATERIALS if s != "perovskite"]


def table_key(material, structure, termination) -> str:
    """Key of one table in :data:`TABLE_PATH`.

    Parameters
    ----------
    material, structure, termination : str
        E.g. ``"InP"``, ``"zincblende"``, ``"cation_rich"`` (see :data:`TABLE_KEYS`).

    Returns
    -------
    str
        ``"material|structure|termination"``.
    """
    return f"{material}|{structure}|{termination}"


def _resolve(material: str, structure: str | None, termination: str | None):
    structure = structure or DEFAULT_STRUCTURE.get(material)
    if (material, structure) not in MATERIALS:
        known = ", ".join(f"{m} ({s})" for m, s in MATERIALS)
        raise ModelParameterError(f"no nanocrystal model for {material!r} in structure {structure!r}; known: {known}.")
    if termination is None:
        termination = "stoichiometric" if structure == "perovskite" else "cation_rich"
    return material, structure, termination


@functools.lru_cache(maxsize=1)
def _load() -> dict:
    try:
        return json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelParameterError(
            f"The size-ensemble table {TABLE_PATH} is missing ({exc}); regenerate it with "
            "`python data/make_size_ensemble_table.py`."
        ) from exc


@functools.lru_cache(maxsize=64)
def count_table(material: str, element: str, *, structure: str | None = None, termination: str | None = None):
    """(diameters_nm, total, surface) arrays of the tabulated single-dot counts of ``element``.

    Parameters
    ----------
    material, element : str
        E.g. ``"InP", "P"``.
    structure, termination : str, optional
        As for :func:`qdkit.nanocrystal.build` (default: the material's usual structure and termination).

    Returns
    -------
    diameters_nm, total, surface : ndarray
        Grid diameters and the number of all and of surface ``element`` atoms of each single dot (read-only).

    Raises
    ------
    ModelParameterError
        Unknown material or structure, a termination not tabulated, no ``element`` atoms in the material, or the
        table file missing.
    """
    material, structure, termination = _resolve(material, structure, termination)
    doc = _load()
    table = doc["tables"].get(table_key(material, structure, termination))
    if table is None:
        raise ModelParameterError(
            f"no tabulated size ensemble for {material} ({structure}) with {termination} "
            "termination; the table holds each material's default termination and the "
            "stoichiometric cores of the shell model."
        )
    if element not in table:
        raise ModelParameterError(f"{material} has no {element} atoms; choose one of {sorted(table)}.")
    d = np.asarray(doc["diameters_nm"], float)
    total = np.asarray(table[element]["total"], float)
    surface = np.asarray(table[element]["surface"], float)
    for a in (d, total, surface):
        a.flags.writeable = False
    return d, total, surface


def size_weights(diameter_nm: float, size_spread: float, grid_nm=GRID_DIAMETERS_NM):
    """Number fraction of dots at each grid diameter for a lognormal size distribution.

    p(D) ∝ exp(−(ln D − ln D̄)²/2s²) per unit ln D, s = ``size_spread`` (the relative
    standard deviation σ_D/D̄ for small s); the geometric grid has equal steps in ln D, so
    the weights need no Jacobian. Cut at ±4 s and normalised to sum 1.

    Parameters
    ----------
    diameter_nm : float
        Median diameter D̄, nm.
    size_spread : float
        s, within :data:`SIZE_SPREAD_RANGE`.
    grid_nm : array
        Geometric grid of diameters, nm (default :data:`GRID_DIAMETERS_NM`).

    Returns
    -------
    ndarray
        Weight of each grid diameter, summing to 1.

    Raises
    ------
    ModelParameterError
        If the spread is outside :data:`SIZE_SPREAD_RANGE` or the distribution leaves the
        table (D̄·e^{±2s} outside 1.5–16 nm).
    """
    s = float(size_spread)
    lo, hi = SIZE_SPREAD_RANGE
    if not lo <= s <= hi:
        raise ModelParameterError(
            f"size_spread={size_spread} is outside {lo}–{hi} (the relative width of the size "
            "distribution; colloidal QD batches have 0.05–0.10)."
        )
    d = float(diameter_nm)
    grid = np.asarray(grid_nm, float)
    if not (np.isfinite(d) and grid[0] <= d * np.exp(-2 * s) and d * np.exp(2 * s) <= grid[-1]):
        raise ModelParameterError(
            f"A {diameter_nm} nm sample with a {s:.0%} size spread leaves the tabulated "
            f"{grid[0]:g}–{grid[-1]:g} nm; choose a mean diameter of "
            f"{grid[0] * np.exp(2 * s):.1f}–{grid[-1] * np.exp(-2 * s):.1f} nm."
        )
    z = (np.log(grid) - np.log(d)) / s
    w = np.where(np.abs(z) <= 4.0, np.exp(-0.5 * z**2), 0.0)
    return w / w.sum()


def ensemble_counts(
    material: str,
    element: str,
    diameter_nm: float,
    *,
    size_spread: float = 0.08,
    structure: str | None = None,
    termination: str | None = None,
):
    """Mean (surface, total) atoms of ``element`` per dot over the size distribution.

    Σ_D p(D) n(D) with p(D) from :func:`size_weights` and the counts of :func:`count_table`.

    Parameters
    ----------
    material, element, diameter_nm, size_spread, structure, termination
        As for :func:`ensemble_surface_fraction`.

    Returns
    -------
    surface, total : float
        Mean number of surface and of all ``element`` atoms per dot.
    """
    d, total, surface = count_table(material, element, structure=structure, termination=termination)
    w = size_weights(diameter_nm, size_spread, d)
    return float(w @ surface), float(w @ total)


def ensemble_surface_fraction(
    material: str,
    element: str,
    diameter_nm: float,
    *,
    size_spread: float = 0.08,
    structure: str | None = None,
    termination: str | None = None,
) -> float:
    """Fraction of the ``element`` atoms of a sample that sit at the surface.

    f(D̄) = Σ_D p(D) n_surf(D) / Σ_D p(D) n_tot(D): every dot counts with its number of
    atoms, as an NMR integral counts atoms. p(D) is the lognormal size distribution of
    :func:`size_weights` and n_surf, n_tot the under-coordinated and all atoms of single
    dots from :func:`qdkit.models.nanocrystal.build` (tabulated on 1 % steps, 1.5–16 nm). A single
    cut jumps between magic sizes (InP surface P: 0.35 at 2.9 nm, 0.27 at 3.0 nm, 0.22 at
    3.1 nm); the sample average falls smoothly and monotonically with D̄.

    Parameters
    ----------
    material, element : str
        E.g. ``"InP", "P"``; ``"CdSe", "Cd"``.
    diameter_nm : float
        Median diameter of the sample (of the inorganic core), nm.
    size_spread : float
        Relative width s of the lognormal distribution (σ of ln D; 8 % is typical of
        colloidal QDs: Murray, Norris & Bawendi, JACS 115, 8706 (1993)).
    structure, termination : str, optional
        As for :func:`qdkit.nanocrystal.build`.

    Returns
    -------
    float
    """
    surf, tot = ensemble_counts(
        material, element, diameter_nm, size_spread=size_spread, structure=structure, termination=termination
    )
    return surf / tot
