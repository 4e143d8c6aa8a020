"""Torch FFT building blocks of the frequency-domain solvers (CPU, or CUDA when present).

Periodic (circular) convolution is a product of real FFTs; the kernel's transfer function is the
FFT of the kernel zero-padded to the image size with its centre moved to the origin, as
:func:`restore_core.operators.psf2otf` does in NumPy.
"""

from __future__ import annotations

import scipy.fft
import torch
import torch.nn.functional as F


def otf(kernel: torch.Tensor, shape: tuple[int, int], centred: bool = True, onesided: bool = True) -> torch.Tensor:
    """Real FFT of a kernel zero-padded to ``shape`` and centred at the origin (as ``operators.psf2otf``).

    ``centred=False`` leaves the kernel's first tap at the origin: the circular convolution with it,
    cropped by ``kernel.shape - 1`` at the start, is the 'valid' convolution. ``onesided=False``
    returns the full ``shape`` spectrum (``fft2``) instead of the half of ``rfft2``.
    """
    padded = torch.zeros(shape, dtype=kernel.dtype, device=kernel.device)
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    if centred:
        padded = torch.roll(padded, (-(kernel.shape[0] // 2), -(kernel.shape[1] // 2)), dims=(0, 1))
    return torch.fft.rfft2(padded) if onesided else torch.fft.fft2(padded)


def fast_grid(shape: tuple[int, int]) -> tuple[int, int]:
    """The smallest grid at least ``shape`` whose sides real FFTs handle fast (products of 2, 3 and 5).

    A linear ('valid') convolution computed as a circular one may use any grid at least as large as
    the padded image; sides such as 644 = 4·7·23 are several times slower than 648 = 8·81.
    """
    return tuple(scipy.fft.next_fast_len(int(side), real=True) for side in shape)


def zero_extend(image: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """``image`` (…, h, w) zero-padded at the end of its last two axes to ``shape``."""
    return F.pad(image, (0, shape[1] - image.shape[-1], 0, shape[0] - image.shape[-2]))


def circular_convolve(image: torch.Tensor, transfer: torch.Tensor, adjoint: bool = False) -> torch.Tensor:
    """``image`` (…, H, W) convolved circularly with the kernel whose :func:`otf` is ``transfer``.

    ``adjoint=True`` applies the adjoint (correlation with the kernel).
    """
    spectrum = torch.fft.rfft2(image).mul_(transfer.conj() if adjoint else transfer)
    return torch.fft.irfft2(spectrum, s=image.shape[-2:])
