"""Atomistic quantum-dot models: lattice, spherical or faceted cut, core/surface classes, ligands.

Builds the inorganic core atom by atom, tells core from surface atoms by their coordination, and adds an optional CdX2
(Z-type) shell and a ligand shell whose protons feed the CP model.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from scipy.spatial import cKDTree

from qdkit.errors import ModelParameterError
from qdkit.models import size_ensemble
from qdkit.models.materials import (
    DEFAULT_STRUCTURE,
    HYDROCARBON_H_PER_A3,
    LIGANDS,
    MATERIALS,
    TCE_H_PER_A3,
    Ligand,
    Material,
    ProtonLayer,
)
from qdkit.models.nanocrystal_record import Nanocrystal, readonly

__all__ = [
    "Material",
    "Ligand",
    "ProtonLayer",
    "Nanocrystal",
    "MATERIALS",
    "LIGANDS",
    "build",
    "ensemble_surface_fraction",
]


def _lattice(mat: Material, reach_A: float):
    """Atoms of the bulk crystal within ``reach_A`` of the origin (a cation sits at the origin)."""
    a = mat.a_A
    if mat.structure == "wurtzite":
        c = mat.c_A
        cell = np.array([[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c]])
        frac = [
            ("cat", (1 / 3, 2 / 3, 0.0)),
            ("cat", (2 / 3, 1 / 3, 0.5)),
            ("an", (1 / 3, 2 / 3, mat.u)),
            ("an", (2 / 3, 1 / 3, 0.5 + mat.u)),
        ]
        origin = np.array([1 / 3, 2 / 3, 0.0]) @ cell
        n = int(np.ceil(reach_A / min(a * np.sqrt(3) / 2, c))) + 2
    else:
        cell = np.eye(3) * a
        fcc = [(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)]
        if mat.structure == "zincblende":
            frac = [("cat", f) for f in fcc] + [("an", tuple(x + 0.25 for x in f)) for f in fcc]
        elif mat.structure == "rocksalt":
            frac = [("cat", f) for f in fcc] + [("an", (f[0] + 0.5, f[1], f[2])) for f in fcc]
        else:  # perovskite ABX3, B (Pb) at the origin
            frac = [
                ("B", (0, 0, 0)),
                ("A", (0.5, 0.5, 0.5)),
                ("an", (0.5, 0, 0)),
                ("an", (0, 0.5, 0)),
                ("an", (0, 0, 0.5)),
            ]
        origin = np.zeros(3)
        n = int(np.ceil(reach_A / a)) + 2
    g = np.arange(-n, n + 1)
    cells = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3) @ cell
    pos, el = [], []
    for kind, f in frac:
        pos.append(cells + np.asarray(f) @ cell - origin)
        if kind == "cat":
            sym = mat.cations[0]
        elif kind == "A":
            sym = mat.cations[0]
        elif kind == "B":
            sym = mat.cations[1]
        else:
            sym = mat.anions[0]
        el.append(np.full(len(cells), sym))
    pos = np.vstack(pos)
    el = np.concatenate(el)
    keep = np.linalg.norm(pos, axis=1) <= reach_A
    return pos[keep], el[keep]


def _inside(mat: Material, pos: np.ndarray, radius_A: float, faceted: bool) -> np.ndarray:
    """Atoms inside the sphere, or inside the faceted polyhedron of the same diameter."""
    if not faceted:
        return np.linalg.norm(pos, axis=1) <= radius_A + 1e-6
    x, y, z = np.abs(pos).T
    if mat.structure == "wurtzite":
        # hexagonal prism: {10-10} side facets and (001) basal facets at the radius
        normals = np.array([[np.cos(t), np.sin(t)] for t in np.deg2rad([30, 90, 150])])
        side = np.abs(pos[:, :2] @ normals.T).max(axis=1)
        return (side <= radius_A + 1e-6) & (z <= radius_A + 1e-6)
    box = np.maximum(np.maximum(x, y), z) <= radius_A + 1e-6
    if mat.structure == "perovskite":
        # CsPbBr3 nanocrystals are CsBr-terminated cubes: put the faces on a Cs–Br plane
        # (half-integer multiples of a from the central Pb).
        half = (np.round(radius_A / mat.a_A - 0.5) + 0.5) * mat.a_A
        return np.maximum(np.maximum(x, y), z) <= half + 1e-6
    # truncated octahedron: {100} at R, {111} at 0.866 R (regular truncated octahedron)
    return box & ((x + y + z) / np.sqrt(3.0) <= 0.866 * radius_A + 1e-6)


def _coordination(pos, is_cation, cutoff):
    tree = cKDTree(pos)
    pairs = tree.query_pairs(cutoff, output_type="ndarray")
    bond = is_cation[pairs[:, 0]] != is_cation[pairs[:, 1]]
    pairs = pairs[bond]
    return np.bincount(pairs.ravel(), minlength=len(pos))


@functools.lru_cache(maxsize=16)
def _full_coordination(mat: Material) -> dict[str, int]:
    pos, el = _lattice(mat, 3.0 * mat.a_A)
    is_cat = np.isin(el, mat.cations)
    coord = _coordination(pos, is_cat, mat.bond_cutoff_A)
    inner = np.linalg.norm(pos, axis=1) < mat.a_A * 1.5
    return {str(e): int(coord[inner & (el == e)].max()) for e in np.unique(el)}


# --------------------------------------------------------------------------- build


def build(
    material: str,
    diameter_nm: float,
    *,
    structure: str | None = None,
    faceted: bool = False,
    shell: str | None = None,
    ligand: str | Ligand | None = None,
    ligands_per_nm2: float | None = None,
    protons_per_ligand: int | None = None,
    ligand_length_nm: float | None = None,
    termination: str | None = None,
    solvent_h_per_A3: float = TCE_H_PER_A3,
) -> Nanocrystal:
    """Build an atomistic quantum dot (cached: identical arguments return the same object).

    The bulk lattice (cation at the centre) is cut to a sphere of ``diameter_nm`` (or the faceted polyhedron inscribed
    in it), atoms left with fewer than two bonds are removed repeatedly, and atoms are classified by coordination:
    surface = fewer cation–anion bonds than in the bulk. ``depth_A`` is the distance to the nearest surface atom.

    Parameters
    ----------
    material : str
        ``"CdSe"``, ``"InP"``, ``"CdTe"``, ``"PbSe"``, ``"PbTe"`` or ``"CsPbBr3"``.
    diameter_nm : float
        Diameter of the inorganic core (1.5–20 nm; 20 nm takes seconds to build).
    structure : str, optional
        ``"zincblende"`` / ``"wurtzite"`` (CdSe), otherwise the material's only structure.
    faceted : bool
        Truncated octahedron ({100} at R, {111} at 0.866 R) for zinc blende and rock salt, a cube for the perovskite,
        a hexagonal prism for wurtzite.
    shell : {None, "CdX2", "PbX2"}
        Add the Z-type M(X)2 shell of the CdSe_core(CdX2)_shell model (Anderson et al., JACS 135, 18536 (2013);
        Piveteau et al. 2015): extra metal atoms on the next cation lattice sites outside a stoichiometric core, each
        bound to two X ligands, as many as the ligand coverage asks for (one metal per two ligands) and the outer
        lattice sites allow.
    ligand : str or Ligand, optional
        ``"oleate"``, ``"myristate"``, ``"phosphonate"``, ``"oleylamine"`` or a :class:`Ligand`. Defaults to oleate
        when a shell is requested. Without a ligand only the solvent's protons (from 3 Å beyond the outermost atom)
        surround the dot.
    ligands_per_nm2 : float, optional
        Coverage; default the ligand's (4.0 nm⁻² for carboxylates).
    protons_per_ligand : int, optional
        Override the ligand's proton count (0 = perdeuterated ligand).
    ligand_length_nm : float, optional
        Override the ligand shell thickness (0.5–4 nm; the paper: 1.5–2.5 nm).
    termination : {None, "cation_rich", "stoichiometric"}
        ``"cation_rich"`` (default without a shell) also removes anions that keep half or fewer of their bonds, giving
        the metal-rich surfaces of carboxylate-capped QDs (In:P ≈ 1.1–1.2 at 3 nm). ``"stoichiometric"`` (default with
        a shell, and for the perovskite) only removes atoms with fewer than two bonds.
    solvent_h_per_A3 : float
        Proton density of the frozen solvent around and between the ligands (default TCE, 0.0114 H/Å³; use 0 for a
        deuterated solvent).

    Returns
    -------
    Nanocrystal

    Raises
    ------
    ModelParameterError
        Unknown ligand, material, structure or termination; ligand overrides without a ligand or out of range.

    Examples
    --------
    >>> dot = build("InP", 3.0)
    >>> round(dot.surface_fraction("P"), 2)
    0.27
    """
    if isinstance(ligand, str):
        if ligand not in LIGANDS:
            raise ModelParameterError(f"unknown ligand {ligand!r}; use one of {sorted(LIGANDS)} or pass a Ligand.")
        ligand = LIGANDS[ligand]
    if protons_per_ligand is not None or ligand_length_nm is not None:
        ligand = ligand or (LIGANDS["oleate"] if shell else None)
        if ligand is None:
            raise ModelParameterError("protons_per_ligand / ligand_length_nm need a ligand; pass ligand='oleate' etc.")
        if protons_per_ligand is not None:
            if not 0 <= int(protons_per_ligand) <= 200:
                raise ModelParameterError("protons_per_ligand must be within 0–200.")
            ligand = dataclasses.replace(ligand, protons_per_ligand=int(protons_per_ligand))
        if ligand_length_nm is not None:
            if not 0.5 <= float(ligand_length_nm) <= 4.0:
                raise ModelParameterError(
                    f"ligand_length_nm={ligand_length_nm} is outside 0.5–4 nm (capping ligands are 1.5–2.5 nm long)."
                )
            ligand = dataclasses.replace(ligand, length_nm=float(ligand_length_nm))
    return _build(
        material,
        float(diameter_nm),
        structure,
        bool(faceted),
        shell,
        ligand,
        None if ligands_per_nm2 is None else float(ligands_per_nm2),
        termination,
        float(solvent_h_per_A3),
    )


@functools.lru_cache(maxsize=64)
def _build(material, diameter_nm, structure, faceted, shell, ligand, ligands_per_nm2, termination, solvent_h_per_A3):
    structure = structure or DEFAULT_STRUCTURE.get(material)
    if (material, structure) not in MATERIALS:
        known = ", ".join(f"{m} ({s})" for m, s in MATERIALS)
        raise ModelParameterError(f"no model for {material!r} in structure {structure!r}; known: {known}.")
    if not 1.5 <= diameter_nm <= 20.0:
        raise ModelParameterError(
            f"diameter_nm={diameter_nm} is outside 1.5–20 nm, the range of colloidal QDs this model is meant for."
        )
    mat = MATERIALS[(material, structure)]
    if shell is not None:
        metal = shell[:-2]
        if shell not in ("CdX2", "PbX2") or metal not in mat.cations:
            raise ModelParameterError(
                f"shell={shell!r} does not fit {material}; use 'CdX2' for Cd chalcogenides, "
                "'PbX2' for Pb chalcogenides, or None."
            )
        ligand = ligand or LIGANDS["oleate"]
    if termination is None:
        stoichiometric = shell is not None or mat.structure == "perovskite"
        termination = "stoichiometric" if stoichiometric else "cation_rich"
    if termination not in ("cation_rich", "stoichiometric"):
        raise ModelParameterError(f"termination={termination!r}; use 'cation_rich' or 'stoichiometric'.")
    if ligands_per_nm2 is not None and not 0 <= ligands_per_nm2 <= 10:
        raise ModelParameterError(f"ligands_per_nm2={ligands_per_nm2} is not a physical coverage (0–10 per nm²).")
    if solvent_h_per_A3 < 0:
        raise ModelParameterError("solvent_h_per_A3 must be ≥ 0 (0 = deuterated solvent).")

    radius = diameter_nm * 5.0  # Å
    cutoff = mat.bond_cutoff_A
    full = _full_coordination(mat)
    # a cube's corners reach √3 R: generate far enough for any faceted shape
    reach = (np.sqrt(3.0) if faceted else 1.0) * radius + 2.0 * mat.a_A
    bulk_pos, bulk_el = _lattice(mat, reach)
    bulk_cat = np.isin(bulk_el, mat.cations)
    keep = _inside(mat, bulk_pos, radius, faceted)
    pos, el, is_cat = bulk_pos[keep], bulk_el[keep], bulk_cat[keep]
    zfull = np.array([full[e] for e in el])
    while True:
        coord = _coordination(pos, is_cat, cutoff)
        drop = coord <= 1
        if termination == "cation_rich" and mat.structure != "perovskite":
            drop |= ~is_cat & (coord <= zfull // 2)
        if not drop.any():
            break
        pos, el, is_cat, zfull = pos[~drop], el[~drop], is_cat[~drop], zfull[~drop]
    if len(np.unique(el)) < len(mat.cations) + len(mat.anions) or len(pos) < 10:
        raise ModelParameterError(
            f"a {diameter_nm} nm {material} cut leaves too few bonded atoms for a crystal; choose a larger diameter."
        )
    is_shell = np.zeros(len(pos), bool)

    lig_heads = np.zeros((0, 3))
    lig_anchor = np.zeros(0, int)
    if ligand is not None:
        coverage = ligand.ligands_per_nm2 if ligands_per_nm2 is None else ligands_per_nm2
        n_lig = int(round(coverage * np.pi * diameter_nm**2))
        if shell is not None:
            pos, el, is_cat, zfull, is_shell = _add_shell(
                mat, pos, el, is_cat, zfull, bulk_pos, bulk_cat, keep, n_lig, radius
            )
            anchors = np.repeat(np.flatnonzero(is_shell), 2)[:n_lig]
        else:
            coord = _coordination(pos, is_cat, cutoff)
            sites = np.flatnonzero(is_cat & (coord < zfull))
            anchors = _spread(pos, sites, (zfull - coord)[sites], n_lig, diameter_nm)
        lig_heads, lig_anchor = _place_heads(pos, anchors, ligand.metal_head_A)

    coord = _coordination(pos, is_cat, cutoff)
    is_surface = coord < zfull
    depth = np.zeros(len(pos))
    if is_surface.any() and (~is_surface).any():
        depth[~is_surface] = cKDTree(pos[is_surface]).query(pos[~is_surface])[0]

    envelope = float(np.linalg.norm(pos, axis=1).max())
    layers = _proton_layers(envelope, ligand, len(lig_heads), solvent_h_per_A3)
    return Nanocrystal(
        material=material,
        structure=structure,
        diameter_nm=diameter_nm,
        faceted=faceted,
        positions=readonly(pos),
        elements=readonly(el),
        coordination=readonly(coord),
        full_coordination=readonly(zfull),
        is_surface=readonly(is_surface),
        is_shell=readonly(is_shell),
        depth_A=readonly(depth),
        ligand=ligand,
        ligand_heads=readonly(lig_heads),
        ligand_anchor=readonly(lig_anchor),
        proton_layers=layers,
    )


#: build() arguments that do not change which lattice atoms are under-coordinated.
_SURFACE_NEUTRAL = {"ligand", "ligands_per_nm2", "protons_per_ligand", "ligand_length_nm", "solvent_h_per_A3"}


def ensemble_surface_fraction(
    material: str,
    element: str,
    diameter_nm: float,
    *,
    size_spread: float = 0.08,
    structure: str | None = None,
    termination: str | None = None,
    **ligand_kwargs,
) -> float:
    """Surface fraction of ``element`` averaged over a sample's size distribution.

    A single lattice cut jumps between "magic" sizes (InP surface P: 0.35 at 2.9 nm, 0.27 at 3.0 nm, 0.22 at 3.1 nm);
    a real sample averages over its lognormal size distribution of relative width ``size_spread`` (8 % is typical of
    colloidal QDs; Murray, Norris & Bawendi, JACS 115, 8706 (1993): 5–10 %), each dot weighted by its number of
    ``element`` atoms as an NMR integral counts atoms. The average falls smoothly and monotonically with the diameter
    (tabulated counts on 1 % diameter steps: :func:`qdkit.models.size_ensemble.ensemble_surface_fraction`).
    ``size_spread=0`` gives the single dot. Ligand arguments of :func:`build` are accepted and do not matter (they do
    not change which lattice atoms are under-coordinated).

    Parameters
    ----------
    material, element, diameter_nm, size_spread, structure, termination
        Material, observed element, median diameter (nm), relative lognormal width, and :func:`build`'s options.
    **ligand_kwargs
        ``ligand``, ``ligands_per_nm2``, ``protons_per_ligand``, ``ligand_length_nm``, ``solvent_h_per_A3`` (ignored).

    Returns
    -------
    float

    Raises
    ------
    ModelParameterError
        Any other keyword (``shell``, ``faceted`` …): it would change the surface.
    """
    unknown = set(ligand_kwargs) - _SURFACE_NEUTRAL
    if unknown:
        raise ModelParameterError(
            f"ensemble_surface_fraction is tabulated for bare spherical cuts; {sorted(unknown)} "
            "would change the surface. Average build(...).surface_fraction() yourself for those."
        )
    if size_spread == 0:
        return build(material, diameter_nm, structure=structure, termination=termination).surface_fraction(element)
    return size_ensemble.ensemble_surface_fraction(
        material, element, diameter_nm, size_spread=size_spread, structure=structure, termination=termination
    )


def _spread(pos, sites, priority, n, diameter_nm):
    """Pick ``n`` of ``sites`` (highest priority first) keeping them apart on the surface.

    Sites closer than 0.8 × the mean spacing √(area/n) are skipped in a first pass and only used if too few remain.
    Ties are broken by a fixed-seed shuffle so that the result is reproducible.
    """
    if n <= 0 or len(sites) == 0:
        return np.zeros(0, int)
    rng = np.random.default_rng(0)
    shuffle = rng.permutation(len(sites))
    order = sites[shuffle][np.argsort(-np.asarray(priority)[shuffle], kind="stable")]
    d_min = 0.8 * np.sqrt(np.pi * (diameter_nm * 10) ** 2 / n)
    chosen: list[int] = []
    for i in order:
        if len(chosen) >= n:
            break
        if chosen and np.min(np.linalg.norm(pos[chosen] - pos[i], axis=1)) < d_min:
            continue
        chosen.append(int(i))
    if len(chosen) < n:
        rest = [int(i) for i in order if int(i) not in set(chosen)]
        chosen += rest[: n - len(chosen)]
    return np.array(chosen, int)


def _add_shell(mat, pos, el, is_cat, zfull, bulk_pos, bulk_cat, keep, n_lig, radius):
    """Put n_lig/2 extra metal atoms on outer cation sites bonded to the core's anions."""
    cand = np.flatnonzero(~keep & bulk_cat)
    tree = cKDTree(pos[~is_cat])
    bonds = np.array([len(b) for b in tree.query_ball_point(bulk_pos[cand], mat.bond_cutoff_A)])
    ok = bonds >= 1
    cand, bonds = cand[ok], bonds[ok]
    n_metal = int(np.ceil(n_lig / 2))
    shell_pos = bulk_pos[cand]
    local = _spread(shell_pos, np.arange(len(cand)), bonds, n_metal, radius / 5.0)
    metal = mat.cations[0]
    new_pos = shell_pos[local]
    pos = np.vstack([pos, new_pos])
    el = np.concatenate([el, np.full(len(new_pos), metal)])
    is_cat = np.concatenate([is_cat, np.ones(len(new_pos), bool)])
    zfull = np.concatenate([zfull, np.full(len(new_pos), zfull[el[: len(zfull)] == metal].max())])
    is_shell = np.zeros(len(pos), bool)
    is_shell[-len(new_pos) :] = True
    return pos, el, is_cat, zfull, is_shell


