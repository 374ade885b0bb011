"""Shared fixtures: where the real datasets live."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_real_data() -> Path | None:
    env = os.environ.get("QDKIT_REAL_DATA")
    if env:
        return Path(env)
    for parent in [REPO, *REPO.parents]:
        cand = parent / "shared" / "data" / "real"
        if cand.is_dir():
            return cand
    return None


REAL_DATA = _find_real_data()


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real public datasets (``shared/data/real`` beside the checkout)."""
    if REAL_DATA is None:
        pytest.fail("shared/data/real not found beside the checkout; set QDKIT_REAL_DATA")
    return REAL_DATA


def writable_copy(src: Path, dst: Path) -> Path:
    """Copy a real dataset (file or folder; the originals are read-only) so a test may change it."""
    if src.is_file():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    else:
        shutil.copytree(src, dst)
    for p in [dst, *dst.rglob("*")] if dst.is_dir() else [dst]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    return dst


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file (and symlink) under ``root``, by path: proof nothing was written."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
    return {str(p.relative_to(root.parent)): hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "dangling"
            for p in files}
