"""One colour per op name, one style per edge kind and one text ink rule, shared by the
notebook figures, drawings and videos (so both show the same colours)."""

from __future__ import annotations

__all__ = [
    "op_color",
    "ink_color",
    "ROLE_COLORS",
    "OP_COLORS",
    "EDGE_STYLES",
    "INK_DARK",
    "INK_LIGHT",
    "CHANGED_COLOR",
]

# Colour-blind-friendly (Okabe-Ito and Tableau 10) hues; similar ops get related hues.
OP_COLORS = {
    "conv3x3": "#4E79A7",
    "sep_conv3x3": "#59A14F",
    "conv5x5": "#1F3A68",
    "sep_conv5x5": "#2E6B2A",
    "avg_pool3x3": "#F28E2B",
    "max_pool3x3": "#E15759",
    "identity": "#9C9C9C",
    "tanh": "#EDC948",
    "relu": "#FF9DA7",
    "sigmoid": "#76B7B2",
}
ROLE_COLORS = {
    "stem": "#D4E6F1",
    "input": "#D4E6F1",
    "output": "#BFDCCF",
    "add": "#FFFFFF",
    "concat": "#F5E6C8",
    "avg": "#BFDCCF",
}
_EXTRA = ("#B07AA1", "#9D7660", "#D37295", "#8CD17D", "#B6992D", "#499894", "#86BCB6")


def op_color(op: str) -> str:
    """The colour of an op name (or of a structural role such as ``input``, ``add``)."""
    if op in OP_COLORS:
        return OP_COLORS[op]
    if op in ROLE_COLORS:
        return ROLE_COLORS[op]
    return _EXTRA[sum(map(ord, op)) % len(_EXTRA)]  # stable for names we do not know


# Edge kinds of enas_viz.graph: colour, line width in pixels (at the default figure size) and
# an optional plotly dash; the video renderer draws the same colours and widths, solid.
EDGE_STYLES = {
    "chain": dict(color="#444444", width=2.0),
    "skip": dict(color="#7F9CC0", width=1.4),
    "input": dict(color="#666666", width=1.4),
    "op": dict(color="#444444", width=1.4),
    "concat": dict(color="#C9A227", width=1.4, dash="dot"),
    "average": dict(color="#5B9E8A", width=1.4, dash="dot"),
    "output": dict(color="#444444", width=2.0),
}

# What changed since the previous video frame (new edges, outlines of changed ops): a magenta no op uses.
CHANGED_COLOR = "#D4148C"

INK_DARK, INK_LIGHT = "#111111", "#FFFFFF"
_INK_THRESHOLD = 150 / 255  # luma above this reads better with dark ink


def ink_color(fill) -> str:
    """Dark or white text ink, whichever reads better on ``fill``.

    ``fill`` is a ``#rrggbb`` string or an RGB(A) sequence of floats in 0..1; anything
    else (e.g. a transparent ``rgba(...)`` string) gets dark ink.
    """
    if isinstance(fill, str):
        if not (fill.startswith("#") and len(fill) >= 7):
            return INK_DARK
        r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    else:
        r, g, b = (float(v) for v in fill[:3])
    return INK_DARK if 0.299 * r + 0.587 * g + 0.114 * b > _INK_THRESHOLD else INK_LIGHT
