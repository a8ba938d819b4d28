"""Videos of a search: one frame per sampled architecture, as MP4 (H.264) or GIF.

Each frame shows the arc's DAG on the fixed layout of its space (nodes never jump; op
colours and legend as in the notebook figures), a title with epoch and sample, the
arc's val_acc and reward, and an accuracy-over-time strip with the current position
marked. Frames are rendered off-screen by :class:`enas_viz.render.Renderer` (matplotlib
Agg, no browser), padded to 16-aligned sizes by hand and streamed into the ffmpeg that
the imageio-ffmpeg wheel carries, so memory stays flat however long the search.

>>> ev.write_video(log, "search.mp4", fps=8, every=1)        # or "search.gif"
>>> ev.write_video("stdout", "best.mp4", which="epoch-best", transition=3)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["write_video", "select_frames", "preview", "WHICH", "FORMATS"]

WHICH = ("all", "epoch-best", "best-so-far")
FORMATS = (".mp4", ".gif")
_GIF_FILTER = "split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=0[p];[b][p]paletteuse=new=1:dither=none"


@dataclass
class _Frames:
    """The selected rows of ``archs`` and what each frame prints."""

    rows: object  # pandas DataFrame: the archs rows to draw, in order
    x: np.ndarray  # strip x of every archs row (figures.logdata.epoch_position, or the row number)
    best: np.ndarray  # best score so far at every archs row
    xlabel: str
    metric: str  # the column scored: val_acc, or reward where a log has no val_acc (enas_lm)


def write_video(
    log,
    path,
    fps: float = 8,
    every: int = 1,
    size: tuple[int, int] = (1280, 720),
    which: str = "all",
    progress: bool = True,
    *,
    transition: int = 0,
    frames_dir=None,
    quality: float = 5,
    limit: int | None = None,
) -> Path:
    """Write a video of ``log`` (a SearchLog or a log file path) to ``path`` (.mp4 or .gif).

    ``every=k`` keeps every k-th selected architecture; ``which`` picks them: ``all``
    sampled arcs, each epoch's best (``epoch-best``) or, per epoch, the best arc found so
    far (``best-so-far``). ``transition=n`` adds n in-between frames that fade edges and
    colours from one arc to the next. ``frames_dir`` also writes every frame as a PNG.
    ``limit`` stops after that many architectures. Returns the path written.
    Everything is checked before the first frame is drawn.
    """
    path = Path(path)
    _check_options(path, fps, every, size, which, transition, quality, limit)
    _check_writable(path, frames_dir)
    log = _as_log(log)
    source = str(log.meta.get("source") or "log")
    archs = log.archs
    if archs is None or len(archs) == 0:
        raise ValueError(f"{source}: the log has no sampled architectures (its archs table is empty); nothing to draw")
    space = _space_of(log)
    archs = archs.reset_index(drop=True)
    arcs = _parse_all(archs, space, log.meta, source)
    frames = select_frames(archs, which, every, metric=_metric(archs))
    rows = frames.rows if limit is None else frames.rows.iloc[:limit]

    from tqdm.auto import tqdm

    from .render import Renderer

    first = arcs[rows.iloc[0]["arc"]]
    renderer = Renderer.for_arc(first, size=tuple(size), strip=True)
    scores = archs[frames.metric].to_numpy(float)
    renderer.set_series(frames.x, scores, frames.best, xlabel=frames.xlabel, label=frames.metric)
    height, width = renderer.canvas.get_width_height()[::-1]
    multiple = 16 if path.suffix.lower() == ".mp4" else 2
    padded = (-(-width // multiple) * multiple, -(-height // multiple) * multiple)
    buffer = np.full((padded[1], padded[0], 4), 255, np.uint8)
    if frames_dir is not None:
        frames_dir = Path(frames_dir)
        frames_dir.mkdir(parents=True, exist_ok=True)
    writer = _open_writer(path, padded, fps, quality)
    total = len(rows) * (1 + transition) - transition
    count, prev, prev_texts, prev_position = 0, None, None, None
    try:
        with tqdm(total=total, unit="frame", desc=path.name, disable=not progress) as bar:
            for index, row in rows.iterrows():
                arc = arcs[row["arc"]]
                texts = _texts(row, space, which, archs, frames, index)
                if which == "best-so-far":  # the marker sits at the end of the epoch, on the best line
                    position = (frames.x[row["_at"]], frames.best[row["_at"]])
                else:
                    position = (frames.x[index], scores[index])
                steps = [(k + 1) / (transition + 1) for k in range(transition)] if prev is not None else []
                for t in [*steps, 1.0]:
                    # in-between frames: colours and edges fade, the marker glides, texts switch halfway
                    title, info = texts if t >= 0.5 else prev_texts
                    at = (
                        position
                        if t == 1.0
                        else tuple(a + t * (b - a) for a, b in zip(prev_position, position, strict=True))
                    )
                    rgba = renderer.render_rgba(arc, title=title, info=info, position=at, prev=prev, t=t)
                    buffer[:height, :width] = rgba
                    writer.send(buffer)
                    if frames_dir is not None:
                        _write_png(frames_dir / f"frame_{count:06d}.png", buffer[:height, :width, :3])
                    count += 1
                    bar.update()
                prev, prev_texts, prev_position = arc, texts, position
        writer.close()
    except BaseException:
        writer.close()
        path.unlink(missing_ok=True)  # no half-written video left behind
        raise
    return path


# -- checks (all before any frame is drawn) ---------------------------------------------


def _check_options(path: Path, fps, every, size, which, transition, quality, limit) -> None:
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path}: unknown video format {path.suffix or '(none)'!r}; use a .mp4 or .gif file name")
    if not fps or fps <= 0:
        raise ValueError(f"fps is {fps}; expected a positive number of frames per second")
    if int(every) != every or every < 1:
        raise ValueError(f"every is {every}; expected a whole number >= 1 (keep every k-th architecture)")
    if which not in WHICH:
        raise ValueError(f"which is {which!r}; expected one of {', '.join(WHICH)}")
    if len(size) != 2 or min(size) < 48 or size[0] < 64:
        raise ValueError(f"size is {size}; expected (width, height) of at least 64x48 pixels")
    if int(transition) != transition or transition < 0:
        raise ValueError(f"transition is {transition}; expected a whole number of in-between frames >= 0")
    if not 1 <= quality <= 10:
        raise ValueError(f"quality is {quality}; expected 1 (smallest file) to 10 (best)")
    if limit is not None and limit < 1:
        raise ValueError(f"limit is {limit}; expected at least 1 architecture")


def _as_log(log):
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


def _space_of(log) -> str:
    from .spaces import SPACES

    spaces = set(log.archs["space"].dropna().unique()) if "space" in log.archs else set()
    space = log.meta.get("space") or (spaces.pop() if len(spaces) == 1 else None)
    if space not in SPACES:
        found = log.meta.get("space") or sorted(spaces) or "none recorded"
        raise ValueError(f"unknown search space {found!r} in the log; expected one of {sorted(SPACES)}")
    return space


def _check_writable(path: Path, frames_dir) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ValueError(f"{path} is a directory; give a .mp4 or .gif file name")
    if not parent.is_dir():
        raise ValueError(f"cannot write {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"cannot write {path}: permission denied")
    if frames_dir is not None:
        frames_dir = Path(frames_dir)
        if frames_dir.exists() and not frames_dir.is_dir():
            raise ValueError(f"--frames {frames_dir} exists and is not a directory")
        probe = frames_dir
        while not probe.exists():
            probe = probe.parent
        if not os.access(probe, os.W_OK):
            raise ValueError(f"cannot write frames into {frames_dir}: permission denied")


def _parse_all(archs, space: str, meta: dict, source: str) -> dict:
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
    sizes = {tuple(sorted(a.params.items())) for a in arcs.values()}
    if (
        len({(a.params.get("num_layers"), a.params.get("num_cells"), a.params.get("num_nodes")) for a in arcs.values()})
        > 1
    ):
        raise ValueError(
            f"{source}: the log mixes architectures of different sizes ({len(sizes)} kinds); write one video per size"
        )
    return arcs


# -- which frames ---------------------------------------------------------------------


def _metric(archs) -> str:
    """``val_acc``, or ``reward`` for logs that score arcs only by reward (enas_lm)."""
    if archs["val_acc"].astype(float).notna().any() or not archs["reward"].astype(float).notna().any():
        return "val_acc"
    return "reward"


def select_frames(archs, which: str = "all", every: int = 1, metric: str = "val_acc") -> _Frames:
    """The archs rows a video shows (see :func:`write_video`), with the strip's data.

    ``epoch-best`` and ``best-so-far`` rank arcs by ``metric`` (a column of ``archs``).
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
        rows = archs.loc[score.groupby(keys, sort=False).idxmax()]
    else:
        running = pd.Series(acc.fillna(-np.inf).to_numpy(), index=archs.index)
        best_row = []
        best_val, best_idx = -np.inf, archs.index[0]
        for idx, val in running.items():
            if val > best_val:
                best_val, best_idx = val, idx
            best_row.append(best_idx)
        at = pd.Series(best_row, index=archs.index)
        last = archs.groupby(keys, sort=False).tail(1).index  # the end of every epoch
        rows = archs.loc[at.loc[last].to_numpy()].copy()
        rows["_at"] = list(last)
    return _Frames(rows.iloc[:: int(every)], x, best, xlabel, metric)


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _fmt(value, digits: int = 4) -> str:
    value = _num(value)
    return "n/a" if value != value else f"{value:.{digits}f}"


