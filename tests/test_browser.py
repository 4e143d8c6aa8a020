"""The demo in a real browser (Debian's chromium driven by playwright), the way visitors use it.

Each control a visitor touches is exercised by clicking and typing in the page: examples, the drop
zone and the built-in thumbnails, method parameters, Stop, the before/after slider, the layout at a
laptop's and a phone's viewport, bad uploads. ``.ci/run`` installs ``chromium``; elsewhere these
tests skip with the reason. Screenshots go to ``artifacts/``; the laptop one is also the README's ``docs/demo.png``.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import io
import json
import re
import shutil
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does)", allow_module_level=True)

import restore_core as rc  # noqa: E402
from demo import build_app, launch_options  # noqa: E402  (after the skips: gradio is slow to import)
from demo.callbacks import POOL  # noqa: E402
from tools.stress import write_png_bomb  # noqa: E402

# Gradio's queue statistics use a pandas option that pandas 3 deprecates; nothing of the demo's.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gradio.queueing")
expect = playwright.expect
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
README_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "demo.png"
#: Generous: the first run of a CI machine loads the network weights.
TIMEOUT_MS = 120_000
LAPTOP = {"width": 1366, "height": 768}
#: A checklist label with its expected time ("Wiener · <1 s", "BM3D · ~6 s").
TIMED = re.compile(r"· (<1|~\d+) (s|min)")
PHONE = {"width": 390, "height": 844}
#: What no message shown to a visitor may contain: server paths and Python class names.
INTERNALS = re.compile(r"/tmp|Traceback|[A-Z][a-zA-Z]+(Error|Exception)\b|<_io\.|PIL\.")


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    """The demo served on a free local port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = build_app()
    options = {**launch_options(), "server_name": "127.0.0.1", "server_port": port}
    _, url, _ = app.launch(prevent_thread_lock=True, quiet=True, **options)
    yield url
    app.close()


@pytest.fixture(scope="module")
def browser(served_url: str):
    """One chromium for the module."""
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_page(browser, url: str, viewport: dict[str, int] = LAPTOP):
    """A page on the demo, loaded, that records every HTTP response of 500 or more in ``page.server_errors``."""
    page = browser.new_page(viewport=viewport)
    page.server_errors = []
    page.on("response", lambda response: response.status >= 500 and page.server_errors.append(response.url))
    page.goto(url)
    page.wait_for_selector("#run", timeout=TIMEOUT_MS)
    expect(page.locator("#methods-classical")).to_contain_text(TIMED)  # narrowed to the task, with times
    return page


@pytest.fixture
def page(browser, served_url: str):
    """A laptop-sized page on the demo; it must end without a server error."""
    page = open_page(browser, served_url)
    yield page
    assert page.server_errors == []
    page.close()


def choose_methods(page, *names: str) -> None:
    """Tick exactly the methods ``names`` (registry names) in the checklists, once they list them.

    Waiting for the named methods first lets a task change (which replaces both lists) finish.
    """
    for name in names:
        expect(page.locator(f"input[type=checkbox][name={name}]")).to_have_count(1)
    boxes = "#methods-classical input[type=checkbox], #methods-learned input[type=checkbox]"
    for name in page.locator(boxes).evaluate_all("boxes => boxes.map(box => box.name)"):
        page.locator(f"input[type=checkbox][name={name}]").set_checked(name in names)
    for name in names:
        expect(page.locator(f"input[type=checkbox][name={name}]")).to_be_checked()


def run_and_wait(page, results: int) -> None:
    """Click Run and wait for the input and ``results`` restorations in the gallery."""
    page.locator("#run").click()
    expect(page.locator("#gallery .progress-text")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.locator("#gallery img")).to_have_count(results + 1, timeout=TIMEOUT_MS)


def table(page) -> dict[str, list[str]]:
    """The metrics table as shown: method name -> its cells."""
    rows = {}
    for row in page.locator("#metrics [role=row]").all()[1:]:
        cells = row.locator("[role=gridcell]").all_inner_texts()
        if cells:
            rows[cells[0].strip()] = [cell.strip() for cell in cells[1:]]
    return rows


