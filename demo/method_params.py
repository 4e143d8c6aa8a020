"""Controls for the methods' parameters, generated from the parameters each method declares in the registry.

The values the user sets are collected in one dictionary ``{method: {parameter: value}}``
(the ``method_params`` input of the ``restore`` endpoint); a parameter left blank, or absent,
keeps the method's default (None defaults are automatic, e.g. derived from the noise level).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

import restore_core as rc

#: Implementation settings the demo chooses itself (CUDA when present, tiles for large images).
HIDDEN_PARAMS = frozenset({"device", "tile"})
#: Integer parameters with a range up to this size get a slider, larger ranges a number box.
SLIDER_SPAN = 1000


def exposed_params(method: rc.Method) -> tuple[rc.Param, ...]:
    """The parameters of a method the user can set in the demo."""
    return tuple(param for param in method.params if param.name not in HIDDEN_PARAMS)


def _label(param: rc.Param) -> str:
    automatic = " (blank: automatic)" if param.default is None else ""
    return f"{param.name}{automatic}"


def _slider(param: rc.Param) -> bool:
    """Whether a numeric parameter suits a slider: fixed default, linear bounded range, not too many integers."""
    if param.default is None or param.log or param.low is None or param.high is None:
        return False
    return param.kind == "float" or param.high - param.low <= SLIDER_SPAN


def param_component(method: rc.Method, param: rc.Param) -> gr.components.Component:
    """An input component for one parameter, starting at its default.

    Choices become a dropdown, booleans a checkbox, bounded linear numbers with a fixed
    default a slider, and the rest (automatic defaults, log-scale or unbounded ranges)
    a number box with the declared bounds.
    """
    common = {"label": _label(param), "info": param.help or None, "elem_id": f"param-{method.name}-{param.name}"}
    if param.kind == "choice":
        return gr.Dropdown(list(param.choices), value=param.default, **common)
    if param.kind == "bool":
        return gr.Checkbox(value=bool(param.default), **common)
    if _slider(param):
        step = 1 if param.kind == "int" else (param.high - param.low) / 100
        return gr.Slider(param.low, param.high, value=param.default, step=step, **common)
    return gr.Number(
        value=param.default,
        minimum=param.low,
        maximum=param.high,
        precision=0 if param.kind == "int" else None,
        **common,
    )


def set_param(values: dict[str, Any] | None, method: str, name: str, value: Any) -> dict[str, Any]:
    """``values`` with one parameter set (or removed when ``value`` is None: back to the default)."""
    updated = {key: dict(params) for key, params in (values or {}).items()}
    if value is None or value == "":
        updated.get(method, {}).pop(name, None)
    else:
        updated.setdefault(method, {})[name] = value
    return {key: params for key, params in updated.items() if params}


def params_for(values: dict[str, Any] | None, method: str) -> dict[str, Any]:
    """The user's parameters of one method (an empty dict: every default).

    Raises
    ------
    RestoreError
        When ``values`` is not a dictionary of dictionaries (an API client's mistake).
    """
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(params, dict) for params in values.values()):
        raise rc.RestoreError(
            'method_params must map method names to parameter dictionaries, e.g. {"wiener": {"balance": 0.01}}.'
        )
    return dict(values.get(method, {}))
