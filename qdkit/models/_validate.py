"""One check for the physical inputs of the models: a positive (or non-negative) number.

Raises :class:`qdkit.errors.ModelParameterError` naming the parameter and what it means.
"""

from __future__ import annotations

import math

from qdkit.errors import ModelParameterError


def number(name, value, what, *, allow_zero=False, allow_inf=False) -> float:
    """``value`` as a float > 0 (≥ 0 with ``allow_zero``; ``math.inf`` only with ``allow_inf``)."""
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ModelParameterError(f"{name} must be a number ({what}); got {value!r}.") from exc
    bad = math.isnan(v) or v < 0 or (v == 0 and not allow_zero) or (math.isinf(v) and not allow_inf)
    if bad:
        bound = "a number ≥ 0" if allow_zero else "a positive number"
        extra = " (math.inf allowed)" if allow_inf else ""
        raise ModelParameterError(f"{name} must be {bound}{extra} ({what}); got {value!r}.")
    return v
