"""Command line: restore one already degraded image with a registered method, or list the methods.

Examples
--------
.. code-block:: bash

    python -m restore_core restore noisy.png -o clean.png --task denoise --sigma 25
    python -m restore_core restore blurry.png -o sharp.png --task deblur --kernel k.png --method pnp_unet
    python -m restore_core restore small.png -o large.png --task sr --scale 2 --method bicubic
    python -m restore_core list --task deblur

The input is taken as a real degraded photo: the options only describe its degradation (as the
demo's *real degraded photo* mode does). Every :class:`RestoreError` is printed as
``error: <message>`` and exits with status 2; Ctrl-C exits with status 130.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .convert import load_image, save_image
from .errors import RestoreError
from .kernels import kernel_from_image, make_kernel
from .masks import mask_from_image
from .observation import Observation, photo_observation
from .registry import Method, Param, get_method, list_methods, restore
from .tasks import SCALES, TASK_REGISTRY, TASKS, Task, get_task

#: Exit status of a user error (bad file, option, parameter); argparse uses it too.
EXIT_USAGE = 2
#: Exit status after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: The options that give each forward-model parameter a task needs (see ``Task.needs``).
PARAMETER_OPTIONS = {
    "kernel": "--kernel K.png, --gaussian SIGMA, --motion LENGTH ANGLE or --disk RADIUS",
    "scale": f"--scale {{{','.join(map(str, SCALES))}}}",
    "quality": "--quality 1-100",
    "mask": "--mask MASK.png (white = missing)",
}
#: The options giving a noise level.
NOISE_OPTIONS = "--sigma S or --estimate-sigma"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_AUTOMATIC = ("auto", "none")


def default_method(task: str) -> str:
    """The method ``restore`` uses for ``task`` without ``--method``.

    Parameters
    ----------
    task : str
        One of :data:`restore_core.TASKS`.

    Returns
    -------
    str
        The first registered name of the task's ``preferred_methods`` (the best learned method when its
        weights ship, else a classical one), or its first registered method.
    """
    registered = [method.name for method in list_methods(task)]
    return next((name for name in get_task(task).preferred_methods if name in registered), registered[0])


def task_options(task: Task) -> str:
    """The options a task needs, in the command line's words."""
    needs = [PARAMETER_OPTIONS[name] for name in task.needs] + ([NOISE_OPTIONS] if task.needs_noise_level else [])
    return "; ".join(needs) or "nothing"


def assumed_sigma(task: Task) -> float | None:
    """The noise level (0–255) assumed without ``--sigma`` or ``--estimate-sigma`` (None: the task needs one)."""
    return None if task.needs_noise_level else task.typical_sigma


def parse_value(param: Param, text: str, method: str) -> Any:
    """Convert the text of ``--param NAME=VALUE`` to the type ``param`` declares.

    The registry validates the converted value (range, choices); here only the type is read.
    ``auto`` or ``none`` gives None for a parameter whose default is automatic.

    Parameters
    ----------
    param : Param
        The declared parameter.
    text : str
        The value as typed.
    method : str
        The method's name, for messages.

    Returns
    -------
    int, float, bool, str or None
        The value to pass on.

    Raises
    ------
    RestoreError
        If the text is not a value of the parameter's kind.
    """
    where = f"parameter {param.name!r} of {method}"
    if param.default is None and text.lower() in _AUTOMATIC:
        return None
    if param.kind == "choice":
        return next((choice for choice in param.choices if str(choice) == text), text)
    if param.kind == "bool":
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise RestoreError(f"{where} must be true or false, got {text!r}.")
    try:
        number = float(text)
    except ValueError:
        raise RestoreError(f"{where} must be a number, got {text!r}.") from None
    if param.kind == "int" and math.isfinite(number) and number.is_integer():
        return int(number)
    return number


