"""Write qdkit/models/size_ensemble_table.json: surface and total atoms per element of single
dots cut at every diameter of the size-ensemble grid (a few minutes; deterministic).

Run ``python data/make_size_ensemble_table.py`` after changing the nanocrystal model;
``tests/test_infer.py`` rebuilds some rows and compares them with the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qdkit.models import nanocrystal
from qdkit.models.size_ensemble import (
    GRID_DIAMETERS_NM,
    TABLE_KEYS,
    TABLE_PATH,
    table_key,
)


def surface_table_rows(material: str, structure: str, termination: str, diameters_nm) -> dict:
    """``{element: {"total": [...], "surface": [...]}}`` of single dots, one entry per diameter.

    Built without ligands: ligands do not change which lattice atoms are under-coordinated.
    """
    out: dict[str, dict[str, list[int]]] = {}
    for d in diameters_nm:
        dot = nanocrystal.build(material, float(d), structure=structure, termination=termination)
        for el, n in dot.counts().items():
            rec = out.setdefault(el, {"total": [], "surface": []})
            rec["total"].append(int(n))
            rec["surface"].append(int((dot.is_surface & (dot.elements == el)).sum()))
    return out


def main(path: Path = TABLE_PATH) -> None:
    tables = {table_key(*k): surface_table_rows(*k, GRID_DIAMETERS_NM) for k in TABLE_KEYS}
    doc = {
        "diameters_nm": GRID_DIAMETERS_NM.tolist(),
        "made_by": "python data/make_size_ensemble_table.py",
        "tables": tables,
    }
    Path(path).write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