def inside(box: dict[str, float], viewport: dict[str, int]) -> bool:
    """Whether a bounding box lies wholly in the viewport (not scrolled)."""
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"] + 0.5
        and (box["y"] + box["height"] <= viewport["height"] + 0.5)
    )


def test_example_click_runs_and_shows_the_input_once_results_and_scores(page) -> None:
    page.locator("tbody tr").filter(has_text="Simulate a degradation").filter(has_text="Denoise").first.click()
    expect(page.locator("#task input[value=denoise]")).to_be_checked()
    expect(page.locator("#gallery img")).to_have_count(6, timeout=TIMEOUT_MS)
    captions = page.locator("#gallery .caption-label").all_inner_texts()
    assert captions[0].startswith("Input (degraded) — ") and sum("Input" in text for text in captions) == 1
    shown = table(page)
    methods = ["TV (Chambolle)", "Wavelet (BayesShrink)", "Non-local means", "DeconvUNet (learned)",
               "DeconvUNet real noise (learned)"]  # fmt: skip
    assert list(shown) == ["Input (degraded)", *methods]
    for name, (psnr, ssim, *_) in shown.items():
        assert re.fullmatch(r"\d+\.\d{2}", psnr) and re.fullmatch(r"0\.\d{4}", ssim), (name, psnr, ssim)
    best = max(list(shown)[1:], key=lambda name: float(shown[name][0]))
    marked = page.locator("#metrics [role=gridcell][style*=bold]")
    expect(marked).to_have_count(2)  # the best PSNR and the best SSIM
    assert shown[best][0] in marked.all_inner_texts()
    page.get_by_role("tab", name="Before / after").click()
    expect(page.locator("#compare input")).to_have_value(best)  # the slider opens on the best result …
    expect(page.locator("#against input[value='degraded input']")).to_be_checked()  # … against the input
    page.get_by_role("tab", name="Zoom and error maps").click()
    expect(page.locator("#zoom img")).to_have_count(7)  # reference, input, five results
    captions = page.locator("#zoom .caption-label").all_inner_texts()
    assert captions[:2] == ["clean reference", "degraded input"] and captions[2:] == methods
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "example.png"), full_page=True)


def test_laptop_layout_keeps_run_and_the_first_result_in_view_and_retakes_the_readme_screenshot(page) -> None:
    assert inside(page.locator("#upload").bounding_box(), LAPTOP)  # the drop zone, at once
    thumbnails = page.locator("#samples .thumbnail-item")
    expect(thumbnails).to_have_count(6)
    assert all(inside(thumbnail.bounding_box(), LAPTOP) for thumbnail in thumbnails.all())
    choose_methods(page, "wiener", "richardson_lucy", "wiener_unet")
    run_and_wait(page, 3)
    assert inside(page.locator("#run").bounding_box(), LAPTOP)
    assert inside(page.locator("#gallery img").first.bounding_box(), LAPTOP)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo.png"))
    shutil.copyfile(ARTIFACTS / "demo.png", README_SCREENSHOT)


def test_phone_layout_puts_run_near_the_image_and_results_before_the_settings(browser, served_url: str) -> None:
    page = open_page(browser, served_url, PHONE)
    choose_methods(page, "wiener", "richardson_lucy", "wiener_unet")
    run_and_wait(page, 3)
    top = page.evaluate("window.scrollY")
    upload, run = page.locator("#upload").bounding_box(), page.locator("#run").bounding_box()
    assert run["y"] + run["height"] - upload["y"] <= 900
    gallery, settings = page.locator("#gallery").bounding_box(), page.locator("#settings").bounding_box()
    assert gallery["y"] < settings["y"] and page.locator("#metrics").bounding_box()["y"] < settings["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing cut off sideways
    page.locator("#metrics").scroll_into_view_if_needed()
    frame = page.locator("#metrics").bounding_box()
    for header in ("PSNR", "SSIM"):  # wholly in the table's visible frame: the table does not scroll sideways
        box = page.locator("#metrics [role=columnheader]").filter(has_text=header).first.bounding_box()
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], header
    for caption in page.locator("#gallery .caption-label").all():  # captions wrap, none is cut with "…"
        assert caption.evaluate("label => label.scrollWidth <= label.clientWidth + 1")
    page.evaluate(f"window.scrollTo(0, {top})")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)
    assert page.server_errors == []
    page.close()


