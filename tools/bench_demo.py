"""Measure the demo's speed targets: ``python -m tools.bench_demo``.

Three figures, printed as a Markdown table (paste it into the README):

cold start
    Seconds from starting ``python app.py`` in a fresh process until the page answers
    HTTP 200 (imports, building the app, starting the server).
default comparison
    Seconds of one ``restore`` call with every default method of a task (the checklists a
    user sees first) on a 512x512 colour image (scikit-image ``astronaut``), measured through
    the demo's own callback after one warm-up call (networks loaded), for denoise and deblur.
concurrent users
    ``--users`` gradio_client clients (default 8) each run one small comparison at the same
    time against a served app; every one must finish without an error.

Run it on an otherwise idle machine: the figures are wall-clock times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import numpy as np
from PIL import Image
from skimage import data

#: The target of each figure, in seconds (None: no time target, only success).
TARGETS = {"cold start": 10.0, "default comparison": 5.0}
REPOSITORY = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cold_start(timeout: float = 120.0) -> float:
    """Seconds from launching ``python app.py`` until its page answers."""
    port = free_port()
    environment = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "app.py"], cwd=REPOSITORY, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while time.perf_counter() - start < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"app.py did not answer within {timeout:.0f} s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _photo(folder: Path) -> str:
    path = folder / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    return str(path)


def default_comparison(task: str, photo: str, repeats: int) -> tuple[float, list[str]]:
    """Best of ``repeats`` wall-clock seconds of the demo's run with the task's default methods."""
    import restore_core as rc
    from demo.callbacks import run_arena
    from demo.degradation import Degradation
    from demo.inputs import UPLOAD
    from demo.method_choices import default_methods

    settings = Degradation(task=task, noise_sigma=rc.get_task(task).typical_sigma)
    values = [getattr(settings, name) for name in settings.__dataclass_fields__]
    classical, learned = default_methods(task, "classical"), default_methods(task, "learned")

    def run() -> float:
        start = time.perf_counter()
        asyncio.run(run_arena(UPLOAD, photo, *values, classical, learned, {}, progress=lambda *_args, **_kwargs: None))
        return time.perf_counter() - start

    run()  # warm-up: load the networks, fill caches
    return min(run() for _ in range(repeats)), classical + learned


def concurrent_users(users: int, photo: str) -> tuple[int, float]:
    """How many of ``users`` simultaneous gradio_client runs succeeded, and the wall time of all."""
    from gradio_client import Client, handle_file

    from demo import build_app, launch_options
    from demo.degradation import Degradation
    from demo.inputs import UPLOAD

    small = Path(photo).with_name("small.png")
    Image.fromarray(np.asarray(Image.open(photo))[:128, :128]).save(small)
    settings = Degradation(task="denoise", noise_sigma=25.0)
    values = [getattr(settings, name) for name in settings.__dataclass_fields__]
    app = build_app()
    _, url, _ = app.launch(prevent_thread_lock=True, quiet=True,
                           **{**launch_options(), "server_name": "127.0.0.1", "server_port": free_port()})  # fmt: skip

    def one(_: int) -> bool:
        client = Client(url, verbose=False)
        result = client.predict(UPLOAD, handle_file(str(small)), *values, ["tv", "wavelet"], [], {},
                                api_name="/restore")  # fmt: skip
        return len(result[3]["data"]) == 3  # the input's row, then tv and wavelet

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(users) as pool:
            outcomes = list(pool.map(lambda index: _safely(one, index), range(users)))
    finally:
        app.close()
    return sum(outcomes), time.perf_counter() - start


def _safely(function, argument) -> bool:
    try:
        return function(argument)
    except Exception as error:  # a failed user is counted, and said
        print(f"user {argument} failed: {type(error).__name__}: {error}", file=sys.stderr)
        return False


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table; return 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_demo", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=8, help="concurrent gradio_client users (default 8)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per task, the best is kept (default 2)")
    args = parser.parse_args(argv)
    import torch

    rows = [("cold start (`python app.py` → HTTP 200)", cold_start(), TARGETS["cold start"], "")]
    with tempfile.TemporaryDirectory() as folder:
        photo = _photo(Path(folder))
        for task in ("denoise", "deblur"):
            seconds, methods = default_comparison(task, photo, args.repeats)
            rows.append((f"default {task} comparison, 512x512 colour", seconds, TARGETS["default comparison"],
                         ", ".join(methods)))  # fmt: skip
        done, seconds = concurrent_users(args.users, photo)
    print(f"\n{torch.get_num_threads()} CPU threads, torch {torch.__version__}\n")
    print("| measurement | seconds | target | notes |\n|---|---:|---:|---|")
    missed = False
    for name, value, target, notes in rows:
        missed |= value > target
        print(f"| {name} | {value:.2f} | ≤ {target:g} | {notes} |")
    print(
        f"| {args.users} concurrent gradio_client users | {seconds:.2f} | all succeed | {done}/{args.users} succeeded |"
    )
    return int(missed or done < args.users)


if __name__ == "__main__":
    sys.exit(main())
