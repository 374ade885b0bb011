"""Recipes: processing as a JSON-serialisable list of named steps that replays exactly.

A step is a pure function ``obj -> obj`` (``Dataset`` or ``Spectrum``) taking keyword
parameters only. Decorating it with :func:`step` makes every call append
``{"step": name, **parameters}`` to the result's ``recipe``; the table of steps a recipe may
name is written out once, in :mod:`qdkit.processing.steps`. A step that decides
something from the data (automatic phase, echo positions ...) returns ``(result, resolved)``
where ``resolved`` holds the parameters that reproduce its choice without deciding again;
those are what the recipe records, so replaying a recipe never re-runs an automatic choice.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from qdkit.errors import RecipeError

__all__ = [
    "step",
    "to_json",
    "from_json",
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise RecipeError(
        f"Recipe parameter {value!r} of type {type(value).__name__} cannot be saved as JSON; "
        "pass numbers, strings, booleans or lists of them."
    )


def step(func: Callable[..., Any]) -> Callable[..., Any]:
    """Make ``func`` a recipe step: each call records its name and parameters (see module docstring).

    Parameters
    ----------
    func : callable
        ``func(obj, **params)`` returning a new object, or ``(new object, resolved params)``.

    Returns
    -------
    callable
        The recorded step; ``.raw`` is the undecorated function.
    """
    name = func.__name__

    @functools.wraps(func)
    def recorded(obj, /, **params):
        out = func(obj, **params)
        if isinstance(out, tuple):
            out, params = out
        entry = {"step": name, **_jsonable(params)}
        return out.replace(recipe=tuple(obj.recipe) + (entry,))

    recorded.raw = func
    return recorded


def to_json(recipe: Iterable[Mapping[str, Any]], indent: int = 2) -> str:
    """A recipe as JSON text (what :func:`from_json` reads back).

    Parameters
    ----------
    recipe : iterable of dict
        The steps.
    indent : int, default 2
        JSON indentation.

    Returns
    -------
    str
    """
    return json.dumps([dict(e) for e in recipe], indent=indent)


def from_json(text_or_path: str | Path) -> list[dict[str, Any]]:
    """Load a recipe from a JSON string or a ``.json`` file.

    Parameters
    ----------
    text_or_path : str or Path
        JSON text starting with ``[``, or the path of a file holding it.

    Returns
    -------
    list of dict

    Raises
    ------
    RecipeError
        For an unreadable file, invalid JSON, or JSON that is not a list.

    Examples
    --------
    >>> from_json('[{"step": "ft"}]')
    [{'step': 'ft'}]
    """
    text = str(text_or_path)
    if not text.lstrip().startswith("["):
        try:
            text = Path(text_or_path).read_text(encoding="utf-8")
        except OSError as exc:
            raise RecipeError(f"Cannot read recipe file {text_or_path}: {exc}") from exc
    try:
        recipe = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecipeError(f"Recipe is not valid JSON ({exc}).") from exc
    if not isinstance(recipe, list):
        raise RecipeError("A recipe must be a JSON list of steps.")
    return recipe
