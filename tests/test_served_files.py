"""The demo serves every returned picture from a PNG file of its own call (no shared Gradio cache path)."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
from pathlib import Path

import gradio as gr
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from demo.served_files import as_files, call_folder, own_gradio_cache, pictures_to_files


def _picture(seed: int, shape: tuple[int, ...] = (12, 10, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _decoded(path: str) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return np.asarray(image)


def test_pictures_become_lossless_png_files_and_the_rest_is_kept(tmp_path: Path) -> None:
    gray, colour, result = _picture(0, (9, 7)), _picture(1), _picture(2)
    table = pd.DataFrame({"Method": ["TV (Chambolle)"]})
    scores = np.zeros((4, 4), np.float32)
    served = pictures_to_files(
        (gray, [(result, "TV (Chambolle) — 30.12 dB / 0.8 / 0.1 s")], table, gr.update(value=colour), scores, None),
        tmp_path,
    )
    gray_path, gallery, kept_table, update, kept_scores, nothing = served
    assert np.array_equal(_decoded(gray_path), gray)
    ((result_path, caption),) = gallery
    assert caption.startswith("TV (Chambolle)") and Path(result_path).name == "01_TV_Chambolle.png"
    assert np.array_equal(_decoded(result_path), result)
    assert np.array_equal(_decoded(update["value"]), colour) and update["__type__"] == "update"
    assert kept_table is table and kept_scores is scores and nothing is None
    assert sorted(path.parent for path in map(Path, (gray_path, result_path, update["value"]))) == [tmp_path] * 3


def test_identical_outputs_of_two_calls_never_share_a_file() -> None:
    picture = _picture(3)
    served = as_files(lambda: (picture, [(picture, "Wiener — 1 s")]))
    first, second = served(), served()
    paths = {first[0], first[1][0][0], second[0], second[1][0][0]}
    assert len(paths) == 4 and len({Path(path).parent for path in paths}) == 2
    assert all(np.array_equal(_decoded(path), picture) for path in paths)


def test_wrapper_keeps_the_signature_and_leaves_no_empty_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("demo.served_files.ROOT", tmp_path)

    def callback(image: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        """Doc."""
        return image

    served = as_files(callback)
    assert inspect.signature(served) == inspect.signature(callback) and served.__doc__ == "Doc."
    assert served("text") == "text" and list(tmp_path.iterdir()) == []

    def refuses(image: str) -> str:
        raise gr.Error("no image uploaded")

    with pytest.raises(gr.Error):
        as_files(refuses)("text")
    assert list(tmp_path.iterdir()) == []  # a refused call leaves no folder behind


def test_old_call_folders_are_removed_and_recent_ones_kept(tmp_path: Path) -> None:
    old, recent = call_folder(tmp_path), call_folder(tmp_path)
    (old / "image.png").write_bytes(b"png")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    new = call_folder(tmp_path, keep_seconds=3600)
    assert not old.exists() and recent.is_dir() and new.is_dir() and new != recent


def test_each_app_gets_its_own_gradio_cache_and_those_of_dead_apps_go(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / f"gradio-{dead.stdout.strip()}"
    (leftover / "abc123").mkdir(parents=True)
    (leftover / "abc123" / "image.png").write_bytes(b"old")
    alive = tmp_path / f"gradio-{os.getppid()}"
    alive.mkdir()
    folder = own_gradio_cache(tmp_path)
    assert folder == tmp_path / f"gradio-{os.getpid()}" and os.environ["GRADIO_TEMP_DIR"] == str(folder)
    assert not leftover.exists() and alive.exists()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "mine"))
    assert own_gradio_cache(tmp_path) == tmp_path / "mine"
