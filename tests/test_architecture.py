"""The package keeps the shape DESIGN.md describes: layers pointing one way, no import
cycles, no module past 600 lines, and every documented import path still importable."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from conftest import REPO

MAX_LINES = 600


def _modules(folder: str, package: str) -> dict[str, Path]:
    root = REPO / folder
    out = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).with_suffix("")
        parts = [package, *rel.parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path, name: str, is_package: bool) -> set[str]:
    """Every module imported anywhere in the file, function bodies included."""
    found = set()
    base = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pkg = base
                for _ in range(node.level - 1):
                    pkg = pkg.rpartition(".")[0]
                mod = f"{pkg}.{node.module}" if node.module else pkg
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)
    return found


def _graph(folder: str, package: str) -> dict[str, set[str]]:
    mods = _modules(folder, package)
    graph = {}
    for name, path in mods.items():
        deps = _imports(path, name, path.name == "__init__.py")
        # a shim that re-exports its home is an alias, not a dependency of the home
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            # importing a submodule runs its package's __init__ first; that parent link is
            # Python's doing, not a dependency the package has on its child
            if v.startswith(w + "."):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_in_the_core_or_the_widgets():
    graph = _graph("qdkit", "qdkit")
    graph.update(_graph("widgets", "qdkit_widgets"))
    assert _cycles(graph) == []


def test_the_core_never_imports_the_interactive_layer_or_jupyter():
    forbidden = ("qdkit_widgets", "widgets", "ipywidgets", "bokeh", "jupyter_bokeh", "IPython", "voila")
    for name, path in _modules("qdkit", "qdkit").items():
        deps = _imports(path, name, path.name == "__init__.py")
        bad = sorted(d for d in deps if d.split(".")[0] in forbidden)
        assert not bad, f"{name} imports {bad}"


def test_no_module_is_longer_than_600_lines():
    long = {
        str(p.relative_to(REPO)): n
        for folder in ("qdkit", "widgets")
        for p in (REPO / folder).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.parametrize(
    "path",
    [
        "mas",
        "matrix",
        "dnp",
        "cp",
        "nanocrystal",
        "hmqc",
        "fit",
        "sidebands",
        "cpmg",
        "infer",
        "twod",
        "referencing",
        "recipe",
        "relaxation",
        "bruker",
        "catalog",
        "nuclei",
    ],
)
def test_documented_module_paths_still_import(path):
    importlib.import_module(f"qdkit.{path}")


def test_stable_names_of_the_design_are_importable():
    import qdkit
    from qdkit.mas import Site, mas_spectrum  # noqa: F401

    assert callable(qdkit.read) and callable(qdkit.process)
