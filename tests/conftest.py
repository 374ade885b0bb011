"""Shared fixtures: where the real datasets live."""

from __future__ import annotations

import os
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
