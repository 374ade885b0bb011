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

from qdkit.errors import WidgetError


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
    numbers: dict[str, float] = field(default_factory=dict)  # enhancement, absolute_gain


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


@dataclass(frozen=True)
class Sample:
    """A QD sample and the paper's experiment on it, as the explorer needs them.

    ``species`` are ``(site, role)`` pairs with role ``"surface"`` or ``"core"``; within a
    role, site weights are relative (the CP model sets how much each role contributes).
    ``defaults`` are the experiment's settings (``field_T``, ``mas_hz``, ``contact_ms``,
    ``pore_nm``, ``diameter_nm``).
    """

    material: str
    nucleus: str
    species: tuple
    defaults: dict
    ligand: str = "oleate"
    shell: str | None = None


class QdkitBridge:
    """Settings → prediction, through qdkit only (see module docstring).

    Parameters
    ----------
    n_points : int
        Points of the predicted ppm axis (4096 keeps a slider move well under 50 ms in
        the browser).
    samples : sequence of Sample, optional
        Samples to offer instead of the paper's catalog (``qdkit.catalog``): your own
        species and settings.
    cache_size : int
        Number of (sites, field, spin rate) lineshape sets kept; a slider swept back and
        forth over its range hits the cache.
    """

    def __init__(self, n_points: int = 4096, samples=None, cache_size: int = 128):
        self.n_points = int(n_points)
        self._samples = {(x.material, x.nucleus): x for x in samples} if samples else None
        self._shapes = _LRU(cache_size)

    # -- choices offered by the pickers ------------------------------------------------
    def samples(self) -> dict:
        """(material, nucleus) → Sample, from ``samples=`` or the paper's catalog."""
        if self._samples is None:
            self._samples = catalog_samples()
        return self._samples

    def materials(self) -> list[str]:
        return sorted({m for m, _ in self.samples()})

    def nuclei(self, material: str) -> list[str]:
        return sorted(n for m, n in self.samples() if m == material)

    def sample(self, material: str, nucleus: str) -> Sample:
        try:
            return self.samples()[(material, nucleus)]
        except KeyError:
            raise WidgetError(
                f"No {nucleus} experiment on {material} QDs in the catalog; choose one of "
                + ", ".join(f"{m}/{n}" for m, n in self.samples()) + "."
            ) from None

    def defaults(self, material: str, nucleus: str) -> dict:
        """The paper's experiment for this material and nucleus, as explorer settings."""
        d = dict(self.sample(material, nucleus).defaults)
        d.setdefault("silica_per_qd", self.loading_defaults()["silica_per_qd"])
        return d

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

    def axis(self, sample: Sample) -> np.ndarray:
        """High → low ppm axis covering the species' isotropic shifts and their CSA."""
        sites = [site for site, _ in sample.species]
        iso = np.array([site.iso_ppm for site in sites], dtype=float)
        aniso = np.array([abs(site.aniso_ppm) for site in sites], dtype=float)
        lo = float(np.min(iso - 1.5 * aniso)) - 150.0
        hi = float(np.max(iso + 1.5 * aniso)) + 150.0
        return np.linspace(hi, lo, self.n_points)

    def shapes(self, s: Settings, sample: Sample, ppm: np.ndarray) -> np.ndarray:
        """(n_sites, n_points) unit-weight MAS lineshapes (qdkit.mas.site_spectra), cached."""
        key = (s.material, s.nucleus, round(s.field_T, 4), round(s.mas_hz, 1), ppm.size)

        def make():
            mas = _require("mas")
            sites = [site for site, _ in sample.species]
            return np.asarray(mas.site_spectra(sites, s.field_T, s.mas_hz, ppm), dtype=float)

        return self._shapes.get_or(key, make)

    def nanocrystal(self, s: Settings, sample: Sample):
        """The atomistic QD with its ligand shell (qdkit.nanocrystal.build, cached there)."""
        return _require("nanocrystal").build(s.material, s.diameter_nm, ligand=sample.ligand,
                                             shell=sample.shell)

    def cp_weights(self, s: Settings, sample: Sample) -> tuple[np.ndarray, dict[str, str]]:
        """Per-site amplitude: the role's CP signal at the contact time (qdkit.cp) shared
        among the role's sites by their relative weights."""
        from .panel import format_number

        cp = _require("cp")
        dot = self.nanocrystal(s, sample)
        core, surface = cp.core_surface_signal(dot, s.nucleus, s.contact_ms)
        signal = {"core": float(core), "surface": float(surface)}
        weights = np.array([site.weight for site, _ in sample.species], dtype=float)
        roles = np.array([role for _, role in sample.species])
        out = np.zeros_like(weights)
        for role, value in signal.items():
            mine = roles == role
            if mine.any() and weights[mine].sum() > 0:
                out[mine] = value * weights[mine] / weights[mine].sum()
        element = "".join(ch for ch in s.nucleus if ch.isalpha())
        total = signal["core"] + signal["surface"]
        rows = {
            f"surface fraction of {element} atoms": format_number(dot.surface_fraction(element)),
            "surface share of the CP signal": format_number(
                signal["surface"] / total if total > 0 else float("nan")),
        }
        return out, rows

    def predict(self, s: Settings) -> Prediction:
        s = self.check(s)
        sample = self.sample(s.material, s.nucleus)
        ppm = self.axis(sample)
        shapes = self.shapes(s, sample, ppm)
        weights, cp_rows = self.cp_weights(s, sample)
        gain, rows, r = self.sample_gain(s)
        surface_rows = np.array([role == "surface" for _, role in sample.species])
        weighted = (gain * weights)[:, None] * shapes
        surface = weighted[surface_rows].sum(axis=0)
        core = weighted[~surface_rows].sum(axis=0)
        total = surface + core
        sb_ppm, sb_h = self.sidebands(s, sample, ppm, total)
        if sample.defaults.get("no_csa"):
            cp_rows["CSA not in the paper, taken as 0"] = sample.defaults["no_csa"]
        if sample.defaults.get("assumed_widths"):
            cp_rows["line width not in the paper, assumed"] = (
                f"{UNREPORTED_FWHM_HZ:.0f} Hz ({sample.defaults['assumed_widths']})")
        return Prediction(ppm, total, surface, core, sb_ppm, sb_h, {**rows, **cp_rows},
                          axis_key=(s.material, s.nucleus, ppm[0], ppm[-1], ppm.size),
                          numbers={"enhancement": float(r.enhancement),
                                   "absolute_gain": float(r.absolute_gain),
                                   "microwave": s.microwave})

    def loading_defaults(self) -> dict:
        """Solution volume, QD mass and the loading that exactly fills the pores (qdkit.matrix)."""
        matrix = _require("matrix")
        params = inspect.signature(matrix.sample_sensitivity).parameters
        solution_ul = float(params["solution_ul"].default)
        pore_volume = float(params["pore_volume_cm3_g"].default)
        qd_mg = float(matrix.QD_CONC_MG_ML) * solution_ul / 1000.0
        return {"solution_ul": solution_ul, "qd_mg": qd_mg,
                "silica_per_qd": solution_ul / pore_volume / qd_mg}

    def sample_gain(self, s: Settings):
        """Signal per scan relative to the frozen colloid (qdkit.matrix), the readout rows
        and qdkit's full ``SampleSensitivity`` record.

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
        # Microwaves off: same rotor, no enhancement (ε = 1), dilution and quenching stay.
        gain = r.absolute_gain if s.microwave else dnp.absolute_gain(
            1.0, dilution=r.dilution, retention=r.retention)
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
        if not s.microwave:
            rows["signal per scan vs frozen colloid (microwaves off)"] = format_number(gain)
        return float(gain), rows, r

    def sidebands(self, s: Settings, sample: Sample, ppm, total):
        """Visible spinning sidebands (qdkit.mas.sideband_positions_ppm) and the trace height."""
        if s.mas_hz <= 0 or total.size == 0:
            return np.zeros(0), np.zeros(0)
        from qdkit import mas, nuclei

        ref_mhz = nuclei.get(s.nucleus).reference_mhz(s.field_T)
        span = abs(ppm[0] - ppm[-1]) * ref_mhz / s.mas_hz
        orders = np.arange(-int(span) - 1, int(span) + 2)
        orders = orders[orders != 0]
        positions = np.concatenate([
            mas.sideband_positions_ppm(site.iso_ppm, orders, s.mas_hz, ref_mhz)
            for site, _ in sample.species])
        positions = positions[(positions <= ppm[0]) & (positions >= ppm[-1])]
        height = np.interp(positions, ppm[::-1], total[::-1])
        keep = height > 0.03 * float(np.max(total))
        return positions[keep], height[keep] + 0.04 * float(np.max(total))


#: Figures of the main text whose reported species split into surface and core sites: the
#: samples the explorer offers (InP 31P, Fig. 2e; CdSe 113Cd, Fig. 3a; CdSe 77Se, Fig. 3b).
EXPLORER_FIGURES = ("2e", "3a", "3b")
#: Line width assumed where the paper reports none (it calls the InP core line "very
#: broad"); the readout says which species use it.
UNREPORTED_FWHM_HZ = 8000.0


def catalog_samples() -> dict:
    """The paper's samples from ``qdkit.catalog``, as ``(material, nucleus) → Sample``.

    Sites come from the reported species of each figure: δiso; δaniso = the reported CSA
    (0 if none) with η = 0 (the paper reports no asymmetry); FWHM = the reported width,
    else the reported shift range, else :data:`UNREPORTED_FWHM_HZ`. Settings come from the
    figure's first experiment and its sample (field, spin rate, contact time, pore size,
    QD size, ligand); a species assigned to a CdX2 shell adds that shell to the QD model.
    """
    catalog = _require("catalog")
    mas = _require("mas")
    from qdkit import nuclei

    nanocrystal = _require("nanocrystal")
    out = {}
    for figure in EXPLORER_FIGURES:
        species = [sp for sp in catalog.species(figure=figure) if sp.site in ("surface", "core")]
        experiments = catalog.experiments(figure=figure)
        if not species or not experiments:
            continue
        exp = experiments[0]
        sample = exp.sample
        ref_mhz = nuclei.get(exp.nucleus).reference_mhz(exp.field_T)
        sites, assumed, no_csa = [], [], []
        for sp in species:
            if not sp.csa_ppm:
                no_csa.append(sp.assignment)
            if sp.fwhm_hz:
                fwhm = sp.fwhm_hz
            elif sp.range_ppm:
                fwhm = abs(sp.range_ppm[1] - sp.range_ppm[0]) * ref_mhz
            else:
                fwhm = UNREPORTED_FWHM_HZ
                assumed.append(sp.assignment)
            site = mas.Site(exp.nucleus, iso_ppm=sp.iso_ppm, aniso_ppm=sp.csa_ppm or 0.0,
                            eta=0.0, fwhm_hz=fwhm)
            sites.append((site, sp.site))
        ligand_text = (sample.ligand or "").lower()
        ligand = next((name for name in sorted(nanocrystal.LIGANDS, key=len, reverse=True)
                       if name in ligand_text), "oleate")
        shell = "CdX2" if any("CdX2" in sp.assignment for sp in species) else None
        defaults = {"field_T": exp.field_T, "mas_hz": exp.mas_hz, "contact_ms": exp.contact_ms,
                    "pore_nm": sample.pore_nm, "diameter_nm": sample.size_nm}
        defaults = {k: (float(v) if v is not None else None) for k, v in defaults.items()}
        if assumed:
            defaults["assumed_widths"] = ", ".join(assumed)
        if no_csa:
            defaults["no_csa"] = ", ".join(no_csa)
        out[(sample.qd, exp.nucleus)] = Sample(sample.qd, exp.nucleus, tuple(sites), defaults,
                                               ligand=ligand, shell=shell)
    if not out:
        raise WidgetError("The catalog (data/catalog.toml) lists no surface/core species for "
                          "the explorer; check that data/ is complete.")
    return out


__all__ = ["Settings", "Sample", "Prediction", "QdkitBridge", "catalog_samples"]
