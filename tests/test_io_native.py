"""qdkit's own file format (*.qdkit.npz): exact round trips, no pickles, safe failures."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import qdkit
from qdkit import io
from qdkit.errors import OutputError, ReadError


@pytest.fixture
def pb_train(real_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qdkit.read(real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/2")


def test_dataset_round_trips_exactly(pb_train, tmp_path):
    path = io.save(pb_train, tmp_path / "pb")
    assert path.name == "pb.qdkit.npz"
    back = qdkit.read(path)
    np.testing.assert_array_equal(back.data, pb_train.data)
    np.testing.assert_array_equal(back.vendor_spectrum, pb_train.vendor_spectrum)
    assert back.meta == pb_train.meta  # every typed field, tuples included
    assert back.meta.extra == pb_train.meta.extra
    assert back.procs == pb_train.procs


def test_spectrum_round_trips_and_kinds_are_not_mixed(real_data, tmp_path):
    spec = io.read_spectrum(real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/1/pdata/12")
    path = io.save(spec, tmp_path / "pb12.qdkit.npz")
    back = io.read_spectrum(path)
    np.testing.assert_array_equal(back.hz, spec.hz)
    np.testing.assert_array_equal(back.data, spec.data)
    assert back.meta == spec.meta
    with pytest.raises(ReadError, match="read_spectrum"):
        qdkit.read(path)


def test_existing_file_is_kept_and_damaged_file_is_a_read_error(pb_train, tmp_path):
    path = io.save(pb_train, tmp_path / "pb")
    with pytest.raises(OutputError, match="--overwrite"):
        io.save(pb_train, tmp_path / "pb")
    io.save(pb_train, tmp_path / "pb", overwrite=True)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ReadError, match="not a readable qdkit file"):
        qdkit.read(path)
