"""Videos of a search: one frame per sampled architecture, as MP4 (H.264) or GIF.

Each frame shows the arc's DAG on the fixed layout of its space (nodes never jump; op
colours and legend as in the notebook figures) with what changed since the previous
frame marked (new edges, changed ops), a title with epoch and sample, the arc's val_acc
and reward, and an accuracy-over-time strip with the current position marked. Several
searches are stacked in one frame, one panel each, synced by epoch. Frames are rendered
off-screen by :class:`enas_viz.render.Renderer` (matplotlib Agg, no browser), padded to
16-aligned sizes by hand and streamed into the ffmpeg that the imageio-ffmpeg wheel
carries, so memory stays flat however long the search.

By default a video lasts at most a minute: ``every`` is chosen to keep it under
``max_seconds`` (pass ``every=1`` for every arc). Which arcs: :mod:`enas_viz.video_frames`.

>>> ev.write_video(log, "search.mp4")                                   # <= 60 s, every k-th arc
>>> ev.write_video(log, "best.mp4", which="epoch-best", epochs=(100, 150))
>>> ev.write_video([log_a, log_b], "compare.mp4", which="epoch-best")  # side by side, by epoch
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .video_frames import WHICH, arc_of, auto_every, position, read_panel, select_frames, sync, texts, thin

__all__ = ["write_video", "select_frames", "preview", "WHICH", "FORMATS", "MAX_SECONDS"]

FORMATS = (".mp4", ".gif")
MAX_SECONDS = 60.0  # default length limit: an appendix video, not a 6-minute one
_GIF_FILTER = "split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=0[p];[b][p]paletteuse=new=1:dither=none"
_SEPARATOR = np.array([200, 200, 200, 255], np.uint8)


def write_video(
    log,
    path,
    fps: float = 8,
    every: int | None = None,
    size: tuple[int, int] = (1280, 720),
    which: str = "all",
    progress: bool = True,
    *,
    epochs: tuple[float, float] | None = None,
    max_seconds: float | None = MAX_SECONDS,
    changes: bool = True,
    transition: int = 0,
    frames_dir=None,
    quality: float = 5,
    limit: int | None = None,
    on_frame=None,
    cancel=None,
) -> Path | None:
    """Write a video of ``log`` to ``path`` (.mp4 or .gif); ``log`` is a SearchLog, a log path or a list of them.

    ``which`` picks the arcs: ``all`` sampled arcs, each epoch's best (``epoch-best``) or,
    per epoch, the best arc found so far (``best-so-far``); ``epochs=(a, b)`` keeps epochs
    a to b. ``every=k`` keeps every k-th of them; by default (``None``) the least k that
    keeps the video within ``max_seconds`` (``None``: no limit). A list of logs gives one
    panel per search, stacked, synced by epoch. ``changes`` marks new edges and changed
    ops since the previous frame. ``transition=n`` adds n in-between frames that fade
    from one arc to the next. ``frames_dir`` also writes every frame as a PNG; ``limit``
    keeps only the first ``limit`` selected architectures. ``on_frame(done, total)`` is called after each
    frame; setting the ``cancel`` event (a ``threading.Event``) stops before the next
    frame, removes the partial file and returns ``None``. Returns the path written.
    Everything is checked before the first frame is drawn.
    """
    path = Path(path)
    _check_options(path, fps, every, size, which, transition, quality, limit, max_seconds)
    _check_writable(path, frames_dir)
    logs = list(log) if isinstance(log, (list, tuple)) else [log]
    if not logs:
        raise ValueError("no logs given; pass a SearchLog, a log file path or a list of them")
    panels = [read_panel(one, which, epochs) for one in logs]
    frames = sync(panels)
    if every is None:
        every = auto_every(len(frames) if limit is None else min(limit, len(frames)), fps, transition, max_seconds)
    frames = thin(frames, int(every), limit)

    from tqdm.auto import tqdm

    renderers, width, heights = _renderers(panels, size, changes, epochs)
    height = sum(heights)
    multiple = 16 if path.suffix.lower() == ".mp4" else 2
    padded = (-(-width // multiple) * multiple, -(-height // multiple) * multiple)
    buffer = np.full((padded[1], padded[0], 4), 255, np.uint8)
    tops = np.cumsum([0, *heights[:-1]])
    if frames_dir is not None:
        frames_dir = Path(frames_dir)
        frames_dir.mkdir(parents=True, exist_ok=True)
    named = len(panels) > 1
    total = len(frames) * (1 + transition) - transition
    writer = _open_writer(path, padded, fps, quality)
    count, prev = 0, None
    try:
        with tqdm(total=total, unit="frame", desc=path.name, disable=not progress) as bar:
            for frame in frames:
                now = [
                    (arc_of(p, j), texts(p, j, which, named), position(p, j, which))
                    for p, j in zip(panels, frame, strict=True)
                ]
                steps = [(k + 1) / (transition + 1) for k in range(transition)] if prev is not None else []
                for t in [*steps, 1.0]:
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled
                    for i, (renderer, (arc, text, at)) in enumerate(zip(renderers, now, strict=True)):
                        # in-between frames: colours and edges fade, the marker glides, texts switch halfway
                        old = prev[i] if prev is not None else None
                        title, info = text if old is None or t >= 0.5 else old[1]
                        if old is not None and t < 1.0:
                            at = tuple(a + t * (b - a) for a, b in zip(old[2], at, strict=True))
                        rgba = renderer.render_rgba(arc, title=title, info=info, position=at,
                                                    prev=old[0] if old is not None else None, t=t)  # fmt: skip
                        buffer[tops[i] : tops[i] + heights[i], :width] = rgba
                    for top in tops[1:]:  # a thin line between the searches
                        buffer[top - 1 : top + 1, :width] = _SEPARATOR
                    writer.send(buffer)
                    if frames_dir is not None:
                        _write_png(frames_dir / f"frame_{count:06d}.png", buffer[:height, :width, :3])
                    count += 1
                    bar.update()
                    if on_frame is not None:
                        on_frame(count, total)
                prev = now
        writer.close()
    except _Cancelled:
        writer.close()
        path.unlink(missing_ok=True)
        return None
    except BaseException:
        writer.close()
        path.unlink(missing_ok=True)  # no half-written video left behind
        raise
    return path


class _Cancelled(Exception):
    """The ``cancel`` event was set: stop writing."""


def _renderers(panels, size, changes: bool, epochs) -> tuple[list, int, list[int]]:
    """One renderer per panel, stacked in ``size``; their strips share one x range."""
    from .render import Renderer

    width, height = size
    n = len(panels)
    heights = [height // n + (1 if i < height % n else 0) for i in range(n)]
    if min(heights) < 48:
        raise ValueError(f"size {width}x{height} is too small for {n} searches; give each at least 48 pixels of height")
    xlim = _shared_xlim(panels, epochs)
    renderers = []
    for panel, h in zip(panels, heights, strict=True):
        renderer = Renderer.for_arc(arc_of(panel, 0), size=(width, h), strip=True, changes=changes)
        f = panel.frames
        renderer.set_series(f.x, panel.scores, f.best, xlabel=f.xlabel, label=f.metric, xlim=xlim)
        renderers.append(renderer)
    return renderers, width, heights


def _shared_xlim(panels, epochs) -> tuple[float, float] | None:
    """The strips' x range: the epoch window, or every panel's whole range; None lets each strip choose."""
    if epochs is None and len(panels) == 1:
        return None
    if any(p.frames.xlabel != "epoch" for p in panels) and epochs is not None:
        return None
    if epochs is not None:
        lo, hi = float(epochs[0]) - 1, float(epochs[1])
    else:
        lo = min(float(np.nanmin(p.frames.x)) for p in panels)
        hi = max(float(np.nanmax(p.frames.x)) for p in panels)
    pad = max((hi - lo) * 0.01, 0.2)
    return lo - pad, hi + pad


# -- checks (all before any frame is drawn) ---------------------------------------------


def _check_options(path: Path, fps, every, size, which, transition, quality, limit, max_seconds) -> None:
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path}: unknown video format {path.suffix or '(none)'!r}; use a .mp4 or .gif file name")
    if not fps or fps <= 0:
        raise ValueError(f"fps is {fps}; expected a positive number of frames per second")
    if every is not None and (int(every) != every or every < 1):
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
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds is {max_seconds}; expected a positive length in seconds, or None for no limit")


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