def _place_heads(pos, anchors, distance_A):
    """Head atoms outward from each anchor; a second ligand on the same metal is tilted.

    One ligand sits on the radial direction; two ligands on one metal (CdX2) are tilted by ±35° about a fixed tangent,
    roughly the O–Cd–O geometry of a cadmium dicarboxylate.
    """
    if len(anchors) == 0:
        return np.zeros((0, 3)), np.zeros(0, int)
    r = pos[anchors]
    radial = r / np.linalg.norm(r, axis=1, keepdims=True)
    helper = np.where(np.abs(radial[:, 2:3]) < 0.9, [[0, 0, 1.0]], [[1.0, 0, 0]])
    tangent = np.cross(radial, helper)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    dup = np.zeros(len(anchors), int)
    seen: dict[int, int] = {}
    for k, a in enumerate(anchors):
        dup[k] = seen.get(int(a), 0)
        seen[int(a)] = dup[k] + 1
    multi = np.array([seen[int(a)] > 1 for a in anchors])
    angle = np.where(multi, np.where(dup == 0, 1.0, -1.0) * np.deg2rad(35.0), 0.0)[:, None]
    direction = np.cos(angle) * radial + np.sin(angle) * tangent
    return r + distance_A * direction, np.asarray(anchors, int)


def _proton_layers(envelope_A, ligand, n_lig, solvent_h_per_A3, n_slices=24):
    """Ligand and solvent protons as concentric uniform shells.

    Ligand chains stand radially from r0 = envelope + proton gap to r0 + length, with a uniform number of protons per
    unit chain length, so their density falls as 1/r²: n(r) = N_H / (4π r² L), capped at the density of packed
    hydrocarbon. Solvent fills the remaining volume fraction inside the ligand shell and all space beyond it.
    """
    if ligand is None:
        r0 = envelope_A + 3.0
        return (ProtonLayer(r0, np.inf, solvent_h_per_A3),)
    r0 = envelope_A + ligand.proton_gap_A
    length = ligand.length_nm * 10.0
    edges = r0 + length * np.linspace(0, 1, n_slices + 1)
    mid = 0.5 * (edges[1:] + edges[:-1])
    n_h = n_lig * ligand.protons_per_ligand
    lig = np.minimum(n_h / (4 * np.pi * mid**2 * length), HYDROCARBON_H_PER_A3)
    solvent = solvent_h_per_A3 * (1.0 - lig / HYDROCARBON_H_PER_A3)
    layers = [ProtonLayer(float(lo), float(hi), float(n)) for lo, hi, n in zip(edges[:-1], edges[1:], lig + solvent)]
    layers.append(ProtonLayer(float(edges[-1]), np.inf, solvent_h_per_A3))
    return tuple(layers)
