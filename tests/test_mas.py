"""The MAS lineshape engine: contract of qdkit.mas (DESIGN §2), conventions and accuracy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.mas import Site, mas_spectrum, site_spectra

PPM = np.linspace(400.0, -1000.0, 4096)
STEP = abs(PPM[1] - PPM[0])
SURFACE_CD = Site("113Cd", iso_ppm=-317, aniso_ppm=416, eta=0.3, fwhm_hz=4000)
CORE_CD = Site("113Cd", iso_ppm=-20, aniso_ppm=0, eta=0, fwhm_hz=4000)


def test_site_round_trips_through_json():
    site = Site("Cd113", -317, 416, 0.3, 4000, lorentz_hz=50, weight=2.5)
    again = Site.from_dict(json.loads(json.dumps(site.to_dict())))
    assert again == site
    assert again.nucleus == "113Cd"


@pytest.mark.parametrize("mas_hz", [0.0, 4_000.0, 10_000.0, 60_000.0])
def test_each_site_integrates_to_its_weight(mas_hz):
    sites = [SURFACE_CD.replace(weight=3.0), CORE_CD.replace(weight=0.5)]
    # ±2000 ppm holds every sideband with visible intensity even at 60 kHz (±675 ppm apart)
    ppm = np.linspace(2000.0, -2600.0, 8192)
    y = mas_spectrum(sites, field_T=9.4, mas_hz=mas_hz, ppm=ppm)
    assert y.sum() * abs(ppm[1] - ppm[0]) == pytest.approx(3.5, rel=1e-3)


def test_weights_only_rescale_cached_site_shapes():
    rows = site_spectra([SURFACE_CD, CORE_CD], 9.4, 10_000, PPM)
    y = mas_spectrum([SURFACE_CD.replace(weight=0.2), CORE_CD.replace(weight=1.7)], 9.4, 10_000, PPM)
    np.testing.assert_allclose(np.array([0.2, 1.7]) @ rows, y, rtol=1e-12, atol=1e-15)


def test_uneven_axis_is_refused_with_advice():
    with pytest.raises(ModelParameterError, match="evenly spaced"):
        mas_spectrum([SURFACE_CD], 9.4, 10_000, np.geomspace(1, 100, 50))
