"""Processed spectra exported as text (Spinach/TopSpin 'totxt' style) as Spectrum objects."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit import io, nuclei
from qdkit.errors import MetadataError

KBR = "spinach_79Br_KBr_MAS_spectra"


def test_kbr_spectra_have_the_79br_axis_of_their_spectrometer(real_data):
    s400 = io.read_spectrum(real_data / KBR / "KBr_400MHz_10kHz.txt")
    s800 = io.read_spectrum(real_data / KBR / "KBr_800MHz_10kHz.txt")
    raw = np.loadtxt(real_data / KBR / "KBr_400MHz_10kHz.txt", delimiter=",")
    # columns: index, intensity, Hz, ppm; high ppm first as plotted
    np.testing.assert_allclose(s400.ppm, raw[:, 3], atol=1e-6)
    np.testing.assert_allclose(s400.real, raw[:, 1])
    assert s400.ppm[0] > s400.ppm[-1]
    # reference frequency = Hz / ppm = Ξ(79Br) × 400.13 MHz
    assert s400.meta.reference_mhz == pytest.approx(0.25053980 * 400.13, rel=1e-6)
    assert s800.meta.reference_mhz / s400.meta.reference_mhz == pytest.approx(800.30 / 400.13, rel=1e-6)
    # Parameters.txt: NS 8, D1 4 s, SW 100000 Hz, TD 8192 (400) / 4096 (800, no D1 given)
    assert (s400.meta.ns, s400.meta.d1_s, s400.meta.sw_hz, s400.meta.td) == (8, 4.0, 100000.0, 8192)
    assert (s800.meta.td, s800.meta.d1_s) == (4096, None)
    # MAS sidebands of the KBr line sit at multiples of the spinning rate from the file name
    assert s400.meta.mas_hz == 10000.0


def test_the_kbr_sidebands_are_where_the_spinning_rate_says(real_data):
    spec = io.read_spectrum(real_data / KBR / "KBr_400MHz_5kHz.txt")
    y = spec.real
    centre = int(np.argmax(y))
    hz_per_point = abs(spec.hz[1] - spec.hz[0])
    step = int(round(5000.0 / hz_per_point))
    # the satellite-transition sidebands of 79Br (I = 3/2) at ±5 kHz stand out of the
    # neighbourhood halfway between them
    for k in (1, 2, -1, -2):
        at = y[centre + k * step - 3 : centre + k * step + 4].max()
        between = np.median(y[centre + k * step - step // 2 - 5 : centre + k * step - step // 2 + 5])
        assert at > 3 * abs(between) + 1e-12


def test_two_column_export_needs_and_uses_nucleus_and_spectrometer(tmp_path):
    path = tmp_path / "cdse_113Cd_400MHz.txt"
    ppm = np.linspace(100.0, -700.0, 801)
    y = np.exp(-(((ppm + 317.0) / 40.0) ** 2))
    path.write_text("ppm intensity\n" + "\n".join(f"{a} {b}" for a, b in zip(ppm, y)))
    with pytest.raises(MetadataError, match="nucleus="):
        io.read_spectrum(path)
    spec = io.read_spectrum_text(path, nucleus="113Cd", mas_hz=10000.0)
    assert spec.meta.nucleus == "113Cd"
    assert spec.meta.mas_hz == 10000.0
    np.testing.assert_allclose(spec.ppm, ppm)
    ref = nuclei.get("113Cd").xi_percent / 100 * 400.0
    np.testing.assert_allclose(spec.hz, ppm * ref)
    assert spec.ppm[np.argmax(spec.real)] == pytest.approx(-317.0, abs=1.0)
