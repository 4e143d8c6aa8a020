"""Test images and blur kernels the benchmark runs on.

A dataset is one of

* a registered name (:data:`DATASETS`), read from ``<data root>/test/<name>``;
* ``skimage``, built in: six scikit-image sample photos, no data root needed;
* any folder path holding images;
* a folder of pairs (:data:`PAIRED_FOLDERS`): ``degraded/`` holds photos degraded for real (a
  camera's noise, a real JPEG, a real low-resolution shot) and ``clean/`` their ground truth under
  the same file names (any suffix); the optional ``kernels/`` and ``masks/`` hold what deblurring
  and inpainting need to know. The benchmark restores such photos as they are ("already
  degraded", like the demo's real mode) instead of degrading the clean ones.

Kernels are the eight Levin et al. (2009) kernels ``k1``..``k8`` from
``<data root>/kernels/levin8.npz``, or the built-in ones of :data:`BUILTIN_KERNELS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

import restore_core as rc
from restore_core.dataroot import DATA_ROOT_ENV

#: File suffixes read as images in a dataset folder.
IMAGE_SUFFIXES = (".png", ".bmp", ".tif", ".tiff", ".jpg", ".jpeg")
#: Name of the built-in dataset.
BUILTIN_DATASET = "skimage"
#: scikit-image sample photos of the built-in dataset, in this order.
SKIMAGE_PHOTOS = rc.SAMPLE_PHOTOS
#: Side of the square built-in images.
SKIMAGE_SIDE = 192
#: Kernels that need no data, by name (the library's catalogue).
BUILTIN_KERNELS = rc.NAMED_KERNELS

#: Sub-folders of a paired dataset: its degraded photos and their ground truth (same names).
PAIRED_FOLDERS = ("degraded", "clean")
#: Optional sub-folders of a paired dataset: a kernel picture per photo (deblur), a mask per photo (inpaint,
#: white where pixels are missing).
PAIRED_EXTRAS = ("kernels", "masks")

_DNCNN = "https://github.com/cszn/DnCNN/tree/master/testsets"
_FFDNET = "https://github.com/cszn/FFDNet/tree/master/testsets"
_SELFEXSR = "https://github.com/jbhuang0604/SelfExSR"


@dataclass(frozen=True)
class DatasetInfo:
    """A registered test set.

    Attributes
    ----------
    name : str
        Name on the command line and folder name under ``<data root>/test``.
    color : {'gray', 'color', 'mixed'}
        Whether its images are gray, colour or both.
    tasks : tuple of str
        Tasks the literature evaluates on it.
    url : str
        Where to download it.
    """

    name: str
    color: str
    tasks: tuple[str, ...]
    url: str

    @property
    def folder(self) -> str:
        """Folder relative to the data root."""
        return f"test/{self.name}"


#: The registered test sets, by name.
DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("Set12", "gray", ("denoise", "deblur", "inpaint"), _DNCNN),
        DatasetInfo("BSD68", "gray", ("denoise",), _FFDNET),
        DatasetInfo("CBSD68", "color", ("denoise", "deblur"), _FFDNET),
        DatasetInfo("Kodak24", "color", ("denoise",), _FFDNET),
        DatasetInfo("McMaster", "color", ("denoise", "deblur"), _FFDNET),
        DatasetInfo("Set5", "color", ("sr", "deblur"), _SELFEXSR),
        DatasetInfo("Set14", "mixed", ("sr",), _SELFEXSR),
        DatasetInfo("BSD100", "color", ("sr",), _SELFEXSR),
        DatasetInfo("Urban100", "color", ("sr",), _SELFEXSR),
        DatasetInfo("LIVE1", "color", ("jpeg",), _DNCNN),
        DatasetInfo(
            "classic5", "gray", ("jpeg",), "https://github.com/JingyunLiang/SwinIR/tree/main/testsets/classic5"
        ),
        DatasetInfo("Set3C", "color", ("deblur", "inpaint"), "https://github.com/cszn/DPIR/tree/master/testsets/set3c"),
    )
}


@dataclass(frozen=True)
class PairedFiles:
    """What a paired dataset holds beside a clean image: its degraded photo and what is known of it.

    Attributes
    ----------
    degraded : Path
        The photo degraded for real.
    kernel : Path or None
        A picture of its blur kernel (deblurring needs one).
    mask : Path or None
        A picture of its missing pixels, white where missing (inpainting needs one).
    """

    degraded: Path
    kernel: Path | None = None
    mask: Path | None = None


@dataclass(frozen=True)
class BenchImage:
    """One test image, loaded on demand.

    Attributes
    ----------
    name : str
        File name (or photo name for the built-in dataset).
    index : int
        Position in the dataset's sorted listing; it seeds the image's noise.
    load : callable
        Returns the image as float32 in ``[0, 1]``.
    pair : PairedFiles or None
        Of a paired dataset's image, the degraded photo to restore instead of degrading the image.
    """

    name: str
    index: int
    load: Callable[[], np.ndarray]
    pair: PairedFiles | None = None


@dataclass(frozen=True)
class Dataset:
    """A dataset ready to run: its label in the results and its images."""

    name: str
    images: tuple[BenchImage, ...]

    @property
    def paired(self) -> bool:
        """Whether its images come with photos degraded for real (a folder of :data:`PAIRED_FOLDERS`)."""
        return any(image.pair is not None for image in self.images)

    def head(self, limit: int | None) -> Dataset:
        """The dataset restricted to its first ``limit`` images (all when None)."""
        return Dataset(self.name, self.images[:limit])


def standard_datasets(task: str) -> list[str]:
    """Names of the registered datasets the literature uses for ``task``."""
    return [info.name for info in DATASETS.values() if task in info.tasks]


def describe_datasets() -> str:
    """One line per dataset (registered and built-in) for ``--help``."""
    lines = [
        f"  {BUILTIN_DATASET:<9} built in: {len(SKIMAGE_PHOTOS)} scikit-image photos, "
        f"{SKIMAGE_SIDE}x{SKIMAGE_SIDE} (no data root needed)"
    ]
    lines += [f"  {info.name:<9} {info.color}; {', '.join(info.tasks)}; {info.url}" for info in DATASETS.values()]
    lines.append(
        f"  a folder holding {'/ and '.join(PAIRED_FOLDERS)}/ (same file names; optional "
        f"{'/ and '.join(PAIRED_EXTRAS)}/ for deblur and inpaint): pairs degraded for real, restored as they are"
    )
    return "\n".join(lines)


def open_dataset(name: str, data_root: Path | None) -> Dataset:
    """Find a dataset by name or folder path.

    Parameters
    ----------
    name : str
        A registered name (case-insensitive), ``skimage``, or a folder path.
    data_root : Path or None
        Folder holding ``test/<name>``; needed only for registered names.

    Returns
    -------
    Dataset
        Its images in sorted file-name order.

    Raises
    ------
    RestoreError
        For an unknown name, a missing data root or folder, or a folder without images.
    """
    if name == BUILTIN_DATASET:
        return Dataset(
            name,
            tuple(
                BenchImage(photo, index, partial(skimage_photo, photo)) for index, photo in enumerate(SKIMAGE_PHOTOS)
            ),
        )
    registered = {key.lower(): info for key, info in DATASETS.items()}.get(name.lower())
    if registered is not None:
        return Dataset(registered.name, _folder_images(_registered_folder(registered, data_root)))
    if Path(name).is_dir():
        return Dataset(name, _folder_images(Path(name)))
    raise rc.RestoreError(
        f"unknown dataset {name!r}: not a registered name and not a folder. Known datasets: "
        f"{BUILTIN_DATASET}, {', '.join(DATASETS)}{_present_note(data_root)}."
    )


def _present_note(data_root: Path | None) -> str:
    """``'; present under <root>/test: ...'`` listing the dataset folders that exist."""
    if data_root is None or not (data_root / "test").is_dir():
        return ""
    present = sorted(entry.name for entry in (data_root / "test").iterdir() if entry.is_dir())
    return f"; present under {data_root / 'test'}: {', '.join(present) or 'none'}"


def _registered_folder(info: DatasetInfo, data_root: Path | None) -> Path:
    if data_root is None:
        raise rc.RestoreError(
            f"dataset {info.name} is read from <data root>/{info.folder}: pass --data-root or set "
            f"{DATA_ROOT_ENV} (or use the built-in dataset {BUILTIN_DATASET!r})."
        )
    folder = data_root / info.folder
    if not folder.is_dir():
        raise rc.RestoreError(
            f"dataset {info.name} not found at {folder}{_present_note(data_root)}; download it from {info.url}."
        )
    return folder


def _image_files(folder: Path) -> list[Path]:
    """The image files of a folder, sorted by name; refused when there is none."""
    files = sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise rc.RestoreError(f"no images ({' '.join(IMAGE_SUFFIXES)}) in {folder}.")
    return files


def _folder_images(folder: Path) -> tuple[BenchImage, ...]:
    """The images of a folder, or of a paired folder its clean images with their degraded photos."""
    if all((folder / part).is_dir() for part in PAIRED_FOLDERS):
        return _paired_images(folder)
    return tuple(
        BenchImage(path.name, index, partial(rc.load_image, path)) for index, path in enumerate(_image_files(folder))
    )


def _by_stem(files: Iterable[Path], folder: Path) -> dict[str, Path]:
    """Files by name without suffix; two files of one name (``a.png`` and ``a.jpg``) are refused."""
    found: dict[str, Path] = {}
    for path in files:
        if path.stem in found:
            raise rc.RestoreError(f"{folder} holds both {found[path.stem].name} and {path.name}: keep one of them.")
        found[path.stem] = path
    return found


def _paired_images(folder: Path) -> tuple[BenchImage, ...]:
    """The clean images of a paired folder, each with its degraded photo (and kernel and mask when there)."""
    degraded_folder, clean_folder = (folder / part for part in PAIRED_FOLDERS)
    degraded = _by_stem(_image_files(degraded_folder), degraded_folder)
    clean = _by_stem(_image_files(clean_folder), clean_folder)
    unmatched = sorted(set(degraded) ^ set(clean))
    if unmatched:
        raise rc.RestoreError(
            f"the pairs of {folder} do not match: {', '.join(unmatched[:5])}{' …' if len(unmatched) > 5 else ''} "
            f"{'is' if len(unmatched) == 1 else 'are'} in only one of {' and '.join(PAIRED_FOLDERS)}/ (pairs share "
            "their file name, the suffix aside)."
        )
    extras = {
        part: _by_stem(_image_files(folder / part), folder / part) if (folder / part).is_dir() else {}
        for part in PAIRED_EXTRAS
    }
    return tuple(
        BenchImage(
            path.name,
            index,
            partial(rc.load_image, path),
            PairedFiles(degraded[stem], extras["kernels"].get(stem), extras["masks"].get(stem)),
        )
        for index, (stem, path) in enumerate(sorted(clean.items()))
    )


def skimage_photo(name: str) -> np.ndarray:
    """A photo of the built-in set: :func:`restore_core.sample_image` at :data:`SKIMAGE_SIDE` pixels."""
    return rc.sample_image(name, SKIMAGE_SIDE)


def load_kernels(names: Iterable[str], data_root: Path | None) -> dict[str, np.ndarray]:
    """Blur kernels by name: ``k1``..``k8`` (from the data root) or built-in ones.

    Raises
    ------
    RestoreError
        For an unknown name, or a Levin kernel without a data root.
    """
    names = list(names)
    unknown = [name for name in names if name not in BUILTIN_KERNELS and name not in rc.LEVIN_KERNELS]
    if unknown:
        raise rc.RestoreError(
            f"unknown kernel {', '.join(unknown)}; choose from {', '.join(rc.LEVIN_KERNELS)} "
            f"(needs the data root) or the built-in {', '.join(BUILTIN_KERNELS)}."
        )
    levin = {}
    if any(name in rc.LEVIN_KERNELS for name in names):
        if data_root is None:
            raise rc.RestoreError(
                f"kernels k1..k8 are read from <data root>/kernels/levin8.npz: pass --data-root or "
                f"set {DATA_ROOT_ENV}, or use the built-in kernels {', '.join(BUILTIN_KERNELS)}."
            )
        levin = rc.levin_kernels(data_root)
    return {name: levin[name] if name in rc.LEVIN_KERNELS else rc.named_kernel(name) for name in names}
