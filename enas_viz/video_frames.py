"""Which architectures a video shows, in which order, and what each frame says.

One :class:`Panel` per search: its log's archs, the parsed arcs, the rows selected by
``which`` inside the epoch window, and the strip's data. :func:`sync` puts several
panels on one time axis (by epoch), :func:`thin` keeps a video under a length.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["WHICH", "Frames", "Panel", "select_frames", "read_panel", "sync", "thin", "auto_every"]

WHICH = ("all", "epoch-best", "best-so-far")


@dataclass
class Frames:
    """The selected rows of ``archs`` and what each frame prints."""

    rows: object  # pandas DataFrame: the archs rows to draw, in order
    x: np.ndarray  # strip x of every archs row (figures.logdata.epoch_position, or the row number)
    best: np.ndarray  # best score so far at every archs row
    xlabel: str
    metric: str  # the column scored: val_acc, or reward where a log has no val_acc (enas_lm)

    def keys(self) -> np.ndarray:
        """The time of each selected row on the shared axis: its strip x, or its epoch for per-epoch picks."""
        at = self.rows.get("_at", self.rows.index)
        if self.xlabel == "epoch" and "_at" in self.rows:
            return np.ceil(self.x[np.asarray(at)])
        return self.x[np.asarray(at)]


def metric_of(archs) -> str:
    """``val_acc``, or ``reward`` for logs that score arcs only by reward (enas_lm)."""
    if archs["val_acc"].astype(float).notna().any() or not archs["reward"].astype(float).notna().any():
        return "val_acc"
    return "reward"


def select_frames(archs, which: str = "all", every: int = 1, metric: str = "val_acc", epochs=None) -> Frames:
    """The archs rows a video shows (see :func:`enas_viz.write_video`), with the strip's data.

    ``epoch-best`` and ``best-so-far`` rank arcs by ``metric`` (a column of ``archs``);
    ``epochs=(a, b)`` keeps the frames of epochs a to b (the best so far still counts
    the epochs before a).
    """
    import pandas as pd

    from .figures.logdata import epoch_position

    if which not in WHICH:
        raise ValueError(f"which is {which!r}; expected one of {', '.join(WHICH)}")
    acc = archs[metric].astype(float)
    best = acc.cummax().to_numpy()  # NaN accuracies are skipped
    epoch = archs["epoch"].astype(float)
    if epoch.notna().all() and (epoch.diff().fillna(0) >= 0).all():
        # the notebook's positions: epoch e spread over (e - 1, e]; epochs never go back here,
        # so grouping by epoch alone keeps resumed runs in row order
        x, xlabel = epoch_position(archs), "epoch"
    else:
        x, xlabel = np.arange(len(archs), dtype=float), "architecture"
    keys = [archs["run"].fillna(-1), archs["epoch"].fillna(-1)]
    if which == "all":
        rows = archs
    elif which == "epoch-best":
        score = acc.fillna(-np.inf)
        rows = archs.loc[score.groupby(keys, sort=False).idxmax()].copy()
        rows["_at"] = list(rows.index)
    else:
        best_row, best_val, best_idx = [], -np.inf, archs.index[0]
        for idx, val in zip(archs.index, acc.fillna(-np.inf).to_numpy(), strict=True):
            if val > best_val:
                best_val, best_idx = val, idx
            best_row.append(best_idx)
        at = pd.Series(best_row, index=archs.index)
        last = archs.groupby(keys, sort=False).tail(1).index  # the end of every epoch
        rows = archs.loc[at.loc[last].to_numpy()].copy()
        rows["_at"] = list(last)
    if epochs is not None:
        a, b = _window(epochs)
        shown = rows["epoch"].astype(float) if which != "best-so-far" else archs.loc[rows["_at"], "epoch"].astype(float)
        inside = ((shown >= a) & (shown <= b)).to_numpy()
        if not inside.any():
            have = epoch.dropna()
            span = f"epochs {have.min():.0f} to {have.max():.0f}" if len(have) else "no epochs"
            raise ValueError(f"epochs={epochs!r} holds no sampled architecture; the log has {span}")
        rows = rows[inside]
    return Frames(rows.iloc[:: int(every)], x, best, xlabel, metric)


def _window(epochs) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in epochs)
    except (TypeError, ValueError):
        raise ValueError(f"epochs is {epochs!r}; expected (first, last), e.g. epochs=(100, 150)") from None
    if not a <= b:
        raise ValueError(f"epochs is {epochs!r}; the first epoch must not be after the last")
    return a, b


# -- panels: one search each ---------------------------------------------------------------


@dataclass
class Panel:
    """One search in a video: its name, archs, parsed arcs, selected frames and the strip's scores."""

    name: str
    space: str
    archs: object
    arcs: dict
    frames: Frames
    scores: np.ndarray


