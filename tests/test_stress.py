"""The helpers of ``tools/stress.py`` (the scenarios themselves need a served app: ``python -m tools.stress``)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tools.stress import (
    NOTICE,
    Answer,
    Peak,
    Row,
    _preview_call,
    _start_seconds,
    exception_chains,
    process_tree,
    readable,
    stop_tree,
    tree_cpu,
    tree_memory,
    write_png_bomb,
)

LOG = """* Running on local URL:  http://127.0.0.1:7860
Traceback (most recent call last):
  File "convert.py", line 276, in load_image
PIL.UnidentifiedImageError: cannot identify image file '/tmp/gradio/x/bad.png'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "queueing.py", line 870, in process_events
gradio.exceptions.Error: 'bad.png is not a readable image.'
Traceback (most recent call last):
  File "callbacks.py", line 12, in run_arena
    return 1 / 0
           ~~^~~
ZeroDivisionError: division by zero
INFO: done
"""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def grandchild() -> Iterator[subprocess.Popen]:
    """A process (in a group of its own) that started a child of its own, stopped at the end."""
    script = "import subprocess, time; subprocess.Popen(['sleep', '30']); print('ready', flush=True); time.sleep(30)"
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, start_new_session=True)
    assert parent.stdout.readline() == b"ready\n"
    yield parent
    stop_tree(parent)


def test_tree_reaches_grandchildren_and_is_stopped_whole(grandchild: subprocess.Popen) -> None:
    pids = process_tree(grandchild.pid)
    assert len(pids) == 2 and pids[0] == grandchild.pid
    rss, pss, root_rss = tree_memory(grandchild.pid)
    assert rss > root_rss > 0 and rss >= pss > 0
    assert sum(tree_cpu(grandchild.pid, 0.1).values()) < 0.1
    assert 0 < _start_seconds(pids[1]) <= time.clock_gettime(time.CLOCK_BOOTTIME)
    stop_tree(grandchild)
    assert grandchild.poll() is not None
    deadline = time.monotonic() + 5
    while _alive(pids[1]) and time.monotonic() < deadline:  # the grandchild's exit is its own, a moment later
        time.sleep(0.01)
    assert not _alive(pids[1])


def test_exception_chains_end_with_their_final_exception() -> None:
    chains = exception_chains(LOG)
    assert [chain[-1] for chain in chains] == [
        "gradio.exceptions.Error: 'bad.png is not a readable image.'",
        "ZeroDivisionError: division by zero",
    ]
    assert chains[0][0].startswith("Traceback") and "PIL.UnidentifiedImageError" in chains[0][2]


@pytest.mark.parametrize(
    ("message", "fit"),
    [
        ("bomb.png is not a readable image: it declares far more pixels than it could hold.", True),
        ("cannot identify image file '/tmp/gradio/x/bad.png'", False),
        ("PIL.UnidentifiedImageError: cannot identify image file", False),
        ("ValueError: bad value", False),
        ("The upstream Gradio app has raised an exception but has not enabled verbose error reporting.", False),
        ("  ", False),
    ],
)
def test_readable_refuses_paths_class_names_and_generic_errors(message: str, fit: bool) -> None:
    assert readable(message) is fit


def test_png_bomb_is_valid_and_flagged_by_pillow(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    write_png_bomb(path, 20_000)
    assert path.stat().st_size < 200_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)
    small = tmp_path / "small.png"
    write_png_bomb(small, 9)
    with Image.open(small) as picture:
        assert picture.size == (9, 9) and picture.mode == "1" and picture.getextrema() == (0, 0)


def test_preview_call_finds_the_load_event_and_initial_values() -> None:
    config = {
        "components": [
            {"id": 1, "props": {"value": "camera"}},
            {"id": 2, "props": {"value": None}},
            {"id": 3, "props": {"elem_id": "preview"}},
        ],
        "dependencies": [
            {"id": 7, "targets": [[1, "change"]], "inputs": [1, 2], "outputs": [3]},
            {"id": 8, "targets": [[0, "load"]], "inputs": [1, 2], "outputs": [3]},
        ],
    }
    dependency, values = _preview_call(config)
    assert dependency["id"] == 8 and values == ["camera", None]


def test_rows_and_answers_read_well_in_markdown() -> None:
    assert Row("a | b", "1", "—", None).markdown() == "| a \\| b | 1 | — | — |"
    assert Row("m", "2", "≤ 1", False).markdown().endswith("| **no** |")
    refused = Answer(0.31, error="empty.png is not a readable image:\n  empty.")
    assert refused.describe() == "refused in 0.3 s: “empty.png is not a readable image: empty.”"
    outputs = [None] * NOTICE + ["downscaled"]
    assert Answer(1.0, outputs=outputs).describe() == "served in 1.0 s, notice “downscaled”"
    peak = Peak()
    peak.update(3 * 2**30, 2**30, 2**29)
    peak.update(2**30, 2 * 2**30, 2**28)
    assert peak.text() == "3.00 / 2.00 GiB (app process alone: 0.50 GiB RSS)"
