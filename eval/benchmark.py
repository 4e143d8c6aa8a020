"""Run restoration methods over datasets and degradation levels: ``python -m eval.benchmark --help``.

Every (dataset, image, level, method) run becomes a row of ``results.csv`` as soon
as it finishes; a rerun skips the rows already there, so an interrupted benchmark
resumes where it stopped: Ctrl-C stops it with exit status 130, and a write that fails
(a full disk) with status 1, keeping the rows saved so far. One failing run is recorded
with its error and the others go on; the exit status is 1 when any run of the grid failed.
Bad options, data and output folders are refused with status 2 before anything runs.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import restore_core as rc
from restore_core.dataroot import DATA_ROOT_ENV, add_data_root_argument
from restore_core.device import DEVICE_CHOICES, PRECISIONS, describe_device

from . import blind, codecs, examples, executors, protocols
from .cli import METHOD_GROUPS, error_text, prepare_folder, run_command
from .datasets import (
    BUILTIN_DATASET,
    BUILTIN_KERNELS,
    DATASETS,
    BenchImage,
    Dataset,
    describe_datasets,
    load_kernels,
    open_dataset,
    standard_datasets,
)
from .executors import add_executor_arguments, check_executor_arguments, execute
from .plots import LEVEL_PLOT, RUNTIME_PLOT, plot_psnr_vs_level, plot_psnr_vs_runtime
from .protocols import PROTOCOLS, SEEDING, Level
from .report import failure_notes, markdown_results, run_header, summarize, write_reports
from .results import (
    RESULTS_FILE,
    SCHEMA,
    ResultsFile,
    Schema,
    count_saved,
    read_results,
    row_key,
    select_keys,
    unfinished,
)

#: Column of the quality estimated from each image (``--task jpeg --blind``), and the report's line about it.
ESTIMATED_QUALITY, QUALITY_HEADER = "estimated_quality", "JPEG quality"

_EXAMPLES = """examples:
  python -m eval.benchmark --task denoise --datasets skimage --sigmas 25 --methods tv bm3d --limit 2
  python -m eval.benchmark --task sr --datasets Set5 Set14 --scales 2 3 4 --methods bicubic --data-root data
  python -m eval.benchmark --task deblur --datasets skimage --kernels gauss1.6 motion15 --methods all-classical
  python -m eval.benchmark --task jpeg --datasets LIVE1 classic5 --qualities 10 40 --methods identity
  python -m eval.benchmark --task jpeg --blind --color --datasets LIVE1 --methods deconv_jpeg --data-root data
  DECONV_DATA=data python -m eval.benchmark --task inpaint --ratios 0.5 --noise-sigma 5 --methods all
  DECONV_DATA=data python -m eval.benchmark --task deblur --blind --datasets Kodak24 --methods all"""


@dataclass(frozen=True)
class Cell:
    """One run of the grid: a method on one image at one level."""

    dataset: str
    image: BenchImage
    level: Level
    method: rc.Method


@dataclass(frozen=True)
class Plan:
    """The grid of a benchmark run and how to run it.

    Attributes
    ----------
    task : str
        The restoration task.
    datasets : tuple of Dataset
        Datasets, already limited to ``--limit`` images.
    levels : tuple of Level
        Degradation levels.
    methods : tuple of Method
        Methods, classical first.
    seed : int
        Base seed; image ``i`` uses ``seed + i``.
    device : str
        ``--device`` preference, passed to methods that take a ``device`` parameter.
    device_name : str
        The device in words (and a precision other than float32), for the results and the report.
    clip, color : bool
        ``--clip`` and ``--color``.
    examples : int
        How many images of each dataset get example crops in the report.
    precision : str
        ``--precision``, passed to methods that take a ``precision`` parameter (the learned ones).
    blind_quality : bool
        ``--task jpeg --blind``: the methods get the quality estimated from each compressed image
        (:func:`restore_core.with_estimated_quality`), never the true one; rows record the estimate.
    """

    task: str
    datasets: tuple[Dataset, ...]
    levels: tuple[Level, ...]
    methods: tuple[rc.Method, ...]
    seed: int
    device: str
    device_name: str
    clip: bool = False
    color: bool = False
    examples: int = 1
    precision: str = "float32"
    blind_quality: bool = False

    @property
    def schema(self) -> Schema:
        """The columns of the run's ``results.csv``: with the estimated quality when it is blind."""
        return SCHEMA.extended((ESTIMATED_QUALITY,)) if self.blind_quality else SCHEMA

    def levels_of(self, dataset: Dataset) -> tuple[Level, ...]:
        """The levels a dataset runs at: its photos as they are for a paired one, else the plan's."""
        return (protocols.AS_DEGRADED,) if dataset.paired else self.levels

    def grid(self) -> list[tuple[str, Level]]:
        """The (dataset name, level) columns of the report, in order."""
        return [(dataset.name, level) for dataset in self.datasets for level in self.levels_of(dataset)]

    def cells(self) -> Iterator[Cell]:
        """All runs, dataset by dataset, image by image, level by level, method by method."""
        for dataset in self.datasets:
            for image in dataset.images:
                for level in self.levels_of(dataset):
                    for method in self.methods:
                        yield Cell(dataset.name, image, level, method)

    def row(self, cell: Cell) -> dict[str, Any]:
        """The results row of a run, without its outcome."""
        return {
            "task": self.task,
            "dataset": cell.dataset,
            "image": cell.image.name,
            "level": cell.level.label,
            "method": cell.method.name,
            "family": cell.method.family,
            "seed": self.seed + cell.image.index,
            **cell.level.columns(),
            "device": self.device_name,
            "error": "",
        }


