"""Orientation sets for powder averages: which crystallite orientations to sum, with weights.

Each set is a tuple ``(alpha, beta, weight)`` of 1-D arrays (radians; weights sum to 1) of
Euler angles taking the tensor's principal axis frame to the rotor (or magnet) frame.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qdkit.errors import ModelParameterError

__all__ = [
    "zcw",
    "gauss_grid",
    "lebedev",
    "orientations",
]


#: Golden ratio; successive Fibonacci numbers approach it, which is what ZCW exploits.
_GOLDEN = (1.0 + 5.0**0.5) / 2.0


@lru_cache(maxsize=32)
def zcw(n_points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zaremba–Conroy–Cheng–Wolfsberg style set on the upper hemisphere.

    Points ``j = 0 … n−1`` have cos β uniform in (0, 1] and α advancing by the golden angle,
    the limit of the Fibonacci-number ZCW recipe (Cheng et al., J. Chem. Phys. 59, 3992
    (1973); Edén & Levitt, J. Magn. Reson. 132, 220 (1998)). Equal weights.

    A hemisphere is enough for any rank-2 interaction: β and π − β give the same
    frequency (static) or the same γ-averaged sideband intensities (MAS, the rotor axis
    reversed is the same experiment spinning the other way).
    """
    if n_points < 1:
        raise ModelParameterError(f"zcw needs at least 1 point, got {n_points}.")
    j = np.arange(n_points)
    cos_beta = (j + 0.5) / n_points
    alpha = (2.0 * np.pi * j / _GOLDEN) % (2.0 * np.pi)
    weight = np.full(n_points, 1.0 / n_points)
    return alpha, np.arccos(cos_beta), weight


@lru_cache(maxsize=32)
def gauss_grid(n_alpha: int, n_beta: int, full_turn: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Product grid: Gauss–Legendre in cos β on (0, 1) times equal steps in α on [0, π).

    Sideband intensities of a rank-2 interaction are smooth in cos β and π-periodic in α
    (the tensor components enter as e^{±2iα}), so Gauss–Legendre and the trapezoid rule both
    converge spectrally: a few hundred orientations match thousands of ZCW points.
    ``full_turn`` takes α on [0, 2π) instead: needed when two tensors at general relative
    angles (CSA and EFG) remove the π-periodicity.
    """
    if n_alpha < 1 or n_beta < 1:
        raise ModelParameterError(f"gauss_grid needs positive sizes, got {n_alpha}×{n_beta}.")
    x, w = np.polynomial.legendre.leggauss(n_beta)
    cos_beta = 0.5 * (x + 1.0)
    alpha = (2.0 if full_turn else 1.0) * np.pi * np.arange(n_alpha) / n_alpha
    a, c = np.meshgrid(alpha, cos_beta, indexing="ij")
    weight = np.broadcast_to(0.5 * w / n_alpha, a.shape)
    return a.ravel(), np.arccos(c.ravel()), np.ascontiguousarray(weight).ravel()


@lru_cache(maxsize=16)
def lebedev(order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lebedev–Laikov set of the given polynomial order, folded to the upper hemisphere.

    Points come from :func:`scipy.integrate.lebedev_rule` (Lebedev & Laikov, Dokl. Math.
    59, 477 (1999)); points with z < 0 are reflected through the origin, and those on the
    equator are kept with their weight.
    """
    from scipy.integrate import lebedev_rule

    try:
        xyz, w = lebedev_rule(order)
    except (ValueError, NotImplementedError) as exc:
        raise ModelParameterError(f"No Lebedev rule of order {order}: {exc}") from None
    xyz = np.where(xyz[2] < 0, -xyz, xyz)
    beta = np.arccos(np.clip(xyz[2], -1.0, 1.0))
    alpha = np.arctan2(xyz[1], xyz[0]) % (2.0 * np.pi)
    return alpha, beta, w / w.sum()


def orientations(scheme: str = "gauss", density: int = 24):
    """Orientation set by name: ``"gauss"`` (default), ``"zcw"`` or ``"lebedev"``.

    ``density`` is the number of β values for ``"gauss"`` (with ``density`` α values, so
    density² points), the approximate number of points on the hemisphere ÷ density for
    ``"zcw"`` (density² points), and the polynomial order for ``"lebedev"``.

    Parameters
    ----------
    scheme : {"gauss", "zcw", "lebedev"}, default "gauss"
        The orientation set.
    density : int, default 24
        Its size (above).

    Returns
    -------
    (alpha, beta, weight) : tuple of numpy.ndarray
        Euler angles in radians and weights summing to 1.

    Raises
    ------
    ModelParameterError
        For an unknown scheme or a size it cannot build.
    """
    if scheme == "gauss":
        return gauss_grid(density, density)
    if scheme == "zcw":
        return zcw(density * density)
    if scheme == "lebedev":
        return lebedev(density)
    raise ModelParameterError(f"Unknown orientation scheme {scheme!r}; use 'gauss', 'zcw' or 'lebedev'.")
