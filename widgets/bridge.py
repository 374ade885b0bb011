"""The explorer's only way to physics: every number it plots or prints comes from qdkit here.

``QdkitBridge`` turns the explorer's settings (:class:`Settings`) into a
:class:`qdkit.sample.Sample` and :class:`qdkit.sample.Acquisition` and calls
``qdkit.sample.predict`` — the one forward model that the teaching explorers, the notebooks
and ``data/make_reference_data.py`` call too. What stays here is presentation: the plotted
axis, which sidebands to mark and how the readout's numbers are worded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from qdkit.errors import ModelParameterError

from .errors import WidgetError
from .panel import format_number, read_number


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
    microwave: bool = True  # False: the same sample without microwaves (no DNP)

    def replace(self, **changes) -> Settings:
        return replace(self, **changes)


@dataclass
class Prediction:
    """What the explorer draws: qdkit's prediction, the sideband marks and the readout rows."""

    ppm: np.ndarray
    total: np.ndarray
    surface: np.ndarray
    core: np.ndarray
    sideband_ppm: np.ndarray
    sideband_height: np.ndarray
    readout: dict[str, str] = field(default_factory=dict)
    axis_key: tuple = ()
    numbers: dict[str, float] = field(default_factory=dict)  # enhancement, absolute_gain
    model: object = None  # the qdkit.sample.Prediction


def _finite(name: str, value, low: float, high: float, unit: str) -> float:
    """Check a control value before it reaches a model (typed-in text can be anything):
    the same rule and wording as a typed text field (:func:`panel.read_number`)."""
    return read_number(value, f"{name} ({unit})", low, high)


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
    """Settings → prediction, through ``qdkit.sample.predict`` only (see module docstring).

    Parameters
    ----------
    n_points : int
        Points of the predicted ppm axis (4096 keeps a slider move well under 50 ms in
        the browser).
    setups : sequence of (qdkit.sample.Sample, qdkit.sample.Acquisition), optional
        Samples to offer instead of the paper's (``qdkit.models.setups.paper_setup``): your
        own species and settings. The acquisition's nucleus is the one offered.
    """

    def __init__(self, n_points: int = 4096, setups=None):
        self.n_points = int(n_points)
        self._setups = {(s.material, a.nucleus): (s, a) for s, a in setups} if setups else None
        self._axes: dict = {}

    # -- choices offered by the pickers ------------------------------------------------
    def setups(self) -> dict:
        """(material, nucleus) → (Sample, Acquisition), from ``setups=`` or the paper's."""
        if self._setups is None:
            self._setups = paper_setups()
        return self._setups

    def materials(self) -> list[str]:
        return sorted({m for m, _ in self.setups()})

    def nuclei(self, material: str) -> list[str]:
        return sorted(n for m, n in self.setups() if m == material)

    def setup(self, material: str, nucleus: str):
        try:
            return self.setups()[(material, nucleus)]
        except KeyError:
            raise WidgetError(
                f"No {nucleus} experiment on {material} QDs in the catalog; choose one of "
                + ", ".join(f"{m}/{n}" for m, n in self.setups())
                + "."
            ) from None

    def defaults(self, material: str, nucleus: str) -> dict:
        """The paper's experiment for this material and nucleus, as explorer settings."""
        sample, acq = self.setup(material, nucleus)
        return {
            "field_T": acq.field_T,
            "mas_hz": acq.mas_hz,
            "contact_ms": acq.contact_ms,
            "pore_nm": sample.pore_nm,
            "diameter_nm": sample.diameter_nm,
            "silica_per_qd": (sample.silica_mg_per_qd_mg or sample.exact_loading),
        }

    # -- prediction ----------------------------------------------------------------------
    def check(self, s: Settings) -> Settings:
        """Validate settings; raises ``WidgetError`` naming the bad control."""
        _finite("Contact time", s.contact_ms, 0.0, 1000.0, "ms")
        _finite("Spin rate", s.mas_hz, 0.0, 200_000.0, "Hz")
        _finite("Field", s.field_T, 0.5, 40.0, "T")
        _finite("QD diameter", s.diameter_nm, 0.8, 20.0, "nm")
        _finite("Silica per QD", s.silica_per_qd, 0.0, 1000.0, "mg/mg")
        if s.pore_nm is not None:
            _finite("Pore size", s.pore_nm, 0.1, 100_000.0, "nm")
        return s

    def records(self, s: Settings):
        """The qdkit.sample records for these settings (the paper's sample, changed by them)."""
        sample, acq = self.setup(s.material, s.nucleus)
        sample = sample.replace(
            diameter_nm=float(s.diameter_nm), pore_nm=s.pore_nm, silica_mg_per_qd_mg=float(s.silica_per_qd)
        )
        acq = acq.replace(
            field_T=float(s.field_T),
            mas_hz=float(s.mas_hz),
            contact_ms=float(s.contact_ms),
            microwave=bool(s.microwave),
        )
        return sample, acq

    def axis(self, material: str, nucleus: str) -> np.ndarray:
        """High → low ppm axis covering the species' isotropic shifts and their CSA."""
        key = (material, nucleus)
        if key not in self._axes:
            sample, _ = self.setup(material, nucleus)
            sites = [ln.site for ln in sample.species]
            iso = np.array([site.iso_ppm for site in sites], dtype=float)
            aniso = np.array([abs(site.aniso_ppm) for site in sites], dtype=float)
            lo = float(np.min(iso - 1.5 * aniso)) - 150.0
            hi = float(np.max(iso + 1.5 * aniso)) + 150.0
            self._axes[key] = np.linspace(hi, lo, self.n_points)
        return self._axes[key]

    def predict(self, s: Settings) -> Prediction:
        s = self.check(s)
        sample_mod = _require("sample")
        sample, acq = self.records(s)
        ppm = self.axis(s.material, s.nucleus)
        p = sample_mod.predict(sample, acq, ppm)
        sb_ppm, sb_h = self.sidebands(s, sample, ppm, p.total)
        return Prediction(
            p.ppm,
            p.total,
            p.surface,
            p.core,
            sb_ppm,
            sb_h,
            readout_rows(p, s),
            axis_key=(s.material, s.nucleus, ppm[0], ppm[-1], ppm.size),
            numbers={"enhancement": p.enhancement, "absolute_gain": p.absolute_gain, "microwave": s.microwave},
            model=p,
        )

    def sidebands(self, s: Settings, sample, ppm, total):
        """Visible spinning sidebands (qdkit.mas.sideband_positions_ppm) and the trace height."""
        if s.mas_hz <= 0 or total.size == 0:
            return np.zeros(0), np.zeros(0)
        from qdkit import mas, nuclei

        ref_mhz = nuclei.get(s.nucleus).reference_mhz(s.field_T)
        span = abs(ppm[0] - ppm[-1]) * ref_mhz / max(s.mas_hz, 1e-9)
        if span > 400:  # sidebands closer than the eye can tell apart: mark none
            return np.zeros(0), np.zeros(0)
        orders = np.arange(-int(span) - 1, int(span) + 2)
        orders = orders[orders != 0]
        positions = np.concatenate(
            [mas.sideband_positions_ppm(ln.site.iso_ppm, orders, s.mas_hz, ref_mhz) for ln in sample.species]
        )
        positions = positions[(positions <= ppm[0]) & (positions >= ppm[-1])]
        height = np.interp(positions, ppm[::-1], total[::-1])
        keep = height > 0.03 * float(np.max(total))
        return positions[keep], height[keep] + 0.04 * float(np.max(total))


