"""The one record every qdkit fit returns: values, standard errors, undetermined parameters.

Each fitter's own result (lineshape, relaxation, CP build-up, echo decay) subclasses
:class:`FitResult` and adds its physics-named attributes on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdkit.errors import ModelParameterError

__all__ = ["FitResult", "stderr_from_covariance", "reduced_chi_square"]


@dataclass(frozen=True, eq=False, kw_only=True)
class FitResult:
    """What every qdkit fit reports, whichever optimiser produced it.

    The fields are keyword-only, so a subclass may put its own positional fields first.

    Attributes
    ----------
    values : dict of str to float
        Best-fit value of each parameter, keyed by the fit's parameter name (unit in the name).
    stderr : dict of str to float
        One-standard-error uncertainty of each value; NaN where the fit cannot give one.
    undetermined : tuple of str
        Names of the parameters the data do not pin down (their stderr is NaN or meaningless).
    redchi : float
        Reduced χ² (χ²/(n − p)); with unit weights it is the residual variance.
    success : bool
        Whether the optimiser reported convergence.
    message : str
        The optimiser's message (empty when it gives none).
    params : lmfit.Parameters or None
        The fitted lmfit parameters, for fits done with lmfit; None otherwise.
    lmfit_result : lmfit.minimizer.MinimizerResult or None
        The full lmfit result (not shown in the repr).
    """

    values: dict[str, float] = field(hash=False)
    stderr: dict[str, float] = field(hash=False)
    undetermined: tuple[str, ...] = ()
    redchi: float = float("nan")
    success: bool = True
    message: str = ""
    params: Any = field(default=None, hash=False, compare=False)
    lmfit_result: Any = field(default=None, repr=False, hash=False, compare=False)

    def value(self, name: str) -> tuple[float, float]:
        """(value, standard error) of one parameter.

        Parameters
        ----------
        name : str
            A key of :attr:`values`.

        Returns
        -------
        (float, float)
            The value and its standard error (NaN where undetermined).

        Raises
        ------
        ModelParameterError
            If the fit has no parameter of that name.
        """
        if name not in self.values:
            raise ModelParameterError(f"This fit has no parameter {name!r}; it has {', '.join(self.values) or 'none'}.")
        return self.values[name], self.stderr.get(name, float("nan"))

    def table(self) -> str:
        """Plain-text table: each parameter's value and standard error, then χ²_red and convergence.

        Returns
        -------
        str
            One line per parameter (undetermined ones marked), then a summary line.
        """
        rows = [f"{'parameter':<16} {'value':>12} {'std err':>10}"]
        for name, val in self.values.items():
            err = self.stderr.get(name, float("nan"))
            flag = "   undetermined" if name in self.undetermined else ""
            rows.append(f"{name:<16} {val:12.4g} {err:10.3g}{flag}")
        state = "converged" if self.success else "NOT converged"
        rows.append(f"reduced chi-square {self.redchi:.3g}  ({state}{': ' + self.message if self.message else ''})")
        return "\n".join(rows)


def stderr_from_covariance(names, covariance) -> tuple[dict[str, float], tuple[str, ...]]:
    """Standard errors √diag(C) from a covariance matrix, NaN (and flagged) where not finite.

    Parameters
    ----------
    names : sequence of str
        Parameter names, in the covariance's order.
    covariance : array_like
        The (p, p) covariance matrix, e.g. from ``scipy.optimize.curve_fit``.

    Returns
    -------
    stderr : dict of str to float
        Name → standard error, NaN where the variance is infinite, NaN or negative.
    undetermined : tuple of str
        The names with a NaN standard error.
    """
    var = np.diag(np.asarray(covariance, dtype=float))
    stderr = {n: (float(math.sqrt(v)) if np.isfinite(v) and v >= 0 else float("nan")) for n, v in zip(names, var)}
    return stderr, tuple(n for n, s in stderr.items() if math.isnan(s))


def reduced_chi_square(residual, n_params: int) -> float:
    """χ²/(n − p) of a residual vector (already divided by σ where σ is known).

    Parameters
    ----------
    residual : array_like
        Model minus data, one entry per point (divided by each point's σ when known).
    n_params : int
        Number of fitted parameters p.

    Returns
    -------
    float
        The reduced χ²; NaN when n ≤ p.
    """
    r = np.asarray(residual, dtype=float)
    dof = r.size - int(n_params)
    return float(np.sum(r**2) / dof) if dof > 0 else float("nan")
