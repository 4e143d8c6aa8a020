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


def _shown(payload: Any) -> str:
    """A value as a message quotes it: its repr, cut to 40 characters."""
    shown = repr(payload)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def guard_input(component: gr.components.Component) -> gr.components.Component:
    """Make a component's preprocessing answer a value it cannot take with a readable ``gr.Error``.

    API clients can send anything (``"abc"`` for a slider, None for a checklist); Gradio would
    answer with a generic "upstream app has raised an exception".
    """
    preprocess = component.preprocess
    what = component.label or "a setting"

    def guarded(payload: Any) -> Any:
        try:
            return preprocess(payload)
        except gr.Error:
            raise
        except Exception as error:  # any other failure of Gradio's conversion is the client's value
            raise gr.Error(f"{what}: {_shown(payload)} is not a valid value for this setting.") from error

    component.preprocess = guarded
    return component


class MethodChecklist(gr.CheckboxGroup):
    """``gr.CheckboxGroup`` that hands over its ticked names without checking them against its current choices.

    The choices change with the task, and an event already on its way may carry the previous
    task's ticks, which ``gr.CheckboxGroup`` would refuse with an error. The names are checked
    by the callbacks instead (:func:`~demo.method_choices.selected_methods` names what is not a
    method of the task). It is a class, not a patched instance: Gradio rebuilds a component for
    each browser session whose choices changed. Gradio keeps ``components.pyi`` up to date on import.
    """

    is_template = True

    def preprocess(self, payload: Any) -> list[str]:
        """The ticked names; None (an API client's missing list) is an empty list, anything but names is refused."""
        if payload is None:
            return []
        if not isinstance(payload, list) or not all(isinstance(name, str) for name in payload):
            raise gr.Error(f"{self.label or 'a checklist'}: {_shown(payload)} is not a list of method names.")
        return list(payload)