def _texts(row, space: str, which: str, archs, frames: _Frames, index) -> tuple[str, str]:
    epoch, sample = _fmt(row.get("epoch"), 0), _fmt(row.get("sample"), 0)
    run = _num(row.get("run"))
    runs = archs["run"].nunique() if "run" in archs else 1
    prefix = f"run {run:.0f} · " if runs > 1 and run == run else ""
    if which == "best-so-far":
        end = archs.loc[row["_at"]]
        title = f"ENAS {space} search · best so far after epoch {_fmt(end.get('epoch'), 0)} (from epoch {epoch}, sample {sample})"
    elif which == "epoch-best":
        title = f"ENAS {space} search · {prefix}epoch {epoch} · best of the epoch (sample {sample})"
    else:
        number = index + 1
        title = f"ENAS {space} search · {prefix}epoch {epoch} · sample {sample} · arc {number}/{len(archs)}"
    acc, reward = _num(row.get("val_acc")), _num(row.get("reward"))
    parts = [f"val_acc {_fmt(acc)}"] if acc == acc or reward != reward else []
    if reward == reward and reward != acc:  # many logs' reward is the val_acc itself
        parts.append(f"reward {_fmt(reward)}")
    return title, "   ".join(parts)


# -- output ---------------------------------------------------------------------------