def _bounded(kind: type, low: float, high: float | None = None, *, below_high: bool = False) -> Callable[[str], Any]:
    """An argparse type: ``kind(text)`` within ``[low, high]`` (``[low, high)`` when ``below_high``), not NaN."""

    def parse(text: str) -> Any:
        value = kind(text)
        too_high = high is not None and (value >= high if below_high else value > high)
        if not value >= low or too_high:
            interval = f"[{low}, {'∞' if high is None else high}{')' if below_high else ']'}"
            raise argparse.ArgumentTypeError(f"{text} is outside {interval}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _epilog() -> str:
    """Protocols, datasets and examples for ``--help``."""
    entries = [*PROTOCOLS.items(), ("blind", blind.PROTOCOL), ("seeding", SEEDING)]
    protocols_text = "\n".join(
        textwrap.fill(text, 100, initial_indent=f"  {name:<9}", subsequent_indent=" " * 11, break_on_hyphens=False)
        for name, text in entries
    )
    return (
        f"protocols:\n{protocols_text}\n\ndatasets (folders <data root>/test/<name>; any folder path works too):\n"
        f"{describe_datasets()}\n\n{_EXAMPLES}"
    )


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m eval.benchmark",
        description="Benchmark restoration methods on test datasets with the literature's protocols. Writes "
        "results.csv (one row per run, resumable), summary.json, summary.md and summary.html.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--task",
        default="denoise",
        choices=(*rc.TASKS, codecs.TASK),
        help=f"restoration task (default denoise), or {codecs.TASK}: the codecs' rate–distortion curves and "
        "BD-rates (rc.list_codecs; --methods names codecs)",
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help=f"registered names, '{BUILTIN_DATASET}' or folder paths (default: the task's standard "
        f"datasets found under the data root, else {BUILTIN_DATASET})",
    )
    levels = parser.add_argument_group("degradation (each option belongs to the tasks it names)")
    levels.add_argument(
        "--sigmas",
        nargs="+",
        type=_bounded(float, 0, 255),
        metavar="SIGMA",
        help="denoise: noise levels, 0–255 scale (default 15 25 50)",
    )
    levels.add_argument(
        "--camera-noise",
        nargs="+",
        choices=rc.CAMERA_LEVELS,
        metavar="LEVEL",
        help=f"denoise: real camera noise instead of --sigmas, levels {' '.join(rc.CAMERA_LEVELS)} (colour "
        "images; the noise is made at a random camera's sensor and processed to 8-bit sRGB, see "
        "restore_core.camera_noise; the methods are not told its level)",
    )
    levels.add_argument(
        "--kernels",
        nargs="+",
        metavar="KERNEL",
        help=f"deblur: k1..k8 (Levin et al., from the data root) or built-in "
        f"{' '.join(BUILTIN_KERNELS)} (default k1..k8 with a data root, else the built-in ones); "
        "sr: blur with each kernel, then keep every scale-th pixel (default: MATLAB bicubic downscaling)",
    )
    levels.add_argument(
        "--scales",
        nargs="+",
        type=int,
        choices=rc.SCALES,
        metavar="SCALE",
        help="sr: factors 2, 3, 4 (default all three)",
    )
    levels.add_argument(
        "--qualities",
        nargs="+",
        type=_bounded(int, 1, 100),
        metavar="Q",
        help="jpeg: qualities 1–100 (default 10 20 30 40)",
    )
    levels.add_argument(
        "--ratios",
        nargs="+",
        type=_bounded(float, 0, 1, below_high=True),
        metavar="RATIO",
        help="inpaint: fractions of missing pixels in [0, 1) (default 0.5 0.8)",
    )
    levels.add_argument(
        "--noise-sigma",
        nargs="+",
        type=_bounded(float, 0, 255),
        metavar="SIGMA",
        help="deblur, sr, inpaint: Gaussian noise levels after the blur, downscaling or masking, 0–255 "
        "scale (default 2.55 and 7.65 for deblur, 0 for sr and inpaint)",
    )
    levels.add_argument("--color", action="store_true", help="jpeg: compress the RGB image instead of its Y channel")
    levels.add_argument(
        "--boundary",
        choices=rc.BOUNDARIES,
        help="deblur: how the blur treats the image's borders (default circular, the literature's; reflect "
        "and valid are a photo's non-periodic borders, which the methods are told)",
    )
    levels.add_argument(
        "--clip", action="store_true", help="denoise, deblur, sr, inpaint: clip the noisy observation to [0, 1]"
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        metavar="NAME",
        help="method names, or all-classical, all-learned, all (default: every method of the task)",
    )
    add_data_root_argument(parser, "test/<dataset> and kernels/levin8.npz")
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: bench_out/<task>)")
    parser.add_argument("--limit", type=_bounded(int, 1), metavar="N", help="only the first N images of each dataset")
    parser.add_argument(
        "--device",
        choices=DEVICE_CHOICES,
        default="auto",
        help="device of the learned methods (default: auto, CUDA when available)",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="arithmetic of the learned methods (default float32; bfloat16 is faster where native)",
    )
    parser.add_argument(
        "--seed", type=_bounded(int, 0), default=0, metavar="S", help="base seed: image i uses S + i (default 0)"
    )
    parser.add_argument(
        "--examples",
        type=_bounded(int, 0),
        default=1,
        metavar="N",
        help="save crops of clean, degraded and restored images of the first N images of each dataset "
        "for the HTML report (default 1, 0 for none)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="start results.csv afresh instead of skipping the runs it already holds",
    )
    add_executor_arguments(parser)
    blind.add_arguments(parser)
    return parser


