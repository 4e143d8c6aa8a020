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
    """The parameter's name, with its range for a number box (sliders show theirs) and "blank: automatic"."""
    bounds = ""
    if param.kind in ("int", "float") and not _slider(param) and (param.low is not None or param.high is not None):
        bounds = f", {_number(param.low) if param.low is not None else '−∞'} to "
        bounds += _number(param.high) if param.high is not None else "∞"
    automatic = ", blank: automatic" if param.default is None else ""
    extra = f"{bounds}{automatic}".lstrip(", ")
    return f"{param.name} ({extra})" if extra else param.name


def _number(value: float) -> str:
    """A bound as people write it: ``1000``, ``0.5``, ``1e-05``."""
    return f"{value:g}"


def _slider(param: rc.Param) -> bool:
    """Whether a numeric parameter suits a slider: fixed default, linear bounded range, not too many integers."""
    if param.default is None or param.log or param.low is None or param.high is None:
        return False
    return param.kind == "float" or param.high - param.low <= SLIDER_SPAN


def param_component(method: rc.Method, param: rc.Param) -> gr.components.Component:
    """An input component for one parameter, starting at its default.

    Choices become a dropdown, booleans a checkbox, bounded linear numbers with a fixed
    default a slider, and the rest (automatic defaults, log-scale or unbounded ranges)
    a number box whose label gives the declared range (a text box, blank, for an automatic
    default). Values are checked by :func:`set_param`, which says what is wrong.
    """
    common = {"label": _label(param), "info": param.help or None, "elem_id": f"param-{method.name}-{param.name}"}
    if param.kind == "choice":
        return gr.Dropdown(list(param.choices), value=param.default, **common)
    if param.kind == "bool":
        return gr.Checkbox(value=bool(param.default), **common)
    if _slider(param):
        step = 1 if param.kind == "int" else (param.high - param.low) / 100
        return gr.Slider(param.low, param.high, value=param.default, step=step, **common)
    if param.default is None:  # a number box would show 0 for "automatic": a text box can be blank
        return gr.Textbox(value="", placeholder="automatic", max_lines=1, **common)
    return gr.Number(value=param.default, precision=0 if param.kind == "int" else None, **common)


def set_param(
    values: dict[str, Any] | None, value: Any, method: str, name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Record the value a user gave one parameter, after checking it against the parameter's declaration.

    Parameters
    ----------
    values : dict or None
        The parameters set so far, ``{method: {parameter: value}}``.
    value : object
        The new value; None or ``""`` (a cleared box) goes back to the default.
    method, name : str
        Which method and parameter.

    Returns
    -------
    values : dict
        ``values`` with the parameter set (or removed: back to the default).
    component : dict
        An update of the parameter's control: unchanged for a valid value; for an invalid one
        the value kept (the previous one, else the default), with a warning saying why.
    """
    entry = rc.get_method(method)
    param = next(param for param in entry.params if param.name == name)
    current = dict((values or {}).get(method, {}))
    if value is None or (isinstance(value, str) and not value.strip()):
        current.pop(name, None)
        return _with(values, method, current), gr.update()
    try:
        checked = param.check(_number_in(value, param), entry.display_name)
    except rc.RestoreError as error:
        kept = current.get(name, param.default)
        shown = "automatic" if kept is None else kept
        gr.Warning(f"{error} {entry.display_name} keeps {name} = {shown}.")
        return _with(values, method, current), gr.update(value="" if kept is None else kept)
    current[name] = checked
    return _with(values, method, current), gr.update()


def _number_in(value: Any, param: rc.Param) -> Any:
    """A number typed in a text box as a number (other values as they are, for :meth:`Param.check` to judge)."""
    if not isinstance(value, str) or param.kind not in ("int", "float"):
        return value
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        return value
    return int(number) if param.kind == "int" and number.is_integer() else number


def _with(values: dict[str, Any] | None, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """``values`` with ``method``'s parameters replaced by ``params`` (dropped when empty)."""
    updated = {key: dict(entry) for key, entry in (values or {}).items() if key != method}
    if params:
        updated[method] = params
    return updated


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
