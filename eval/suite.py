"""The reference benchmarks and ``docs/RESULTS.md``: ``python -m eval.suite --data-root DIR``.

Each entry of :data:`SUITE` is one ``python -m eval.benchmark`` command on the
standard test sets; the suite runs them one after the other (each resumes from
its own ``results.csv``, so an interrupted suite continues where it stopped),
then writes ``docs/RESULTS.md``: the commands, their PSNR/SSIM tables, their
PSNR-vs-level plots and the published numbers the harness reproduces.

The summary records of every entry are kept beside the document
(``docs/results/<entry>.json``, with the plot), so ``--only`` reruns some entries
and rewrites the document with the others' stored results, also from a fresh
checkout whose output folder is empty. The document is written from those stored
records only (``--render`` rewrites it without running anything); an entry without them is listed
as not run yet. ``--family learned`` reruns only
the learned methods of the chosen entries (after retraining a network) and keeps the
stored records of the classical ones, which are deterministic. An entry may name model cards
(``Entry.cards``): their "Measured test results" section is written from its stored records too.
The blind-deblurring runs
(``python -m eval.benchmark --task deblur --blind --out docs/results/blind``, and with ``--kernels
gauss1.6 disk3 motion15 --out docs/results/blind-parametric``: their ``summary.json`` and
figures), the real-photo section of ``python -m eval.real`` (``docs/results/real/real.md``), the real
noisy photos of ``python -m eval.real_noise`` (``docs/results/real_noise/real_noise.md``) and the
real-photo kernels of ``python -m eval.real_kernels`` come last, after the codec run
(``python -m eval.benchmark --task compress --out docs/results/compress``).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import restore_core as rc
from restore_core.dataroot import DATA_ROOT_ENV, add_data_root_argument
from restore_core.device import DEVICE_CHOICES
from restore_core.training.cards import MEASURED_HEADING, replace_measured

from . import benchmark, codecs
from .blind import stored_run, stored_section
from .cli import INTERRUPTED, prepare_folder, run_command
from .executors import add_executor_arguments, check_executor_arguments
from .plots import LEVEL_PLOT, plot_psnr_vs_level
from .real import SECTION
from .real_kernels import DEFAULT_OUT as REAL_KERNELS_OUT
from .real_kernels import SECTION as REAL_KERNELS_SECTION
from .real_noise import DEFAULT_OUT as REAL_NOISE_OUT
from .real_noise import SECTION as REAL_NOISE_SECTION
from .report import markdown_table, metric_tables, write_atomic
from .summary import replace_block, summary_block

#: Where the suite writes its benchmark folders, and the document it produces.
DEFAULT_OUT = Path("bench_out") / "suite"
DEFAULT_DOC = Path("docs") / "RESULTS.md"
#: The folder beside the document holding each entry's stored records and plot.
RESULTS_FOLDER = "results"
#: Folders of the blind-deblurring runs under it (``python -m eval.benchmark --task deblur --blind --out ...``):
#: the Levin kernels of the literature's protocol, then the parametric blurs of soft photos.
BLIND_FOLDERS = ("blind", "blind-parametric")
#: Folder of the codec run under it (``python -m eval.benchmark --task compress --out docs/results/compress``).
CODEC_FOLDER = "compress"
#: Folder of the model cards, relative to the checkout holding the document's folder.
CARDS_FOLDER = Path("restore_core") / "weights"
#: The data root the document's commands name (the documented layout: ``../shared/data`` beside the checkout).
DOC_DATA_ROOT = Path("../shared/data")
#: The command that writes the whole document.
SUITE_COMMAND = f"python -m eval.suite --data-root {DOC_DATA_ROOT.as_posix()}"
#: First line of the document; an existing ``--doc`` without it is not overwritten.
TITLE = "# Deconv Arena results"


@dataclass(frozen=True)
class Reference:
    """A published mean PSNR the benchmark must reproduce.

    Attributes
    ----------
    dataset, level, method : str
        The summary record it is compared with (``level`` as labelled by the benchmark).
    psnr : float
        Published mean PSNR (dB).
    tolerance : float
        Largest accepted difference (dB).
    source : str
        Where the number comes from.
    """

    dataset: str
    level: str
    method: str
    psnr: float
    tolerance: float
    source: str


@dataclass(frozen=True)
class Entry:
    """One benchmark command of the suite.

    Attributes
    ----------
    name : str
        Its output folder under the suite's ``--out``.
    title : str
        Section heading in ``docs/RESULTS.md``.
    arguments : tuple of str
        ``python -m eval.benchmark`` arguments, without ``--data-root``, ``--out`` and ``--device``
        (and without ``--methods`` when the entry has a ``budget``).
    references : tuple of Reference
        Published numbers it reproduces.
    budget : float or None
        Seconds one run may be expected to take on the entry's images (``shape``) by the methods'
        measured costs (:func:`restore_core.expected_seconds`): the methods of the task within it are
        run. None: the arguments choose the methods.
    shape : tuple of int or None
        A typical image of the entry (the restored size), for the budget.
    cards : tuple of str
        Learned models whose model card's measured-results section the entry's stored records
        write (:func:`card_section`), so the card states what the suite measured with its weights.
    """

    name: str
    title: str
    arguments: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    budget: float | None = None
    shape: tuple[int, ...] | None = None
    cards: tuple[str, ...] = ()

    @property
    def task(self) -> str:
        """The entry's task."""
        return self.arguments[self.arguments.index("--task") + 1]

    def methods(self) -> tuple[str, ...]:
        """The methods within the budget, in the registry's order (empty without a budget)."""
        if self.budget is None:
            return ()
        return tuple(
            method.name
            for method in rc.list_methods(self.task)
            if rc.expected_seconds(method.name, self.task, self.shape) <= self.budget
        )

    def command_arguments(self) -> tuple[str, ...]:
        """The benchmark arguments with the methods the budget chooses."""
        methods = self.methods()
        return (*self.arguments, "--methods", *methods) if methods else self.arguments