def _option_tasks() -> dict[str, tuple[str, ...]]:
    """For each task-specific option (argparse ``dest``), the tasks it applies to."""
    declared = [rc.get_task(name) for name in rc.TASKS]
    tasks = {task.protocol.option: (task.name,) for task in declared}
    tasks["kernels"] = tuple(task.name for task in declared if "kernel" in task.accepts)
    tasks["noise_sigma"] = tuple(task.name for task in declared if task.protocol.noise_default is not None)
    tasks["color"] = tuple(task.name for task in declared if task.protocol.rgb_option)
    tasks["clip"] = tuple(task.name for task in declared if not task.clips)
    tasks["boundary"] = tuple(task.name for task in declared if task.protocol.field == "kernel")
    tasks["camera_noise"] = tuple(task.name for task in declared if task.protocol.field == "sigma")
    return tasks


def check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse options that do not apply to ``--task`` (exits with status 2)."""
    for dest, tasks in _option_tasks().items():
        if getattr(args, dest) not in (None, False) and args.task not in tasks:
            parser.error(f"--{dest.replace('_', '-')} applies to --task {' or '.join(tasks)}, not {args.task}")
    if args.camera_noise and (args.sigmas or args.clip):
        parser.error("--camera-noise replaces --sigmas (and its observations are 8-bit: clipped already)")


def select_methods(task: str, names: Sequence[str] | None) -> tuple[rc.Method, ...]:
    """The methods named on the command line (groups expanded, duplicates dropped), classical first.

    A group may be empty (e.g. ``all-learned`` before any learned method of the task ships) as
    long as the whole selection is not.

    Raises
    ------
    RestoreError
        For an unknown method, one that does not do ``task``, or an empty selection.
    """
    chosen: dict[str, rc.Method] = {}
    for name in names or ["all"]:
        if name in METHOD_GROUPS:
            group = rc.list_methods(task, METHOD_GROUPS[name])
        else:
            method = rc.get_method(name)
            if task not in method.tasks:
                raise rc.RestoreError(
                    f"{name} does not do {task} (it does {', '.join(method.tasks)}); methods for "
                    f"{task}: {', '.join(m.name for m in rc.list_methods(task))}."
                )
            group = [method]
        chosen.update({method.name: method for method in group if method.name not in chosen})
    if not chosen:
        raise rc.RestoreError(
            f"{' '.join(names or [])} selects no method: none of that family is registered for {task} yet "
            f"(registered: {', '.join(m.name for m in rc.list_methods(task))})."
        )
    return tuple(sorted(chosen.values(), key=lambda method: rc.FAMILIES.index(method.family)))


def default_datasets(task: str, data_root: Path | None) -> list[str]:
    """The task's standard datasets present under the data root, or the built-in dataset."""
    present = [
        name
        for name in standard_datasets(task)
        if data_root is not None and (data_root / DATASETS[name].folder).is_dir()
    ]
    return present or [BUILTIN_DATASET]


