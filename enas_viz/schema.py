"""One schema for every source: SearchLog columns and the trainer's event keys.

The trainer (``enas_viz.train``) writes ``events.jsonl`` with these keys and the
extractor (``extract``) reads every log format into tables with these columns, so a
column named here means the same thing whatever produced it. A missing value is NaN.
"""

from __future__ import annotations

__all__ = ["SCHEMA_VERSION", "COLUMNS", "EVENT_TABLES", "EVENTS", "TABLES"]

SCHEMA_VERSION = 1

COLUMNS: dict[str, tuple[str, ...]] = {
    # one row per sampled architecture
    "archs": ("run", "epoch", "sample", "space", "arc", "val_acc", "reward", "line"),
    # one row per logged shared-weights (child) training step
    "child": ("run", "epoch", "step", "loss", "lr", "grad_norm", "train_acc", "train_ppl", "minutes", "line"),
    # one row per logged controller training step
    "controller": (
        "run",
        "epoch",
        "ctrl_step",
        "loss",
        "entropy",
        "lr",
        "grad_norm",
        "acc",
        "reward",
        "baseline",
        "minutes",
        "line",
    ),  # fmt: skip
    # one row per evaluation of the child on a split
    "evals": ("run", "epoch", "step", "split", "accuracy", "ppl", "loss", "line"),
    # one row per line that could not be read
    "problems": ("line", "kind", "message"),
}
TABLES = tuple(COLUMNS)

# events.jsonl: the "event" key names the kind; the other keys are column names.
EVENT_TABLES = {"child_step": "child", "controller_step": "controller", "arc_sample": "archs", "eval": "evals"}
EVENTS = ("run_start", *EVENT_TABLES, "checkpoint", "run_end")
