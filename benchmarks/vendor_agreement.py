"""How closely qdkit's default processing reproduces TopSpin's own spectra.

For every real dataset under ``shared/data/real`` that carries a TopSpin spectrum
(``pdata/N/1r``), read it with ``qdkit.read``, process it with the default recipe (built from
that procno's ``procs``) and print the correlation with ``1r`` (real part, or magnitude for
``mc``/``fmc`` spectra), plus the time for read + process. Run:

    python3 benchmarks/vendor_agreement.py [path/to/shared/data/real]
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import REAL_DATA

import qdkit
from qdkit.errors import QdkitError
from qdkit.processing import vendor_agreement


def find_real_data() -> Path:
    if REAL_DATA is None:
        raise SystemExit("shared/data/real not found; set QDKIT_REAL_DATA or pass the folder as the first argument")
    return REAL_DATA


def topspin_procnos(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/*/pdata/*/1r"))


def print_throughput(root: Path, repeats: int = 3) -> None:
    folders = topspin_procnos(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one_d = [p for p in folders if qdkit.read(p).data.ndim == 1]
        for p in one_d:  # warm-up: imports, file cache
            qdkit.process(qdkit.read(p))
        t0 = time.perf_counter()
        for _ in range(repeats):
            for p in one_d:
                qdkit.process(qdkit.read(p))
        elapsed = time.perf_counter() - t0
    n = repeats * len(one_d)
    print(
        f"\nread + default processing: {n / elapsed:.0f} datasets/s ({1e3 * elapsed / n:.1f} ms each, {len(one_d)} datasets x {repeats})"
    )


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else find_real_data()
    print(f"{'dataset':<58} {'PH_mod':>6} {'PHC1':>10} {'corr':>10} {'1-corr':>9} {'ms':>7}")
    for pdir in topspin_procnos(root):
        name = str(pdir.relative_to(root))
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = qdkit.read(pdir)
                if ds.data.ndim != 1:
                    print(f"{name:<58} {'':>6} {'':>10} {'(nD, skipped)':>10}")
                    continue
                spec = qdkit.process(ds)
            r = vendor_agreement(ds, spec)
        except QdkitError as exc:
            print(f"{name:<58} error: {exc}")
            continue
        ms = 1e3 * (time.perf_counter() - t0)
        mode = {0: "none", 1: "phase", 2: "magn"}.get(int(ds.procs.get("PH_mod", 0)), "?")
        print(f"{name:<58} {mode:>6} {float(ds.procs.get('PHC1', 0)):>10.1f} {r:>10.6f} {1 - r:>9.1e} {ms:>7.1f}")
    jcamp = root / "jcamp_dx_bruker_fid_and_spectrum_liquid" / "aspirin"
    name = "jcamp_dx .../aspirin/1h.fid.dx vs 1h.dx"
    if jcamp.is_dir():
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fid = qdkit.read(jcamp / "1h.fid.dx")
                spectrum_file = qdkit.read(jcamp / "1h.dx")
                r = vendor_agreement(fid, vendor=spectrum_file)
            ms = 1e3 * (time.perf_counter() - t0)
            print(
                f"{name:<58} {'phase':>6} {float(fid.procs.get('PHC1', 0)):>10.1f} {r:>10.6f} {1 - r:>9.1e} {ms:>7.1f}"
            )
        except QdkitError as exc:
            print(f"{name:<58} not compared: {exc}")
    print_throughput(root)
    print(
        "\nnote: dnplab .../1/pdata/999 holds the spectrum of an earlier acquisition (its audit trail "
        "dates it 11:09, the fid was re-acquired at 11:15), so no processing of this fid can match it."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
