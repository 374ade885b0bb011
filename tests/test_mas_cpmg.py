"""Synthetic CPMG echo trains from qdkit.mas.simulate_cpmg, processed like measured data."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit import cpmg, nuclei
from qdkit.dataset import Dataset
from qdkit.mas import Site, mas_spectrum, simulate_cpmg

# a static 207Pb CSA powder pattern (PbZrO3-like), wide enough for many spikelets
PB = [Site("207Pb", -1500, -300, 0.2, 5000)]
PERIOD_US, SW_HZ, ECHOES, T2_MS = 1000.0, 500_000.0, 31, 20.0


@pytest.fixture(scope="module")
def train() -> Dataset:
    return simulate_cpmg(
        PB, 9.4, 0.0, sw_hz=SW_HZ, n_echoes=ECHOES, echo_period_us=PERIOD_US, t2_ms=T2_MS, offset_ppm=-1500
    )


def test_train_is_labelled_synthetic_and_carries_cpmg_metadata(train):
    meta = train.meta
    assert meta.extra["synthetic"] is True
    assert "synthetic" in meta.title
    assert (meta.cpmg_echoes, meta.cpmg_period_us, meta.sw_hz) == (ECHOES, PERIOD_US, SW_HZ)
    assert meta.reference_mhz == pytest.approx(nuclei.get("207Pb").reference_mhz(9.4))
    assert train.data.size == ECHOES * round(PERIOD_US * 1e-6 * SW_HZ)


def test_echo_tops_decay_with_t2(train):
    period = round(PERIOD_US * 1e-6 * SW_HZ)
    tops = np.abs(train.data[period // 2 :: period])
    t_s = (np.arange(tops.size) * period + period // 2) / SW_HZ
    slope = np.polyfit(t_s, np.log(tops), 1)[0]
    assert -1.0 / slope == pytest.approx(T2_MS * 1e-3, rel=0.01)


def test_spikelets_are_spaced_by_the_inverse_echo_period(train):
    """FT of the whole train: lines every 1/τ = 1 kHz under the powder envelope."""
    spec = cpmg.spikelet_spectrum(train, size=1 << 16)
    y = spec.real
    tall = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] > y[2:]) & (y[1:-1] > 0.2 * y.max())) + 1
    spacing = np.abs(np.diff(spec.hz[tall]))
    assert tall.size > 20
    assert np.median(spacing) == pytest.approx(1e6 / PERIOD_US, rel=0.01)


def test_coadded_echoes_give_back_the_powder_lineshape(train):
    spec = cpmg.lineshape(train)
    expected = mas_spectrum(PB, 9.4, 0.0, spec.ppm)
    assert np.corrcoef(spec.real, expected)[0, 1] > 0.999