def parse_params(method: Method, items: Sequence[str]) -> dict[str, Any]:
    """The ``--param NAME=VALUE`` items as keyword arguments of ``method`` (the last of a repeated name wins).

    Raises
    ------
    RestoreError
        For an item without ``=``, an unknown name or a value of the wrong kind.
    """
    declared = {param.name: param for param in method.params}
    values: dict[str, Any] = {}
    for item in items:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise RestoreError(f"--param expects NAME=VALUE, got {item!r}.")
        if name not in declared:
            accepted = ", ".join(declared) or "none"
            raise RestoreError(f"{method.name} has no parameter {name} (accepted: {accepted}).")
        values[name] = parse_value(declared[name], text.strip(), method.name)
    return values


def read_kernel(args: argparse.Namespace) -> np.ndarray | None:
    """The blur kernel the options describe (a picture or a generated shape), or None if none was given."""
    if args.kernel is not None:
        return kernel_from_image(load_image(args.kernel, min_side=1))
    if args.gaussian is not None:
        return make_kernel("gaussian", sigma=args.gaussian)
    if args.motion is not None:
        return make_kernel("motion", length=args.motion[0], angle=args.motion[1])
    if args.disk is not None:
        return make_kernel("disk", radius=args.disk)
    return None


def read_mask(path: str, shape: tuple[int, ...]) -> np.ndarray:
    """The inpainting mask (True where observed) from a picture, white where pixels are missing.

    See :func:`restore_core.mask_from_image` (the demo's uploaded masks follow the same rule).

    Raises
    ------
    RestoreError
        If the file is not an image, its aspect ratio differs, or it marks no pixel or every pixel.
    """
    return mask_from_image(load_image(path, min_side=1), shape)


def check_task_options(args: argparse.Namespace) -> None:
    """Refuse a task without the options it needs, or options it does not use, in the command line's words.

    Raises
    ------
    RestoreError
        Naming the missing or unused option.
    """
    task = get_task(args.task)
    given = {
        "kernel": any(value is not None for value in (args.kernel, args.gaussian, args.motion, args.disk)),
        "scale": args.scale is not None,
        "quality": args.quality is not None,
        "mask": args.mask is not None,
    }
    noise_given = args.sigma is not None or args.estimate_sigma
    if not all(given[name] for name in task.needs) or (task.needs_noise_level and not noise_given):
        raise RestoreError(f"the {task.name} task needs {task_options(task)}.")
    for name, present in given.items():
        if present and name not in task.needs:
            option = "--kernel/--gaussian/--motion/--disk" if name == "kernel" else f"--{name}"
            raise RestoreError(f"{option} is not used by the {task.name} task (it needs {task_options(task)}).")


def build_observation(image: np.ndarray, args: argparse.Namespace) -> Observation:
    """The observation of an already degraded photo, as the demo's real mode builds it.

    The task says the boundary model of photos (deblurring: reflect, photos are not periodic) and
    the result's size (super-resolution: ``scale`` times the photo's); ``--estimate-sigma`` leaves the
    noise level to be estimated.

    Raises
    ------
    RestoreError
        For options the task lacks or does not use, or values the library refuses.
    """
    check_task_options(args)
    task = get_task(args.task)
    shape = task.restored_shape(tuple(image.shape), {"scale": args.scale})  # the mask's
    readers = {
        "kernel": lambda: read_kernel(args),
        "scale": lambda: args.scale,
        "quality": lambda: args.quality,
        "mask": lambda: read_mask(args.mask, shape),
    }
    options = {name: readers[name]() for name in task.needs}
    sigma = None if args.estimate_sigma else (assumed_sigma(task) if args.sigma is None else args.sigma)
    return photo_observation(image, task.name, sigma=sigma, **options)


