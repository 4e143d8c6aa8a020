"""Load and abuse the served demo: ``python -m tools.stress``.

Starts ``python app.py`` on a free port of 127.0.0.1 (its output goes to a log in a temporary
folder), runs the scenarios against it, prints a Markdown table (measurement | result | target |
met?) for the README with the command that made it, and stops the app with its whole process tree
at the end, also on Ctrl-C. The exit status is 1 when a target is missed (130 when interrupted).

users
    ``--users`` gradio_client users at once (default 32), each one small denoise comparison
    (128x128 colour upload, ``tv`` and ``wavelet``): all must be served; p50 / p90 / max latency.
cancels
    ``--cancels`` times (default 5) a worst-case run (1024x1024 colour deblur, ``pnp_bm3d`` with 200
    iterations) is submitted and cancelled 3 s later; a process of the app's tree (the run's worker)
    must end within 5 s of each cancel. 5 s after the last cancel, the processes that existed before
    it must use at most 0.5 CPU-seconds in 2 s (no computation survives; the CPU of replacement
    workers started since, which warm up, is shown apart), and the tree must have as many processes
    as before (cancelled workers are replaced, not multiplied).
uploads
    Hostile uploads, one request each (denoise, ``wavelet``): a 12000x12000 JPEG, a 1-bit 12000x12000
    PNG, a 30000x30000 decompression bomb, a truncated PNG, a text file named ``.png``, an empty file
    and an animated GIF (a notice is expected). Each answer must be a result or a readable message
    (no server path, no Python class name), memory must stay within target, and the next request
    must be served.
worst
    One worst-case run left to finish: ``pnp_bm3d`` (one iteration: a full colour BM3D, the method
    with the largest memory peak) deblurring a 1024x1024 colour photo; its answer and memory peak.
queue
    40 worst-case runs (as in ``worst``) submitted at once: how many the queue takes and how many it
    refuses as full; while they wait, the latency of the page (``GET /``) and of a small request (the
    page's live preview). The queue is held until the two running runs have finished (both workers
    through their memory peak), then every job is cancelled and the app must become idle.

Memory: every 0.2 s a sampler thread sums, over the app process and all its descendants (the fork
server, its workers), the resident set (``VmRSS``) and the proportional set size (``Pss``, which
counts the pages the fork server shares with its workers once: the honest footprint). Targets are
judged on the RSS sum, in GiB: at most 2.5 GiB under any single request (cancels, worst, uploads), at most
4 GiB with the queue full (queue, and the concurrent users).

Between scenarios the app must become idle again (its tree below 0.5 CPU-seconds in 2 s). Every wait
is bounded; a whole default run takes about eight minutes on 2 CPU cores (most of it the two long runs).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import httpx
import numpy as np
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError, Status
from PIL import Image
from skimage import data

import restore_core as rc
from demo.app import MAX_QUEUE, RUN_OUTPUTS
from demo.degradation import Degradation
from demo.inputs import UPLOAD
from demo.limits import RUNS_AT_ONCE
from tools.bench_demo import REPOSITORY, free_port

SCENARIOS = ("users", "cancels", "worst", "uploads", "queue")
GIB = 2**30
#: Peak RSS sum (GiB) under one request at a time, and with the queue full.
SINGLE_REQUEST_GIB = 2.5
FULL_QUEUE_GIB = 4.0
#: Seconds between two memory samples.
SAMPLE_SECONDS = 0.2
#: Where the notice and the metrics table (the input's row, then one per method) are in the ``restore`` outputs.
NOTICE, TABLE = RUN_OUTPUTS.index("notice"), RUN_OUTPUTS.index("table")
#: Seconds from submitting a worst-case run to cancelling it; from the last cancel to the CPU check; its window.
CANCEL_AFTER = 3.0
SETTLE_SECONDS = 5.0
CPU_WINDOW = 2.0
#: CPU-seconds of the app's tree in :data:`CPU_WINDOW` above which it is computing (not idle).
BUSY_CPU_SECONDS = 0.5
#: Worst-case runs submitted at once in the queue scenario, and the longest it waits for the two running ones.
QUEUE_REQUESTS = 40
QUEUE_HOLD_SECONDS = 400.0
#: Seconds within which the small request must be answered while the queue is full.
SMALL_REQUEST_SECONDS = 10.0
#: Bounds of the waits: app start and stop, a cancelled run's worker ending, one request, joining the queue,
#: becoming idle, one HTTP call.
START_SECONDS = 120.0
STOP_SECONDS = 10.0
KILL_SECONDS = 5.0
REQUEST_SECONDS = 180.0
JOIN_SECONDS = 90.0
IDLE_SECONDS = 90.0
HTTP_SECONDS = 60.0
#: Text that makes an error message unreadable for a user: server paths, Python class names, a generic error.
UNREADABLE = ("/tmp", "PIL.", "Error:", "Traceback", "has raised an exception")
#: Lines that chain one Python traceback to the next in a log.
CHAIN_LINKS = ("The above exception was the direct cause", "During handling of the above exception")
#: The final exception of a traceback Gradio logs for a ``gr.Error`` (a refusal the user sees).
REFUSAL = "gradio.exceptions.Error"
#: Job states of a request the queue took.
ACCEPTED = {Status.IN_QUEUE, Status.SENDING_DATA, Status.PROCESSING, Status.PROGRESS, Status.ITERATING, Status.LOG}
COMPUTING = {Status.PROCESSING, Status.PROGRESS, Status.ITERATING, Status.LOG}


# --- the app's process tree --------------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    """Fields of ``/proc/PID/stat`` after the command name (state first); empty when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text[text.rindex(")") + 2 :].split()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (children of children too), from ``/proc``."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat_fields(int(entry.name))):
            children[int(stat[1])].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children[pid])
    return tree


