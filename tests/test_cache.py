"""qdkit.io.cache: processed spectra kept between sessions (what makes a class's kernels start light)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import qdkit
from qdkit import paths
from qdkit.io.cache import CACHE_ENV, cache_dir, processed


@pytest.fixture
def dataset(tmp_path):
    src = paths.reference_dataset("3a")
    dst = tmp_path / "data" / src.parent.name / src.name
    shutil.copytree(src, dst)
    return dst


@pytest.fixture
def cache(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(where))
    return where


def digest(folder) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def test_a_cached_spectrum_is_the_processed_one_and_the_raw_data_stay_untouched(dataset, cache):
    before = digest(dataset)
    fresh = qdkit.process(qdkit.read(dataset))
    first, second = processed(dataset), processed(dataset)
    assert len(list(cache.glob("*.qdkit.npz"))) == 1
    for s in (first, second):
        np.testing.assert_array_equal(s.data, fresh.data)
        np.testing.assert_array_equal(s.ppm, fresh.ppm)
        assert s.meta == fresh.meta and list(s.recipe) == list(fresh.recipe)
    assert digest(dataset) == before


def test_the_next_session_loads_it_without_decoding_the_vendor_files(dataset, cache):
    processed(dataset)
    code = (
        "import sys; from qdkit.io.cache import processed; s = processed(sys.argv[1]); "
        "print('nmrglue' in sys.modules, 'scipy.signal' in sys.modules, s.data.shape[0])"
    )
    env = dict(os.environ, **{CACHE_ENV: str(cache)})
    out = subprocess.run(
        [sys.executable, "-c", code, str(dataset)], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False", str(qdkit.process(qdkit.read(dataset)).data.shape[0])]


def test_a_changed_file_is_processed_afresh(dataset, cache):
    processed(dataset)
    acqus = dataset / "acqus"
    acqus.write_text(acqus.read_text() + "$$ edited by hand\n")
    processed(dataset)
    assert len(list(cache.glob("*.qdkit.npz"))) == 2


def test_a_damaged_entry_is_made_again(dataset, cache):
    good = processed(dataset)
    (entry,) = cache.glob("*.qdkit.npz")
    entry.write_bytes(b"not a qdkit file")
    again = processed(dataset)
    np.testing.assert_array_equal(again.data, good.data)
    assert entry.read_bytes() != b"not a qdkit file"


def test_a_cache_that_cannot_be_written_or_is_switched_off_changes_nothing(dataset, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    expected = qdkit.process(qdkit.read(dataset)).data
    np.testing.assert_array_equal(processed(dataset).data, expected)
    monkeypatch.setenv(CACHE_ENV, "")
    assert cache_dir() is None
    np.testing.assert_array_equal(processed(dataset).data, expected)
    assert not (tmp_path / "cache").exists()
