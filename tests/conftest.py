"""Shared fixtures: where the real datasets live."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_shared(*parts: str, env: str | None = None) -> Path | None:
    """``shared/<parts>`` beside the checkout (or where ``env`` points), if it is there."""
    if env and os.environ.get(env):
        path = Path(os.environ[env])
        return path if path.exists() else None
    for parent in [REPO, *REPO.parents]:
        cand = parent.joinpath("shared", *parts)
        if cand.exists():
            return cand
    return None


REAL_DATA = _find_shared("data", "real", env="QDKIT_REAL_DATA")
PAPER_DIR = _find_shared("paper")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_shared(path: Path | None, what: str) -> Path:
    """``path`` if present; otherwise skip (a plain clone has no ``shared/``), but fail in CI,
    where ``shared/`` is laid beside the checkout and its absence is a broken set-up."""
    if path is not None:
        return path
    message = (f"{what} not found: it lives in shared/ beside the checkout, which a plain clone "
               "does not have (set QDKIT_REAL_DATA to point at the real datasets)")
    if IN_CI:
        pytest.fail(f"{message}; under CI=true it must be present")
    pytest.skip(message)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real public datasets (``shared/data/real`` beside the checkout)."""
    return require_shared(REAL_DATA, "shared/data/real (real Bruker/Varian/JCAMP datasets)")


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


def pytest_terminal_summary(terminalreporter):
    """One line per skip reason with its count (a plain clone skips the real-data tests)."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons: dict[str, int] = {}
    for rep in skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        reasons[reason.removeprefix("Skipped: ")] = reasons.get(reason.removeprefix("Skipped: "), 0) + 1
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{count:4d}  {reason}")
