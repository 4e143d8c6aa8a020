"""The colour-prior probe (``python -m tools.colour_prior_probe``) on a tiny training folder."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

import restore_core as rc
from restore_core.methods.learned import OPPONENT
from tools import colour_prior_probe


def test_vivid_scales_only_the_chroma_and_stays_in_range() -> None:
    image = rc.to_float(data.astronaut())[::8, ::8]
    boosted = colour_prior_probe.vivid(image, 2.0)
    assert boosted.dtype == np.float32 and 0 <= boosted.min() and boosted.max() <= 1
    expected = (image @ OPPONENT.T * [1, 2, 2]) @ OPPONENT  # luminance kept, chroma doubled
    unclipped = ((expected >= 0) & (expected <= 1)).all(axis=-1)
    assert unclipped.mean() > 0.5
    np.testing.assert_allclose(boosted[unclipped], expected[unclipped], atol=1e-5)
    np.testing.assert_allclose(colour_prior_probe.vivid(image, 1.0), image, atol=1e-6)


def test_the_probe_prints_a_row_per_factor_and_level_from_the_held_out_images(tmp_path, capsys) -> None:
    folder = tmp_path / "train" / "BSDS400"
    folder.mkdir(parents=True)
    photo = data.astronaut()
    for index in range(10):
        Image.fromarray(photo[index * 40 : index * 40 + 64, 100:164]).save(folder / f"{index:02d}.png")
    assert colour_prior_probe.main(["--data-root", str(tmp_path), "--factors", "1", "3", "--sigmas", "25",
                                    "--side", "48"]) == 0  # fmt: skip
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| x")]
    assert [row.split("|")[1:3] for row in rows] == [[" x1 ", " 25 "], [" x3 ", " 25 "]]
    for row in rows:
        colour, opponent = (float(cell) for cell in row.split("|")[3:5])
        assert 20 < colour < 45 and 20 < opponent < 45


def test_the_probe_refuses_a_data_root_without_bsds400_and_a_tiny_crop(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit):
        colour_prior_probe.main(["--data-root", str(tmp_path)])
    assert "train/BSDS400 not found" in capsys.readouterr().err
    (tmp_path / "train" / "BSDS400").mkdir(parents=True)
    with pytest.raises(SystemExit):
        colour_prior_probe.main(["--data-root", str(tmp_path), "--side", "0"])
    assert "--side must be at least 16 pixels, got 0" in capsys.readouterr().err
