"""Recipes: processing as a JSON-serialisable list of named steps that replays exactly.

A step is a pure function ``obj -> obj`` (``Dataset`` or ``Spectrum``) taking keyword
parameters only. Decorating it with :func:`step` registers it by name and makes every call
append ``{"step": name, **parameters}`` to the result's ``recipe``. A step that decides
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

from .errors import RecipeError

_STEPS: dict[str, Callable[..., Any]] = {}


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
    """Register ``func`` as a recipe step under its own name (see module docstring)."""
    name = func.__name__
    if name in _STEPS:
        raise RecipeError(f"Two processing steps are called {name!r}; step names must be unique.")

    @functools.wraps(func)
    def recorded(obj, /, **params):
        out = func(obj, **params)
        if isinstance(out, tuple):
            out, params = out
        entry = {"step": name, **_jsonable(params)}
        return out.replace(recipe=tuple(obj.recipe) + (entry,))

    recorded.raw = func
    _STEPS[name] = recorded
    return recorded


#: Modules that define steps; imported on demand so a recipe replays in a fresh process.
STEP_MODULES = ("qdkit.processing", "qdkit.referencing", "qdkit.cpmg", "qdkit.twod")


def _load_step_modules() -> None:
    import importlib

    for name in STEP_MODULES:
        importlib.import_module(name)


def registered_steps() -> dict[str, Callable[..., Any]]:
    """Name → step function, for every step qdkit defines."""
    _load_step_modules()
    return dict(_STEPS)


def apply(obj, recipe: Iterable[Mapping[str, Any]]):
    """Replay ``recipe`` (a list of ``{"step": name, **params}``) on ``obj``."""
    for i, entry in enumerate(recipe):
        if not isinstance(entry, Mapping) or "step" not in entry:
            raise RecipeError(
                f"Recipe entry {i} is {entry!r}; each entry must be a mapping with a 'step' key."
            )
        params = {k: v for k, v in entry.items() if k != "step"}
        if entry["step"] not in _STEPS:
            _load_step_modules()
        try:
            func = _STEPS[entry["step"]]
        except KeyError:
            raise RecipeError(
                f"Recipe entry {i} names the unknown step {entry['step']!r}. "
                f"Known steps: {', '.join(sorted(_STEPS))}."
            ) from None
        try:
            obj = func(obj, **params)
        except TypeError as exc:
            raise RecipeError(f"Recipe entry {i} ({entry['step']}): {exc}") from None
    return obj


def to_json(recipe: Iterable[Mapping[str, Any]], indent: int = 2) -> str:
    return json.dumps([dict(e) for e in recipe], indent=indent)


def from_json(text_or_path: str | Path) -> list[dict[str, Any]]:
    """Load a recipe from a JSON string or a ``.json`` file."""
    text = str(text_or_path)
    if not text.lstrip().startswith("["):
        try:
            text = Path(text_or_path).read_text(encoding="utf-8")
        except OSError as exc:
            raise RecipeError(f"Cannot read recipe file {text_or_path}: {exc}") from None
    try:
        recipe = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecipeError(f"Recipe is not valid JSON ({exc}).") from None
    if not isinstance(recipe, list):
        raise RecipeError("A recipe must be a JSON list of steps.")
    return recipe
