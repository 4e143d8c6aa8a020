"""Time the learned codec on a 768x512 colour image: ``python -m tools.bench_codec``.

The issue's speed target: encoding plus decoding a Kodak-sized (768x512) image in at most 1.5 s
on 2 CPU threads. The image is scikit-image's ``astronaut`` resized to 512x768. Each quality runs
once to warm up, then ``--repeats`` times, the best encode and decode times kept. The codec runs
the shipped ``codec_hyper`` weights; ``--untrained`` runs a seeded untrained network with its
coding tables instead (the transforms cost the same; the range coder's share depends a little on
how many symbols are non-zero, so the figure is indicative until weights ship). Run it on an
otherwise idle machine.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import skimage.data
import skimage.transform
import torch

import restore_core as rc
from restore_core.codecs import learned
from restore_core.device import describe_device
from restore_core.nets.specs import get_spec
from restore_core.nets.weights import build_network

#: Seconds allowed for encode + decode of a 768x512 image.
TARGET = 1.5
QUALITIES = (1, 50, 100)


def codec(untrained: bool) -> learned.LoadedCodec:
    """The shipped codec, or a seeded untrained network with its coding tables."""
    if not untrained:
        return learned.loaded_codec()
    spec = get_spec(learned.MODEL)
    torch.manual_seed(0)
    network = build_network(spec.architecture, spec.config).eval()
    network.update_tables()
    return learned.LoadedCodec(network)


def main(argv: list[str] | None = None) -> int:
    """Print the table; return 1 when a quality misses the target."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_codec", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per quality (default 3)")
    parser.add_argument("--untrained", action="store_true", help="a seeded untrained network (no weights needed)")
    args = parser.parse_args(argv)
    try:
        chosen = codec(args.untrained)
    except rc.RestoreError as error:
        parser.error(f"{error} (or pass --untrained)")
    image = skimage.transform.resize(skimage.data.astronaut(), (512, 768), anti_aliasing=True)
    pixels = rc.to_uint8(image.astype(np.float32))
    print(f"deconv_codec ({'untrained' if args.untrained else 'shipped weights'}), 768x512 colour, "
          f"{torch.get_num_threads()} threads, {describe_device()}, best of {args.repeats}")  # fmt: skip
    print("| quality | bpp | encode s | decode s | total s |\n|---:|---:|---:|---:|---:|")
    worst = 0.0
    for quality in QUALITIES:
        encodes, decodes = [], []
        for run in range(args.repeats + 1):
            start = time.perf_counter()
            payload = learned.encode(pixels, quality, chosen)
            middle = time.perf_counter()
            learned.decode(payload, pixels.shape, quality, chosen)
            if run:  # the first run warms up
                encodes.append(middle - start)
                decodes.append(time.perf_counter() - middle)
        total = min(encodes) + min(decodes)
        worst = max(worst, total)
        print(f"| {quality} | {8 * len(payload) / (512 * 768):.3f} | {min(encodes):.3f} | {min(decodes):.3f} | "
              f"{total:.3f} |")  # fmt: skip
    print(f"target: encode + decode <= {TARGET} s: {'met' if worst <= TARGET else 'missed'} (worst {worst:.3f} s)")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