def _open_writer(path: Path, size: tuple[int, int], fps: float, quality: float):
    """A started imageio-ffmpeg frame generator: send it (H, W, 4) uint8 frames."""
    import imageio_ffmpeg

    common = {"pix_fmt_in": "rgba", "fps": fps, "macro_block_size": 1, "ffmpeg_log_level": "error"}
    if path.suffix.lower() == ".gif":
        gen = imageio_ffmpeg.write_frames(
            str(path), size, codec="gif", pix_fmt_out="pal8", quality=None, output_params=["-vf", _GIF_FILTER], **common
        )
    else:
        gen = imageio_ffmpeg.write_frames(
            str(path),
            size,
            codec="libx264",
            pix_fmt_out="yuv420p",
            quality=quality,
            output_params=["-preset", "veryfast", "-movflags", "+faststart"],
            **common,
        )
    gen.send(None)  # start ffmpeg
    return gen


def _write_png(path: Path, rgb: np.ndarray) -> None:
    from PIL import Image

    Image.fromarray(rgb).save(path, compress_level=1)


def preview(path, width: int = 720, embed_limit: int = 2_000_000):
    """A notebook preview of a written video that embeds it only when it is small.

    MP4: ``IPython.display.Video``; a file over ``embed_limit`` bytes is linked
    (``embed=False``, path relative to the notebook) instead of base64-embedded.
    GIF: ``IPython.display.Image``, embedded or linked by the same rule.
    """
    from IPython.display import Image, Video

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such video file")
    small = path.stat().st_size <= embed_limit
    if path.suffix.lower() == ".gif":
        return Image(filename=str(path), width=width) if small else Image(url=str(path), width=width)
    return Video(str(path), embed=small, width=width, html_attributes="controls loop")