def test_method_parameters_change_the_output_and_refuse_bad_values_readably(page) -> None:
    choose_methods(page, "wiener")
    page.locator("#method-params").click()
    expect(page.locator("#param-wiener-balance")).to_be_visible()  # open on first load, not after a change
    balance = page.locator("#param-wiener-balance input")
    assert balance.input_value() == "" and balance.get_attribute("placeholder") == "automatic"
    scores = []
    for value in ("0.001", "0.5"):
        balance.fill(value)
        balance.press("Enter")
        run_and_wait(page, 1)
        scores.append(table(page)["Wiener"][0])
    assert scores[0] != scores[1], scores
    balance.fill("5000")
    balance.press("Enter")
    toast = page.locator(".toast-body").filter(has_text="balance")
    expect(toast.first).to_contain_text("must be in [1e-06, 10.0], got 5000")
    expect(balance).to_have_value("0.5")  # the value kept, and said
    choose_methods(page, "wiener", "richardson_lucy")
    iterations = page.locator("#param-richardson_lucy-num_iter input")
    iterations.fill("-3")
    iterations.press("Enter")
    expect(page.locator(".toast-body").filter(has_text="num_iter").first).to_contain_text("got -3")
    expect(iterations).to_have_value("")
    tv_weight = page.locator("#param-richardson_lucy-tv_weight input")  # RL-TV: automatic, 0 = plain RL
    assert tv_weight.get_attribute("placeholder") == "automatic"
    run_and_wait(page, 2)
    automatic = table(page)["Richardson–Lucy"][0]
    tv_weight.fill("0")
    tv_weight.press("Enter")
    run_and_wait(page, 2)
    assert table(page)["Richardson–Lucy"][0] != automatic
    tv_weight.fill("0.5")
    tv_weight.press("Enter")
    expect(page.locator(".toast-body").filter(has_text="tv_weight").first).to_contain_text("got 0.5")
    expect(tv_weight).to_have_value("0")
    assert not INTERNALS.search(" ".join(page.locator(".toast-body").all_inner_texts()))


def test_method_lists_follow_quick_changes_and_the_page_then_falls_quiet(page, tmp_path: Path) -> None:
    path = tmp_path / "photo.png"  # large enough that the answers to the upload take a while
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (1600, 1600, 3), dtype=np.uint8)).save(path)
    requests: list[str] = []
    page.on("request", lambda request: request.method == "POST" and requests.append(request.url))
    page.locator("#upload input[type=file]").set_input_files(str(path))  # no wait: the task changes at once
    page.locator("#task").get_by_text("Denoise").click()
    page.locator("#mode").get_by_text("Real degraded photo").click()
    page.locator("#mode").get_by_text("Simulate").click()
    expect(page.locator("input[type=checkbox][name=bm3d]")).to_have_count(1)
    expect(page.locator("#methods-classical")).to_contain_text(TIMED)
    time.sleep(2)  # every answer to those changes is in by now
    settled = len(requests)
    time.sleep(2)
    assert len(requests) == settled  # no change keeps re-firing itself
    expect(page.locator("input[type=checkbox][name=wiener]")).to_have_count(0)  # no late answer for Deblur
    expect(page.locator("input[type=checkbox][name=bm3d]")).to_have_count(1)


def test_the_learned_denoisers_colour_prior_is_a_choice_that_changes_the_output(page, tmp_path: Path) -> None:
    path = tmp_path / "colour.png"
    Image.fromarray(data.astronaut()[::4, ::4]).save(path)
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#task").get_by_text("Denoise").click()
    expect(page.locator("input[type=checkbox][name=wiener]")).to_have_count(0)  # the denoise checklists shown
    choose_methods(page, "deconv_unet")
    page.locator("#method-params").click()
    prior = page.locator("#param-deconv_unet-colour_prior input")
    expect(prior).to_have_value("auto")
    run_and_wait(page, 1)
    automatic = table(page)["DeconvUNet (learned)"][0]
    prior.click()
    page.locator("#param-deconv_unet-colour_prior [role=option][aria-label=colour]").click()
    expect(prior).to_have_value("colour")
    run_and_wait(page, 1)
    assert table(page)["DeconvUNet (learned)"][0] != automatic
    assert not INTERNALS.search(" ".join(page.locator(".toast-body").all_inner_texts()))


