"""The command line ``python -m restore_core``: restore one image end to end, list the methods, refuse bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import restore_core as rc
from restore_core import cli

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m restore_core ARGS`` in a child process, from the repository root."""
    command = [sys.executable, "-m", "restore_core", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 64x64 noisy, blurry and clean photo, a 7x7 kernel picture, a mask, a black picture and a text file."""
    folder = tmp_path_factory.mktemp("cli")
    from skimage import data

    clean = rc.to_float(data.camera())[200:264, 220:284].copy()
    kernel = rc.gaussian_kernel(1.0)
    paths = {name: folder / f"{name}.png" for name in ("clean", "noisy", "blurry", "kernel", "mask")}
    rc.save_image(clean, paths["clean"])
    rc.save_image(rc.degrade(clean, "denoise", sigma=15, seed=0).image, paths["noisy"])
    blurry = rc.degrade(clean, "deblur", kernel=kernel, boundary="reflect", sigma=2.55, seed=0).image
    rc.save_image(np.clip(blurry, 0, 1), paths["blurry"])
    Image.fromarray(rc.to_uint8(kernel / kernel.max())).save(paths["kernel"])  # save_image wants 8 px a side
    missing = np.zeros(clean.shape, dtype=bool)
    missing[20:30, 10:50] = True
    rc.save_image(missing.astype(np.float32), paths["mask"])
    paths["black"] = folder / "black.png"
    rc.save_image(np.zeros((64, 64), dtype=np.float32), paths["black"])
    paths["text"] = folder / "notes.png"
    paths["text"].write_text("not an image")
    return paths


def test_denoise_with_a_given_sigma(files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "out.png"
    done = run_cli("restore", files["noisy"], "-o", output, "--task", "denoise", "--sigma", "15", "--method", "tv")
    assert done.returncode == 0, done.stderr
    assert str(output) in done.stderr and " s" in done.stderr
    restored = rc.load_image(output)
    assert restored.shape == (64, 64)
    clean = rc.load_image(files["clean"])
    assert rc.psnr(clean, restored) > rc.psnr(clean, rc.load_image(files["noisy"]))


def test_deblur_with_a_generated_kernel_and_a_kernel_picture(files: dict[str, Path], tmp_path: Path) -> None:
    base = ("restore", files["blurry"], "--task", "deblur", "--method", "wiener", "--param", "balance=0.01")
    generated = run_cli(*base, "-o", tmp_path / "gaussian.png", "--gaussian", "1.0")
    assert generated.returncode == 0, generated.stderr
    picture = run_cli(*base, "-o", tmp_path / "picture.png", "--kernel", files["kernel"])  # a 7x7 picture
    assert picture.returncode == 0, picture.stderr
    first, second = rc.load_image(tmp_path / "gaussian.png"), rc.load_image(tmp_path / "picture.png")
    assert first.shape == second.shape == (64, 64)
    assert np.abs(first - second).max() <= 3 / 255  # the same kernel, up to its 8-bit picture


def test_sr_doubles_the_size(files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "large.png"
    done = run_cli("restore", files["clean"], "-o", output, "--task", "sr", "--scale", "2", "--method", "bicubic")
    assert done.returncode == 0, done.stderr
    assert rc.load_image(output).shape == (128, 128)


def test_inpaint_keeps_the_observed_pixels(files: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "filled.png"
    done = run_cli("restore", files["clean"], "-o", output, "--task", "inpaint", "--mask", files["mask"])
    assert done.returncode == 0, done.stderr
    assert "biharmonic" in done.stderr  # the default method of the task
    filled, clean = rc.load_image(output), rc.load_image(files["clean"])
    observed = rc.load_image(files["mask"]) < 0.5
    assert np.abs(filled - clean)[observed].max() <= 1 / 255


def test_list_as_text_and_json() -> None:
    text = run_cli("list")
    assert text.returncode == 0, text.stderr
    for expected in ("deblur", "--kernel K.png", "wiener_unet", "balance", "default auto", "float in [1e-06, 10]"):
        assert expected in text.stdout
    listing = run_cli("list", "--json")
    assert listing.returncode == 0, listing.stderr
    catalogue = json.loads(listing.stdout)
    tasks = {task["name"]: task for task in catalogue["tasks"]}
    assert set(tasks) == set(rc.TASKS)
    assert tasks["inpaint"]["default_method"] == "biharmonic"
    methods = {method["name"]: method for method in catalogue["methods"]}
    assert set(methods) == {method.name for method in rc.list_methods()}
    wiener = methods["wiener"]
    assert wiener["family"] == "classical" and wiener["params"][0]["name"] == "balance"


def test_estimated_sigma_and_a_learned_default_method_in_process(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    output = tmp_path / "out.png"
    args = ["restore", str(files["noisy"]), "-o", str(output), "--task", "denoise", "--estimate-sigma"]
    assert cli.main([*args, "--device", "cpu"]) == 0
    stderr = capsys.readouterr().err
    assert "estimated noise sigma:" in stderr and "deconv_unet" in stderr
    assert rc.load_image(output).shape == (64, 64)


def test_iterative_methods_report_progress(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[tuple[int, int]] = []

    def recording(observation: rc.Observation, method: str, progress, **params: object) -> np.ndarray:
        def both(done: int, total: int) -> None:
            steps.append((done, total))
            progress(done, total)

        return rc.restore(observation, method, progress=both, **params)

    monkeypatch.setattr(cli, "restore", recording)
    args = ["restore", str(files["blurry"]), "-o", str(tmp_path / "out.png"), "--task", "deblur", "--disk", "1"]
    assert cli.main([*args, "--method", "pnp_tv", "--param", "iterations=3"]) == 0
    assert steps == [(1, 3), (2, 3), (3, 3)]
    assert "pnp_tv:" in capsys.readouterr().err  # the tqdm bar on stderr


def test_parameter_values_follow_the_declared_kinds() -> None:
    wavelet, wiener, unet = rc.get_method("wavelet"), rc.get_method("wiener"), rc.get_method("deconv_unet")
    assert cli.parse_params(wavelet, ["levels=3", "wavelet=db2"]) == {"levels": 3, "wavelet": "db2"}
    assert cli.parse_params(wiener, ["balance=1e-2"]) == {"balance": 0.01}
    assert cli.parse_params(wiener, ["balance=auto"]) == {"balance": None}
    assert cli.parse_params(unet, ["ensemble=true", "sigma=10"]) == {"ensemble": True, "sigma": 10.0}


#: ``restore`` of the noisy picture to ``{tmp}/out.png`` as a denoise task with sigma 15, unless a case says otherwise.
DENOISE = ["restore", "{noisy}", "-o", "{tmp}/out.png", "--task", "denoise", "--sigma", "15"]
#: The same photo with no task options.
BARE = ["restore", "{noisy}", "-o", "{tmp}/out.png", "--task"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["restore", "{tmp}/missing.png", "-o", "{tmp}/out.png", "--task", "denoise", "--sigma", "15"],
            "no image file",
        ),
        (["restore", "{text}", "-o", "{tmp}/out.png", "--task", "denoise", "--sigma", "15"], "not a readable image"),
        ([*DENOISE, "--method", "nope"], "unknown method 'nope'"),
        ([*DENOISE, "--method", "tv", "--param", "weight=heavy"], "must be a number"),
        ([*DENOISE, "--method", "tv", "--param", "weight=7"], "must be in [0.0001, 2.0]"),
        ([*DENOISE, "--method", "tv", "--param", "strength=1"], "tv has no parameter strength"),
        ([*DENOISE, "--method", "tv", "--param", "weight"], "--param expects NAME=VALUE"),
        ([*DENOISE, "--method", "wiener"], "wiener does not support the denoise task"),
        ([*DENOISE, "--scale", "2"], "--scale is not used by the denoise task"),
        ([*DENOISE[:-2], "--sigma", "300"], "sigma must be in [0, 255]"),
        ([*BARE, "denoise"], "the denoise task needs --sigma S or --estimate-sigma"),
        ([*BARE, "deblur"], "the deblur task needs --kernel"),
        ([*BARE, "inpaint"], "the inpaint task needs --mask"),
        ([*BARE, "sr"], "the sr task needs --scale"),
        ([*BARE, "jpeg"], "the jpeg task needs --quality"),
        ([*BARE, "jpeg", "--quality", "0"], "the JPEG quality must be"),
        ([*BARE, "deblur", "--kernel", "{text}"], "not a readable image"),
        ([*BARE, "deblur", "--gaussian", "500"], "the Gaussian sigma must be"),
        ([*BARE, "inpaint", "--mask", "{black}"], "the mask image marks no pixel"),
        (["restore", "{noisy}", "-o", "{tmp}/no/out.png", "--task", "denoise", "--sigma", "15"], "does not exist"),
        (["restore", "{noisy}", "-o", "{tmp}/out.xyz", "--task", "denoise", "--sigma", "15"], "unknown image file"),
        (["restore", "{noisy}", "-o", "{tmp}", "--task", "denoise", "--sigma", "15"], "is a folder"),
    ],
)
def test_user_errors_exit_2_with_a_message(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture, argv: list[str], message: str
) -> None:
    names = {**{name: str(path) for name, path in files.items()}, "tmp": str(tmp_path)}
    assert cli.main([item.format(**names) for item in argv]) == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("error: ") and message in stderr, stderr
    assert "Traceback" not in stderr


def test_an_unwritable_output_and_ctrl_c(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["restore", str(files["noisy"]), "--task", "denoise", "--sigma", "15", "--method", "tv"]
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setattr(cli.os, "access", lambda path, mode: Path(path) != locked)  # root may write anyway
    assert cli.main([*base, "-o", str(locked / "out.png")]) == 2
    assert capsys.readouterr().err == f"error: cannot write {locked / 'out.png'}: permission denied.\n"

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "restore", interrupted)
    assert cli.main([*base, "-o", str(tmp_path / "out.png")]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_usage_errors_and_help_return_their_status(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["restore", "in.png", "--task", "denoise"]) == 2  # no -o: argparse's own message
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err
    assert cli.main(["restore", "--help"]) == 0
    assert "deconv_unet" in capsys.readouterr().out