def default_levels(task: str, data_root: Path | None) -> tuple:
    """The task's default levels; kernel levels without a data root are the built-in kernels instead of k1..k8."""
    protocol = rc.get_task(task).protocol
    if protocol.field == "kernel" and data_root is None:
        return tuple(BUILTIN_KERNELS)
    return protocol.defaults


def make_levels(args: argparse.Namespace) -> tuple[Level, ...]:
    """The degradation levels of the command line (task defaults where omitted), once each."""
    protocol = rc.get_task(args.task).protocol
    values = getattr(args, protocol.option) or default_levels(args.task, args.data_root)
    kernels = None
    if protocol.field == "kernel":
        kernels = load_kernels(values, args.data_root)
    elif args.kernels:
        kernels = load_kernels(args.kernels, args.data_root)
    levels = protocols.build_levels(
        args.task,
        values,
        noise_sigmas=args.noise_sigma,
        kernels=kernels,
        clip=args.clip,
        color=args.color,
        boundary=args.boundary or "circular",
        cameras=args.camera_noise,
    )
    return tuple({level.label: level for level in levels}.values())  # the label is part of a row's key


def check_images(datasets: Sequence[Dataset]) -> None:
    """Read every image once, so that an unreadable one stops the benchmark before anything runs.

    A corrupt image is refused rather than skipped or recorded as failed runs: the means must
    be over the whole dataset to compare with published numbers, and failed runs would blame
    the methods for a broken file.

    Raises
    ------
    RestoreError
        Naming the dataset and the file.
    """
    for dataset in datasets:
        for image in dataset.images:
            try:
                image.load()
                if image.pair is not None:
                    rc.load_image(image.pair.degraded)
            except Exception as error:  # whatever the decoder raises, the file is at fault
                raise rc.RestoreError(
                    f"cannot read image {image.name} of dataset {dataset.name}: {' '.join(str(error).split())} "
                    "Replace or remove that file."
                ) from error


