"""The explorer's only way to physics: every number it plots or prints comes from qdkit here.

``QdkitBridge`` turns the explorer's settings (:class:`Settings`) into a :class:`Prediction`
by calling ``qdkit.catalog`` (the paper's species and experiments), ``qdkit.nanocrystal``
(surface fraction), ``qdkit.mas`` (one lineshape per site), ``qdkit.cp`` (contact-time
weights of surface and core) and ``qdkit.matrix`` / ``qdkit.dnp`` (enhancement, dilution,
absolute gain). Lineshapes are cached per (sites, field, spin rate), so moving the
contact-time, pore or loading slider only re-weights cached rows.
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from qdkit.errors import ModelParameterError, QdkitError, WidgetError


@dataclass(frozen=True)
class Settings:
    """What the user chose. ``pore_nm=None`` means no silica (frozen bulk solution)."""

    material: str
    nucleus: str
    field_T: float
    diameter_nm: float
    contact_ms: float
    mas_hz: float
    pore_nm: float | None
    silica_per_qd: float  # loading: mg of mesoporous silica per mg of QDs

    def replace(self, **changes) -> "Settings":
        return replace(self, **changes)


@dataclass
class Prediction:
    """A predicted spectrum, its components, sideband positions and derived numbers."""

    ppm: np.ndarray
    total: np.ndarray
    surface: np.ndarray
    core: np.ndarray
    sideband_ppm: np.ndarray
    sideband_height: np.ndarray
    readout: dict[str, str] = field(default_factory=dict)
    axis_key: tuple = ()


def _finite(name: str, value, low: float, high: float, unit: str) -> float:
    """Check a control value before it reaches a model (typed-in text can be anything)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise WidgetError(f"{name} must be a number in {unit}; got {value!r}.") from None
    if not math.isfinite(v) or not low <= v <= high:
        raise WidgetError(f"{name} = {value!r} {unit} is outside {low:g}–{high:g} {unit}; "
                          "choose a value inside that range.")
    return v


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or(self, key, make):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


def _require(module: str):
    """Import ``qdkit.<module>``; a missing model becomes a panel message, not a traceback."""
    import importlib

    try:
        return importlib.import_module(f"qdkit.{module}")
    except ImportError as exc:
        raise WidgetError(
            f"The explorer needs qdkit.{module}, which could not be imported ({exc}). "
            "Update qdkit (git pull; pip install -e .) and restart the kernel."
        ) from None


