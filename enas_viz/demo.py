"""``enas-viz demo``: the whole product on the embedded data, in a few minutes on a CPU.

Runs a short macro search on scikit-learn's digits images, then writes next to its log
a picture of the derived architecture (the controller's final pick, the one to train)
and a video of the search, and says where they are.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .draw import HelpFormatter

__all__ = ["run_demo", "register"]


def run_demo(out: str | Path = "runs/demo", epochs: int = 10, seed: int = 0, progress: bool = True) -> dict:
    """Search, then draw the derived architecture and export the video; returns the paths and both arcs."""
    import enas_viz as ev
    from extract import read_log

    out = Path(out)
    result = ev.search(
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
    derived = result.derived_arc
    reward = f", reward {result.derived_reward:.3f}" if result.derived_reward is not None else ""
    picture = ev.draw_arc(
        derived, out / "derived_arc.png", title=f"derived architecture (the controller's final pick{reward})"
    )
    video = ev.write_video(log, out / "search.mp4", fps=8, progress=progress)
    return {
        "log": out / "events.jsonl",
        "derived_arc": str(derived),
        "best_sampled": (best.arc, float(best.val_acc), int(best.epoch)),
        "picture": Path(picture),
        "video": Path(video),
    }


def _handle(args: argparse.Namespace) -> int:
    paths = run_demo(args.out, epochs=args.epochs, seed=args.seed)
    arc, acc, epoch = paths["best_sampled"]
    print()
    print("enas-viz demo done:")
    print(f"  search log          {paths['log']}")
    print(f"  derived arc         {paths['derived_arc']}   (the controller's final pick: train this one)")
    print(f"  its picture         {paths['picture']}")
    print(f"  best sampled arc    {arc}   (val_acc {acc:.4f} in epoch {epoch})")
    print(f"  search video        {paths['video']}")
    print()
    print("Train the derived arc from scratch:")
    print(f'  .venv/bin/enas-viz final --arc "{paths["derived_arc"]}" --space macro --dataset digits --preset tiny')
    print("Open the notebooks to scrub the timeline and run your own search:")
    print("  .venv/bin/jupyter lab notebooks/")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run a short macro search on the embedded digits data, draw its derived arc, export its video",
        description=__doc__,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--out", default="runs/demo", help="run folder")
    parser.add_argument("--epochs", type=int, default=10, help="search epochs")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.set_defaults(func=_handle)
