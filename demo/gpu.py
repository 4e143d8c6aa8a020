"""Optional ZeroGPU support: on a Hugging Face ZeroGPU Space, restoration runs under ``spaces.GPU``.

The ``spaces`` package exists only there; elsewhere :func:`gpu` leaves functions unchanged
and the library picks CUDA when present, else the CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Function = TypeVar("Function", bound=Callable)

try:
    import spaces
except ImportError:
    spaces = None


def gpu(function: Function) -> Function:
    """Decorate a function that restores images so it gets a ZeroGPU slot when ``spaces`` is importable."""
    return function if spaces is None else spaces.GPU(function)