def _references(
    dataset: str, method: str, labels: Sequence[str], values: Sequence[float], tolerance: float, source: str
) -> tuple[Reference, ...]:
    return tuple(
        Reference(dataset, label, method, value, tolerance, source) for label, value in zip(labels, values, strict=True)
    )


_BICUBIC = "MATLAB bicubic, e.g. Dong et al. (SRCNN, 2014) and every SR paper since"
_BM3D = "Dabov et al. (2007) as tabulated by Zhang et al. (DnCNN, 2017)"
_CBM3D = "Dabov et al. (2007) as tabulated by Zhang et al. (FFDNet, 2018)"
_CBM3D_DRUNET = "Dabov et al. (2007) as tabulated by Zhang et al. (DRUNet, 2021)"
_JPEG = "libjpeg, as tabulated by Dong et al. (ARCNN, 2015) and Zhang et al. (DnCNN, 2017)"
_SIGMAS = ("σ=15", "σ=25", "σ=50")
#: Seconds a run may be expected to take in the entries that do not run every method (PnP with a BM3D
#: prior runs BM3D at every iteration: 15 s per Set12 image in deblurring, 75 s in inpainting).
RUN_BUDGET = 10.0
#: Typical restored images of the entries' datasets (Set5/Set14 are up to 512 pixels a side).
_SET12, _SR_SETS, _CBSD68, _LIVE1 = (256, 256), (512, 512), (321, 481, 3), (548, 666, 3)
_QUALITIES = ("q=10", "q=20", "q=30", "q=40")