def read_panel(log, which: str, epochs=None) -> Panel:
    """A :class:`Panel` of ``log`` (a SearchLog or a log file path); every arc is parsed up front."""
    log = as_log(log)
    source = str(log.meta.get("source") or "log")
    archs = log.archs
    if archs is None or len(archs) == 0:
        raise ValueError(f"{source}: the log has no sampled architectures (its archs table is empty); nothing to draw")
    space = space_of(log)
    archs = archs.reset_index(drop=True)
    arcs = parse_all(archs, space, log.meta, source)
    metric = metric_of(archs)
    frames = select_frames(archs, which, 1, metric=metric, epochs=epochs)
    name = Path(source).stem if log.meta.get("source") else "search"
    return Panel(name, space, archs, arcs, frames, archs[metric].to_numpy(float))


def as_log(log):
    """A SearchLog from a SearchLog or a log file path."""
    if isinstance(log, (str, os.PathLike)):
        if not Path(log).is_file():
            raise FileNotFoundError(f"{log}: no such log file")
        try:
            from extract import read_log
        except ImportError as err:
            raise ValueError(
                f"{log}: reading log files needs extract.read_log, which is not available ({err})"
            ) from None
        return read_log(log)
    if not hasattr(log, "archs") or not hasattr(log, "meta"):
        raise ValueError(f"expected a SearchLog or a log file path, not {type(log).__name__}")
    return log


def space_of(log) -> str:
    from .spaces import SPACES

    spaces = set(log.archs["space"].dropna().unique()) if "space" in log.archs else set()
    space = log.meta.get("space") or (spaces.pop() if len(spaces) == 1 else None)
    if space not in SPACES:
        found = log.meta.get("space") or sorted(spaces) or "none recorded"
        raise ValueError(f"unknown search space {found!r} in the log; expected one of {sorted(SPACES)}")
    return space


def parse_all(archs, space: str, meta: dict, source: str) -> dict:
    """``{arc text: Arc}`` for every distinct arc of the log; a bad one names its line."""
    from .arcs import ArcError
    from .figures.logdata import ArcParser

    parse = ArcParser({**meta, "space": space})
    arcs = {}
    for text, line in zip(archs["arc"], archs["line"], strict=True):
        if text in arcs:
            continue
        try:
            arcs[text] = parse(text, space)
        except (ArcError, TypeError) as err:
            where = f"{source}:{int(line)}" if _num(line) == _num(line) else source
            raise ValueError(f"{where}: {err}") from None
    sizes = {(a.params.get("num_layers"), a.params.get("num_cells"), a.params.get("num_nodes")) for a in arcs.values()}
    if len(sizes) > 1:
        raise ValueError(
            f"{source}: the log mixes architectures of different sizes ({len(sizes)} kinds); write one video per size"
        )
    return arcs


# -- several searches on one time axis, and how many frames --------------------------------


