"""Tests of ``python -m eval.real``: real blurry photos restored with the reflect model, crops and a section."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data

import restore_core as rc
from eval import real


@pytest.fixture
def real_root(tmp_path):
    """A data root holding one blurry photo (80x96 colour) and its off-centre kernel picture."""
    folder = tmp_path / real.REAL_BLUR
    folder.mkdir(parents=True)
    clean = rc.to_float(skimage.data.astronaut()[::4, ::4][:80, :96])
    kernel = np.zeros((9, 9))
    kernel[2, 2:7] = 1.0  # off-centre line: the command centres it
    blurry = rc.degrade(clean, "deblur", kernel=kernel, boundary="reflect", sigma=1.0, seed=0).image
    rc.save_image(np.clip(blurry, 0, 1), folder / "street.png")
    rc.save_image(kernel, folder / "street_kernel.png")
    return tmp_path


def test_real_photos_are_restored_cropped_and_described(real_root, tmp_path):
    out = tmp_path / "docs" / "results" / "real"
    assert (
        real.main(["--data-root", str(real_root), "--photos", "street", "--methods", "wiener", "--out", str(out)]) == 0
    )
    section = (out / real.SECTION).read_text(encoding="utf-8")
    assert section.startswith("## Real blurry photos (no ground truth)") and "python -m eval.real" in section
    assert "| street (96x80, kernel 13px), detail |" in section and "- street: seconds for the whole photo" in section
    crops = sorted(path.name for path in out.glob("*.png"))
    assert crops == sorted(f"street_{place}_{name}.png" for place in ("detail", "corner")
                           for name in ("blurry_input", "Wiener"))  # fmt: skip
    assert rc.load_image(out / "street_corner_Wiener.png").shape == (80, 96, 3)


def test_missing_photos_or_methods_are_refused(real_root, tmp_path, capsys):
    for options, message in ((["--photos", "nowhere"], "no photo nowhere"), (["--methods", "magic"], "magic")):
        with pytest.raises(SystemExit):
            real.main(["--data-root", str(real_root), "--out", str(tmp_path / "out"), *options])
        assert message in capsys.readouterr().err


def test_real_noisy_photos_are_denoised_blind_with_the_noise_map_beside(tmp_path):
    from eval import real_noise

    folder = tmp_path / real_noise.REAL_NOISE
    folder.mkdir(parents=True)
    clean = rc.to_float(skimage.data.astronaut()[::4, ::4][:80, :96])
    rc.save_image(rc.degrade(clean, "denoise", camera="high", seed=0).image, folder / "street.png")
    rc.save_image(clean, folder / "quiet.jpg")
    out = tmp_path / "docs" / "results" / "real_noise"
    options = ["--data-root", str(tmp_path), "--photos", "street", "--methods", "tv", "camera_unet", "--out", str(out)]
    assert real_noise.main(options) == 0
    section = (out / real_noise.SECTION).read_text(encoding="utf-8")
    assert section.startswith("## Real noisy photos (no ground truth)") and "python -m eval.real_noise" in section
    assert "| street.png (96x80; white-noise estimate σ " in section and "- street.png: tv " in section
    crops = sorted(path.name for path in out.glob("*.png"))
    names = ("noisy_input", "TV_Chambolle", "DeconvUNet_real_noise_learned", "camera_unet_s_noise_map")
    assert crops == sorted(f"street_{name}.png" for name in names)
    assert [path.name for path in real_noise.photo_files(folder, None)] == ["quiet.jpg", "street.png"]
    with pytest.raises(rc.RestoreError, match="no photo cloudy in"):
        real_noise.photo_files(folder, ["cloudy"])
    with pytest.raises(rc.RestoreError, match="wiener does not denoise"):
        real_noise.run(tmp_path, ["street"], ["wiener"], out, "command")