def check_output(path: str) -> Path:
    """Refuse, before any work, an output path that cannot be written as an image.

    Raises
    ------
    RestoreError
        For a missing or read-only folder, a folder given as the file, or an unknown image suffix.
    """
    from PIL import Image

    output = Path(path)
    folder = output.parent if str(output.parent) else Path(".")
    if output.is_dir():
        raise RestoreError(f"the output {path} is a folder: give a file name such as {output / 'restored.png'}.")
    if not folder.is_dir():
        raise RestoreError(f"cannot write {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        raise RestoreError(f"cannot write {path}: permission denied.")
    Image.init()
    if output.suffix.lower() not in Image.registered_extensions():
        raise RestoreError(f"cannot write {path}: unknown image file suffix {output.suffix!r}; use .png.")
    return output


class _Progress:
    """A tqdm bar on stderr that iterative methods advance through ``progress(done, total)``."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.label, unit="it", file=sys.stderr, leave=False)
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def _plain_warnings(stream: TextIO) -> Iterator[None]:
    """Show warnings as ``warning: <message>`` lines (no source file and line)."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"warning: {message}", file=stream)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def run_restore(args: argparse.Namespace) -> int:
    """Restore the image of ``args`` and write it; returns the exit status.

    Raises
    ------
    RestoreError
        For any bad file, option, method or parameter (``main`` prints it).
    """
    started = time.perf_counter()
    output = check_output(args.output)
    method = get_method(args.method or default_method(args.task))
    params = parse_params(method, args.param)
    has_device = any(param.name == "device" for param in method.params)
    if args.device is not None and has_device:
        params.setdefault("device", args.device)
    elif args.device not in (None, "auto", "cpu"):
        print(f"note: {method.name} runs on the CPU; --device {args.device} is ignored.", file=sys.stderr)
    if args.task not in method.tasks:
        supported = ", ".join(entry.name for entry in list_methods(args.task))
        raise RestoreError(
            f"{method.name} does not support the {args.task} task (it does {', '.join(method.tasks)}); "
            f"methods for {args.task}: {supported}."
        )
    method.resolve(params)  # refuse bad parameters before reading and preparing the image
    image = load_image(args.input)
    observation = build_observation(image, args)
    if args.estimate_sigma:
        print(f"estimated noise sigma: {observation.noise_sigma():.2f} (0-255 scale)", file=sys.stderr)
    progress = _Progress(method.name, not args.no_progress)
    try:
        result = restore(observation, method.name, progress=progress, **params)
    finally:
        progress.close()
    save_image(result, output)
    print(f"wrote {output} with {method.name} in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


def describe_param(param: Param) -> dict[str, Any]:
    """A parameter as plain values (for ``list --json``)."""
    return {
        "name": param.name,
        "kind": param.kind,
        "default": param.default,
        "low": param.low,
        "high": param.high,
        "choices": list(param.choices),
        "help": param.help,
    }


def catalogue(task: str | None = None) -> dict[str, Any]:
    """The tasks (with the options each needs and its default method) and the methods, as plain values."""
    tasks = TASKS if task is None else (task,)
    methods = {method.name: method for name in tasks for method in list_methods(name)}
    return {
        "tasks": [
            {
                "name": name,
                "options": task_options(TASK_REGISTRY[name]),
                "default_sigma": assumed_sigma(TASK_REGISTRY[name]),
                "default_method": default_method(name),
                "methods": [method.name for method in list_methods(name)],
            }
            for name in tasks
        ],
        "methods": [
            {
                "name": method.name,
                "display_name": method.display_name,
                "family": method.family,
                "tasks": list(method.tasks),
                "baseline": method.baseline,
                "description": method.description,
                "params": [describe_param(param) for param in method.params],
            }
            for method in methods.values()
        ],
    }


def _param_line(param: Param) -> str:
    default = "auto" if param.default is None else str(param.default)
    if param.kind == "choice":
        accepted = "{" + ",".join(map(str, param.choices)) + "}"
    elif param.kind == "bool":
        accepted = "true|false"
    else:
        accepted = f"{param.kind} in [{'-inf' if param.low is None else f'{param.low:g}'}, "
        accepted += f"{'inf' if param.high is None else f'{param.high:g}'}]"
    return f"      {param.name:<14} default {default:<12} {accepted:<28} {param.help}"


def format_listing(task: str | None = None) -> str:
    """The ``list`` table: per task, the options it needs, then its methods with family and parameters."""
    lines: list[str] = []
    for name in TASKS if task is None else (task,):
        needs = f"  needs {task_options(TASK_REGISTRY[name])}"
        if (sigma := assumed_sigma(TASK_REGISTRY[name])) is not None:
            needs += f"; noise: --sigma S (default {sigma:g}) or --estimate-sigma"
        lines += [name, needs, f"  default method: {default_method(name)}"]
        for method in list_methods(name):
            note = "  (baseline: returns the input)" if method.baseline else ""
            lines.append(f"  {method.name:<20} {method.family:<10} {method.display_name}{note}")
            lines += [_param_line(param) for param in method.params]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def run_list(args: argparse.Namespace) -> int:
    """Print the methods and tasks (``--json`` for machines); returns the exit status."""
    if args.json:
        print(json.dumps(catalogue(args.task), indent=2))
    else:
        print(format_listing(args.task), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m restore_core``."""
    parser = argparse.ArgumentParser(
        prog="python -m restore_core",
        description="Restore one already degraded image with a Deconv Arena method, or list the methods.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{restore,list}")
    defaults = ", ".join(f"{name}: {' or '.join(task.preferred_methods)}" for name, task in TASK_REGISTRY.items())
    sigmas = ", ".join(
        f"{name} {sigma:g}" for name, task in TASK_REGISTRY.items() if (sigma := assumed_sigma(task)) is not None
    )
    one = commands.add_parser(
        "restore",
        help="restore one image",
        description="Restore one image that is already degraded (a real photo); the options describe how it was.",
        epilog="Errors print 'error: <message>' and exit with status 2; Ctrl-C exits with 130.",
    )
    one.add_argument("input", help="the degraded image (PNG, JPEG, WebP, TIFF, ...)")
    one.add_argument("-o", "--output", required=True, help="where to write the result (8-bit PNG advised)")
    one.add_argument("--task", required=True, choices=TASKS, help="what degraded the image")
    one.add_argument(
        "--method",
        help=f"a registered method (see 'list'); default: the best available one ({defaults}, the first registered)",
    )
    one.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a method parameter (repeatable); 'auto' for an automatic one",
    )
    noise = one.add_mutually_exclusive_group()
    noise.add_argument(
        "--sigma",
        type=float,
        help=f"Gaussian noise level on the 0-255 scale; denoise needs it or --estimate-sigma, default {sigmas}",
    )
    noise.add_argument("--estimate-sigma", action="store_true", help="estimate the noise level from the image")
    blur = one.add_mutually_exclusive_group()
    blur.add_argument("--kernel", metavar="K.png", help="deblur: the kernel as a picture (white on black)")
    blur.add_argument("--gaussian", type=float, metavar="SIGMA", help="deblur: a Gaussian kernel (pixels)")
    blur.add_argument(
        "--motion", type=float, nargs=2, metavar=("LENGTH", "ANGLE"), help="deblur: linear motion (pixels, degrees)"
    )
    blur.add_argument("--disk", type=float, metavar="RADIUS", help="deblur: a defocus disk (pixels)")
    one.add_argument("--scale", type=int, choices=SCALES, help="sr: the factor (output = input x scale)")
    one.add_argument("--quality", type=int, metavar="Q", help="jpeg: the JPEG quality 1-100 of the input")
    one.add_argument("--mask", metavar="MASK.png", help="inpaint: white where pixels are missing, black elsewhere")
    one.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        help="where learned methods run (default auto: CUDA when present); classical ones run on the CPU",
    )
    one.add_argument("--no-progress", action="store_true", help="no progress bar for iterative methods")
    one.set_defaults(handler=run_restore)
    listing = commands.add_parser("list", help="list the methods per task with their parameters")
    listing.add_argument("--task", choices=TASKS, help="only this task")
    listing.add_argument("--json", action="store_true", help="machine-readable JSON")
    listing.set_defaults(handler=run_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (0, 2 for user errors, 130 after Ctrl-C).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments; default ``sys.argv[1:]``.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error (2), already printed by argparse
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with _plain_warnings(sys.stderr):
            return handler(args)
    except RestoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away (e.g. `list | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


__all__ = ["assumed_sigma", "build_parser", "default_method", "main", "task_options"]
