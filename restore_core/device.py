"""Device selection: the one place that decides between CUDA and the CPU.

``torch`` is imported lazily so that the classical half of the library loads
without paying for it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import RestoreError

if TYPE_CHECKING:
    import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")
#: Arithmetic of network inference: float32 (the default), or bfloat16 autocast, about twice as fast where
#: the hardware computes it natively and a few thousandths of a dB lower (``python -m tools.bench_learned``).
PRECISIONS = ("float32", "bfloat16")


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 natively (CUDA with bf16, CPUs with AVX512-BF16 or AMX)."""
    import torch

    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


@lru_cache(maxsize=1)
def configure_threads() -> int:
    """Set torch's intra-op thread count to the CPU cores this process may use.

    ``DECONV_THREADS`` overrides the count. Returns the number chosen.
    """
    import torch

    wanted = os.environ.get("DECONV_THREADS")
    count = int(wanted) if wanted else len(os.sched_getaffinity(0))
    torch.set_num_threads(max(1, count))
    return torch.get_num_threads()


def get_device(preference: str = "auto") -> torch.device:
    """Return the torch device to compute on.

    Parameters
    ----------
    preference : {'auto', 'cpu', 'cuda'}
        ``'auto'`` picks CUDA when it is available, else the CPU.

    Returns
    -------
    torch.device
        The device; on the CPU the thread count is configured first.

    Raises
    ------
    RestoreError
        For an unknown preference, or ``'cuda'`` without a CUDA device.
    """
    import torch

    if preference not in DEVICE_CHOICES:
        raise RestoreError(f"unknown device {preference!r}; choose one of {', '.join(DEVICE_CHOICES)}.")
    if preference == "cuda" and not torch.cuda.is_available():
        raise RestoreError("device 'cuda' was requested but no CUDA device is available; use 'auto' or 'cpu'.")
    if preference == "cuda" or (preference == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    configure_threads()
    return torch.device("cpu")


def describe_device(preference: str = "auto") -> str:
    """Human-readable name of the device :func:`get_device` picks (for reports)."""
    import torch

    device = get_device(preference)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'s' if threads > 1 else ''})"
