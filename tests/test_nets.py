"""Tests of the networks (the blind real-noise one too), tiled inference, weights, training and the learned methods."""

from __future__ import annotations

import itertools
import json
from types import SimpleNamespace

import numpy as np
import pytest
import skimage.data
import torch
from safetensors.torch import load_file

import restore_core as rc
from restore_core import train
from restore_core.codecs import learned as codecs_learned
from restore_core.methods import learned
from restore_core.nets import specs
from restore_core.nets.blind import BlindDeconvUNet
from restore_core.nets.models import run_blind_unet, run_sr, run_unet
from restore_core.nets.sr import DeconvSR
from restore_core.nets.tiling import tile_layout
from restore_core.nets.unet import DeconvUNet, pad_to_multiple
from restore_core.nets.weights import build_network, load_network, save_weights
from restore_core.tasks.denoise import local_noise_level
from restore_core.training import checkpoints, data, loop


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    """An empty weights folder the model specs point at."""
    folder = tmp_path / "weights"
    folder.mkdir()
    monkeypatch.setattr(specs, "WEIGHTS_DIR", folder)
    return folder


def write_untrained(name: str, seed: int = 0) -> None:
    """An untrained (seeded) network of a model, saved as its weights file."""
    spec = specs.get_spec(name)
    torch.manual_seed(seed)
    network = build_network(spec.architecture, spec.config)
    save_weights(network, spec.config, spec.path)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_sr_network_upsamples_by_its_scale_with_a_transposed_convolution(scale):
    network = DeconvSR(scale)
    assert isinstance(network.upsample, torch.nn.ConvTranspose2d)
    assert network(torch.rand(2, 1, 9, 14)).shape == (2, 1, 9 * scale, 14 * scale)


def test_unet_decodes_with_transposed_convolutions_and_pads_any_size():
    network = DeconvUNet(3, widths=(8, 16, 32), blocks=1)
    assert all(isinstance(layer, torch.nn.ConvTranspose2d) for layer in network.up)
    image, (height, width) = pad_to_multiple(torch.rand(1, 3, 21, 30), network.multiple)
    assert image.shape[-2:] == (24, 32) and (height, width) == (21, 30)
    assert network(image, torch.tensor([[0.1]])).shape == image.shape


