"""The steps a recipe may name, written out once, and replaying a recipe with them.

A recipe entry ``{"step": "apodize", ...}`` is replayed by looking its name up here; adding a
processing step means decorating it with :func:`qdkit.processing.recipe.step` and listing it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from qdkit.errors import RecipeError
from qdkit.processing import correct, echoes, fid, referencing, twod

__all__ = ["STEPS", "registered_steps", "apply"]

#: Step name → step function.
STEPS = {
    func.__name__: func
    for func in (
        fid.truncate,
        fid.scale_first_point,
        fid.dc_offset,
        fid.apodize,
        fid.zero_fill,
        fid.remove_group_delay,
        fid.ft,
        correct.phase,
        correct.autophase,
        correct.magnitude,
        correct.baseline,
        referencing.reference_sr,
        referencing.reference_unified,
        referencing.reference_to_standard,
        referencing.change_reference_compound,
        echoes.coadd_echoes,
        twod.transform_indirect,
        twod.phase_2d,
    )
}


def registered_steps() -> dict[str, Callable[..., Any]]:
    """Name → step function, for every step qdkit defines (a copy of :data:`STEPS`).

    Returns
    -------
    dict
    """
    return dict(STEPS)


def apply(obj, recipe: Iterable[Mapping[str, Any]], *, extra_steps: Mapping[str, Callable[..., Any]] | None = None):
    """Replay ``recipe`` (a list of ``{"step": name, **params}``) on ``obj``.

    Parameters that a step does not take raise :class:`RecipeError`; errors raised inside a
    step keep their own type and traceback.

    Parameters
    ----------
    obj : Dataset or Spectrum
        Where the recipe starts.
    recipe : iterable of dict
        The steps.
    extra_steps : dict, optional
        Name → step: steps of your own, added to qdkit's table.

    Returns
    -------
    Dataset or Spectrum
        What the last step returned, with every step in its recipe.

    Raises
    ------
    RecipeError
        For an entry without a ``"step"``, an unknown step, or parameters a step does not take.
    """
    steps = {**registered_steps(), **(extra_steps or {})}
    for i, entry in enumerate(recipe):
        if not isinstance(entry, Mapping) or "step" not in entry:
            raise RecipeError(f"Recipe entry {i} is {entry!r}; each entry must be a mapping with a 'step' key.")
        params = {k: v for k, v in entry.items() if k != "step"}
        func = steps.get(entry["step"])
        if func is None:
            raise RecipeError(
                f"Recipe entry {i} names the unknown step {entry['step']!r}. Known steps: {', '.join(sorted(steps))}."
            )
        try:
            inspect.signature(func.raw).bind(obj, **params)
        except TypeError as exc:
            raise RecipeError(
                f"Recipe entry {i} ({entry['step']}) has parameters the step does not take: {exc}"
            ) from exc
        obj = func(obj, **params)
    return obj
