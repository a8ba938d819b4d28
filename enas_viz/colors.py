"""One colour per op name, shared by the notebook figures, drawings and videos."""

from __future__ import annotations

__all__ = ["op_color", "ROLE_COLORS", "OP_COLORS"]

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
