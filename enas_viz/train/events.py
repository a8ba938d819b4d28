"""The run's two files: ``events.jsonl`` (written line by line) and ``checkpoint.pt``.

Every event is one JSON line, flushed at once, so a killed run leaves a readable log up
to its last line. Table events carry exactly the columns of :data:`enas_viz.schema.COLUMNS`
(less ``run`` and ``line``, which the reader adds); a missing value is written ``null``.

The checkpoint records how long the log was when it was written; resuming cuts the log
back to that length, so the events of the epoch that was in progress are not repeated.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch

from ..schema import COLUMNS, EVENT_TABLES, EVENTS

__all__ = ["EventLog", "StopRun", "save_checkpoint", "load_checkpoint", "rng_state", "set_rng_state"]


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return _clean(value.item())
    return value


class StopRun(Exception):
    """Raised between steps when a callback asks the run to stop (``callback.stop_requested`` is true)."""


class EventLog:
    """Append events to ``path`` and hand each to the callbacks.

    A callback with a true ``stop_requested`` attribute (the live monitor's Stop button) ends the run at the
    next step: :meth:`check_stop` raises :class:`StopRun`, the run writes ``run_end`` with status
    ``"stopped"``, and ``resume=True`` continues it from its last checkpoint.
    """

    def __init__(self, path: Path, callbacks=(), start_time: float | None = None, minutes_before: float = 0.0):
        self.path = Path(path)
        self.callbacks = list(callbacks)
        self.start = start_time if start_time is not None else time.time()
        self.minutes_before = minutes_before  # time spent by earlier sessions of a resumed run
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 -- open for the whole run

    def minutes(self) -> float:
        return self.minutes_before + (time.time() - self.start) / 60

    @staticmethod
    def _record(event: str, fields: dict) -> dict:
        """The event as written: schema-checked, non-finite floats as ``None``, tuples as lists."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; expected one of {EVENTS}")
        if event in EVENT_TABLES:
            expected = set(COLUMNS[EVENT_TABLES[event]]) - {"run", "line"}
            if set(fields) != expected:
                raise ValueError(f"{event}: keys {sorted(fields)} differ from the schema's {sorted(expected)}")
        return {"event": event, **_clean(fields)}

    def line_for(self, event: str, **fields) -> str:
        return json.dumps(self._record(event, fields), allow_nan=False) + "\n"

    def write(self, event: str, **fields) -> dict:
        record = self._record(event, fields)
        self._file.write(json.dumps(record, allow_nan=False) + "\n")
        self._file.flush()
        for callback in self.callbacks:  # the cleaned dict itself: what a reader of the line would get
            callback(record)
        return record

    def stop_requested(self) -> bool:
        return any(getattr(callback, "stop_requested", False) for callback in self.callbacks)

    def check_stop(self) -> None:
        if self.stop_requested():
            raise StopRun("a callback asked the run to stop")

    def size(self) -> int:
        self._file.flush()
        return self.path.stat().st_size

    def close(self) -> None:
        self._file.close()


def rng_state() -> dict:
    """Python, numpy and torch generator states, as types ``torch.load(weights_only=True)`` accepts."""
    np_state = np.random.get_state()
    py_state = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "numpy": {"keys": torch.from_numpy(np_state[1].astype(np.int64)), "pos": int(np_state[2])},
        "python": {"version": py_state[0], "state": list(py_state[1])},
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(("MT19937", state["numpy"]["keys"].numpy().astype(np.uint32), state["numpy"]["pos"], 0, 0.0))
    random.setstate((state["python"]["version"], tuple(state["python"]["state"]), None))
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: Path, state: dict) -> None:
    """Write atomically: a kill during the write leaves the previous checkpoint intact."""
    tmp = Path(str(path) + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)
