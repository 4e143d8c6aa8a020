"""Time ``pnp_unet`` on a one-megapixel colour photo: ``python -m tools.bench_pnp_photo``.

The targets of the photo-size issue: deblurring a 1-megapixel colour photo blurred by a 45x45
kernel with the ``reflect`` boundary in at most 10 s on 2 CPU threads in float32 (6 s in
bfloat16, 1 s on a GPU), and the same budget for inpainting and super-resolution of a
1-megapixel output. The photo is scikit-image's ``coffee`` enlarged to 816x1224 (MATLAB
bicubic); deblurring uses a 45x45 camera-shake kernel and Gaussian noise sigma 2.55 (the
noise level is given), inpainting a random mask missing 50% of the pixels, super-resolution
MATLAB-bicubic downscaling by 2 and 4 (PSNR on RGB, whole image). Each case runs once to warm
up (the network loads), then ``--repeats`` times, the best time kept. ``prior (s)`` is the
time spent in the method's denoiser calls during that run; the rest is the data steps and the
solver's bookkeeping. ``--readme`` writes the table into the README. Run it on an otherwise idle
machine.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import numpy as np
import skimage.data

import restore_core as rc
from eval.summary import replace_block
from restore_core.device import DEVICE_CHOICES, PRECISIONS, describe_device, get_device, native_bfloat16
from restore_core.methods import plugandplay
from restore_core.methods.plugandplay import CHROMA_HALF_ABOVE, PNP_COLOUR_PRIOR

#: Output size (rows, columns): 0.9988 megapixel.
SHAPE = (816, 1224)
#: Seconds allowed per case, by device kind and precision (the issue's targets).
TARGETS = {("cpu", "float32"): 10.0, ("cpu", "bfloat16"): 6.0, ("cuda", "float32"): 1.0, ("cuda", "bfloat16"): 1.0}
KERNEL_SIZE, SIGMA = 45, 2.55
#: The README and the lines enclosing the table ``--readme`` writes there.
README = Path("README.md")
START = "<!-- pnp photo speed: written by python -m tools.bench_pnp_photo --readme -->"
END = "<!-- end of pnp photo speed -->"


def photo() -> np.ndarray:
    """The benchmark's clean 1-megapixel colour photo."""
    return rc.imresize(rc.to_float(skimage.data.coffee()), output_shape=SHAPE).clip(0, 1).astype(np.float32)


def cases(clean: np.ndarray) -> list[tuple[str, rc.Observation]]:
    """(label, observation) of each timed case, all with a 1-megapixel output."""
    blurred = rc.degrade(clean, "deblur", kernel=rc.shake_kernel(KERNEL_SIZE, seed=3), boundary="reflect",
                         sigma=SIGMA, seed=0)  # fmt: skip
    return [
        (f"deblur {KERNEL_SIZE}x{KERNEL_SIZE} reflect σ={SIGMA:g}", blurred),
        ("inpaint 50% missing", rc.degrade(clean, "inpaint", ratio=0.5, mask_type="random", seed=0)),
        ("sr ×2", rc.degrade(clean, "sr", scale=2, seed=0)),
        ("sr ×4", rc.degrade(clean, "sr", scale=4, seed=0)),
    ]


@contextmanager
def timed_prior() -> Iterator[list[float]]:
    """Add the seconds of every call of ``pnp_unet``'s learned denoiser to the yielded one-element list."""
    original, total = plugandplay.unet_denoise, [0.0]

    def timed(*args, **kwargs) -> np.ndarray:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            total[0] += time.perf_counter() - start

    plugandplay.unet_denoise = timed
    try:
        yield total
    finally:
        plugandplay.unet_denoise = original


def best_time(run: Callable[[], np.ndarray], repeats: int) -> tuple[float, float, np.ndarray]:
    """The best of ``repeats`` timed calls of ``run()`` after one warm-up: seconds, the prior's seconds, output."""
    output = run()
    best = (np.inf, np.inf)
    for _ in range(repeats):
        with timed_prior() as prior:
            start = time.perf_counter()
            output = run()
            best = min(best, (time.perf_counter() - start, prior[0]))
    return *best, output


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; return 1 when a case misses its target."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_pnp_photo", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per case (default 1)")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto", help="default auto (CUDA when present)")
    parser.add_argument(
        "--precisions", nargs="+", choices=PRECISIONS, default=list(PRECISIONS),
        help="network arithmetic (default both; bfloat16 only where the device has it natively)",
    )  # fmt: skip
    parser.add_argument("--only", nargs="+", metavar="TASK", choices=("deblur", "inpaint", "sr"),
                        help="time only these tasks")  # fmt: skip
    parser.add_argument("--readme", action="store_true", help=f"also write the table into {README} between its markers")
    args = parser.parse_args(argv)
    if args.readme and not (args.repeats == 1 and args.device == "auto"):
        parser.error("--readme writes default runs only (no --repeats or --device)")
    device = get_device(args.device)
    precisions = [p for p in args.precisions if p == "float32" or native_bfloat16(device)]
    clean = photo()
    lines = [
        f"pnp_unet, {SHAPE[0]}x{SHAPE[1]} colour output ({SHAPE[0] * SHAPE[1] / 1e6:.2f} MP), colour prior "
        f"{PNP_COLOUR_PRIOR} (chroma at half resolution above level {CHROMA_HALF_ABOVE:g}); "
        f"{describe_device(args.device)}; {time.strftime('%Y-%m-%d')}",
        "",
        "| case | precision | iterations | seconds | prior (s) | target (s) | PSNR (dB) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines))
    missed = False
    for label, observation in cases(clean):
        if args.only and observation.task not in args.only:
            continue
        iterations = rc.get_task(observation.task).pnp.iterations
        for precision in precisions:
            seconds, prior, output = best_time(
                partial(rc.restore, observation, "pnp_unet", device=args.device, precision=precision), args.repeats
            )
            target = TARGETS[device.type, precision]
            missed |= seconds > target
            lines.append(f"| {label} | {precision} | {iterations} | {seconds:.1f} | {prior:.1f} | "
                         f"{target:g} | {rc.psnr(clean, output):.2f} |")  # fmt: skip
            print(lines[-1], flush=True)
    if args.readme:
        command = shlex.join(["python", "-m", "tools.bench_pnp_photo", *(sys.argv[1:] if argv is None else argv)])
        block = "\n".join([START, f"`{command}`:", "", *lines, END])
        README.write_text(replace_block(README.read_text(encoding="utf-8"), block, START, END), encoding="utf-8")
        print(f"wrote the table into {README}")
    return int(missed)


if __name__ == "__main__":
    sys.exit(main())
