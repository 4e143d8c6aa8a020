"""Overlapping-tile inference: bounded memory on large images, same result as one pass.

Each tile carries ``overlap`` pixels of real image context on every side that
another tile owns; only its central part is kept, so the seams fall where the
network has seen enough context and the tiled output matches the untiled one
(to about 1e-5 for the shipped networks with the default overlap).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch


def tile_layout(length: int, tile: int, overlap: int, align: int = 1) -> tuple[int, list[int]]:
    """The fewest, then smallest, tiles covering ``[0, length)`` with at least ``2*overlap`` shared.

    Each tile is at most ``tile`` long; the tiles are as short as the count allows, so the pixels
    the network processes exceed ``length`` by little more than the shared context (fixed
    ``tile``-sized tiles would recompute up to a whole tile). Sizes and starts are multiples of
    ``align`` (``length`` must be too), so a network that downsamples ``align`` times sees every
    tile on the same grid as the whole image.

    Returns
    -------
    size : int
        Tile length.
    starts : list of int
        Start offsets, the first 0, the last ``length - size``.

    Examples
    --------
    >>> tile_layout(608, 512, 48, align=8)  # two 352-row tiles, not two of 512
    (352, [0, 256])
    """
    if length <= tile:
        return length, [0]
    if length % align or tile % align or tile - 2 * overlap < align:
        raise ValueError(f"tile {tile} must be a multiple of {align} exceeding twice the overlap {overlap}")
    count = -(-(length - 2 * overlap) // (tile // align * align - 2 * overlap))
    while True:
        size = -(-(length + 2 * overlap * (count - 1)) // (count * align)) * align
        stride = (size - 2 * overlap) // align * align
        if size <= tile and stride * (count - 1) >= length - size:
            return size, [min(index * stride, length - size) for index in range(count)]
        count += 1


def _owned(starts: list[int], tile: int, length: int) -> list[tuple[int, int]]:
    """For each tile, the range it writes: split every shared stretch in its middle."""
    cuts = [0] + [(previous + tile + start) // 2 for previous, start in itertools.pairwise(starts)] + [length]
    return list(itertools.pairwise(cuts))


def tiled_apply(
    run: Callable[[torch.Tensor], torch.Tensor],
    image: torch.Tensor,
    tile: int,
    overlap: int,
    scale: int = 1,
    align: int = 1,
) -> torch.Tensor:
    """Apply ``run`` to ``(N, C, H, W)`` in overlapping tiles and stitch the central parts.

    Parameters
    ----------
    run : callable
        Maps a ``(N, C, h, w)`` tile to ``(N, C', scale*h, scale*w)``.
    image : Tensor
        The whole input.
    tile : int
        Tile side in input pixels (the input is processed in one pass when it fits).
    overlap : int
        Context pixels kept on each side of a tile's owned region.
    scale : int
        Output pixels per input pixel (super-resolution).
    align : int
        Tile sizes and offsets are multiples of it (see :func:`tile_layout`).

    Returns
    -------
    Tensor
        ``(N, C', scale*H, scale*W)``.
    """
    height, width = image.shape[-2:]
    if height <= tile and width <= tile:
        return run(image)
    (tile_h, rows), (tile_w, columns) = (tile_layout(side, tile, overlap, align) for side in (height, width))
    output = None
    for top, (own_top, own_bottom) in zip(rows, _owned(rows, tile_h, height), strict=True):
        for left, (own_left, own_right) in zip(columns, _owned(columns, tile_w, width), strict=True):
            result = run(image[..., top : top + tile_h, left : left + tile_w])
            if output is None:
                output = result.new_empty((*result.shape[:2], scale * height, scale * width))
            output[..., scale * own_top : scale * own_bottom, scale * own_left : scale * own_right] = result[
                ...,
                scale * (own_top - top) : scale * (own_bottom - top),
                scale * (own_left - left) : scale * (own_right - left),
            ]
    return output
