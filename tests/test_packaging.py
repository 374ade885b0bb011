"""The two dependency lists (pyproject for pip, environment.yml for Binder) agree."""

from __future__ import annotations

import re
import tomllib

from conftest import REPO


def _name(requirement: str) -> str:
    name = re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def _conda_names() -> set[str]:
    names = set()
    in_pip = in_deps = False
    for line in (REPO / "environment.yml").read_text().splitlines():
        s = line.strip()
        if s.startswith("- pip:"):
            in_pip = True
            continue
        if s.startswith("dependencies:"):
            in_deps = True
            continue
        if in_pip or not in_deps or not s.startswith("- "):
            continue
        names.add(_name(s[2:]))
    return names - {"python", "pip"}


def _binder_requirements() -> list[str]:
    """What Binder needs: the core plus the interactive layer and Dask batch extras."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [*project["dependencies"], *extras["widgets"], *extras["batch"]]


def test_environment_yml_lists_the_core_widgets_and_batch_dependencies_of_pyproject():
    pip_names = {_name(r) for r in _binder_requirements()}
    conda = _conda_names()
    # dask[distributed] is split into two conda packages
    expected = (pip_names - {"dask"}) | {"dask", "distributed"}
    assert conda == expected, f"only in pyproject: {expected - conda}; only in environment.yml: {conda - expected}"


def test_version_bounds_agree_between_pyproject_and_environment_yml():
    env_text = (REPO / "environment.yml").read_text()
    for req in _binder_requirements():
        spec = re.sub(r"^[A-Za-z0-9_.\-]+(\[[^\]]*\])?", "", req).strip()
        if spec:
            assert spec in env_text, f"{req}: bound {spec!r} missing from environment.yml"