def _kib_field(path: str, key: str) -> int:
    """The ``key`` line (``Key:  N kB``) of a ``/proc`` file, in bytes; 0 when the process is gone."""
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory(root: int) -> tuple[int, int, int]:
    """Sums of RSS (``VmRSS``) and PSS (``Pss`` of ``smaps_rollup``) over ``root``'s process tree, and ``root``'s RSS.

    In bytes; the root's own RSS tells the app process (decoding uploads) from its workers.
    """
    pids = process_tree(root)
    rss = [_kib_field(f"/proc/{pid}/status", "VmRSS:") for pid in pids]
    return sum(rss), sum(_kib_field(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids), rss[0]


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User plus system CPU time of each live process, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        if stat := _stat_fields(pid):
            times[pid] = (int(stat[11]) + int(stat[12])) / ticks
    return times


def _start_seconds(pid: int) -> float:
    """When process ``pid`` started, in seconds since boot (``CLOCK_BOOTTIME``); infinity when it is gone."""
    stat = _stat_fields(pid)
    return int(stat[19]) / os.sysconf("SC_CLK_TCK") if stat else float("inf")


def tree_cpu(root: int, seconds: float = CPU_WINDOW) -> dict[int, float]:
    """CPU-seconds each process of ``root``'s tree used during the next ``seconds`` (new ones: all theirs)."""
    before = _cpu_seconds(process_tree(root))
    time.sleep(seconds)
    after = _cpu_seconds(process_tree(root))
    return {pid: round(used - before.get(pid, 0.0), 3) for pid, used in after.items()}


def wait_idle(root: int, processes: int, timeout: float = IDLE_SECONDS) -> float | None:
    """Seconds until ``root``'s tree computes nothing and has ``processes`` processes; None past ``timeout``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if sum(tree_cpu(root).values()) <= BUSY_CPU_SECONDS and len(process_tree(root)) == processes:
            return time.perf_counter() - start
    return None


@dataclass
class Peak:
    """Largest RSS and PSS sums over the app's tree, and largest RSS of the app process alone (bytes), in a window."""

    rss: int = 0
    pss: int = 0
    app: int = 0

    def update(self, rss: int, pss: int, app: int) -> None:
        """Keep the larger values."""
        self.rss, self.pss, self.app = max(self.rss, rss), max(self.pss, pss), max(self.app, app)

    def text(self) -> str:
        """``"RSS / PSS GiB (app process …)"`` for the table."""
        return f"{self.rss / GIB:.2f} / {self.pss / GIB:.2f} GiB (app process alone: {self.app / GIB:.2f} GiB RSS)"

    def gib(self) -> dict[str, float]:
        """The peaks in GiB (for the JSON)."""
        return {name: round(value / GIB, 3) for name, value in asdict(self).items()}


class MemorySampler:
    """A thread that samples the memory of a process tree every :data:`SAMPLE_SECONDS` into open windows."""

    def __init__(self, root: int) -> None:
        self._root = root
        self._windows: list[Peak] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        """Measure now and update every open window."""
        sizes = tree_memory(self._root)
        with self._lock:
            for peak in self._windows:
                peak.update(*sizes)

    @contextlib.contextmanager
    def window(self) -> Iterator[Peak]:
        """The peaks while the ``with`` block runs (sampled at its start and end too)."""
        peak = Peak()
        with self._lock:
            self._windows.append(peak)
        try:
            self.sample()
            yield peak
            self.sample()
        finally:
            with self._lock:
                self._windows.remove(peak)


# --- the served app ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class App:
    """The served app: its process id, page address and log file."""

    pid: int
    url: str
    log: Path


def _log_tail(log: Path, lines: int = 30) -> str:
    """The last lines of the app's log."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _wait_for_page(url: str, server: subprocess.Popen, timeout: float, log: Path) -> None:
    """Return once ``url`` answers HTTP 200; raise (with the log's end) if the app exits or ``timeout`` s pass."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"app.py exited with status {server.returncode}; its log ends:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"app.py did not answer within {timeout:.0f} s; its log ends:\n{_log_tail(log)}")


def stop_tree(server: subprocess.Popen) -> None:
    """Stop the app and every process it started (its process group): SIGTERM, then SIGKILL after a grace time."""
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal_number)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=STOP_SECONDS)


