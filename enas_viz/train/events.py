"""The run's two files: ``events.jsonl`` (written line by line) and ``checkpoint.pt``.

Every event is one JSON line, flushed at once, so a killed run leaves a readable log up
to its last line. Table events carry exactly the columns of :data:`enas_viz.schema.COLUMNS`
(less ``run`` and ``line``, which the reader adds); a missing value is written ``null``.

The checkpoint records how long the log was when it was written, and its own log line;
resuming cuts the log back to that length, so the events of the epoch that was in progress
are not repeated (and puts the line back if a kill fell between the two writes).

Both files are written so that a failure (a full disk) leaves them whole: a log line that
could not be written completely is cut back off the log, and a checkpoint is written to
``checkpoint.pt.tmp`` and renamed over the old one only once it is complete; a failed
write removes the ``.tmp``. Either failure raises :class:`RunFolderError` (an ``OSError``)
that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch

from ..schema import COLUMNS, EVENT_TABLES, EVENTS

__all__ = [
    "EventLog", "StopRun", "RunFolderError", "CheckpointError", "format_event", "save_checkpoint",
    "load_checkpoint", "rng_state", "set_rng_state",
]  # fmt: skip


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


class RunFolderError(OSError):
    """A run folder that cannot be used as asked (in use, damaged, out of space); the message says what to do."""


class CheckpointError(RunFolderError):
    """A ``checkpoint.pt`` that cannot be read, or does not hold what a resume needs."""


def _write_all(file, data) -> None:
    """Write every byte of ``data`` to the unbuffered ``file`` (a raw write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[file.write(view) :]


def _write_failed(path: Path, err: OSError) -> str:
    what = "no space left on the device" if err.errno in (errno.ENOSPC, errno.EDQUOT) else err.strerror or str(err)
    return (
        f"cannot write {path}: {what}; the run stopped, and its log and last checkpoint are intact. "
        "Free some space, then continue the run with --resume (resume=True)"
    )


def _record(event: str, fields: dict) -> dict:
    """The event as written: schema-checked, non-finite floats as ``None``, tuples as lists."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}; expected one of {EVENTS}")
    if event in EVENT_TABLES:
        expected = set(COLUMNS[EVENT_TABLES[event]]) - {"run", "line"}
        if set(fields) != expected:
            raise ValueError(f"{event}: keys {sorted(fields)} differ from the schema's {sorted(expected)}")
    return {"event": event, **_clean(fields)}


def format_event(event: str, **fields) -> str:
    """The log line of an event, newline included."""
    return json.dumps(_record(event, fields), allow_nan=False) + "\n"


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
        # unbuffered: each line is one write that either lands whole or is cut back off (see _append)
        self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115 -- open for the whole run
        self._size = os.fstat(self._file.fileno()).st_size

    def minutes(self) -> float:
        return self.minutes_before + (time.time() - self.start) / 60

    def line_for(self, event: str, **fields) -> str:
        return format_event(event, **fields)

    def write(self, event: str, **fields) -> dict:
        record = _record(event, fields)
        self._append(json.dumps(record, allow_nan=False) + "\n")
        for callback in self.callbacks:  # the cleaned dict itself: what a reader of the line would get
            callback(record)
        return record

    def write_line(self, line: str) -> None:
        """Append a line already formatted (an event put back on resume); callbacks do not see it."""
        self._append(line)

    def _append(self, line: str) -> None:
        """Append one whole line, or nothing: a failed write (a full disk) is cut back off the log."""
        data = line.encode("utf-8")
        try:
            _write_all(self._file, data)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.ftruncate(self._file.fileno(), self._size)
            raise RunFolderError(_write_failed(self.path, err)) from err
        self._size += len(data)

    def stop_requested(self) -> bool:
        return any(getattr(callback, "stop_requested", False) for callback in self.callbacks)

    def check_stop(self) -> None:
        if self.stop_requested():
            raise StopRun("a callback asked the run to stop")

    def size(self) -> int:
        """Bytes in the log."""
        return self._size

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
    """Write atomically: a kill or a failed write (a full disk) leaves the previous checkpoint and no ``.tmp``."""
    path = Path(path)
    buffer = io.BytesIO()
    torch.save(state, buffer)  # in memory first: a failing disk raises an OSError below, not a torch error
    tmp = Path(str(path) + ".tmp")
    try:
        with open(tmp, "wb", buffering=0) as f:
            _write_all(f, buffer.getbuffer())
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise RunFolderError(_write_failed(path, err)) from err
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a power cut after it keeps the new checkpoint); best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_checkpoint(path: Path) -> dict:
    """The checkpoint's state; :class:`CheckpointError` if the file is damaged or is not a checkpoint."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as err:  # torch raises RuntimeError, UnpicklingError, EOFError, ... for a damaged file
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise CheckpointError(f"{path} cannot be read as a checkpoint ({reason})") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} holds a {type(state).__name__}, not a checkpoint of this trainer")
    return state
