"""The ``enas-viz`` command line: search, final, extract, draw, video, demo.

Each feature registers its own subcommand from a module that imports nothing heavy at
import time (torch, matplotlib and pandas load only when a command runs), so that
``enas-viz --help`` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "build_parser"]

# module with a ``register(subparsers)`` function, in the order of `enas-viz --help`
_COMMAND_MODULES = (
    "enas_viz.train.cli",  # search, final
    "extract.cli",  # extract
    "enas_viz.draw",  # draw
    "enas_viz.video_cli",  # video
    "enas_viz.demo",  # demo
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="enas-viz",
        description="Watch a neural architecture search think: run ENAS searches, read ENAS logs, "
        "draw architectures and export videos of a search.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if not name.startswith(err.name or "?"):
                raise
            continue  # a feature not built yet
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (OSError, ValueError) as err:  # bad input (missing or unreadable file, bad arc or log): say what
        print(f"enas-viz {args.command}: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