def make_datasets(args: argparse.Namespace) -> tuple[Dataset, ...]:
    """The datasets of the command line (the task's standard ones by default, each once), with ``--limit`` images.

    Raises
    ------
    RestoreError
        For a missing data root, an unknown dataset, or a missing, empty or unreadable one.
    """
    if args.data_root is not None and not args.data_root.is_dir():
        raise rc.RestoreError(f"the data root {args.data_root} (--data-root or ${DATA_ROOT_ENV}) is not a folder.")
    names = args.datasets or default_datasets(args.task, args.data_root)
    if not args.datasets and args.data_root is not None and names == [BUILTIN_DATASET]:
        print(
            f"no {args.task} test set ({', '.join(standard_datasets(args.task))}) under {args.data_root / 'test'}: "
            f"running the built-in {BUILTIN_DATASET} dataset",
            file=sys.stderr,
        )
    opened = (open_dataset(name, args.data_root).head(args.limit) for name in names)
    datasets = tuple({dataset.name: dataset for dataset in opened}.values())  # Set12 and set12 are one
    check_images(datasets)
    return datasets


def make_plan(args: argparse.Namespace) -> Plan:
    """The grid described by the command line.

    Raises
    ------
    RestoreError
        For a missing data root, unknown or unreadable datasets, unknown kernels or methods, or an
        unavailable device.
    """
    methods = select_methods(args.task, args.methods)
    device_name = describe_device(args.device) if args.executor == "serial" else executors.describe_workers(methods)
    return Plan(
        task=args.task,
        datasets=make_datasets(args),
        levels=make_levels(args),
        methods=methods,
        seed=args.seed,
        device=args.device,
        device_name=device_name + ("" if args.precision == "float32" else f", {args.precision}"),
        clip=args.clip,
        color=args.color,
        examples=args.examples,
        precision=args.precision,
        blind_quality=args.blind,
    )


@lru_cache(maxsize=1)
def _load(image: BenchImage) -> np.ndarray:
    return image.load()


@lru_cache(maxsize=1)
def observe(plan: Plan, image: BenchImage, level: Level) -> tuple[np.ndarray, rc.Observation]:
    """The ground truth and observation of an image at a level (kept for the next method of the same pair).

    A paired dataset's image gives its degraded photo as it is (:func:`eval.protocols.paired_observation`).
    """
    if image.pair is not None:
        clean, observation = protocols.paired_observation(plan.task, _load(image), image.pair)
    else:
        clean = protocols.ground_truth(plan.task, _load(image), level, plan.color)
        observation = protocols.observe(plan.task, clean, level, seed=plan.seed + image.index, clip=plan.clip)
    return clean, rc.with_estimated_quality(observation) if plan.blind_quality else observation


def run_cell(plan: Plan, cell: Cell) -> tuple[dict[str, Any], np.ndarray | None]:
    """Run one method on one image: its results row, and its output when the image gets example crops.

    Any exception becomes the row's error instead of stopping the benchmark.
    """
    row = plan.row(cell)
    settings = {"device": plan.device, "precision": plan.precision}
    options = {param.name: settings[param.name] for param in cell.method.params if param.name in settings}
    try:
        clean, observation = observe(plan, cell.image, cell.level)
        start = time.perf_counter()
        restored = rc.restore(observation, cell.method.name, **options)
        seconds = time.perf_counter() - start
        psnr, ssim = rc.score(observation, clean, restored)
    except Exception as error:  # one failed run must not stop the others
        return {**row, "error": error_text(error)}, None
    kept = restored if cell.image.index < plan.examples else None
    estimate = {ESTIMATED_QUALITY: observation.quality} if plan.blind_quality else {}
    return {**row, "psnr": psnr, "ssim": ssim, "seconds": seconds, **estimate}, kept


def save_example(plan: Plan, out: Path, cell: Cell, restored: np.ndarray) -> None:
    """Save the crops of a run's output, and of its clean and degraded images when not saved yet."""
    clean, observation = observe(plan, cell.image, cell.level)
    window = examples.detail_window(clean)
    folder = examples.example_folder(out, cell.dataset, cell.image.name, cell.level.label)
    for name, image in ((examples.CLEAN, clean), (examples.DEGRADED, np.clip(observation.at_clean_size(), 0, 1))):
        if not (folder / f"{name}.png").is_file():
            examples.save_crop(folder, name, image, window)
    examples.save_crop(folder, examples.slug(cell.method.name), restored, window)


