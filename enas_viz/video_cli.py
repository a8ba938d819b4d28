"""``enas-viz video LOG [LOG ...] -o search.mp4``: a video of one or more search logs (MP4 or GIF).

Imports nothing heavy at import time; the options mirror :func:`enas_viz.write_video`.
"""

from __future__ import annotations

from .draw import HelpFormatter, parse_size

__all__ = ["register"]


def register(subparsers) -> None:
    """Add ``enas-viz video`` to the command line."""
    p = subparsers.add_parser(
        "video",
        help="export a video (MP4 or GIF) of one or more search logs",
        description="Render the sampled architectures of an ENAS search log (any format extract.read_log "
        "reads) and encode them as H.264 MP4 or GIF, chosen by the file extension. Each frame marks what "
        "changed since the previous one. By default the video lasts at most a minute (every k-th arc); "
        "several logs are stacked in one frame, synced by epoch. Examples:\n"
        "  enas-viz video stdout -o search.mp4\n"
        "  enas-viz video stdout -o best.mp4 --which epoch-best --epochs 100 150\n"
        "  enas-viz video run_a/stdout run_b/stdout -o compare.mp4 --which epoch-best",
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "log", nargs="+", metavar="LOG", help="search log file(s) (authors' stdout, forks, events.jsonl, ...)"
    )
    p.add_argument("-o", "--output", default="search.mp4", help="video file, .mp4 or .gif")
    p.add_argument("--fps", type=float, default=8, help="frames per second")
    p.add_argument(
        "--every", type=int, help="keep every k-th architecture (default: the least k that fits --max-seconds)"
    )
    p.add_argument("--max-seconds", type=float, default=60.0, help="longest video when --every is not given")
    p.add_argument("--size", type=parse_size, default="1280x720", help="frame size WIDTHxHEIGHT")
    p.add_argument(
        "--which",
        choices=("all", "epoch-best", "best-so-far"),
        default="all",
        help="all sampled arcs, each epoch's best, or per epoch the best so far",
    )
    p.add_argument("--epochs", type=float, nargs=2, metavar=("FIRST", "LAST"), help="only epochs FIRST to LAST")
    p.add_argument("--no-changes", action="store_true", help="do not mark new edges and changed ops")
    p.add_argument("--transition", type=int, default=0, help="in-between frames fading from one arc to the next")
    p.add_argument("--frames", metavar="DIR", help="also write every frame as a PNG into DIR")
    p.add_argument("--quality", type=float, default=5, help="MP4 quality 1 (small) .. 10 (best)")
    p.add_argument("--limit", type=int, help="stop after this many architectures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from .video import write_video

    path = write_video(
        args.log if len(args.log) > 1 else args.log[0],
        args.output,
        fps=args.fps,
        every=args.every,
        size=args.size,
        which=args.which,
        progress=not args.no_progress,
        epochs=tuple(args.epochs) if args.epochs else None,
        max_seconds=args.max_seconds,
        changes=not args.no_changes,
        transition=args.transition,
        frames_dir=args.frames,
        quality=args.quality,
        limit=args.limit,
    )
    print(f"wrote {path}")
    return 0
