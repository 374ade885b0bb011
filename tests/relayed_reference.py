"""An independent solution of the relayed-DNP sphere problem, for tests and benchmarks.

Method of lines: finite volumes on spherical shells, graded finer towards the polarized
surface, integrated with scipy's BDF. It shares no code or formula with
qdkit.models.relayed (which inverts a Laplace transform), so agreement tests both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.sparse.linalg import spsolve


def _faces(radius, h0, ratio, coarsest):
    faces, h = [radius], h0
    while faces[-1] > 0:
        faces.append(faces[-1] - h)
        h = min(h * ratio, coarsest)
    faces[-1] = 0.0
    f = np.array(faces[::-1])
    if f[1] < 0.3 * (f[2] - f[1]):  # no sliver of a cell at the centre
        f = np.delete(f, 1)
    return f


@dataclass(frozen=True)
class FiniteVolumeSphere:
    """dp/dt = M p + 1/T1 + b · surface(t): the shells' reduced polarizations p = P/P0."""

    matrix: sp.csc_matrix
    surface_coupling: np.ndarray
    weights: np.ndarray
    t1_s: float

    @classmethod
    def build(cls, radius_nm, diffusion_nm2_s, t1_s, finest_nm, ratio=1.05, cells_across=120):
        f = _faces(radius_nm, finest_nm, ratio, radius_nm / cells_across)
        vol = (f[1:] ** 3 - f[:-1] ** 3) / 3.0
        centre = 0.5 * (f[1:] + f[:-1])
        g = diffusion_nm2_s * f[1:-1] ** 2 / np.diff(centre)  # flux conductance of inner faces
        g_surface = diffusion_nm2_s * f[-1] ** 2 / (f[-1] - centre[-1])
        diag = np.zeros(vol.size)
        diag[:-1] -= g
        diag[1:] -= g
        diag[-1] -= g_surface
        m = sp.diags([g / vol[1:], diag / vol, g / vol[:-1]], [-1, 0, 1], format="csc")
        m = m - sp.identity(vol.size, format="csc") / t1_s
        b = np.zeros(vol.size)
        b[-1] = g_surface / vol[-1]
        return cls(m, b, vol / vol.sum(), t1_s)

    def _solve(self, bulk, surface, t_end):
        src = np.full(self.weights.size, bulk / self.t1_s)
        rhs = lambda t, p: self.matrix @ p + src + self.surface_coupling * surface(t)
        return solve_ivp(
            rhs,
            (0.0, t_end),
            np.zeros(self.weights.size),
            method="BDF",
            jac=self.matrix,
            rtol=1e-9,
            atol=1e-12,
            dense_output=True,
        )

    def steady(self, eps0):
        rhs = -(np.full(self.weights.size, 1.0 / self.t1_s) + self.surface_coupling * eps0)
        return float(self.weights @ spsolve(self.matrix, rhs))


def reference(radius_nm, *, eps0, diffusion_nm2_s, t1_s, recycle_s, t_b_surface_s):
    """(enhancement, enhancement_on_off, t_b_s, steady_state) from the finite-volume solution."""
    length = math.sqrt(diffusion_nm2_s * t1_s)
    earliest = min(recycle_s, t1_s, radius_nm**2 / diffusion_nm2_s, t_b_surface_s or math.inf)
    finest = min(radius_nm / 300.0, length / 30.0, math.sqrt(diffusion_nm2_s * earliest) / 30.0)
    fv = FiniteVolumeSphere.build(radius_nm, diffusion_nm2_s, t1_s, finest)
    ts = t_b_surface_s
    drive = (lambda t: 1.0 - math.exp(-t / ts)) if ts > 0 else (lambda t: 1.0)
    t_end = 40.0 * (t1_s + ts)
    horizon = t_end if math.isinf(recycle_s) else max(t_end, recycle_s)
    bulk = fv._solve(1.0, lambda t: 0.0, horizon)  # the part relaxing with T1 only
    surf = fv._solve(0.0, drive, horizon)  # the part carried in from a unit surface
    avg = lambda sol, t: float(fv.weights @ sol.sol(t))
    steady = fv.steady(eps0)
    if math.isinf(recycle_s):
        on, off = steady, fv.steady(1.0)
    else:
        on = avg(bulk, recycle_s) + eps0 * avg(surf, recycle_s)
        off = avg(bulk, recycle_s) + avg(surf, recycle_s)
    target = (1.0 - math.exp(-1.0)) * steady
    t_b = brentq(lambda t: avg(bulk, t) + eps0 * avg(surf, t) - target, 1e-12, t_end, xtol=1e-14, rtol=1e-10)
    return on, on / off, t_b, steady
