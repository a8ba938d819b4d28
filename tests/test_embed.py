"""A notebook saved with widget state and exported to HTML still shows the Timeline (headless chromium).

The exported page loads the widget manager, require.js and anywidget from a CDN; the
browser here has no internet, so those requests are answered from npm packages fetched
once with ``npm pack`` into test-artifacts/npm (git-ignored). The screenshot is kept at
test-artifacts/timeline.png.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

import nbformat
import pytest
from browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
NPM_PACKAGES = {"@jupyter-widgets/html-manager": "1", "anywidget": "0.11", "requirejs": "2"}

CELL = """\
import sys
sys.path.insert(0, "tests")
from test_figures import make_log
import enas_viz as ev

tl = ev.Timeline(make_log("macro", epochs=30, per_epoch=10, size=12, seed=4))
tl.slider.value = 123
tl
"""


def _npm_package(name: str, version: str) -> Path:
    """The unpacked npm package ``name`` (test-artifacts/npm/<name>/package), fetched once."""
    target = ARTIFACTS / "npm" / name.replace("/", "__")
    if not (target / "package" / "package.json").exists():
        target.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--silent"], cwd=target, check=True, capture_output=True, text=True
        )
        with tarfile.open(target / out.stdout.strip().splitlines()[-1]) as tar:
            tar.extractall(target, filter="data")
    return target / "package"


def _serve_cdn(route) -> None:
    """Answer CDN requests (jsdelivr and unpkg npm paths, cdnjs require.js) from the local npm packages."""
    url = route.request.url
    if "require" in url and url.endswith(".js") and "jsdelivr" not in url:
        return route.fulfill(path=str(_npm_package("requirejs", "2") / "require.js"), content_type="text/javascript")
    match = re.match(r"https://(?:cdn\.jsdelivr\.net/npm|unpkg\.com)/((?:@[^/]+/)?[^@/]+)@[^/]+/([^?]*)", url)
    if match and match.group(1) in NPM_PACKAGES:
        path = _npm_package(match.group(1), NPM_PACKAGES[match.group(1)]) / match.group(2)
        if path.is_file():
            return route.fulfill(path=str(path), content_type="text/javascript" if path.suffix == ".js" else None)
    return route.abort()


@pytest.mark.browser
def test_saved_timeline_renders_in_exported_html():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    NotebookClient(
        nb, timeout=120, kernel_name="python3", store_widget_state=True, resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    sliders = [m for m in state.values() if m["model_name"] == "IntSliderModel"]
    assert [s["state"]["value"] for s in sliders] == [123]
    html, _ = HTMLExporter().from_notebook_node(nb)
    page_path = ARTIFACTS / "timeline.html"
    page_path.write_text(html)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1300})
        page.route(re.compile(r"^https?://.*"), _serve_cdn)
        page.goto(page_path.as_uri())
        page.wait_for_selector(".widget-slider", timeout=60_000)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .scatterlayer').length >= 2", timeout=60_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "timeline.png"), full_page=True)
        readout = page.inner_text(".widget-readout")
        info = page.inner_text(".widget-html-content")
        nodes = page.evaluate(
            "document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll('.scatterlayer .point').length"
        )
        buttons = page.evaluate("[...document.querySelectorAll('button')].map(b => b.innerText.trim())")
        browser.close()
    assert readout.strip() == "123"
    assert "arc 124 / 300" in info
    assert nodes >= 14  # the 14 DAG nodes (and arrowheads) are drawn
    assert "Export MP4" in buttons
