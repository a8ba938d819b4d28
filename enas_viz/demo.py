"""``enas-viz demo``: the whole product on the embedded data, in a few minutes on a CPU.

Runs a short macro search on scikit-learn's digits images, then writes next to its log
a picture of the best architecture and a video of the search, and says where they are.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["run_demo", "register"]


def run_demo(out: str | Path = "runs/demo", epochs: int = 10, seed: int = 0, progress: bool = True) -> dict:
    """Search, then draw the best architecture and export the video; returns the paths."""
    import enas_viz as ev
    from extract import read_log

    out = Path(out)
    ev.search(
        space="macro",
        dataset="digits",
        epochs=epochs,
        out=out,
        preset="tiny",
        seed=seed,
        device="auto",
        progress=progress,
    )
    log = read_log(out / "events.jsonl")
    best = log.best()
    arc = best.to_arc()
    picture = ev.draw_arc(
        arc, out / "best_arc.png", title=f"best sampled architecture, epoch {best.epoch}, val_acc {best.val_acc:.3f}"
    )
    video = ev.write_video(log, out / "search.mp4", fps=8, progress=progress)
    return {"log": out / "events.jsonl", "best_arc": str(arc), "picture": Path(picture), "video": Path(video)}


def _handle(args: argparse.Namespace) -> int:
    paths = run_demo(args.out, epochs=args.epochs, seed=args.seed)
    print()
    print("enas-viz demo done:")
    print(f"  search log      {paths['log']}")
    print(f"  best arc        {paths['best_arc']}")
    print(f"  its picture     {paths['picture']}")
    print(f"  search video    {paths['video']}")
    print()
    print("Open the notebooks to scrub the timeline and run your own search:")
    print("  .venv/bin/jupyter lab notebooks/")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run a short macro search on the embedded digits data, draw its best arc, export its video",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", default="runs/demo", help="run folder (default: runs/demo)")
    parser.add_argument("--epochs", type=int, default=10, help="search epochs (default: 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.set_defaults(func=_handle)