#: The suite, fastest first.
SUITE: tuple[Entry, ...] = (
    Entry(
        "sr",
        "Super-resolution, Set5 and Set14 (Y channel, border = scale)",
        ("--task", "sr", "--datasets", "Set5", "Set14", "--scales", "2", "3", "4"),
        _references("Set5", "bicubic", ("×2", "×3", "×4"), (33.66, 30.39, 28.42), 0.03, _BICUBIC)
        + _references("Set14", "bicubic", ("×2", "×3", "×4"), (30.24, 27.55, 26.00), 0.05, _BICUBIC),
        RUN_BUDGET,
        _SR_SETS,
    ),
    Entry(
        "sr-gauss-set5",
        "Super-resolution ×4 of Gaussian-blurred (σ=1.6), directly decimated images, Set5 (Y channel, border = 4)",
        ("--task", "sr", "--datasets", "Set5", "--scales", "4", "--kernels", "gauss1.6"),
        budget=RUN_BUDGET,
        shape=_SR_SETS,
    ),
    Entry(
        "denoise-set12",
        "Gray denoising, Set12",
        ("--task", "denoise", "--datasets", "Set12", "--sigmas", "15", "25", "50", "--methods", "all"),
        _references("Set12", "bm3d", _SIGMAS, (32.37, 29.97, 26.72), 0.15, _BM3D),
    ),
    Entry(
        "jpeg",
        "JPEG artifact removal, LIVE1 and classic5 (Y channel)",
        (
            "--task",
            "jpeg",
            "--datasets",
            "LIVE1",
            "classic5",
            "--qualities",
            "10",
            "20",
            "30",
            "40",
            "--methods",
            "all",
        ),
        _references("LIVE1", "identity", _QUALITIES, (27.77, 30.07, 31.41, 32.35), 0.15, _JPEG)
        + _references("classic5", "identity", _QUALITIES, (27.82, 30.12, 31.48, 32.43), 0.15, _JPEG),
    ),
    Entry(
        "jpeg-live1-color",
        "JPEG artifact removal, LIVE1 colour (RGB, 4:2:0), quality known",
        ("--task", "jpeg", "--color", "--datasets", "LIVE1", "--qualities", "10", "20", "30", "40"),
        budget=RUN_BUDGET,
        shape=_LIVE1,
    ),
    Entry(
        "jpeg-live1-color-blind",
        "JPEG artifact removal, LIVE1 colour (RGB, 4:2:0), quality estimated from each image (--blind)",
        ("--task", "jpeg", "--color", "--blind", "--datasets", "LIVE1", "--qualities", "10", "20", "30", "40"),
        budget=RUN_BUDGET,
        shape=_LIVE1,
    ),
    Entry(
        "inpaint-set12",
        "Inpainting, Set12, random missing pixels",
        ("--task", "inpaint", "--datasets", "Set12", "--ratios", "0.5", "0.8"),
        budget=RUN_BUDGET,
        shape=_SET12,
    ),
    Entry(
        "denoise-bsd68",
        "Gray denoising, BSD68",
        ("--task", "denoise", "--datasets", "BSD68", "--sigmas", "15", "25", "50", "--methods", "all"),
        _references("BSD68", "bm3d", _SIGMAS, (31.07, 28.57, 25.62), 0.15, _BM3D),
    ),
    Entry(
        "deblur-set12",
        "Non-blind deblurring, Set12, Levin kernels k1..k8, circular blur",
        ("--task", "deblur", "--datasets", "Set12", "--kernels", *rc.LEVIN_KERNELS, "--noise-sigma", "2.55", "7.65"),
        budget=RUN_BUDGET,
        shape=_SET12,
    ),
    Entry(
        "deblur-set12-reflect",
        "Non-blind deblurring, Set12, Levin kernels k1..k8, reflect boundary (a photo's non-periodic borders)",
        ("--task", "deblur", "--datasets", "Set12", "--kernels", *rc.LEVIN_KERNELS, "--noise-sigma", "2.55", "7.65")
        + ("--boundary", "reflect", "--methods", "identity", "wiener", "richardson_lucy", "pnp_tv", "wiener_unet")
        + ("pnp_unet",),
    ),
    Entry(
        "deblur-cbsd68-gauss",
        "Non-blind deblurring, CBSD68 (colour), 25x25 Gaussian kernel σ=1.6, circular blur",
        ("--task", "deblur", "--datasets", "CBSD68", "--kernels", "gauss1.6", "--noise-sigma", "2.55"),
        budget=RUN_BUDGET,
        shape=_CBSD68,
    ),
    Entry(
        "deblur-cbsd68-levin",
        "Non-blind deblurring, CBSD68 (colour, first 24 images), Levin kernels k1..k8, circular blur",
        ("--task", "deblur", "--datasets", "CBSD68", "--limit", "24", "--kernels", *rc.LEVIN_KERNELS)
        + ("--noise-sigma", "2.55", "7.65"),
        budget=RUN_BUDGET,
        shape=_CBSD68,
    ),
    Entry(
        "denoise-cbsd68",
        "Colour denoising, CBSD68",
        ("--task", "denoise", "--datasets", "CBSD68", "--sigmas", "15", "25", "50", "--methods", "all"),
        _references("CBSD68", "bm3d", _SIGMAS, (33.52, 30.71, 27.38), 0.15, _CBM3D),
    ),
    Entry(
        "denoise-kodak-mcmaster",
        "Colour denoising, Kodak24 and McMaster (McMaster: vivid, saturated colours and fine structure, where CNN "
        "denoisers trained on natural photos lose to CBM3D)",
        ("--task", "denoise", "--datasets", "Kodak24", "McMaster", "--sigmas", "15", "25", "50")
        + ("--methods", "bm3d", "deconv_unet"),
        _references("Kodak24", "bm3d", _SIGMAS, (34.28, 31.68, 28.46), 0.15, _CBM3D_DRUNET)
        + _references("McMaster", "bm3d", _SIGMAS, (34.06, 31.66, 28.51), 0.15, _CBM3D_DRUNET),
    ),
    Entry(
        "denoise-camera",
        "Colour denoising of real camera noise (simulated: Poisson–Gaussian at the sensor, demosaicked, "
        "processed to 8-bit sRGB), first 8 images of Kodak24 and McMaster; no method is told the noise level",
        (
            "--task",
            "denoise",
            "--camera-noise",
            *rc.CAMERA_LEVELS,
            "--datasets",
            "Kodak24",
            "McMaster",
            "--limit",
            "8",
            "--methods",
            "bm3d",
            "vst_bm3d",
            "deconv_unet",
            "camera_unet",
        ),
        cards=("unet_camera",),
    ),
)