def sync(panels: list[Panel]) -> list[list[int]]:
    """Per frame, the selected frame (a position in ``panel.frames.rows``) each panel shows.

    One frame per time at which any panel has a selected arc. Times are epochs (strip x,
    or the epoch of per-epoch picks), so searches line up by epoch; a panel shows its
    latest arc at or before the frame's time (its first before it starts).
    """
    if len(panels) == 1:
        return [[j] for j in range(len(panels[0].frames.rows))]
    keys = [p.frames.keys() for p in panels]
    frames = []
    for time in np.unique(np.concatenate(keys)):
        frames.append([max(int(np.searchsorted(k, time, side="right")) - 1, 0) for k in keys])
    return frames


def auto_every(count: int, fps: float, transition: int, max_seconds: float | None) -> int:
    """The least k such that every k-th of ``count`` frames (the last one kept too) lasts at most ``max_seconds``."""
    if max_seconds is None or count <= 1:
        return 1
    budget = fps * max_seconds

    def frames_of(k: int) -> float:
        arcs = -(-count // k) + (1 if (count - 1) % k else 0)
        return arcs * (1 + transition) - transition

    k = max(1, math.ceil(count * (1 + transition) / max(budget, 1)))
    while k < count and frames_of(k) > budget:
        k += 1
    return k


def thin(frames: list, every: int, limit: int | None) -> list:
    """Every ``every``-th frame and always the last one (a video ends where the search ends), at most ``limit``."""
    frames = frames if limit is None else frames[:limit]
    kept = frames[::every]
    if kept and kept[-1] is not frames[-1]:
        kept.append(frames[-1])
    return kept


# -- texts ------------------------------------------------------------------------------------


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _fmt(value, digits: int = 4) -> str:
    value = _num(value)
    return "n/a" if value != value else f"{value:.{digits}f}"


def texts(panel: Panel, j: int, which: str, named: bool) -> tuple[str, str]:
    """Title and info line of the ``j``-th selected frame of ``panel``; ``named`` puts the search's name first."""
    archs, row = panel.archs, panel.frames.rows.iloc[j]
    index = int(panel.frames.rows.index[j])
    epoch, sample = _fmt(row.get("epoch"), 0), _fmt(row.get("sample"), 0)
    run = _num(row.get("run"))
    runs = archs["run"].nunique() if "run" in archs else 1
    head = f"{_short(panel.name)} · " if named else f"ENAS {panel.space} search · "
    prefix = f"run {run:.0f} · " if runs > 1 and run == run else ""
    if which == "best-so-far":
        end = archs.loc[int(row["_at"])]
        title = f"{head}best after epoch {_fmt(end.get('epoch'), 0)} (epoch {epoch}, sample {sample})"
    elif which == "epoch-best":
        title = f"{head}{prefix}epoch {epoch} · best of the epoch (sample {sample})"
    else:
        title = f"{head}{prefix}epoch {epoch} · sample {sample} · arc {index + 1}/{len(archs)}"
    acc, reward = _num(row.get("val_acc")), _num(row.get("reward"))
    parts = [f"val_acc {_fmt(acc)}"] if acc == acc or reward != reward else []
    if reward == reward and reward != acc:  # many logs' reward is the val_acc itself
        parts.append(f"reward {_fmt(reward)}")
    return title, "   ".join(parts)


def position(panel: Panel, j: int, which: str) -> tuple[float, float]:
    """Where the strip's marker sits for the ``j``-th selected frame: on the best line for best-so-far."""
    rows = panel.frames.rows
    if which == "best-so-far":
        at = int(rows["_at"].iloc[j])
        return float(panel.frames.x[at]), float(panel.frames.best[at])
    index = int(rows.index[j])
    return float(panel.frames.x[index]), float(panel.scores[index])


def arc_of(panel: Panel, j: int):
    """The parsed arc of the ``j``-th selected frame of ``panel``."""
    return panel.arcs[panel.frames.rows["arc"].iloc[j]]


def _short(name: str, limit: int = 36) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
