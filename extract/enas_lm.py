"""google-research ``enas_lm`` (the authors' corrected PTB code): arcs inline on controller lines.

    epoch=0     step=200     ppl=1805.63   lr=20.00   |w|=0.32   |g|=0.51   mins=1.23
    step=0     ent=18.123  ppl=612.41  rw=0.1306  bl=0.1306  arc=[0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2]
    valid_ppl=572.19

Arcs are ``p1 f1 ... pN fN`` after a fixed tanh node (``encoding="enas_lm"``, functions
tanh, relu, sigmoid, identity). Each "Training controller" block follows a child epoch,
so its epoch is the number of completed epochs; ``reward`` is ``rw``.
"""

from __future__ import annotations

import json
import math

from enas_viz.spaces import op_table

from .arcs import validate_arcs
from .errors import NotApplicable
from .searchlog import SearchLog
from .source import MAX_LINE_CHARS
from .tables import add_row, frame, problems_frame

__all__ = ["detect_enas_lm", "parse_enas_lm"]


def detect_enas_lm(head: list[str]) -> None:
    for line in head:
        if line.startswith("HParams:") or (line.startswith("step=") and " arc=[" in line):
            return
        if line.startswith("epoch=") and " step=" in line and " ppl=" in line:
            return
    raise NotApplicable("no 'HParams:', 'step=... arc=[...]' or 'epoch=... step=... ppl=' line")


def _fields(line: str) -> dict[str, str]:
    # "step=0     ent=18.123  ppl=612.41  rw=0.1306  bl=0.1306  arc=[0 2 1 0]"
    head, _, arc = line.partition(" arc=[")
    out = dict(part.split("=", 1) for part in head.split() if "=" in part)
    if arc:
        out["arc"] = arc.rstrip().rstrip("]")
    return out


def parse_enas_lm(text: str) -> SearchLog:
    names = {
        "child": ("run", "epoch", "step", "loss", "lr", "grad_norm", "train_acc", "train_ppl", "minutes", "line"),
        "controller": ("run", "epoch", "ctrl_step", "entropy", "reward", "baseline", "line"),
        "archs": ("run", "epoch", "sample", "arc", "reward", "line"),
        "evals": ("run", "epoch", "split", "ppl", "line"),
    }
    t = {k: {c: [] for c in cols} for k, cols in names.items()}
    problems = []
    meta: dict = {"format": "enas-lm", "space": "rnn", "flags": {}, "runs": [{"run": 0, "line": 1, "flags": {}}]}
    run, blocks, epoch, sample, last_child_epoch = 0, 0, math.nan, 0, None
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        try:
            if len(line) > MAX_LINE_CHARS:
                problems.append((i, "too_long", f"line of {len(line)} characters skipped"))
            elif line.startswith("epoch="):
                f = _fields(line)
                last_child_epoch = int(f["epoch"])
                row = (run, last_child_epoch, int(f["step"]), math.nan, float(f["lr"]), float(f["|g|"]))
                add_row(t["child"], row + (math.nan, float(f["ppl"]), float(f["mins"]), i))
            elif line.startswith("Training controller"):
                blocks += 1
                epoch = last_child_epoch + 1 if last_child_epoch is not None else blocks
                sample = 0
            elif line.startswith("step="):
                f = _fields(line)
                row = (run, epoch, int(f["step"]), float(f["ent"]), float(f["rw"]), float(f["bl"]), i)
                add_row(t["controller"], row)
                if "arc" in f:
                    add_row(t["archs"], (run, epoch, sample, " ".join(f["arc"].split()), float(f["rw"]), i))
                    sample += 1
            elif line.startswith("valid_ppl="):
                add_row(t["evals"], (run, epoch, "valid", float(line[10:]), i))
            elif line.startswith("HParams:"):
                j = i
                while j < len(lines) and lines[j].rstrip() != "}":
                    j += 1
                try:
                    meta["flags"] = meta["runs"][0]["flags"] = json.loads("\n".join(lines[i : j + 1]))
                    i = j + 1
                except ValueError as err:
                    problems.append((i, "bad_record", f"HParams JSON: {err}"))
        except (KeyError, ValueError) as err:
            problems.append((i, "bad_record", f"cannot read {line[:100]!r}: {err}"))
    arcs = t["archs"]["arc"]
    tokens = max((a.count(" ") + 1 for a in arcs), default=0)
    params = {"num_nodes": tokens // 2 + 1 if tokens else None, "num_funcs": 4, "encoding": "enas_lm"}
    bad = validate_arcs(arcs, "rnn", {k: v for k, v in params.items() if v is not None})
    for r, message in bad.items():
        problems.append((t["archs"]["line"][r], "bad_arc", message))
    meta.update(space_params=params, ops=list(op_table("rnn", 4, encoding="enas_lm")))
    archs = frame("archs", {**t["archs"], "space": ["rnn"] * len(arcs), "val_acc": [math.nan] * len(arcs)})
    if bad:
        archs = archs.drop(index=list(bad)).reset_index(drop=True)
    return SearchLog(
        meta=meta,
        archs=archs,
        child=frame("child", t["child"]),
        controller=frame("controller", t["controller"]),
        evals=frame("evals", t["evals"]),
        problems=problems_frame(problems),
    )
