"""Reusable panel parts: labelled controls, a message area and a readout of derived numbers.

Every callback that runs on a control change goes through :func:`guarded`, so a qdkit error
(or anything unexpected) becomes a message in the panel instead of a traceback in the
notebook: the plot keeps its last valid state.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Mapping

import ipywidgets as W

from qdkit.errors import QdkitError

from .errors import WidgetError


def tag(widget: W.Widget, name: str) -> W.Widget:
    """Give ``widget`` the CSS class ``qdkit-<name>`` (browser tests find controls by it)."""
    widget.add_class(f"qdkit-{name}")
    return widget


class MessageArea:
    """One line of HTML that says what went wrong and what to do, or nothing."""

    def __init__(self):
        self.widget = tag(W.HTML(value=""), "message")
        self.text = ""

    def show(self, text: str, level: str = "error") -> None:
        colour = {"error": "#b00020", "warning": "#8a5a00", "info": "#1b5e20"}[level]
        self.text = text
        self.widget.value = f'<div style="color:{colour};white-space:normal">{html.escape(text)}</div>'

    def clear(self) -> None:
        self.text = ""
        self.widget.value = ""


def guarded(message: MessageArea) -> Callable:
    """Decorator: run a control callback, turning any exception into a panel message.

    A ``QdkitError`` already says what was wrong and what to do, so it is shown as is; any
    other exception is a qdkit bug, shown with its type so that it can be reported.
    """

    def wrap(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, **kwargs):
            message.clear()
            try:
                result = func(*args, **kwargs)
            except QdkitError as exc:
                message.show(str(exc))
                return None
            except Exception as exc:
                message.show(
                    f"Unexpected problem ({type(exc).__name__}: {exc}). The plot still shows the "
                    "last valid settings; please report this with the settings you chose."
                )
                return None
            return result

        return run

    return wrap


def format_number(value: float, unit: str = "", digits: int = 3) -> str:
    """Readable number with ``digits`` significant figures (``—`` for missing or non-finite)."""
    if value is None:
        return "—"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(value):
        return "—"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        text = f"{value:.{digits - 1}e}"
    elif abs(value) >= 10**digits:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.{digits}g}"
    return f"{text} {unit}".strip()


def read_number(text, name: str, low: float, high: float) -> float:
    """The number typed into a text field, between ``low`` and ``high``.

    Raises ``WidgetError`` with what was typed and what to type instead for an empty field,
    text that is not a number, and numbers that are not finite or out of range.
    """
    typed = str(text).strip()
    advice = f"type a number from {low:g} to {high:g}"
    if not typed:
        raise WidgetError(f"{name} is empty: {advice}.")
    try:
        value = float(typed)
    except ValueError:
        raise WidgetError(f"{name} must be a number; got {typed!r}: {advice}.") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise WidgetError(f"{name} = {typed} is outside {low:g}–{high:g}: {advice}.")
    return value


class Readout:
    """A small table of derived numbers; the browser only hears about it when a value changes."""

    def __init__(self, title: str = "Derived numbers"):
        self.title = title
        self.widget = tag(W.HTML(value=""), "readout")
        self.rows: dict[str, str] = {}

    def update(self, rows: Mapping[str, str]) -> None:
        """Show ``rows`` (label → formatted value); unchanged rows send nothing."""
        rows = dict(rows)
        if rows == self.rows:
            return
        self.rows = rows
        body = "".join(
            f"<tr><td style='padding:0 1em 0 0'>{html.escape(k)}</td>"
            f"<td style='padding:0;text-align:right'><b>{html.escape(v)}</b></td></tr>"
            for k, v in rows.items()
        )
        self.widget.value = (
            f"<b>{html.escape(self.title)}</b><table style='border-collapse:collapse;line-height:1.35'>{body}</table>"
        )


def on_log_grid(slider: W.FloatLogSlider, value: float) -> None:
    """Set a log slider to ``value`` with its grid shifted to pass through it.

    The browser snaps a log slider to base**(min + k·step); without the shift the paper's
    7 nm pore would come back from the page as 6.92 nm and redraw everything once.
    """
    exponent = math.log(value) / math.log(slider.base)
    shift = exponent - slider.min - round((exponent - slider.min) / slider.step) * slider.step
    if shift:
        low, high = slider.min + shift, slider.max + shift
        if shift > 0:
            slider.max, slider.min = high, low
        else:
            slider.min, slider.max = low, high
    slider.value = value
