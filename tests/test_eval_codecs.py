"""The codec benchmark (``eval.benchmark --task compress``): outputs, BD-rates, resume, refusals, document section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import restore_core as rc
from eval import benchmark, blind, codecs, summary
from eval.results import RESULTS_FILE, read_results

#: Two built-in images (192x192), two classical codecs (the JPEG anchor is always in).
TINY = ("--task", "compress", "--datasets", "skimage", "--limit", "2", "--methods", "webp", "jpeg444")


@pytest.fixture(scope="module")
def codec_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a tiny codec benchmark."""
    out = tmp_path_factory.mktemp("compress")
    assert benchmark.main([*TINY, "--out", str(out)]) == 0
    return out


def test_a_codec_run_records_rates_and_qualities_of_every_rate_point(codec_run: Path):
    rows = read_results(codec_run / RESULTS_FILE, codecs.CODEC_SCHEMA)
    chosen = [rc.get_codec(name) for name in ("jpeg", "webp", "jpeg444")]
    assert len(rows) == 2 * sum(len(codec.rate_points) for codec in chosen)
    assert list(dict.fromkeys(rows["method"])) == ["jpeg", "webp", "jpeg444"] and (rows["error"] == "").all()
    first = rows.iloc[0]
    assert float(first["bpp"]) == pytest.approx(8 * float(first["bytes"]) / 192**2)
    assert 0 < float(first["ms_ssim"]) < 1 and float(first["psnr"]) > 20 and first["level"] == "q=5"
    records = json.loads((codec_run / "summary.json").read_text())
    anchor = next(record for record in records if record["method"] == "jpeg")
    assert anchor["bd_rate_psnr"] == pytest.approx(0.0, abs=1e-9)
    webp = next(record for record in records if record["method"] == "webp")
    assert webp["bd_rate_psnr"] < 0 and len(webp["points"]) == len(rc.get_codec("webp").rate_points)
    markdown = (codec_run / "summary.md").read_text()
    assert "| Family | Codec | BD-rate vs jpeg (PSNR) |" in markdown and "| Codec | Quality |" in markdown
    assert "Bjøntegaard" in markdown and (codec_run / codecs.CURVE_PLOT).stat().st_size > 0


def test_a_rerun_resumes_without_compressing_again(codec_run: Path, monkeypatch: pytest.MonkeyPatch):
    before = (codec_run / RESULTS_FILE).read_bytes()
    monkeypatch.setattr(rc, "compress", lambda *args, **kwargs: pytest.fail("compressed again"))
    assert benchmark.main([*TINY, "--out", str(codec_run)]) == 0
    assert (codec_run / RESULTS_FILE).read_bytes() == before


def test_the_stored_run_gives_the_documents_section(codec_run: Path):
    records, header = blind.stored_run(codec_run)
    section = codecs.stored_section(codec_run, "results/compress", records, header)
    assert section.startswith("## Compression: rate–distortion and BD-rate against JPEG, skimage")
    assert f"(results/compress/{codecs.CURVE_PLOT})" in section and "--task compress" in section
    block = summary.summary_block([], [], [], records)
    assert "Compression: Bjøntegaard" in block and "| skimage | `webp` (classical) |" in block
    assert "| skimage | `jpeg` (" not in block  # the anchor is not compared with itself


def test_bad_codec_options_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    for options, message in (
        (["--methods", "png"], "unknown codec png; with --task compress, --methods takes"),
        (["--sigmas", "15"], "--sigmas applies to --task denoise"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            benchmark.main(["--task", "compress", *options, "--out", str(tmp_path)])
        assert exit_info.value.code == 2 and message in capsys.readouterr().err
