"""Example crops of a benchmark run: clean, degraded and every method's output, side by side in the HTML report.

For the first ``--examples`` images of each dataset the benchmark saves, at every
level, the same window of the clean image, of the degraded observation and of
each method's output as PNG files under ``examples/``; the window is the most
detailed part of the clean image, so differences between methods show.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

import restore_core as rc

#: Folder of the crops inside the output folder.
EXAMPLES_DIR = "examples"
#: Side of the crops (pixels of the clean image).
CROP_SIDE = 128
#: File names of the two reference crops.
CLEAN, DEGRADED = "clean", "degraded"


@dataclass(frozen=True)
class Window:
    """A crop window ``image[top:top + height, left:left + width]``."""

    top: int
    left: int
    height: int
    width: int

    def cut(self, image: np.ndarray) -> np.ndarray:
        """The window of ``image``."""
        return image[self.top : self.top + self.height, self.left : self.left + self.width]


def detail_window(image: np.ndarray, side: int = CROP_SIDE) -> Window:
    """The ``side`` x ``side`` window with the most gradient energy (the whole image when smaller).

    Parameters
    ----------
    image : ndarray
        Clean image, HxW or HxWx3.
    side : int
        Window side in pixels.

    Returns
    -------
    Window
        Deterministic for a given image.
    """
    gray = rc.rgb_to_y(image) if image.ndim == 3 else image
    height, width = min(side, gray.shape[0]), min(side, gray.shape[1])
    energy = ndimage.sobel(gray, 0) ** 2 + ndimage.sobel(gray, 1) ** 2
    window_sums = ndimage.uniform_filter(energy, (height, width), mode="constant")
    # uniform_filter centres the window: keep centres whose window lies inside the image
    centres = window_sums[
        height // 2 : gray.shape[0] - (height - 1) // 2, width // 2 : gray.shape[1] - (width - 1) // 2
    ]
    top, left = np.unravel_index(np.argmax(centres), centres.shape)
    return Window(int(top), int(left), height, width)


def slug(text: str) -> str:
    """A file-system-safe version of a label (``'σ=25'`` -> ``'s25'``)."""
    text = text.replace("σ", "s").replace("×", "x").replace("%", "pct").replace("=", "")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "_"


def example_folder(out: Path, dataset: str, image: str, level: str) -> Path:
    """Folder of one image's crops at one level."""
    return out / EXAMPLES_DIR / slug(Path(dataset).name) / slug(image) / slug(level)


def save_crop(folder: Path, name: str, image: np.ndarray, window: Window) -> None:
    """Save the window of ``image`` as ``folder/<name>.png`` (8-bit), atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.tmp.png"
    rc.save_image(np.clip(window.cut(image), 0, 1), temporary)
    os.replace(temporary, folder / f"{name}.png")


@dataclass(frozen=True)
class ExampleRow:
    """One image at one level in the report: where its crops are and each method's scores."""

    dataset: str
    image: str
    level: str
    folder: Path
    scores: Mapping[str, tuple[float, float] | None]


def examples_html(out: Path, rows: Sequence[ExampleRow]) -> str:
    """The report's example section: one line of crops per image and level (missing crops are skipped)."""
    blocks = []
    for row in rows:
        if not (row.folder / f"{CLEAN}.png").is_file():
            continue
        figures = [_figure(out, row.folder / f"{name}.png", name) for name in (CLEAN, DEGRADED)]
        for method, score in row.scores.items():
            name = html.escape(method)
            caption = name if score is None else f"{name}<br>{score[0]:.2f} dB, {score[1]:.3f}"
            figures.append(_figure(out, row.folder / f"{slug(method)}.png", caption))
        title = html.escape(f"{row.dataset} / {row.image} — {row.level}")
        blocks.append(f'<h3>{title}</h3>\n<div class="crops">{"".join(figures)}</div>')
    if not blocks:
        return ""
    return "<h2>Examples (most detailed window of the clean image, shown at 2×)</h2>\n" + "\n".join(blocks)


def _figure(out: Path, path: Path, caption: str) -> str:
    if not path.is_file():
        return ""
    source = html.escape(path.relative_to(out).as_posix())
    return f'<figure><img src="{source}" alt=""><figcaption>{caption}</figcaption></figure>'
