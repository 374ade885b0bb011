"""The examples in the public API's docstrings run and give what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import qdkit


def _home_modules() -> list[str]:
    """Every module of the core once, at its home (the documented short paths are aliases)."""
    names = []
    for info in pkgutil.walk_packages(qdkit.__path__, "qdkit."):
        module = importlib.import_module(info.name)
        is_shim = "a stable import path" in (module.__doc__ or "")
        if module.__name__ == info.name and not is_shim:  # aliases resolve to their home
            names.append(info.name)
    return ["qdkit", *names]


@pytest.mark.parametrize("name", _home_modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.failed == 0, (
        f"{result.failed} of {result.attempted} examples in {name} failed (run with -s to see them)"
    )
