"""Gradio components of the demo: an image upload handed over untouched, and inputs that refuse bad values clearly."""

from __future__ import annotations

from typing import Any

import gradio as gr
from gradio.data_classes import FileData


class RawImage(gr.Image):
    """``gr.Image`` whose uploads reach the callbacks as the stored file's path, bytes untouched.

    ``gr.Image`` decodes and re-saves uploads itself, which fails with a bare "Error" on a
    non-image and converts 16-bit, CMYK and palette images on its own terms. The demo decodes
    uploads with :func:`restore_core.load_image` instead, which says clearly what is wrong.
    The browser shows it exactly like ``gr.Image`` (it is a template of it). Gradio keeps
    the interface stub ``components.pyi`` beside this module up to date on import.
    """

    is_template = True

    def preprocess(self, payload: FileData | None) -> str | None:
        """The path of the uploaded file (None when nothing was uploaded)."""
        return None if payload is None else payload.path


def guard_input(component: gr.components.Component, none: Any = None) -> gr.components.Component:
    """Make a component's preprocessing answer a value it cannot take with a readable ``gr.Error``.

    API clients can send anything (``"abc"`` for a slider, None for a checklist); Gradio would
    answer with a generic "upstream app has raised an exception". ``none`` replaces a None
    value (e.g. ``[]`` for a checklist, so a missing list means "nothing chosen").
    """
    preprocess = component.preprocess
    what = component.label or "a setting"

    def guarded(payload: Any) -> Any:
        if payload is None and none is not None:
            return none
        try:
            return preprocess(payload)
        except gr.Error:
            raise
        except Exception as error:  # any other failure of Gradio's conversion is the client's value
            shown = repr(payload)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise gr.Error(f"{what}: {shown} is not a valid value for this setting.") from error

    component.preprocess = guarded
    return component