def executor_arguments(args: argparse.Namespace) -> list[str]:
    """The ``--executor``/``--address`` options of the suite, for each benchmark it runs (none when serial)."""
    if args.executor == "serial":
        return []
    return ["--executor", args.executor, *(["--address", args.address] if args.address else [])]


def entry_arguments(entry: Entry, data_root: Path, out: Path, device: str) -> list[str]:
    """The full ``eval.benchmark`` argument list of an entry."""
    return [
        *entry.command_arguments(),
        "--data-root",
        str(data_root),
        "--out",
        str(out / entry.name),
        "--device",
        device,
    ]


@dataclass(frozen=True)
class Rerun:
    """A partial rerun: some methods of the chosen entries, merged into their stored records.

    Attributes
    ----------
    label : str
        What is rerun, in words (``'learned methods'``, ``'methods pnp_tv'``).
    suffix : str
        Suffix of the run's output folder, so a full run's results are not mixed in.
    keep : callable
        ``keep(method name)``: whether the method is rerun.
    """

    label: str
    suffix: str
    keep: Callable[[str], bool]


def family_rerun(family: str) -> Rerun:
    """The rerun of one family's methods (e.g. the learned ones after retraining)."""
    return Rerun(f"{family} methods", family, lambda name: rc.get_method(name).family == family)


def methods_rerun(names: Sequence[str]) -> Rerun:
    """The rerun of the named methods (e.g. those a budget newly admits)."""
    return Rerun(f"methods {', '.join(names)}", "methods", lambda name: name in names)


def rerun_arguments(arguments: Sequence[str], rerun: Rerun) -> list[str] | None:
    """Benchmark arguments narrowed to the methods a rerun keeps, or None when the entry has none of them.

    The entry's selection (groups expanded; without ``--methods``, every method of the task) is
    filtered by ``rerun.keep``; the output folder gets the suffix ``-<rerun.suffix>``.
    """
    arguments = list(arguments)
    out = arguments.index("--out") + 1
    arguments[out] = f"{arguments[out]}-{rerun.suffix}"
    if "--methods" not in arguments:
        arguments += ["--methods", "all"]
    start = arguments.index("--methods") + 1
    end = next((index for index in range(start, len(arguments)) if arguments[index].startswith("--")), len(arguments))
    task = arguments[arguments.index("--task") + 1]
    try:
        selected = benchmark.select_methods(task, arguments[start:end])
    except rc.RestoreError:  # a group with no method for the task (yet)
        return None
    kept = [method.name for method in selected if rerun.keep(method.name)]
    return [*arguments[:start], *kept, *arguments[end:]] if kept else None


