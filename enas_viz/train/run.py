"""What every run (search or final training) shares: its folder, log, checkpoints and resume.

``runs/NAME/events.jsonl`` is the log, ``runs/NAME/checkpoint.pt`` the last finished
epoch. :class:`RunFiles` first only reads (the checkpoint to resume from, or refuses a
folder that holds a run); nothing is written until :meth:`RunFiles.start`, called once data
and model are built, so a run that fails to load its data leaves no folder, log or open
file. ``start`` cuts the log back to the last checkpoint on resume (no epoch appears twice)
and writes ``run_start`` (again, with ``resumed: true``, when a run is resumed); ``save``
checkpoints after each epoch; ``end`` writes ``run_end`` and closes the log.
"""

from __future__ import annotations

import math
import platform
import random
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from ..schema import SCHEMA_VERSION
from .config import Config
from .events import EventLog, StopRun, load_checkpoint, rng_state, save_checkpoint, set_rng_state

__all__ = ["RunFiles", "StopRun", "child_lr", "seed_everything", "versions", "progress_bar"]


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


class RunFiles:
    """The log and checkpoint of one run folder."""

    def __init__(self, out, resume: bool, callbacks=()):
        self.out = Path(out)
        self.events = self.out / "events.jsonl"
        self.checkpoint_path = self.out / "checkpoint.pt"
        self.checkpoint: dict | None = None
        self.callbacks = list(callbacks)
        self.log: EventLog | None = None  # opened by start()
        if resume and self.checkpoint_path.exists():
            self.checkpoint = load_checkpoint(self.checkpoint_path)
        elif not resume and self.events.exists() and self.events.stat().st_size > 0:
            raise FileExistsError(
                f"{self.events} already holds a run; pass resume=True (--resume) to continue it, "
                "or choose another out folder"
            )

    @property
    def resumed(self) -> bool:
        return self.checkpoint is not None

    def resume_config(self, cfg: Config, epochs: int | None) -> Config:
        """The checkpoint's config (only ``epochs`` may change); warn about given settings it overrides."""
        saved, given = dict(self.checkpoint["config"]), cfg.to_dict()
        differ = sorted(k for k in saved.keys() | given.keys() if k != "epochs" and saved.get(k) != given.get(k))
        if differ:
            warnings.warn(
                f"resuming {self.out}: the run goes on with its checkpoint's config; ignoring the given "
                + ", ".join(f"{k}={given.get(k)!r} (the run's: {saved.get(k)!r})" for k in differ)
                + "; only epochs may change on resume, start a new out folder to change the others",
                stacklevel=3,
            )
        return Config(**{**saved, **({"epochs": epochs} if epochs else {})})

    def start(self, cfg, space_params: dict, ops, device: str, **fields) -> None:
        """Create the folder, cut back (resume) or clear the log, open it and write ``run_start``.

        ``fields`` go into ``run_start`` too (e.g. ``steps_per_epoch``, which a live monitor needs for its ETA).
        """
        self.out.mkdir(parents=True, exist_ok=True)
        if self.resumed:
            with open(self.events, "a+b") as f:  # drop what the unfinished epoch wrote
                f.truncate(min(self.checkpoint["log_offset"], f.seek(0, 2)))
        elif self.events.exists():
            self.events.unlink()  # empty, or killed before its first checkpoint: nothing to keep
        minutes = self.checkpoint["minutes"] if self.checkpoint else 0.0
        self.log = EventLog(self.events, self.callbacks, minutes_before=minutes)
        extra = {"resumed": True, "resume_epoch": self.checkpoint["epoch"]} if self.resumed else {}
        try:
            self.log.write(
                "run_start", schema=SCHEMA_VERSION, time=time.strftime("%Y-%m-%dT%H:%M:%S%z"), config=cfg.to_dict(),
                space=cfg.space, space_params=dict(space_params), ops=list(ops), seed=cfg.seed, versions=versions(),
                device=device, **extra, **fields,
            )  # fmt: skip
        except BaseException:
            self.log.close()
            raise

    def save(self, epoch: int, state: dict, generator: torch.Generator) -> None:
        """Checkpoint after ``epoch`` finished epochs, then log the ``checkpoint`` event."""
        line = self.log.line_for("checkpoint", epoch=epoch, path=str(self.checkpoint_path))
        state = {**state, "epoch": epoch, "minutes": self.log.minutes(), "rng": rng_state(),
                 "data_rng": generator.get_state(), "log_offset": self.log.size() + len(line.encode())}  # fmt: skip
        save_checkpoint(self.checkpoint_path, state)
        self.log.write("checkpoint", epoch=epoch, path=str(self.checkpoint_path))

    def restore_rng(self, generator: torch.Generator) -> None:
        set_rng_state(self.checkpoint["rng"])
        generator.set_state(self.checkpoint["data_rng"])

    def end(self, status: str, **result) -> None:
        """Write ``run_end`` (status and the run's result, e.g. ``derived_arc`` or ``arc``) and close the log."""
        self.log.write("run_end", minutes=self.log.minutes(), status=status, **result)
        self.log.close()
