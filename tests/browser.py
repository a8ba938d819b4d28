"""Debian's headless chromium, as the browser tests start it (no browser is ever downloaded)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots to look at; git-ignored
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No background networking: this machine's network is closed, and chromium's own connections would be refused.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