def merge_rerun(
    stored: Sequence[Mapping[str, Any]], rerun: Sequence[Mapping[str, Any]], keep: Callable[[str], bool]
) -> list[dict[str, Any]]:
    """The stored records with the rerun methods' replaced by the rerun's, in a full run's order.

    That is classical methods first, each family in the registry's order.
    """
    records = [dict(record) for record in stored if not keep(record["method"])] + [dict(record) for record in rerun]
    order = [method.name for method in rc.list_methods()]
    return sorted(records, key=lambda record: (rc.FAMILIES.index(record["family"]), order.index(record["method"])))


def benchmark_command(arguments: Sequence[str]) -> str:
    """The shell command of a benchmark run."""
    return shlex.join(["python", "-m", "eval.benchmark", *arguments])


def check_references(entry: Entry, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Compare an entry's summary records with its published numbers.

    Returns
    -------
    list of dict
        ``{dataset, level, method, published, measured, difference, tolerance, ok, source}`` per
        reference; ``measured`` is None (and ``ok`` False) when the benchmark has no such record.
    """
    measured = {(record["dataset"], record["level"], record["method"]): record["psnr"] for record in records}
    checks = []
    for reference in entry.references:
        value = measured.get((reference.dataset, reference.level, reference.method))
        difference = None if value is None else value - reference.psnr
        checks.append(
            {
                "dataset": reference.dataset,
                "level": reference.level,
                "method": reference.method,
                "published": reference.psnr,
                "measured": value,
                "difference": difference,
                "tolerance": reference.tolerance,
                "ok": difference is not None and abs(difference) <= reference.tolerance,
                "source": reference.source,
            }
        )
    return checks


def references_markdown(checks: Sequence[Mapping[str, Any]]) -> str:
    """The published-versus-measured table."""
    lines = [
        "| Dataset | Level | Method | Published | Measured | Difference | Tolerance | Reproduced |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | :---: |",
    ]
    for check in checks:
        measured = "—" if check["measured"] is None else f"{check['measured']:.2f}"
        difference = "—" if check["difference"] is None else f"{check['difference']:+.2f}"
        lines.append(
            f"| {check['dataset']} | {check['level']} | {check['method']} | {check['published']:.2f} | {measured} "
            f"| {difference} | ±{check['tolerance']:.2f} | {'yes' if check['ok'] else '**no**'} |"
        )
    return "\n".join(lines)


def run_description(header: Mapping[str, str]) -> str:
    """A stored run's device, protocol, estimated JPEG qualities and partial reruns, in words."""
    text = f"Device: {header['Device']}. Protocol: {header['Protocol']}"
    if benchmark.QUALITY_HEADER in header:
        text += f" JPEG quality: {header[benchmark.QUALITY_HEADER]}."
    if notes := rerun_notes(header):
        text += f" Partial reruns ({'; '.join(notes)}) replaced those methods' records of the first run."
    return text


def section_markdown(
    entry: Entry, command: str, records: Sequence[Mapping[str, Any]], plot: str | None, header: Mapping[str, str]
) -> str:
    """The section of ``docs/RESULTS.md`` for one entry."""
    parts = [f"## {entry.title}", f"```\n{command}\n```", run_description(header)]
    parts += [markdown_table(table) for table in metric_tables(records)[:2]]
    if plot:
        parts.append(f"![PSNR versus degradation level]({plot})")
    return "\n\n".join(parts)


def results_markdown(
    sections: Sequence[str], checks: Sequence[Mapping[str, Any]], versions: Mapping[str, Sequence[str]]
) -> str:
    """The whole of ``docs/RESULTS.md``: the introduction, the reference checks and the sections.

    ``versions`` maps each package-versions line of the stored runs to the entries measured with it.
    """
    reproduced = sum(check["ok"] for check in checks)
    if len(versions) <= 1:
        measured = f"Versions: {next(iter(versions), 'none')}."
    else:
        measured = "Versions:\n\n" + "\n".join(f"- {line}: {', '.join(names)}" for line, names in versions.items())
    intro = (
        f"{TITLE}\n\n"
        f"Produced by\n\n```\n{SUITE_COMMAND}\n```\n\n"
        "which runs the `python -m eval.benchmark` commands shown in each section (each resumable; the raw "
        "`results.csv`, `summary.json`/`.md`/`.html` and plots are in the suite's output folder), stores each "
        f"entry's summary records in `{RESULTS_FOLDER}/<entry>.json` and writes this file from the stored "
        f"records only (`{SUITE_COMMAND} --render` rewrites it without running anything; `--only`, "
        "`--family` and `--methods` rerun some entries, one family or some methods). Means over the images of "
        f"each dataset, best per column in bold; seconds are per image on the device named.\n\n{measured}\n\n"
        f"## Published baselines reproduced ({reproduced} of {len(checks)})\n\n{references_markdown(checks)}"
    )
    return "\n\n".join([intro, *sections]) + "\n"


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m eval.suite",
        description="Run the reference benchmarks (resumable) and write docs/RESULTS.md.",
        epilog="entries:\n" + "\n".join(f"  {entry.name:<15} {entry.title}" for entry in SUITE),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_root_argument(parser, "test/<dataset> and kernels/levin8.npz")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help=f"default {DEFAULT_OUT}")
    parser.add_argument("--doc", type=Path, default=DEFAULT_DOC, metavar="FILE", help=f"default {DEFAULT_DOC}")
    parser.add_argument(
        "--only", nargs="+", choices=[entry.name for entry in SUITE], metavar="NAME", help="run only these entries"
    )
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto", help="device of the learned methods")
    rerun = parser.add_mutually_exclusive_group()
    rerun.add_argument(
        "--family",
        choices=rc.FAMILIES,
        help="rerun only this family's methods (e.g. learned, after retraining) and keep the stored records "
        "of the others",
    )
    rerun.add_argument(
        "--methods",
        nargs="+",
        metavar="NAME",
        help="rerun only these methods of the chosen entries (e.g. those a new budget or cost admits) and keep "
        "the stored records of the others",
    )
    parser.add_argument(
        "--render", action="store_true", help="run nothing: rewrite the document from the stored records"
    )
    add_executor_arguments(parser)
    return parser