@pytest.mark.parametrize("length", [104, 128, 136, 304, 608, 904, 1224, 4096])
def test_tile_layout_covers_the_image_on_the_grid_with_the_fewest_smallest_tiles(length):
    size, starts = tile_layout(length, 128, 48, align=8)
    assert size <= 128 and size % 8 == 0 and all(start % 8 == 0 for start in starts)
    assert starts[0] == 0 and starts[-1] == length - size
    assert all(nxt - start <= size - 2 * 48 for start, nxt in itertools.pairwise(starts))  # enough shared context
    fewest = 1 if length <= 128 else -(-(length - 2 * 48) // (128 - 2 * 48))
    assert len(starts) == fewest
    assert size * len(starts) < length + 2 * 48 * (len(starts) - 1) + 8 * len(starts)  # no more than alignment waste
    assert tile_layout(100, 128, 48) == (100, [0])


@pytest.mark.parametrize("name", ["unet_gray", "unet_color"])
def test_tiled_denoising_matches_one_pass(weights_dir, name):
    write_untrained(name)
    channels = specs.get_spec(name).channels
    image = np.random.default_rng(0).random((301, 270, 3) if channels == 3 else (301, 270)).astype(np.float32)
    whole = run_unet(name, image, 0.1, device="cpu", tile=1024)
    tiled = run_unet(name, image, 0.1, device="cpu", tile=128)
    assert whole.shape == image.shape
    np.testing.assert_allclose(tiled, whole, atol=1e-4)


def test_tiled_super_resolution_matches_one_pass(weights_dir):
    write_untrained("sr_x3")
    low = np.random.default_rng(1).random((90, 77)).astype(np.float32)
    whole = run_sr("sr_x3", low, device="cpu", tile=512)
    np.testing.assert_allclose(run_sr("sr_x3", low, device="cpu", tile=64), whole, atol=1e-4)
    assert whole.shape == (270, 231)


def test_bfloat16_inference_is_close_to_float32_and_returns_float32(weights_dir):
    write_untrained("unet_gray")
    write_untrained("sr_x2")
    image = np.random.default_rng(2).random((40, 56)).astype(np.float32)
    exact = run_unet("unet_gray", image, 0.1, device="cpu")
    fast = run_unet("unet_gray", image, 0.1, device="cpu", precision="bfloat16")
    assert fast.dtype == np.float32 and fast.shape == exact.shape and not np.array_equal(fast, exact)
    assert np.abs(fast - exact).max() < 0.05 * max(np.abs(exact).max(), 1.0)
    upscaled = run_sr("sr_x2", image, device="cpu", precision="bfloat16")
    assert upscaled.dtype == np.float32 and upscaled.shape == (80, 112)
    with pytest.raises(rc.RestoreError, match="precision must be one of float32, bfloat16"):
        run_unet("unet_gray", image, 0.1, device="cpu", precision="float16")


def test_missing_corrupted_and_mismatched_weights_raise_naming_the_file(weights_dir):
    path = specs.get_spec("unet_gray").path
    with pytest.raises(rc.RestoreError, match=r"unet_gray\.safetensors is missing.*restore_core\.train unet_gray"):
        run_unet("unet_gray", np.zeros((16, 16), np.float32), 0.1, device="cpu")
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(rc.RestoreError, match=r"unet_gray\.safetensors is unreadable or corrupted"):
        load_network(path)
    network = DeconvUNet(1, widths=(8, 16))
    save_weights(network, {"channels": 1, "widths": (8, 16)}, path)
    network.load_state_dict({**network.state_dict(), "tail.bias": torch.tensor([np.nan])})
    save_weights(network, {"channels": 1, "widths": (8, 16)}, path)
    with pytest.raises(rc.RestoreError, match="NaN"):
        load_network(path)
    save_weights(DeconvSR(2), {"scale": 2}, path)
    with pytest.raises(rc.RestoreError, match="holds architecture 'DeconvSR', expected DeconvUNet"):
        load_network(path, "DeconvUNet")
    config = specs.get_spec("unet_gray").config
    save_weights(DeconvUNet(1, widths=(8, 16)), config, path)  # shapes do not fit the config
    with pytest.raises(rc.RestoreError, match="does not fit the DeconvUNet network"):
        load_network(path)


def test_wrong_channel_count_is_refused(weights_dir):
    write_untrained("unet_gray")
    with pytest.raises(rc.RestoreError, match="takes 1-channel images, got 3"):
        run_unet("unet_gray", np.zeros((16, 16, 3), np.float32), 0.1, device="cpu")


def test_learned_methods_run_with_shipped_weights_only_through_their_files(weights_dir):
    write_untrained("unet_gray")
    clean = rc.to_float(skimage.data.camera())[:64, :64]
    observation = rc.degrade(clean, "denoise", sigma=20, seed=0)
    blind = rc.Observation(observation.image, "denoise", clean.shape)
    known = learned.deconv_unet(observation, sigma=None, device="cpu", tile=512)
    np.testing.assert_array_equal(known, learned.deconv_unet(observation, sigma=20.0, device="cpu", tile=512))
    estimated = learned.deconv_unet(blind, sigma=None, device="cpu", tile=512)
    assert estimated.shape == clean.shape and not np.array_equal(estimated, known)
    colour = rc.degrade(rc.to_float(skimage.data.astronaut())[:32, :32], "denoise", sigma=10, seed=0)
    assert learned.deconv_unet(colour, sigma=None, device="cpu", tile=512).shape == (32, 32, 3)
    specs.get_spec("unet_gray").path.unlink()
    with pytest.raises(rc.RestoreError, match=r"unet_gray\.safetensors is missing"):  # known level: opponent channels
        learned.deconv_unet(colour, sigma=None, device="cpu", tile=512)
    unknown = rc.Observation(colour.image, "denoise", colour.image.shape, sigma=None)
    with pytest.raises(rc.RestoreError, match=r"unet_color\.safetensors is missing"):  # estimated: the colour model
        learned.deconv_unet(unknown, sigma=None, device="cpu", tile=512)
    write_untrained("unet_color")  # only the colour model ships: every colour image goes through it
    assert learned.deconv_unet(colour, sigma=None, device="cpu", tile=512).shape == (32, 32, 3)


def test_self_ensemble_averages_the_eight_flips_and_rotations_and_is_flip_equivariant(weights_dir):
    write_untrained("unet_gray")
    clean = rc.to_float(skimage.data.camera())[100:148, 200:264]
    observation = rc.degrade(clean, "denoise", sigma=20, seed=0)
    ensemble = learned.deconv_unet(observation, None, "cpu", 512, ensemble=True)
    passes = []
    for image, unflip in ((observation.image, lambda x: x), (observation.image[:, ::-1], lambda x: x[:, ::-1])):
        for turns in range(4):
            output = learned.unet_denoise(np.ascontiguousarray(np.rot90(image, turns)), 20.0, "cpu")
            passes.append(unflip(np.rot90(output, -turns)))
    np.testing.assert_allclose(ensemble, np.mean(passes, axis=0), atol=1e-5)
    assert not np.allclose(passes[0], ensemble, atol=1e-4)  # the single pass differs from the mean
    flipped = rc.Observation(np.ascontiguousarray(observation.image[:, ::-1]), "denoise", clean.shape, sigma=20)
    np.testing.assert_allclose(learned.deconv_unet(flipped, None, "cpu", 512, ensemble=True)[:, ::-1], ensemble,
                               atol=1e-5)  # fmt: skip


def test_opponent_transform_is_orthonormal_and_maps_through_the_gray_model(weights_dir, monkeypatch):
    np.testing.assert_allclose(learned.OPPONENT @ learned.OPPONENT.T, np.eye(3), atol=1e-12)
    write_untrained("unet_gray")
    levels = []

    def identity_network(name, image, condition, **options):
        assert name == "unet_gray" and image.min() >= -1e-6 and image.max() <= 1 + 1e-6
        levels.append(condition)
        return image

    monkeypatch.setattr("restore_core.nets.models.run_unet", identity_network)
    colour = rc.to_float(skimage.data.astronaut())[:16, :16]
    np.testing.assert_allclose(learned.unet_denoise(colour, 25.0), colour, atol=1e-5)
    assert len(levels) == 3 and all(level <= 25 / 255 + 1e-9 for level in levels)


def test_colour_prior_picks_the_colour_model_or_the_gray_model_on_opponent_channels(weights_dir, monkeypatch):
    write_untrained("unet_gray")
    write_untrained("unet_color")
    calls, inputs = [], []

    def identity_network(name, image, condition, **options):
        calls.append(name)
        inputs.append((image.shape, condition))
        return image

    monkeypatch.setattr("restore_core.nets.models.run_unet", identity_network)
    colour = rc.to_float(skimage.data.astronaut())[:16, :16]
    learned.unet_denoise(colour, 10.0)
    learned.unet_denoise(colour, 10.0, colour_prior="opponent")
    learned.unet_denoise(colour, 10.0, colour_prior="opponent_half")  # too small to shrink
    assert calls == ["unet_color"] + ["unet_gray"] * 6
    assert [shape for shape, _ in inputs] == [(16, 16, 3)] + [(16, 16)] * 6
    inputs.clear()
    large = rc.to_float(skimage.data.astronaut())[100:230, 100:229]
    smooth = learned.unet_denoise(large, 10.0, colour_prior="opponent_half")
    assert [shape for shape, _ in inputs] == [(130, 129), (65, 65), (65, 65)]
    assert inputs[1][1] < inputs[0][1] and smooth.shape == large.shape  # chroma shrunk: less noise left in it
    luminance = large @ learned.OPPONENT[0]
    np.testing.assert_allclose(smooth @ learned.OPPONENT[0], luminance, atol=1e-5)  # the identity keeps luminance
    with pytest.raises(rc.RestoreError, match="colour_prior must be one of colour, opponent"):
        learned.unet_denoise(colour, 10.0, colour_prior="rgb")
    observation = rc.degrade(colour, "deblur", kernel=rc.gaussian_kernel(1.0), sigma=2.55, seed=0)
    calls.clear()
    rc.restore(observation, "wiener_unet", colour_prior="colour")
    assert calls == ["unet_color"]
    with pytest.raises(rc.RestoreError):
        rc.restore(observation, "pnp_unet", colour_prior="rgb")
    noisy = rc.degrade(colour, "denoise", sigma=10.0, seed=0)
    calls.clear()
    rc.restore(noisy, "deconv_unet")  # white noise of a known level: the gray model on the opponent channels
    rc.restore(noisy, "deconv_unet", colour_prior="colour")
    assert calls == ["unet_gray"] * 3 + ["unet_color"]
    calls.clear()
    blind = rc.Observation(noisy.image, "denoise", noisy.image.shape, sigma=None)  # the level unknown
    rc.restore(blind, "deconv_unet")  # estimated: the colour model
    rc.restore(blind, "deconv_unet", sigma=10.0)  # given
    assert calls == ["unet_color"] + ["unet_gray"] * 3


def test_learned_super_resolution_keeps_the_clean_shape(weights_dir):
    write_untrained("sr_x2")
    clean = rc.to_float(skimage.data.astronaut())[:50, :64]
    observation = rc.degrade(clean, "sr", scale=2)
    assert learned.deconv_sr(observation, device="cpu").shape == clean.shape
    with pytest.raises(rc.RestoreError, match=r"sr_x3\.safetensors is missing"):
        learned.deconv_sr(rc.degrade(clean[:48, :48], "sr", scale=3), device="cpu")


def test_learned_jpeg_restoration_takes_the_quality_and_any_image_kind(weights_dir, monkeypatch):
    write_untrained("jpeg_gray")
    gray = rc.to_float(skimage.data.camera())[:40, :56]
    observation = rc.degrade(gray, "jpeg", quality=20)
    restored = learned.deconv_jpeg(observation, None, device="cpu", tile=512)
    assert restored.shape == gray.shape and 0 <= restored.min() <= restored.max() <= 1
    conditions = []

    def identity_network(name, image, condition, **options):
        assert name == "jpeg_gray" and image.ndim == 2
        conditions.append(condition)
        return image

    monkeypatch.setattr("restore_core.nets.models.run_unet", identity_network)
    colour = rc.degrade(rc.to_float(skimage.data.astronaut())[:32, :32], "jpeg", quality=30)
    np.testing.assert_allclose(learned.deconv_jpeg(colour, None, "cpu", 512), np.clip(colour.image, 0, 1), atol=1e-5)
    assert conditions == [0.3] * 3  # each YCbCr channel by the gray model while no colour model ships
    learned.deconv_jpeg(colour, 60, "cpu", 512)
    assert conditions[-1] == 0.6


@pytest.fixture
def tiny_data_root(tmp_path):
    """A data root whose train/Train400 holds 12 small gray crops and train/BSDS400 12 colour ones."""
    camera = rc.to_float(skimage.data.camera())
    astronaut = rc.to_float(skimage.data.astronaut())
    for name, image in (("Train400", camera), ("BSDS400", astronaut)):
        folder = tmp_path / "data" / "train" / name
        folder.mkdir(parents=True)
        for index in range(12):
            top, left = 40 * (index // 4) + 60, 100 * (index % 4) + 20
            rc.save_image(image[top : top + 80, left : left + 80], folder / f"{index:03d}.png")
    return tmp_path / "data"


def test_jpeg_model_trains_on_compressed_patches(tiny_data_root, tmp_path, weights_dir):
    options = ["jpeg_gray", "--data-root", str(tiny_data_root), "--steps", "30", "--batch", "4", "--patch", "32"]
    options += ["--lr", "1e-3", "--run-dir", str(tmp_path / "jpeg"), "--validate-every", "30", "--device", "cpu"]
    assert train.main([*options, "--export", "--weights-dir", str(weights_dir)], report=lambda _: None) == 0
    state = checkpoints.load_checkpoint(tmp_path / "jpeg" / checkpoints.CHECKPOINT, *_network_and_optimizer())
    (_, _, before), (_, _, after) = state["history"]
    assert after > before  # the identity-initialised residual network learns to deblock
    card = (weights_dir / "jpeg_gray.md").read_text(encoding="utf-8")
    assert "quality uniform in [5, 95]" in card and "quality 10" in card and "BSDS400" in card


def test_training_smoke_improves_validation_resumes_and_exports_loadable_weights(tiny_data_root, tmp_path, weights_dir):
    options = ["unet_gray", "--data-root", str(tiny_data_root), "--batch", "4", "--patch", "32", "--lr", "1e-3"]
    options += ["--validate-every", "10", "--device", "cpu", "--weights-dir", str(weights_dir), "--steps"]
    first, fresh = ["--run-dir", str(tmp_path / "run")], ["--run-dir", str(tmp_path / "fresh")]
    messages: list[str] = []
    assert train.main([*options, "40", *first, "--until", "20"], report=messages.append) == 0
    assert "step 20/40" in messages[-1]
    with pytest.raises(SystemExit):  # an existing checkpoint needs --resume
        train.main([*options, "40", *first], report=messages.append)
    assert train.main([*options, "40", *first, "--resume", "--until", "30", "--export"], messages.append) == 0
    assert "step 30/40" in messages[-2]
    _network, metadata = load_network(specs.get_spec("unet_gray").path, "DeconvUNet")
    assert metadata["steps"] == "30"
    card = (weights_dir / "unet_gray.md").read_text(encoding="utf-8")
    assert "python -m restore_core.train unet_gray" in card and "| 30 |" in card and "Train400" in card
    # A fresh checkout has no run folder: --resume continues the run stored in the exported weights...
    assert train.main([*options, "40", *fresh, "--resume", "--export"], report=messages.append) == 0
    state = checkpoints.load_checkpoint(tmp_path / "fresh" / checkpoints.CHECKPOINT, *_network_and_optimizer())
    steps, _, values = zip(*state["history"], strict=True)
    assert steps == (0, 10, 20, 30, 40) and values[-1] > values[0] + 1.0 and state["optimizer_restarts"] == [30]
    assert "restarted at step 30" in (weights_dir / "unet_gray.md").read_text(encoding="utf-8")
    # ... if it has the same configuration, but for the schedule's length, which may change (and not shrink).
    with pytest.raises(SystemExit):
        train.main([*options, "40", "--lr", "5e-4", "--run-dir", str(tmp_path / "other"), "--resume"], messages.append)
    with pytest.raises(SystemExit):
        train.main([*options, "35", *fresh, "--resume"], report=messages.append)
    assert train.main([*options, "60", *fresh, "--resume", "--until", "50", "--export"], messages.append) == 0
    state = checkpoints.load_checkpoint(tmp_path / "fresh" / checkpoints.CHECKPOINT, *_network_and_optimizer())
    assert state["step"] == 50 and state["config"]["steps"] == 60
    assert state["schedule"] == [[0, 1e-3, 40], [40, pytest.approx(1e-5), 60]]
    assert "from step 40, cosine from 1e-05 to step 60" in (weights_dir / "unet_gray.md").read_text(encoding="utf-8")


def test_a_changed_schedule_continues_the_learning_rate_without_a_jump():
    config = loop.TrainConfig("unet_gray", steps=100, batch=4, patch=32, lr=1e-3, seed=0)
    assert loop.learning_rate(config, 0) == pytest.approx(1e-3) and loop.learning_rate(config, 100) == 1e-5
    at_40 = loop.learning_rate(config, 40)
    schedule = [[0, 1e-3, 100], [40, at_40, 60]]
    shorter = loop.TrainConfig("unet_gray", steps=60, batch=4, patch=32, lr=1e-3, seed=0)
    assert loop.learning_rate(shorter, 39, schedule) == pytest.approx(loop.learning_rate(config, 39))
    assert loop.learning_rate(shorter, 40, schedule) == pytest.approx(at_40)
    assert loop.learning_rate(shorter, 50, schedule) == pytest.approx(1e-5 + (at_40 - 1e-5) / 2)
    assert loop.learning_rate(shorter, 60, schedule) == pytest.approx(1e-5)


def test_training_in_bfloat16_autocast_on_a_cpu_is_recorded_and_still_learns(tiny_data_root, tmp_path, weights_dir):
    options = ["unet_gray", "--data-root", str(tiny_data_root), "--steps", "20", "--batch", "4", "--patch", "32"]
    options += ["--lr", "1e-3", "--run-dir", str(tmp_path / "mixed"), "--validate-every", "20", "--device", "cpu"]
    assert train.main([*options, "--precision", "bfloat16", "--export", "--weights-dir", str(weights_dir)],
                      report=lambda _: None) == 0  # fmt: skip
    state = checkpoints.load_checkpoint(tmp_path / "mixed" / checkpoints.CHECKPOINT, *_network_and_optimizer())
    assert state["device"].endswith("bfloat16 autocast") and "then" not in state["device"]
    (_, _, before), (_, loss, after) = state["history"]
    assert np.isfinite(loss) and after > before
    assert "bfloat16 autocast" in (weights_dir / "unet_gray.md").read_text(encoding="utf-8")


def test_the_codec_trains_on_clean_patches_and_exports_its_coding_tables(tiny_data_root, tmp_path, weights_dir):
    options = ["codec_hyper", "--data-root", str(tiny_data_root), "--steps", "12", "--batch", "2", "--patch", "64"]
    options += ["--lr", "1e-3", "--run-dir", str(tmp_path / "codec"), "--validate-every", "6", "--device", "cpu"]
    messages: list[str] = []
    assert train.main([*options, "--export", "--weights-dir", str(weights_dir)], report=messages.append) == 0
    assert "step 12/12, validation loss" in messages[0]
    network, metadata = load_network(specs.get_spec("codec_hyper").path, "DeconvCodec")
    state = json.loads(metadata[checkpoints.RUN_STATE])
    assert [step for step, _loss, _value in state["history"]] == [0, 6, 12]
    assert state["history"][-1][2] < state["history"][0][2]  # the rate-distortion loss falls
    assert float(network.hyper_pmf.sum(dim=1).min()) > 0.99 and float(network.latent_pmf.max()) > 0
    card = (weights_dir / "codec_hyper.md").read_text(encoding="utf-8")
    assert "Validation rate–distortion loss (lower is better)" in card and "quality uniform in [1, 100]" in card
    codec = codecs_learned.LoadedCodec(network)
    pixels = rc.to_uint8(rc.to_float(skimage.data.astronaut())[:70, :90])
    payload = codecs_learned.encode(pixels, 40, codec)
    assert codecs_learned.decode(payload, pixels.shape, 40, codec).shape == pixels.shape


def _network_and_optimizer():
    spec = specs.get_spec("unet_gray")
    network = build_network(spec.architecture, spec.config)
    return network, torch.optim.Adam(network.parameters())


def test_training_refuses_patches_larger_than_the_images_and_non_positive_settings(tiny_data_root, tmp_path, capsys):
    base = ["unet_gray", "--data-root", str(tiny_data_root), "--run-dir", str(tmp_path / "run"), "--device", "cpu"]
    for options, message in ((["--patch", "200"], "do not fit the smallest training image"),
                             (["--batch", "0"], "not a positive integer"),
                             (["--restart-lr", "1e-4"], "(--restart-lr) continues a run: pass --resume"),
                             (["--workers", "-1"], "--workers must be 0 or more"),
                             (["--fit-schedule"], "--fit-schedule needs --minutes")):  # fmt: skip
        with pytest.raises(SystemExit):
            train.main([*base, *options], report=lambda _: None)
        assert message in capsys.readouterr().err


def test_batch_stream_is_the_same_whatever_the_number_of_workers():
    spec = specs.get_spec("jpeg_gray")
    images = [np.random.default_rng(index).random((40, 40, 1), dtype=np.float32) for index in range(3)]
    config = loop.TrainConfig("jpeg_gray", steps=100, batch=2, patch=16, lr=1e-3, seed=3)
    streams = [
        list(
            itertools.islice(
                data.batch_loader(
                    data.BatchStream(spec, images, config.batch, config.seed, 16, 5), workers, torch.device("cpu")
                ),
                5,
            )
        )
        for workers in (0, 2)
    ]
    for (step, *batch), (other_step, *other) in zip(*streams, strict=True):
        assert step == other_step and all(torch.equal(a, b) for a, b in zip(batch, other, strict=True))
    assert [step for step, *_ in streams[0]] == [5, 6, 7, 8, 9]
    assert not torch.equal(streams[0][0][1], streams[0][1][1])  # each step draws its own patches


def test_fit_schedule_ends_the_learning_rate_decay_with_the_time_budget(tiny_data_root, tmp_path, monkeypatch):
    monkeypatch.setattr(loop, "FIT_WARMUP", 6)
    ticks = itertools.count(0.0, 0.05)  # a clock that advances 0.05 s per reading: no dependence on machine load
    monkeypatch.setattr(loop, "time", SimpleNamespace(monotonic=lambda: next(ticks)))
    options = ["unet_gray", "--data-root", str(tiny_data_root), "--batch", "2", "--patch", "16", "--device", "cpu"]
    options += ["--steps", "100000", "--run-dir", str(tmp_path / "fit"), "--validate-every", "1000"]
    with pytest.raises(SystemExit):  # there is no budget to fit without --minutes
        train.main([*options, "--fit-schedule"], report=lambda _: None)
    messages: list[str] = []
    assert train.main([*options, "--fit-schedule", "--minutes", "0.05"], report=messages.append) == 0
    state = checkpoints.load_checkpoint(tmp_path / "fit" / checkpoints.CHECKPOINT, *_network_and_optimizer())
    length = state["config"]["steps"]
    assert 6 < length < 100000 and state["schedule"] == [[0, 2e-4, 100000], [6, pytest.approx(2e-4), length]]
    assert state["step"] == length and f"/{length}," in messages[-1]  # the decay ended within the budget


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


@pytest.mark.parametrize("model", ["unet_camera", "unet_color"])
def test_colour_training_targets_are_saturated_at_random_and_validation_patches_never(model):
    clean = np.stack([rc.to_float(skimage.data.astronaut())[i * 28 : i * 28 + 48, 100:148] for i in range(16)])
    spec = specs.get_spec(model)
    largest = spec.task_config["saturation"][1]
    augmented = rc.get_task("denoise").augment_clean(clean, np.random.default_rng(0), spec.task_config)
    assert augmented.dtype == clean.dtype and augmented.min() >= 0 and augmented.max() <= 1

    def chroma(patches: np.ndarray) -> np.ndarray:
        return np.abs(patches - patches.mean(axis=-1, keepdims=True)).mean(axis=(1, 2, 3))

    boosted = chroma(augmented) > chroma(clean) * 1.01
    assert 0 < boosted.sum() < len(clean)  # a share of the patches, not all of them
    assert np.array_equal(augmented[~boosted], clean[~boosted])
    assert np.all(chroma(augmented) <= chroma(clean) * largest + 1e-6)
    _, _, target = data.make_batch(spec, clean, np.random.default_rng(0))
    np.testing.assert_allclose(target.numpy(), np.moveaxis(augmented, -1, 1))  # the network restores what was noised
    level = rc.get_task("denoise").validation_level
    _, _, target = data.make_batch(spec, clean, np.random.default_rng(0), level=level)
    np.testing.assert_array_equal(target.numpy(), np.moveaxis(clean, -1, 1))
    unsaturated = specs.get_spec("unet_color_s").task_config  # a model size trained without it
    assert rc.get_task("denoise").augment_clean(clean, np.random.default_rng(0), unsaturated) is clean


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


def test_the_camera_model_starts_from_the_colour_denoiser_and_trains_on_camera_noise(
    tiny_data_root, tmp_path, weights_dir
):
    options = ["unet_camera", "--data-root", str(tiny_data_root), "--steps", "12", "--batch", "4", "--patch", "32"]
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