@pytest.mark.parametrize(
    ("name", "content"),
    [("holiday.png", b"this is not an image"), ("empty.png", b""), ("bomb.png", None)],
)
def test_bad_uploads_are_refused_in_words_for_a_person(page, tmp_path: Path, name: str, content: bytes | None) -> None:
    path = tmp_path / name
    if content is None:
        write_png_bomb(path, 20_000)
    else:
        path.write_bytes(content)
    page.locator("#upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#notice")).to_contain_text(name, timeout=TIMEOUT_MS)
    page.locator("#run").click()
    toast = page.locator(".toast-body").filter(has_text=name).first
    expect(toast).to_be_visible(timeout=TIMEOUT_MS)
    shown = toast.inner_text() + page.locator("#notice").inner_text()
    assert not INTERNALS.search(shown), shown
    page.locator("#samples .thumbnail-item").nth(1).click()  # the next request is answered normally
    expect(page.locator("#upload img")).to_have_count(0)
    choose_methods(page, "wiener")
    run_and_wait(page, 1)


def test_stop_cancels_a_pnp_bm3d_run_and_the_next_run_works(page) -> None:
    page.locator("#samples .thumbnail-item").nth(2).click()  # astronaut, in colour
    choose_methods(page, "pnp_bm3d")
    expect(page.locator("#estimate")).to_contain_text("This selection will take about")
    page.locator("#run").click()
    expect(page.locator("#gallery .progress-text")).to_have_count(1)
    expect(page.locator(".progress-text")).to_have_count(1)  # one progress bar, not one per output
    deadline = time.monotonic() + 30
    while not POOL.busy_pids() and time.monotonic() < deadline:  # the method is running in its worker
        time.sleep(0.1)
    assert POOL.busy_pids()
    expect(page.locator("#gallery .progress-level")).to_contain_text("left")  # an ETA
    started = time.monotonic()
    page.locator("#stop").click()
    expect(page.locator("#gallery .progress-text")).to_have_count(0, timeout=3000)
    while POOL.busy_pids() and time.monotonic() - started < 3:
        time.sleep(0.05)
    assert not POOL.busy_pids() and time.monotonic() - started < 3
    choose_methods(page, "wiener")
    run_and_wait(page, 1)


def polled_match(locator, pattern: str, timeout: float = 5.0) -> re.Match[str]:
    """The first match of ``pattern`` in the element's text, read again until it appears.

    A re-render may briefly empty the element between Playwright's check and the read.
    """
    deadline = time.monotonic() + timeout
    while (match := re.search(pattern, locator.inner_text())) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert match is not None, f"{pattern!r} not in {locator.inner_text()!r}"
    return match