def readout_rows(p, s: Settings) -> dict[str, str]:
    """The readout's wording of a ``qdkit.sample.Prediction`` (numbers from qdkit only)."""
    from qdkit import dnp, nuclei

    m = p.matrix
    element = nuclei.get(s.nucleus).symbol
    rows = {
        "DNP enhancement ε": format_number(p.enhancement),
        "ε of QDs in pores / outside": (
            f"{format_number(m.enhancement_in_pores)} / {format_number(m.enhancement_outside)}"
        ),
        "solution taken up by the pores": format_number(100 * m.fraction_in_pores, "%"),
        "dilution by silica": format_number(m.dilution),
        "signal kept with the radical (MAS depolarization × quenching)": format_number(m.retention),
        "absolute sensitivity gain (full rotor / same QD mass)": (
            f"{format_number(p.absolute_gain)} / {format_number(p.absolute_gain_same_mass)}"
        ),
        "time saving (gain²)": format_number(dnp.time_saving(p.absolute_gain)),
        "QDs per pore": format_number(m.qds_per_pore),
        "build-up time T_B / recycle delay": (f"{format_number(p.t_b_s, 's')} / {format_number(p.recycle_s, 's')}"),
        f"surface fraction of {element} atoms": format_number(p.surface_fraction),
        "surface share of the CP signal": format_number(p.surface_share),
    }
    if not s.microwave:
        rows["signal per scan vs frozen colloid (microwaves off)"] = format_number(
            m.retention * m.recovery / m.dilution
        )
    rows["assumed (not printed in the paper)"] = "; ".join(p.assumed) or "nothing"
    return rows


def paper_setups() -> dict:
    """The paper's setups (``qdkit.models.setups``) as ``(material, nucleus) → (Sample,
    Acquisition)``; a figure the catalog cannot describe is left out."""
    setups = _require("models.setups")
    out = {}
    for figure in setups.PAPER_FIGURES:
        try:
            sample, acq = setups.paper_setup(figure)
        except ModelParameterError:
            continue
        out[(sample.material, acq.nucleus)] = (sample, acq)
    if not out:
        raise WidgetError(
            "The catalog (data/catalog.toml) lists no surface/core species for "
            "the explorer; check that data/ is complete."
        )
    return out


__all__ = ["Settings", "Prediction", "QdkitBridge", "paper_setups", "readout_rows"]
