"""``enas-viz video LOG -o search.mp4``: a video of a search log (MP4 or GIF).

Imports nothing heavy at import time; the options mirror :func:`enas_viz.write_video`.
"""

from __future__ import annotations

import argparse

from .draw import parse_size

__all__ = ["register"]


def register(subparsers) -> None:
    """Add ``enas-viz video`` to the command line."""
    p = subparsers.add_parser(
        "video",
        help="export a video (MP4 or GIF) of a search log",
        description="Render one frame per sampled architecture of an ENAS search log (any format "
        "extract.read_log reads) and encode them as H.264 MP4 or GIF, chosen by the file extension. "
        "Example:\n  enas-viz video stdout -o search.mp4 --fps 8 --every 2 --which epoch-best",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("log", metavar="LOG", help="search log file (authors' stdout, forks, events.jsonl, ...)")
    p.add_argument("-o", "--output", default="search.mp4", help="video file, .mp4 or .gif (default: search.mp4)")
    p.add_argument("--fps", type=float, default=8, help="frames per second (default: 8)")
    p.add_argument("--every", type=int, default=1, help="keep every k-th architecture (default: 1)")
    p.add_argument("--size", type=parse_size, default=(1280, 720), help="frame size WIDTHxHEIGHT (default: 1280x720)")
    p.add_argument(
        "--which",
        choices=("all", "epoch-best", "best-so-far"),
        default="all",
        help="all sampled arcs, each epoch's best, or per epoch the best so far (default: all)",
    )
    p.add_argument(
        "--transition", type=int, default=0, help="in-between frames fading from one arc to the next (default: 0)"
    )
    p.add_argument("--frames", metavar="DIR", help="also write every frame as a PNG into DIR")
    p.add_argument("--quality", type=float, default=5, help="MP4 quality 1 (small) .. 10 (best) (default: 5)")
    p.add_argument("--limit", type=int, help="stop after this many architectures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from .video import write_video

    path = write_video(
        args.log,
        args.output,
        fps=args.fps,
        every=args.every,
        size=args.size,
        which=args.which,
        progress=not args.no_progress,
        transition=args.transition,
        frames_dir=args.frames,
        quality=args.quality,
        limit=args.limit,
    )
    print(f"wrote {path}")
    return 0
