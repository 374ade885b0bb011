"""Showing bokeh figures as ipywidgets, with BokehJS served inline (works offline).

Bokeh figures become ``jupyter_bokeh.BokehModel`` widgets so that the same explorer runs in
JupyterLab, Voila and Binder; ``push_notebook`` and ``show()`` inside an ``Output`` widget do
not update in Voila. BokehJS comes from the installed bokeh package, never from a CDN.
"""

from __future__ import annotations

from bokeh.io import output_notebook
from bokeh.resources import Resources
from jupyter_bokeh import BokehModel

_loaded = False


def inline_resources() -> Resources:
    """BokehJS core only, inline: a Voila page of 2.7 MB instead of 8.3 MB with all bundles."""
    return Resources(mode="inline", components=["bokeh"])


def load_bokeh(force: bool = False) -> None:
    """Publish BokehJS into the notebook once per kernel (``force`` publishes it again).

    Call it before the first figure is displayed; the explorers do so themselves.
    """
    global _loaded
    if _loaded and not force:
        return
    output_notebook(resources=inline_resources(), hide_banner=True)
    _loaded = True


def bokeh_widget(layout) -> BokehModel:
    """Wrap a bokeh layout as an ipywidget that mirrors later data-source changes live.

    Build it after the figure is complete: in Voila, changes made to a figure before its
    widget exists are included, changes made in between are not (see DESIGN.md section 7).
    """
    return BokehModel(layout)


class WidgetApp:
    """Mixin: an object with a ``.view`` ipywidget container displays as that container.

    Displaying re-renders the bokeh widget (``plot_widget``) from its figure first, so
    settings changed in earlier cells show even in Voila, where changes made while the
    notebook executes would otherwise not reach the page.
    """

    view = None
    plot_widget = None

    def _prepare_display(self) -> None:
        load_bokeh()
        if self.plot_widget is not None:
            self.plot_widget.update_from_model(self.plot_widget._model)

    def _ipython_display_(self):
        from IPython.display import display

        self._prepare_display()
        display(self.view)

    def _repr_mimebundle_(self, include=None, exclude=None):
        self._prepare_display()
        return self.view._repr_mimebundle_(include=include, exclude=exclude)
