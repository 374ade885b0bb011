"""Sphinx configuration for qdkit's documentation site (built offline: ``bash run.sh docs``).

The API pages, the page of stable import paths and a copy of the notebooks are written into
``docs/generated/`` at the start of every build, from the package itself, so a new module or
notebook appears without editing this file. Notebooks are rendered as saved, never executed.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
GENERATED = DOCS / "generated"
sys.path.insert(0, str(REPO))  # document this checkout's qdkit, not an installed copy

import qdkit  # noqa: E402

project = "qdkit"
author = "qdkit developers"
copyright = "qdkit developers, MIT licence"
release = qdkit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",  # brings myst_parser: Markdown pages and notebooks
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "README.md", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]

# Notebooks are shown with the outputs they were saved with: the build runs no kernel.
nb_execution_mode = "off"
# Saved bokeh/widget outputs carry MIME types a static page cannot show; the text/HTML
# fallbacks in the same output are rendered instead.
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("html", "application/vnd.bokehjs_exec.v0+json", None),
    ("html", "application/vnd.bokehjs_load.v0+json", None),
]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    # document each object at its home only: re-exports (``__all__`` of a package) would
    # describe the same object twice
    "ignore-module-all": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "furo"
html_title = f"qdkit {release}"
html_static_path: list[str] = []

# Offline by design: no intersphinx, no remote images.
suppress_warnings = ["myst.header"]

# ---------------------------------------------------------------------------------------
# Generated pages

_SECTIONS = [
    ("Top level", "qdkit", "The package entry points, errors, constants, isotopes, the data model and the catalog."),
    ("Reading and writing data", "qdkit.io", "One module per format; shared metadata heuristics; pulse programs."),
    ("Processing", "qdkit.processing", "Recipes of pure steps from FID to spectrum; measurement; CPMG; 2D."),
    (
        "Simulation",
        "qdkit.simulation",
        "Sites and tensor conventions, powder averages, MAS sidebands, quadrupolar lines.",
    ),
    ("Physical models", "qdkit.models", "Nanocrystals, cross-polarization, the silica matrix, DNP, D-HMQC."),
    ("Analysis", "qdkit.analysis", "Fits with one result type, isotropic-peak identification, relaxation."),
    ("Command line and output", "qdkit.app", "The ``qdkit`` command, batch runs, reports, safe output."),
]


def home_modules() -> tuple[list[str], dict[str, str]]:
    """Every module of the core at its home, and the short paths that only point elsewhere.

    Returns
    -------
    homes : list of str
        Module names whose code lives in that module.
    aliases : dict
        Short path → what it points to (an alias module's home, or a shim's own docstring).
    """
    homes, aliases = ["qdkit"], {}
    for info in pkgutil.walk_packages(qdkit.__path__, "qdkit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue  # private helpers
        module = importlib.import_module(info.name)
        first_line = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        if module.__name__ != info.name:
            aliases[info.name] = f":mod:`{module.__name__}` (the same module object)"
        elif "a stable import path" in first_line:
            aliases[info.name] = first_line.split(":", 1)[1].strip() if ":" in first_line else first_line
        elif info.name != "qdkit.data":
            homes.append(info.name)
    return sorted(homes), dict(sorted(aliases.items()))


def _section_of(name: str) -> str:
    for _title, package, _blurb in _SECTIONS[1:]:
        if name == package or name.startswith(package + "."):
            return package
    return "qdkit"


def write_generated_pages() -> None:
    """Write the API pages, the stable-paths page and the notebook copies into ``generated/``."""
    if GENERATED.exists():
        shutil.rmtree(GENERATED)
    (GENERATED / "api").mkdir(parents=True)
    homes, aliases = home_modules()

    index = [
        "# API reference",
        "",
        "Every module at its home. The short paths (`qdkit.mas`, `qdkit.cp`, ...) are listed under",
        "[stable import paths](import_paths.md).",
        "",
    ]
    for title, package, blurb in _SECTIONS:
        members = [m for m in homes if _section_of(m) == package]
        index += [
            f"## {title}",
            "",
            blurb,
            "",
            "```{toctree}",
            ":maxdepth: 1",
            "",
            *[f"api/{m}" for m in members],
            "```",
            "",
        ]
        for name in members:
            underline = "=" * (len(name) + 9)
            (GENERATED / "api" / f"{name}.rst").write_text(
                f"``{name}``\n{underline}\n\n.. automodule:: {name}\n", encoding="utf-8"
            )
    (GENERATED / "api.md").write_text("\n".join(index), encoding="utf-8")

    rows = [
        "# Stable import paths",
        "",
        "These short module paths stay importable for notebooks and scripts written before the",
        "package was grouped by job. Each is either the home module itself under a second name",
        "(a `sys.modules` alias, so `qdkit.mas is qdkit.simulation.mas`) or a small module",
        "re-exporting names from their homes. Their documentation is at the home.",
        "",
        "```{list-table}",
        ":header-rows: 1",
        "",
        "* - import path",
        "  - where the code lives",
    ]
    for short, target in aliases.items():
        rows += [f"* - `{short}`", f"  - {_md_from_rst(target)}"]
    rows += ["```", ""]
    (GENERATED / "import_paths.md").write_text("\n".join(rows), encoding="utf-8")

    models = ["| module | what it models |", "|---|---|"]
    for name in homes:
        if name.startswith(("qdkit.models.", "qdkit.simulation.")):
            doc = (importlib.import_module(name).__doc__ or "").strip().splitlines()
            summary = doc[0].replace("|", "\\|") if doc else ""
            models.append(f"| {{py:mod}}`{name}` | {summary} |")
    (GENERATED / "model_modules.md").write_text("\n".join(models) + "\n", encoding="utf-8")

    notebooks = GENERATED / "notebooks"
    notebooks.mkdir()
    for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, notebooks / nb.name)
    (GENERATED / "notebooks.md").write_text(
        "\n".join(
            [
                "# Notebooks",
                "",
                "The paper's story, one notebook each, shown with the outputs they were saved with (the",
                "documentation build runs no kernel; interactive widgets need a live kernel, so open the",
                "notebooks with `bash run.sh lab` to move the sliders).",
                "",
                "```{toctree}",
                ":maxdepth: 1",
                "",
                *[f"notebooks/{nb.stem}" for nb in sorted(notebooks.glob("*.ipynb"))],
                "```",
                "",
            ]
        ),
        encoding="utf-8",
    )


def _md_from_rst(text: str) -> str:
    """``:mod:`x``` roles in a shim's docstring, as MyST roles."""
    return text.replace(":mod:`", "{py:mod}`")


write_generated_pages()


# ---------------------------------------------------------------------------------------
# Docstrings are written for ``help()`` as much as for this site: ``|x|`` there means an
# absolute value, which reStructuredText would read as a substitution. Escape bars outside
# inline literals, leaving grid-table rows (lines that start and end with ``|`` or ``+``) alone.

_LITERAL = re.compile(r"(``.+?``)")
_TABLE_ROW = re.compile(r"^\s*[+|].*[+|]\s*$")


def _escape_bars(app, what, name, obj, options, lines) -> None:
    for i, line in enumerate(lines):
        if "|" not in line or _TABLE_ROW.match(line):
            continue
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if p.startswith("``") else re.sub(r"(?<!\\)\|", r"\\|", p) for p in parts)


def _skip_foreign(app, what, name, obj, skip, options):
    """Skip classes and functions a module imported from elsewhere (scipy's cKDTree ...)."""
    module = getattr(obj, "__module__", None)
    if isinstance(obj, type) or callable(obj):
        if not (isinstance(module, str) and module.split(".")[0] == "qdkit"):
            return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
    app.connect("autodoc-skip-member", _skip_foreign)
