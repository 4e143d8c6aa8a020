"""Real noisy photos, denoised blind: ``python -m eval.real_noise``.

There is no ground truth, so nothing is scored: every photo of ``<data root>/real/noisy_RNI15``
(Lebrun et al.'s real noisy images: old scans, film grain, phone and camera noise, JPEG) is
restored whole by each method with its noise unknown, as the demo's real mode does (the
white-noise methods get the level :func:`restore_core.estimate_noise_sigma` reads; ``vst_bm3d``
estimates a noise-level function; ``camera_unet`` its own noise map). The command saves the
same crop (the most detailed window) of the input, of each output and of the learned model's
noise map, and writes a Markdown section, ``real_noise.md``, that ``python -m eval.suite``
appends to ``docs/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

import restore_core as rc
from restore_core.dataroot import add_data_root_argument

from .cli import prepare_folder, run_section_command
from .datasets import IMAGE_SUFFIXES
from .examples import detail_window, slug
from .real import crop_cells

#: Folder of the photos under the data root.
REAL_NOISE = Path("real") / "noisy_RNI15"
#: CBM3D at the white-noise estimate, its signal-dependent counterpart, and the white and the real-noise networks.
DEFAULT_METHODS = ("bm3d", "vst_bm3d", "deconv_unet", "camera_unet")
#: Where the crops and the section go (beside docs/RESULTS.md) and the section's file name.
DEFAULT_OUT = Path("docs") / "results" / "real_noise"
SECTION = "real_noise.md"
CROP = 160
#: Column of the noise map in the figure.
NOISE_MAP = "camera_unet's noise map"


def photo_files(folder: Path, names: Sequence[str] | None) -> list[Path]:
    """The photos of the folder (all, sorted) or those named (by file name without suffix).

    Raises
    ------
    RestoreError
        For a missing folder or photo.
    """
    if not folder.is_dir():
        raise rc.RestoreError(f"{folder} not found: pass the data root holding {REAL_NOISE}.")
    files = {path.stem: path for path in sorted(folder.iterdir()) if path.suffix.lower() in IMAGE_SUFFIXES}
    missing = [name for name in names or () if name not in files]
    if missing:
        raise rc.RestoreError(f"no photo {', '.join(missing)} in {folder} (it holds {', '.join(files)}).")
    return [files[name] for name in names] if names else list(files.values())


def noise_map_picture(photo: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The learned model's noise map as a gray picture (white = its top level), its top and its mean (0–255)."""
    level = rc.estimate_noise_map(photo)
    top = max(float(np.ceil(np.percentile(level, 99.5))), 1.0)
    return np.clip(level / top, 0, 1), top, float(level.mean())


def run(data_root: Path, photos: Sequence[str] | None, methods: Sequence[str], out: Path, command: str) -> str:
    """Restore the photos, save the crops under ``out`` and write ``out/real_noise.md``; return the section.

    Raises
    ------
    RestoreError
        For a missing folder, photo or method, a method that does not denoise, or an output folder
        that cannot be written.
    OSError
        When a crop or the section cannot be written.
    """
    files = photo_files(data_root / REAL_NOISE, photos)
    for name in methods:
        if "denoise" not in rc.get_method(name).tasks:
            raise rc.RestoreError(f"{name} does not denoise.")
    prepare_folder(out)
    labels = ["noisy input", *(rc.get_method(name).display_name for name in methods), NOISE_MAP]
    rows, timings = [], []
    for path in tqdm(files, desc="photos"):
        photo = rc.load_image(path)
        observation = rc.photo_observation(photo, "denoise")
        pictures, seconds = {labels[0]: photo}, {}
        for name, label in zip(methods, labels[1:-1], strict=True):
            start = time.perf_counter()
            pictures[label] = rc.restore(observation, name)
            seconds[name] = time.perf_counter() - start
        pictures[NOISE_MAP], top, mean = noise_map_picture(photo)
        title = (
            f"{path.name} ({photo.shape[1]}x{photo.shape[0]}; white-noise estimate σ {observation.noise_sigma():.1f}; "
            f"noise map mean {mean:.1f}, white = {top:g})"
        )
        rows.append((title, crop_cells(out, slug(path.stem), pictures, detail_window(photo, CROP))))
        timings.append(f"- {path.name}: " + ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items()))
    section = _section(command, labels, rows, timings)
    (out / SECTION).write_text(section, encoding="utf-8")
    return section


def _section(command: str, labels: Sequence[str], rows: Sequence[tuple[str, list[str]]], timings: list[str]) -> str:
    header = "| photo | " + " | ".join(labels) + " |\n|---|" + "---|" * len(labels)
    lines = [f"| {title} | " + " | ".join(cells) + " |" for title, cells in rows]
    return (
        "## Real noisy photos (no ground truth)\n\n"
        f"```\n{command}\n```\n\n"
        f"The photos of `{REAL_NOISE.as_posix()}` restored whole with their noise unknown, as the demo's real mode "
        "does: the white-noise methods at the level the wavelet estimator reads (σ in each row), `vst_bm3d` with the "
        "noise-level function it estimates, `camera_unet` with its own noise map (last column: black 0, white the "
        f"level named in the row, 0–255 scale). Crops of {CROP}x{CROP} pixels, the most detailed window of each "
        "photo.\n\n"
        + header
        + "\n"
        + "\n".join(lines)
        + "\n\nSeconds for the whole photo:\n\n"
        + "\n".join(timings)
        + "\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; return 0, 1 when an output could not be written, 130 on Ctrl-C.

    Bad options, data or output folder exit with status 2 and argparse's message.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m eval.real_noise", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, str(REAL_NOISE))
    parser.add_argument("--photos", nargs="+", metavar="NAME", help="photo names without suffix (default: all)")
    parser.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS), metavar="NAME", help="denoisers")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding real/).")
    command = shlex.join(["python", "-m", "eval.real_noise", *argv])
    return run_section_command(
        parser, lambda: run(args.data_root, args.photos, args.methods, args.out, command), args.out / SECTION
    )


if __name__ == "__main__":
    sys.exit(main())