class QdkitBridge:
    """Settings → prediction, through qdkit only (see module docstring).

    Parameters
    ----------
    n_points : int
        Points of the predicted ppm axis (4096 keeps a slider move well under 50 ms in
        the browser).
    cache_size : int
        Number of (sites, field, spin rate) lineshape sets kept; a slider swept back and
        forth over its range hits the cache.
    """

    def __init__(self, n_points: int = 4096, cache_size: int = 128):
        self.n_points = int(n_points)
        self._shapes = _LRU(cache_size)
        self._sites = _LRU(32)

    # -- choices offered by the pickers ------------------------------------------------
    def materials(self) -> list[str]:
        return list(_require("catalog").materials())

    def nuclei(self, material: str) -> list[str]:
        return list(_require("catalog").nuclei(material))

    def defaults(self, material: str, nucleus: str) -> dict:
        """The paper's experiment for this material and nucleus, as explorer settings."""
        exp = _require("catalog").experiment_for(material, nucleus)
        return {
            "field_T": float(exp.field_T),
            "mas_hz": float(exp.mas_hz),
            "contact_ms": float(exp.contact_ms),
            "pore_nm": exp.pore_nm,
            "diameter_nm": float(exp.diameter_nm),
        }

    # -- prediction ----------------------------------------------------------------------
    def check(self, s: Settings) -> Settings:
        """Validate settings; raises ``WidgetError`` naming the bad control."""
        _finite("Contact time", s.contact_ms, 0.0, 1000.0, "ms")
        _finite("Spin rate", s.mas_hz, 0.0, 200_000.0, "Hz")
        _finite("Field", s.field_T, 0.5, 40.0, "T")
        _finite("QD diameter", s.diameter_nm, 0.5, 100.0, "nm")
        _finite("Silica per QD", s.silica_per_qd, 0.0, 1000.0, "mg/mg")
        if s.pore_nm is not None:
            _finite("Pore size", s.pore_nm, 0.1, 100_000.0, "nm")
        return s

    def sites(self, s: Settings):
        """(sites, is_surface) for the material/nucleus/diameter, from catalog + nanocrystal."""
        key = (s.material, s.nucleus, round(s.diameter_nm, 3))

        def make():
            catalog = _require("catalog")
            return catalog.sites_for(s.material, s.nucleus, diameter_nm=s.diameter_nm)

        return self._sites.get_or(key, make)

    def axis(self, s: Settings, sites) -> np.ndarray:
        """High → low ppm axis covering the sites' isotropic shifts and their CSA."""
        iso = np.array([site.iso_ppm for site in sites], dtype=float)
        aniso = np.array([abs(site.aniso_ppm) for site in sites], dtype=float)
        lo = float(np.min(iso - 1.3 * aniso)) - 100.0
        hi = float(np.max(iso + 1.3 * aniso)) + 100.0
        return np.linspace(hi, lo, self.n_points)

    def shapes(self, s: Settings, sites, ppm: np.ndarray) -> np.ndarray:
        """(n_sites, n_points) unit-weight MAS lineshapes, cached per field and spin rate."""
        key = (tuple(sites), round(s.field_T, 4), round(s.mas_hz, 1), ppm[0], ppm[-1], ppm.size)

        def make():
            mas = _require("mas")
            unit = [site.replace(weight=1.0) if hasattr(site, "replace") else site for site in sites]
            return np.asarray(mas.site_spectra(unit, s.field_T, s.mas_hz, ppm), dtype=float)

        return self._shapes.get_or(key, make)

    def predict(self, s: Settings) -> Prediction:
        s = self.check(s)
        sites, is_surface = self.sites(s)
        ppm = self.axis(s, sites)
        shapes = self.shapes(s, sites, ppm)
        weights = self.cp_weights(s, sites, is_surface)
        gain, rows = self.sample_gain(s)
        is_surface = np.asarray(is_surface, dtype=bool)
        weighted = weights[:, None] * shapes * gain
        surface = weighted[is_surface].sum(axis=0)
        core = weighted[~is_surface].sum(axis=0)
        total = surface + core
        sb_ppm, sb_h = self.sidebands(s, sites, ppm, total)
        return Prediction(ppm, total, surface, core, sb_ppm, sb_h, rows,
                          axis_key=(ppm[0], ppm[-1], ppm.size))

    def cp_weights(self, s: Settings, sites, is_surface) -> np.ndarray:
        """Per-site CP signal at the contact time (qdkit.cp), times the site's weight."""
        cp = _require("cp")
        signal = np.asarray(
            cp.site_signals(sites, is_surface, contact_ms=s.contact_ms, material=s.material,
                            diameter_nm=s.diameter_nm),
            dtype=float,
        )
        weight = np.array([site.weight for site in sites], dtype=float)
        return signal * weight

    def loading_defaults(self) -> dict:
        """Solution volume, QD mass and the loading that exactly fills the pores (qdkit.matrix)."""
        matrix = _require("matrix")
        params = inspect.signature(matrix.sample_sensitivity).parameters
        solution_ul = float(params["solution_ul"].default)
        pore_volume = float(params["pore_volume_cm3_g"].default)
        qd_mg = float(matrix.QD_CONC_MG_ML) * solution_ul / 1000.0
        return {"solution_ul": solution_ul, "qd_mg": qd_mg,
                "silica_per_qd": solution_ul / pore_volume / qd_mg}

    def sample_gain(self, s: Settings) -> tuple[float, dict[str, str]]:
        """Absolute sensitivity gain of the sample (qdkit.matrix) and the readout rows.

        The loading control is mg of silica per mg of QDs; qdkit.matrix takes the silica
        mass for its default rotor (QD solution volume and concentration of SI Fig. S2).
        """
        from .panel import format_number

        matrix = _require("matrix")
        dnp = _require("dnp")
        load = self.loading_defaults()
        silica_mg = None if s.pore_nm is None else s.silica_per_qd * load["qd_mg"]
        r = matrix.sample_sensitivity(s.pore_nm, silica_mg=silica_mg,
                                      qd_diameter_nm=s.diameter_nm)
        rows = {
            "DNP enhancement ε": format_number(r.enhancement),
            "ε of QDs in pores / outside": (f"{format_number(r.enhancement_in_pores)} / "
                                           f"{format_number(r.enhancement_outside)}"),
            "solution taken up by the pores": format_number(100 * r.fraction_in_pores, "%"),
            "dilution by silica": format_number(r.dilution),
            "absolute sensitivity gain": format_number(r.absolute_gain),
            "time saving (gain²)": format_number(dnp.time_saving(r.absolute_gain)),
            "QDs per pore": format_number(r.qds_per_pore),
        }
        return float(r.absolute_gain), rows

    def sidebands(self, s: Settings, sites, ppm, total):
        """Positions (iso ± k·ν_r) of visible spinning sidebands and the trace height there."""
        if s.mas_hz <= 0:
            return np.zeros(0), np.zeros(0)
        from qdkit import nuclei

        step_ppm = s.mas_hz / nuclei.get(s.nucleus).reference_mhz(s.field_T)
        hi, lo = ppm[0], ppm[-1]
        positions = []
        for site in sites:
            k_max = int(min(60, (hi - lo) / step_ppm + 1))
            for k in range(-k_max, k_max + 1):
                x = site.iso_ppm + k * step_ppm
                if k != 0 and lo <= x <= hi:
                    positions.append(x)
        if not positions:
            return np.zeros(0), np.zeros(0)
        positions = np.array(positions)
        height = np.interp(positions, ppm[::-1], total[::-1])
        keep = height > 0.02 * float(np.max(total)) if total.size else height > 0
        return positions[keep], height[keep] * 1.05


__all__ = ["Settings", "Prediction", "QdkitBridge", "QdkitError", "ModelParameterError"]
