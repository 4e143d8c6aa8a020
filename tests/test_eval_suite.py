"""Tests of ``python -m eval.suite``: it runs its benchmark commands and writes the results document."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from eval import suite

ARGUMENTS = ("--task", "sr", "--datasets", "skimage", "--limit", "1", "--scales", "4", "--methods", "bicubic")


@pytest.fixture
def tiny_suite(monkeypatch: pytest.MonkeyPatch) -> suite.Entry:
    """A one-entry suite: bicubic x4 on one built-in image, one reference met and one missed."""
    entry = suite.Entry(
        "tiny",
        "Tiny SR check",
        ARGUMENTS,
        (
            suite.Reference("skimage", "×4", "bicubic", 25.0, 20.0, "a generous bound"),
            suite.Reference("skimage", "×4", "bicubic", 99.0, 0.01, "an impossible number"),
        ),
    )
    never_run = suite.Entry("never", "Never run", ("--task", "denoise"))
    monkeypatch.setattr(suite, "SUITE", (entry, never_run))
    return entry


def test_suite_runs_its_commands_and_writes_the_document(tmp_path, tiny_suite, capsys, monkeypatch):
    doc = tmp_path / "docs" / "RESULTS.md"
    options = ["--data-root", str(tmp_path), "--out", str(tmp_path / "runs"), "--doc", str(doc), "--device", "cpu"]
    options += ["--only", "tiny"]
    assert suite.main(options) == 1  # one reference is out of reach
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Deconv Arena results")
    assert "python -m eval.suite --data-root" in text
    shown = suite.entry_arguments(tiny_suite, suite.DOC_DATA_ROOT, suite.DEFAULT_OUT, "auto")  # the documented layout
    assert suite.benchmark_command(shown) in text
    assert "## Published baselines reproduced (1 of 2)" in text
    assert "| skimage | ×4 | bicubic | 99.00 |" in text and "| **no** |" in text
    assert "## Tiny SR check" in text and "| classical | bicubic |" in text
    assert "![PSNR versus degradation level](results/tiny.png)" in text
    assert (tmp_path / "docs" / "results" / "tiny.png").is_file()
    assert "## Not run yet" in text and "- Never run: `python -m eval.benchmark --task denoise" in text
    assert "not reproduced" in capsys.readouterr().err

    # a second run resumes (nothing to redo) and rewrites the same tables
    first_tables = text.split("## Tiny SR check")[1].split("Device:")[0]
    assert suite.main(options) == 1
    assert first_tables in doc.read_text(encoding="utf-8")

    # a fresh checkout (empty output folder) writes the same document from the stored records only:
    # a section edited by hand is not kept, and --render runs nothing
    assert (tmp_path / "docs" / "results" / "tiny.json").is_file()
    written = doc.read_text(encoding="utf-8")
    doc.write_text(written + "\n## Never run\n\nAn earlier table.\n", encoding="utf-8")
    monkeypatch.setattr(suite.benchmark, "main", lambda arguments: 0)  # "never" runs and writes nothing
    fresh = ["--data-root", str(tmp_path), "--out", str(tmp_path / "empty"), "--doc", str(doc), "--only", "never"]
    assert suite.main(fresh) == 1
    assert doc.read_text(encoding="utf-8") == written
    monkeypatch.setattr(suite.benchmark, "main", lambda arguments: pytest.fail("--render ran a benchmark"))
    doc.write_text(written.replace("| bicubic |", "| bicubic (edited) |"), encoding="utf-8")
    assert suite.main(["--render", "--doc", str(doc)]) == 1
    assert doc.read_text(encoding="utf-8") == written


def test_suite_needs_a_data_root(monkeypatch, capsys):
    monkeypatch.delenv("DECONV_DATA", raising=False)
    with pytest.raises(SystemExit) as stop:
        suite.main(["--doc", "unused.md"])
    assert stop.value.code == 2
    assert "--data-root" in capsys.readouterr().err


def test_reference_check_reports_missing_records():
    entry = suite.Entry("x", "X", (), (suite.Reference("Set5", "×2", "bicubic", 33.66, 0.03, "paper"),))
    [missing] = suite.check_references(entry, [])
    assert missing["measured"] is None and not missing["ok"]
    [close] = suite.check_references(entry, [{"dataset": "Set5", "level": "×2", "method": "bicubic", "psnr": 33.65}])
    assert close["ok"] and close["difference"] == pytest.approx(-0.01)


def test_rerun_arguments_narrow_the_methods_and_the_output_folder():
    base = ["--data-root", "d", "--out", "runs/x", "--device", "cpu"]
    learned = suite.family_rerun("learned")
    narrowed = suite.rerun_arguments(["--task", "deblur", "--methods", "wiener", "pnp_tv", "all-learned", *base],
                                     learned)  # fmt: skip
    assert narrowed == ["--task", "deblur", "--methods", "pnp_unet", "wiener_unet", *base[:3], "runs/x-learned",
                        *base[4:]]  # fmt: skip
    classical = suite.rerun_arguments(["--task", "denoise", "--methods", "all", *base], suite.family_rerun("classical"))
    assert classical[3:5] == ["identity", "tv"] and "deconv_unet" not in classical
    learned_denoisers = ["deconv_unet", "camera_unet"]
    assert suite.rerun_arguments(["--task", "denoise", *base], learned)[-3:] == ["--methods", *learned_denoisers]
    assert suite.rerun_arguments(["--task", "sr", "--methods", "bicubic", *base], learned) is None
    chosen = suite.rerun_arguments(["--task", "deblur", "--methods", "wiener", "tv_deconv", *base],
                                   suite.methods_rerun(["tv_deconv", "bm3d"]))  # fmt: skip
    assert chosen[:4] == ["--task", "deblur", "--methods", "tv_deconv"] and chosen[7] == "runs/x-methods"


def test_a_budget_chooses_the_methods_by_their_measured_costs():
    entry = suite.Entry("x", "X", ("--task", "deblur", "--datasets", "Set12"), budget=1.0, shape=(256, 256))
    methods = entry.methods()
    assert "wiener" in methods and "pnp_bm3d" not in methods  # ~0 s and ~15 s per 256x256 image
    assert entry.command_arguments()[-len(methods) - 1 :] == ("--methods", *methods)
    assert suite.Entry("y", "Y", ("--task", "denoise", "--methods", "all")).command_arguments()[-1] == "all"


def test_a_family_rerun_replaces_only_that_familys_records(tmp_path, monkeypatch):
    arguments = ("--task", "denoise", "--datasets", "skimage", "--limit", "1", "--sigmas", "25")
    entry = suite.Entry("tiny", "Tiny denoise", (*arguments, "--methods", "tv", "deconv_unet"))
    monkeypatch.setattr(suite, "SUITE", (entry,))
    doc = tmp_path / "docs" / "RESULTS.md"
    options = ["--data-root", str(tmp_path), "--out", str(tmp_path / "runs"), "--doc", str(doc), "--device", "cpu"]
    assert suite.main(options) == 0
    stored = tmp_path / "docs" / "results" / "tiny.json"
    kept = json.loads(stored.read_text(encoding="utf-8"))
    measured = {record["method"]: record["psnr"] for record in kept["summary"]}
    for record in kept["summary"]:  # stale numbers: the rerun must replace the learned one only
        record["psnr"] = 1.0
    stored.write_text(json.dumps(kept), encoding="utf-8")
    assert suite.main([*options, "--family", "learned"]) == 0
    rerun = {record["method"]: record for record in json.loads(stored.read_text(encoding="utf-8"))["summary"]}
    assert list(rerun) == ["tv", "deconv_unet"] and rerun["tv"]["psnr"] == 1.0
    assert rerun["deconv_unet"]["psnr"] == pytest.approx(measured["deconv_unet"], abs=1e-6)
    assert (tmp_path / "runs" / "tiny-learned" / "summary.json").is_file()
    assert (
        "Partial reruns (the learned methods on " in doc.read_text(encoding="utf-8")
        and (tmp_path / "docs" / "results" / "tiny.png").is_file()
    )


def test_the_committed_document_is_what_its_stored_records_render():
    """``docs/RESULTS.md`` is never edited by hand: it equals what ``python -m eval.suite --render`` writes."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    text, _, summary = suite.render_document(docs)
    assert "## Not run yet" not in text, "every entry of the suite needs stored records (run it with --only)"
    assert (docs / "RESULTS.md").read_text(encoding="utf-8") == text, "rerun: python -m eval.suite --render"
    readme = (docs.parent / "README.md").read_text(encoding="utf-8")
    assert summary in readme, "the README's results summary is written by: python -m eval.suite --render"