def cell_label(cell: Cell) -> str:
    """A run in words: ``method | dataset/image | level``."""
    return f"{cell.method.name} | {cell.dataset}/{cell.image.name} | {cell.level.label}"


def run_plan(plan: Plan, results: ResultsFile, executor: str = "serial", address: str | None = None) -> None:
    """Run the cells of the grid that ``results`` does not hold yet, appending a row as each finishes.

    ``executor`` and ``address`` choose where the runs execute (:func:`eval.executors.execute`); this
    process writes every row.
    """
    cells = list(plan.cells())
    pending = unfinished(cells, plan.row, results.path, plan.schema)
    if len(pending) < len(cells):
        print(
            f"{results.path}: {len(cells) - len(pending)} of {len(cells)} runs already done, "
            f"running the other {len(pending)}",
            file=sys.stderr,
        )
    runs = execute(
        partial(run_cell, plan),
        pending,
        failed=lambda cell, message: ({**plan.row(cell), "error": message}, None),
        label=cell_label,
        executor=executor,
        address=address,
        gpu=lambda cell: cell.method.family == "learned" and plan.device != "cpu",
        desc=plan.task,
    )
    with closing(runs):  # a failed write closes the progress bar (and cancels Ray's tasks) first
        for cell, (row, restored) in runs:
            if restored is not None:
                save_example(plan, results.path.parent, cell, restored)
            results.append(row)


def example_rows(plan: Plan, out: Path, rows: pd.DataFrame) -> list[examples.ExampleRow]:
    """The example images of the grid, with each method's PSNR and SSIM from ``rows``."""
    scores = {
        (row.dataset, row.image, row.level, row.method): (float(row.psnr), float(row.ssim))
        for row in rows[rows["error"] == ""].itertuples(index=False)
    }
    return [
        examples.ExampleRow(
            dataset.name,
            image.name,
            level.label,
            examples.example_folder(out, dataset.name, image.name, level.label),
            {method.name: scores.get((dataset.name, image.name, level.label, method.name)) for method in plan.methods},
        )
        for dataset in plan.datasets
        for image in dataset.images[: plan.examples]
        for level in plan.levels_of(dataset)
    ]


def report_plan(plan: Plan, out: Path, command: str, data_root: Path | None) -> bool:
    """Write the summaries, plots and examples of the grid's rows, print its tables, tell whether any run failed."""
    keys = {row_key(plan.row(cell)) for cell in plan.cells()}
    rows = select_keys(read_results(out / RESULTS_FILE, plan.schema), keys)
    records = summarize(rows, plan.task, plan.grid(), plan.methods)
    camera = any(level.camera for level in plan.levels)
    header = run_header(
        plan.task, plan.device_name, data_root, protocols.CAMERA if camera else PROTOCOLS[plan.task], SEEDING
    )
    if any(dataset.paired for dataset in plan.datasets):
        header["Paired data"] = protocols.PAIRED
    if plan.blind_quality:
        header[QUALITY_HEADER] = quality_estimates(rows)
    notes = failure_notes(rows)
    figures = [
        name
        for name, plot in ((LEVEL_PLOT, plot_psnr_vs_level), (RUNTIME_PLOT, plot_psnr_vs_runtime))
        if plot(records, out / name)
    ]
    extra = examples.examples_html(out, example_rows(plan, out, rows))
    print(markdown_results(write_reports(out, command, header, records, notes, figures, extra), notes))
    return bool((rows["error"] != "").any())


def quality_estimates(rows: pd.DataFrame) -> str:
    """How the qualities estimated from the images (``--task jpeg --blind``) compare with the true ones."""
    done = rows.loc[rows["error"] == ""].drop_duplicates(["dataset", "image", "level"])
    estimates, truths = (pd.to_numeric(done[column]) for column in (ESTIMATED_QUALITY, "quality"))
    errors = (estimates - truths).abs()
    worst = f"; largest error {errors.max():g}" if len(done) and errors.max() > 0 else ""
    return (
        "estimated from each compressed image (restore_core.with_estimated_quality), the methods never see the "
        f"true one: equal to it for {int((errors == 0).sum())} of {len(done)} observations{worst}"
    )