def check_document(path: Path) -> None:
    """Refuse to overwrite ``path`` unless it is absent or a document this command wrote.

    Raises
    ------
    RestoreError
        When ``path`` is a folder or a file that this command did not write.
    """
    if path.is_dir():
        raise rc.RestoreError(f"--doc {path} is a folder; name the document file, e.g. {path / DEFAULT_DOC.name}.")
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    if text.strip() and not text.startswith(TITLE):
        raise rc.RestoreError(
            f"--doc {path} is not a document this command wrote (its first line is not {TITLE!r}); "
            "choose another --doc or move that file away."
        )


def check_arguments(args: argparse.Namespace) -> None:
    """Check the options, the data root (unless ``--render``) and the places the suite writes to before anything runs.

    Raises
    ------
    RestoreError
        Saying what is wrong.
    """
    if args.render and (args.only or args.family or args.methods):
        raise rc.RestoreError("--render runs nothing: it takes neither --only, --family nor --methods.")
    for name in args.methods or ():
        rc.get_method(name)  # an unknown name is refused with the list of known ones
    if not args.render:
        if args.data_root is None:
            raise rc.RestoreError(f"the suite runs on the standard test sets: pass --data-root or set {DATA_ROOT_ENV}.")
        if not args.data_root.is_dir():
            raise rc.RestoreError(f"the data root {args.data_root} (--data-root or ${DATA_ROOT_ENV}) is not a folder.")
        prepare_folder(args.out)
    check_document(args.doc)
    prepare_folder(args.doc.parent, "--doc")


