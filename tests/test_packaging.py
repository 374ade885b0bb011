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


def test_environment_yml_lists_every_runtime_dependency_of_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    conda = _conda_names()
    # dask[distributed] is split into two conda packages
    expected = (pip_names - {"dask"}) | {"dask", "distributed"}
    assert conda == expected, f"only in pyproject: {expected - conda}; only in environment.yml: {conda - expected}"


def test_version_bounds_agree_between_pyproject_and_environment_yml():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    env_text = (REPO / "environment.yml").read_text()
    for req in project["dependencies"]:
        spec = re.sub(r"^[A-Za-z0-9_.\-]+(\[[^\]]*\])?", "", req).strip()
        if spec:
            assert spec in env_text, f"{req}: bound {spec!r} missing from environment.yml"