def run_benchmark(args: argparse.Namespace, out: Path, command: str) -> int:
    """Run and report the benchmark of a command line into ``out``; return 0, or 1 when some run failed.

    Raises
    ------
    RestoreError
        For bad options, data or output folder (see :func:`make_plan`), or a malformed ``results.csv``.
    OSError
        When an output cannot be written.
    """
    started = time.perf_counter()
    if args.task == codecs.TASK:
        return run_codec_benchmark(args, out, command)
    if args.blind and "kernel" in rc.get_task(args.task).needs:
        return run_blind_benchmark(args, out, command)
    plan = make_plan(args)
    prepare_folder(out)
    with ResultsFile(out / RESULTS_FILE, overwrite=args.overwrite, schema=plan.schema) as results:
        run_plan(plan, results, args.executor, args.address)
    failed = report_plan(plan, out, command, args.data_root)
    print(f"{time.perf_counter() - started:.1f} s on {plan.device_name}; outputs in {out}/")
    return 1 if failed else 0


def run_blind_benchmark(args: argparse.Namespace, out: Path, command: str) -> int:
    """Run and report the blind-deblurring benchmark (:mod:`eval.blind`) of a command line into ``out``.

    Its defaults differ from non-blind deblurring: noise σ 2.55 only, and Kodak24 when the data root has it.
    """
    defaults = {
        "noise_sigma": args.noise_sigma or [blind.SIGMA],
        "datasets": args.datasets or blind.default_datasets(args.data_root),
    }
    settings = argparse.Namespace(**{**vars(args), **defaults})
    datasets = make_datasets(settings)
    paired = [dataset.name for dataset in datasets if dataset.paired]
    if paired:
        raise rc.RestoreError(
            f"blind deblurring degrades clean images with known kernels to score the estimates; {', '.join(paired)} "
            "holds degraded pairs: run them without --blind, with their kernels in kernels/."
        )
    plan = blind.make_plan(settings, datasets, make_levels(settings))
    prepare_folder(out)
    return blind.run_blind(plan, out, command, args.data_root, args.overwrite, args.executor, args.address)


def run_codec_benchmark(args: argparse.Namespace, out: Path, command: str) -> int:
    """Run and report the codec benchmark (:mod:`eval.codecs`) of a command line into ``out`` (Kodak24 by default)."""
    settings = argparse.Namespace(**{**vars(args), "datasets": args.datasets or blind.default_datasets(args.data_root)})
    datasets = make_datasets(settings)
    if paired := [dataset.name for dataset in datasets if dataset.paired]:
        raise rc.RestoreError(f"the codec benchmark compresses clean images; {', '.join(paired)} holds degraded pairs.")
    plan = codecs.CodecPlan(datasets, codecs.select_codecs(args.methods), args.device)
    prepare_folder(out)
    return codecs.run_codec_benchmark(plan, out, command, args.data_root, args.overwrite, args.executor, args.address)


def saved_note(out: Path) -> str:
    """``N results saved in <out>/results.csv; rerun the same command to resume``."""
    path = out / RESULTS_FILE
    return f"{count_saved(path)} results saved in {path}; rerun the same command to resume"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 0, or 1 when some run failed or an output could not be written.

    Bad options, data or output folders exit with status 2 and argparse's message; Ctrl-C
    returns :data:`~eval.cli.INTERRUPTED` (130) after saying how many results are saved.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    check_options(parser, args)
    check_executor_arguments(parser, args)
    blind.check_arguments(parser, args)
    out = args.out or Path("bench_out") / (f"{args.task}-blind" if args.blind else args.task)
    command = shlex.join(["python", "-m", "eval.benchmark", *argv])
    return run_command(
        parser,
        lambda: run_benchmark(args, out, command),
        lambda: f"{saved_note(out)} once that is fixed",
        lambda: saved_note(out),
    )


if __name__ == "__main__":
    from eval.benchmark import main as benchmark_main  # the importable module: Ray workers unpickle its functions

    sys.exit(benchmark_main())
