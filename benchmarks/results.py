"""Replace one ``## Title`` section of benchmarks/RESULTS.md, leaving every other section as it is."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Put ``## title`` followed by ``body`` in place of that section, or append it if it is new."""
    heading = f"## {title}"
    body = body.strip("\n")
    if body.startswith(heading):  # a report that already carries its own heading
        body = body[len(heading) :].strip("\n")
    section = [heading, "", *body.split("\n"), ""]
    lines = (path.read_text() if path.exists() else "# Benchmark results\n").rstrip("\n").split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        lines += ["", *section]
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = section
    path.write_text("\n".join(lines).rstrip("\n") + "\n")
