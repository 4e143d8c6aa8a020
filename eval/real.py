"""Real blurry photos with estimated kernels, restored with a boundary-aware model: ``python -m eval.real``.

There is no ground truth, so nothing is scored: for each photo of
``<data root>/real/blurry_with_kernels`` (``X.png`` with its kernel ``X_kernel.png``)
the command restores the whole photo with each method under the ``reflect`` blur
model (no periodic wrap-around, so no ringing from the borders) at an assumed noise
level that covers the kernel's estimation error as well as the sensor noise (the
noise estimated from such photos, about 0.5, leaves stripes), saves the same
crops of the input and of each output (the most detailed window, and the
top-left corner where border ringing would show) and writes a Markdown section,
``real.md``, that ``python -m eval.suite`` appends to ``docs/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

import restore_core as rc
from restore_core.dataroot import add_data_root_argument

from .cli import prepare_folder, run_section_command
from .examples import Window, detail_window, save_crop, slug

#: Folder of the photos under the data root.
REAL_BLUR = Path("real") / "blurry_with_kernels"
#: Default photos and methods: two photos of moderate size, a classical and the learned deconvolution.
DEFAULT_PHOTOS = ("real_img2", "blurred_cho")
DEFAULT_METHODS = ("wiener", "richardson_lucy", "pnp_unet")
#: Where the crops and the section go (beside docs/RESULTS.md) and the section's file name.
DEFAULT_OUT = Path("docs") / "results" / "real"
SECTION = "real.md"
CROP = 160
#: Assumed noise level (0–255): chosen by eye on ``real_img2`` among 2.55, 7.65 and 15.
DEFAULT_SIGMA = 7.65


def load_pair(folder: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A blurry photo and its estimated kernel (centred on its centre of mass).

    Raises
    ------
    RestoreError
        When the photo or its kernel is missing or unreadable.
    """
    photos = [path for path in folder.glob(f"{name}.*") if not path.stem.endswith("_kernel")]
    if not photos:
        raise rc.RestoreError(f"no photo {name}.* in {folder}.")
    kernel = rc.center_kernel(rc.kernel_from_image(rc.load_image(folder / f"{name}_kernel.png")))
    return rc.load_image(photos[0]), kernel


def restore_photo(photo: np.ndarray, kernel: np.ndarray, method: str, sigma: float) -> tuple[np.ndarray, float]:
    """Deblur a real photo (reflect boundary, noise level ``sigma``); return the result and the seconds."""
    observation = rc.Observation(photo, "deblur", photo.shape, sigma=sigma, kernel=kernel, boundary="reflect")
    start = time.perf_counter()
    restored = rc.restore(observation, method)
    return restored, time.perf_counter() - start


def corner_window(image: np.ndarray, side: int = CROP) -> Window:
    """The top-left ``side`` square, where wrap-around ringing would be strongest."""
    return Window(0, 0, min(side, image.shape[0]), min(side, image.shape[1]))


def run(
    data_root: Path,
    photos: Sequence[str],
    methods: Sequence[str],
    out: Path,
    command: str,
    sigma: float = DEFAULT_SIGMA,
) -> str:
    """Restore the photos, save the crops under ``out`` and write ``out/real.md``; return the section.

    Raises
    ------
    RestoreError
        For a missing folder, photo or method, or an output folder that cannot be written.
    OSError
        When a crop or the section cannot be written.
    """
    folder = data_root / REAL_BLUR
    if not folder.is_dir():
        raise rc.RestoreError(f"{folder} not found: pass the data root holding {REAL_BLUR}.")
    for name in methods:
        rc.get_method(name)
    prepare_folder(out)
    rows = []
    for name in tqdm(photos, desc="photos"):
        photo, kernel = load_pair(folder, name)
        windows = {"detail": detail_window(photo, CROP), "corner": corner_window(photo)}
        pictures = {"blurry input": photo}
        seconds = {}
        for method in methods:
            pictures[rc.get_method(method).display_name], seconds[method] = restore_photo(photo, kernel, method, sigma)
        for place, window in windows.items():
            title = f"{name} ({photo.shape[1]}x{photo.shape[0]}, kernel {kernel.shape[0]}px), {place}"
            rows.append((title, crop_cells(out, f"{slug(name)}_{place}", pictures, window)))
        timing = ", ".join(f"{method} {value:.1f} s" for method, value in seconds.items())
        rows.append((f"{name}: seconds for the whole photo", [timing]))
    section = _section(command, list(pictures), rows, sigma)
    (out / SECTION).write_text(section, encoding="utf-8")
    return section


def crop_cells(out: Path, prefix: str, pictures: Mapping[str, np.ndarray], window: Window) -> list[str]:
    """Save the same window of every picture as ``out/<prefix>_<label>.png``; their Markdown images, in order."""
    cells = []
    for label, picture in pictures.items():
        file = f"{prefix}_{slug(label)}"
        save_crop(out, file, picture, window)
        cells.append(f"![{label}]({docs_link(out)}/{file}.png)")
    return cells


def docs_link(out: Path) -> str:
    """How ``docs/RESULTS.md`` links to files of ``out`` (relative inside ``docs/``, else absolute)."""
    docs = DEFAULT_OUT.parents[1].resolve()
    folder = out.resolve()
    return folder.relative_to(docs).as_posix() if folder.is_relative_to(docs) else folder.as_posix()


def _section(command: str, labels: Sequence[str], rows: Sequence[tuple[str, list[str]]], sigma: float) -> str:
    header = "| photo, window | " + " | ".join(labels) + " |\n|---|" + "---|" * len(labels)
    lines = [f"| {title} | " + " | ".join(cells) + " |" for title, cells in rows if len(cells) == len(labels)]
    timings = [f"- {title}: {cells[0]}" for title, cells in rows if len(cells) == 1]
    return (
        "## Real blurry photos (no ground truth)\n\n"
        f"```\n{command}\n```\n\n"
        "Photos of `real/blurry_with_kernels` with their estimated kernels (centred), deblurred with the "
        f"boundary-aware `reflect` model at an assumed noise level of {sigma:g} (it covers the kernel's "
        "estimation error too; the level estimated from the photos, about 0.5, leaves stripes); crops of "
        f"{CROP}x{CROP} pixels: the most detailed window, and the top-left corner where wrap-around "
        "ringing would show.\n\n" + header + "\n" + "\n".join(lines) + "\n\n" + "\n".join(timings) + "\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; return 0, 1 when an output could not be written, 130 on Ctrl-C.

    Bad options, data or output folder exit with status 2 and argparse's message.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m eval.real", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, str(REAL_BLUR))
    parser.add_argument("--photos", nargs="+", default=list(DEFAULT_PHOTOS), metavar="NAME", help="photo names")
    parser.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS), metavar="NAME", help="deblur methods")
    parser.add_argument(
        "--sigma", type=float, default=DEFAULT_SIGMA, help=f"noise level, 0–255 (default {DEFAULT_SIGMA})"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding real/).")
    command = shlex.join(["python", "-m", "eval.real", *argv])
    return run_section_command(
        parser,
        lambda: run(args.data_root, args.photos, args.methods, args.out, command, args.sigma),
        args.out / SECTION,
    )


if __name__ == "__main__":
    sys.exit(main())
