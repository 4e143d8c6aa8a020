"""Paired datasets in the benchmark: folders of photos degraded for real beside their clean images."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import restore_core as rc
from eval import benchmark, datasets, protocols
from eval.results import RESULTS_FILE

PHOTOS = ("astronaut", "chelsea")
SIDE = 64


def clean_photo(name: str, side: int = SIDE) -> np.ndarray:
    return rc.sample_image(name, side)


def make_pairs(folder: Path, degrade, suffix: str = ".png", side: int = SIDE) -> Path:
    """A paired folder of the PHOTOS: ``degrade(clean, index)`` returns the degraded image or writes it."""
    for part in datasets.PAIRED_FOLDERS:
        (folder / part).mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(PHOTOS):
        clean = clean_photo(name, side)
        rc.save_image(clean, folder / "clean" / f"{name}.png")
        degraded = degrade(clean, index)
        path = folder / "degraded" / f"{name}{suffix}"
        if suffix == ".jpg":
            Image.fromarray(rc.to_uint8(clean)).save(path, quality=degraded)
        else:
            rc.save_image(np.clip(degraded, 0, 1), path)
    return folder


def save_picture(picture: np.ndarray, path: Path) -> None:
    """A kernel or mask picture of any size (8-bit gray)."""
    Image.fromarray(np.round(picture * 255).astype(np.uint8)).save(path)


def camera_pairs(folder: Path) -> Path:
    return make_pairs(folder, lambda clean, index: rc.degrade(clean, "denoise", camera="high", seed=index).image)


def run(out: Path, task: str, *options: str) -> int:
    return benchmark.main(["--task", task, "--out", str(out), "--examples", "0", *options])


def rows(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / RESULTS_FILE, keep_default_na=False)


def test_a_paired_folder_matches_clean_and_degraded_files_by_name(tmp_path):
    folder = make_pairs(tmp_path / "pairs", lambda clean, index: 30, suffix=".jpg")
    (folder / "kernels").mkdir()
    save_picture(np.eye(5), folder / "kernels" / "chelsea.png")
    dataset = datasets.open_dataset(str(folder), None)
    assert dataset.paired and [image.name for image in dataset.images] == ["astronaut.png", "chelsea.png"]
    first, second = dataset.images
    assert first.pair.degraded.name == "astronaut.jpg" and first.pair.kernel is None
    assert second.pair.kernel == folder / "kernels" / "chelsea.png" and second.pair.mask is None
    assert not datasets.open_dataset("skimage", None).paired

    rc.save_image(clean_photo("coffee"), folder / "degraded" / "coffee.png")
    with pytest.raises(rc.RestoreError, match="do not match: coffee is in only one of degraded and clean"):
        datasets.open_dataset(str(folder), None)
    rc.save_image(clean_photo("coffee"), folder / "clean" / "coffee.png")
    rc.save_image(clean_photo("coffee"), folder / "clean" / "coffee.bmp")
    with pytest.raises(rc.RestoreError, match=r"holds both coffee\.bmp and coffee\.png"):
        datasets.open_dataset(str(folder), None)


def test_noisy_pairs_are_restored_as_they_are_beside_simulated_levels(tmp_path):
    folder = camera_pairs(tmp_path / "camera")
    out = tmp_path / "out"
    code = run(out, "denoise", "--datasets", str(folder), "skimage", "--limit", "1", "--sigmas", "25")
    code = code or run(
        out,
        "denoise",
        "--datasets",
        str(folder),
        "skimage",
        "--limit",
        "1",
        "--sigmas",
        "25",
        "--methods",
        "identity",
        "camera_unet",
    )
    assert code == 0
    table = rows(out)
    paired = table[table["dataset"] == str(folder)]
    assert set(paired["level"]) == {protocols.AS_DEGRADED.label} and set(table["error"]) == {""}
    assert set(table.loc[table["dataset"] == "skimage", "level"]) == {"σ=25"}
    # the photo is scored as it is: not degraded again, whatever the --sigmas
    clean = rc.load_image(folder / "clean" / "astronaut.png")
    noisy = rc.load_image(folder / "degraded" / "astronaut.png")
    identity = paired[(paired["image"] == "astronaut.png") & (paired["method"] == "identity")]
    assert float(identity["psnr"].iloc[0]) == pytest.approx(rc.psnr(clean, noisy), abs=1e-3)
    learned = paired[paired["method"] == "camera_unet"]
    assert (
        learned["psnr"].to_numpy(float) > paired.loc[paired["method"] == "identity", "psnr"].to_numpy(float) + 3
    ).all()
    records = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {(record["dataset"], record["level"]) for record in records} == {
        (str(folder), "as degraded"),
        ("skimage", "σ=25"),
    }
    assert "degraded/ and clean/ pairs" in (out / "summary.md").read_text(encoding="utf-8")


def test_sr_pairs_take_the_scale_from_the_sizes(tmp_path):
    def downscale(clean: np.ndarray, index: int) -> np.ndarray:
        return rc.degrade(clean[:66, :66], "sr", scale=3).image

    folder = make_pairs(tmp_path / "sr", downscale, side=67)  # 67 = 3 * 22 + 1: the clean image is mod-cropped
    clean, observation = protocols.paired_observation(
        "sr", clean_photo("astronaut", 67), datasets.open_dataset(str(folder), None).images[0].pair
    )
    assert observation.scale == 3 and clean.shape == observation.clean_shape == (66, 66, 3)
    out = tmp_path / "out"
    assert run(out, "sr", "--datasets", str(folder), "--methods", "bicubic") == 0
    assert (rows(out)["psnr"].astype(float) > 20).all()


def test_jpeg_pairs_read_their_quality_from_the_file_or_estimate_it(tmp_path):
    folder = make_pairs(tmp_path / "jpeg", lambda clean, index: 30, suffix=".jpg")
    pair = datasets.open_dataset(str(folder), None).images[0].pair
    clean, observation = protocols.paired_observation("jpeg", clean_photo("astronaut"), pair)
    assert observation.quality == 30 and observation.is_color and clean.shape == observation.clean_shape
    decoded = tmp_path / "decoded.png"  # the same pixels saved as a PNG: the quality comes from them
    rc.save_image(rc.load_image(pair.degraded), decoded)
    assert protocols.paired_observation("jpeg", clean, datasets.PairedFiles(decoded))[1].quality == 30
    rc.save_image(np.random.default_rng(0).random(clean.shape), decoded)  # never compressed
    with pytest.raises(rc.RestoreError, match="no trace of JPEG compression and is not a JPEG file"):
        protocols.paired_observation("jpeg", clean, datasets.PairedFiles(decoded))
    out = tmp_path / "out"
    assert run(out, "jpeg", "--datasets", str(folder), "--methods", "identity", "deconv_jpeg") == 0
    table = rows(out)
    assert (
        table.loc[table["method"] == "deconv_jpeg", "psnr"].to_numpy(float)
        > table.loc[table["method"] == "identity", "psnr"].to_numpy(float)
    ).all()


def test_deblur_and_inpaint_pairs_take_their_kernel_and_mask_from_the_folder(tmp_path):
    kernel = rc.gaussian_kernel(1.6)
    folder = make_pairs(tmp_path / "blur", lambda clean, index: rc.degrade(clean, "deblur", kernel=kernel).image)
    out = tmp_path / "out"
    assert run(out, "deblur", "--datasets", str(folder), "--methods", "wiener") == 1
    assert set(rows(out)["error"]) == {
        "RestoreError: astronaut.png has no file of the same name in kernels/ beside degraded/.",
        "RestoreError: chelsea.png has no file of the same name in kernels/ beside degraded/.",
    }
    (folder / "kernels").mkdir()
    for name in PHOTOS:
        save_picture(kernel / kernel.max(), folder / "kernels" / f"{name}.png")
    assert run(out, "deblur", "--datasets", str(folder), "--methods", "wiener", "--overwrite") == 0

    mask = rc.make_mask("random", (SIDE, SIDE), 0.5, 0)
    holes = make_pairs(tmp_path / "holes", lambda clean, index: clean * (mask[..., None]))
    (holes / "masks").mkdir()
    for name in PHOTOS:
        rc.save_image((~mask).astype(np.float32), holes / "masks" / f"{name}.png")
    _, observation = protocols.paired_observation(
        "inpaint", clean_photo("astronaut"), datasets.open_dataset(str(holes), None).images[0].pair
    )
    np.testing.assert_array_equal(observation.mask, mask)


def test_a_pair_whose_sizes_disagree_is_refused_with_the_sizes(tmp_path):
    folder = make_pairs(tmp_path / "pairs", lambda clean, index: clean[:60])
    with pytest.raises(
        rc.RestoreError,
        match=r"astronaut.png is 64×60 colour: the denoise task restores it to "
        r"64×60 colour, but its clean image is 64×64 colour",
    ):
        protocols.paired_observation(
            "denoise", clean_photo("astronaut"), datasets.open_dataset(str(folder), None).images[0].pair
        )


def test_blind_deblurring_refuses_paired_data(tmp_path, capsys):
    folder = camera_pairs(tmp_path / "camera")
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path / "out", "deblur", "--blind", "--datasets", str(folder))
    assert exit_info.value.code == 2
    assert "holds degraded pairs: run them without --blind" in capsys.readouterr().err
