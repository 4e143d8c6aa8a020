"""The demo in a real browser (Debian's chromium driven by playwright): an example run, and a bad upload.

``.ci/run`` installs ``chromium``; elsewhere these tests skip with the reason. The run test saves
a screenshot of the page to ``artifacts/demo.png`` (the README's screenshot is a copy of it).
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does)", allow_module_level=True)

from demo import build_app, launch_options  # noqa: E402  (after the skips: gradio is slow to import)

# Gradio's queue statistics use a pandas option that pandas 3 deprecates; nothing of the demo's.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gradio.queueing")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: Generous: the first run of a CI machine loads the network weights.
TIMEOUT_MS = 120_000


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


@pytest.fixture
def page(served_url: str):
    """A chromium page on the demo, wide enough for the two-column layout."""
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(served_url)
        page.wait_for_selector("#run", timeout=TIMEOUT_MS)
        yield page
        browser.close()


def test_example_click_runs_and_shows_gallery_and_metrics(page) -> None:
    expect = playwright.expect
    page.get_by_text("Simulate a degradation").last.wait_for()
    page.locator("tbody tr").filter(has_text="Simulate a degradation").filter(has_text="Denoise").first.click()
    expect(page.locator("#task input[value=denoise]")).to_be_checked()
    expect(page.locator("#methods-classical").get_by_role("checkbox", name="Non-local means")).to_be_checked()
    expect(page.locator("#gallery img").first).to_be_visible(timeout=TIMEOUT_MS)
    for name in ("Degraded input", "TV (Chambolle)", "Wavelet (BayesShrink)", "Non-local means"):
        expect(page.locator("#metrics")).to_contain_text(name, timeout=TIMEOUT_MS)
        expect(page.locator("#gallery")).to_contain_text(f"{name} — ")
    expect(page.locator("#download").get_by_role("link")).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo.png"), full_page=True)


def test_non_image_upload_shows_an_error(page, tmp_path: Path) -> None:
    expect = playwright.expect
    page.locator("#source input").click()
    page.get_by_role("option", name="Upload your own…").click()
    upload = page.locator("#upload input[type=file]")
    expect(upload).to_have_count(1)
    fake = tmp_path / "holiday.png"
    fake.write_text("this is not an image")
    upload.set_input_files(str(fake))
    page.locator("#run").click()
    expect(page.locator(".toast-body").filter(has_text="not a readable image").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator("#run")).to_be_enabled()
