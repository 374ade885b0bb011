"""The record of one built quantum dot: atom positions, elements, coordination, surface and ligand shell.

:class:`Nanocrystal` is made by :func:`qdkit.models.nanocrystal.build`; this module holds the record and its counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qdkit.errors import ModelParameterError
from qdkit.models.materials import MATERIALS, Ligand, ProtonLayer

__all__ = ["Nanocrystal", "readonly"]


def readonly(a):
    """``a`` as a numpy array that cannot be written to (the arrays of a frozen :class:`Nanocrystal`).

    Parameters
    ----------
    a : array_like
        The values; an ndarray is locked in place (no copy).

    Returns
    -------
    numpy.ndarray
        The same values with ``flags.writeable`` False.
    """
    a = np.asarray(a)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Nanocrystal:
    """An atomistic quantum dot (immutable; build it with :func:`build`).

    Attributes
    ----------
    material, structure, faceted : str, str, bool
        What :func:`build` was given (``faceted``: polyhedral rather than spherical cut).
    diameter_nm : float
        Diameter asked for, nm (the cut of the inorganic core, shell excluded).
    positions : ndarray (N, 3)
        Atom positions in Å, centre at the origin.
    elements : ndarray (N,) of str
        Element symbol of each atom.
    coordination, full_coordination : ndarray (N,) of int
        Cation–anion bonds of each atom inside the dot, and the same number in the bulk crystal.
    is_surface, is_shell : ndarray (N,) of bool
        Under-coordinated atoms (coordination < full coordination); metal atoms of the CdX2 (Z-type) shell.
    depth_A : ndarray (N,) of float
        Distance to the nearest surface atom (0 for surface atoms).
    ligand : Ligand or None
        The ligand of the shell (None: bare dot).
    ligand_heads : ndarray (M, 3)
        Positions of the ligand head atoms (carboxylate C, phosphonate P), Å.
    ligand_anchor : ndarray (M,) of int
        Index of the metal atom each ligand binds to.
    proton_layers : tuple of ProtonLayer
        Ligand and solvent protons around the dot as concentric uniform shells.
    """

    material: str
    structure: str
    diameter_nm: float
    faceted: bool
    positions: np.ndarray
    elements: np.ndarray
    coordination: np.ndarray
    full_coordination: np.ndarray
    is_surface: np.ndarray
    is_shell: np.ndarray
    depth_A: np.ndarray
    ligand: Ligand | None = None
    ligand_heads: np.ndarray = field(default_factory=lambda: readonly(np.zeros((0, 3))))
    ligand_anchor: np.ndarray = field(default_factory=lambda: readonly(np.zeros(0, int)))
    proton_layers: tuple[ProtonLayer, ...] = ()

    @property
    def n_atoms(self) -> int:
        """Number of atoms (core, surface and shell; ligands excluded)."""
        return len(self.elements)

    @property
    def radius_A(self) -> np.ndarray:
        """Distance of every atom from the centre, Å."""
        return np.linalg.norm(self.positions, axis=1)

    @property
    def envelope_radius_A(self) -> float:
        """Radius of the outermost atom (shell included), Å."""
        return float(self.radius_A.max())

    def mask(self, element: str) -> np.ndarray:
        """Boolean mask of the atoms of ``element``.

        Parameters
        ----------
        element : str
            Element symbol as in :attr:`elements` (e.g. ``"Cd"``, ``"Se"``).

        Returns
        -------
        numpy.ndarray of bool
            True for the atoms of ``element``, one entry per atom.

        Raises
        ------
        ModelParameterError
            The dot holds no atom of ``element``.
        """
        m = self.elements == element
        if not m.any():
            raise ModelParameterError(f"{self.material} has no {element} atoms; choose one of {sorted(self.counts())}.")
        return m

    def counts(self) -> dict[str, int]:
        """Number of atoms per element.

        Returns
        -------
        dict of str to int
        """
        el, n = np.unique(self.elements, return_counts=True)
        return {str(e): int(k) for e, k in zip(el, n)}

    def surface_counts(self) -> dict[str, int]:
        """Number of under-coordinated (surface) atoms per element.

        Returns
        -------
        dict of str to int
        """
        return {e: int((self.is_surface & (self.elements == e)).sum()) for e in self.counts()}

    def surface_fraction(self, element: str) -> float:
        """Fraction of the atoms of ``element`` that are under-coordinated (surface).

        Parameters
        ----------
        element : str
            Element symbol as in :attr:`elements`.

        Returns
        -------
        float
            Surface atoms of ``element`` / all atoms of ``element``, 0 … 1.

        Raises
        ------
        ModelParameterError
            The dot holds no atom of ``element`` (from :meth:`mask`).
        """
        m = self.mask(element)
        return float(self.is_surface[m].mean())

    @property
    def surface_area_nm2(self) -> float:
        """Area of the sphere of the requested diameter, nm²."""
        return float(np.pi * self.diameter_nm**2)

    def summary(self) -> dict:
        """Counts, surface fractions and ligand numbers as a plain dict.

        Returns
        -------
        dict
            ``material``, ``structure``, ``diameter_nm``, ``faceted``, ``n_atoms``; ``counts``, ``surface_counts``
            and ``surface_fraction`` per element; ``shell_atoms`` (metal atoms of the Z-type shell);
            ``cation_anion_ratio`` (all cation atoms / all anion atoms); ``ligand`` (name or None), ``n_ligands``
            and ``ligands_per_nm2`` (ligands per nm² of the sphere of the requested diameter).
        """
        counts = self.counts()
        cations = [e for e in counts if e in _cations(self.material, self.structure)]
        anions = [e for e in counts if e not in cations]
        ratio = sum(counts[e] for e in cations) / max(1, sum(counts[e] for e in anions))
        return {
            "material": self.material,
            "structure": self.structure,
            "diameter_nm": self.diameter_nm,
            "faceted": self.faceted,
            "n_atoms": self.n_atoms,
            "counts": counts,
            "surface_counts": self.surface_counts(),
            "surface_fraction": {e: self.surface_fraction(e) for e in counts},
            "shell_atoms": int(self.is_shell.sum()),
            "cation_anion_ratio": float(ratio),
            "ligand": None if self.ligand is None else self.ligand.name,
            "n_ligands": int(len(self.ligand_heads)),
            "ligands_per_nm2": float(len(self.ligand_heads) / self.surface_area_nm2),
        }


def _cations(material, structure):
    return MATERIALS[(material, structure)].cations


# --------------------------------------------------------------------------- lattices
