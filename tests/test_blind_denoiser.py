"""The blind real-noise denoiser: BlindDeconvUNet, its camera-noise training data, training and inference."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
import torch
from safetensors.torch import load_file

import restore_core as rc
from restore_core import train
from restore_core.methods import learned
from restore_core.nets import specs
from restore_core.nets.blind import BlindDeconvUNet
from restore_core.nets.models import run_blind_unet
from restore_core.nets.unet import DeconvUNet
from restore_core.nets.weights import build_network, save_weights
from restore_core.tasks.denoise import local_noise_level
from restore_core.training import checkpoints


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    """An empty weights folder the model specs point at."""
    folder = tmp_path / "weights"
    folder.mkdir()
    monkeypatch.setattr(specs, "WEIGHTS_DIR", folder)
    return folder


def write_untrained(name: str, seed: int = 0) -> None:
    spec = specs.get_spec(name)
    torch.manual_seed(seed)
    save_weights(build_network(spec.architecture, spec.config), spec.config, spec.path)


def test_a_condition_map_that_varies_is_taken_as_it_is_and_a_constant_one_as_a_vector():
    torch.manual_seed(0)
    network = DeconvUNet(channels=3, widths=(8, 16), condition=1).eval()
    image = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        as_vector = network(image, torch.full((2, 1), 0.1))
        as_map = network(image, torch.full((2, 1, 16, 16), 0.1))
        varying = network(image, torch.linspace(0, 0.2, 16).expand(2, 1, 16, 16))
    torch.testing.assert_close(as_map, as_vector)
    assert not torch.allclose(varying, as_vector)


def test_the_blind_network_estimates_a_positive_map_and_learns_from_its_loss():
    torch.manual_seed(0)
    network = BlindDeconvUNet(channels=3, widths=(8, 16), estimator_width=8, estimator_depth=3)
    image, clean = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16)
    level = torch.full((2, 1, 16, 16), 0.05)
    estimate = network.noise_map(image)
    assert estimate.shape == (2, 1, 16, 16) and (estimate > 0).all() and float(estimate.detach().mean()) < 0.05
    assert network(image).shape == image.shape and network(image, level).shape == image.shape  # blind: ignores it
    loss = network.loss(image, level, clean)
    loss.backward()
    assert torch.isfinite(loss) and network.estimator[0].weight.grad.abs().sum() > 0


def test_camera_training_patches_come_with_their_true_local_noise_level():
    clean = np.stack([rc.to_float(skimage.data.astronaut())[i * 40 : i * 40 + 48, 100:148] for i in range(4)])
    task = rc.get_task("denoise")
    noisy, levels = task.training_inputs(clean, np.random.default_rng(0), specs.get_spec("unet_camera").task_config)
    assert noisy.shape == clean.shape and levels.shape == (4, 48, 48, 1) and (levels >= 0).all()
    np.testing.assert_allclose(levels[0], local_noise_level(noisy[0], clean[0]))
    medium = task.training_inputs(clean, np.random.default_rng(1), {"noise": "camera"}, level="validation")[1]
    assert 1.0 / 255 < float(medium.mean()) < 40.0 / 255  # the validation level is the medium camera level
    _, condition = task.training_inputs(clean, np.random.default_rng(0), specs.get_spec("unet_color").config)
    assert condition.shape == (4, 1)  # the other denoisers keep their scalar noise level


def test_blind_inference_tiles_like_one_pass_and_returns_the_noise_map(weights_dir):
    write_untrained("unet_camera")
    image = np.random.default_rng(0).random((301, 270, 3)).astype(np.float32)
    whole, level = run_blind_unet("unet_camera", image, device="cpu", tile=1024)
    tiled, tiled_level = run_blind_unet("unet_camera", image, device="cpu", tile=128)
    assert whole.shape == image.shape and level.shape == image.shape[:2] and (level > 0).all()
    np.testing.assert_allclose(tiled, whole, atol=1e-4)
    np.testing.assert_allclose(tiled_level, level, atol=1e-5)
    with pytest.raises(rc.RestoreError, match="takes 3-channel images"):
        run_blind_unet("unet_camera", image[..., 0], device="cpu")
    observation = rc.degrade(image, "denoise", camera="low", seed=0)
    np.testing.assert_array_equal(learned.camera_unet(observation, "cpu", 1024), run_blind_unet(
        "unet_camera", observation.image, device="cpu", tile=1024)[0])  # fmt: skip
    gray = rc.Observation(image[..., 1], "denoise", image.shape[:2], sigma=None)
    three = run_blind_unet("unet_camera", np.repeat(image[..., 1:2], 3, axis=-1), device="cpu", tile=1024)[0]
    np.testing.assert_allclose(learned.camera_unet(gray, "cpu", 1024), three.mean(axis=-1), atol=1e-6)


@pytest.fixture
def tiny_colour_root(tmp_path):
    """A data root whose train/BSDS400 holds 12 small colour crops."""
    astronaut = rc.to_float(skimage.data.astronaut())
    folder = tmp_path / "data" / "train" / "BSDS400"
    folder.mkdir(parents=True)
    for index in range(12):
        top, left = 40 * (index // 4) + 60, 100 * (index % 4) + 20
        rc.save_image(astronaut[top : top + 80, left : left + 80], folder / f"{index:03d}.png")
    return tmp_path / "data"


def test_the_camera_model_starts_from_the_colour_denoiser_and_trains_on_camera_noise(
    tiny_colour_root, tmp_path, weights_dir
):
    options = ["unet_camera", "--data-root", str(tiny_colour_root), "--steps", "12", "--batch", "4", "--patch", "32"]
    options += ["--lr", "1e-3", "--run-dir", str(tmp_path / "camera"), "--validate-every", "12", "--device", "cpu"]
    with pytest.raises(SystemExit):  # it starts from unet_color, which must ship
        train.main(options, report=lambda _: None)
    write_untrained("unet_color", seed=3)
    assert train.main([*options, "--export", "--weights-dir", str(weights_dir)], report=lambda _: None) == 0
    spec = specs.get_spec("unet_camera")
    network = build_network(spec.architecture, spec.config)
    state = checkpoints.load_checkpoint(tmp_path / "camera" / checkpoints.CHECKPOINT, network,
                                        torch.optim.Adam(network.parameters()))  # fmt: skip
    assert state["init"] == "unet_color" and [step for step, *_ in state["history"]] == [0, 12]
    start = load_file(str(specs.get_spec("unet_color").path))
    head = network.denoiser.head.weight.detach()
    assert not torch.equal(head, start["head.weight"])  # trained from there ...
    assert torch.allclose(head, start["head.weight"], atol=0.05)  # ... a few small steps away
    card = (weights_dir / "unet_camera.md").read_text(encoding="utf-8")
    assert "simulated camera noise" in card and "camera noise, medium level" in card
