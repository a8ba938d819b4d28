"""``draw_arc`` and ``enas-viz draw``: one architecture as a PNG, SVG or PDF picture.

The picture is the same drawing a video frame shows (fixed layout of the space, op
colours and legend of the notebook figures), without the accuracy strip. SVG and PDF
are for papers: their text stays text (SVG ``<text>`` elements, PDF TrueType fonts), so
labels can be selected, searched and edited. Nothing heavy is imported at module import
time, so ``enas-viz --help`` stays instant.

    enas-viz draw "0 3 0 0 1 0" --space macro -o net.png
    enas-viz draw @cell.txt --space micro -o cell.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["draw_arc", "register", "parse_size", "DRAW_FORMATS", "HelpFormatter"]

DRAW_FORMATS = (".png", ".svg", ".pdf")
_SIZE_NAMES = {
    "macro": ("num_layers", "layers"),
    "micro": ("num_cells", "nodes per cell"),
    "rnn": ("num_nodes", "nodes"),
}


def draw_arc(
    arc, path, size: tuple[int, int] | None = None, title: str | None = None, space: str | None = None, **params
) -> Path:
    """Draw ``arc`` (an Arc or any text ``parse_arc`` accepts) to a ``.png``, ``.svg`` or ``.pdf`` file.

    ``size`` is (width, height) in pixels (a default per space); ``title`` defaults to
    the space and size, ``""`` draws none. ``space`` and ``params`` go to ``parse_arc``.
    """
    from .arcs import parse_arc
    from .render import Renderer

    path = Path(path)
    if path.suffix.lower() not in DRAW_FORMATS:
        raise ValueError(
            f"{path}: unknown picture format {path.suffix or '(none)'!r}; use a .png, .svg or .pdf file name"
        )
    if not (path.parent if str(path.parent) else Path(".")).is_dir():
        raise ValueError(f"cannot write {path}: directory {path.parent} does not exist")
    try:
        arc = parse_arc(arc, space, **params)
    except TypeError as err:  # a size option of another space, e.g. --num-cells for macro
        raise ValueError(str(err)) from None
    if title is None:
        key, noun = _SIZE_NAMES[arc.space]
        title = f"ENAS {arc.space} architecture · {arc.params[key]} {noun}"
    renderer = Renderer.for_arc(arc, size=size, animated=False)
    renderer.savefig(path, arc, title=title, info=_summary(arc))
    return path


def _summary(arc) -> str:
    """A short right-hand note: skip count (macro), loose ends (micro, rnn)."""
    if arc.space == "macro" and arc.params.get("whole_channels", True):
        skips = sum(b for _, bits in arc.layers for b in bits)
        total = sum(len(bits) for _, bits in arc.layers)
        return f"{skips}/{total} skips"
    g = arc.to_networkx()
    if arc.space == "micro":
        return "  ".join(f"{cell}: concat of {g.in_degree(f'{cell}:out')}" for cell in arc.cells)
    return f"h[t] = mean of {g.in_degree('avg')}"


# -- command line -------------------------------------------------------------------------


def register(subparsers) -> None:
    """Add ``enas-viz draw`` to the command line."""
    p = subparsers.add_parser(
        "draw",
        help="draw one architecture to a PNG, SVG or PDF file",
        description="Draw one ENAS architecture (the authors' token string, in any form the logs and "
        "scripts print it) on the fixed layout of its space. Examples:\n"
        '  enas-viz draw "0 3 0 0 1 0" --space macro -o net.png\n'
        "  enas-viz draw @cell.txt --space micro -o cell.pdf     # SVG and PDF keep their text as text",
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "arc",
        nargs="+",
        metavar="ARC",
        help="the arc tokens (quoted or as separate words), or @FILE to read them from FILE",
    )
    p.add_argument("-o", "--output", default="arc.png", help="output file, .png, .svg or .pdf")
    p.add_argument(
        "--space",
        choices=("macro", "micro", "rnn"),
        help="search space (inferred from the token count if it fits only one)",
    )
    p.add_argument("--num-layers", type=int, help="macro: number of layers (checked against the tokens)")
    p.add_argument("--num-cells", type=int, help="micro: nodes per cell (checked against the tokens)")
    p.add_argument("--num-nodes", type=int, help="rnn: number of nodes (checked against the tokens)")
    p.add_argument(
        "--encoding", choices=("enas", "enas_lm"), help="rnn: token layout (authors' enas, or google-research enas_lm)"
    )
    p.add_argument(
        "--size",
        type=parse_size,
        help="picture size WIDTHxHEIGHT in pixels (default per space: macro 1400x520, micro 1280x820, rnn 1280x480)",
    )
    p.add_argument("--title", help='title above the drawing ("" for none; default: the space and its size)')
    p.set_defaults(func=_run)


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` as ``(1280, 720)``: the ``--size`` option of ``draw`` and ``video``."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    return w, h


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description's line breaks and ends each option's help with its default, when it has one."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" in text or "(default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def read_arc_argument(words: list[str]) -> str:
    """The arc text of the ARC argument(s): the words, or a file's content for ``@FILE``."""
    if len(words) == 1 and words[0].startswith("@"):
        path = Path(words[0][1:])
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such arc file")
        return path.read_text()
    return " ".join(words)


def _run(args) -> int:
    params = {
        k: v
        for k, v in (
            ("num_layers", args.num_layers),
            ("num_cells", args.num_cells),
            ("num_nodes", args.num_nodes),
            ("encoding", args.encoding),
        )
        if v is not None
    }
    path = draw_arc(
        read_arc_argument(args.arc), args.output, size=args.size, title=args.title, space=args.space, **params
    )
    print(f"wrote {path}")
    return 0