def run_suite(args: argparse.Namespace) -> int:
    """Run the chosen entries, store their records and rewrite the document; return 0, 1 or 130.

    1 means a run failed or a published baseline is not reproduced; 130 (:data:`~eval.cli.INTERRUPTED`)
    means a benchmark was stopped by Ctrl-C (it said so) and the document is left as it was. With
    ``--render`` nothing runs: the document is rewritten from the stored records.
    """
    chosen = set() if args.render else set(args.only or [entry.name for entry in SUITE])
    rerun = family_rerun(args.family) if args.family else methods_rerun(args.methods) if args.methods else None
    started = time.perf_counter()
    failed = False
    for entry in SUITE:
        if entry.name not in chosen:
            continue
        arguments = entry_arguments(entry, args.data_root, args.out, args.device) + executor_arguments(args)
        run = arguments if rerun is None else rerun_arguments(arguments, rerun)
        if run is None:
            print(f"== {entry.name}: none of the {rerun.label}, skipped", file=sys.stderr, flush=True)
            continue
        print(f"== {entry.name}: {benchmark_command(run)}", file=sys.stderr, flush=True)
        code = benchmark.main(run)
        if code == INTERRUPTED:
            return INTERRUPTED
        failed |= code != 0
        store_results(entry, args.out, args.doc.parent / RESULTS_FOLDER, rerun)
    text, checks, summary = render_document(args.doc.parent)
    write_atomic(args.doc, text)
    if (readme := args.doc.parent.parent / "README.md").is_file():  # docs/RESULTS.md beside the README's folder
        write_atomic(readme, replace_block(readme.read_text(encoding="utf-8"), summary))
    for model, section in card_sections(args.doc.parent).items():
        if (card := args.doc.parent.parent / CARDS_FOLDER / f"{model}.md").is_file():
            replace_measured(card, section)
    missed = [check for check in checks if not check["ok"]]
    for check in missed:
        print(f"not reproduced: {check}", file=sys.stderr)
    print(f"{time.perf_counter() - started:.0f} s; wrote {args.doc}")
    return 1 if failed or missed else 0


def render_document(folder: Path) -> tuple[str, list[dict[str, Any]], str]:
    """The document for the records stored under ``folder`` (``results/<entry>.json``), its reference checks
    and the README's summary block (:mod:`eval.summary`).

    Only stored records go in: an entry without them is listed under *Not run yet*. The commands
    shown are those of the suite's entries with the documented data root (:data:`DOC_DATA_ROOT`),
    so the same records always give the same document.
    """
    sections, checks, pending, versions, summaries = [], [], [], {}, []
    for entry in SUITE:
        arguments = entry_arguments(entry, DOC_DATA_ROOT, DEFAULT_OUT, "auto")
        stored = read_stored(entry, folder / RESULTS_FOLDER)
        if stored is None:
            pending.append(f"- {entry.title}: `{benchmark_command(arguments)}`")
            continue
        records, header, plot = stored
        versions.setdefault(header.get("Versions", "unknown"), []).append(entry.name)
        plot = None if plot is None else plot.relative_to(folder).as_posix()
        sections.append(section_markdown(entry, benchmark_command(arguments), records, plot, header))
        checks += check_references(entry, records)
        summaries.append((entry.title, records))
    if pending:
        sections.append("## Not run yet\n\nThese entries of the suite have no stored results:\n\n" + "\n".join(pending))
    blind = []
    for name in BLIND_FOLDERS:
        if (stored := stored_run(folder / RESULTS_FOLDER / name)) is not None:
            sections.append(
                stored_section(folder / RESULTS_FOLDER / name, f"{RESULTS_FOLDER}/{name}", *stored).rstrip()
            )
            blind.append(stored[0])
    codec_records = []
    if (stored := stored_run(folder / RESULTS_FOLDER / CODEC_FOLDER)) is not None:
        link = f"{RESULTS_FOLDER}/{CODEC_FOLDER}"
        sections.append(codecs.stored_section(folder / link, link, *stored).rstrip())
        codec_records = stored[0]
    written_sections = (
        Path("real") / SECTION,
        Path(REAL_NOISE_OUT.name) / REAL_NOISE_SECTION,
        Path(REAL_KERNELS_OUT.name) / REAL_KERNELS_SECTION,
    )
    for written in written_sections:
        if (path := folder / RESULTS_FOLDER / written).is_file():
            sections.append(path.read_text(encoding="utf-8", errors="replace").rstrip())
    return results_markdown(sections, checks, versions), checks, summary_block(checks, summaries, blind, codec_records)


def card_section(entry: Entry, command: str, records: Sequence[Mapping[str, Any]], header: Mapping[str, str]) -> str:
    """One entry's part of a model card's measured-results section, from its stored records (its PSNR table)."""
    return "\n\n".join(
        [
            f"Written by `{SUITE_COMMAND} --render` from the stored records of the suite entry `{entry.name}` "
            f"({entry.title}; stored {header['Generated']}, git {header['Git commit']}):",
            f"```\n{command}\n```",
            run_description(header),
            markdown_table(metric_tables(records)[0]),
        ]
    )


