"""JupyterLab in Debian's headless chromium: open 03_timeline, run it, scrub, see the DAG change.

Needs /usr/bin/chromium (Debian's package; .ci/run installs it). No browser is downloaded.
Screenshots go to test-artifacts/ at the repo root.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "enas-viz-browser-test"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on localhost serving the repo, with its own config and workspace dirs."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium (.ci/run does)"
    home = tmp_path_factory.mktemp("jupyter")
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={ROOT}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]  # fmt: skip
    log = open(home / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                raise RuntimeError(f"JupyterLab did not start: {(home / 'server.log').read_text()[-2000:]}") from None
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)
    log.close()


def _svg_hash(page) -> str:
    """A hash of the drawn DAG: the SVG of the first plotly figure (the Timeline's DAG)."""
    svg = page.locator(".js-plotly-plot .main-svg").first.inner_html()
    return hashlib.sha1(svg.encode()).hexdigest()


def _timeline_text(page) -> str:
    return page.locator(".widget-html-content", has_text="epoch").first.inner_text()


def test_timeline_scrubs_in_jupyterlab(lab):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1400})
        page.goto(f"{lab}/lab/tree/notebooks/03_timeline.ipynb?token={TOKEN}&reset")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)

        page.wait_for_timeout(3000)  # the kernel connects after the indicator first shows
        handle = page.locator(".widget-slider .noUi-handle").first
        for attempt in range(2):  # Run > Run All Cells, as a person would; once more if the kernel was late
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                handle.wait_for(timeout=90_000)
                break
            except PlaywrightTimeout:
                page.screenshot(path=str(ARTIFACTS / f"timeline_no_widget_{attempt}.png"))
        else:
            raise AssertionError("the Timeline widget never appeared; see test-artifacts/timeline_no_widget_*.png")
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # let plotly finish its first draw
        news = page.locator(".jp-toast-container").get_by_role("button", name="No")
        if news.count():  # "get notified about Jupyter news?": answer it, as a person would
            news.first.click()
        before_svg, before_text = _svg_hash(page), _timeline_text(page)
        page.locator(".widget-slider").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "timeline_before.png"))

        # move the slider with the keyboard: the kernel redraws the DAG in place
        handle.click()
        for _ in range(7):
            handle.press("ArrowRight")
        page.wait_for_function(
            "t => ![...document.querySelectorAll('.widget-html-content')].some(e => e.innerText === t)",
            arg=before_text,
            timeout=30_000,
        )
        page.wait_for_timeout(1000)
        after_slider_svg, after_slider_text = _svg_hash(page), _timeline_text(page)
        page.screenshot(path=str(ARTIFACTS / "timeline_after_slider.png"))

        # press play: the slider runs on by itself in the browser (jslink) and the DAG follows
        page.locator(".widget-play button").first.click()
        page.wait_for_timeout(2500)
        page.locator(".widget-play button").nth(1).click()  # pause
        page.wait_for_timeout(1000)
        after_play_text = _timeline_text(page)
        page.screenshot(path=str(ARTIFACTS / "timeline_after_play.png"))
        browser.close()

    assert after_slider_text != before_text, "moving the slider did not change the arc shown"
    assert after_slider_svg != before_svg, "moving the slider did not redraw the DAG"
    assert after_play_text != after_slider_text, "play did not advance the timeline"
