"""The package installs as one thing: pyproject, environment.yml, imports and the CLI."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"torch": "pytorch"}  # conda-forge's name for a PyPI distribution


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()


def test_environment_yml_names_every_runtime_dependency():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = (ROOT / "environment.yml").read_text()
    conda = {_name(m) for m in re.findall(r"^\s*-\s+([A-Za-z][\w.-]*[^\n]*)$", env, flags=re.M)}
    missing = [d for d in deps if CONDA_NAMES.get(_name(d), _name(d)) not in conda]
    assert not missing, f"environment.yml lacks {missing}; add them so conda users get the same install"
    assert re.search(r"^\s*-\s+-e \.\s*$", env, flags=re.M), "environment.yml must pip-install the package itself"


def test_torch_requirement_is_a_range_not_a_pin():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    torch = [d for d in deps if _name(d) == "torch"]
    assert torch and "==" not in torch[0] and ">=" in torch[0]


def test_import_does_not_import_torch():
    code = "import sys, enas_viz, extract; enas_viz.parse_arc('0 1 0'); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_cli_lists_its_commands():
    out = subprocess.run([sys.executable, "-m", "enas_viz.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    for command in ("search", "final", "extract", "draw", "video", "demo"):
        assert re.search(rf"^\s+{command}\s", out.stdout, flags=re.M), f"no '{command}' subcommand in --help"


def test_cli_reports_unreadable_input_in_one_line(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "enas_viz.cli", "extract", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("enas-viz extract: error:") and str(tmp_path) in out.stderr