def test_real_photo_with_estimated_noise_shows_and_records_the_estimate(page, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    photo = np.clip(np.tile(np.linspace(40, 200, 96), (96, 1)) + rng.normal(0, 12, (96, 96)), 0, 255)
    path = tmp_path / "noisy.png"
    Image.fromarray(photo.astype(np.uint8)).save(path)
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#mode").get_by_text("Real degraded photo").click()
    page.get_by_role("tab", name="Before / after").click()
    expect(page.locator("#against input")).to_have_count(1)  # before any run, too
    page.get_by_role("tab", name="Results").click()
    page.locator("#task").get_by_text("Denoise").click()
    page.get_by_text("Estimate the noise level from the photo").click()
    expect(page.locator("#notice")).to_contain_text("Estimated noise level of the photo: σ ≈")
    estimate = float(polled_match(page.locator("#notice"), r"σ ≈ ([\d.]+)").group(1))
    assert 8 < estimate < 16
    choose_methods(page, "tv")
    run_and_wait(page, 1)
    expect(page.locator("#notice")).to_contain_text(f"σ ≈ {estimate:.1f}")
    href = page.locator("#download a").first.get_attribute("href")
    page.get_by_role("tab", name="Before / after").click()
    expect(page.locator("#against input")).to_have_count(1)  # no clean reference to compare against
    archive = zipfile.ZipFile(io.BytesIO(page.request.get(href).body()))
    settings = json.loads(archive.read("settings.json"))
    assert settings["estimate_sigma"] is True and settings["noise_sigma"] == pytest.approx(estimate, abs=0.06)
    assert sum("input" in name for name in archive.namelist()) == 1


def test_denoising_shows_where_the_learned_model_reads_noise(page, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    photo = np.tile(np.linspace(60, 190, 128), (96, 1))[..., None].repeat(3, axis=-1)
    photo[:, 64:] += rng.normal(0, 20, (96, 64, 3))  # noise in the right half only
    path = tmp_path / "half_noisy.png"
    Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).save(path)
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#mode").get_by_text("Real degraded photo").click()
    page.locator("#task").get_by_text("Denoise").click()
    expect(page.locator("#noise-views")).to_contain_text("Noise level map (after Run)")
    choose_methods(page, "camera_unet")
    run_and_wait(page, 1)
    expect(page.locator("#noise-views")).to_contain_text("Noise σ the learned model reads: 0 (dark)")
    source = page.locator("#noise-map img").get_attribute("src")
    picture = np.asarray(Image.open(io.BytesIO(page.request.get(source).body())).convert("L"), dtype=float)
    assert picture.shape[:2] == (96, 128)
    assert picture[:, 80:].mean() > picture[:, :48].mean() + 60  # viridis: brighter is noisier
    page.locator("#task").get_by_text("Deblur").click()
    expect(page.locator("#noise-views")).to_be_hidden()


def test_blind_deblurring_shows_the_estimated_kernel_and_is_the_default_for_real_photos(page) -> None:
    page.locator("#task").get_by_text("Deblur").click()
    page.locator("#kernel-type").get_by_text("Motion").click()
    blind = page.locator("#blind-kernel input[type=checkbox]")
    expect(blind).not_to_be_checked()  # a simulation blurs with the chosen kernel, known unless asked
    estimator = page.locator("#blind-method")
    expect(estimator).to_be_hidden()  # the estimators show only for blind deblurring
    blind.check()
    estimator.get_by_text("Sharpen").click()  # the straight motion is what the fast fit models
    choose_methods(page, "wiener")
    kernel = page.locator("#kernel-views img").first
    before = kernel.get_attribute("src")
    run_and_wait(page, 1)
    expect(page.locator("#notice")).to_contain_text("similarity")
    expect(page.locator("#notice")).to_contain_text("dB with the true kernel")
    assert float(re.search(r"similarity (\d\.\d+)", page.locator("#notice").inner_text())[1]) > 0.9
    expect(kernel).not_to_have_attribute("src", before or "")  # the estimate replaced the true kernel's picture
    assert not INTERNALS.search(page.locator("#notice").inner_text())
    page.locator("#mode").get_by_text("Real degraded photo").click()
    expect(blind).to_be_checked()  # a photo's owner rarely knows its kernel
    expect(page.locator("#kernel-views")).to_contain_text("Estimated from the photo when you press Run")
    run_and_wait(page, 1)
    expect(page.locator("#notice")).to_contain_text("Blur kernel estimated from the photo")


def test_a_real_jpeg_is_restored_at_the_quality_its_file_states(page, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    Image.fromarray(data.astronaut()[:160, 160:320]).save(path, quality=35)
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#task").get_by_text("JPEG artefacts").click()
    estimate = page.locator("#estimate-quality input[type=checkbox]")
    expect(estimate).not_to_be_checked()  # a simulation compresses at the slider's quality, known unless asked
    page.locator("#mode").get_by_text("Real degraded photo").click()
    expect(estimate).to_be_checked()  # a photo's owner rarely knows its quality
    choose_methods(page, "deconv_jpeg")
    run_and_wait(page, 1)
    expect(page.locator("#notice")).to_contain_text("JPEG quality read from the file: 35.")
    href = page.locator("#download a").first.get_attribute("href")
    settings = json.loads(zipfile.ZipFile(io.BytesIO(page.request.get(href).body())).read("settings.json"))
    assert settings["estimate_quality"] is True and settings["estimated_quality"] == 35
    estimate.uncheck()  # the slider's quality then
    run_and_wait(page, 1)
    expect(page.locator("#notice")).not_to_contain_text("JPEG quality read")


def test_real_inpainting_takes_an_uploaded_mask_and_a_new_image_clears_old_results(page, tmp_path: Path) -> None:
    photo, mask = tmp_path / "wall.png", tmp_path / "wall_mask.png"
    Image.fromarray((np.indices((80, 120)).sum(axis=0) % 256).astype(np.uint8)).save(photo)
    missing = np.zeros((80, 120), np.uint8)
    missing[30:40, 50:70] = 255
    Image.fromarray(missing).save(mask)
    page.locator("#upload input[type=file]").set_input_files(str(photo))
    page.locator("#mode").get_by_text("Real degraded photo").click()
    page.locator("#task").get_by_text("Inpaint").click()
    page.locator("#mask").get_by_text("Upload a mask image").click()
    page.locator("#mask-upload input[type=file]").set_input_files(str(mask))
    expect(page.locator("#estimate")).to_contain_text("120×80")  # sizes are width×height
    choose_methods(page, "biharmonic")
    run_and_wait(page, 1)
    page.locator("#samples .thumbnail-item").nth(2).click()
    expect(page.locator("#gallery img")).to_have_count(0)
    expect(page.locator("#metrics [role=gridcell]")).to_have_count(0)


def test_compress_tab_runs_each_codec_near_the_target_and_serves_the_files(page, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Compress").click()
    path = tmp_path / "photo.png"
    Image.fromarray(data.astronaut()[100:292, 150:342]).save(path)
    page.locator("#compress-upload input[type=file]").set_input_files(str(path))
    codecs = page.locator("#compress-codecs")
    for label in ("jpeg444", "jpeg+deconv_jpeg"):
        codecs.get_by_label(re.compile(re.escape(label) + r" \(")).uncheck()
    page.locator("#compress-target input[type=number]").fill("0.8")
    page.locator("#compress-target input[type=number]").press("Enter")
    page.locator("#compress-run").click()
    names = [label.split(" (")[0] for label in codecs.locator("label").all_inner_texts()]
    chosen = len(names) - 2  # jpeg, webp, jpeg2000 when Pillow has it, deconv_codec when its weights ship
    expect(page.locator("#compress-gallery img")).to_have_count(chosen + 1, timeout=TIMEOUT_MS)
    captions = page.locator("#compress-gallery .caption-label").all_inner_texts()
    rates = [float(match) for caption in captions for match in re.findall(r"· ([\d.]+) bpp", caption)]
    assert len(rates) == chosen and all(0.6 < rate < 1.0 for rate in rates), captions
    links = page.locator("#compress-files a")
    expect(links).to_have_count(chosen)
    body = page.request.get(links.first.get_attribute("href")).body()
    assert Image.open(io.BytesIO(body)).format == "JPEG" and Image.open(io.BytesIO(body)).size == (192, 192)
    assert 8 * len(body) / 192**2 == pytest.approx(rates[0], abs=1e-3)  # the bpp shown is the file's
    if "deconv_codec" in names:  # its file is the whole bitstream, which rc.decompress reads
        learned = page.request.get(links.last.get_attribute("href")).body()
        assert rc.decompress(learned).shape == (192, 192, 3)
        assert 8 * len(learned) / 192**2 == pytest.approx(rates[-1], abs=1e-3)
    expect(page.locator("#compress-curve img")).to_have_count(1)
    psnrs = {caption.split(" q=")[0]: float(re.search(r"· ([\d.]+) dB", caption)[1]) for caption in captions[1:]}
    expect(page.locator("#compress-compare input")).to_have_value(max(psnrs, key=psnrs.get))  # the best PSNR first
    page.locator("#compress-compare input").click()
    page.locator("#compress-compare [role=option][aria-label=jpeg]").click()
    expect(page.locator("#compress-compare input")).to_have_value("jpeg")
    page.screenshot(path=str(ARTIFACTS / "compress.png"), full_page=True)
    expect(page.locator("#compress-slider img")).to_have_count(2, timeout=TIMEOUT_MS)
    for label in [label for label in page.locator("#compress-codecs label").all_inner_texts()]:
        codecs.get_by_label(label).uncheck()
    page.locator("#compress-run").click()
    expect(page.locator(".toast-body")).to_contain_text("tick at least one codec", timeout=TIMEOUT_MS)
