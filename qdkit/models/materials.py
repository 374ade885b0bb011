"""Materials and ligands the nanocrystal model knows: lattices, bonds, ligand geometry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "TCE_H_PER_A3",
    "HYDROCARBON_H_PER_A3",
    "Material",
    "MATERIALS",
    "DEFAULT_STRUCTURE",
    "Ligand",
    "LIGANDS",
    "ProtonLayer",
]


#: Proton density of frozen 1,1,2,2-tetrachloroethane (TCE, C2H2Cl4, 1.59 g/cm³, 167.85 g/mol),
#: the DNP solvent of the paper: 5.70 molecules/nm³ × 2 H = 0.0114 H/Å³.
TCE_H_PER_A3 = 0.0114
#: Proton density of a densely packed hydrocarbon (crystalline polyethylene, 1.0 g/cm³, CH2):
#: 0.086 H/Å³. Ligand chains cannot be packed more densely than this near the surface.
HYDROCARBON_H_PER_A3 = 0.086


@dataclass(frozen=True)
class Material:
    """A crystal structure with its lattice constants.

    Attributes
    ----------
    name : str
        Formula, e.g. ``"InP"``.
    structure : str
        ``"zincblende"``, ``"wurtzite"``, ``"rocksalt"`` or ``"perovskite"``.
    a_A, c_A : float
        Lattice constants in Å (``c_A`` only for wurtzite).
    u : float
        Wurtzite internal parameter: the cation–anion bond along c is u·c (ideal 3/8).
    cations, anions : tuple of str
        Element symbols; coordination counts cation–anion bonds only.
    bond_cutoff_A : float
        Cation–anion neighbour cutoff (between the first and second coordination shells).
    """

    name: str
    structure: str
    a_A: float
    cations: tuple[str, ...]
    anions: tuple[str, ...]
    c_A: float | None = None
    u: float = 0.375

    @property
    def bond_A(self) -> float:
        """Nearest cation–anion distance of the ideal lattice, Å."""
        a = self.a_A
        if self.structure == "zincblende":
            return a * np.sqrt(3.0) / 4.0
        if self.structure == "wurtzite":
            return self.u * self.c_A
        if self.structure == "rocksalt":
            return a / 2.0
        # perovskite ABX3: the longest bond counted is A–X (Cs–Br, a/√2)
        return a / np.sqrt(2.0)

    @property
    def bond_cutoff_A(self) -> float:
        """Cation–anion neighbour cutoff, Å: 1.15 × the bond (perovskite: between A–X and A–B)."""
        if self.structure == "perovskite":
            # Pb–Br a/2 and Cs–Br a/√2 are bonds; Cs–Pb (a√3/2) is not counted (cation–cation).
            return 0.5 * (self.a_A / np.sqrt(2.0) + self.a_A * np.sqrt(3.0) / 2.0)
        return 1.15 * self.bond_A


#: Lattice constants (room temperature): ZB-CdSe 6.077 Å, InP 5.869 Å, CdTe 6.481 Å,
#: WZ-CdSe a 4.30 / c 7.01 Å, PbSe 6.124 Å, PbTe 6.462 Å (Madelung, Semiconductors: Data
#: Handbook, 2004); cubic CsPbBr3 5.87 Å (Protesescu et al., Nano Lett. 15, 3692 (2015)).
MATERIALS: dict[tuple[str, str], Material] = {
    ("CdSe", "zincblende"): Material("CdSe", "zincblende", 6.077, ("Cd",), ("Se",)),
    ("CdSe", "wurtzite"): Material("CdSe", "wurtzite", 4.30, ("Cd",), ("Se",), c_A=7.01),
    ("InP", "zincblende"): Material("InP", "zincblende", 5.869, ("In",), ("P",)),
    ("CdTe", "zincblende"): Material("CdTe", "zincblende", 6.481, ("Cd",), ("Te",)),
    ("PbSe", "rocksalt"): Material("PbSe", "rocksalt", 6.124, ("Pb",), ("Se",)),
    ("PbTe", "rocksalt"): Material("PbTe", "rocksalt", 6.462, ("Pb",), ("Te",)),
    ("CsPbBr3", "perovskite"): Material("CsPbBr3", "perovskite", 5.87, ("Cs", "Pb"), ("Br",)),
}
DEFAULT_STRUCTURE = {
    "CdSe": "zincblende",
    "InP": "zincblende",
    "CdTe": "zincblende",
    "PbSe": "rocksalt",
    "PbTe": "rocksalt",
    "CsPbBr3": "perovskite",
}


@dataclass(frozen=True)
class Ligand:
    """A capping ligand as the CP and D-HMQC models see it.

    Attributes
    ----------
    name : str
        Key in :data:`LIGANDS`, e.g. ``"oleate"``.
    head : str
        Element of the binding head-group atom that the models place explicitly
        (``"C"`` of a carboxylate, ``"P"`` of a phosphonate, ``"N"`` of an amine).
    protons_per_ligand : int
        Protons of one ligand molecule (oleate C17H33COO⁻: 33).
    length_nm : float
        Extended length of the ligand = thickness of the ligand shell (the paper: 1.5–2.5 nm).
    ligands_per_nm2 : float
        Default surface coverage.
    metal_head_A : float
        Distance from the binding metal to the head atom (Cd···C of a chelating or bridging
        carboxylate 2.7–3.3 Å in cadmium carboxylate crystal structures; 2.9 Å taken).
    proton_gap_A : float
        Distance from the outermost metal layer to the first ligand protons (α-CH2 of a
        carboxylate: M–O 2.3 Å + O–C 1.26 Å + C–Cα 1.5 Å, projected, minus the C–H reach ≈ 3 Å).
    """

    name: str
    head: str
    protons_per_ligand: int
    length_nm: float
    ligands_per_nm2: float
    metal_head_A: float
    proton_gap_A: float = 3.0


#: Coverages: 3–5 carboxylates/nm² on CdSe (Fritzinger et al., JACS 132, 10195 (2010);
#: Anderson et al., JACS 135, 18536 (2013)); 4.0 nm⁻² taken for carboxylates and phosphonates.
LIGANDS: dict[str, Ligand] = {
    "oleate": Ligand("oleate", "C", 33, 2.1, 4.0, 2.9),
    "myristate": Ligand("myristate", "C", 27, 1.8, 4.0, 2.9),
    "phosphonate": Ligand("phosphonate", "P", 29, 1.9, 4.0, 3.3),  # tetradecylphosphonate
    "oleylamine": Ligand("oleylamine", "N", 37, 2.0, 2.0, 2.3, proton_gap_A=2.5),
}


@dataclass(frozen=True)
class ProtonLayer:
    """A spherical shell r_in ≤ r < r_out (Å) of uniform proton density (H/Å³); r_out may be inf.

    Attributes
    ----------
    r_in_A, r_out_A : float
        Inner and outer radius of the shell from the dot centre, Å (``r_out_A`` may be ``inf``).
    h_per_A3 : float
        Proton number density in the shell, H/Å³ (e.g. :data:`TCE_H_PER_A3`).
    """

    r_in_A: float
    r_out_A: float
    h_per_A3: float
