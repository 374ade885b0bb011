"""qdkit's interactive layer: explorers built from ipywidgets and bokeh, holding no physics.

Every number an explorer plots or prints comes from a ``qdkit`` call; the widgets only
hold state, lay out controls and replace columns of bokeh data sources. Names are imported
on first use, so ``import qdkit_widgets`` (and the ``qdkit demo`` command) stays light.

>>> from qdkit_widgets import SpectrumExplorer       # doctest: +SKIP
>>> SpectrumExplorer(material="InP", nucleus="31P")   # displays the app
"""

from __future__ import annotations

import importlib

_WHERE = {
    "SpectrumExplorer": "explorer",
    "PolarizationExplorer": "teaching",
    "CPBuildupExplorer": "teaching",
    "RelayedDiffusionExplorer": "teaching",
    "SensitivityExplorer": "teaching",
    "ProcessingPanel": "processing_panel",
    "RealSeriesExplorer": "real_series",
    "StructureExplorer": "structure",
    "PlanExplorer": "plan",
}

__all__ = list(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module qdkit_widgets has no attribute {name!r}")