@contextlib.contextmanager
def served_app(folder: Path) -> Iterator[App]:
    """Run ``python app.py`` on a free port of 127.0.0.1 until the block ends, its output in ``folder/app.log``."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key != "PORT"}  # PORT would win
    environment.update(GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    log = folder / "app.log"
    with log.open("wb") as output:  # a session of its own: Ctrl-C reaches the script only, which stops the tree
        server = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=REPOSITORY,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_page(url, server, START_SECONDS, log)
        yield App(server.pid, url, log)
    finally:
        stop_tree(server)


def exception_chains(text: str) -> list[list[str]]:
    """The Python tracebacks of a log, each chain (``raise … from …``) as its lines, the final exception last."""
    chains: list[list[str]] = []
    chain: list[str] | None = None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if chain is None and line.startswith("Traceback (most recent call last)"):
            chain = []
        if chain is None:
            continue
        chain.append(line)
        if line and not line.startswith((" ", "\t", "Traceback", *CHAIN_LINKS)):  # an exception line
            following = next((later for later in lines[index + 1 : index + 3] if later.strip()), "")
            if not following.startswith(CHAIN_LINKS):
                chains.append(chain)
                chain = None
    return chains


# --- requests ----------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    """What a request got: the outputs, or the error message (the server's, or why there was no answer)."""

    seconds: float
    outputs: Any = None
    error: str | None = None
    hung: bool = False

    def served(self) -> bool:
        """Whether a result came back."""
        return self.error is None

    def describe(self) -> str:
        """A short description for the table."""
        if self.hung:
            return f"no answer: {self.error}"
        if self.error is not None:
            return f"refused in {self.seconds:.1f} s: “{_clip(self.error)}”"
        shown = isinstance(self.outputs, (list, tuple)) and len(self.outputs) > NOTICE
        notice = self.outputs[NOTICE] if shown else ""
        return f"served in {self.seconds:.1f} s" + (f", notice “{_clip(notice)}”" if notice else "")

    def raw(self) -> dict[str, Any]:
        """The numbers and messages (for the JSON)."""
        return {"seconds": round(self.seconds, 3), "error": self.error, "hung": self.hung}


def _clip(text: str, length: int = 140) -> str:
    """``text`` on one line, at most ``length`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def readable(message: str) -> bool:
    """Whether an error message is fit for a user: not empty, no server path, no Python class name."""
    return bool(message.strip()) and not any(marker in message for marker in UNREADABLE)


def client(app: App, folder: Path) -> Client:
    """A gradio_client user of the app (results downloaded under ``folder``)."""
    return Client(
        app.url,
        verbose=False,
        analytics_enabled=False,
        download_files=str(folder / "downloads"),
        httpx_kwargs={"timeout": HTTP_SECONDS},
    )


def restore_inputs(path: Path, task: str, classical: list[str], params: dict[str, Any] | None = None) -> list[Any]:
    """The ``restore`` endpoint's inputs: an upload, the task's default settings, classical methods only."""
    settings = Degradation(task=task, noise_sigma=rc.get_task(task).typical_sigma)
    values = [getattr(settings, item.name) for item in fields(Degradation)]
    return [UPLOAD, handle_file(str(path)), *values, classical, [], params or {}]


def call_restore(user: Client, inputs: list[Any], timeout: float = REQUEST_SECONDS) -> Answer:
    """One ``restore`` request, waiting at most ``timeout`` seconds (then it is cancelled)."""
    start = time.perf_counter()
    job = user.submit(*inputs, api_name="/restore")
    try:
        outputs = job.result(timeout=timeout)
    except AppError as error:
        return Answer(time.perf_counter() - start, error=error.message)
    except TimeoutError:
        job.cancel()
        return Answer(time.perf_counter() - start, error=f"none within {timeout:g} s", hung=True)
    except Exception as error:  # a broken connection, a queue refusal: recorded as the answer
        return Answer(time.perf_counter() - start, error=f"{type(error).__name__}: {error}", hung=True)
    return Answer(time.perf_counter() - start, outputs=outputs)


def _preview_call(config: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The page-load preview event of the app's config and its inputs' initial values."""
    components = {component["id"]: component for component in config["components"]}
    for dependency in config["dependencies"]:
        shows = {components[output].get("props", {}).get("elem_id") for output in dependency["outputs"]}
        if "preview" in shows and any(trigger == "load" for _, trigger in dependency["targets"]):
            return dependency, [components[input_id].get("props", {}).get("value") for input_id in dependency["inputs"]]
    raise RuntimeError("the app's config has no preview event run on page load")


def _queue_events(base: str, session: str, timeout: float) -> Iterator[dict[str, Any]]:
    """The messages of a session's event stream (``GET …/queue/data``), for at most about ``timeout`` seconds."""
    start = time.perf_counter()
    with httpx.stream("GET", f"{base}/queue/data", params={"session_hash": session}, timeout=timeout) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                yield json.loads(line[5:])
            if time.perf_counter() - start > timeout:
                return


def small_request(app: App, timeout: float = SMALL_REQUEST_SECONDS * 3) -> Answer:
    """The page's preview event, called as the browser does: directly when it runs outside the queue (as the
    demo's preview does), else through the queue (it is private: no client name)."""
    config = httpx.get(f"{app.url}config", timeout=timeout).json()
    dependency, values = _preview_call(config)
    base = app.url.rstrip("/") + config.get("api_prefix", "/gradio_api")
    session = uuid.uuid4().hex[:11]
    body = {
        "data": values,
        "fn_index": dependency["id"],
        "session_hash": session,
        "event_data": None,
        "trigger_id": None,
    }
    start = time.perf_counter()
    if not dependency.get("queue", True):  # served directly, outside the queue
        reply = httpx.post(f"{base}/run/predict", json=body, timeout=timeout)
        error = None if reply.status_code == 200 else str(reply.json().get("error"))
        return Answer(time.perf_counter() - start, outputs=reply.json().get("data"), error=error)
    joined = httpx.post(f"{base}/queue/join", json=body, timeout=timeout)
    if joined.status_code != 200:
        return Answer(time.perf_counter() - start, error=f"HTTP {joined.status_code}: {joined.json().get('detail')}")
    for message in _queue_events(base, session, timeout):
        if message.get("msg") == "process_completed":
            output = message.get("output") or {}
            error = None if message.get("success") else str(output.get("error"))
            return Answer(time.perf_counter() - start, outputs=output.get("data"), error=error)
    return Answer(time.perf_counter() - start, error=f"none within {timeout:g} s", hung=True)


def _in_threads(function: Callable[[int], Any], count: int) -> list[Any]:
    """``function(i)`` for ``i`` in ``range(count)``, all at once; an interrupt does not wait for them."""
    pool = ThreadPoolExecutor(count)
    try:
        return list(pool.map(function, range(count)))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


# --- test images -------------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def write_png_bomb(path: Path, side: int) -> None:
    """A valid black 1-bit PNG of ``side`` x ``side`` pixels, written row by row (its pixels are never held)."""
    compressor = zlib.compressobj(9)
    row = bytes(1 + (side + 7) // 8)  # the filter byte, then the packed pixels
    stream = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", stream) + _png_chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunks)


def _astronaut(side: int) -> Image.Image:
    return Image.fromarray(data.astronaut()).resize((side, side), Image.Resampling.BICUBIC)


def _truncated_png(path: Path) -> None:
    buffer = io.BytesIO()
    _astronaut(512).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue()[: buffer.tell() // 2])


def _animated_gif(path: Path) -> None:
    frame = _astronaut(256)
    frames = [frame, Image.fromarray(255 - np.asarray(frame)), frame.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=200, loop=0)


#: The hostile uploads: file name, what it is, how to write it, whether a served answer must carry a notice.
UPLOAD_CASES: tuple[tuple[str, str, Callable[[Path], None], bool], ...] = (
    (
        "huge.jpg",
        "12000x12000 JPEG, quality 50",
        lambda path: Image.new("RGB", (12000, 12000), (100, 150, 200)).save(path, quality=50),
        False,
    ),
    ("one_bit.png", "1-bit 12000x12000 PNG", lambda path: Image.new("1", (12000, 12000)).save(path), False),
    ("bomb.png", "decompression bomb: 1-bit 30000x30000 PNG", lambda path: write_png_bomb(path, 30000), False),
    ("truncated.png", "truncated PNG (first half of a 512x512 one)", _truncated_png, False),
    ("text.png", "text file named .png", lambda path: path.write_text("This is not an image.\n"), False),
    ("empty.png", "empty file", lambda path: path.write_bytes(b""), False),
    ("animated.gif", "animated GIF, 3 frames of 256x256", _animated_gif, True),
)


# --- scenarios ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the table; ``met`` is None for a figure without a target."""

    measurement: str
    result: str
    target: str
    met: bool | None

    def markdown(self) -> str:
        """The row as a Markdown table line."""
        verdict = "—" if self.met is None else "yes" if self.met else "**no**"
        cells = (self.measurement, self.result, self.target, verdict)
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


@dataclass
class Stress:
    """What the scenarios share: the app, the memory sampler, a folder and the request images."""

    app: App
    memory: MemorySampler
    folder: Path
    processes: int
    small: Path = field(init=False)
    large: Path = field(init=False)

    def __post_init__(self) -> None:
        self.small, self.large = self.folder / "small.png", self.folder / "large.png"
        _astronaut(128).save(self.small)
        _astronaut(1024).save(self.large)

    def user(self) -> Client:
        """A new gradio_client user."""
        return client(self.app, self.folder)


Outcome = tuple[list[Row], dict[str, Any]]


def memory_row(what: str, peak: Peak, limit: float) -> Row:
    """The peak-memory line of a scenario, judged on the RSS sum."""
    return Row(
        f"peak memory, {what} (RSS sum / PSS sum of the app's process tree)",
        peak.text(),
        f"RSS sum ≤ {limit:g} GiB",
        peak.rss <= limit * GIB,
    )


def scenario_users(stress: Stress, args: argparse.Namespace) -> Outcome:
    """``--users`` gradio_client users at once, each one small denoise comparison."""

    def one(_: int) -> Answer:
        try:
            user = stress.user()
        except Exception as error:  # a user that cannot connect is counted as not served
            return Answer(0.0, error=f"{type(error).__name__}: {error}", hung=True)
        try:
            return call_restore(user, restore_inputs(stress.small, "denoise", ["tv", "wavelet"]))
        finally:
            user.close()

    with stress.memory.window() as peak:
        answers = _in_threads(one, args.users)
    served = [answer for answer in answers if answer.served() and len(answer.outputs[TABLE]["data"]) == 3]
    latency = np.percentile([answer.seconds for answer in served], [50, 90, 100]) if served else [np.nan] * 3
    failures = sorted({answer.describe() for answer in answers if all(answer is not other for other in served)})
    rows = [
        Row(
            f"{args.users} concurrent gradio_client users, each a small denoise comparison (128x128, tv + wavelet)",
            f"{len(served)}/{args.users} served" + "".join(f"; {_clip(text, 80)}" for text in failures[:2]),
            f"{args.users}/{args.users}",
            len(served) == args.users,
        ),
        Row(
            "latency of the served users, p50 / p90 / max",
            " / ".join(f"{value:.1f}" for value in latency) + " s",
            "—",
            None,
        ),
        memory_row(f"{args.users} users", peak, FULL_QUEUE_GIB),
    ]
    return rows, {
        "answers": [answer.raw() for answer in answers],
        "latency_p50_p90_max": list(latency),
        "peak": peak.gib(),
    }


def _first_exit(pids: set[int], root: int, timeout: float = KILL_SECONDS) -> float | None:
    """Seconds until one of ``pids`` has left ``root``'s tree; None if none did within ``timeout``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if not pids <= set(process_tree(root)):
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def _cancel_worst_case(stress: Stress, user: Client, params: dict[str, Any]) -> dict[str, Any]:
    """Once the app is idle, submit a worst-case run and cancel it :data:`CANCEL_AFTER` s later.

    Returns the seconds the app took to become idle (None: not within :data:`IDLE_SECONDS`), the
    run's state when cancelled, when the cancel was sent (``CLOCK_BOOTTIME`` seconds) and how soon
    after it a process of the app's tree ended (None: none within :data:`KILL_SECONDS`).
    """
    idle = wait_idle(stress.app.pid, stress.processes)
    job = user.submit(*restore_inputs(stress.large, "deblur", ["pnp_bm3d"], params), api_name="/restore")
    time.sleep(CANCEL_AFTER)
    state, pids = job.status().code, set(process_tree(stress.app.pid))
    cancelled = time.clock_gettime(time.CLOCK_BOOTTIME)
    job.cancel()
    return {"idle": idle, "state": state, "cancelled": cancelled, "ended": _first_exit(pids, stress.app.pid)}


def scenario_cancels(stress: Stress, args: argparse.Namespace) -> Outcome:
    """Worst-case runs cancelled 3 s after submission; then no computation may survive."""
    user = stress.user()
    try:
        with stress.memory.window() as peak:
            runs = [_cancel_worst_case(stress, user, {"pnp_bm3d": {"iterations": 200}}) for _ in range(args.cancels)]
            time.sleep(SETTLE_SECONDS)
            used = tree_cpu(stress.app.pid)
    finally:
        user.close()
    after = len(process_tree(stress.app.pid))
    computing = sum(run["state"] in COMPUTING for run in runs)
    ended = [run["ended"] for run in runs if run["ended"] is not None]
    idle = [run["idle"] for run in runs]
    old = sum(cpu for pid, cpu in used.items() if _start_seconds(pid) < runs[-1]["cancelled"])
    new = sum(used.values()) - old
    rows = [
        Row(
            f"worst-case runs computing when cancelled (1024x1024 colour deblur, pnp_bm3d 200 iterations, "
            f"cancelled {CANCEL_AFTER:g} s after submission)",
            f"{computing}/{args.cancels}",
            "—",
            None,
        ),
        Row(
            "cancels after which a process of the app's tree ended (the run's worker killed)",
            f"{len(ended)}/{args.cancels}" + (f", within {max(ended):.2f} s" if ended else ""),
            f"{args.cancels}/{args.cancels} within {KILL_SECONDS:g} s",
            len(ended) == args.cancels,
        ),
        Row(
            "wait until the app was idle before each run (after a cancel: its replacement worker warmed up), longest",
            f"not within {IDLE_SECONDS:g} s" if None in idle else f"{max(idle):.1f} s",
            f"≤ {IDLE_SECONDS:g} s",
            None not in idle,
        ),
        Row(
            f"CPU of the app's tree in {CPU_WINDOW:g} s, {SETTLE_SECONDS:g} s after the last cancel: processes "
            "from before it / its replacement worker (warm-up)",
            f"{old:.2f} / {new:.2f} CPU-s",
            f"≤ {BUSY_CPU_SECONDS:g} CPU-s from before the last cancel (no computation survives)",
            old <= BUSY_CPU_SECONDS,
        ),
        Row(
            "processes in the app's tree before / after the cancels",
            f"{stress.processes} / {after}",
            "equal (workers replaced, not multiplied)",
            stress.processes == after,
        ),
        memory_row("worst-case runs, one at a time", peak, SINGLE_REQUEST_GIB),
    ]
    return rows, {
        "runs": [{**run, "state": run["state"].value} for run in runs],
        "cpu_seconds_by_pid": used,
        "cpu_seconds_old_new": [round(old, 3), round(new, 3)],
        "processes_before": stress.processes,
        "processes_after": after,
        "peak": peak.gib(),
    }


def scenario_worst(stress: Stress, args: argparse.Namespace) -> Outcome:
    """One worst-case run left to finish: the heaviest method (PnP with a BM3D prior) on a 1024x1024 colour photo."""
    user = stress.user()
    try:
        wait_idle(stress.app.pid, stress.processes)
        with stress.memory.window() as peak:
            answer = call_restore(
                user, restore_inputs(stress.large, "deblur", ["pnp_bm3d"], {"pnp_bm3d": {"iterations": 1}})
            )
    finally:
        user.close()
    ok = answer.served() or (answer.error is not None and not answer.hung and readable(answer.error))
    rows = [
        Row(
            "one worst-case run to its end (1024x1024 colour deblur, pnp_bm3d, 1 iteration)",
            answer.describe(),
            "a result, or a readable refusal",
            ok,
        ),
        memory_row("the worst-case run", peak, SINGLE_REQUEST_GIB),
    ]
    return rows, {"answer": answer.raw(), "peak": peak.gib()}


def _upload_row(label: str, answer: Answer, peak: Peak, follow: Answer, notice: bool) -> Row:
    """The line of one hostile upload: its answer, the memory peak and the next request."""
    ok_answer = readable(answer.error) if answer.error is not None and not answer.hung else answer.served()
    if notice and answer.served():
        ok_answer = bool(answer.outputs[NOTICE])
    met = ok_answer and peak.rss <= SINGLE_REQUEST_GIB * GIB and follow.served()
    result = (
        f"{answer.describe()}; peak RSS / PSS sum {peak.text()}; "
        f"next request {'served' if follow.served() else follow.describe()}"
    )
    target = (
        f"{'a result with a notice' if notice else 'a result'} or a readable refusal; RSS sum ≤ "
        f"{SINGLE_REQUEST_GIB:g} GiB; next request served"
    )
    return Row(f"upload: {label}", result, target, met)


def scenario_uploads(stress: Stress, args: argparse.Namespace) -> Outcome:
    """Hostile uploads one after another, each followed by a normal small request."""
    rows, raw = [], {}
    user = stress.user()
    try:
        for name, label, write, notice in UPLOAD_CASES:
            path = stress.folder / name
            write(path)
            size = path.stat().st_size
            with stress.memory.window() as peak:
                answer = call_restore(user, restore_inputs(path, "denoise", ["wavelet"]))
            follow = call_restore(user, restore_inputs(stress.small, "denoise", ["wavelet"]))
            path.unlink()
            rows.append(_upload_row(f"{label} ({_megabytes(size)})", answer, peak, follow, notice))
            raw[name] = {"answer": answer.raw(), "next": follow.raw(), "peak": peak.gib()}
    finally:
        user.close()
    return rows, raw


def _megabytes(size: int) -> str:
    """A file size for the table."""
    return f"{size / 1e6:.2f} MB" if size >= 10_000 else f"{size} bytes"


def _join_state(job: Any) -> str:
    """Where a submitted job stands: ``accepted``, ``refused`` (queue full), ``joining``, or its failure."""
    if job.done():
        error = job.exception()
        if error is None or isinstance(error, QueueError):
            return "accepted" if error is None else "refused"
        return f"{type(error).__name__}: {error}"
    return "accepted" if job.status().code in ACCEPTED else "joining"


def _classify(jobs: list[Any], timeout: float) -> tuple[int, int, list[str]]:
    """How many jobs the queue accepted and refused as full (waiting up to ``timeout`` s), and the others' states."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout and "joining" in map(_join_state, jobs):
        time.sleep(0.5)
    states = [_join_state(job) for job in jobs]
    others = [state for state in states if state not in ("accepted", "refused")]
    return states.count("accepted"), states.count("refused"), others


def _page_seconds(app: App) -> tuple[float, int | str]:
    """Seconds to fetch the page, and its HTTP status (or the error)."""
    start = time.perf_counter()
    try:
        status: int | str = httpx.get(app.url, timeout=HTTP_SECONDS).status_code
    except httpx.HTTPError as error:
        status = f"{type(error).__name__}: {error}"
    return time.perf_counter() - start, status


def _finish_first(jobs: list[Any], count: int, deadline: float) -> int:
    """Wait (until ``deadline``, ``time.perf_counter()``) for ``count`` of ``jobs`` to succeed; how many did."""
    while True:
        finished = sum(job.done() and job.exception() is None for job in jobs)
        if finished >= count or time.perf_counter() > deadline:
            return finished
        time.sleep(0.5)


def scenario_queue(stress: Stress, args: argparse.Namespace) -> Outcome:
    """The queue filled with worst-case runs: what it takes, the page and a small request meanwhile, then cancel all."""
    capacity = MAX_QUEUE + RUNS_AT_ONCE
    begin = time.perf_counter()
    users = _in_threads(lambda _: stress.user(), QUEUE_REQUESTS)
    connected = time.perf_counter() - begin
    jobs = []
    with stress.memory.window() as peak:
        try:
            start = time.perf_counter()
            inputs = restore_inputs(stress.large, "deblur", ["pnp_bm3d"], {"pnp_bm3d": {"iterations": 1}})
            jobs += [user.submit(*inputs, api_name="/restore") for user in users]
            accepted, refused, others = _classify(jobs, JOIN_SECONDS)
            joined = time.perf_counter() - start
            page, status = _page_seconds(stress.app)
            small = small_request(stress.app)
            finished = _finish_first(jobs, RUNS_AT_ONCE, start + QUEUE_HOLD_SECONDS)
        finally:  # also when interrupted: the queued runs must not outlive the scenario
            for job in jobs:
                job.cancel()
            _in_threads(lambda index: users[index].close(), len(users))  # each waits up to 1 s for its heartbeat
        idle = wait_idle(stress.app.pid, stress.processes)
    small_ok = small.served() and small.seconds <= SMALL_REQUEST_SECONDS
    rows = [
        Row(
            f"{QUEUE_REQUESTS} worst-case runs (1024x1024 colour deblur, pnp_bm3d, 1 iteration) submitted at once: "
            "accepted / refused as queue full / other",
            f"{accepted} / {refused} / {len(others)}" + (f" ({_clip(others[0], 80)})" if others else ""),
            f"≤ {capacity} accepted ({RUNS_AT_ONCE} running + {MAX_QUEUE} waiting), the rest refused as queue full",
            accepted <= capacity and not others,
        ),
        Row("page (`GET /`) with the queue full", f"{page:.2f} s (HTTP {status})", "HTTP 200", status == 200),
        Row(
            "small request (the page's preview event, as the browser sends it) with the queue full",
            small.describe() if small.error else f"answered in {small.seconds:.2f} s",
            f"answered within {SMALL_REQUEST_SECONDS:g} s",
            small_ok,
        ),
        Row(
            "app idle again after cancelling every job",
            f"not within {IDLE_SECONDS:g} s" if idle is None else f"in {idle:.1f} s",
            f"≤ {IDLE_SECONDS:g} s",
            idle is not None,
        ),
        Row(
            f"worst-case runs that ran to their end while the queue was full (held until {RUNS_AT_ONCE} had)",
            f"{finished}",
            f"{RUNS_AT_ONCE} (both workers at their memory peak)",
            finished >= RUNS_AT_ONCE,
        ),
        memory_row("queue full of worst-case runs", peak, FULL_QUEUE_GIB),
    ]
    return rows, {
        "connect_seconds": round(connected, 1),
        "join_seconds": round(joined, 1),
        "accepted": accepted,
        "refused": refused,
        "other_failures": others,
        "page_seconds": page,
        "page_status": status,
        "small_request": small.raw(),
        "idle_seconds": idle,
        "peak": peak.gib(),
    }


# --- the run -----------------------------------------------------------------------------------------------------

RUNNERS: dict[str, Callable[[Stress, argparse.Namespace], Outcome]] = {
    "users": scenario_users,
    "cancels": scenario_cancels,
    "worst": scenario_worst,
    "uploads": scenario_uploads,
    "queue": scenario_queue,
}


def log_rows(log: Path) -> tuple[list[Row], list[str]]:
    """The app log's lines of the table: unexpected tracebacks (not a ``gr.Error`` refusal), and those chains."""
    chains = exception_chains(log.read_text(errors="replace"))
    unexpected = ["\n".join(chain) for chain in chains if not chain[-1].startswith(REFUSAL)]
    finals = sorted({text.splitlines()[-1] for text in unexpected})
    rows = [
        Row(
            "unexpected tracebacks in the app's log (other than `gr.Error` refusals)",
            f"{len(unexpected)}" + "".join(f"; {_clip(final, 100)}" for final in finals[:3]),
            "0",
            not unexpected,
        ),
        Row("`gr.Error` refusals logged with a traceback", str(len(chains) - len(unexpected)), "—", None),
    ]
    return rows, unexpected


def run(args: argparse.Namespace, folder: Path) -> tuple[list[Row], dict[str, Any]]:
    """Serve the app, run the chosen scenarios in order, stop it; the table's rows and the raw numbers."""
    rows, raw = [], {"scenarios": {}, "seconds": {}}
    with served_app(folder) as app, MemorySampler(app.pid) as memory:
        processes = len(process_tree(app.pid))
        if wait_idle(app.pid, processes) is None:  # the workers warm up after the page answers
            raise RuntimeError(f"the app did not become idle within {IDLE_SECONDS:g} s of starting")
        stress = Stress(app, memory, folder, processes)
        resting = Peak(*tree_memory(app.pid))
        raw["idle_memory"] = resting.gib()
        rows.append(
            Row("memory of the idle app after start (RSS sum / PSS sum of its process tree)", resting.text(), "—", None)
        )
        for name in args.scenarios:
            print(f"scenario {name}…", file=sys.stderr, flush=True)
            start = time.perf_counter()
            try:
                scenario_rows, raw["scenarios"][name] = RUNNERS[name](stress, args)
            except Exception as error:  # a broken scenario is a missed target; the others still run
                traceback.print_exc()
                scenario_rows = [
                    Row(f"{name} scenario", f"crashed: {_clip(f'{type(error).__name__}: {error}')}", "runs", False)
                ]
            idle = wait_idle(app.pid, processes)
            raw["seconds"][name] = round(time.perf_counter() - start, 1)
            rows += scenario_rows
            if idle is None:
                rows.append(Row(f"app idle after the {name} scenario", f"not within {IDLE_SECONDS:g} s", "idle", False))
    log, raw["unexpected_tracebacks"] = log_rows(app.log)
    return rows + log, raw


def _interrupt(signal_number: int, _frame: object) -> None:
    """Ctrl-C and SIGTERM end the run (the app is stopped on the way out), even where SIGINT was ignored."""
    raise KeyboardInterrupt(f"signal {signal_number}")


def _count(text: str) -> int:
    """A command-line count: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.stress",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n", 2)[2],
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIOS,
        default=list(SCENARIOS),
        help="scenarios to run, in this order (default: all)",
    )
    parser.add_argument("--users", type=_count, default=32, help="concurrent users of the users scenario (default 32)")
    parser.add_argument("--cancels", type=_count, default=5, help="cancelled worst-case runs (default 5)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to this JSON file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the stress scenarios and print the table; return 1 when a target is missed."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    command = " ".join(["python -m tools.stress", *map(shlex.quote, argv)])
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, _interrupt)
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="deconv-stress-") as folder:
            rows, raw = run(args, Path(folder))
    except KeyboardInterrupt:
        print("interrupted: the app and its processes were stopped", file=sys.stderr)
        return 130
    for text in raw["unexpected_tracebacks"]:
        print(f"\nunexpected traceback in the app's log:\n{text}", file=sys.stderr)
    seconds = ", ".join(f"{name} {value:.0f} s" for name, value in raw["seconds"].items())
    print(
        f"\n`{command}` ({os.cpu_count()} CPU cores, {time.strftime('%Y-%m-%d')}; {seconds}; "
        f"{time.perf_counter() - start:.0f} s in all)\n"
    )
    print("| measurement | result | target | met? |\n|---|---|---|---|")
    print("\n".join(row.markdown() for row in rows))
    if args.json:
        args.json.write_text(
            json.dumps({"command": command, "rows": [asdict(row) for row in rows], **raw}, indent=2, default=str)
        )
    return int(any(row.met is False for row in rows))


if __name__ == "__main__":
    sys.exit(main())
