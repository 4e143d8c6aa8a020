"""Train the shipped networks: ``python -m restore_core.train MODEL --data-root DIR``.

Patches are sampled reproducibly from ``<data root>/train/<set>`` and degraded by the model's
task (:mod:`restore_core.training.data`); the last images of the folder are held out for
validation and the test sets are never read.

Checkpoints (``runs/<model>/checkpoint.safetensors``: weights, optimizer state,
step and history; no pickle) are written every ``--validate-every`` steps and
when the ``--minutes`` budget ends, so ``--resume`` continues a run cut off by
a session end. ``--export`` writes ``restore_core/weights/<model>.safetensors``
and its model card; the weights file carries the run state too, so on a fresh
checkout (no ``runs/`` folder) ``--resume`` continues from the exported weights
with a new optimizer state.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .dataroot import add_data_root_argument
from .device import DEVICE_CHOICES
from .errors import RestoreError
from .nets.specs import MODELS, WEIGHTS_DIR, get_spec
from .training.cards import export
from .training.data import training_task
from .training.loop import FIT_WARMUP, TrainConfig, train


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m restore_core.train",
        description="Train a shipped network on <data root>/train (resumable) and export its weights and model card.",
        epilog="example:\n  python -m restore_core.train unet_gray --data-root ../shared/data --minutes 60 --resume "
        "--export",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", choices=list(MODELS), help="model to train")
    add_data_root_argument(parser, "train/<set>")
    parser.add_argument(
        "--steps",
        type=_positive_int,
        default=100_000,
        help="length of the schedule in steps (default 100000); with --resume, a new length decays the "
        "learning rate from its current value to the new end",
    )
    parser.add_argument("--minutes", type=_positive_float, help="stop (with a checkpoint) after this many minutes")
    parser.add_argument("--until", type=_positive_int, metavar="STEP", help="stop (with a checkpoint) at this step")
    parser.add_argument("--batch", type=_positive_int, default=16, help="patches per step (default 16)")
    parser.add_argument(
        "--patch", type=_positive_int, default=64, help="patch side, low-resolution side for SR (default 64)"
    )
    parser.add_argument("--lr", type=_positive_float, default=2e-4, help="initial learning rate (default 2e-4)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and the patch sampling")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument("--run-dir", type=Path, metavar="DIR", help="checkpoint folder (default runs/<model>)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the checkpoint in the run folder, else the run stored in the exported weights",
    )
    parser.add_argument(
        "--fit-schedule",
        action="store_true",
        help=f"with --minutes: after {FIT_WARMUP} steps, set the schedule length from the measured speed so the "
        "learning rate decays to its end within the budget",
    )
    parser.add_argument(
        "--restart-lr",
        type=_positive_float,
        metavar="RATE",
        help="with --resume and a longer --steps: restart the cosine decay from RATE (a warm restart) instead "
        "of the current rate",
    )
    parser.add_argument(
        "--workers", type=int, default=0, metavar="N", help="processes that make the batches (default 0: this one)"
    )
    parser.add_argument(
        "--precision", choices=("auto", "float32", "bfloat16"), default="auto",
        help="forward passes under bfloat16 autocast: auto = on CUDA only (default); bfloat16 also on a CPU "
        "(worth it where it computes bfloat16 natively: AVX512-BF16/AMX)",
    )  # fmt: skip
    parser.add_argument("--export", action="store_true", help="write the weights and model card when done")
    parser.add_argument("--weights-dir", type=Path, default=WEIGHTS_DIR, metavar="DIR", help="export folder")
    parser.add_argument(
        "--validate-every", type=_positive_int, default=500, metavar="N", help="steps between validations"
    )
    return parser


def main(argv: Sequence[str] | None = None, report: Callable[[str], None] = print) -> int:
    """Train (and export); return 0."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding train/).")
    if args.fit_schedule and args.minutes is None:
        parser.error("--fit-schedule needs --minutes (the budget the schedule is fitted to).")
    if args.workers < 0:
        parser.error("--workers must be 0 or more.")
    config = TrainConfig(args.model, args.steps, args.batch, args.patch, args.lr, args.seed)
    run_dir = args.run_dir or Path("runs") / args.model
    try:
        state = train(config, args.data_root, run_dir, device=args.device, minutes=args.minutes, until=args.until,
                      resume=args.resume, weights_dir=args.weights_dir,
                      validate_every=args.validate_every, checkpoint_every=args.validate_every,
                      workers=args.workers, fit_schedule=args.fit_schedule,
                      bfloat16={"auto": None, "float32": False, "bfloat16": True}[args.precision],
                      restart_lr=args.restart_lr)  # fmt: skip
        step, _, value = state["history"][-1]
        length = state["config"]["steps"]
        _, name, digits = training_task(get_spec(args.model)).score_names
        report(f"{args.model}: step {state['step']}/{length}, {name} {value:.{digits}f} at step {step}")
        if args.export:
            command = shlex.join(["python", "-m", "restore_core.train", *argv])
            report(f"exported {export(args.model, run_dir, args.weights_dir, command)}")
    except RestoreError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
