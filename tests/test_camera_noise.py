"""Simulated real camera noise: the unprocessing pipeline, its noise and its use in observations and the benchmark."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage.data import astronaut, chelsea

import restore_core as rc
from eval import benchmark
from eval.results import RESULTS_FILE, read_results
from restore_core.camera_noise import bayer_sites, demosaic_bilinear, process, random_camera, unprocess

COLOUR = rc.to_float(astronaut())[:192, 160:352]


@pytest.mark.parametrize("seed", range(4))
def test_processing_inverts_unprocessing(seed: int):
    camera = random_camera("medium", np.random.default_rng(seed))
    np.testing.assert_allclose(process(unprocess(COLOUR, camera), camera), COLOUR, atol=1e-6)


def test_a_camera_without_noise_gives_the_image_back():
    noisy, camera = rc.add_camera_noise(COLOUR, 0.0, np.random.default_rng(0))
    assert camera.shot == camera.read == 0.0
    np.testing.assert_array_equal(noisy, rc.quantize(COLOUR))


def test_bilinear_demosaicking_keeps_the_sampled_sites_and_fills_a_constant():
    sites = bayer_sites((6, 8))
    assert sites.sum(axis=-1).tolist() == np.ones((6, 8)).tolist()  # one channel per site
    assert sites[..., 1].mean() == 0.5 and sites[..., 0].mean() == sites[..., 2].mean() == 0.25
    mosaic = np.random.default_rng(0).random((6, 8))
    np.testing.assert_allclose(np.sum(demosaic_bilinear(mosaic) * sites, axis=-1), mosaic)
    np.testing.assert_allclose(demosaic_bilinear(np.full((6, 8), 0.3)), 0.3)


def test_stronger_levels_are_noisier_and_the_noise_is_correlated_and_coloured():
    rng = lambda: np.random.default_rng(5)  # noqa: E731  (the same camera at every level)
    scores = [rc.psnr(COLOUR, rc.add_camera_noise(COLOUR, level, rng())[0]) for level in rc.CAMERA_LEVELS]
    assert scores == sorted(scores, reverse=True) and scores[-1] < scores[0] - 8
    flat = np.full((128, 128, 3), 0.5, dtype=np.float32)
    residual = rc.add_camera_noise(flat, "high", rng())[0] - 0.5
    neighbours = np.corrcoef(residual[:, :-1, 1].ravel(), residual[:, 1:, 1].ravel())[0, 1]
    channels = np.corrcoef(residual.reshape(-1, 3).T)
    assert neighbours > 0.2  # demosaicking spreads each site's noise: white noise would give about 0
    assert abs(channels[0, 2]) > 0.05  # colour correction mixes the channels' noise


def test_brighter_regions_are_noisier_at_the_sensor():
    spreads = []
    for value in (0.15, 0.6):
        image = np.full((96, 96, 3), value, dtype=np.float32)
        noisy, camera = rc.add_camera_noise(image, "high", np.random.default_rng(1))
        spreads.append(np.std(unprocess(noisy, camera) - unprocess(image, camera)))
    assert spreads[1] > 2 * spreads[0]  # shot noise: its variance grows with the recorded signal


def test_camera_noise_is_seeded_and_refuses_what_it_cannot_do():
    first, second = (rc.degrade(COLOUR, "denoise", camera="low", seed=7).image for _ in range(2))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, rc.degrade(COLOUR, "denoise", camera="low", seed=8).image)
    with pytest.raises(rc.RestoreError, match="needs a colour"):
        rc.degrade(COLOUR[..., 0], "denoise", camera="low")
    with pytest.raises(rc.RestoreError, match="unknown camera noise level 'loud'"):
        rc.degrade(COLOUR, "denoise", camera="loud")
    with pytest.raises(rc.RestoreError, match=r"in \[0, 0.05\]"):
        rc.degrade(COLOUR, "denoise", camera=0.5)
    with pytest.raises(rc.RestoreError, match="leave sigma and peak out"):
        rc.degrade(COLOUR, "denoise", camera="low", sigma=5)


def test_a_camera_observation_leaves_the_noise_level_to_the_methods():
    observation = rc.degrade(COLOUR, "denoise", camera="medium", seed=0)
    assert observation.sigma is None and observation.camera == "medium" and observation.clipped
    assert observation.parameters()["camera"] == "medium" and 0 < observation.noise_sigma() < 50
    assert rc.psnr(COLOUR, rc.restore(observation, "deconv_unet")) > rc.psnr(COLOUR, observation.image)
    blurred = rc.degrade(COLOUR, "deblur", kernel=rc.gaussian_kernel(1.0), camera="low", seed=0)
    assert blurred.sigma is None and blurred.image.shape == COLOUR.shape


def _colour_folder(folder: Path) -> Path:
    for name, image in (("a.png", astronaut()[:96, 200:296]), ("b.png", chelsea()[:96, :96])):
        Image.fromarray(image).save(folder / name)
    return folder


def test_the_benchmark_runs_camera_noise_levels(tmp_path: Path):
    (tmp_path / "photos").mkdir()
    data = _colour_folder(tmp_path / "photos")
    out = tmp_path / "out"
    options = ["--task", "denoise", "--camera-noise", "low", "high", "--datasets", str(data), "--methods", "identity"]
    assert benchmark.main([*options, "--out", str(out)]) == 0
    rows = read_results(out / RESULTS_FILE)
    assert sorted(set(rows["level"])) == ["camera high", "camera low"] and (rows["error"] == "").all()
    assert (rows["sigma"] == "").all()  # no single noise level
    assert "Poisson–Gaussian noise at the RGGB sites" in (out / "summary.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--task", "deblur", "--camera-noise", "low"), "--camera-noise applies to --task denoise"),
        (("--task", "denoise", "--camera-noise", "low", "--sigmas", "25"), "--camera-noise replaces --sigmas"),
        (("--task", "denoise", "--camera-noise", "loud"), "invalid choice: 'loud'"),
    ],
)
def test_camera_noise_options_out_of_place_are_refused(capsys: pytest.CaptureFixture[str], options, message):
    with pytest.raises(SystemExit) as stop:
        benchmark.main(list(options))
    assert stop.value.code == 2 and message in capsys.readouterr().err
