"""Our own trainer's ``events.jsonl`` (written by :mod:`enas_viz.train`; keys in :mod:`enas_viz.schema`).

One JSON object per line, key ``"event"`` in ``schema.EVENTS``::

    {"event": "run_start", "schema": 1, "space": "macro", "space_params": {...}, "ops": [...], ...}
    {"event": "arc_sample", "epoch": 1, "sample": 0, "space": "macro", "arc": "0 3 0", "val_acc": 0.41, ...}

Table events carry the columns of their table except ``run`` and ``line``, filled in
here. A ``run_start`` with ``"resumed": true`` continues the current run; any other
``run_start`` begins a new one. A line cut off mid-write goes to ``problems``.
"""

from __future__ import annotations

import json
import math

from enas_viz.schema import COLUMNS, EVENT_TABLES, EVENTS

from .errors import NotApplicable
from .searchlog import SearchLog
from .tables import frame, problems_frame

__all__ = ["detect_jsonl", "parse_jsonl"]


def detect_jsonl(head: list[str]) -> None:
    first = next((line.strip() for line in head if line.strip()), "")
    if not (first.startswith("{") and '"event"' in first):
        raise NotApplicable('first line is not a JSON object with an "event" key')


def parse_jsonl(text: str) -> SearchLog:
    """Read the events of one ``events.jsonl`` into a SearchLog."""
    tables = {name: {c: [] for c in COLUMNS[name]} for name in EVENT_TABLES.values()}
    problems: list[tuple[int, str, str]] = []
    meta: dict = {"format": "enas-viz-jsonl", "space": None, "space_params": {}, "ops": [], "flags": {}, "runs": []}
    run = -1
    last_line = text.rstrip("\n").count("\n") + 1  # a bad last line may be one cut off mid-write
    for lineno, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            event = json.loads(raw)
            kind = event["event"]
        except (ValueError, TypeError, KeyError) as err:
            cut = "cut off mid-write? " if lineno == last_line else ""
            problems.append((lineno, "bad_json", f"{cut}not a JSON event: {err}"))
            continue
        if kind not in EVENTS:
            problems.append((lineno, "unknown_event", f"event {kind!r} is not one of {', '.join(EVENTS)}"))
            continue
        if kind == "run_start":
            if not (event.get("resumed") and run >= 0):
                run += 1
                meta["runs"].append({"run": run, "line": lineno, "flags": event.get("config", {})})
            info = meta["runs"][-1]
            if event.get("resumed"):
                info.setdefault("resumed_at", []).append({"line": lineno, "epoch": event.get("resume_epoch")})
            for key in ("schema", "time", "seed", "versions", "device", "space", "space_params", "ops"):
                if key in event:
                    info[key] = event[key]
            if meta["space"] is None and event.get("space"):
                meta.update(space=event["space"], space_params=dict(event.get("space_params") or {}))
                meta.update(ops=list(event.get("ops") or []), flags=event.get("config") or {})
            continue
        if run < 0:  # events before any run_start: still one run
            run = 0
            meta["runs"].append({"run": 0, "line": lineno, "flags": {}})
        if kind in EVENT_TABLES:
            columns = tables[EVENT_TABLES[kind]]
            for c in columns:
                columns[c].append(event.get(c, math.nan))
            columns["run"][-1], columns["line"][-1] = run, lineno
        elif kind == "checkpoint":
            meta["runs"][-1].setdefault("checkpoints", []).append(
                {"epoch": event.get("epoch"), "path": event.get("path"), "line": lineno}
            )
        else:  # run_end; logs before 0.2 named the derived arc "best_arc"
            if "best_arc" in event and "derived_arc" not in event:
                event["derived_arc"] = event["best_arc"]
            meta["runs"][-1].update({k: event[k] for k in ("minutes", "status", "derived_arc", "arc") if k in event})
    for name, columns in tables.items():
        if name == "archs":  # an arc_sample without "space" is in its run's space
            spaces = [info.get("space") or meta["space"] for info in meta["runs"]]
            columns["space"] = [
                s if isinstance(s, str) else spaces[r] for s, r in zip(columns["space"], columns["run"], strict=True)
            ]
        for c in columns:
            if c not in ("space", "arc", "split", "run", "line"):
                columns[c] = [math.nan if v is None else v for v in columns[c]]
    return SearchLog(meta=meta, problems=problems_frame(problems), **{n: frame(n, t) for n, t in tables.items()})
