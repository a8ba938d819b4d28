"""What every run (search or final training) shares: its folder, log, checkpoints and resume.

``runs/NAME/events.jsonl`` is the log, ``runs/NAME/checkpoint.pt`` the last finished
epoch, ``runs/NAME/.lock`` the lock of the run that uses the folder. :class:`RunFiles`
first only reads (the checkpoint to resume from, or refuses a folder that holds or runs a
run); nothing is written until :meth:`RunFiles.start`, called once data and model are
built, so a run that fails to load its data leaves no folder, log or open file. ``start``
takes the folder's lock (held until ``end``, released by the OS if the process dies), cuts
the log back to the last checkpoint on resume (no epoch appears twice) and writes
``run_start`` (again, with ``resumed: true``, when a run is resumed); ``save`` checkpoints
after each epoch; ``end`` writes ``run_end``, closes the log and releases the lock.

A log is never deleted or cut short of a finished epoch: a resume whose checkpoint is
missing, damaged, or does not match the log is refused with what to do instead.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import random
import socket
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from ..schema import SCHEMA_VERSION
from .config import Config, ConfigError, check_config
from .events import (
    CheckpointError,
    EventLog,
    RunFolderError,
    StopRun,
    format_event,
    load_checkpoint,
    rng_state,
    save_checkpoint,
    set_rng_state,
)

try:
    import fcntl
except ImportError:  # Windows: no flock; runs there are not protected from each other
    fcntl = None

__all__ = [
    "RunFiles", "RunFolderError", "CheckpointError", "StopRun", "child_lr", "seed_everything", "versions",
    "progress_bar",
]  # fmt: skip


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def versions() -> dict:
    from .. import __version__

    return {"python": platform.python_version(), "torch": torch.__version__, "enas_viz": __version__,
            "numpy": np.__version__}  # fmt: skip


def child_lr(cfg, epoch: int) -> float:
    """The child learning rate of an epoch: cosine with warm restarts, or the ptb step decay."""
    if not cfg.lr_cosine:
        decays = max(0, epoch - cfg.lr_dec_start + 1)
        return max(cfg.lr_max * cfg.lr_dec_rate**decays, cfg.lr_min)
    t, period = epoch, cfg.lr_T0
    while t >= period:  # restarts after T0, T0 + T0*Tmul, ...
        t -= period
        period *= cfg.lr_T_mul
    return cfg.lr_min + 0.5 * (cfg.lr_max - cfg.lr_min) * (1 + math.cos(math.pi * t / period))


def progress_bar(enabled: bool, **kwargs):
    from tqdm.auto import tqdm

    return tqdm(disable=not enabled, dynamic_ncols=True, **kwargs)


class _FolderLock:
    """An exclusive ``flock`` on ``OUT/.lock`` for the life of a run; the file says who holds it.

    The OS drops the lock when the process ends, killed or not, so a crashed run never leaves its
    folder locked. The file stays (removing it would let two runs lock two different files); it is
    emptied when the lock is released.
    """

    def __init__(self, out: Path):
        self.out, self.path = out, out / ".lock"
        self._file = None

    def check_free(self) -> None:
        """Raise :class:`RunFolderError` naming the holder if a live run holds the lock; take nothing."""
        if fcntl is None or not self.path.exists():
            return
        with open(self.path, "rb") as f:
            try:  # shared: probes never block each other
                fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunFolderError(self._in_use()) from None
            except OSError:
                return  # a file system without locks: acquire() warns
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def acquire(self) -> None:
        if fcntl is None:
            return
        f = open(self.path, "a+b")  # noqa: SIM115 -- held until release()
        try:
            for attempt in range(8):  # a probe (check_free) holds a shared lock for microseconds
                try:
                    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if attempt == 7:
                        raise RunFolderError(self._in_use()) from None
                    time.sleep(0.05)
                except OSError as err:
                    warnings.warn(f"{self.path}: cannot lock ({err}); another run could write to this folder too",
                                  stacklevel=4)  # fmt: skip
                    break
            holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            f.truncate(0)
            f.write((json.dumps(holder) + "\n").encode())
            f.flush()
        except BaseException:
            f.close()
            raise
        self._file = f

    def release(self) -> None:
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            self._file.truncate(0)  # the holder's note goes with the lock
        self._file.close()  # closing drops the lock
        self._file = None

    def _in_use(self) -> str:
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
            who = f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
        except (OSError, ValueError, KeyError, TypeError):
            who = f"holder unknown: {self.path} names none"
        return (
            f"{self.out} is in use by another run ({who}); wait for it to end or stop it, "
            "or use another out folder (--out)"
        )


def _signature(path: Path):
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class RunFiles:
    """The log, checkpoint and lock of one run folder."""

    def __init__(self, out, resume: bool, callbacks=()):
        self.out = Path(out)
        self.events = self.out / "events.jsonl"
        self.checkpoint_path = self.out / "checkpoint.pt"
        self.checkpoint: dict | None = None
        self.callbacks = list(callbacks)
        self.log: EventLog | None = None  # opened by start()
        self._lock = _FolderLock(self.out)
        self._lock.check_free()  # say who runs here before anything else is said about the folder
        self._seen = (_signature(self.events), _signature(self.checkpoint_path))
        self._restore_line: str | None = None  # a checkpoint line a kill kept out of the log (start() puts it back)
        log_size = self._seen[0][1] if self._seen[0] else 0
        if resume and self.checkpoint_path.exists():
            self.checkpoint = self._read_checkpoint()
            self._restore_line = self._match_log(log_size)
        elif resume and log_size > 0:
            raise RunFolderError(
                f"cannot resume {self.out}: {self.checkpoint_path} is missing, and a run goes on only from its "
                f"checkpoint; {self.events} ({_summary(self.events)}) is kept as it is. Put the run's checkpoint.pt "
                "back to resume it, or start afresh in another out folder (--out)"
            )
        elif not resume and log_size > 0:
            raise FileExistsError(
                f"{self.events} already holds a run; pass resume=True (--resume) to continue it, "
                "or choose another out folder"
            )

    @property
    def resumed(self) -> bool:
        return self.checkpoint is not None

    def _read_checkpoint(self) -> dict:
        """The checkpoint, checked for what a resume reads; :class:`CheckpointError` says what to do if not."""
        advice = (
            f"; {self.events} is kept as it is. Restore checkpoint.pt from a copy to resume, "
            "or start afresh in another out folder (--out)"
        )
        try:
            ck = load_checkpoint(self.checkpoint_path)
        except CheckpointError as err:
            raise CheckpointError(f"cannot resume {self.out}: {err}{advice}") from None
        need = {"epoch": (int,), "log_offset": (int,), "minutes": (int, float), "config": (dict,), "run": (dict,),
                "rng": (dict,), "data_rng": (torch.Tensor,)}  # fmt: skip
        for key, kinds in need.items():
            if not isinstance(ck.get(key), kinds) or isinstance(ck.get(key), bool):
                found = "nothing" if key not in ck else type(ck[key]).__name__
                raise CheckpointError(
                    f"cannot resume {self.out}: {self.checkpoint_path} has no {key!r} ({kinds[0].__name__}; found "
                    f"{found}), so it is not a checkpoint of this trainer{advice}"
                )
        if ck["epoch"] < 0 or ck["log_offset"] < 0:
            raise CheckpointError(f"cannot resume {self.out}: {self.checkpoint_path} records a negative epoch{advice}")
        return ck

    def _match_log(self, log_size: int) -> str | None:
        """Check that the log holds the checkpoint's line at ``log_offset``; the line to put back if a kill lost it."""
        epoch, offset = self.checkpoint["epoch"], self.checkpoint["log_offset"]
        refuse = (
            f"cannot resume {self.out}: {self.checkpoint_path} (epoch {epoch}) was saved when {self.events} had "
            f"{offset} bytes, ending in its checkpoint line, but the log now has {log_size} bytes"
        )
        advice = (
            "; nothing was changed. Restore the run's log to resume it, or start afresh in another out folder (--out)"
        )
        if log_size >= offset:
            if _last_event(self.events, offset) == ("checkpoint", epoch):
                return None
            raise RunFolderError(f"{refuse} and no checkpoint line of epoch {epoch} ends at byte {offset}{advice}")
        # killed between the checkpoint's rename and its log line: the log ends with the epoch's last eval, and
        # lacks exactly that line (checkpoints before ``log_line`` was recorded: one line's worth of bytes)
        line = self.checkpoint.get("log_line")
        missing = offset - log_size
        fits = missing == len(line.encode()) if isinstance(line, str) else 0 < missing <= 4096
        if fits and _last_event(self.events, log_size) == ("eval", epoch):
            return format_event("checkpoint", epoch=epoch, path=str(self.checkpoint_path))
        raise RunFolderError(f"{refuse}: the log lost events after the checkpoint was saved{advice}")

    def resume_config(self, cfg: Config, epochs: int | None) -> Config:
        """The checkpoint's config (only ``epochs`` may change); warn about given settings it overrides."""
        saved, given = dict(self.checkpoint["config"]), cfg.to_dict()
        unknown = sorted(set(saved) - set(given))
        if unknown:
            raise CheckpointError(
                f"cannot resume {self.out}: {self.checkpoint_path} has config field(s) {unknown} that this version "
                "of enas-viz does not know; resume it with the version that wrote it"
            )
        try:
            resumed = check_config(Config(**{**saved, **({"epochs": epochs} if epochs else {})}))
        except ConfigError as err:
            raise ConfigError(f"resuming {self.out} ({self.checkpoint_path}): {err}") from None
        differ = sorted(k for k in saved.keys() | given.keys() if k != "epochs" and saved.get(k) != given.get(k))
        if differ:
            warnings.warn(
                f"resuming {self.out}: the run goes on with its checkpoint's config; ignoring the given "
                + ", ".join(f"{k}={given.get(k)!r} (the run's: {saved.get(k)!r})" for k in differ)
                + "; only epochs may change on resume, start a new out folder to change the others",
                stacklevel=3,
            )
        return resumed

    def start(self, cfg, space_params: dict, ops, device: str, **fields) -> None:
        """Lock the folder, cut back (resume) the log, open it and write ``run_start``.

        ``fields`` go into ``run_start`` too (e.g. ``steps_per_epoch``, which a live monitor needs for its ETA).
        """
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()
        try:
            if (_signature(self.events), _signature(self.checkpoint_path)) != self._seen:
                raise RunFolderError(
                    f"{self.out} changed while this run loaded its data (another run wrote to it); nothing was "
                    "written. Run the command again"
                )
            if self.resumed and self._restore_line is None:
                os.truncate(self.events, self.checkpoint["log_offset"])  # drop what the unfinished epoch wrote
            minutes = self.checkpoint["minutes"] if self.checkpoint else 0.0
            self.log = EventLog(self.events, self.callbacks, minutes_before=minutes)
            if self._restore_line is not None:
                self.log.write_line(self._restore_line)
                warnings.warn(
                    f"{self.events}: put back the checkpoint line of epoch {self.checkpoint['epoch']}, which a stop "
                    "between the checkpoint and its log line had left out",
                    stacklevel=3,
                )
            extra = {"resumed": True, "resume_epoch": self.checkpoint["epoch"]} if self.resumed else {}
            self.log.write(
                "run_start", schema=SCHEMA_VERSION, time=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                config=cfg.to_dict(), space=cfg.space, space_params=dict(space_params), ops=list(ops), seed=cfg.seed,
                versions=versions(), device=device, **extra, **fields,
            )  # fmt: skip
        except BaseException:
            if self.log is not None:
                self.log.close()
            self._lock.release()
            raise

    def save(self, epoch: int, state: dict, generator: torch.Generator) -> None:
        """Checkpoint after ``epoch`` finished epochs, then log the ``checkpoint`` event."""
        line = self.log.line_for("checkpoint", epoch=epoch, path=str(self.checkpoint_path))
        state = {**state, "epoch": epoch, "minutes": self.log.minutes(), "rng": rng_state(),
                 "data_rng": generator.get_state(), "log_offset": self.log.size() + len(line.encode()),
                 "log_line": line}  # fmt: skip
        save_checkpoint(self.checkpoint_path, state)
        self.log.write("checkpoint", epoch=epoch, path=str(self.checkpoint_path))

    def restore_rng(self, generator: torch.Generator) -> None:
        set_rng_state(self.checkpoint["rng"])
        generator.set_state(self.checkpoint["data_rng"])

    def end(self, status: str, **result) -> None:
        """Write ``run_end`` (status and the run's result, e.g. ``derived_arc`` or ``arc``), close the log, unlock.

        When the run is failing (``"error"``, ``"interrupted"``) and ``run_end`` cannot be written either (often
        the same full disk), the run's own error is the one raised, so this one is dropped.
        """
        try:
            self.log.write("run_end", minutes=self.log.minutes(), status=status, **result)
        except RunFolderError:
            if status not in ("error", "interrupted"):
                raise
        finally:
            self.log.close()
            self._lock.release()


def _last_event(events: Path, end: int) -> tuple[str, int] | None:
    """``(event, epoch)`` of the whole line that ends at byte ``end`` of the log, or None."""
    if end <= 0:
        return None
    with open(events, "rb") as f:
        f.seek(max(0, end - 65536))
        head = f.read(end - max(0, end - 65536))
    if not head.endswith(b"\n"):
        return None
    try:
        event = json.loads(head[:-1].rsplit(b"\n", 1)[-1])
    except ValueError:
        return None
    return (event.get("event"), event.get("epoch")) if isinstance(event, dict) else None


def _summary(events: Path) -> str:
    """What a log holds, in a few words: its finished epochs and how it ended."""
    epochs, status = [], None
    with open(events, "rb") as f:
        for line in f:
            if b'"checkpoint"' in line or b'"run_end"' in line:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "checkpoint":
                    epochs.append(event.get("epoch"))
                elif event.get("event") == "run_end":
                    status = event.get("status")
    done = f"{len(epochs)} checkpointed epoch(s)" if epochs else "no finished epoch"
    return f"{events.stat().st_size} bytes, {done}" + (f", status {status!r}" if status else "")