def card_sections(folder: Path) -> dict[str, str]:
    """``{model: measured-results section}`` of the models the entries with stored records under ``folder`` name.

    A model several entries name gets each entry's part, in the suite's order, under one heading.
    """
    parts: dict[str, list[str]] = {}
    for entry in SUITE:
        if entry.cards and (stored := read_stored(entry, folder / RESULTS_FOLDER)) is not None:
            command = benchmark_command(entry_arguments(entry, DOC_DATA_ROOT, DEFAULT_OUT, "auto"))
            for model in entry.cards:
                parts.setdefault(model, []).append(card_section(entry, command, *stored[:2]))
    return {model: "\n\n".join([MEASURED_HEADING, *texts]) for model, texts in parts.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite and write the document; return 1 when a run failed or a baseline is not reproduced.

    Bad options, data root or output places exit with status 2 and argparse's message; Ctrl-C
    returns :data:`~eval.cli.INTERRUPTED` (130).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    check_executor_arguments(parser, args)

    def work() -> int:
        check_arguments(args)
        return run_suite(args)

    return run_command(
        parser,
        work,
        lambda: "rerun the same command once that is fixed (the benchmarks resume)",
        lambda: "rerun the same command to resume (the benchmarks keep their results)",
    )


def store_results(entry: Entry, out: Path, folder: Path, rerun: Rerun | None = None) -> None:
    """Keep a run's summary records, header and plot in ``folder`` (``<entry>.json`` and ``.png``).

    With ``rerun``, the run is of some methods only (folder ``<entry>-<suffix>``): their records
    replace the stored ones of those methods, and the plot is redrawn from the merged records.
    Nothing is kept when the run left no summary.
    """
    run = out / (entry.name if rerun is None else f"{entry.name}-{rerun.suffix}")
    stored, plot = folder / f"{entry.name}.json", folder / f"{entry.name}.png"
    if not (run / "summary.json").is_file():
        return
    folder.mkdir(parents=True, exist_ok=True)
    kept = {key: read_json(run / f"{key}.json", entry) for key in ("summary", "header")}
    if rerun is not None and stored.is_file():
        earlier = read_json(stored, entry)
        kept["summary"] = merge_rerun(earlier["summary"], kept["summary"], rerun.keep)
        kept["header"]["Reruns"] = [
            *rerun_notes(earlier["header"]),
            f"the {rerun.label} on {kept['header']['Generated']}",
        ]
        plot_psnr_vs_level(kept["summary"], plot)
    elif (run / LEVEL_PLOT).is_file():
        shutil.copyfile(run / LEVEL_PLOT, plot)
    write_atomic(stored, json.dumps(kept, indent=1, ensure_ascii=False) + "\n")


def rerun_notes(header: Mapping[str, Any]) -> list[str]:
    """The partial reruns a stored header records, e.g. ``['the learned methods on 2026-11-26 01:29 UTC']``.

    Records stored before the list existed hold one ``Rerun`` text and its ``Generated`` time instead.
    """
    if "Reruns" in header:
        return list(header["Reruns"])
    if "Rerun" in header:
        return [f"the {header['Rerun'].removeprefix('only the ').split(';')[0]} on {header['Generated']}"]
    return []


def read_stored(entry: Entry, folder: Path) -> tuple[list[dict[str, Any]], dict[str, str], Path | None] | None:
    """An entry's stored summary records, run header and plot (None when it has no stored records)."""
    stored, plot = folder / f"{entry.name}.json", folder / f"{entry.name}.png"
    if not stored.is_file():
        return None
    kept = read_json(stored, entry)
    return kept["summary"], kept["header"], plot if plot.is_file() else None


def read_json(path: Path, entry: Entry) -> Any:
    """A JSON file of an entry's results (the benchmark's summaries, or the records stored beside the document).

    Raises
    ------
    RestoreError
        When it is not valid JSON (e.g. cut short), naming it and how to rebuild it.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise rc.RestoreError(
            f"{path} is not valid JSON ({error}); delete it and rerun with --only {entry.name} to write it again."
        ) from error


if __name__ == "__main__":
    sys.exit(main())