def test_the_model_cards_an_entry_names_state_its_stored_results(tmp_path, tiny_suite, monkeypatch):
    """The entries' PSNR tables replace the card's measured section (only that section) on every render."""
    naming = dataclasses.replace(tiny_suite, cards=("tiny_model",))
    again = dataclasses.replace(naming, name="tiny-again", title="The tiny entry again")
    monkeypatch.setattr(suite, "SUITE", (naming, again))
    doc, card = tmp_path / "docs" / "RESULTS.md", tmp_path / suite.CARDS_FOLDER / "tiny_model.md"
    card.parent.mkdir(parents=True)
    card.write_text("# tiny_model\n\nTrained somehow.\n\n## Measured test results\n\nA number typed by hand.\n")
    options = ["--data-root", str(tmp_path), "--out", str(tmp_path / "runs"), "--doc", str(doc), "--device", "cpu"]
    assert suite.main(options) == 1  # one reference is out of reach
    text = card.read_text(encoding="utf-8")
    assert text.startswith("# tiny_model\n\nTrained somehow.\n\n## Measured test results\n\nWritten by `python -m")
    assert "A number typed by hand" not in text and "| classical | bicubic |" in text
    assert "--task sr --datasets skimage" in text and text.count("## Measured test results") == 1
    assert text.count("Written by") == 2 and text.index("`tiny`") < text.index("`tiny-again`")
    card.write_text(text.replace("| bicubic |", "| bicubic (edited) |"), encoding="utf-8")
    assert suite.main(["--render", "--doc", str(doc)]) == 1
    assert card.read_text(encoding="utf-8") == text


def test_the_committed_model_cards_state_what_the_suite_stored():
    """A card an entry names is never edited by hand: its measured section is what ``--render`` writes."""
    checkout = Path(__file__).resolve().parents[1]
    sections = suite.card_sections(checkout / "docs")
    assert sections, "an entry of the suite names a model card"
    for model, section in sections.items():
        card = (checkout / suite.CARDS_FOLDER / f"{model}.md").read_text(encoding="utf-8")
        assert card.endswith(section.rstrip() + "\n"), f"rerun: python -m eval.suite --render ({model})"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--family", "learned", "--methods", "wiener"], "not allowed with argument"),
        (["--render", "--only", "sr"], "--render runs nothing"),
        (["--methods", "no_such_method"], "unknown method 'no_such_method'"),
    ],
)
def test_conflicting_or_unknown_rerun_options_are_refused(tmp_path, capsys, options, message):
    with pytest.raises(SystemExit) as stop:
        suite.main(["--data-root", str(tmp_path), "--doc", str(tmp_path / "docs" / "RESULTS.md"), *options])
    assert stop.value.code == 2 and message in capsys.readouterr().err
